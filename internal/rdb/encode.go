package rdb

import (
	"encoding/binary"
	"math"
	"slices"
)

// Encode returns v's DUMP payload as redis-server 7.0 with configuration
// opt would produce it for the same value built by the natural commands:
// the object, RDB version 10, and the CRC64. v should satisfy Validate;
// an invalid value yields a payload that Decode and RESTORE refuse.
func Encode(v *Value, opt EncodeOptions) []byte {
	e := encoder{opt: opt, b: make([]byte, 0, 64)}
	switch v.Kind {
	case KindString:
		e.typ(TypeString)
		e.rawString(v.Str)
	case KindList:
		e.typ(TypeListQuicklist2)
		e.quicklist(v.Elems)
	case KindSet:
		if vals, ok := setAsIntset(v.Elems, opt); ok {
			e.typ(TypeSetIntset)
			e.rawString(encodeIntset(vals))
		} else {
			e.typ(TypeSet)
			e.len(uint64(len(v.Elems)))
			for _, m := range v.Elems {
				e.rawString(m)
			}
		}
	case KindZSet:
		e.zset(v.ZSet)
	case KindHash:
		e.hash(v.Hash)
	case KindStream:
		e.typ(TypeStreamListpacks2)
		s := v.Stream
		if s == nil {
			s = &Stream{}
		}
		e.stream(s)
	}
	// Footer: version and CRC64, both little endian (createDumpPayload).
	e.b = binary.LittleEndian.AppendUint16(e.b, Version)
	return binary.LittleEndian.AppendUint64(e.b, CRC64(0, e.b))
}

type encoder struct {
	opt EncodeOptions
	b   []byte
	// streamV3 writes consumers' active times (RDB 11), for tests of
	// ParseFile; Encode never sets it.
	streamV3 bool
}

func (e *encoder) typ(t byte) { e.b = append(e.b, t) }

// len is rdbSaveLen.
func (e *encoder) len(n uint64) {
	switch {
	case n < 1<<6:
		e.b = append(e.b, byte(n)|len6Bit<<6)
	case n < 1<<14:
		e.b = append(e.b, byte(n>>8)|len14Bit<<6, byte(n))
	case n <= math.MaxUint32:
		e.b = append(e.b, len32Bit)
		e.b = binary.BigEndian.AppendUint32(e.b, uint32(n))
	default:
		e.b = append(e.b, len64Bit)
		e.b = binary.BigEndian.AppendUint64(e.b, n)
	}
}

func (e *encoder) u64(v uint64) { e.b = binary.LittleEndian.AppendUint64(e.b, v) }

// rawString is rdbSaveRawString, which every string of a payload goes
// through (values, members, fields, and the listpack, intset and quicklist
// node blobs): an integer encoding for canonical integers of up to 11 bytes
// that fit 32 bits, LZF when compression is on, the string is longer than
// 20 bytes and LZF saves at least 4 bytes, else the bytes. For a string
// value this also matches rdbSaveStringObject of an int-encoded object:
// those are canonical integers, written as the same integer encodings or,
// beyond 32 bits, as their decimal text.
func (e *encoder) rawString(s []byte) {
	if len(s) <= 11 {
		if v, ok := string2ll(s); ok && v >= math.MinInt32 && v <= math.MaxInt32 {
			e.intString(v)
			return
		}
	}
	if e.opt.Compression && len(s) > 20 {
		// rdbSaveLzfStringObject: at least four bytes must be saved.
		if c := lzfCompress(s, len(s)-4); c != nil {
			e.lzfBlob(c, len(s))
			return
		}
	}
	e.len(uint64(len(s)))
	e.b = append(e.b, s...)
}

// intString is rdbEncodeInteger.
func (e *encoder) intString(v int64) {
	switch {
	case v >= math.MinInt8 && v <= math.MaxInt8:
		e.b = append(e.b, lenEnc<<6|encInt8, byte(v))
	case v >= math.MinInt16 && v <= math.MaxInt16:
		e.b = append(e.b, lenEnc<<6|encInt16, byte(v), byte(v>>8))
	default:
		e.b = append(e.b, lenEnc<<6|encInt32, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
	}
}

// lzfBlob is rdbSaveLzfBlob.
func (e *encoder) lzfBlob(c []byte, origLen int) {
	e.b = append(e.b, lenEnc<<6|encLZF)
	e.len(uint64(len(c)))
	e.len(uint64(origLen))
	e.b = append(e.b, c...)
}

// hashUsesListpack is the listpack condition HSET maintains
// (hashTypeTryConversion, hashTypeSet): at most hash-max-listpack-entries
// fields, none of whose names or values is longer than
// hash-max-listpack-value, within the listpack safety size.
func hashUsesListpack(h []Field, opt EncodeOptions) bool {
	if len(h) > opt.HashMaxListpackEntries {
		return false
	}
	total := 0
	for _, f := range h {
		if len(f.Name) > opt.HashMaxListpackValue || len(f.Value) > opt.HashMaxListpackValue {
			return false
		}
		total += len(f.Name) + len(f.Value)
	}
	return total <= listpackMaxSafetySize
}

func (e *encoder) hash(h []Field) {
	if hashUsesListpack(h, e.opt) {
		e.typ(TypeHashListpack)
		w := newLPWriter(0)
		for _, f := range h {
			w.appendString(f.Name)
			w.appendString(f.Value)
		}
		e.rawString(w.bytes())
		return
	}
	e.typ(TypeHash)
	e.len(uint64(len(h)))
	for _, f := range h {
		e.rawString(f.Name)
		e.rawString(f.Value)
	}
}

// zsetUsesListpack is ZADD's condition (zsetAdd): at most
// zset-max-listpack-entries members, none longer than
// zset-max-listpack-value, within the listpack safety size.
func zsetUsesListpack(z []ZMember, opt EncodeOptions) bool {
	if len(z) > opt.ZSetMaxListpackEntries {
		return false
	}
	total := 0
	for _, m := range z {
		if len(m.Member) > opt.ZSetMaxListpackValue {
			return false
		}
		total += len(m.Member)
	}
	return total <= listpackMaxSafetySize
}

func (e *encoder) zset(z []ZMember) {
	sorted := slices.Clone(z)
	sortZSet(sorted)
	if zsetUsesListpack(sorted, e.opt) {
		// zzlInsertAt: member, then the score as an integer when double2ll
		// takes it (so -0 becomes 0), else as its d2string text.
		e.typ(TypeZSetListpack)
		w := newLPWriter(0)
		var buf []byte
		for _, m := range sorted {
			w.appendString(m.Member)
			if n, ok := double2ll(m.Score); ok {
				w.appendInt(n)
				continue
			}
			buf = d2string(buf[:0], m.Score)
			w.appendString(buf)
		}
		e.rawString(w.bytes())
		return
	}
	// The skiplist is saved from its tail: highest score first.
	e.typ(TypeZSet2)
	e.len(uint64(len(sorted)))
	for i := len(sorted) - 1; i >= 0; i-- {
		e.rawString(sorted[i].Member)
		e.u64(math.Float64bits(sorted[i].Score))
	}
}
