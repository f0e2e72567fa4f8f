package keel

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/keeldb/keel/memtables"
	"github.com/keeldb/keel/slots"
)

// A WAL record's payload is a sequence of engine operations ("ops"). Ops are
// effects, not requests (DESIGN invariant 2): each reads only the state of
// its own engine, so recovery can apply the keyspace ops of a record without
// the strings engine and vice versa. The encoding is specified in
// docs/format/wal.md ("keel record payload"); the constants below are part of
// that format and never change.
const (
	recOps    uint8 = 1 // payload is ops; the record's slot list is exact
	recGlobal uint8 = 2 // payload is ops that touch every slot (FLUSHDB, SWAPDB)
)

type opCode uint8

// Op codes: 1..15 keyspace engine, 16..31 strings engine. Format constants.
const (
	opKSet      opCode = 1  // db, key, type, enc, expireAt, version, size
	opKDel      opCode = 2  // db, key
	opKExpire   opCode = 3  // db, key, expireAt (0 = persist)
	opKFlushDB  opCode = 4  // db, new physical id
	opKSwapDB   opCode = 5  // db a, db b
	opSPut      opCode = 16 // phys, key, value
	opSDel      opCode = 17 // phys, key
	opSDrop     opCode = 18 // phys: every string of that physical db
	opSCopy     opCode = 19 // src phys, src key, dst phys, dst key
	opSAppend   opCode = 20 // phys, key, data
	opSSetRange opCode = 21 // phys, key, offset, data (zero-pads)
)

type engineID uint8

const (
	engKeyspace engineID = iota
	engStrings
	numEngines
)

var engineNames = [numEngines]string{"keyspace", "strings"}

func (c opCode) engine() engineID {
	if c < 16 {
		return engKeyspace
	}
	return engStrings
}

// op is one decoded operation. Fields are used per code as listed above.
type op struct {
	code     opCode
	db, db2  int    // logical dbs (keyspace ops)
	phys     uint32 // physical db (strings ops)
	phys2    uint32
	key      []byte
	key2     []byte
	val      []byte
	typ      memtables.Type
	enc      uint8 // keyspace encoding hint (memtables.Entry.Enc)
	expireAt int64
	version  uint64
	size     int64
	offset   int64
}

var errBadOp = errors.New("malformed op")

func appendBytes(b, v []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

// encode appends o's encoding to b.
func (o *op) encode(b []byte) []byte {
	b = append(b, byte(o.code))
	switch o.code {
	case opKSet:
		b = binary.AppendUvarint(b, uint64(o.db))
		b = appendBytes(b, o.key)
		b = append(b, byte(o.typ), o.enc)
		b = binary.AppendVarint(b, o.expireAt)
		b = binary.AppendUvarint(b, o.version)
		b = binary.AppendVarint(b, o.size)
	case opKDel:
		b = binary.AppendUvarint(b, uint64(o.db))
		b = appendBytes(b, o.key)
	case opKExpire:
		b = binary.AppendUvarint(b, uint64(o.db))
		b = appendBytes(b, o.key)
		b = binary.AppendVarint(b, o.expireAt)
	case opKFlushDB:
		b = binary.AppendUvarint(b, uint64(o.db))
		b = binary.AppendUvarint(b, uint64(o.phys))
	case opKSwapDB:
		b = binary.AppendUvarint(b, uint64(o.db))
		b = binary.AppendUvarint(b, uint64(o.db2))
	case opSPut, opSAppend:
		b = binary.AppendUvarint(b, uint64(o.phys))
		b = appendBytes(b, o.key)
		b = appendBytes(b, o.val)
	case opSDel:
		b = binary.AppendUvarint(b, uint64(o.phys))
		b = appendBytes(b, o.key)
	case opSDrop:
		b = binary.AppendUvarint(b, uint64(o.phys))
	case opSCopy:
		b = binary.AppendUvarint(b, uint64(o.phys))
		b = appendBytes(b, o.key)
		b = binary.AppendUvarint(b, uint64(o.phys2))
		b = appendBytes(b, o.key2)
	case opSSetRange:
		b = binary.AppendUvarint(b, uint64(o.phys))
		b = appendBytes(b, o.key)
		b = binary.AppendUvarint(b, uint64(o.offset))
		b = appendBytes(b, o.val)
	default:
		panic(fmt.Sprintf("keel: encode of unknown op %d", o.code))
	}
	return b
}

// opDecoder decodes a payload op by op. Decoded byte slices alias the payload.
type opDecoder struct {
	b   []byte
	off int
	err error
}

func (d *opDecoder) uv() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b[d.off:])
	if n <= 0 {
		d.err = errBadOp
		return 0
	}
	d.off += n
	return v
}

func (d *opDecoder) sv() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b[d.off:])
	if n <= 0 {
		d.err = errBadOp
		return 0
	}
	d.off += n
	return v
}

func (d *opDecoder) bytes() []byte {
	n := d.uv()
	if d.err != nil {
		return nil
	}
	if uint64(len(d.b)-d.off) < n {
		d.err = errBadOp
		return nil
	}
	v := d.b[d.off : d.off+int(n)]
	d.off += int(n)
	return v
}

func (d *opDecoder) byte1() byte {
	if d.err != nil {
		return 0
	}
	if d.off >= len(d.b) {
		d.err = errBadOp
		return 0
	}
	v := d.b[d.off]
	d.off++
	return v
}

// next decodes the next op into o; it returns false at the end or on error
// (check d.err).
func (d *opDecoder) next(o *op) bool {
	if d.err != nil || d.off >= len(d.b) {
		return false
	}
	*o = op{code: opCode(d.byte1())}
	switch o.code {
	case opKSet:
		o.db = int(d.uv())
		o.key = d.bytes()
		o.typ = memtables.Type(d.byte1())
		o.enc = d.byte1()
		o.expireAt = d.sv()
		o.version = d.uv()
		o.size = d.sv()
	case opKDel:
		o.db = int(d.uv())
		o.key = d.bytes()
	case opKExpire:
		o.db = int(d.uv())
		o.key = d.bytes()
		o.expireAt = d.sv()
	case opKFlushDB:
		o.db = int(d.uv())
		o.phys = uint32(d.uv())
	case opKSwapDB:
		o.db = int(d.uv())
		o.db2 = int(d.uv())
	case opSPut, opSAppend:
		o.phys = uint32(d.uv())
		o.key = d.bytes()
		o.val = d.bytes()
	case opSDel:
		o.phys = uint32(d.uv())
		o.key = d.bytes()
	case opSDrop:
		o.phys = uint32(d.uv())
	case opSCopy:
		o.phys = uint32(d.uv())
		o.key = d.bytes()
		o.phys2 = uint32(d.uv())
		o.key2 = d.bytes()
	case opSSetRange:
		o.phys = uint32(d.uv())
		o.key = d.bytes()
		o.offset = int64(d.uv())
		o.val = d.bytes()
	default:
		d.err = fmt.Errorf("%w: unknown op code %d", errBadOp, o.code)
		return false
	}
	return d.err == nil
}

// stringKey is the strings engine's storage key: physical db (4 bytes, big
// endian), slot (2 bytes, big endian), key. Physical db first makes a whole
// flushed database one contiguous range (one range tombstone); the slot
// next makes a slot range of one database one contiguous seek.
func stringKey(dst []byte, phys uint32, key []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, phys)
	dst = binary.BigEndian.AppendUint16(dst, slots.Of(key))
	return append(dst, key...)
}

// stringKeySlot is the segments store's Slot function for stringKey.
func stringKeySlot(k []byte) uint16 {
	if len(k) < 6 {
		return 0
	}
	return binary.BigEndian.Uint16(k[4:6])
}

// physRange returns [lo, hi) covering every stringKey of phys.
func physRange(phys uint32) (lo, hi []byte) {
	lo = binary.BigEndian.AppendUint32(nil, phys)
	hi = binary.BigEndian.AppendUint32(nil, phys+1)
	return lo, hi
}

// apply applies o, part of record lsn, to the engines. mask selects the
// engines that take it (recovery skips engines whose checkpoint covers lsn).
// apply is the only way engine state changes, live or in recovery, which is
// what makes invariant 1 hold. Caller holds the write lock.
func (db *DB) apply(o *op, lsn uint64, mask uint8) error {
	if mask&(1<<o.code.engine()) == 0 {
		return nil
	}
	ks := db.ks
	switch o.code {
	case opKSet:
		ks.Set(o.db, o.key, memtables.Entry{Type: o.typ, ExpireAt: o.expireAt, Version: o.version, Size: o.size, Enc: o.enc, Access: db.lruClock()})
	case opKDel:
		ks.Delete(o.db, o.key)
	case opKExpire:
		ks.SetExpire(o.db, o.key, o.expireAt)
	case opKFlushDB:
		ks.FlushDB(o.db, o.phys)
	case opKSwapDB:
		ks.SwapDB(o.db, o.db2)
	case opSPut:
		db.strs.Put(lsn, stringKey(db.kbuf[:0], o.phys, o.key), o.val)
	case opSDel:
		db.strs.Delete(lsn, stringKey(db.kbuf[:0], o.phys, o.key))
	case opSDrop:
		lo, hi := physRange(o.phys)
		db.strs.DeleteRange(lsn, lo, hi)
	case opSCopy:
		v, ok, err := db.strs.Get(stringKey(db.kbuf[:0], o.phys, o.key))
		if err != nil {
			return err
		}
		if ok {
			db.strs.Put(lsn, stringKey(db.kbuf[:0], o.phys2, o.key2), v)
		}
	case opSAppend:
		k := stringKey(db.kbuf[:0], o.phys, o.key)
		v, _, err := db.strs.Get(k)
		if err != nil {
			return err
		}
		nv := make([]byte, 0, len(v)+len(o.val))
		nv = append(append(nv, v...), o.val...)
		db.strs.Put(lsn, k, nv)
	case opSSetRange:
		k := stringKey(db.kbuf[:0], o.phys, o.key)
		v, _, err := db.strs.Get(k)
		if err != nil {
			return err
		}
		end := int(o.offset) + len(o.val)
		nv := make([]byte, max(len(v), end))
		copy(nv, v)
		copy(nv[o.offset:], o.val)
		db.strs.Put(lsn, k, nv)
	default:
		return fmt.Errorf("%w: unknown op code %d", errBadOp, o.code)
	}
	return nil
}
