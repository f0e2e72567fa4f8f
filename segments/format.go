package segments

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"

	"github.com/cespare/xxhash/v2"
)

// Part of the on-disk format (docs/format/segment.md): never change these;
// a change of layout bumps formatVersion. Writers write formatVersion;
// readers also read formatV2 and formatV1.
const (
	segMagic      uint64 = 0x6765732e6c65656b // "keel.seg" little-endian
	formatVersion uint32 = 3
	headerSize           = 16  // magic 8 | version 4 | reserved 4
	footerSize           = 140 // 5×(off,len) 80 | 5×xxh64 40 | xxh64 8 | version 4 | magic 8
	propsSize            = 80
	blockTrailer         = 9 // block type 1 | xxh64 8
	blockTypeRaw  byte   = 0

	kindValue     byte = 1
	kindTombstone byte = 2

	stateMagic   uint64 = 0x6174732e6765736b // "kseg.sta" little-endian
	stateVersion uint32 = 1

	propFlagSlots     uint32 = 1 // slot bitmap valid
	propFlagPrefixes  uint32 = 2 // version 3: the bloom section holds the key filter's length, the key filter and a filter of prefixes
	propFlagWideSpans uint32 = 4 // with propFlagPrefixes: a range tombstone spans more than one group
)

// Section indexes in the footer, in file order.
const (
	secIndex = iota
	secBloom
	secRangeDel
	secSlots
	secProps
	numSections
)

var sectionNames = [numSections]string{"index", "bloom", "rangedel", "slots", "props"}

// footer is the decoded fixed-size trailer of a segment file.
type footer struct {
	off, length [numSections]uint64
	sum         [numSections]uint64
}

func (f *footer) encode() []byte {
	b := make([]byte, 0, footerSize)
	for i := range numSections {
		b = binary.LittleEndian.AppendUint64(b, f.off[i])
		b = binary.LittleEndian.AppendUint64(b, f.length[i])
	}
	for i := range numSections {
		b = binary.LittleEndian.AppendUint64(b, f.sum[i])
	}
	b = binary.LittleEndian.AppendUint64(b, xxhash.Sum64(b))
	b = binary.LittleEndian.AppendUint32(b, formatVersion)
	b = binary.LittleEndian.AppendUint64(b, segMagic)
	return b
}

// props are the per-file properties (the props section).
type props struct {
	minLSN, maxLSN LSN
	minSeq, maxSeq uint64
	entries        uint64
	tombstones     uint64
	rangeDels      uint64
	keyBytes       uint64
	valueBytes     uint64
	tier           uint32
	flags          uint32
}

func (p *props) encode() []byte {
	b := make([]byte, 0, propsSize)
	for _, v := range []uint64{p.minLSN, p.maxLSN, p.minSeq, p.maxSeq, p.entries, p.tombstones, p.rangeDels, p.keyBytes, p.valueBytes} {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	b = binary.LittleEndian.AppendUint32(b, p.tier)
	b = binary.LittleEndian.AppendUint32(b, p.flags)
	return b
}

func decodeProps(b []byte) (props, error) {
	var p props
	if len(b) != propsSize {
		return p, fmt.Errorf("props length %d, want %d: %w", len(b), propsSize, ErrMalformed)
	}
	v := make([]uint64, 9)
	for i := range v {
		v[i] = binary.LittleEndian.Uint64(b[i*8:])
	}
	p = props{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8],
		binary.LittleEndian.Uint32(b[72:]), binary.LittleEndian.Uint32(b[76:])}
	if p.minLSN > p.maxLSN || p.minSeq > p.maxSeq || p.tombstones > p.entries {
		return p, fmt.Errorf("props ranges inconsistent: %w", ErrMalformed)
	}
	return p, nil
}

// blockEntry is one decoded data block entry. key and value alias the block
// buffer (key may alias the decoder's key buffer; see blockIter).
type blockEntry struct {
	key, value []byte
	kind       byte
}

// blockBuilder accumulates the payload of one data block.
type blockBuilder struct {
	// interval is how many entries share one restart point
	// (Options.RestartInterval): every interval-th entry stores its whole
	// key (shared = 0) and its offset is listed at the end of the block,
	// so a point read binary-searches the restart points and then looks at
	// fewer than interval entries. A choice of the writer: readers take
	// the restart list as written. 0 means the default.
	interval int
	buf      []byte
	lastKey  []byte
	first    []byte
	n        int
	restarts []uint32
}

func (b *blockBuilder) add(key, value []byte, kind byte) {
	shared := 0
	if b.interval <= 0 {
		b.interval = defaultRestarts
	}
	if b.n%b.interval == 0 {
		b.restarts = append(b.restarts, uint32(len(b.buf)))
		if b.n == 0 {
			b.first = append(b.first[:0], key...)
		}
	} else {
		shared = sharedPrefix(key, b.lastKey)
	}
	unshared := len(key) - shared
	if shared|unshared|len(value) < 0x80 {
		// Each length is a one-byte uvarint (the common case: short keys
		// and values).
		b.buf = append(b.buf, byte(shared), byte(unshared), byte(len(value)), kind)
	} else {
		b.buf = binary.AppendUvarint(b.buf, uint64(shared))
		b.buf = binary.AppendUvarint(b.buf, uint64(unshared))
		b.buf = binary.AppendUvarint(b.buf, uint64(len(value)))
		b.buf = append(b.buf, kind)
	}
	b.buf = append(b.buf, key[shared:]...)
	b.buf = append(b.buf, value...)
	// lastKey already holds the shared prefix.
	b.lastKey = append(b.lastKey[:shared], key[shared:]...)
	b.n++
}

// sharedPrefix returns the length of the longest common prefix of a and b,
// comparing 8 bytes at a time.
func sharedPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for ; i+8 <= n; i += 8 {
		if x := binary.LittleEndian.Uint64(a[i:]) ^ binary.LittleEndian.Uint64(b[i:]); x != 0 {
			return i + bits.TrailingZeros64(x)/8
		}
	}
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}

// finish appends the restart list (uint32 offsets, then their count, little
// endian) that ends every block payload.
func (b *blockBuilder) finish() {
	for _, r := range b.restarts {
		b.buf = binary.LittleEndian.AppendUint32(b.buf, r)
	}
	b.buf = binary.LittleEndian.AppendUint32(b.buf, uint32(len(b.restarts)))
}

func (b *blockBuilder) reset() {
	b.buf = b.buf[:0]
	b.lastKey = b.lastKey[:0]
	b.n = 0
	b.restarts = b.restarts[:0]
}

// splitBlock separates a block payload into its entries and its restart
// list, validating the list: offsets ascend, the first is 0, all lie within
// the entries.
func splitBlock(payload []byte) (entries, restarts []byte, err error) {
	if len(payload) < 4 {
		return nil, nil, fmt.Errorf("block payload of %d bytes has no restart count: %w", len(payload), ErrMalformed)
	}
	n := binary.LittleEndian.Uint32(payload[len(payload)-4:])
	if n == 0 || uint64(n)*4+4 > uint64(len(payload)) {
		return nil, nil, fmt.Errorf("bad restart count %d: %w", n, ErrMalformed)
	}
	end := len(payload) - 4 - 4*int(n)
	entries, restarts = payload[:end], payload[end:len(payload)-4]
	prev := -1
	for i := 0; i < int(n); i++ {
		r := int(binary.LittleEndian.Uint32(restarts[4*i:]))
		if (i == 0 && r != 0) || r <= prev || r >= end {
			return nil, nil, fmt.Errorf("bad restart offset %d: %w", r, ErrMalformed)
		}
		prev = r
	}
	return entries, restarts, nil
}

// blockIter decodes a verified block payload entry by entry. The key it
// returns is valid until the next call to next (it lives in a buffer reused
// for every entry); the value aliases the payload.
type blockIter struct {
	data []byte
	pos  int
	n    int    // entries decoded
	key  []byte // current key, rebuilt in place from the shared prefix
	err  error
}

// next decodes the next entry into *e; false at the end or on error
// (it.err), leaving *e as it was. It writes the caller's entry in place:
// returned by value, the entry was stored on the stack field by field and
// copied from there in 16-byte moves, which the processor cannot forward
// from the smaller stores, a stall per entry (a third of the time of a
// short scan's step through a cached block, BenchmarkScanShadowed).
func (it *blockIter) next(e *blockEntry) bool {
	if it.pos >= len(it.data) || it.err != nil {
		return false
	}
	d := it.data[it.pos:]
	var shared, unshared, vlen uint64
	var kind byte
	var h int
	if len(d) > 3 && d[0]|d[1]|d[2] < 0x80 && (d[3] == kindValue || d[3] == kindTombstone) {
		// The common case, decoded here rather than by a call per entry of
		// a scan: three one-byte lengths and a valid kind.
		shared, unshared, vlen, kind, h = uint64(d[0]), uint64(d[1]), uint64(d[2]), d[3], 4
		if unshared > uint64(len(d)-h) || vlen > uint64(len(d)-h)-unshared {
			return it.fail("entry lengths")
		}
	} else {
		var bad string
		if shared, unshared, vlen, kind, h, bad = decodeEntryHeader(d); bad != "" {
			return it.fail(bad)
		}
	}
	if shared > uint64(len(it.key)) || (it.n == 0 && shared != 0) {
		return it.fail("entry lengths")
	}
	suffix := d[h : h+int(unshared)]
	if it.n > 0 {
		// Keys strictly ascend: with the first shared bytes in common, the
		// rest of the new key must sort after the rest of the previous one
		// (restart entries share nothing by construction). A writer shares
		// the longest prefix, so the first bytes after it differ and decide.
		prev := it.key[shared:]
		if len(suffix) > 0 && len(prev) > 0 && suffix[0] != prev[0] {
			if suffix[0] < prev[0] {
				return it.fail("key order")
			}
		} else if bytes.Compare(suffix, prev) <= 0 {
			return it.fail("key order")
		}
	}
	it.key = append(it.key[:shared], suffix...)
	it.n++
	h += int(unshared)
	e.key, e.value, e.kind = it.key, d[h:h+int(vlen):h+int(vlen)], kind
	it.pos += h + int(vlen)
	return true
}

// decodeEntryHeader decodes the header of the entry at the start of d:
// h is the offset of its key suffix, and the suffix and value lie within
// d. bad names the malformed field ("" when the header is sound).
func decodeEntryHeader(d []byte) (shared, unshared, vlen uint64, kind byte, h int, bad string) {
	if len(d) > 3 && d[0]|d[1]|d[2] < 0x80 {
		// The common case: three one-byte lengths (and the kind after them).
		shared, unshared, vlen, h = uint64(d[0]), uint64(d[1]), uint64(d[2]), 3
	} else {
		var n1, n2, n3 int
		if shared, n1 = binary.Uvarint(d); n1 <= 0 {
			return 0, 0, 0, 0, 0, "shared length"
		}
		if unshared, n2 = binary.Uvarint(d[n1:]); n2 <= 0 {
			return 0, 0, 0, 0, 0, "unshared length"
		}
		if vlen, n3 = binary.Uvarint(d[n1+n2:]); n3 <= 0 {
			return 0, 0, 0, 0, 0, "value length"
		}
		h = n1 + n2 + n3
		if h >= len(d) {
			return 0, 0, 0, 0, 0, "entry header"
		}
	}
	kind = d[h]
	h++
	if kind != kindValue && kind != kindTombstone {
		return 0, 0, 0, 0, 0, "entry kind"
	}
	if unshared > uint64(len(d)-h) || vlen > uint64(len(d)-h)-unshared {
		return 0, 0, 0, 0, 0, "entry lengths"
	}
	return shared, unshared, vlen, kind, h, ""
}

func (it *blockIter) fail(what string) bool {
	it.err = fmt.Errorf("block entry at payload offset %d: bad %s: %w", it.pos, what, ErrMalformed)
	return false
}

// decodeBlock decodes every entry of a block payload (used by tests and the
// fuzz target; readers iterate lazily).
func decodeBlock(payload []byte) ([]blockEntry, error) {
	entries, restarts, err := splitBlock(payload)
	if err != nil {
		return nil, err
	}
	// Full validation (the read path trusts the checksum instead): every
	// restart offset is the start of an entry that shares no prefix.
	want := map[int]bool{}
	for i := 0; i < len(restarts); i += 4 {
		want[int(binary.LittleEndian.Uint32(restarts[i:]))] = true
	}
	it := blockIter{data: entries}
	var out []blockEntry
	for {
		start := it.pos
		var e blockEntry
		if !it.next(&e) {
			break
		}
		if want[start] {
			if shared, _ := binary.Uvarint(entries[start:]); shared != 0 {
				return nil, fmt.Errorf("restart entry at %d shares a prefix: %w", start, ErrMalformed)
			}
			delete(want, start)
		}
		e.key = append([]byte(nil), e.key...)
		out = append(out, e)
	}
	if it.err == nil && len(want) > 0 {
		return nil, fmt.Errorf("%d restart offsets inside entries: %w", len(want), ErrMalformed)
	}
	return out, it.err
}

// verifyBlock checks a block read from disk (payload followed by the
// trailer) and returns the payload.
func verifyBlock(raw []byte) ([]byte, error) {
	if len(raw) < blockTrailer {
		return nil, fmt.Errorf("block shorter than its trailer: %w", ErrTruncated)
	}
	n := len(raw) - blockTrailer
	want := binary.LittleEndian.Uint64(raw[n+1:])
	if got := xxhash.Sum64(raw[:n+1]); got != want {
		return nil, fmt.Errorf("block xxh64 %#x, want %#x: %w", got, want, ErrChecksum)
	}
	if raw[n] != blockTypeRaw {
		return nil, fmt.Errorf("block type %d: %w", raw[n], ErrMalformed)
	}
	return raw[:n:n], nil
}

// sealBlock appends the trailer to a payload.
func sealBlock(payload []byte) []byte {
	payload = append(payload, blockTypeRaw)
	return binary.LittleEndian.AppendUint64(payload, xxhash.Sum64(payload))
}

// blockHandle locates one data block; first and last are its key bounds.
type blockHandle struct {
	off, length uint64 // payload offset and length (trailer follows)
	first, last []byte
}

func encodeIndex(hs []blockHandle) []byte {
	var b []byte
	b = binary.AppendUvarint(b, uint64(len(hs)))
	for _, h := range hs {
		b = binary.AppendUvarint(b, h.off)
		b = binary.AppendUvarint(b, h.length)
		b = binary.AppendUvarint(b, uint64(len(h.first)))
		b = append(b, h.first...)
		b = binary.AppendUvarint(b, uint64(len(h.last)))
		b = append(b, h.last...)
	}
	return b
}

// decodeIndex decodes the index section; blocks must lie in [lo, hi).
func decodeIndex(b []byte, lo, hi uint64) ([]blockHandle, error) {
	r := reader{b: b}
	n := r.uvarint()
	if r.err == nil && n > uint64(len(b)) { // each handle takes at least 4 bytes
		return nil, fmt.Errorf("index count %d: %w", n, ErrMalformed)
	}
	hs := make([]blockHandle, 0, n)
	next := lo
	for i := uint64(0); i < n && r.err == nil; i++ {
		h := blockHandle{off: r.uvarint(), length: r.uvarint()}
		h.first = r.bytes()
		h.last = r.bytes()
		if r.err != nil {
			break
		}
		if h.off != next || h.length > hi || h.off+h.length+blockTrailer > hi {
			return nil, fmt.Errorf("index entry %d: block [%d,+%d) out of place: %w", i, h.off, h.length, ErrMalformed)
		}
		if bytes.Compare(h.first, h.last) > 0 || (i > 0 && bytes.Compare(hs[i-1].last, h.first) >= 0) {
			return nil, fmt.Errorf("index entry %d: keys out of order: %w", i, ErrMalformed)
		}
		next = h.off + h.length + blockTrailer
		hs = append(hs, h)
	}
	if r.err != nil {
		return nil, r.err
	}
	if next != hi || len(r.b) != 0 {
		return nil, fmt.Errorf("index does not cover the data area exactly: %w", ErrMalformed)
	}
	return hs, nil
}

// span is a range tombstone interval [lo, hi).
type span struct{ lo, hi []byte }

func encodeSpans(sp []span) []byte {
	var b []byte
	b = binary.AppendUvarint(b, uint64(len(sp)))
	for _, s := range sp {
		b = binary.AppendUvarint(b, uint64(len(s.lo)))
		b = append(b, s.lo...)
		b = binary.AppendUvarint(b, uint64(len(s.hi)))
		b = append(b, s.hi...)
	}
	return b
}

func decodeSpans(b []byte) ([]span, error) {
	r := reader{b: b}
	n := r.uvarint()
	if r.err == nil && n > uint64(len(b)) {
		return nil, fmt.Errorf("range tombstone count %d: %w", n, ErrMalformed)
	}
	sp := make([]span, 0, n)
	for i := uint64(0); i < n && r.err == nil; i++ {
		s := span{lo: r.bytes(), hi: r.bytes()}
		if r.err != nil {
			break
		}
		if bytes.Compare(s.lo, s.hi) >= 0 || (i > 0 && bytes.Compare(sp[i-1].hi, s.lo) >= 0) {
			return nil, fmt.Errorf("range tombstone %d out of order: %w", i, ErrMalformed)
		}
		sp = append(sp, s)
	}
	if r.err != nil {
		return nil, r.err
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("trailing bytes after range tombstones: %w", ErrMalformed)
	}
	return sp, nil
}

// reader decodes varint-framed fields, remembering the first error.
type reader struct {
	b   []byte
	err error
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = fmt.Errorf("bad varint: %w", ErrMalformed)
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) bytes() []byte {
	n := r.uvarint()
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.err = fmt.Errorf("length %d beyond section end: %w", n, ErrMalformed)
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

// fileMeta is one file's entry in the state blob.
type fileMeta struct {
	num  uint64
	size uint64
	tier uint32
}

// storeState is the decoded state blob.
type storeState struct {
	nextFile uint64
	lastSeq  uint64
	files    []fileMeta // newest first
}

func (st *storeState) encode() []byte {
	b := make([]byte, 0, 32+20*len(st.files)+8)
	b = binary.LittleEndian.AppendUint64(b, stateMagic)
	b = binary.LittleEndian.AppendUint32(b, stateVersion)
	b = binary.LittleEndian.AppendUint64(b, st.nextFile)
	b = binary.LittleEndian.AppendUint64(b, st.lastSeq)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(st.files)))
	for _, f := range st.files {
		b = binary.LittleEndian.AppendUint64(b, f.num)
		b = binary.LittleEndian.AppendUint64(b, f.size)
		b = binary.LittleEndian.AppendUint32(b, f.tier)
	}
	return binary.LittleEndian.AppendUint64(b, xxhash.Sum64(b))
}

func decodeState(b []byte) (storeState, error) {
	var st storeState
	bad := func(off int, err error) (storeState, error) {
		return storeState{}, &CorruptionError{What: "state", Path: "state", Offset: int64(off), Err: err}
	}
	const fixed = 8 + 4 + 8 + 8 + 4
	if len(b) < fixed+8 {
		return bad(len(b), fmt.Errorf("state blob of %d bytes: %w", len(b), ErrTruncated))
	}
	if binary.LittleEndian.Uint64(b) != stateMagic {
		return bad(0, ErrBadMagic)
	}
	if v := binary.LittleEndian.Uint32(b[8:]); v != stateVersion {
		return bad(8, fmt.Errorf("state version %d: %w", v, ErrBadVersion))
	}
	body := b[:len(b)-8]
	if got, want := xxhash.Sum64(body), binary.LittleEndian.Uint64(b[len(b)-8:]); got != want {
		return bad(len(b)-8, fmt.Errorf("state xxh64 %#x, want %#x: %w", got, want, ErrChecksum))
	}
	st.nextFile = binary.LittleEndian.Uint64(b[12:])
	st.lastSeq = binary.LittleEndian.Uint64(b[20:])
	n := binary.LittleEndian.Uint32(b[28:])
	if uint64(len(body)-fixed) != uint64(n)*20 {
		return bad(28, fmt.Errorf("file count %d does not match length: %w", n, ErrMalformed))
	}
	seen := make(map[uint64]bool, n)
	for i := range int(n) {
		p := body[fixed+i*20:]
		f := fileMeta{binary.LittleEndian.Uint64(p), binary.LittleEndian.Uint64(p[8:]), binary.LittleEndian.Uint32(p[16:])}
		if f.num >= st.nextFile || seen[f.num] {
			return bad(fixed+i*20, fmt.Errorf("file number %d duplicate or not below next %d: %w", f.num, st.nextFile, ErrMalformed))
		}
		seen[f.num] = true
		st.files = append(st.files, f)
	}
	return st, nil
}

// formatV1 is the first format version: as version 2 but for the bloom
// section, which holds a github.com/bits-and-blooms/bloom/v3 filter.
// formatV2 is version 3 without prefix filters (propFlagPrefixes).
const (
	formatV1 uint32 = 1
	formatV2 uint32 = 2
)

// Part of the on-disk format since version 2 (docs/format/segment.md,
// "Bloom section"): never change these.
const (
	bloomBlockWords        = 8          // a filter block is one 64-byte cache line: 8 words, 512 bits
	bloomProbeMul   uint32 = 0x9e3779b9 // steps a probe's 32-bit hash to the next probe
	bloomMaxProbes         = 32
)

// blockBloom is the bloom filter of a version 2 file: a cache-line-blocked
// filter (Putze, Sanders, Singler, "Cache-, Hash- and Space-Efficient Bloom
// Filters"; the layout of RocksDB's FastLocalBloom) driven by one xxh64 of
// the key. The high 32 bits of the hash pick a 512-bit block, the low 32
// bits drive the k probes inside it, so an add or a lookup touches one
// cache line and hashes the key once. The bits-and-blooms filter of
// version 1 hashed each key with four murmur passes and set k bits
// scattered over the whole filter: about k cache misses per key.
//
// At 10 bits per key and 6 probes the false positive rate is about 1%
// (blocking costs a little over the unblocked filter's 0.8%, in exchange
// for one cache miss instead of k).
//
// Concurrency: add is for one writer; lookups are safe for concurrent use
// once the filter is built.
type blockBloom struct {
	words []uint64 // bloomBlockWords per block
	k     uint32   // probes per key, 1..bloomMaxProbes
}

// newBlockBloom sizes a filter for keys keys at bitsPerKey bits each.
func newBlockBloom(keys uint64, bitsPerKey int) *blockBloom {
	blocks := min(max((keys*uint64(bitsPerKey)+511)/512, 1), math.MaxUint32) // the count is 4 bytes
	return &blockBloom{words: make([]uint64, blocks*bloomBlockWords), k: bloomProbes(bitsPerKey)}
}

// bloomProbes is the number of probes that minimizes the false positive
// rate of a 512-bit blocked filter at bitsPerKey (a choice of the writer,
// recorded in the file: fewer than ln 2 · bits per key, because the keys
// of one block are unevenly many).
func bloomProbes(bitsPerKey int) uint32 {
	// From RocksDB's FastLocalBloomImpl::ChooseNumProbes, at whole bits.
	table := [...]uint32{1, 1, 1, 2, 3, 3, 4, 5, 5, 6, 6, 7, 8, 8, 8, 9, 9, 10, 10, 11, 11, 11, 11, 12, 12, 12}
	switch {
	case bitsPerKey < len(table):
		return table[max(bitsPerKey, 0)]
	case bitsPerKey <= 50:
		return uint32((bitsPerKey*1000-1)/2000 - 1)
	}
	return 24
}

// bloomHash is the hash a filter is queried with: xxh64 of the key.
func bloomHash(key []byte) uint64 { return xxhash.Sum64(key) }

// block returns the words of the block for hash h: fastrange of the high
// 32 bits over the block count.
func (f *blockBloom) block(h uint64) []uint64 {
	i := (h >> 32) * uint64(len(f.words)/bloomBlockWords) >> 32
	return f.words[i*bloomBlockWords : i*bloomBlockWords+bloomBlockWords : i*bloomBlockWords+bloomBlockWords]
}

func (f *blockBloom) add(h uint64) {
	b := f.block(h)
	p := uint32(h)
	for range f.k {
		bit := p >> (32 - 9) // 9 bits: one of the block's 512
		b[bit>>6&7] |= 1 << (bit & 63)
		p *= bloomProbeMul
	}
}

// mayContain reports whether key may have been added (keyFilter).
func (f *blockBloom) mayContain(key []byte) bool { return f.hasHash(bloomHash(key)) }

// hasHash reports whether a key of hash h may have been added.
func (f *blockBloom) hasHash(h uint64) bool {
	b := f.block(h)
	p := uint32(h)
	for range f.k {
		bit := p >> (32 - 9)
		if b[bit>>6&7]&(1<<(bit&63)) == 0 {
			return false
		}
		p *= bloomProbeMul
	}
	return true
}

// encode is the version 2 bloom section: k, block count, then the blocks.
// A nil filter (no keys) is the empty section.
func (f *blockBloom) encode() []byte {
	if f == nil {
		return nil
	}
	b := make([]byte, 8, 8+8*len(f.words))
	binary.LittleEndian.PutUint32(b, f.k)
	binary.LittleEndian.PutUint32(b[4:], uint32(len(f.words)/bloomBlockWords))
	for _, w := range f.words {
		b = binary.LittleEndian.AppendUint64(b, w)
	}
	return b
}

// decodeBlockBloom decodes a version 2 bloom section; nil for the empty
// section (no keys).
func decodeBlockBloom(b []byte) (*blockBloom, error) {
	if len(b) == 0 {
		return nil, nil
	}
	if len(b) < 8 {
		return nil, fmt.Errorf("bloom header of %d bytes: %w", len(b), ErrMalformed)
	}
	k := binary.LittleEndian.Uint32(b)
	n := binary.LittleEndian.Uint32(b[4:])
	if k == 0 || k > bloomMaxProbes || n == 0 || uint64(len(b)-8) != uint64(n)*8*bloomBlockWords {
		return nil, fmt.Errorf("bloom k=%d blocks=%d in %d bytes: %w", k, n, len(b), ErrMalformed)
	}
	words := make([]uint64, int(n)*bloomBlockWords)
	for i := range words {
		words[i] = binary.LittleEndian.Uint64(b[8+8*i:])
	}
	return &blockBloom{words: words, k: k}, nil
}
