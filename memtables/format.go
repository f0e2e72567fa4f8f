package memtables

import (
	"errors"
	"fmt"
)

// LSN is a log sequence number of the global WAL.
type LSN = uint64

// Type is the Redis type of a key. The values are part of the checkpoint
// format (and of WAL records): never renumber them.
type Type uint8

// Key types. Part of the on-disk format.
const (
	TypeString Type = 1
	TypeList   Type = 2
	TypeSet    Type = 3
	TypeZSet   Type = 4
	TypeHash   Type = 5
	TypeStream Type = 6
)

// String returns the name Redis's TYPE command replies with.
func (t Type) String() string {
	switch t {
	case TypeString:
		return "string"
	case TypeList:
		return "list"
	case TypeSet:
		return "set"
	case TypeZSet:
		return "zset"
	case TypeHash:
		return "hash"
	case TypeStream:
		return "stream"
	}
	return fmt.Sprintf("Type(%d)", uint8(t))
}

// valid reports whether t is one of the defined types.
func (t Type) valid() bool { return t >= TypeString && t <= TypeStream }

// Checkpoint framing constants (docs/format/checkpoint.md). Part of the
// on-disk format: never change them; a change bumps the version.
const (
	ckptMagic   = "KEELCKPT"
	ckptVersion = 2 // format version of the keyspace engine's checkpoint
	// ckptVersionStringLSN is the first version in which a string's
	// Version is the LSN of its value's last write (keel's strings.go);
	// reading an older file, a string's version is 0 (not known). Version
	// 1 files are read too.
	ckptVersionStringLSN = 2

	// EngineKeyspace is the engine name in a keyspace checkpoint preamble.
	EngineKeyspace = "keyspace"

	chunkMeta    byte = 0x01
	chunkEntries byte = 0x02
	chunkTrailer byte = 0xFF

	chunkHeaderLen = 1 + 4 + 8 // kind, payload length, xxhash64
	trailerLen     = 8 + 8 + 8 // entries chunks, entries, file xxhash64
)

// chunkTarget is the payload size at which the writer starts a new entries
// chunk. Not part of the format: readers accept any size.
const chunkTarget = 64 << 10

// Sentinel causes of a *CorruptionError, in validation order.
var (
	ErrBadMagic   = errors.New("bad magic")
	ErrBadVersion = errors.New("unsupported format version")
	ErrEngine     = errors.New("wrong engine")
	ErrTruncated  = errors.New("truncated")
	ErrChecksum   = errors.New("checksum mismatch")
	ErrMalformed  = errors.New("malformed")
)

// CorruptionError reports a checkpoint that cannot be trusted: where (byte
// offset into the file) and why (Err wraps one of the sentinels above). The
// caller wraps it with the file's path. A corrupt checkpoint is never loaded
// in part.
type CorruptionError struct {
	Offset int64
	Err    error
}

func (e *CorruptionError) Error() string {
	return fmt.Sprintf("memtables: corrupt checkpoint at offset %d: %v", e.Offset, e.Err)
}

func (e *CorruptionError) Unwrap() error { return e.Err }

func corrupt(off int64, sentinel error, format string, args ...any) *CorruptionError {
	if format == "" {
		return &CorruptionError{Offset: off, Err: sentinel}
	}
	return &CorruptionError{Offset: off, Err: fmt.Errorf("%w: "+format, append([]any{sentinel}, args...)...)}
}
