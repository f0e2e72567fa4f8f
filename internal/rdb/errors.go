package rdb

import (
	"errors"
	"fmt"
)

// The sentinel errors every Decode error wraps exactly one of. The first two
// map to Redis's RESTORE replies; the third has no Redis counterpart.
var (
	// ErrVersionOrChecksum: the footer is missing, the RDB version is newer
	// than 10, or the CRC64 does not match. RESTORE answers
	// "ERR DUMP payload version or checksum are wrong".
	ErrVersionOrChecksum = errors.New("DUMP payload version or checksum are wrong")

	// ErrBadFormat: the footer is good but the object does not parse, is
	// corrupt, or is an empty collection. RESTORE answers
	// "ERR Bad data format".
	//lint:ignore ST1005 Redis's reply text, capital and all
	ErrBadFormat = errors.New("Bad data format")

	// ErrTooLarge: the decoded value would exceed DecodeOptions.MaxMemory.
	// The payload may be valid; the caller chose not to materialize it.
	ErrTooLarge = errors.New("decoded value exceeds the memory limit")
)

// Error is a Decode failure: which sentinel, where, and why.
type Error struct {
	// Offset is the payload offset of the item being decoded when the
	// failure was found: a length, a string, or the start of the string
	// that holds a listpack, ziplist or intset (Inner then says where in
	// that blob, which may be LZF-compressed in the payload).
	Offset int
	// Inner is the offset inside the blob at Offset, or -1.
	Inner int
	// Reason says what was wrong.
	Reason string
	// Err is ErrVersionOrChecksum, ErrBadFormat or ErrTooLarge.
	Err error
}

func (e *Error) Error() string {
	if e.Inner >= 0 {
		return fmt.Sprintf("rdb: %v at payload offset %d (blob byte %d): %s", e.Err, e.Offset, e.Inner, e.Reason)
	}
	return fmt.Sprintf("rdb: %v at payload offset %d: %s", e.Err, e.Offset, e.Reason)
}

func (e *Error) Unwrap() error { return e.Err }

// blobError is a failure inside a listpack, ziplist, intset or zipmap; the
// decoder turns it into an *Error located at the blob's string.
type blobError struct {
	at     int
	reason string
}

func (e *blobError) Error() string { return fmt.Sprintf("byte %d: %s", e.at, e.reason) }

func blobErrf(at int, format string, args ...any) error {
	return &blobError{at: at, reason: fmt.Sprintf(format, args...)}
}
