package wal

import (
	"errors"
	"fmt"
)

// Sentinel errors. Decoders wrap them with location and detail, so test with
// errors.Is.
var (
	// ErrClosed is returned by operations on a closed Log.
	ErrClosed = errors.New("wal: log closed")
	// ErrShortFrame: a frame shorter than the smallest possible frame
	// (a zero-filled tail reads as such frames).
	ErrShortFrame = errors.New("wal: short frame")
	// ErrBadVersion: unknown frame or sidecar format version.
	ErrBadVersion = errors.New("wal: unknown format version")
	// ErrChecksum: the xxhash64 of a frame or sidecar does not match.
	ErrChecksum = errors.New("wal: checksum mismatch")
	// ErrBadFrame: a frame whose checksum verifies but whose fields do not
	// parse (bad varint, slot out of range, length mismatch).
	ErrBadFrame = errors.New("wal: malformed frame")
	// ErrMisplaced: a valid frame whose LSN is not the one its position
	// in the log implies.
	ErrMisplaced = errors.New("wal: misplaced frame")
	// ErrTruncated: data is missing — an entry runs past the end of its
	// file, a sealed segment ends early, or a reader asks for LSNs that
	// TruncateFront has already removed.
	ErrTruncated = errors.New("wal: truncated")
	// ErrBadMagic: a sidecar that does not start with the sidecar magic.
	ErrBadMagic = errors.New("wal: bad magic")
	// ErrShortSidecar: a sidecar shorter than its fixed fields.
	ErrShortSidecar = errors.New("wal: short sidecar")
	// ErrBadSidecar: a sidecar whose checksum verifies but whose bitmap
	// does not decode.
	ErrBadSidecar = errors.New("wal: malformed sidecar")
	// ErrBadSlot: Append was given a slot >= NumSlots.
	ErrBadSlot = errors.New("wal: slot out of range")
	// ErrTooLarge: Append was given a record larger than MaxRecordSize.
	ErrTooLarge = errors.New("wal: record too large")
	// ErrOutOfRange: an LSN argument outside what the log holds.
	ErrOutOfRange = errors.New("wal: lsn out of range")
)

// CorruptionError reports damage anywhere but the torn tail of the last
// segment (which Open repairs). Open and Reader.Next return it; the data is
// never served past it.
type CorruptionError struct {
	Path   string // segment file
	Offset int64  // byte offset of the damaged entry in Path
	LSN    LSN    // LSN the damaged entry should have held
	Err    error  // cause, one of the sentinel errors above (wrapped)
}

func (e *CorruptionError) Error() string {
	return fmt.Sprintf("wal: corrupt record in %s at offset %d (lsn %d): %v", e.Path, e.Offset, e.LSN, e.Err)
}

func (e *CorruptionError) Unwrap() error { return e.Err }
