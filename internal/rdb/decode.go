package rdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// DecodeOptions adjust Decode for callers that need to.
type DecodeOptions struct {
	// SkipChecksum skips the CRC64 check (the version is still checked), as
	// redis-server does after DEBUG SET-SKIP-CHECKSUM-VALIDATION 1. Redis
	// 7.0 has no other way to skip it: a CRC of zero is checked like any
	// other.
	SkipChecksum bool

	// MaxMemory, when positive, bounds the memory decoding may take: the
	// bytes of every string, decompressed LZF data and blob, plus a fixed,
	// conservative overhead per element (slice headers, structs, the maps
	// that detect duplicates). Decode fails with ErrTooLarge as soon as the
	// running total would pass it, before allocating; what it allocates
	// stays within a small multiple of MaxMemory plus a few tens of KiB
	// (FuzzDecode checks 3x + 256 KiB).
	MaxMemory int64
}

// Decode checks a DUMP payload's version and CRC64, then decodes its value,
// as RESTORE does. Errors are *Error wrapping ErrVersionOrChecksum,
// ErrBadFormat or ErrTooLarge. The returned value never aliases payload;
// its byte slices may share memory with each other and must not be modified
// in place.
func Decode(payload []byte) (*Value, error) {
	return DecodeWith(payload, DecodeOptions{})
}

// DecodeWith is Decode with options.
func DecodeWith(payload []byte, opt DecodeOptions) (*Value, error) {
	n := len(payload)
	if n < 10 {
		return nil, &Error{Offset: 0, Inner: -1, Reason: fmt.Sprintf("payload of %d bytes is shorter than its 10-byte footer", n), Err: ErrVersionOrChecksum}
	}
	if ver := binary.LittleEndian.Uint16(payload[n-10:]); ver > Version {
		return nil, &Error{Offset: n - 10, Inner: -1, Reason: fmt.Sprintf("RDB version %d is newer than %d", ver, Version), Err: ErrVersionOrChecksum}
	}
	if !opt.SkipChecksum {
		if want, got := binary.LittleEndian.Uint64(payload[n-8:]), CRC64(0, payload[:n-8]); want != got {
			return nil, &Error{Offset: n - 8, Inner: -1, Reason: fmt.Sprintf("CRC64 is %#016x, payload says %#016x", got, want), Err: ErrVersionOrChecksum}
		}
	}
	d := decoder{buf: payload[:n-10], limit: opt.MaxMemory}
	v, err := d.object()
	if err != nil {
		return nil, err
	}
	if d.pos != len(d.buf) {
		return nil, d.fail(d.pos, "%d bytes after the value", len(d.buf)-d.pos)
	}
	return v, nil
}

// What MaxMemory charges beyond the bytes themselves: conservative sizes,
// on a 64-bit platform, of what the decoder holds per element.
const (
	costSlice    = 24 // a []byte header
	costZMem     = 32 // a ZMember
	costField    = 48 // a Field
	costEntry    = 40 // a StreamEntry
	costPEL      = 32 // a PendingEntry
	costCons     = 56 // a Consumer
	costID       = 16 // a StreamID
	costGroup    = 96 // a Group
	costNode     = 56 // a stream node being decoded
	costLPEntry  = 40 // an lpEntry kept aside (a stream's master fields)
	costMapEntry = 48 // a duplicate-detection map entry, beyond its key
)

// arenaChunk is the size of the chunks small strings are copied into: one
// allocation for many elements.
const arenaChunk = 16 << 10

type decoder struct {
	buf   []byte // the payload without its footer
	pos   int
	limit int64 // MaxMemory, or <= 0 for none
	used  int64
	arena []byte // free tail of the current chunk for small copies
	// modern: an RDB file of version 11 or later is being read, whose
	// object types 20 and 21 a payload may not have.
	modern bool
	// activeTimes: the stream being read is TypeStreamListpacks3.
	activeTimes bool
}

func (d *decoder) fail(at int, format string, args ...any) error {
	return &Error{Offset: at, Inner: -1, Reason: fmt.Sprintf(format, args...), Err: ErrBadFormat}
}

// blobFail locates an error from a blob parser at the blob's string.
func (d *decoder) blobFail(at int, what string, err error) error {
	var be *blobError
	if errors.As(err, &be) {
		return &Error{Offset: at, Inner: be.at, Reason: what + ": " + be.reason, Err: ErrBadFormat}
	}
	return d.fail(at, "%s: %v", what, err)
}

// reserve charges a preallocation of n elements of each bytes.
func (d *decoder) reserve(n, each int) error { return d.charge(n * each) }

// charge accounts n bytes against MaxMemory.
func (d *decoder) charge(n int) error {
	if d.limit <= 0 {
		return nil
	}
	d.used += int64(n)
	if d.used > d.limit {
		return &Error{Offset: d.pos, Inner: -1, Reason: fmt.Sprintf("more than %d bytes", d.limit), Err: ErrTooLarge}
	}
	return nil
}

func (d *decoder) remaining() int { return len(d.buf) - d.pos }

func (d *decoder) readByte() (byte, error) {
	if d.pos >= len(d.buf) {
		return 0, d.fail(d.pos, "unexpected end of payload")
	}
	b := d.buf[d.pos]
	d.pos++
	return b, nil
}

func (d *decoder) readN(n int) ([]byte, error) {
	if n < 0 || n > d.remaining() {
		return nil, d.fail(d.pos, "need %d bytes, %d left", n, d.remaining())
	}
	b := d.buf[d.pos : d.pos+n : d.pos+n]
	d.pos += n
	return b, nil
}

// readLen is rdbLoadLenByRef: a length, or (encoded) a special string
// encoding in the low 6 bits of an 11xxxxxx byte.
func (d *decoder) readLen() (n uint64, encoded bool, err error) {
	at := d.pos
	b, err := d.readByte()
	if err != nil {
		return 0, false, err
	}
	switch b >> 6 {
	case lenEnc:
		return uint64(b & 0x3F), true, nil
	case len6Bit:
		return uint64(b & 0x3F), false, nil
	case len14Bit:
		c, err := d.readByte()
		if err != nil {
			return 0, false, err
		}
		return uint64(b&0x3F)<<8 | uint64(c), false, nil
	}
	switch b {
	case len32Bit:
		p, err := d.readN(4)
		if err != nil {
			return 0, false, err
		}
		return uint64(binary.BigEndian.Uint32(p)), false, nil
	case len64Bit:
		p, err := d.readN(8)
		if err != nil {
			return 0, false, err
		}
		return binary.BigEndian.Uint64(p), false, nil
	}
	return 0, false, d.fail(at, "unknown length encoding 0x%02x", b)
}

// readPlainLen is rdbLoadLen(rdb, NULL): an encoded length byte is taken
// as its low 6 bits, as Redis does when it does not ask.
func (d *decoder) readPlainLen() (uint64, error) {
	n, _, err := d.readLen()
	return n, err
}

// readCount reads an element count and refuses one the rest of the payload
// cannot hold, given that each element takes at least minBytes: no
// allocation is ever sized by an unbacked count.
func (d *decoder) readCount(what string, minBytes int) (int, error) {
	at := d.pos
	n, err := d.readPlainLen()
	if err != nil {
		return 0, err
	}
	if n > uint64(d.remaining()/minBytes) {
		return 0, d.fail(at, "%s count %d cannot fit in the %d bytes left", what, n, d.remaining())
	}
	return int(n), nil
}

// readString is rdbGenericLoadStringObject: a raw string, an integer
// (RDB_ENC_INT8/16/32, returned in decimal) or an LZF-compressed string.
// fresh reports that s is newly allocated (not aliasing the payload).
func (d *decoder) readString() (s []byte, fresh bool, err error) {
	at := d.pos
	n, encoded, err := d.readLen()
	if err != nil {
		return nil, false, err
	}
	if encoded {
		switch n {
		case encInt8, encInt16, encInt32:
			size := 1 << n // 1, 2 or 4 bytes
			p, err := d.readN(size)
			if err != nil {
				return nil, false, err
			}
			var v int64
			switch n {
			case encInt8:
				v = int64(int8(p[0]))
			case encInt16:
				v = int64(int16(binary.LittleEndian.Uint16(p)))
			default:
				v = int64(int32(binary.LittleEndian.Uint32(p)))
			}
			s, err := d.intBytes(v)
			return s, true, err
		case encLZF:
			return d.readLZF(at)
		}
		return nil, false, d.fail(at, "unknown string encoding %d", n)
	}
	if n > uint64(d.remaining()) {
		return nil, false, d.fail(at, "string of %d bytes, %d left", n, d.remaining())
	}
	p, _ := d.readN(int(n))
	return p, false, nil
}

func (d *decoder) readLZF(at int) ([]byte, bool, error) {
	clen, err := d.readPlainLen()
	if err != nil {
		return nil, false, err
	}
	ulen, err := d.readPlainLen()
	if err != nil {
		return nil, false, err
	}
	if clen > uint64(d.remaining()) {
		return nil, false, d.fail(at, "LZF string of %d compressed bytes, %d left", clen, d.remaining())
	}
	if ulen > clen*lzfMaxExpansion {
		return nil, false, d.fail(at, "LZF string of %d compressed bytes cannot expand to %d", clen, ulen)
	}
	c, _ := d.readN(int(clen))
	if err := d.charge(int(ulen)); err != nil {
		return nil, false, err
	}
	out := make([]byte, ulen)
	if err := lzfDecompress(c, out); err != nil {
		return nil, false, d.fail(at, "%v", err)
	}
	return out, true, nil
}

// readElem reads a string that becomes part of the value: a copy that does
// not alias the payload.
func (d *decoder) readElem() ([]byte, error) {
	s, fresh, err := d.readString()
	if err != nil {
		return nil, err
	}
	if err := d.charge(costSlice); err != nil {
		return nil, err
	}
	if fresh {
		return s, nil
	}
	return d.copyBytes(s)
}

// readBlob reads a string holding a listpack, ziplist or zipmap whose
// elements will alias it, so it is copied out of the payload once.
func (d *decoder) readBlob() (blob []byte, at int, err error) {
	at = d.pos
	s, fresh, err := d.readString()
	if err != nil {
		return nil, at, err
	}
	if fresh {
		return s, at, nil
	}
	if err := d.charge(len(s)); err != nil {
		return nil, at, err
	}
	return append([]byte(nil), s...), at, nil
}

// copyBytes copies b, small strings into shared chunks (capacity-capped so
// an append by the caller reallocates instead of clobbering a neighbour).
func (d *decoder) copyBytes(b []byte) ([]byte, error) {
	if err := d.charge(len(b)); err != nil {
		return nil, err
	}
	if len(b) == 0 {
		return []byte{}, nil
	}
	if len(b) > 256 {
		return append([]byte(nil), b...), nil
	}
	if len(b) > len(d.arena) {
		// A small payload gets a small chunk; LZF can make it expand, so
		// not too small either.
		d.arena = make([]byte, min(arenaChunk, 4*len(d.buf)+256))
	}
	out := d.arena[:len(b):len(b)]
	copy(out, b)
	d.arena = d.arena[len(b):]
	return out, nil
}

// intBytes is an integer's decimal form, in the arena.
func (d *decoder) intBytes(v int64) ([]byte, error) {
	var tmp [20]byte
	return d.copyBytes(strconv.AppendInt(tmp[:0], v, 10))
}

// entryBytes is a listpack or ziplist entry as the value's bytes. Strings
// alias the blob, which is already private to the decoder.
func (d *decoder) entryBytes(e lpEntry) ([]byte, error) {
	if err := d.charge(costSlice); err != nil {
		return nil, err
	}
	if e.isInt {
		return d.intBytes(e.ival)
	}
	return e.str, nil
}

// object is rdbLoadObjectType followed by rdbLoadObject.
func (d *decoder) object() (*Value, error) {
	at := d.pos
	typ, err := d.readByte()
	if err != nil {
		return nil, err
	}
	return d.objectOf(at, typ)
}

// objectOf decodes an object of type typ, whose type byte was at at.
func (d *decoder) objectOf(at int, typ byte) (*Value, error) {
	switch typ {
	case TypeString:
		s, err := d.readElem()
		if err != nil {
			return nil, err
		}
		return &Value{Kind: KindString, Str: s}, nil
	case TypeList:
		return d.linkedList()
	case TypeSet:
		return d.set()
	case TypeZSet, TypeZSet2:
		return d.zset(typ)
	case TypeHash:
		return d.hash()
	case TypeHashZipmap:
		return d.hashZipmap()
	case TypeListZiplist:
		return d.listZiplist()
	case TypeSetIntset:
		return d.intset()
	case TypeZSetZiplist, TypeZSetListpack:
		return d.zsetPacked(typ)
	case TypeHashZiplist, TypeHashListpack:
		return d.hashPacked(typ)
	case TypeListQuicklist, TypeListQuicklist2:
		return d.quicklist(typ)
	case TypeStreamListpacks, TypeStreamListpacks2:
		return d.stream(typ)
	case TypeSetListpack:
		if d.modern {
			return d.setListpack()
		}
	case TypeStreamListpacks3:
		if d.modern {
			d.activeTimes = true
			v, err := d.stream(TypeStreamListpacks2)
			d.activeTimes = false
			return v, err
		}
	case 22, 23, 24, 25:
		return nil, d.fail(at, "hash fields with TTLs (Redis 7.4, type %d) are not supported", typ)
	case TypeModule, TypeModule2:
		return nil, d.fail(at, "module values (type %d) are not supported", typ)
	}
	return nil, d.fail(at, "unknown object type %d", typ)
}

// emptyKey is rdbLoadObject's "goto emptykey": Redis refuses to create an
// empty collection, and RESTORE answers Bad data format.
func (d *decoder) emptyKey(at int, what string) error {
	return d.fail(at, "empty %s", what)
}

func (d *decoder) linkedList() (*Value, error) {
	at := d.pos
	n, err := d.readCount("list", 1)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, d.emptyKey(at, "list")
	}
	if err := d.reserve(n, costSlice); err != nil {
		return nil, err
	}
	elems := make([][]byte, 0, n)
	for i := 0; i < n; i++ {
		s, err := d.readElem()
		if err != nil {
			return nil, err
		}
		elems = append(elems, s)
	}
	return &Value{Kind: KindList, Elems: elems}, nil
}

// uniq detects duplicates, as the dict Redis loads into does.
type uniq map[string]struct{}

func (u uniq) add(b []byte) bool {
	if _, ok := u[string(b)]; ok {
		return false
	}
	u[string(b)] = struct{}{}
	return true
}

// seen adds b to u, charging the copy of the key and the map entry.
func (d *decoder) seen(u uniq, b []byte) (bool, error) {
	if err := d.charge(len(b) + costMapEntry); err != nil {
		return false, err
	}
	return u.add(b), nil
}

func (d *decoder) set() (*Value, error) {
	at := d.pos
	n, err := d.readCount("set", 1)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, d.emptyKey(at, "set")
	}
	if err := d.reserve(n, costSlice+costMapEntry); err != nil {
		return nil, err
	}
	elems := make([][]byte, 0, n)
	seen := make(uniq, n)
	for i := 0; i < n; i++ {
		eat := d.pos
		s, err := d.readElem()
		if err != nil {
			return nil, err
		}
		if ok, err := d.seen(seen, s); err != nil {
			return nil, err
		} else if !ok {
			return nil, d.fail(eat, "duplicate set member %q", s)
		}
		elems = append(elems, s)
	}
	return &Value{Kind: KindSet, Elems: elems}, nil
}

// setListpack is RDB_TYPE_SET_LISTPACK (RDB 11): the members in a
// listpack, integers as integers.
func (d *decoder) setListpack() (*Value, error) {
	elems, at, err := d.packedElems(false, "set listpack", costSlice+costMapEntry)
	if err != nil {
		return nil, err
	}
	if len(elems) == 0 {
		return nil, d.emptyKey(at, "set")
	}
	seen := make(uniq, len(elems))
	for _, m := range elems {
		if ok, err := d.seen(seen, m); err != nil {
			return nil, err
		} else if !ok {
			return nil, d.fail(at, "duplicate set member %q", m)
		}
	}
	return &Value{Kind: KindSet, Elems: elems}, nil
}

func (d *decoder) zset(typ byte) (*Value, error) {
	at := d.pos
	minBytes := 2 // member, one-byte score length
	if typ == TypeZSet2 {
		minBytes = 9
	}
	n, err := d.readCount("sorted set", minBytes)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, d.emptyKey(at, "sorted set")
	}
	if err := d.reserve(n, costZMem+costMapEntry); err != nil {
		return nil, err
	}
	z := make([]ZMember, 0, n)
	seen := make(uniq, n)
	for i := 0; i < n; i++ {
		eat := d.pos
		m, err := d.readElem()
		if err != nil {
			return nil, err
		}
		var score float64
		sat := d.pos
		if typ == TypeZSet2 {
			p, err := d.readN(8)
			if err != nil {
				return nil, err
			}
			score = math.Float64frombits(binary.LittleEndian.Uint64(p))
		} else if score, err = d.readStringDouble(); err != nil {
			return nil, err
		}
		if math.IsNaN(score) {
			return nil, d.fail(sat, "sorted set score is NaN")
		}
		if ok, err := d.seen(seen, m); err != nil {
			return nil, err
		} else if !ok {
			return nil, d.fail(eat, "duplicate sorted set member %q", m)
		}
		if err := d.charge(costZMem - costSlice); err != nil {
			return nil, err
		}
		z = append(z, ZMember{Member: m, Score: score})
	}
	sortZSet(z)
	return &Value{Kind: KindZSet, ZSet: z}, nil
}

// readStringDouble is rdbLoadDoubleValue: a length byte, 253 NaN, 254 +inf,
// 255 -inf, else that many bytes parsed by sscanf("%lg").
func (d *decoder) readStringDouble() (float64, error) {
	at := d.pos
	n, err := d.readByte()
	if err != nil {
		return 0, err
	}
	switch n {
	case 253:
		return math.NaN(), nil
	case 254:
		return math.Inf(1), nil
	case 255:
		return math.Inf(-1), nil
	}
	p, err := d.readN(int(n))
	if err != nil {
		return 0, err
	}
	v, used := strtod(p)
	if used == 0 {
		return 0, d.fail(at, "score %q is not a number", p)
	}
	return v, nil
}

func (d *decoder) hash() (*Value, error) {
	at := d.pos
	n, err := d.readCount("hash", 2)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, d.emptyKey(at, "hash")
	}
	if err := d.reserve(n, costField+costMapEntry); err != nil {
		return nil, err
	}
	h := make([]Field, 0, n)
	seen := make(uniq, n)
	for i := 0; i < n; i++ {
		fat := d.pos
		name, err := d.readElem()
		if err != nil {
			return nil, err
		}
		val, err := d.readElem()
		if err != nil {
			return nil, err
		}
		if ok, err := d.seen(seen, name); err != nil {
			return nil, err
		} else if !ok {
			return nil, d.fail(fat, "duplicate hash field %q", name)
		}
		h = append(h, Field{Name: name, Value: val})
	}
	return &Value{Kind: KindHash, Hash: h}, nil
}

func (d *decoder) hashZipmap() (*Value, error) {
	blob, at, err := d.readBlob()
	if err != nil {
		return nil, err
	}
	n := 0
	if err := parseZipmap(blob, func(_, _ []byte) error { n++; return nil }); err != nil {
		return nil, d.blobFail(at, "zipmap", err)
	}
	if err := d.reserve(n, costField+costMapEntry); err != nil {
		return nil, err
	}
	h := make([]Field, 0, n)
	seen := make(uniq, n)
	err = parseZipmap(blob, func(name, value []byte) error {
		if ok, err := d.seen(seen, name); err != nil {
			return err
		} else if !ok {
			return d.fail(at, "zipmap with duplicate field %q", name)
		}
		h = append(h, Field{Name: name, Value: value})
		return nil
	})
	if err != nil {
		return nil, d.blobFail(at, "zipmap", err)
	}
	return &Value{Kind: KindHash, Hash: h}, nil
}

// entryIter walks a listpack or a ziplist.
type entryIter interface {
	next() (e lpEntry, ok bool, err error)
}

func newEntryIter(blob []byte, ziplist bool) (entryIter, error) {
	if ziplist {
		it, err := newZLIter(blob)
		if err != nil {
			return nil, err
		}
		return it, nil
	}
	it, err := newLPIter(blob)
	if err != nil {
		return nil, err
	}
	return it, nil
}

// countEntries validates a listpack or ziplist without allocating and
// returns its number of entries, so that what is built from it can be
// allocated once: append's growth would allocate several times the result.
func (d *decoder) countEntries(blob []byte, at int, ziplist bool, what string) (int, error) {
	it, err := newEntryIter(blob, ziplist)
	if err != nil {
		return 0, d.blobFail(at, what, err)
	}
	n := 0
	for {
		_, ok, err := it.next()
		if err != nil {
			return 0, d.blobFail(at, what, err)
		}
		if !ok {
			return n, nil
		}
		n++
	}
}

// entries appends the bytes of every entry of a listpack or ziplist.
func (d *decoder) entries(elems [][]byte, blob []byte, at int, ziplist bool, what string) ([][]byte, error) {
	it, err := newEntryIter(blob, ziplist)
	if err != nil {
		return nil, d.blobFail(at, what, err)
	}
	for {
		e, ok, err := it.next()
		if err != nil {
			return nil, d.blobFail(at, what, err)
		}
		if !ok {
			return elems, nil
		}
		b, err := d.entryBytes(e)
		if err != nil {
			return nil, err
		}
		elems = append(elems, b)
	}
}

// packedElems reads a ziplist or listpack blob of single elements (what
// names it in errors), each charged each bytes against MaxMemory, and
// returns them with the blob's offset.
func (d *decoder) packedElems(ziplist bool, what string, each int) ([][]byte, int, error) {
	blob, at, err := d.readBlob()
	if err != nil {
		return nil, at, err
	}
	n, err := d.countEntries(blob, at, ziplist, what)
	if err != nil {
		return nil, at, err
	}
	if err := d.reserve(n, each); err != nil {
		return nil, at, err
	}
	elems, err := d.entries(make([][]byte, 0, n), blob, at, ziplist, what)
	return elems, at, err
}

func (d *decoder) listZiplist() (*Value, error) {
	elems, at, err := d.packedElems(true, "list ziplist", costSlice)
	if err != nil {
		return nil, err
	}
	if len(elems) == 0 {
		return nil, d.emptyKey(at, "list")
	}
	return &Value{Kind: KindList, Elems: elems}, nil
}

func (d *decoder) intset() (*Value, error) {
	at := d.pos
	s, _, err := d.readString() // integers are formatted, the blob is not kept
	if err != nil {
		return nil, err
	}
	var elems [][]byte
	var ferr error
	err = parseIntset(s, func(v int64) {
		if ferr != nil {
			return
		}
		if elems == nil {
			if ferr = d.reserve((len(s)-8)/2, costSlice); ferr != nil {
				return
			}
			elems = make([][]byte, 0, (len(s)-8)/2)
		}
		if ferr = d.charge(costSlice); ferr != nil {
			return
		}
		var b []byte
		b, ferr = d.intBytes(v)
		elems = append(elems, b)
	})
	if err != nil {
		return nil, d.blobFail(at, "intset", err)
	}
	if ferr != nil {
		return nil, ferr
	}
	return &Value{Kind: KindSet, Elems: elems}, nil
}

// packedPairs walks a ziplist or listpack of name, value pairs as
// ziplistPairsConvertAndValidateIntegrity and lpPairsValidateIntegrityAndDups
// do (an even number of entries, no name twice) and calls fn with each.
func (d *decoder) packedPairs(blob []byte, at int, ziplist bool, what string, fn func(name, value lpEntry) error) error {
	it, err := newEntryIter(blob, ziplist)
	if err != nil {
		return d.blobFail(at, what, err)
	}
	seen := make(uniq)
	var tmp []byte
	for {
		name, ok, err := it.next()
		if err != nil {
			return d.blobFail(at, what, err)
		}
		if !ok {
			return nil
		}
		value, ok, err := it.next()
		if err != nil {
			return d.blobFail(at, what, err)
		}
		if !ok {
			return d.fail(at, "%s has an odd number of entries", what)
		}
		key := name.str
		if name.isInt {
			tmp = strconv.AppendInt(tmp[:0], name.ival, 10)
			key = tmp
		}
		if ok, err := d.seen(seen, key); err != nil {
			return err
		} else if !ok {
			return d.fail(at, "%s with duplicate element %q", what, key)
		}
		if err := fn(name, value); err != nil {
			return err
		}
	}
}

func (d *decoder) zsetPacked(typ byte) (*Value, error) {
	blob, at, err := d.readBlob()
	if err != nil {
		return nil, err
	}
	what := "sorted set listpack"
	if typ == TypeZSetZiplist {
		what = "sorted set ziplist"
	}
	n, err := d.countEntries(blob, at, typ == TypeZSetZiplist, what)
	if err != nil {
		return nil, err
	}
	if err := d.reserve(n/2, costZMem); err != nil {
		return nil, err
	}
	z := make([]ZMember, 0, n/2)
	err = d.packedPairs(blob, at, typ == TypeZSetZiplist, what, func(name, score lpEntry) error {
		m, err := d.entryBytes(name)
		if err != nil {
			return err
		}
		var f float64
		if score.isInt {
			f = float64(score.ival)
		} else {
			f = zzlStrtod(score.str)
		}
		if math.IsNaN(f) {
			return d.fail(at, "%s: score of %q is NaN", what, m)
		}
		if err := d.charge(costZMem - costSlice); err != nil {
			return err
		}
		z = append(z, ZMember{Member: m, Score: f})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(z) == 0 {
		return nil, d.emptyKey(at, "sorted set")
	}
	sortZSet(z)
	return &Value{Kind: KindZSet, ZSet: z}, nil
}

// zzlStrtod reads a score stored as a string in a listpack: strtod of at
// most its first 127 bytes, 0 when nothing parses.
func zzlStrtod(s []byte) float64 {
	if len(s) > 127 {
		s = s[:127]
	}
	v, _ := strtod(s)
	return v
}

func (d *decoder) hashPacked(typ byte) (*Value, error) {
	blob, at, err := d.readBlob()
	if err != nil {
		return nil, err
	}
	what := "hash listpack"
	if typ == TypeHashZiplist {
		what = "hash ziplist"
	}
	n, err := d.countEntries(blob, at, typ == TypeHashZiplist, what)
	if err != nil {
		return nil, err
	}
	if err := d.reserve(n/2, costField); err != nil {
		return nil, err
	}
	h := make([]Field, 0, n/2)
	err = d.packedPairs(blob, at, typ == TypeHashZiplist, what, func(name, value lpEntry) error {
		n, err := d.entryBytes(name)
		if err != nil {
			return err
		}
		v, err := d.entryBytes(value)
		if err != nil {
			return err
		}
		h = append(h, Field{Name: n, Value: v})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(h) == 0 {
		return nil, d.emptyKey(at, "hash")
	}
	return &Value{Kind: KindHash, Hash: h}, nil
}

func (d *decoder) quicklist(typ byte) (*Value, error) {
	at := d.pos
	minBytes := 2 // a non-empty string
	if typ == TypeListQuicklist2 {
		minBytes = 3 // and its container
	}
	n, err := d.readCount("quicklist node", minBytes)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, d.emptyKey(at, "list")
	}
	// Read and count every node first, so the list is allocated once.
	type node struct {
		blob  []byte
		at    int
		plain bool
	}
	if err := d.reserve(n, costNode); err != nil {
		return nil, err
	}
	nodes := make([]node, 0, n)
	total := 0
	for i := 0; i < n; i++ {
		container := uint64(containerPacked)
		if typ == TypeListQuicklist2 {
			cat := d.pos
			if container, err = d.readPlainLen(); err != nil {
				return nil, err
			}
			if container != containerPacked && container != containerPlain {
				return nil, d.fail(cat, "quicklist node container %d", container)
			}
		}
		blob, bat, err := d.readBlob()
		if err != nil {
			return nil, err
		}
		if len(blob) == 0 {
			return nil, d.fail(bat, "empty quicklist node")
		}
		c := 1
		if container == containerPacked {
			// Redis silently skips empty nodes; an empty list fails below.
			if c, err = d.countEntries(blob, bat, typ == TypeListQuicklist, "quicklist node"); err != nil {
				return nil, err
			}
		}
		total += c
		nodes = append(nodes, node{blob, bat, container == containerPlain})
	}
	if total == 0 {
		return nil, d.emptyKey(at, "list")
	}
	if err := d.reserve(total, costSlice); err != nil {
		return nil, err
	}
	elems := make([][]byte, 0, total)
	for _, nd := range nodes {
		if nd.plain {
			elems = append(elems, nd.blob)
			continue
		}
		if elems, err = d.entries(elems, nd.blob, nd.at, typ == TypeListQuicklist, "quicklist node"); err != nil {
			return nil, err
		}
	}
	return &Value{Kind: KindList, Elems: elems}, nil
}
