package rdb

import "encoding/binary"

// Ziplist (src/ziplist.c), read only: Redis 7.0 no longer writes it but
// loads it from RDB_TYPE_*_ZIPLIST and RDB_TYPE_LIST_QUICKLIST payloads.
//
//	┌────────────────┬───────────────┬──────────────┬─────────┬─────┬──────────┐
//	│ zlbytes <4b>   │ zltail <4b>   │ zllen <2b>   │ entries │ ... │ end 0xFF │
//	└────────────────┴───────────────┴──────────────┴─────────┴─────┴──────────┘
//	  little endian    offset of the    65535: unknown
//	                   last entry
//
// An entry is prevlen (1 byte if < 254, else 0xFE and 4 bytes LE), an
// encoding, and data:
//
//	00pppppp                string, 6-bit length
//	01pppppp qqqqqqqq       string, 14-bit length (big endian)
//	10______ <4b BE>        string, 32-bit length
//	11000000 / 11010000 / 11100000 / 11110000 / 11111110
//	                        int16 / int32 / int64 / int24 / int8, little endian
//	1111xxxx                xxxx in 1..13: the integer xxxx-1, no data

const (
	zlHeaderSize  = 10
	zlEnd         = 0xFF
	zlBigPrevlen  = 254
	zlInt16       = 0xC0
	zlInt32       = 0xD0
	zlInt64       = 0xE0
	zlInt24       = 0xF0
	zlInt8        = 0xFE
	zlImmMin      = 0xF1
	zlImmMax      = 0xFD
	zlCountUnkown = 65535
)

// zlIter walks a ziplist entry by entry, validating it as
// ziplistValidateIntegrity(deep=1) does: sizes, the end byte, every
// prevlen, zltail pointing at the last entry, the count. Entries alias zl.
type zlIter struct {
	zl        []byte
	p         int // next entry
	last      int // index of the end byte
	tail      int // zltail
	header    int // zllen
	n         int
	prevRaw   int // raw size of the previous entry
	prevStart int // offset of the previous entry, -1 before the first
}

func newZLIter(zl []byte) (*zlIter, error) {
	size := len(zl)
	if size < zlHeaderSize+1 {
		return nil, blobErrf(0, "ziplist of %d bytes is shorter than its header", size)
	}
	if total := binary.LittleEndian.Uint32(zl); uint64(total) != uint64(size) {
		return nil, blobErrf(0, "ziplist header says %d bytes, string has %d", total, size)
	}
	last := size - 1
	if zl[last] != zlEnd {
		return nil, blobErrf(last, "ziplist does not end with 0xFF")
	}
	tail := int(binary.LittleEndian.Uint32(zl[4:]))
	if tail > last {
		return nil, blobErrf(4, "ziplist tail offset %d past the end", tail)
	}
	return &zlIter{zl: zl, p: zlHeaderSize, last: last, tail: tail,
		header: int(binary.LittleEndian.Uint16(zl[8:])), prevStart: -1}, nil
}

// next returns the next entry; ok is false at the end, where zltail and
// the header count are checked.
func (it *zlIter) next() (e lpEntry, ok bool, err error) {
	zl, p, last := it.zl, it.p, it.last
	if zl[p] == zlEnd {
		if p != last {
			return e, false, blobErrf(p, "ziplist end byte before its last byte")
		}
		if it.prevStart >= 0 && it.prevStart != it.tail {
			return e, false, blobErrf(4, "ziplist tail offset %d, last entry at %d", it.tail, it.prevStart)
		}
		if it.header != zlCountUnkown && it.header != it.n {
			return e, false, blobErrf(8, "ziplist header counts %d entries, found %d", it.header, it.n)
		}
		return e, false, nil
	}
	prevlen, plen := 0, 1
	if zl[p] < zlBigPrevlen {
		prevlen = int(zl[p])
	} else {
		if p+5 > last {
			return e, false, blobErrf(p, "ziplist prevlen runs past the end")
		}
		prevlen = int(binary.LittleEndian.Uint32(zl[p+1:]))
		plen = 5
	}
	if prevlen != it.prevRaw {
		return e, false, blobErrf(p, "ziplist prevlen %d, previous entry has %d bytes", prevlen, it.prevRaw)
	}
	q := p + plen
	if q >= last {
		return e, false, blobErrf(q, "ziplist entry encoding runs past the end")
	}
	enc := zl[q]
	var hdr, dataLen int
	switch {
	case enc < 0xC0:
		switch enc & 0xC0 {
		case 0x00:
			hdr, dataLen = 1, int(enc&0x3F)
		case 0x40:
			if q+2 > last {
				return e, false, blobErrf(q, "ziplist string length runs past the end")
			}
			hdr, dataLen = 2, int(enc&0x3F)<<8|int(zl[q+1])
		default:
			if q+5 > last {
				return e, false, blobErrf(q, "ziplist string length runs past the end")
			}
			hdr, dataLen = 5, int(binary.BigEndian.Uint32(zl[q+1:]))
		}
	case enc == zlInt16:
		hdr, dataLen = 1, 2
	case enc == zlInt32:
		hdr, dataLen = 1, 4
	case enc == zlInt64:
		hdr, dataLen = 1, 8
	case enc == zlInt24:
		hdr, dataLen = 1, 3
	case enc == zlInt8:
		hdr, dataLen = 1, 1
	case enc >= zlImmMin && enc <= zlImmMax:
		hdr = 1
	default:
		return e, false, blobErrf(q, "invalid ziplist encoding 0x%02x", enc)
	}
	d := q + hdr
	if dataLen > last-d {
		return e, false, blobErrf(q, "ziplist entry of %d bytes runs past the end", dataLen)
	}
	data := zl[d : d+dataLen : d+dataLen]
	switch {
	case enc < 0xC0:
		e = lpEntry{str: data}
	case enc == zlInt16:
		e = lpEntry{ival: int64(int16(binary.LittleEndian.Uint16(data))), isInt: true}
	case enc == zlInt32:
		e = lpEntry{ival: int64(int32(binary.LittleEndian.Uint32(data))), isInt: true}
	case enc == zlInt64:
		e = lpEntry{ival: int64(binary.LittleEndian.Uint64(data)), isInt: true}
	case enc == zlInt24:
		u := uint64(data[0]) | uint64(data[1])<<8 | uint64(data[2])<<16
		e = lpEntry{ival: signExtend(u, 24), isInt: true}
	case enc == zlInt8:
		e = lpEntry{ival: int64(int8(data[0])), isInt: true}
	default:
		e = lpEntry{ival: int64(enc&0x0F) - 1, isInt: true}
	}
	it.prevRaw = plen + hdr + dataLen
	it.prevStart = p
	it.p = d + dataLen
	it.n++
	return e, true, nil
}

// parseZipmap validates a zipmap (src/zipmap.c, Redis 2.4 hashes) as
// zipmapValidateIntegrity(deep=1) does and calls fn with each field and
// value, which alias zm. The header count is checked at the end.
//
//	<count 1b> { <len> field <len> <free 1b> value <free bytes> }* 0xFF
//
// <len> is one byte below 254, else 254 and 4 bytes little endian.
func parseZipmap(zm []byte, fn func(field, value []byte) error) error {
	size := len(zm)
	if size < 2 {
		return blobErrf(0, "zipmap of %d bytes", size)
	}
	last := size - 1
	if zm[last] != zlEnd {
		return blobErrf(last, "zipmap does not end with 0xFF")
	}
	readLen := func(p int) (int, int, error) {
		if zm[p] < zlBigPrevlen {
			return int(zm[p]), 1, nil
		}
		if p+5 > last {
			return 0, 0, blobErrf(p, "zipmap length runs past the end")
		}
		return int(binary.LittleEndian.Uint32(zm[p+1:])), 5, nil
	}
	count := 0
	p := 1
	for zm[p] != zlEnd {
		flen, s, err := readLen(p)
		if err != nil {
			return err
		}
		p += s
		if flen > last-p {
			return blobErrf(p, "zipmap field runs past the end")
		}
		field := zm[p : p+flen : p+flen]
		p += flen
		if p >= last {
			return blobErrf(p, "zipmap value missing")
		}
		vlen, s, err := readLen(p)
		if err != nil {
			return err
		}
		p += s
		if p >= last {
			return blobErrf(p, "zipmap free byte missing")
		}
		free := int(zm[p])
		p++
		if vlen > last-p || free > last-p-vlen {
			return blobErrf(p, "zipmap value runs past the end")
		}
		value := zm[p : p+vlen : p+vlen]
		p += vlen + free
		if err := fn(field, value); err != nil {
			return err
		}
		count++
	}
	if p != last {
		return blobErrf(p, "zipmap end byte before its last byte")
	}
	if count == 0 {
		return blobErrf(0, "empty zipmap")
	}
	if c := int(zm[0]); c != zlBigPrevlen && c != count {
		return blobErrf(0, "zipmap header counts %d pairs, found %d", c, count)
	}
	return nil
}
