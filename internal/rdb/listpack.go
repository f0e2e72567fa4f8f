package rdb

import "encoding/binary"

// Listpack (src/listpack.c). Layout:
//
//	┌──────────────────┬─────────────────┬─────────┬─────┬─────────┬──────────┐
//	│ total bytes <4b> │ count <2b>      │ entry 1 │ ... │ entry N │ EOF 0xFF │
//	└──────────────────┴─────────────────┴─────────┴─────┴─────────┴──────────┘
//	  little endian      65535: unknown, count by walking
//
// An entry is its encoding (a first byte and, for strings, the data), then
// its backlen: the encoding's length written so it can be read right to
// left (lpEncodeBacklen). First bytes:
//
//	0xxxxxxx            7-bit unsigned int
//	10xxxxxx            string, 6-bit length
//	110xxxxx yyyyyyyy   13-bit signed int
//	1110xxxx yyyyyyyy   string, 12-bit length
//	11110000 <4b LE>    string, 32-bit length
//	11110001..11110100  16, 24, 32, 64-bit signed int, little endian
//	11111111            EOF

const (
	lpHeaderSize     = 6
	lpEOF            = 0xFF
	lpNumeleUnknown  = 65535
	lpEnc13BitInt    = 0xC0
	lpEnc6BitStr     = 0x80
	lpEnc12BitStr    = 0xE0
	lpEnc32BitStr    = 0xF0
	lpEnc16BitInt    = 0xF1
	lpEnc24BitInt    = 0xF2
	lpEnc32BitInt    = 0xF3
	lpEnc64BitInt    = 0xF4
	lpMaxBacklenSize = 5
)

// lpWriter builds a listpack by appending, as lpAppend/lpAppendInteger do.
// The header is filled by bytes().
type lpWriter struct {
	buf   []byte
	count int
}

func newLPWriter(sizeHint int) *lpWriter {
	buf := make([]byte, lpHeaderSize, lpHeaderSize+1+sizeHint)
	return &lpWriter{buf: buf}
}

// size is lpBytes of the listpack built so far (with its EOF byte).
func (w *lpWriter) size() int { return len(w.buf) + 1 }

// appendString appends s as lpAppend does: as an integer when s is a
// canonical int64 (lpEncodeGetType), else as a string.
func (w *lpWriter) appendString(s []byte) {
	if v, ok := string2ll(s); ok {
		w.appendInt(v)
		return
	}
	start := len(w.buf)
	n := len(s)
	switch {
	case n < 64:
		w.buf = append(w.buf, byte(n)|lpEnc6BitStr)
	case n < 4096:
		w.buf = append(w.buf, byte(n>>8)|lpEnc12BitStr, byte(n))
	default:
		w.buf = append(w.buf, lpEnc32BitStr, byte(n), byte(n>>8), byte(n>>16), byte(n>>24))
	}
	w.buf = append(w.buf, s...)
	w.buf = appendBacklen(w.buf, uint64(len(w.buf)-start))
	w.count++
}

// appendInt appends v with the smallest integer encoding (lpEncodeGetType).
func (w *lpWriter) appendInt(v int64) {
	start := len(w.buf)
	w.buf = appendLPInt(w.buf, v)
	w.buf = appendBacklen(w.buf, uint64(len(w.buf)-start))
	w.count++
}

func appendLPInt(b []byte, v int64) []byte {
	switch {
	case v >= 0 && v <= 127:
		return append(b, byte(v))
	case v >= -4096 && v <= 4095:
		u := uint64(v) & (1<<13 - 1)
		return append(b, byte(u>>8)|lpEnc13BitInt, byte(u))
	case v >= -32768 && v <= 32767:
		u := uint64(v)
		return append(b, lpEnc16BitInt, byte(u), byte(u>>8))
	case v >= -8388608 && v <= 8388607:
		u := uint64(v)
		return append(b, lpEnc24BitInt, byte(u), byte(u>>8), byte(u>>16))
	case v >= -2147483648 && v <= 2147483647:
		u := uint64(v)
		return append(b, lpEnc32BitInt, byte(u), byte(u>>8), byte(u>>16), byte(u>>24))
	}
	b = append(b, lpEnc64BitInt)
	return binary.LittleEndian.AppendUint64(b, uint64(v))
}

// lpIntEntrySize is the encoded size (with backlen) of integer v.
func lpIntEntrySize(v int64) int {
	var tmp [9]byte
	n := len(appendLPInt(tmp[:0], v))
	return n + backlenSize(uint64(n))
}

// ListpackEmptySize is the bytes of an empty listpack: its 6-byte header
// and the end byte.
const ListpackEmptySize = lpHeaderSize + 1

// ListpackIntSize is the bytes integer v takes as a listpack element, its
// back-length included. keel's stream nodes keep the size Redis's
// listpack would have with it (stream-node-max-bytes).
func ListpackIntSize(v int64) int { return lpIntEntrySize(v) }

// ListpackStringSize is the bytes s takes as a listpack element as
// lpAppend stores it: as an integer when s is a canonical int64, else as
// a string; back-length included.
func ListpackStringSize(s []byte) int {
	if v, ok := string2ll(s); ok {
		return lpIntEntrySize(v)
	}
	n := len(s)
	switch {
	case n < 64:
		n++
	case n < 4096:
		n += 2
	default:
		n += 5
	}
	return n + backlenSize(uint64(n))
}

// appendBacklen is lpEncodeBacklen. Note the boundaries: 16383 already takes
// three bytes.
func appendBacklen(b []byte, l uint64) []byte {
	switch {
	case l <= 127:
		return append(b, byte(l))
	case l < 16383:
		return append(b, byte(l>>7), byte(l&127)|128)
	case l < 2097151:
		return append(b, byte(l>>14), byte(l>>7&127)|128, byte(l&127)|128)
	case l < 268435455:
		return append(b, byte(l>>21), byte(l>>14&127)|128, byte(l>>7&127)|128, byte(l&127)|128)
	}
	return append(b, byte(l>>28), byte(l>>21&127)|128, byte(l>>14&127)|128, byte(l>>7&127)|128, byte(l&127)|128)
}

func backlenSize(l uint64) int {
	switch {
	case l <= 127:
		return 1
	case l < 16383:
		return 2
	case l < 2097151:
		return 3
	case l < 268435455:
		return 4
	}
	return 5
}

// bytes finishes the listpack: EOF, total bytes and count (65535 when the
// count does not fit, as lpInsert leaves it).
func (w *lpWriter) bytes() []byte {
	b := append(w.buf, lpEOF)
	binary.LittleEndian.PutUint32(b[0:], uint32(len(b)))
	n := w.count
	if n > lpNumeleUnknown {
		n = lpNumeleUnknown
	}
	binary.LittleEndian.PutUint16(b[4:], uint16(n))
	return b
}

// lpEntry is one decoded listpack (or ziplist) element: a string that
// aliases the blob, or an integer.
type lpEntry struct {
	str   []byte
	ival  int64
	isInt bool
}

// asInt is lpGetIntegerIfValid: an integer entry, or a string that is a
// canonical integer.
func (e lpEntry) asInt() (int64, bool) {
	if e.isInt {
		return e.ival, true
	}
	return string2ll(e.str)
}

// lpIter walks a listpack entry by entry, validating it as
// lpValidateIntegrity(deep=1) does, without materializing the entries. It
// is stricter in one way: the EOF byte must be the last byte (Redis stops at
// the first 0xFF entry byte and ignores the rest). Entries alias lp.
type lpIter struct {
	lp     []byte
	p      int // next entry
	last   int // index of the EOF byte
	numele int // header count, or lpNumeleUnknown
	n      int // entries returned so far
}

func newLPIter(lp []byte) (*lpIter, error) {
	size := len(lp)
	if size < lpHeaderSize+1 {
		return nil, blobErrf(0, "listpack of %d bytes is shorter than its header", size)
	}
	if total := binary.LittleEndian.Uint32(lp); uint64(total) != uint64(size) {
		return nil, blobErrf(0, "listpack header says %d bytes, string has %d", total, size)
	}
	if lp[size-1] != lpEOF {
		return nil, blobErrf(size-1, "listpack does not end with EOF")
	}
	return &lpIter{lp: lp, p: lpHeaderSize, last: size - 1, numele: int(binary.LittleEndian.Uint16(lp[4:]))}, nil
}

// next returns the next entry; ok is false at the end, where the header
// count is checked.
func (it *lpIter) next() (e lpEntry, ok bool, err error) {
	if it.p >= it.last {
		if it.numele != lpNumeleUnknown && it.numele != it.n {
			return e, false, blobErrf(4, "listpack header counts %d entries, found %d", it.numele, it.n)
		}
		return e, false, nil
	}
	e, next, err := lpEntryAt(it.lp, it.p, it.last)
	if err != nil {
		return e, false, err
	}
	it.p = next
	it.n++
	return e, true, nil
}

// lpEntryAt decodes the entry at p, which must end (backlen included) before
// the EOF byte at last, as lpValidateNext checks. It returns the entry and
// the offset of the next one.
func lpEntryAt(lp []byte, p, last int) (lpEntry, int, error) {
	c := lp[p]
	var hdr, dataLen int // encoding header bytes, string data bytes
	var e lpEntry
	switch {
	case c&0x80 == 0:
		hdr = 1
	case c&0xC0 == lpEnc6BitStr:
		hdr, dataLen = 1, int(c&0x3F)
	case c&0xE0 == lpEnc13BitInt:
		hdr = 2
	case c&0xF0 == lpEnc12BitStr:
		hdr = 2
	case c == lpEnc16BitInt:
		hdr = 3
	case c == lpEnc24BitInt:
		hdr = 4
	case c == lpEnc32BitInt:
		hdr = 5
	case c == lpEnc64BitInt:
		hdr = 9
	case c == lpEnc32BitStr:
		hdr = 5
	case c == lpEOF:
		return e, 0, blobErrf(p, "listpack EOF before its last byte")
	default:
		return e, 0, blobErrf(p, "invalid listpack encoding 0x%02x", c)
	}
	// The length bytes must lie before the EOF byte.
	lenBytes := hdr
	if c&0x80 == 0 || c&0xE0 == lpEnc13BitInt || (c >= lpEnc16BitInt && c <= lpEnc64BitInt) {
		lenBytes = 1
	}
	if p+lenBytes > last {
		return e, 0, blobErrf(p, "listpack entry header runs past the end")
	}
	switch {
	case c&0xF0 == lpEnc12BitStr:
		dataLen = int(c&0x0F)<<8 | int(lp[p+1])
	case c == lpEnc32BitStr:
		dataLen = int(binary.LittleEndian.Uint32(lp[p+1:]))
	}
	entryLen := hdr + dataLen
	bl := backlenSize(uint64(entryLen))
	if entryLen+bl > last-p {
		return e, 0, blobErrf(p, "listpack entry of %d bytes runs past the end", entryLen+bl)
	}
	next := p + entryLen + bl
	if decodeBacklen(lp, next-1) != uint64(entryLen) {
		return e, 0, blobErrf(next-1, "listpack backlen does not match the entry length %d", entryLen)
	}
	b := lp[p:]
	switch {
	case c&0x80 == 0:
		e = lpEntry{ival: int64(c), isInt: true}
	case c&0xC0 == lpEnc6BitStr:
		e = lpEntry{str: b[1 : 1+dataLen : 1+dataLen]}
	case c&0xE0 == lpEnc13BitInt:
		u := uint64(c&0x1F)<<8 | uint64(b[1])
		e = lpEntry{ival: signExtend(u, 13), isInt: true}
	case c&0xF0 == lpEnc12BitStr:
		e = lpEntry{str: b[2 : 2+dataLen : 2+dataLen]}
	case c == lpEnc16BitInt:
		e = lpEntry{ival: signExtend(uint64(b[1])|uint64(b[2])<<8, 16), isInt: true}
	case c == lpEnc24BitInt:
		e = lpEntry{ival: signExtend(uint64(b[1])|uint64(b[2])<<8|uint64(b[3])<<16, 24), isInt: true}
	case c == lpEnc32BitInt:
		e = lpEntry{ival: signExtend(uint64(binary.LittleEndian.Uint32(b[1:])), 32), isInt: true}
	case c == lpEnc64BitInt:
		e = lpEntry{ival: int64(binary.LittleEndian.Uint64(b[1:])), isInt: true}
	case c == lpEnc32BitStr:
		e = lpEntry{str: b[5 : 5+dataLen : 5+dataLen]}
	}
	return e, next, nil
}

// decodeBacklen is lpDecodeBacklen reading right to left from lp[p]: 7 bits
// a byte, a set high bit meaning "more to the left", at most 5 bytes
// (else an impossible value).
func decodeBacklen(lp []byte, p int) uint64 {
	var val uint64
	var shift uint
	for {
		if p < 0 {
			return ^uint64(0)
		}
		val |= uint64(lp[p]&127) << shift
		if lp[p]&128 == 0 {
			return val
		}
		shift += 7
		p--
		if shift > 28 {
			return ^uint64(0)
		}
	}
}

// signExtend interprets the low bits of u as a two's complement integer.
func signExtend(u uint64, bits uint) int64 {
	shift := 64 - bits
	return int64(u<<shift) >> shift
}
