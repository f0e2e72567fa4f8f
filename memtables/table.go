package memtables

import (
	"math"
	"math/bits"
	"unsafe"

	"github.com/keeldb/keel/internal/offheap"
)

// table is one logical database: a hash table from key to Entry.
//
// Layout (why: memory per key and SCAN):
//
//   - Entries live in a dense array of 64-byte slots, split into pages of
//     pageSize. Every page but the last is full, so position i is
//     pages[i>>pageShift].slots[i&pageMask]. Growth appends a page instead
//     of copying everything, and a page is the unit a copy-on-write
//     checkpoint shares (docs/format/checkpoint.md). Delete moves the last
//     slot into the hole, keeping the array dense, so RandomKey is exactly
//     uniform.
//   - A slot holds its key when the key has at most keyInline bytes, the
//     common case; a longer key is a Go string in its page's long array.
//     Slots hold no Go pointers, so full pages live off the Go heap
//     (internal/offheap): the collector neither scans nor counts them.
//   - index is an open-addressing table with linear probing over positions:
//     0 is empty, v is position v-1. Its length is a power of two and its load
//     stays <= 3/4, so a probe always ends at an empty cell. Deletion shifts
//     later cells back (no tombstones). Large indexes are off the heap too.
//
// SCAN needs Redis's guarantee across resizes, which depends on every key
// belonging to bucket hash&mask. With linear probing a key may sit after its
// bucket, but never past the first empty cell after it, so "the keys of
// bucket b" are those in the run starting at b whose hash&mask == b. Scan
// visits buckets in Redis's reverse-binary order over that notion of bucket,
// and the guarantee carries over unchanged.
//
// Memory per key: a 64-byte slot plus 4 bytes of index at load 3/8..3/4,
// none of it on the Go heap; a key longer than keyInline bytes adds its
// string and 16 bytes of long array on the heap.
type table struct {
	phys  uint32 // physical database id
	n     int    // number of keys
	pages []page // dense entries, see above
	cow   *cowState
	// spare is the last page, kept (empty, private) when deletes emptied it,
	// so that a table whose size sits at a page boundary does not free and
	// reallocate a whole page on every delete/insert.
	spare    page
	index    []uint32       // open addressing over positions; nil when n == 0
	indexMem *offheap.Block // index's memory when off the heap
	expires  []uint32       // positions of the slots with ExpireAt != 0
	// longBytes is the heap the long keys hold: their bytes and a string
	// header each (bytes).
	longBytes int64
	// counted is bytes as of the keyspace's last Recount of this table.
	counted int64
}

// page is pageSize slots (fewer for a table's small first page).
type page struct {
	slots []slot         // len: slots in use; in mem when cap == pageSize, else on the heap
	long  []string       // by slot index: the keys longer than keyInline; nil while there are none
	mem   *offheap.Block // holds slots' memory alive; shared with the snapshots sharing the page
	// gen is the snapshot generation the page was created or copied in; a
	// page whose generation is older than an active snapshot's is shared
	// with it and is copied before its first write (own).
	gen uint64
}

type slot struct {
	e    Entry
	hash uint32 // low 32 bits of the key's hash
	exp  uint32 // 1 + position in table.expires; 0: not there
	klen uint8  // the key's length when it is in kin; longKey when it is in page.long
	kin  [keyInline]byte
}

const (
	keyInline = 23   // fills the slot to 64 bytes, one cache line
	longKey   = 0xff // slot.klen of a key kept in page.long
)

// A slot is one cache line; pageBytes depends on it.
var _ [unsafe.Sizeof(slot{}) - 64]byte
var _ [64 - unsafe.Sizeof(slot{})]byte

const (
	pageShift     = 10
	pageSize      = 1 << pageShift
	pageMask      = pageSize - 1
	pageBytes     = pageSize * int(unsafe.Sizeof(slot{}))
	firstPageCap  = 8 // most databases are small or empty
	minIndex      = 8
	maxLoadNum    = 3 // grow when n > len(index) * 3/4
	maxLoadDen    = 4
	shrinkDivisor = 8 // shrink when n < len(index)/8
	// offIndexCells is the smallest index kept off the heap (64 KiB).
	offIndexCells = 16 << 10
)

func (t *table) at(i int) *slot { return &t.pages[i>>pageShift].slots[i&pageMask] }

// keyIs reports whether slot i of the page holds key.
func keyIs[K string | []byte](pg *page, i int, key K) bool {
	s := &pg.slots[i]
	if s.klen != longKey {
		return int(s.klen) == len(key) && string(s.kin[:s.klen]) == string(key)
	}
	return pg.long[i] == string(key)
}

// key returns slot i's key as a new string (an inline key is copied: the
// slot's memory does not outlive the page).
func (pg *page) key(i int) string {
	if s := &pg.slots[i]; s.klen != longKey {
		return string(s.kin[:s.klen])
	}
	return pg.long[i]
}

// keyLen returns slot i's key length.
func (pg *page) keyLen(i int) int {
	if s := &pg.slots[i]; s.klen != longKey {
		return int(s.klen)
	}
	return len(pg.long[i])
}

// appendKey appends slot i's key to dst.
func (pg *page) appendKey(dst []byte, i int) []byte {
	if s := &pg.slots[i]; s.klen != longKey {
		return append(dst, s.kin[:s.klen]...)
	}
	return append(dst, pg.long[i]...)
}

// longKeyBytes is the heap a long key of n bytes holds: its bytes and its
// string header in page.long.
func longKeyBytes(n int) int64 { return int64(n) + 16 }

// bytes is the memory t holds: its own struct, its pages' slots (at
// capacity: every page but the first is full-sized), its spare page,
// index and expiry list, and its long keys. O(1). An empty database
// counts its struct: no keyspace counts 0, as no Redis's used_memory
// does (maxmemory 1 refuses every write).
func (t *table) bytes() int64 {
	var slots int64
	if n := len(t.pages); n > 0 {
		slots = int64(cap(t.pages[0].slots)) + int64(n-1)*pageSize
	}
	slots += int64(cap(t.spare.slots))
	return tableBytes + slots*int64(unsafe.Sizeof(slot{})) + 4*int64(cap(t.index)) + 4*int64(cap(t.expires)) + t.longBytes
}

const tableBytes = int64(unsafe.Sizeof(table{}))

// bytesSlow is bytes summed over the pages and keys (tests).
func (t *table) bytesSlow() int64 {
	b := tableBytes + int64(cap(t.spare.slots))*int64(unsafe.Sizeof(slot{}))
	for i := range t.pages {
		pg := &t.pages[i]
		b += int64(cap(pg.slots)) * int64(unsafe.Sizeof(slot{}))
		for j := range pg.slots {
			if pg.slots[j].klen == longKey {
				b += longKeyBytes(len(pg.long[j]))
			}
		}
	}
	return b + 4*int64(cap(t.index)) + 4*int64(cap(t.expires))
}

// setLong records slot i's long key.
func (pg *page) setLong(i int, key string) {
	if pg.long == nil {
		pg.long = make([]string, cap(pg.slots))
	}
	pg.long[i] = key
}

// pagePool serves the pages off the heap (see the package doc's Memory).
var pagePool = offheap.NewPool(pageBytes)

// slotsOf returns b's memory as an empty slot slice of its capacity.
func slotsOf(b *offheap.Block) []slot {
	return unsafe.Slice((*slot)(b.Ptr()), b.Len()/int(unsafe.Sizeof(slot{})))[:0]
}

// uint32sOf returns b's memory as a uint32 slice of its length.
func uint32sOf(b *offheap.Block) []uint32 {
	return unsafe.Slice((*uint32)(b.Ptr()), b.Len()/4)
}

// newPage returns an empty page of capacity c: off the heap when c is
// pageSize, else on it (a small first page is not worth a block).
func newPage(c int, gen uint64) page {
	if c != pageSize {
		return page{slots: make([]slot, 0, c), gen: gen}
	}
	mem := pagePool.Get()
	return page{slots: slotsOf(mem), mem: mem, gen: gen}
}

// copyPage returns a private copy of pg with capacity c >= len(pg.slots).
func copyPage(pg *page, c int, gen uint64) page {
	np := newPage(c, gen)
	np.slots = append(np.slots, pg.slots...)
	if pg.long != nil {
		np.long = make([]string, c)
		copy(np.long, pg.long[:len(pg.slots)])
	}
	return np
}

// cowState is a keyspace's snapshot generation. Written under the caller's
// write lock only.
type cowState struct {
	active bool   // a snapshot is being written
	gen    uint64 // generation of the active (or last) snapshot
}

// own makes page pi private to the table before a write into it: while a
// snapshot is active, a page older than the snapshot is copied (one page,
// pageSize slots: bounded work per write). Appending past a shared page's
// length needs no copy: the snapshot reads only up to the length it saw.
// The old page's memory stays with the snapshot, which holds its handle.
func (t *table) own(pi int) {
	if t.private(pi) {
		return
	}
	pg := &t.pages[pi]
	*pg = copyPage(pg, cap(pg.slots), t.cow.gen)
}

// private reports whether page pi is referenced by no active snapshot.
func (t *table) private(pi int) bool {
	return t.cow == nil || !t.cow.active || t.pages[pi].gen == t.cow.gen
}

// ownPos is own for the page of position pos.
func (t *table) ownPos(pos int) { t.own(pos >> pageShift) }

func (t *table) curGen() uint64 {
	if t.cow == nil {
		return 0
	}
	return t.cow.gen
}

// lookup returns the index cell holding key and its position, or ok=false.
func lookup[K string | []byte](t *table, h uint32, key K) (cell uint32, pos int, ok bool) {
	if len(t.index) == 0 {
		return 0, 0, false
	}
	mask := uint32(len(t.index) - 1)
	for c := h & mask; ; c = (c + 1) & mask {
		v := t.index[c]
		if v == 0 {
			return 0, 0, false
		}
		if !cellMayHold(v, h, mask) {
			continue
		}
		p := cellPos(v, mask)
		pg := &t.pages[p>>pageShift]
		if pg.slots[p&pageMask].hash == h && keyIs(pg, p&pageMask, key) {
			return c, p, true
		}
	}
}

// insert adds a key known to be absent and returns its position.
func (t *table) insert(key []byte, h uint32, e Entry) int {
	if (t.n+1)*maxLoadDen > len(t.index)*maxLoadNum {
		t.resize(max(minIndex, 2*len(t.index)))
	}
	pos := t.n
	pi := pos >> pageShift
	if pi == len(t.pages) {
		var pg page
		switch {
		case pi == 0:
			pg = newPage(firstPageCap, t.curGen())
		case t.spare.slots != nil:
			pg, t.spare = t.spare, page{}
			pg.gen = t.curGen()
		default:
			pg = newPage(pageSize, t.curGen())
		}
		t.pages = append(t.pages, pg)
	}
	pg := &t.pages[pi]
	if len(pg.slots) == cap(pg.slots) { // only the first page grows in place
		*pg = copyPage(pg, min(2*cap(pg.slots), pageSize), t.curGen())
	}
	s := slot{e: e, hash: h}
	if len(key) <= keyInline {
		s.klen = uint8(len(key))
		copy(s.kin[:], key)
	} else {
		s.klen = longKey
	}
	pg.slots = append(pg.slots, s)
	if s.klen == longKey {
		pg.setLong(len(pg.slots)-1, string(key))
		t.longBytes += longKeyBytes(len(key))
	}
	t.n++
	indexAdd(t.index, h, pos)
	if e.ExpireAt != 0 {
		t.addExpire(pos)
	}
	return pos
}

// remove deletes the key at index cell c and position pos.
func (t *table) remove(c uint32, pos int) {
	t.ownPos(pos)
	t.ownPos(t.n - 1)
	if t.at(pos).exp != 0 {
		t.dropExpire(pos)
	}
	t.unindex(c)
	if t.at(pos).klen == longKey {
		t.longBytes -= longKeyBytes(len(t.pages[pos>>pageShift].long[pos&pageMask]))
	}
	last := t.n - 1
	pi, li := last>>pageShift, last&pageMask
	lp := &t.pages[pi]
	if pos != last {
		// Move the last slot into the hole and repoint its index cell.
		ls := &lp.slots[li]
		indexMove(t.index, ls.hash, last, pos)
		dp, di := &t.pages[pos>>pageShift], pos&pageMask
		dp.slots[di] = *ls
		if ls.klen == longKey {
			dp.setLong(di, lp.long[li])
		} else if dp.long != nil {
			dp.long[di] = ""
		}
		if ls.exp != 0 {
			t.expires[ls.exp-1] = uint32(pos)
		}
	}
	if lp.long != nil {
		lp.long[li] = "" // release the key for the GC
	}
	if lp.slots = lp.slots[:li]; li == 0 && !(pi == 0 && keepsEmpty(t, lp)) {
		switch {
		case !t.private(pi): // a snapshot holds it
		case cap(lp.slots) == pageSize && t.spare.slots == nil:
			t.spare = page{slots: lp.slots, mem: lp.mem}
		default:
			lp.mem.Free()
		}
		t.pages[pi] = page{}
		t.pages = t.pages[:pi]
	}
	t.n--
	switch {
	case t.n == 0 && len(t.pages) == 1:
		// Kept (keepsEmpty): the empty first page and the index.
	case t.n == 0:
		t.release()
	case len(t.index) > minIndex && t.n*shrinkDivisor < len(t.index):
		t.resize(max(minIndex, 1<<bits.Len(uint(2*t.n-1))))
	}
}

// keepsEmpty reports whether a table whose last key leaves its first page
// lp keeps that page and its index, empty, for its next key: when both are
// small (a page on the heap, under pageSize slots, and an index of
// minIndex cells) and no snapshot shares the page. A database holding one
// key at a time, a queue emptied by every pop (BLPOP/LPUSH), allocated
// both again for each key.
func keepsEmpty(t *table, lp *page) bool {
	return t.n == 1 && cap(lp.slots) < pageSize && lp.mem == nil && len(t.index) <= minIndex && t.private(0)
}

// release gives back the memory of a table whose keys are gone: its index
// and spare page, which no snapshot shares, and its pages when no snapshot
// is active (else the snapshot's handles free them when it is dropped).
func (t *table) release() {
	if t.cow == nil || !t.cow.active {
		for i := range t.pages {
			t.pages[i].mem.Free()
		}
	}
	t.spare.mem.Free()
	t.indexMem.Free()
	t.pages, t.index, t.indexMem, t.expires, t.spare = nil, nil, nil, nil, page{}
}

// unindex empties cell c of the index (see posindex.go).
func (t *table) unindex(c uint32) { unindexCell(t.index, c, t) }

// resize rebuilds the index with size cells (a power of two).
func (t *table) resize(size int) {
	old := t.indexMem
	if size >= offIndexCells {
		t.indexMem = offheap.Alloc(size * 4)
		t.index = uint32sOf(t.indexMem)
	} else {
		t.index, t.indexMem = make([]uint32, size), nil
	}
	fillIndex(t.index, t.n, t)
	old.Free() // no snapshot or reader holds an index across a write
}

func (t *table) hashAt(pos int) uint32 { return t.at(pos).hash }

func (t *table) addExpire(pos int) {
	t.ownPos(pos)
	t.expires = append(t.expires, uint32(pos))
	t.at(pos).exp = uint32(len(t.expires))
}

func (t *table) dropExpire(pos int) {
	t.ownPos(pos)
	s := t.at(pos)
	i, last := int(s.exp-1), len(t.expires)-1
	if i != last {
		moved := t.expires[last]
		t.ownPos(int(moved))
		t.expires[i] = moved
		t.at(int(moved)).exp = uint32(i + 1)
	}
	t.expires = t.expires[:last]
	s.exp = 0
	if cap(t.expires) > 64 && len(t.expires) < cap(t.expires)/4 {
		t.expires = append([]uint32(nil), t.expires...)
	}
}

// setEntry replaces the entry at pos, keeping expires in step.
func (t *table) setEntry(pos int, e Entry) {
	t.ownPos(pos)
	s := t.at(pos)
	s.e = e
	t.syncExpire(pos)
}

func (t *table) syncExpire(pos int) {
	s := t.at(pos)
	switch {
	case s.e.ExpireAt != 0 && s.exp == 0:
		t.addExpire(pos)
	case s.e.ExpireAt == 0 && s.exp != 0:
		t.dropExpire(pos)
	}
}

// scan is Keyspace.Scan for one table.
func (t *table) scan(cursor uint64, count int, fn func(key string, e *Entry)) uint64 {
	if t.n == 0 {
		return 0
	}
	if count <= 0 {
		count = 10 // Redis's default COUNT
	}
	mask := uint64(len(t.index) - 1)
	m32 := uint32(mask)
	v := cursor
	// Redis also bounds the empty buckets it visits per call.
	emitted, maxVisits := 0, min(count, math.MaxInt/10)*10
	for visits := 1; ; visits++ {
		b := uint32(v & mask)
		for c := b; ; c = (c + 1) & m32 {
			x := t.index[c]
			if x == 0 {
				break
			}
			p := cellPos(x, m32)
			if pg := &t.pages[p>>pageShift]; pg.slots[p&pageMask].hash&m32 == b {
				fn(pg.key(p&pageMask), &pg.slots[p&pageMask].e)
				emitted++
			}
		}
		// Increment the reversed cursor: the high bits of the bucket number
		// change fastest, so buckets that split or merge on a resize are
		// visited together (Redis dict.c, dictScan).
		v |= ^mask
		v = bits.Reverse64(v)
		v++
		v = bits.Reverse64(v)
		if v == 0 || emitted >= count || visits >= maxVisits {
			return v
		}
	}
}
