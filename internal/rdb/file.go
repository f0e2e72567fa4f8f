package rdb

import (
	"encoding/binary"
	"fmt"
	"strconv"
)

// RDB files: the snapshot redis-server writes (dump.rdb), read key by key
// so that a Redis data set can be imported (keel import). The file is
// "REDIS" and a 4-digit version (1 to FileVersion; Redis 7.0 writes 10,
// 7.2 writes 11, 7.4 and 8 write 12), then
// opcodes and keys, then EOF and, from version 5, a CRC64 of everything
// before it (0: not computed). Each key is its object type, its name and
// the object as a DUMP payload holds it (rdbLoadObject); opcodes before it
// give its database (SELECTDB) and expiry (EXPIRETIME_MS, EXPIRETIME), or
// carry what an import has no use for (AUX fields, RESIZEDB hints, the
// IDLE and FREQ of the next key). FUNCTION2 holds a function library's
// code. Module data (MODULE_AUX, module values) is refused: keel loads
// no modules. Redis's rdb.c (rdbLoadRioWithLoadingCtx) is the reference.

// File opcodes (rdb.h).
const (
	opSlotInfo   = 244
	opFunction2  = 245
	opFunction   = 246 // a 7.0 release candidate's format, refused as Redis 7.0 GA does
	opModuleAux  = 247
	opIdle       = 248
	opFreq       = 249
	opAux        = 250
	opResizeDB   = 251
	opExpireMs   = 252
	opExpireSecs = 253
	opSelectDB   = 254
	opEOF        = 255
)

// FileKey is one key of an RDB file.
type FileKey struct {
	DB       int
	Key      []byte
	Value    *Value
	ExpireAt int64 // unix ms; 0: none
}

// FileHandler receives what ParseFile reads; a non-nil error stops it.
type FileHandler struct {
	Key      func(k FileKey) error
	Function func(code []byte) error
	// Progress, when set, is called now and then with the bytes read.
	Progress func(read int)
}

// ParseFile reads an RDB file's image (the whole file, as mapped into
// memory) and hands its keys and function libraries to h, in file order.
// Errors are *Error wrapping ErrBadFormat (ErrVersionOrChecksum for the
// header's version and the footer's CRC), with the offset in the file.
// Values do not alias data.
func ParseFile(data []byte, h FileHandler) error {
	if len(data) < 9 || string(data[:5]) != "REDIS" {
		return &Error{Offset: 0, Inner: -1, Reason: "not an RDB file (no REDIS signature)", Err: ErrBadFormat}
	}
	ver, err := strconv.Atoi(string(data[5:9]))
	if err != nil || ver < 1 {
		return &Error{Offset: 5, Inner: -1, Reason: fmt.Sprintf("bad RDB version %q", data[5:9]), Err: ErrBadFormat}
	}
	if ver > FileVersion {
		return &Error{Offset: 5, Inner: -1, Reason: fmt.Sprintf("RDB version %d is newer than %d", ver, FileVersion), Err: ErrVersionOrChecksum}
	}
	// The checksum first, over the whole file: nothing of a damaged file
	// is handed over (Redis, which reads a stream, finds out at the end).
	if ver >= 5 && len(data) >= 18 {
		n := len(data)
		if want := binary.LittleEndian.Uint64(data[n-8:]); want != 0 {
			if got := CRC64(0, data[:n-8]); got != want {
				return &Error{Offset: n - 8, Inner: -1, Reason: fmt.Sprintf("CRC64 is %#016x, the file says %#016x", got, want), Err: ErrVersionOrChecksum}
			}
		}
	}
	d := decoder{buf: data, pos: 9, modern: ver >= 11}
	db := 0
	var expireAt int64
	lastProgress := 0
	for {
		if h.Progress != nil && d.pos-lastProgress >= 1<<20 {
			h.Progress(d.pos)
			lastProgress = d.pos
		}
		at := d.pos
		typ, err := d.readByte()
		if err != nil {
			return d.fail(at, "the file ends before its EOF opcode")
		}
		switch typ {
		case opEOF:
			if ver >= 5 {
				// The checksum, checked above.
				if _, err := d.readN(8); err != nil {
					return d.fail(at+1, "the file ends inside its checksum")
				}
			}
			if d.pos != len(data) {
				return d.fail(d.pos, "%d bytes after the end", len(data)-d.pos)
			}
			if h.Progress != nil {
				h.Progress(d.pos)
			}
			return nil
		case opSelectDB:
			n, err := d.readPlainLen()
			if err != nil {
				return err
			}
			db = int(min(n, 1<<31))
		case opSlotInfo: // Redis 7.4+: a slot's key counts, a hint
			for range 3 {
				if _, err := d.readPlainLen(); err != nil {
					return err
				}
			}
		case opResizeDB:
			if _, err := d.readPlainLen(); err != nil {
				return err
			}
			if _, err := d.readPlainLen(); err != nil {
				return err
			}
		case opAux:
			if _, _, err := d.readString(); err != nil {
				return err
			}
			if _, _, err := d.readString(); err != nil {
				return err
			}
		case opExpireMs:
			p, err := d.readN(8)
			if err != nil {
				return err
			}
			expireAt = int64(binary.LittleEndian.Uint64(p))
		case opExpireSecs:
			p, err := d.readN(4)
			if err != nil {
				return err
			}
			expireAt = int64(int32(binary.LittleEndian.Uint32(p))) * 1000
		case opIdle:
			if _, err := d.readPlainLen(); err != nil {
				return err
			}
		case opFreq:
			if _, err := d.readByte(); err != nil {
				return err
			}
		case opFunction2:
			code, err := d.readElem()
			if err != nil {
				return err
			}
			if h.Function != nil {
				if err := h.Function(code); err != nil {
					return err
				}
			}
		case opFunction, opModuleAux:
			return d.fail(at, "opcode %d (module data or a pre-release function) is not supported", typ)
		default:
			key, err := d.readElem()
			if err != nil {
				return err
			}
			v, err := d.objectOf(at, typ)
			if err != nil {
				return err
			}
			if h.Key != nil {
				if err := h.Key(FileKey{DB: db, Key: key, Value: v, ExpireAt: expireAt}); err != nil {
					return err
				}
			}
			expireAt = 0
		}
	}
}
