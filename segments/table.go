package segments

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"sync/atomic"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/bits-and-blooms/bloom/v3"
	"github.com/cespare/xxhash/v2"
)

// table is an open, validated segment file. Its metadata (block index,
// bloom filter, range tombstones, slot bitmap, properties) is in memory;
// data blocks are read on demand through the block cache.
//
// Concurrency: immutable after openTable; safe for concurrent use. The
// file stays open while any version references it (refs); the last unref
// closes it, and deletes it if it was compacted away (obsolete).
type table struct {
	num   uint64
	path  string
	f     *os.File
	size  int64
	index []blockHandle
	// fences[i] is index[i].last's 8 bytes after fencePrefix, the bytes
	// every key of the file shares, big endian and zero-padded: findBlock
	// binary-searches this flat array (8 bytes a block, one cache line
	// per step) instead of each handle's last key behind its own pointer.
	fences      []uint64
	fencePrefix int
	// fences2[i] is the 8 bytes of index[i].last after those of fences[i]
	// (nil when no two fences tie): keys with a common text prefix
	// ("user:", "key:00") tie on the first 8 bytes in short runs of blocks.
	fences2 []uint64
	// runs are the long runs of blocks whose fences tie (a big hash's or
	// stream's keys share more than the file's prefix when other keys
	// share the file), in block order, each with fences of its own past
	// its longer prefix.
	runs  []fenceRun
	bloom keyFilter // nil: no keys
	// grouped: the file keeps a filter of its keys' prefixes
	// (Options.Prefix), prefixes (nil: no key has one).
	grouped  bool
	prefixes *blockBloom
	spans    []span
	slots    *roaring.Bitmap
	props    props
	cache    *blockCache
	// blocks[i] is block i's node in cache while it is cached (written
	// under the cache shard's lock, read without one).
	blocks []atomic.Pointer[cacheNode]

	refs     atomic.Int32
	obsolete atomic.Bool // compacted away: delete the file on the last unref
	// shadow caches shadowShare against the base it was computed for, and
	// spanEst spanGarbage.
	shadow  atomic.Pointer[shadowEst]
	spanEst atomic.Pointer[spanEst]
}

func segName(num uint64) string { return fmt.Sprintf("%06d.seg", num) }

func (t *table) corrupt(what string, off int64, err error) error {
	return &CorruptionError{What: what, Path: t.path, Offset: off, Err: err}
}

// openTable opens and validates path. wantSize < 0 skips the size check.
func openTable(path string, num uint64, wantSize int64, cache *blockCache) (*table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	t := &table{num: num, path: path, f: f, size: st.Size(), cache: cache}
	if wantSize >= 0 && t.size != wantSize {
		f.Close()
		return nil, t.corrupt("file", t.size, fmt.Errorf("size %d, committed size %d: %w", t.size, wantSize, ErrTruncated))
	}
	if err := t.load(io.NewSectionReader(f, 0, t.size)); err != nil {
		f.Close()
		return nil, err
	}
	t.refs.Store(1)
	return t, nil
}

// load validates and decodes the metadata, in the order documented in
// docs/format/segment.md.
func (t *table) load(r io.ReaderAt) (err error) {
	defer func() {
		// The sections are checksummed before decoding, so only a bug or a
		// crafted file reaches the third-party decoders; never let them panic.
		if p := recover(); p != nil {
			err = t.corrupt("file", 0, fmt.Errorf("decoder panic: %v: %w", p, ErrMalformed))
		}
	}()
	size := t.size
	if size < headerSize+footerSize {
		return t.corrupt("file", size, fmt.Errorf("%d bytes, shorter than header and footer: %w", size, ErrTruncated))
	}
	fb := make([]byte, footerSize)
	if _, err := r.ReadAt(fb, size-footerSize); err != nil {
		return t.corrupt("footer", size-footerSize, err)
	}
	if m := binary.LittleEndian.Uint64(fb[footerSize-8:]); m != segMagic {
		return t.corrupt("footer", size-8, fmt.Errorf("magic %#x: %w", m, ErrBadMagic))
	}
	version := binary.LittleEndian.Uint32(fb[footerSize-12:])
	if version != formatVersion && version != formatV2 && version != formatV1 {
		return t.corrupt("footer", size-12, fmt.Errorf("version %d: %w", version, ErrBadVersion))
	}
	if got, want := xxhash.Sum64(fb[:120]), binary.LittleEndian.Uint64(fb[120:]); got != want {
		return t.corrupt("footer", size-footerSize, fmt.Errorf("xxh64 %#x, want %#x: %w", got, want, ErrChecksum))
	}
	hb := make([]byte, headerSize)
	if _, err := r.ReadAt(hb, 0); err != nil {
		return t.corrupt("header", 0, err)
	}
	if m := binary.LittleEndian.Uint64(hb); m != segMagic {
		return t.corrupt("header", 0, fmt.Errorf("magic %#x: %w", m, ErrBadMagic))
	}
	if v := binary.LittleEndian.Uint32(hb[8:]); v != version {
		return t.corrupt("header", 8, fmt.Errorf("version %d, footer says %d: %w", v, version, ErrBadVersion))
	}
	var ft footer
	for i := range numSections {
		ft.off[i] = binary.LittleEndian.Uint64(fb[i*16:])
		ft.length[i] = binary.LittleEndian.Uint64(fb[i*16+8:])
		ft.sum[i] = binary.LittleEndian.Uint64(fb[80+i*8:])
	}
	// Sections are contiguous, in order, between the data and the footer.
	end := uint64(size - footerSize)
	for i := numSections - 1; i >= 0; i-- {
		if ft.length[i] > end || ft.off[i] != end-ft.length[i] || ft.off[i] < headerSize {
			return t.corrupt(sectionNames[i], int64(ft.off[i]), fmt.Errorf("section [%d,+%d) out of place: %w", ft.off[i], ft.length[i], ErrMalformed))
		}
		end = ft.off[i]
	}
	meta := make([]byte, uint64(size-footerSize)-ft.off[0])
	if _, err := r.ReadAt(meta, int64(ft.off[0])); err != nil {
		return t.corrupt("index", int64(ft.off[0]), err)
	}
	sec := func(i int) []byte {
		s := ft.off[i] - ft.off[0]
		return meta[s : s+ft.length[i] : s+ft.length[i]]
	}
	for i := range numSections {
		if got := xxhash.Sum64(sec(i)); got != ft.sum[i] {
			return t.corrupt(sectionNames[i], int64(ft.off[i]), fmt.Errorf("xxh64 %#x, want %#x: %w", got, ft.sum[i], ErrChecksum))
		}
	}
	bad := func(i int, err error) error { return t.corrupt(sectionNames[i], int64(ft.off[i]), err) }
	if t.index, err = decodeIndex(sec(secIndex), headerSize, ft.off[0]); err != nil {
		return bad(secIndex, err)
	}
	t.blocks = make([]atomic.Pointer[cacheNode], len(t.index))
	t.buildFences()
	if t.props, err = decodeProps(sec(secProps)); err != nil {
		return bad(secProps, err)
	}
	if t.props.flags&propFlagPrefixes != 0 && version != formatVersion {
		return bad(secProps, fmt.Errorf("prefix filter in a version %d file: %w", version, ErrMalformed))
	}
	filters := sec(secBloom)
	if t.props.flags&propFlagPrefixes != 0 {
		var keys, prefixes []byte
		if keys, prefixes, err = splitFilters(filters); err != nil {
			return bad(secBloom, err)
		}
		if t.prefixes, err = decodeBlockBloom(prefixes); err != nil {
			return bad(secBloom, err)
		}
		filters, t.grouped = keys, true
	}
	if t.bloom, err = decodeBloom(version, filters); err != nil {
		return bad(secBloom, err)
	}
	if t.spans, err = decodeSpans(sec(secRangeDel)); err != nil {
		return bad(secRangeDel, err)
	}
	t.slots = roaring.New()
	if err := t.slots.UnmarshalBinary(sec(secSlots)); err != nil {
		return bad(secSlots, fmt.Errorf("%v: %w", err, ErrMalformed))
	}
	if (len(t.index) == 0) != (t.props.entries == 0) || (t.bloom == nil && t.props.entries != 0) {
		return bad(secProps, fmt.Errorf("entry count %d disagrees with index/bloom: %w", t.props.entries, ErrMalformed))
	}
	return nil
}

// holdsGroup reports whether t may hold a key of the group whose prefix
// has bloom hash h: false only when t keeps a prefix filter that rejects
// it.
func (t *table) holdsGroup(h uint64) bool {
	return !t.grouped || (t.prefixes != nil && t.prefixes.hasHash(h))
}

// splitFilters splits a version 3 bloom section with a prefix filter
// (the key filter's length, 8 bytes, the key filter, the prefix filter)
// into its two filters.
func splitFilters(b []byte) (keys, prefixes []byte, err error) {
	if len(b) < 8 {
		return nil, nil, fmt.Errorf("bloom section of %d bytes, without its key filter's length: %w", len(b), ErrMalformed)
	}
	n := binary.LittleEndian.Uint64(b)
	if n > uint64(len(b)-8) {
		return nil, nil, fmt.Errorf("key filter of %d bytes in a section of %d: %w", n, len(b), ErrMalformed)
	}
	return b[8 : 8+n : 8+n], b[8+n:], nil
}

// keyFilter is a file's bloom filter: *blockBloom (format.go) in a
// version 2 or 3 file, v1Bloom in a version 1 file.
type keyFilter interface {
	mayContain(key []byte) bool
}

// probe is a key being looked up through a stack of files: its bloom
// hash is computed once, by the first filter that needs it, not once a
// file.
type probe struct {
	key    []byte
	h      uint64
	hashed bool
	// noBloom: the file is the last place key can be (the caller knows the
	// store holds key and no newer layer does), so its bloom filter, a
	// cache miss on a large file, is not consulted.
	noBloom bool
}

func (p *probe) bloomHash() uint64 {
	if !p.hashed {
		p.h, p.hashed = bloomHash(p.key), true
	}
	return p.h
}

// v1Bloom is the bloom filter of a version 1 file, read-only.
type v1Bloom struct{ *bloom.BloomFilter }

func (f v1Bloom) mayContain(key []byte) bool { return f.Test(key) }

// decodeBloom decodes the bloom section of a file of the given format
// version; nil (no keys) for an empty section.
func decodeBloom(version uint32, b []byte) (keyFilter, error) {
	if version != formatV1 {
		f, err := decodeBlockBloom(b)
		if f == nil || err != nil {
			return nil, err // not a nil *blockBloom in the interface
		}
		return f, nil
	}
	if len(b) == 0 {
		return nil, nil
	}
	if len(b) < 16 {
		return nil, fmt.Errorf("bloom header of %d bytes: %w", len(b), ErrMalformed)
	}
	m := binary.LittleEndian.Uint64(b)
	k := binary.LittleEndian.Uint32(b[8:])
	n := binary.LittleEndian.Uint32(b[12:])
	if m == 0 || k == 0 || k > 32 || uint64(n) != (m+63)/64 || uint64(len(b)-16) != 8*uint64(n) {
		return nil, fmt.Errorf("bloom m=%d k=%d words=%d in %d bytes: %w", m, k, n, len(b), ErrMalformed)
	}
	words := make([]uint64, n)
	for i := range words {
		words[i] = binary.LittleEndian.Uint64(b[16+8*i:])
	}
	return v1Bloom{bloom.FromWithM(words, uint(m), uint(k))}, nil
}

// readBlock returns block i verified and decoded, from the cache or the
// file. The result must not be modified.
func (t *table) readBlock(i int) (*cachedBlock, error) { return t.readBlockCache(i, true) }

// readBlockCache is readBlock; fill=false does not add a block read from
// disk to the cache (compaction reads every block of its inputs once, and
// caching them would evict the blocks readers need).
func (t *table) readBlockCache(i int, fill bool) (*cachedBlock, error) {
	if b, ok := t.fromCache(i); ok {
		return b, nil
	}
	n := new(cacheNode)
	if err := t.readBlockFromDisk(i, nil, &n.data); err != nil {
		return nil, err
	}
	if fill {
		if err := t.cacheBlock(i, n); err != nil {
			return nil, err
		}
	}
	return &n.data, nil
}

// fromCache returns block i from the cache, if it is there.
func (t *table) fromCache(i int) (*cachedBlock, bool) {
	return t.cache.get(&t.blocks[i], t.num+uint64(i))
}

// cacheBlock builds the fingerprint index of block i, read and verified
// in n, and caches it; a block whose entries do not decode is corrupt.
func (t *table) cacheBlock(i int, n *cacheNode) error {
	if err := n.data.buildIndex(); err != nil {
		return t.corrupt("block", int64(t.index[i].off), err)
	}
	t.cache.put(&t.blocks[i], cacheKey{file: t.num, off: t.index[i].off}, n)
	return nil
}

// seqReader is a sequential reader's (a compaction input's) read-ahead:
// the blocks it has not found in the cache come from one read of up to
// readAhead bytes of consecutive blocks, not one read each.
type seqReader struct {
	buf    []byte // blocks lo..hi-1 as the file holds them, back to back
	lo, hi int
	// raw is the block read last with its trailer, as in the file (a
	// slice of buf; nil when it came from the cache).
	raw []byte
}

// readAhead is the most bytes a seqReader reads at once. A read per
// block (keel's engines write 4 KiB blocks) cost a pread each, ~30,000
// per 124 MB compacted: BenchmarkCompact (4 files of 250,000 keys, 4 KiB
// blocks) took 211–214 CPU ns per input entry with them, 196–200 with
// runs of readAhead.
const readAhead = 256 << 10

// readBlockSeq is readBlockCache(i, false) for a sequential reader that
// is done with its previous block: a block not in the cache is sliced
// from r's read-ahead (read again from block i when i is not in it) and
// described by *into, so a compaction's reads allocate nothing per block
// and cost a read per readAhead bytes. The result is valid until the next
// call with the same r and into.
func (t *table) readBlockSeq(i int, r *seqReader, into *cachedBlock) (*cachedBlock, error) {
	r.raw = nil
	if b, ok := t.fromCache(i); ok {
		return b, nil
	}
	if i < r.lo || i >= r.hi {
		if err := t.fill(i, r); err != nil {
			return nil, err
		}
	}
	h := &t.index[i]
	at := int(h.off - t.index[r.lo].off)
	r.raw = r.buf[at : at+int(h.length)+blockTrailer]
	if err := t.decodeBlock(i, r.raw, into); err != nil {
		return nil, err
	}
	return into, nil
}

// fill reads into r the blocks from i on that lie back to back in the
// file, up to readAhead bytes (block i at least). A read that fails is
// retried for block i alone, so that an error names the block it is in.
func (t *table) fill(i int, r *seqReader) error {
	first := t.index[i].off
	end := first + uint64(t.index[i].length) + blockTrailer
	j := i + 1
	for ; j < len(t.index); j++ {
		h := &t.index[j]
		e := h.off + uint64(h.length) + blockTrailer
		if h.off != end || e-first > readAhead {
			break
		}
		end = e
	}
	r.lo, r.hi = i, i // nothing valid until the read succeeds
	n := int(end - first)
	if cap(r.buf) < n {
		r.buf = make([]byte, max(n, readAhead)) // once: a run's size varies
	}
	r.buf = r.buf[:n]
	if err := t.readAt(r.buf, int64(first)); err != nil {
		if j == i+1 {
			return err
		}
		n = int(t.index[i].length) + blockTrailer
		if err := t.readAt(r.buf[:n], int64(first)); err != nil {
			return err
		}
		j = i + 1
	}
	r.lo, r.hi = i, j
	return nil
}

// readBlockFromDisk reads block i into raw (nil: a new buffer), verifies
// its checksum and sets *b to describe it.
func (t *table) readBlockFromDisk(i int, raw []byte, b *cachedBlock) error {
	h := &t.index[i]
	if raw == nil {
		raw = make([]byte, h.length+blockTrailer)
	}
	if err := t.readAt(raw, int64(h.off)); err != nil {
		return err
	}
	return t.decodeBlock(i, raw, b)
}

func (t *table) readAt(p []byte, off int64) error {
	if _, err := t.f.ReadAt(p, off); err != nil {
		if errors.Is(err, io.EOF) {
			err = fmt.Errorf("%v: %w", err, ErrTruncated)
		}
		return t.corrupt("block", off, err)
	}
	return nil
}

// decodeBlock verifies raw, block i with its trailer as read from the
// file, and sets *b to describe it.
func (t *table) decodeBlock(i int, raw []byte, b *cachedBlock) error {
	h := &t.index[i]
	p, err := verifyBlock(raw)
	if err != nil {
		return t.corrupt("block", int64(h.off), err)
	}
	if err := b.init(p); err != nil {
		return t.corrupt("block", int64(h.off), err)
	}
	return nil
}

// buildFences fills fences, fencePrefix, fences2 and runs from the index.
func (t *table) buildFences() {
	n := len(t.index)
	if n == 0 {
		return
	}
	t.fencePrefix = sharedPrefix(t.index[0].first, t.index[n-1].last)
	t.fences = make([]uint64, n)
	for i := range t.index {
		t.fences[i] = fenceOf(t.index[i].last[t.fencePrefix:])
	}
	t.fences2, t.runs = nil, nil
	for i := 0; i < n; {
		j := i + 1
		for j < n && t.fences[j] == t.fences[i] {
			j++
		}
		if j-i > 1 && t.fences2 == nil {
			t.fences2 = make([]uint64, n)
			for k := range t.index {
				t.fences2[k] = fenceOf(t.index[k].last[min(len(t.index[k].last), t.fencePrefix+8):])
			}
		}
		if j-i >= minRunBlocks {
			// Sorted keys between two that share a prefix share it too.
			r := fenceRun{start: i, end: j, prefix: t.index[i].last[:sharedPrefix(t.index[i].last, t.index[j-1].last)]}
			r.fences = make([]uint64, j-i)
			for k := i; k < j; k++ {
				r.fences[k-i] = fenceOf(t.index[k].last[len(r.prefix):])
			}
			t.runs = append(t.runs, r)
		}
		i = j
	}
}

// minRunBlocks is the shortest run of tied fences that gets fences of its
// own; shorter ties are resolved by fences2 (and the last keys).
const minRunBlocks = 16

// fenceRun is a run of blocks whose fences tie: blocks [start, end), whose
// last keys all begin with prefix; fences[k] is block start+k's last key's
// 8 bytes after prefix, as table.fences after the file's prefix.
type fenceRun struct {
	start, end int
	prefix     []byte
	fences     []uint64
}

// fenceOf is the first 8 bytes of b, big endian, zero-padded: for keys
// that share a prefix, fenceOf(x[p:]) < fenceOf(y[p:]) implies x < y, and
// x <= y implies fenceOf(x[p:]) <= fenceOf(y[p:]).
func fenceOf(b []byte) uint64 {
	if len(b) >= 8 {
		return binary.BigEndian.Uint64(b)
	}
	var w [8]byte
	copy(w[:], b)
	return binary.BigEndian.Uint64(w[:])
}

// searchFences returns the first i with fs[i] >= f (len(fs) when none) in
// ascending fs. It interpolates a first guess from f's place between the
// ends, then gallops from the guess to bracket the answer and bisects the
// bracket. Fences are spread evenly in practice (the hash slot leads every
// storage key), so the guess lands within a block or two of the answer and
// a lookup reads one or two cache lines of fs where a bisection of a
// large file's fences reads a dozen, most of them cold; on any spread the
// galloping keeps it O(log n).
func searchFences(fs []uint64, f uint64) int {
	n := len(fs)
	if n == 0 || f <= fs[0] {
		return 0
	}
	if f > fs[n-1] {
		return n
	}
	lo, hi := 0, n-1 // fs[lo] < f <= fs[hi]: the answer is in (lo, hi]
	g := fenceGuess(fs, f)
	if fs[g] < f {
		lo = g
		for step := 1; lo+step < hi; step *= 2 {
			if fs[lo+step] >= f {
				hi = lo + step
				break
			}
			lo += step
		}
	} else {
		hi = g
		for step := 1; hi-step > lo; step *= 2 {
			if fs[hi-step] < f {
				lo = hi - step
				break
			}
			hi -= step
		}
	}
	for hi-lo > 1 {
		mid := int(uint(lo+hi) >> 1)
		if fs[mid] < f {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

// fenceGuess is searchFences's first guess, for fs[0] < f <= fs[n-1]:
// f's place interpolated between the ends, in (0, n-1].
func fenceGuess(fs []uint64, f uint64) int {
	n := len(fs)
	g := 1 + int(float64(f-fs[0])/float64(fs[n-1]-fs[0])*float64(n-2))
	return min(max(g, 1), n-1)
}

// touchFence loads the fences findBlock(key) will look at first (Prefetch).
func (t *table) touchFence(key []byte) uint64 {
	fs := t.fences
	if len(key) < t.fencePrefix || len(fs) < 2 {
		return 0
	}
	f := fenceOf(key[t.fencePrefix:])
	if f <= fs[0] || f > fs[len(fs)-1] {
		return 0
	}
	g := fenceGuess(fs, f)
	sink := fs[g]
	if t.fences2 != nil {
		sink += t.fences2[g]
	}
	return sink
}

// findBlock returns the first block whose last key is >= key.
func (t *table) findBlock(key []byte) int {
	n, p := len(t.index), t.fencePrefix
	if n == 0 || len(key) < p || !bytes.Equal(key[:p], t.index[0].first[:p]) {
		// A key outside the file's shared prefix (a scan starting
		// before the file, or a miss mayContain let through).
		return sort.Search(n, func(i int) bool { return bytes.Compare(t.index[i].last, key) >= 0 })
	}
	f := fenceOf(key[p:])
	lo := searchFences(t.fences, f) // the first block whose fence is >= f
	// Every block before lo ends below key, and a block whose fence
	// exceeds f ends above it; those whose fence equals f need more.
	if lo == n || t.fences[lo] != f {
		return lo
	}
	if r := t.runAt(lo); r != nil {
		// A run of ties: its own fences, past its longer prefix.
		q := len(r.prefix)
		switch c := bytes.Compare(key[:min(len(key), q)], r.prefix); {
		case c < 0 || c == 0 && len(key) < q:
			return lo // below every key of the run
		case c > 0:
			return r.end // above them, and below the next block's fence
		}
		f2 := fenceOf(key[q:])
		j := searchFences(r.fences, f2)
		if j == len(r.fences) || r.fences[j] != f2 {
			return r.start + j
		}
		return r.start + j + t.searchTied(r.fences[j:], r.start+j, key)
	}
	if t.fences2 == nil { // no two blocks tie: block lo alone has key's fence
		return lo + t.searchTied(t.fences[lo:lo+1], lo, key)
	}
	// A short tie, blocks [lo, hi): the next 8 bytes, ascending there.
	hi := lo + tieLen(t.fences[lo:])
	f2 := fenceOf(key[min(len(key), p+8):])
	j := lo + searchFences(t.fences2[lo:hi], f2)
	if j == hi || t.fences2[j] != f2 {
		return j
	}
	return j + t.searchTied(t.fences2[j:hi], j, key)
}

// searchTied returns, for blocks from lo whose fences fs tie with key's
// (fs[0] is key's), how many blocks past lo the first whose last key is
// >= key is: it compares the last keys of the tie, and when none is, the
// answer is the block after the tie (its fence exceeds key's).
func (t *table) searchTied(fs []uint64, lo int, key []byte) int {
	return sort.Search(tieLen(fs), func(j int) bool { return bytes.Compare(t.index[lo+j].last, key) >= 0 })
}

// tieLen returns how many of fs, ascending, equal fs[0]: it gallops, then
// bisects.
func tieLen(fs []uint64) int {
	lo, hi := 1, 1 // fs[:lo] tie; the tie ends at or before hi
	for step := 1; hi < len(fs) && fs[hi] == fs[0]; step *= 2 {
		lo = hi + 1
		hi = min(hi+step, len(fs))
	}
	if hi == len(fs) && fs[hi-1] == fs[0] {
		return hi
	}
	return lo + sort.Search(hi-lo, func(k int) bool { return fs[lo+k] != fs[0] })
}

// runAt returns the run of ties that starts at block i, nil when none.
func (t *table) runAt(i int) *fenceRun {
	k := sort.Search(len(t.runs), func(k int) bool { return t.runs[k].start >= i })
	if k < len(t.runs) && t.runs[k].start == i {
		return &t.runs[k]
	}
	return nil
}

// covers reports whether a range tombstone of this file covers key.
func (t *table) covers(key []byte) bool {
	return spansCover(t.spans, key)
}

// coverEnd returns the end of the span covering key, nil when none.
func (t *table) coverEnd(key []byte) []byte {
	sp := t.spans
	i := sort.Search(len(sp), func(i int) bool { return bytes.Compare(sp[i].hi, key) > 0 })
	if i < len(sp) && bytes.Compare(sp[i].lo, key) <= 0 {
		return sp[i].hi
	}
	return nil
}

// spansIn reports whether a span of sp (sorted, disjoint) overlaps
// [lo, hi) (nil: unbounded).
func spansIn(sp []span, lo, hi []byte) bool {
	i := 0
	if lo != nil {
		i = sort.Search(len(sp), func(i int) bool { return bytes.Compare(sp[i].hi, lo) > 0 })
	}
	return i < len(sp) && (hi == nil || bytes.Compare(sp[i].lo, hi) < 0)
}

func spansCover(sp []span, key []byte) bool {
	if len(sp) == 0 {
		return false
	}
	i := sort.Search(len(sp), func(i int) bool { return bytes.Compare(sp[i].hi, key) > 0 })
	return i < len(sp) && bytes.Compare(sp[i].lo, key) <= 0
}

// mayContain reports whether the file may hold an entry for key (bloom
// filter and key range; no disk access).
func (t *table) mayContain(key []byte) bool {
	return t.mayContainProbe(&probe{key: key})
}

func (t *table) mayContainProbe(p *probe) bool {
	if t.bloom == nil || len(t.index) == 0 {
		return false
	}
	if bytes.Compare(p.key, t.index[0].first) < 0 || bytes.Compare(p.key, t.index[len(t.index)-1].last) > 0 {
		return false
	}
	if f, ok := t.bloom.(*blockBloom); ok { // a direct call: p stays on the caller's stack
		return f.hasHash(p.bloomHash())
	}
	return t.bloom.mayContain(p.key)
}

// overlaps reports whether the file's entries may include keys in [lo, hi).
func (t *table) overlaps(lo, hi []byte) bool {
	if len(t.index) == 0 {
		return false
	}
	return bytes.Compare(t.index[0].first, hi) < 0 && bytes.Compare(t.index[len(t.index)-1].last, lo) >= 0
}

// get looks key up. found: the file holds an entry for key; covered: a
// range tombstone of the file hides older files' versions of key. Entries
// are never hidden by their own file's tombstones.
func (t *table) get(p *probe) (kind byte, value []byte, found, covered bool, err error) {
	key := p.key
	covered = t.covers(key)
	if !p.noBloom && !t.mayContainProbe(p) {
		return 0, nil, false, covered, nil
	}
	i := t.findBlock(key)
	if i == len(t.index) {
		return 0, nil, false, covered, nil
	}
	// Not checked: whether key sorts before the block's first key (in the
	// gap after the previous block). The block's own search answers that,
	// and the check cost a cache miss on every lookup (the first key lives
	// apart from the index): 2.9% of HGET's CPU at pipeline 16, to save a
	// block read only for the bloom's false positives that fall in a gap.
	b, err := t.readBlock(i)
	if err != nil {
		return 0, nil, false, false, err
	}
	e, found, err := b.findHashed(key, p.bloomHash())
	if err != nil {
		return 0, nil, false, false, t.corrupt("block", int64(t.index[i].off), err)
	}
	if found {
		return e.kind, e.value, true, covered, nil
	}
	return 0, nil, false, covered, nil
}

// getHinted is get of a key a ReadHint found in t, in block h.blk at the
// interval h.off (-1: its fingerprint matched none): no filter, no block
// search, and the interval scanned first.
func (t *table) getHinted(key []byte, h *readHint) (kind byte, value []byte, found, covered bool, err error) {
	covered = t.covers(key)
	i := int(h.blk)
	if i >= len(t.index) {
		return 0, nil, false, covered, nil
	}
	b, err := t.readBlock(i)
	if err != nil {
		return 0, nil, false, false, err
	}
	var e blockEntry
	if h.off >= 0 && b.fps != nil {
		e, found, err = b.scanFrom(int(h.off), key)
	}
	if err == nil && !found {
		// A fingerprint shared with another key: the whole search.
		e, found, err = b.findHashed(key, h.h)
	}
	if err != nil {
		return 0, nil, false, false, t.corrupt("block", int64(t.index[i].off), err)
	}
	if found {
		return e.kind, e.value, true, covered, nil
	}
	return 0, nil, false, covered, nil
}

func (t *table) ref() { t.refs.Add(1) }

// unref drops a reference; the last one closes the file, and deletes it
// if it is obsolete, on the caller's goroutine.
func (t *table) unref() { t.drop(nil) }

// drop is unref that hands the close of an obsolete file to r when r is
// not nil (readers: reaper).
func (t *table) drop(r *reaper) {
	if t.refs.Add(-1) != 0 {
		return
	}
	if r != nil && t.obsolete.Load() {
		r.reap(t)
		return
	}
	t.close()
}

// close closes the file of a table nobody references, and deletes it if
// it is obsolete.
func (t *table) close() {
	t.f.Close()
	if t.obsolete.Load() {
		t.cache.evictFile(t.num)
		os.Remove(t.path) // best effort: a leftover is deleted on the next Open
	}
}

// tableIter iterates a file's entries in key order.
type tableIter struct {
	t       *table
	hi      []byte      // the scan's exclusive upper bound, for seekGE (nil: none)
	noCache bool        // compaction: blocks read from disk are not cached and come from seq
	seq     seqReader   // noCache: the read-ahead
	own     cachedBlock // noCache: describes seq.raw
	blk     int
	cb      *cachedBlock // block blk
	bi      blockIter
	cur     blockEntry
	ok      bool
	error   error
	// belowHi: every key of block blk sorts below hi (its last key does),
	// so a merge bounded by hi need not compare this block's keys with it.
	belowHi bool
	// spanAt is the first of t.spans that may cover the key covers was
	// last asked about (spanKnown: it was asked).
	spanAt    int
	spanKnown bool
}

func (it *tableIter) loadBlock(i int) bool {
	it.blk = i
	if i >= len(it.t.index) {
		it.ok = false
		return false
	}
	var b *cachedBlock
	var err error
	if it.noCache {
		b, err = it.t.readBlockSeq(i, &it.seq, &it.own)
	} else {
		b, err = it.t.readBlockCache(i, true)
	}
	if err != nil {
		it.error, it.ok = err, false
		return false
	}
	it.cb = b
	it.bi = blockIter{data: b.entries, key: it.bi.key[:0]}
	it.belowHi = it.hi != nil && bytes.Compare(it.t.index[i].last, it.hi) < 0
	return true
}

func (it *tableIter) advance() {
	for {
		if it.bi.next(&it.cur) {
			it.ok = true
			return
		}
		if it.bi.err != nil {
			it.error = it.t.corrupt("block", int64(it.t.index[it.blk].off), it.bi.err)
			it.ok = false
			return
		}
		if !it.loadBlock(it.blk + 1) {
			return
		}
	}
}

// seekGE starts at the restart point at or before lo (binary search of
// the block's restart keys) rather than at the block's first entry, so a
// seek decodes at most one restart interval of keys below lo.
//
// A file whose keys from lo on all lie at or above the scan's bound (hi)
// is not read at all: the block that would hold lo starts at or above hi
// by the index's first keys (a short scan, one hash or stream, among many
// files that do not hold it).
func (it *tableIter) seekGE(lo []byte) {
	i := it.t.findBlock(lo)
	if it.hi != nil && i < len(it.t.index) && bytes.Compare(it.t.index[i].first, it.hi) >= 0 {
		it.ok = false
		return
	}
	if !it.loadBlock(i) {
		return
	}
	off, ok, err := it.cb.restartBefore(lo)
	if err != nil {
		it.error = it.t.corrupt("block", int64(it.t.index[it.blk].off), err)
		it.ok = false
		return
	}
	if ok {
		it.bi.data = it.cb.entries[off:]
	}
	for it.advance(); it.ok && bytes.Compare(it.cur.key, lo) < 0; it.advance() {
	}
}

func (it *tableIter) next()             { it.advance() }
func (it *tableIter) valid() bool       { return it.ok }
func (it *tableIter) key() []byte       { return it.cur.key }
func (it *tableIter) value() []byte     { return it.cur.value }
func (it *tableIter) kind() byte        { return it.cur.kind }
func (it *tableIter) hiddenLocal() bool { return false }

// covers is table.covers for the ascending keys of a merge: it steps
// through the spans from where the last key left it (a few steps, else
// a binary search), instead of searching them all for each key. A merge
// of many files that each hold many range tombstones (a burst of hash
// deletes) asks each newer file about each key it yields.
func (it *tableIter) covers(key []byte) bool {
	sp := it.t.spans
	i := it.spanAt
	if !it.spanKnown || (i > 0 && bytes.Compare(sp[i-1].hi, key) > 0) {
		i = -1 // first asked, or asked about a lower key than before
	}
	for steps := 0; i >= 0 && i < len(sp) && bytes.Compare(sp[i].hi, key) <= 0; steps++ {
		if steps == 4 {
			i = -1
			break
		}
		i++
	}
	if i < 0 {
		i = sort.Search(len(sp), func(i int) bool { return bytes.Compare(sp[i].hi, key) > 0 })
	}
	it.spanAt, it.spanKnown = i, true
	return i < len(sp) && bytes.Compare(sp[i].lo, key) <= 0
}
func (it *tableIter) coverEnd(key []byte) []byte { return it.t.coverEnd(key) }
func (it *tableIter) hasSpans() bool             { return len(it.t.spans) != 0 }
func (it *tableIter) spansIn(lo, hi []byte) bool { return spansIn(it.t.spans, lo, hi) }
func (it *tableIter) err() error                 { return it.error }

// mergeSpans sorts intervals and merges overlapping or adjacent ones.
func mergeSpans(sp []span) []span {
	if len(sp) == 0 {
		return nil
	}
	slices.SortFunc(sp, func(a, b span) int { return bytes.Compare(a.lo, b.lo) })
	out := []span{sp[0]}
	for _, s := range sp[1:] {
		last := &out[len(out)-1]
		if bytes.Compare(s.lo, last.hi) <= 0 {
			if bytes.Compare(s.hi, last.hi) > 0 {
				last.hi = s.hi
			}
			continue
		}
		out = append(out, s)
	}
	return out
}
