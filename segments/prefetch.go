package segments

import (
	"hash/maphash"
	"sync/atomic"
	"unsafe"

	"github.com/keeldb/keel/internal/prefetch"
)

// PrefetchMax is the most keys one Prefetch call warms.
const PrefetchMax = 16

// prefetchSpan is how many bytes from a restart point Prefetch loads: the
// restart's entry and the next one (RestartInterval 2), values of about a
// hundred bytes.
const prefetchSpan = 256

// Prefetch loads into the processor's caches what point reads of keys
// (the first PrefetchMax) will read: the buffers' key index tags, then in
// the files each key's bloom filter block, the block fences the search
// for its block starts at, the slot of that block, the cached block's
// description, its fingerprint index and the entries the fingerprint
// leads to. It is a hint for a caller about to read keys one by one (a
// client's pipelined GETs or HGETs): nothing changes, the cache's counters
// and reference bits included, and a block that is not cached is not
// read. present is ViewPresent's hint (the oldest file's filter is
// skipped).
//
// Why: on a store larger than the processor's caches a point read is a
// chain of dependent cache misses (filter, block slot, node, fingerprints,
// entry), each waiting for the one before. Here each stage runs for all
// the keys before the next, and a stage only loads, or decides on what
// the stage before loaded (a branch on a value still in flight would make
// the processor wait for it before going on to the next key), so the
// misses of different keys overlap; the reads that follow find the lines
// cached. What no later stage reads (the entries, the buffers' index
// slots, the row cache's rows) is prefetched instead of loaded
// (internal/prefetch), so that nothing waits for it. The result is
// derived from the loaded values, for the caller to keep so that the
// compiler cannot drop the loads.
func (s *Store) Prefetch(keys [][]byte, present bool) uint64 {
	sink, _ := s.prefetch(keys, nil, present, nil)
	return sink
}

// PrefetchHinted is Prefetch that also keeps in hints what it found for
// each key (the file and block its read will open, where in the block its
// fingerprint points), for ViewHinted to start there. hints is the
// caller's, reused from call to call; it holds only the last call's keys.
// newest (nil, or one per key) is ViewHinted's promise for each key (0:
// none): a key with one is looked for only in the layer whose LSN range
// holds it, its buffer's index or its file, whose filter is not read,
// and no other filter either.
func (s *Store) PrefetchHinted(keys [][]byte, newest []LSN, present bool, hints *ReadHints) uint64 {
	sink, _ := s.prefetch(keys, newest, present, hints)
	return sink
}

// ReadHints holds what one PrefetchHinted found, for the reads of the
// same keys that follow (ViewHinted). A hint is a fact about one version
// of the store's files, which never change: it applies while the store's
// files are that version's and to its own key only (compared whole), and
// is otherwise ignored, so a stale hint costs a comparison, never a wrong
// answer. The zero value holds none. Not safe for concurrent use: each
// client session keeps its own.
type ReadHints struct {
	vid     uint64 // the version the hints hold for (0: none)
	present bool   // the prefetch's present
	n       int
	next    int    // where find looks first
	reads   int    // reads since record (find, pass)
	keys    []byte // the hinted keys, back to back
	hint    [PrefetchMax]readHint
}

// readHint is what a prefetch found for one key.
type readHint struct {
	lo, hi int32  // the key: ReadHints.keys[lo:hi]
	h      uint64 // its bloom hash
	// at is the file its read opens (an index into the version's files;
	// every newer file's filter refused the key, or holds only writes
	// newer than the read's newest; len(files): none admits it; -1: no
	// file, the read's newest is in a buffer), blk the block of that file
	// its search lands in, off the
	// interval of that block its fingerprint names (-1: none; or the
	// block was not cached).
	at, blk, off int32
}

// find returns the hint for key in version vid read with present, nil
// for none. Each call is one of the reads the hints were recorded for.
//
// The hints serve the hs.n reads that follow their prefetch (a
// pipeline's, in the prefetch's order), and are dropped after them, and
// as soon as the store's files changed: otherwise every later read
// compared its key with each hint, 16 comparisons, which made the reads
// of hot keys that a loop runs without a prefetch 20% slower per command
// than reads that never had hints (see the server's prefetchGate), and
// slowed the reads of a pipeline past its first 16.
func (hs *ReadHints) find(vid uint64, present bool, key []byte) *readHint {
	if hs == nil || hs.n == 0 {
		return nil
	}
	var found *readHint
	if hs.vid == vid && hs.present == present {
		// The reads come in the prefetch's order: start after the last
		// found.
		for j := range hs.n {
			i := hs.next + j
			if i >= hs.n {
				i -= hs.n
			}
			if h := &hs.hint[i]; string(hs.keys[h.lo:h.hi]) == string(key) {
				hs.next, found = i+1, h
				break
			}
		}
	}
	if hs.reads++; hs.reads >= hs.n || hs.vid != vid {
		hs.n = 0 // found stays as it is until the next record
	}
	return found
}

// pass counts a read that needed no hint (the active buffer answered it)
// among those the hints serve (find).
func (hs *ReadHints) pass() {
	if hs != nil && hs.n > 0 {
		if hs.reads++; hs.reads >= hs.n {
			hs.n = 0
		}
	}
}

// prefetch is Prefetch; reached counts the keys whose entries it loaded
// (in a cached block, at the restart their fingerprint names), for tests.
// With hints, it records its findings there; newest as PrefetchHinted's.
func (s *Store) prefetch(keys [][]byte, newest []LSN, present bool, hints *ReadHints) (sink uint64, reached int) {
	n := min(len(keys), PrefetchMax)
	if hints != nil {
		hints.vid, hints.n = 0, 0
	}
	if n == 0 {
		return 0, 0
	}
	vw, err := s.acquire()
	if err != nil {
		return 0, 0
	}
	defer vw.release()
	var (
		hs   [PrefetchMax]uint64
		at   [PrefetchMax]*table
		ati  [PrefetchMax]int // at's index in files (len(files): none)
		blk  [PrefetchMax]int
		fpss [PrefetchMax][]uint32
		ents [PrefetchMax][]byte
		offs [PrefetchMax]int
	)
	if newest != nil {
		newest = newest[:n]
	}
	touchBuffer(vw.active, keys[:n], newest, true)
	for _, b := range vw.frozen {
		touchBuffer(b, keys[:n], newest, false)
	}
	files := vw.v.files
	if len(files) == 0 {
		return sink, 0
	}
	for i := range n {
		hs[i] = bloomHash(keys[i])
	}
	s.rows.touch(hs[:n])
	// The files whose filters reads consult: with present, the oldest is
	// where a key no newer file admits must be (ViewPresent).
	filtered, last := files, (*table)(nil)
	if present {
		filtered, last = files[:len(files)-1], files[len(files)-1]
	}
	for i := range n {
		if newest != nil && newest[i] != 0 {
			continue // no filter read (below)
		}
		for _, t := range filtered {
			if f, ok := t.bloom.(*blockBloom); ok && len(f.words) > 0 {
				b := f.block(hs[i])
				sink += b[0] + b[bloomBlockWords-1] // the block may straddle two lines
			}
		}
	}
	// The file a read will open a block of: the newest whose filter
	// admits the key (most keys are in one file only).
	for i := range n {
		if newest != nil && newest[i] != 0 {
			at[i], ati[i] = fileHolding(files, newest[i])
			continue
		}
		p := probe{key: keys[i], h: hs[i], hashed: true}
		at[i], ati[i] = last, len(files)
		if last != nil {
			ati[i] = len(files) - 1
		}
		for fi, t := range filtered {
			if t.mayContainProbe(&p) {
				at[i], ati[i] = t, fi
				break
			}
		}
	}
	for i := range n {
		if t := at[i]; t != nil {
			sink += t.touchFence(keys[i])
		}
	}
	for i := range n {
		if t := at[i]; t != nil {
			blk[i] = t.findBlock(keys[i])
		}
	}
	var nds [PrefetchMax]*cacheNode
	for i := range n {
		if t := at[i]; t != nil && blk[i] < len(t.blocks) {
			nds[i] = t.blocks[blk[i]].Load()
		}
	}
	for i := range n {
		if nd := nds[i]; nd != nil {
			fpss[i], ents[i] = nd.data.fps, nd.data.entries
		}
	}
	for i := range n {
		fps := fpss[i]
		for j := 0; j < len(fps); j += 16 { // 16 cells: a line
			sink += uint64(fps[j])
		}
	}
	for i := range n {
		offs[i] = -1
		fp := fingerprint(hs[i])
		for _, c := range fpss[i] {
			if c&0xffff == fp {
				offs[i] = int(c >> 16)
				break
			}
		}
	}
	for i := range n {
		if off := offs[i]; off >= 0 {
			d := ents[i]
			for o := off; o < len(d) && o < off+prefetchSpan; o += 64 {
				prefetch.Line(unsafe.Pointer(&d[o]))
			}
			reached++
		}
	}
	if hints != nil {
		hints.record(vw.v, present, keys[:n], hs[:n], ati[:n], blk[:n], offs[:n])
	}
	return sink, reached
}

// record keeps the prefetch's findings for keys in version v: the file
// each read opens (its index in v's files; len(files): none), its block,
// the interval in it.
func (hs *ReadHints) record(v *version, present bool, keys [][]byte, h []uint64, at, blk, offs []int) {
	hs.vid, hs.present, hs.n, hs.next, hs.reads, hs.keys = v.id, present, 0, 0, 0, hs.keys[:0]
	if cap(hs.keys) > 1<<10 {
		hs.keys = nil // long keys once: not kept (a session each)
	}
	for i, k := range keys {
		lo := len(hs.keys)
		hs.keys = append(hs.keys, k...)
		hs.hint[hs.n] = readHint{lo: int32(lo), hi: int32(len(hs.keys)), h: h[i], at: int32(at[i]), blk: int32(blk[i]), off: int32(offs[i])}
		hs.n++
	}
}

// fileHolding returns the file of files (newest first) whose LSN range
// holds lsn, and its index; nil and -1 when none does (the write is in a
// buffer).
func fileHolding(files []*table, lsn LSN) (*table, int) {
	for i, t := range files {
		if !newer(t.props.minLSN, lsn) {
			if lsn <= t.props.maxLSN {
				return t, i
			}
			break
		}
	}
	return nil, -1
}

// touchBuffer touches (keyIndex.touch) b's index slots of the keys whose
// read will probe b: every key, or with newest (one per key, as
// PrefetchHinted's), those without one and those whose newest is in b's
// LSN range (from its lowest LSN on for the active buffer, active, which
// is still growing).
func touchBuffer(b *buffer, keys [][]byte, newest []LSN, active bool) {
	if newest == nil {
		b.index.touch(keys)
		return
	}
	lo, hi := b.minLSN.Load(), b.maxLSN.Load()
	var sel [PrefetchMax][]byte
	m := 0
	for i, k := range keys {
		if w := newest[i]; w == 0 || w >= lo && (active || w <= hi) {
			sel[m] = k
			m++
		}
	}
	if m > 0 {
		b.index.touch(sel[:m])
	}
}

// touch loads the tag words of keys' home slots (the first PrefetchMax
// keys), then prefetches the slot of each tag that matches, for Prefetch.
func (x *keyIndex) touch(keys [][]byte) {
	t := x.table.Load()
	var hv, w [PrefetchMax]uint64
	mask := uint64(len(t.slots) - 1)
	n := min(len(keys), PrefetchMax)
	for i := range n {
		hv[i] = maphash.Bytes(x.seed, keys[i])
		w[i] = atomic.LoadUint64(&t.tags[(hv[i]&mask)>>3])
	}
	for i := range n {
		if j := hv[i] & mask; w[i]>>(8*(j&7))&0xff == tagOf(hv[i]) {
			prefetch.Line(unsafe.Pointer(&t.slots[j]))
		}
	}
}

// PrefetchWrites loads into the processor's caches what writes of keys
// (the first PrefetchMax) into the write buffer will touch first: each
// key's tag word and home slot in the buffer's key index. A hint, like
// Prefetch, for a caller about to write keys one by one (a client's
// pipelined SETs or HSETs); nothing changes.
//
// Why: the index is larger than the processor's caches once the buffer
// holds a few hundred thousand keys, and a new key's insert stored into
// its slot's line cold, then published its tag with a locked
// instruction, which waits for that store: 3.7% of HSET's CPU at
// pipeline 16 (perf), one miss per write that no other write overlapped.
func (s *Store) PrefetchWrites(keys [][]byte) {
	// No view: the buffer is only read, and a buffer frozen meanwhile
	// costs wasted loads. A pin: a flushed one's index may be cleared
	// for another buffer meanwhile (buffermem.go).
	b := s.pinActive()
	defer b.unpin()
	b.index.touchHome(keys)
}

// touchHome prefetches the tag words and the home slots of keys (the
// first PrefetchMax), where an insert or an update of each starts
// probing. Prefetch instructions, not loads: nothing here needs their
// values, and loads kept the processor waiting for the misses of all 16
// keys before the writes started (MSET p1, 10 keys a command: 42.3–43.1k
// → 44.0–44.8k/s with these, the keyspace's and the row cache's final
// loads made prefetches, three pairs; GET p16 alike).
func (x *keyIndex) touchHome(keys [][]byte) {
	t := x.table.Load()
	mask := uint64(len(t.slots) - 1)
	for i := range min(len(keys), PrefetchMax) {
		j := maphash.Bytes(x.seed, keys[i]) & mask
		prefetch.Line(unsafe.Pointer(&t.tags[j>>3]))
		prefetch.Line(unsafe.Pointer(&t.slots[j]))
	}
}
