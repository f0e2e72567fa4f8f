package keel

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/cespare/xxhash/v2"
	"github.com/keeldb/keel/memtables"
	"github.com/keeldb/keel/segments"
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
	opKSet     opCode = 1 // db, key, type, enc, expireAt, version, size
	opKDel     opCode = 2 // db, key
	opKExpire  opCode = 3 // db, key, expireAt (0 = persist)
	opKFlushDB opCode = 4 // db, new physical id
	opKSwapDB  opCode = 5 // db a, db b
	// opKSetString is opKSet's code on the log for a string, whose
	// version is the LSN of its value's last write (strings.go). Decoding
	// makes it an opKSet; an opKSet of a string on the log was written by
	// a keel that kept the creation LSN there, and decodes with version 0
	// (not known), which reads take as no promise.
	opKSetString opCode = 6  // as opKSet
	opSPut       opCode = 16 // phys, key, value
	opSDel       opCode = 17 // phys, key
	opSDrop      opCode = 18 // phys: every string of that physical db
	opSCopy      opCode = 19 // src phys, src key, dst phys, dst key
	opSAppend    opCode = 20 // phys, key, data
	opSSetRange  opCode = 21 // phys, key, offset, data (zero-pads)

	// Lists engine (32..47). A list op on an absent key creates the list;
	// an op that empties a list removes it from the engine.
	opLPush   opCode = 32 // phys, key, side, vals: push each in order (LPUSH a b -> b a ...)
	opLPop    opCode = 33 // phys, key, side, count
	opLSet    opCode = 34 // phys, key, index, val
	opLInsert opCode = 35 // phys, key, side (0 before, 1 after), pivot (val2), val
	opLRem    opCode = 36 // phys, key, count (signed), val
	opLTrim   opCode = 37 // phys, key, start, stop (normalized, inclusive)
	opLDel    opCode = 38 // phys, key
	opLDrop   opCode = 39 // phys
	opLCopy   opCode = 40 // src phys, src key, dst phys, dst key (replaces dst)

	// Sets engine (48..63).
	opTAdd  opCode = 48 // phys, key, flags (setAddHashed, setAddUnbounded), members
	opTRem  opCode = 49 // phys, key, members
	opTDel  opCode = 50 // phys, key
	opTDrop opCode = 51 // phys
	opTCopy opCode = 52 // src phys, src key, dst phys, dst key

	// Sorted sets engine (64..79).
	opZAdd      opCode = 64 // phys, key, flags (zsetAddBig), (member, score)...: set each score
	opZRem      opCode = 65 // phys, key, members
	opZDel      opCode = 66 // phys, key
	opZDrop     opCode = 67 // phys
	opZCopy     opCode = 68 // src phys, src key, dst phys, dst key
	opZRemRank  opCode = 69 // phys, key, start, stop (normalized ranks, inclusive)
	opZRemScore opCode = 70 // phys, key, min, max, exclusivity bits
	opZRemLex   opCode = 71 // phys, key, exclusivity/infinity bits, min, max

	// Hashes engine (80..95). Fields are stored under the hash's version
	// (hashKey), so dropping a hash is one range tombstone.
	opHSet     opCode = 80 // phys, key, version, (field, value)...
	opHDel     opCode = 81 // phys, key, version, fields
	opHDropKey opCode = 82 // phys, key, version: every field of that incarnation
	opHDrop    opCode = 83 // phys: every hash of that physical db
	opHCopy    opCode = 84 // src phys, src key, src version, dst phys, dst key, dst version

	// Streams engine (96..111). Every record of a stream incarnation is
	// stored under streamPrefix (streams_store.go) followed by a sub-key
	// whose first byte says what it is; the ops carry sub-keys and values
	// as computed by the command, so applying them reads nothing.
	opXPut      opCode = 96  // phys, key, version, (sub-key, value)...
	opXDel      opCode = 97  // phys, key, version, sub-keys
	opXDelRange opCode = 98  // phys, key, version, [lo, hi) sub-keys
	opXDropKey  opCode = 99  // phys, key, version: the whole incarnation
	opXDrop     opCode = 100 // phys: every stream of that physical db
	opXCopy     opCode = 101 // src phys, src key, src version, dst phys, dst key, dst version

	// Functions engine (112..127): libraries by name, in global records.
	opFSet   opCode = 112 // name (key), code (val): the library, replacing one of that name
	opFDel   opCode = 113 // name (key)
	opFFlush opCode = 114 // every library
)

// Flags of opTAdd.
const (
	setAddHashed    = 1 << 0 // convert to the hashtable encoding after adding
	setAddUnbounded = 1 << 1 // an intset may grow past 512 members (set-max-intset-entries above it)
)

// Flags of opZAdd.
const zsetAddBig = 1 << 0 // the skiplist encoding from now on (it never goes back)

// Sides of opLPush/opLPop (and before/after of opLInsert).
const (
	sideLeft  = 0
	sideRight = 1
)

type engineID uint8

const (
	engKeyspace engineID = iota
	engStrings
	engLists
	engSets
	engZSets
	engHashes
	engStreams
	engFunctions
	numEngines
)

var engineNames = [numEngines]string{"keyspace", "strings", memtables.EngineLists, memtables.EngineSets, memtables.EngineZSets, "hashes", "streams", "functions"}

func (c opCode) engine() engineID {
	switch {
	case c < 16:
		return engKeyspace
	case c < 32:
		return engStrings
	case c < 48:
		return engLists
	case c < 64:
		return engSets
	case c < 80:
		return engZSets
	case c < 96:
		return engHashes
	case c < 112:
		return engStreams
	default:
		return engFunctions
	}
}

// op is one decoded operation. Fields are used per code as listed above.
type op struct {
	code     opCode
	db, db2  int    // logical dbs (keyspace ops)
	phys     uint32 // physical db (strings ops)
	phys2    uint32
	key      []byte
	key2     []byte // a second key (copies): counted in the record's slots
	val2     []byte // a second value (LINSERT's pivot, ZREMRANGEBYLEX's max)
	val      []byte
	typ      memtables.Type
	enc      uint8 // keyspace encoding hint (memtables.Entry.Enc)
	expireAt int64
	version  uint64
	size     int64
	offset   int64
	side     uint8     // opLPush/opLPop/opLInsert side; opTAdd/opZAdd encoding flags; range bits
	count    int64     // opLPop count, opLRem count, opLTrim/opZRemRank start
	stop     int64     // opLTrim/opZRemRank stop
	vals     [][]byte  // elements or members
	scores   []float64 // opZAdd scores (parallel to vals); opZRemScore min, max
	version2 uint64    // opHCopy: the destination's version
	// keySlot is 1 + key's hash slot when emit has computed it, 0 in an
	// op decoded from the WAL (slot computes it then).
	keySlot uint16
}

// slot returns key's hash slot.
func (o *op) slot() uint16 {
	if o.keySlot != 0 {
		return o.keySlot - 1
	}
	return slots.Of(o.key)
}

var errBadOp = errors.New("malformed op")

func appendBytes(b, v []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

// encode appends o's encoding to b.
func (o *op) encode(b []byte) []byte {
	if o.code == opKSet && o.typ == memtables.TypeString {
		b = append(b, byte(opKSetString))
	} else {
		b = append(b, byte(o.code))
	}
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
	case opLPush:
		b = appendPhysKey(b, o)
		b = append(b, o.side)
		b = appendVals(b, o.vals)
	case opLPop:
		b = appendPhysKey(b, o)
		b = append(b, o.side)
		b = binary.AppendUvarint(b, uint64(o.count))
	case opLSet:
		b = appendPhysKey(b, o)
		b = binary.AppendVarint(b, o.offset)
		b = appendBytes(b, o.val)
	case opLInsert:
		b = appendPhysKey(b, o)
		b = append(b, o.side)
		b = appendBytes(b, o.val2)
		b = appendBytes(b, o.val)
	case opLRem:
		b = appendPhysKey(b, o)
		b = binary.AppendVarint(b, o.count)
		b = appendBytes(b, o.val)
	case opLTrim, opZRemRank:
		b = appendPhysKey(b, o)
		b = binary.AppendVarint(b, o.count)
		b = binary.AppendVarint(b, o.stop)
	case opLDel, opTDel, opZDel:
		b = appendPhysKey(b, o)
	case opLDrop, opTDrop, opZDrop:
		b = binary.AppendUvarint(b, uint64(o.phys))
	case opLCopy, opTCopy, opZCopy:
		b = appendPhysKey(b, o)
		b = binary.AppendUvarint(b, uint64(o.phys2))
		b = appendBytes(b, o.key2)
	case opTAdd:
		b = appendPhysKey(b, o)
		b = append(b, o.side)
		b = appendVals(b, o.vals)
	case opTRem, opZRem:
		b = appendPhysKey(b, o)
		b = appendVals(b, o.vals)
	case opZAdd:
		b = appendPhysKey(b, o)
		b = append(b, o.side)
		b = binary.AppendUvarint(b, uint64(len(o.vals)))
		for i, v := range o.vals {
			b = appendBytes(b, v)
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(o.scores[i]))
		}
	case opZRemScore:
		b = appendPhysKey(b, o)
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(o.scores[0]))
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(o.scores[1]))
		b = append(b, o.side)
	case opZRemLex:
		b = appendPhysKey(b, o)
		b = append(b, o.side)
		b = appendBytes(b, o.val)
		b = appendBytes(b, o.val2)
	case opHSet, opHDel, opXPut, opXDel, opXDelRange:
		b = appendPhysKey(b, o)
		b = binary.AppendUvarint(b, o.version)
		b = appendVals(b, o.vals) // opHSet: field, value, field, value, ...
	case opHDropKey, opXDropKey:
		b = appendPhysKey(b, o)
		b = binary.AppendUvarint(b, o.version)
	case opHDrop, opXDrop:
		b = binary.AppendUvarint(b, uint64(o.phys))
	case opHCopy, opXCopy:
		b = appendPhysKey(b, o)
		b = binary.AppendUvarint(b, o.version)
		b = binary.AppendUvarint(b, uint64(o.phys2))
		b = appendBytes(b, o.key2)
		b = binary.AppendUvarint(b, o.version2)
	case opFSet:
		b = appendBytes(b, o.key)
		b = appendBytes(b, o.val)
	case opFDel:
		b = appendBytes(b, o.key)
	case opFFlush:
	default:
		panic(fmt.Sprintf("keel: encode of unknown op %d", o.code))
	}
	return b
}

func appendPhysKey(b []byte, o *op) []byte {
	b = binary.AppendUvarint(b, uint64(o.phys))
	return appendBytes(b, o.key)
}

func appendVals(b []byte, vals [][]byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(vals)))
	for _, v := range vals {
		b = appendBytes(b, v)
	}
	return b
}

// Bits of opZRemScore's and opZRemLex's side byte.
const (
	rangeMinEx  = 1 << 0
	rangeMaxEx  = 1 << 1
	rangeMinInf = 1 << 2 // lex "-"
	rangeMaxInf = 1 << 3 // lex "+"
)

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
	case opKSet, opKSetString:
		o.db = int(d.uv())
		o.key = d.bytes()
		o.typ = memtables.Type(d.byte1())
		o.enc = d.byte1()
		o.expireAt = d.sv()
		o.version = d.uv()
		o.size = d.sv()
		switch {
		case o.code == opKSetString && o.typ != memtables.TypeString:
			d.err = errBadOp
			return false
		case o.code == opKSet && o.typ == memtables.TypeString:
			o.version = 0 // a creation LSN, not the value's last write
		}
		o.code = opKSet
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
	case opLPush, opTAdd:
		d.physKey(o)
		o.side = d.byte1()
		o.vals = d.vals()
	case opLPop:
		d.physKey(o)
		o.side = d.byte1()
		o.count = int64(d.uv())
	case opLSet:
		d.physKey(o)
		o.offset = d.sv()
		o.val = d.bytes()
	case opLInsert:
		d.physKey(o)
		o.side = d.byte1()
		o.val2 = d.bytes()
		o.val = d.bytes()
	case opLRem:
		d.physKey(o)
		o.count = d.sv()
		o.val = d.bytes()
	case opLTrim, opZRemRank:
		d.physKey(o)
		o.count = d.sv()
		o.stop = d.sv()
	case opLDel, opTDel, opZDel:
		d.physKey(o)
	case opLDrop, opTDrop, opZDrop:
		o.phys = uint32(d.uv())
	case opLCopy, opTCopy, opZCopy:
		d.physKey(o)
		o.phys2 = uint32(d.uv())
		o.key2 = d.bytes()
	case opTRem, opZRem:
		d.physKey(o)
		o.vals = d.vals()
	case opZAdd:
		d.physKey(o)
		o.side = d.byte1()
		n := d.count()
		o.vals = make([][]byte, 0, n)
		o.scores = make([]float64, 0, n)
		for i := 0; i < n && d.err == nil; i++ {
			o.vals = append(o.vals, d.bytes())
			f := math.Float64frombits(d.u64())
			if f != f {
				d.err = fmt.Errorf("%w: NaN score", errBadOp)
			}
			o.scores = append(o.scores, f)
		}
	case opZRemScore:
		d.physKey(o)
		o.scores = []float64{math.Float64frombits(d.u64()), math.Float64frombits(d.u64())}
		o.side = d.byte1()
	case opZRemLex:
		d.physKey(o)
		o.side = d.byte1()
		o.val = d.bytes()
		o.val2 = d.bytes()
	case opHSet, opHDel, opXPut, opXDel, opXDelRange:
		d.physKey(o)
		o.version = d.uv()
		o.vals = d.vals()
		switch {
		case (o.code == opHSet || o.code == opXPut) && len(o.vals)%2 != 0:
			d.err = fmt.Errorf("%w: op %d with an odd number of key/value items", errBadOp, o.code)
		case o.code == opXDelRange && len(o.vals) != 2:
			d.err = fmt.Errorf("%w: XDelRange with %d bounds", errBadOp, len(o.vals))
		}
	case opHDropKey, opXDropKey:
		d.physKey(o)
		o.version = d.uv()
	case opHDrop, opXDrop:
		o.phys = uint32(d.uv())
	case opHCopy, opXCopy:
		d.physKey(o)
		o.version = d.uv()
		o.phys2 = uint32(d.uv())
		o.key2 = d.bytes()
		o.version2 = d.uv()
	case opFSet:
		o.key = d.bytes()
		o.val = d.bytes()
	case opFDel:
		o.key = d.bytes()
	case opFFlush:
	default:
		d.err = fmt.Errorf("%w: unknown op code %d", errBadOp, o.code)
		return false
	}
	return d.err == nil
}

func (d *opDecoder) physKey(o *op) {
	o.phys = uint32(d.uv())
	o.key = d.bytes()
}

// count reads an element count, bounded by the bytes left (each element
// takes at least one byte), so a damaged count cannot allocate wildly.
func (d *opDecoder) count() int {
	n := d.uv()
	if d.err == nil && n > uint64(len(d.b)-d.off) {
		d.err = fmt.Errorf("%w: count %d exceeds the payload", errBadOp, n)
		return 0
	}
	return int(n)
}

func (d *opDecoder) vals() [][]byte {
	n := d.count()
	vs := make([][]byte, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		vs = append(vs, d.bytes())
	}
	return vs
}

func (d *opDecoder) u64() uint64 {
	if d.err != nil {
		return 0
	}
	if len(d.b)-d.off < 8 {
		d.err = errBadOp
		return 0
	}
	v := binary.LittleEndian.Uint64(d.b[d.off:])
	d.off += 8
	return v
}

// stringKey is the strings engine's storage key: physical db (4 bytes, big
// endian), slot (2 bytes, big endian), key. Physical db first makes a whole
// flushed database one contiguous range (one range tombstone); the slot
// next makes a slot range of one database one contiguous seek.
func stringKey(dst []byte, phys uint32, key []byte) []byte {
	return stringKeyIn(dst, phys, slots.Of(key), key)
}

// stringKeyIn is stringKey for a key whose slot the caller has.
func stringKeyIn(dst []byte, phys uint32, slot uint16, key []byte) []byte {
	dst = slices.Grow(dst, 6+len(key))
	dst = binary.BigEndian.AppendUint32(dst, phys)
	dst = binary.BigEndian.AppendUint16(dst, slot)
	return append(dst, key...)
}

// stringKeySlot is the segments store's Slot function for stringKey.
func stringKeySlot(k []byte) uint16 {
	if len(k) < 6 {
		return 0
	}
	return binary.BigEndian.Uint16(k[4:6])
}

// copyValue is the apply of an in-memory engine's copy op: dst gets an
// independent copy of src's value (replacing any).
func copyValue[V memtables.Value[V]](e *memtables.Values[V], o *op) {
	if v, ok := e.Get(o.phys, o.key); ok {
		e.Put(o.phys2, o.key2, v.Clone())
	}
}

// hashKey is the hashes engine's storage key of one field: physical db
// (4 bytes BE), slot (2 bytes BE), key length (4 bytes BE), key, version
// (8 bytes BE: the LSN that created this incarnation of the hash), the
// field's 64-bit hash (8 bytes BE), field. A hash incarnation is one
// contiguous range (hashRange), so dropping it is one range tombstone and
// a recreated hash never sees old fields. Fields sort by their hash, which
// gives HSCAN a stateless cursor (the next hash to visit) and HRANDFIELD
// a seek to a random point.
func hashKey(dst []byte, phys uint32, key []byte, version uint64, field []byte) []byte {
	return hashKeyIn(dst, phys, slots.Of(key), key, version, field)
}

// hashKeyIn is hashKey for a key whose slot the caller has.
func hashKeyIn(dst []byte, phys uint32, slot uint16, key []byte, version uint64, field []byte) []byte {
	dst = slices.Grow(dst, hashPrefixLen(key)+8+len(field))
	dst = hashPrefixIn(dst, phys, slot, key, version)
	return appendFieldKey(dst, field)
}

// appendFieldKey appends the part of a field's hashKey after the hash's
// prefix: the field's hash and the field.
func appendFieldKey(dst, field []byte) []byte {
	dst = binary.BigEndian.AppendUint64(dst, fieldHash(field))
	return append(dst, field...)
}

// hashPrefix is the storage key prefix of every field of one hash
// incarnation.
func hashPrefix(dst []byte, phys uint32, key []byte, version uint64) []byte {
	return hashPrefixIn(dst, phys, slots.Of(key), key, version)
}

// hashPrefixIn is hashPrefix for a key whose slot the caller has.
func hashPrefixIn(dst []byte, phys uint32, slot uint16, key []byte, version uint64) []byte {
	dst = slices.Grow(dst, hashPrefixLen(key))
	dst = binary.BigEndian.AppendUint32(dst, phys)
	dst = binary.BigEndian.AppendUint16(dst, slot)
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(key)))
	dst = append(dst, key...)
	return binary.BigEndian.AppendUint64(dst, version)
}

// viewEngine is a point read of key in an on-disk engine for c, with
// ViewHinted's present, newest and hints: a write command's reads (HSET's field
// checks, APPEND and INCR's values) go through ViewForWrite, leaving the
// row cache alone, as the write puts key in the write buffer, which
// answers the next read until a flush changes the files.
func (c *Ctx) viewEngine(st *segments.Store, key []byte, present bool, newest uint64, hints *segments.ReadHints, fn func(v []byte)) (bool, error) {
	if c.w != nil {
		return st.ViewForWrite(key, present, segments.LSN(newest), hints, fn)
	}
	return st.ViewHinted(key, present, segments.LSN(newest), hints, fn)
}

// incarnationPrefix is the hashes' and streams' segments.Options.Prefix:
// the length of the hashPrefix a storage key begins with (physical db 4,
// slot 2, key length 4, key, version 8), so that each file keeps a filter
// of the hashes and streams it holds records of, and HGETALL, HSCAN or
// XRANGE of one skips the files without it.
func incarnationPrefix(k []byte) int {
	if len(k) < 10 {
		return 0
	}
	n := 18 + uint64(binary.BigEndian.Uint32(k[6:10]))
	if n > uint64(len(k)) {
		return 0
	}
	return int(n)
}

// hashPrefixLen is the length of hashPrefix's output.
func hashPrefixLen(key []byte) int { return 4 + 2 + 4 + len(key) + 8 }

// fieldHash orders a hash's fields on disk. Unseeded: the order is part of
// the format.
func fieldHash(field []byte) uint64 { return xxhash.Sum64(field) }

// hashRange returns [lo, hi) covering every field of one hash incarnation
// (every record of a stream's): its prefix and the first key past every
// key with that prefix. (Not the next version's prefix, which is the same
// bound but when the version ends in 0xff: then the range reaches past
// the group by a few keys no engine writes, and the segments store takes
// its tombstone, DEL of a hash, for one wider than a group, which every
// scan must search; 1 DEL in 256.)
func hashRange(phys uint32, key []byte, version uint64) (lo, hi []byte) {
	lo = hashPrefix(nil, phys, key, version)
	return lo, prefixEnd(lo)
}

// hashScanFrom calls fn for the fields of one hash incarnation whose field
// hash is at least from, in storage (field hash) order, until fn returns
// false. f and v are valid only during the call.
func (db *DB) hashScanFrom(phys uint32, key []byte, version, from uint64, fn func(h uint64, f, v []byte) bool) error {
	lo, hi := hashRange(phys, key, version)
	n := len(lo)
	lo = binary.BigEndian.AppendUint64(lo, from)
	return db.hashes.Scan(lo, hi, func(k, v []byte) bool {
		return fn(binary.BigEndian.Uint64(k[n:]), k[n+8:], v)
	})
}

// hashScan calls fn for every field of one hash incarnation.
func (db *DB) hashScan(phys uint32, key []byte, version uint64, fn func(f, v []byte) bool) error {
	return db.hashScanFrom(phys, key, version, 0, func(_ uint64, f, v []byte) bool { return fn(f, v) })
}

// hashScanSized is hashScan of an incarnation of size fields (its
// keyspace entry's count), which segments' ScanLive may answer from the
// write buffers alone: a hash written again in full since the last flush
// is not read from the files its fields shadow.
func (db *DB) hashScanSized(phys uint32, key []byte, version uint64, size int64, fn func(f, v []byte) bool) error {
	lo, hi := hashRange(phys, key, version)
	n := len(lo) + 8 // the field's hash, then the field
	return db.hashes.ScanLive(lo, hi, size, func(k, v []byte) bool { return fn(k[n:], v) })
}

// copyIncarnation is the apply of opHCopy and opXCopy: every record of
// the source incarnation (phys, key, version) is written under the
// destination's prefix (phys2, key2, version2) with the same suffix (a
// hash's field hash and field, a stream's sub-key).
func (db *DB) copyIncarnation(st *segments.Store, o *op, lsn uint64) error {
	// Read the source first: the copy's writes go to the same store.
	lo, hi := hashRange(o.phys, o.key, o.version)
	n := len(lo)
	var recs [][]byte
	if err := st.Scan(lo, hi, func(k, v []byte) bool {
		recs = append(recs, bytes.Clone(k[n:]), bytes.Clone(v))
		return true
	}); err != nil {
		return err
	}
	for i := 0; i < len(recs); i += 2 {
		db.kbuf = streamKey(db.kbuf[:0], o.phys2, o.key2, o.version2, recs[i])
		st.Put(lsn, db.kbuf, recs[i+1])
	}
	return nil
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
	err := db.applyOp(o, lsn)
	db.noteWrite(o)
	return err
}

// applyOp is apply's change of the engines.
func (db *DB) applyOp(o *op, lsn uint64) error {
	ks := db.ks
	switch o.code {
	case opKSet:
		e := memtables.Entry{Type: o.typ, ExpireAt: o.expireAt, Version: o.version, Size: o.size, Enc: o.enc, Access: db.newAccess()}
		if db.policy().lfu() {
			ks.SetKeepAccess(o.db, o.key, e) // an overwrite keeps the counter, as Redis's dbOverwrite
		} else {
			ks.Set(o.db, o.key, e)
		}
	case opKDel:
		ks.Delete(o.db, o.key)
	case opKExpire:
		ks.SetExpire(o.db, o.key, o.expireAt)
	case opKFlushDB:
		ks.FlushDB(o.db, o.phys)
	case opKSwapDB:
		ks.SwapDB(o.db, o.db2)
	case opSPut:
		db.kbuf = stringKeyIn(db.kbuf[:0], o.phys, o.slot(), o.key)
		db.strs.Put(lsn, db.kbuf, o.val)
	case opSDel:
		db.kbuf = stringKeyIn(db.kbuf[:0], o.phys, o.slot(), o.key)
		db.strs.Delete(lsn, db.kbuf)
	case opSDrop:
		lo, hi := physRange(o.phys)
		db.strs.DeleteRange(lsn, lo, hi)
	case opSCopy:
		v, ok, err := db.strs.Get(stringKeyIn(db.kbuf[:0], o.phys, o.slot(), o.key))
		if err != nil {
			return err
		}
		if ok {
			db.strs.Put(lsn, stringKey(db.kbuf[:0], o.phys2, o.key2), v)
		}
	case opSAppend:
		k := stringKeyIn(db.kbuf[:0], o.phys, o.slot(), o.key)
		v, _, err := db.strs.Get(k)
		if err != nil {
			return err
		}
		nv := make([]byte, 0, len(v)+len(o.val))
		nv = append(append(nv, v...), o.val...)
		db.strs.Put(lsn, k, nv)
	case opSSetRange:
		k := stringKeyIn(db.kbuf[:0], o.phys, o.slot(), o.key)
		v, _, err := db.strs.Get(k)
		if err != nil {
			return err
		}
		end := int(o.offset) + len(o.val)
		nv := make([]byte, max(len(v), end))
		copy(nv, v)
		copy(nv[o.offset:], o.val)
		db.strs.Put(lsn, k, nv)
	case opLPush:
		l, _ := db.lists.Mutable(o.phys, o.key)
		for _, v := range o.vals {
			if o.side == sideLeft {
				l.PushLeft(v)
			} else {
				l.PushRight(v)
			}
		}
		db.lists.DeleteIfEmpty(o.phys, o.key)
	case opLPop:
		l, _ := db.lists.Mutable(o.phys, o.key)
		for i := int64(0); i < o.count; i++ {
			if o.side == sideLeft {
				l.PopLeft()
			} else {
				l.PopRight()
			}
		}
		db.lists.DeleteIfEmpty(o.phys, o.key)
	case opLSet:
		l, _ := db.lists.Mutable(o.phys, o.key)
		l.Set(int(o.offset), o.val)
		db.lists.DeleteIfEmpty(o.phys, o.key)
	case opLInsert:
		l, _ := db.lists.Mutable(o.phys, o.key)
		l.Insert(o.val2, o.side == sideLeft, o.val)
		db.lists.DeleteIfEmpty(o.phys, o.key)
	case opLRem:
		l, _ := db.lists.Mutable(o.phys, o.key)
		l.Remove(int(o.count), o.val)
		db.lists.DeleteIfEmpty(o.phys, o.key)
	case opLTrim:
		l, _ := db.lists.Mutable(o.phys, o.key)
		l.Trim(int(o.count), int(o.stop))
		db.lists.DeleteIfEmpty(o.phys, o.key)
	case opLDel:
		db.lists.Delete(o.phys, o.key)
	case opLDrop:
		db.lists.Drop(o.phys)
	case opLCopy:
		copyValue(db.lists, o)
	case opTAdd:
		t, _ := db.sets.Mutable(o.phys, o.key)
		for _, v := range o.vals {
			if o.side&setAddUnbounded != 0 {
				t.AddUnbounded(v)
			} else {
				t.Add(v)
			}
		}
		if o.side&setAddHashed != 0 {
			t.ConvertToHash()
		}
		db.sets.DeleteIfEmpty(o.phys, o.key)
	case opTRem:
		t, _ := db.sets.Mutable(o.phys, o.key)
		for _, v := range o.vals {
			t.Remove(v)
		}
		db.sets.DeleteIfEmpty(o.phys, o.key)
	case opTDel:
		db.sets.Delete(o.phys, o.key)
	case opTDrop:
		db.sets.Drop(o.phys)
	case opTCopy:
		copyValue(db.sets, o)
	case opZAdd:
		z, _ := db.zsets.Mutable(o.phys, o.key)
		for i, v := range o.vals {
			z.AddBytes(v, o.scores[i]) // the set keeps its own copy
		}
		if o.side&zsetAddBig != 0 {
			z.SetBig(true)
		}
		db.zsets.DeleteIfEmpty(o.phys, o.key)
	case opZRem:
		z, _ := db.zsets.Mutable(o.phys, o.key)
		for _, v := range o.vals {
			z.Remove(string(v))
		}
		db.zsets.DeleteIfEmpty(o.phys, o.key)
	case opZRemRank:
		z, _ := db.zsets.Mutable(o.phys, o.key)
		z.RemoveRangeByRank(int(o.count), int(o.stop))
		db.zsets.DeleteIfEmpty(o.phys, o.key)
	case opZRemScore:
		z, _ := db.zsets.Mutable(o.phys, o.key)
		z.RemoveRangeByScore(memtables.ScoreRange{Min: o.scores[0], Max: o.scores[1],
			MinEx: o.side&rangeMinEx != 0, MaxEx: o.side&rangeMaxEx != 0})
		db.zsets.DeleteIfEmpty(o.phys, o.key)
	case opZRemLex:
		z, _ := db.zsets.Mutable(o.phys, o.key)
		z.RemoveRangeByLex(memtables.LexRange{Min: o.val, Max: o.val2,
			MinEx: o.side&rangeMinEx != 0, MaxEx: o.side&rangeMaxEx != 0,
			MinInf: o.side&rangeMinInf != 0, MaxInf: o.side&rangeMaxInf != 0})
		db.zsets.DeleteIfEmpty(o.phys, o.key)
	case opZDel:
		db.zsets.Delete(o.phys, o.key)
	case opZDrop:
		db.zsets.Drop(o.phys)
	case opZCopy:
		copyValue(db.zsets, o)
	// The ops that write many records of one incarnation build its prefix
	// once (a hash of the key's slot and some copying per record).
	case opHSet:
		db.kbuf = hashPrefixIn(db.kbuf[:0], o.phys, o.slot(), o.key, o.version)
		n := len(db.kbuf)
		for i := 0; i+1 < len(o.vals); i += 2 {
			db.kbuf = appendFieldKey(db.kbuf[:n], o.vals[i])
			db.hashes.Put(lsn, db.kbuf, o.vals[i+1])
		}
	case opHDel:
		db.kbuf = hashPrefixIn(db.kbuf[:0], o.phys, o.slot(), o.key, o.version)
		n := len(db.kbuf)
		for _, f := range o.vals {
			db.kbuf = appendFieldKey(db.kbuf[:n], f)
			db.hashes.Delete(lsn, db.kbuf)
		}
	case opHDropKey:
		lo, hi := hashRange(o.phys, o.key, o.version)
		db.hashes.DeleteRange(lsn, lo, hi)
	case opHDrop:
		lo, hi := physRange(o.phys)
		db.hashes.DeleteRange(lsn, lo, hi)
	case opHCopy:
		return db.copyIncarnation(db.hashes, o, lsn)
	case opXPut:
		db.forgetStream(o.phys, o.key, o.version)
		db.kbuf = hashPrefixIn(db.kbuf[:0], o.phys, o.slot(), o.key, o.version)
		n := len(db.kbuf)
		for i := 0; i+1 < len(o.vals); i += 2 {
			db.kbuf = append(db.kbuf[:n], o.vals[i]...)
			db.streams.Put(lsn, db.kbuf, o.vals[i+1])
		}
	case opXDel:
		db.forgetStream(o.phys, o.key, o.version)
		db.kbuf = hashPrefixIn(db.kbuf[:0], o.phys, o.slot(), o.key, o.version)
		n := len(db.kbuf)
		for _, sub := range o.vals {
			db.kbuf = append(db.kbuf[:n], sub...)
			db.streams.Delete(lsn, db.kbuf)
		}
	case opXDelRange:
		db.forgetStream(o.phys, o.key, o.version)
		db.streams.DeleteRange(lsn, streamKey(nil, o.phys, o.key, o.version, o.vals[0]),
			streamKey(nil, o.phys, o.key, o.version, o.vals[1]))
	case opXDropKey:
		db.forgetStream(o.phys, o.key, o.version)
		lo, hi := hashRange(o.phys, o.key, o.version)
		db.streams.DeleteRange(lsn, lo, hi)
	case opXDrop:
		db.streamCache.clear()
		lo, hi := physRange(o.phys)
		db.streams.DeleteRange(lsn, lo, hi)
	case opXCopy:
		db.forgetStream(o.phys2, o.key2, o.version2)
		return db.copyIncarnation(db.streams, o, lsn)
	case opFSet, opFDel, opFFlush:
		return db.applyFunctions(o)
	default:
		return fmt.Errorf("%w: unknown op code %d", errBadOp, o.code)
	}
	return nil
}
