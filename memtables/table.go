package memtables

import (
	"math"
	"math/bits"
	"sync/atomic"
)

// table is one logical database: a hash table from key to Entry.
//
// Layout (why: memory per key and SCAN):
//
//   - Entries live in a dense array of slots, split into pages of pageSize.
//     Every page but the last is full, so position i is
//     pages[i>>pageShift][i&pageMask]. Growth appends a page instead of
//     copying everything, and a page is the unit a copy-on-write checkpoint
//     will share (docs/format/checkpoint.md). Delete moves the last slot into
//     the hole, keeping the array dense, so RandomKey is exactly uniform.
//   - index is an open-addressing table with linear probing over positions:
//     0 is empty, v is position v-1. Its length is a power of two and its load
//     stays <= 3/4, so a probe always ends at an empty cell. Deletion shifts
//     later cells back (no tombstones).
//
// SCAN needs Redis's guarantee across resizes, which depends on every key
// belonging to bucket hash&mask. With linear probing a key may sit after its
// bucket, but never past the first empty cell after it, so "the keys of
// bucket b" are those in the run starting at b whose hash&mask == b. Scan
// visits buckets in Redis's reverse-binary order over that notion of bucket,
// and the guarantee carries over unchanged.
//
// Memory per key: a 56-byte slot plus 4 bytes of index at load 3/8..3/4,
// plus the key's own allocation.
type table struct {
	phys  uint32   // physical database id
	n     int      // number of keys
	pages [][]slot // dense entries, see above
	// pageGen[i] is the snapshot generation pages[i] was created or copied
	// in; a page whose generation is older than an active snapshot's is
	// shared with it and is copied before its first write (own).
	pageGen []uint64
	cow     *cowState // the keyspace's snapshot state (shared by its tables)
	// spare is the last page, kept (empty, private) when deletes emptied it,
	// so that a table whose size sits at a page boundary does not free and
	// reallocate a whole page on every delete/insert.
	spare   []slot
	index   []uint32 // open addressing over positions; nil when n == 0
	expires []uint32 // positions of the slots with ExpireAt != 0

	// sampleAt is SampleExpired's round-robin position in expires. Atomic:
	// SampleExpired runs under the caller's read lock.
	sampleAt atomic.Uint64
}

type slot struct {
	key  string
	e    Entry
	hash uint32 // low 32 bits of the key's hash
	exp  uint32 // 1 + position in table.expires; 0: not there
}

const (
	pageShift     = 10
	pageSize      = 1 << pageShift
	pageMask      = pageSize - 1
	firstPageCap  = 8 // most databases are small or empty
	minIndex      = 8
	maxLoadNum    = 3 // grow when n > len(index) * 3/4
	maxLoadDen    = 4
	shrinkDivisor = 8 // shrink when n < len(index)/8
)

func (t *table) at(i int) *slot { return &t.pages[i>>pageShift][i&pageMask] }

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
func (t *table) own(pi int) {
	if t.cow == nil || !t.cow.active || t.pageGen[pi] == t.cow.gen {
		return
	}
	pg := t.pages[pi]
	np := make([]slot, len(pg), cap(pg))
	copy(np, pg)
	t.pages[pi] = np
	t.pageGen[pi] = t.cow.gen
}

// private reports whether page pi is referenced by no active snapshot.
func (t *table) private(pi int) bool {
	return t.cow == nil || !t.cow.active || t.pageGen[pi] == t.cow.gen
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
		if s := t.at(int(v - 1)); s.hash == h && s.key == string(key) {
			return c, int(v - 1), true
		}
	}
}

// insert adds a key known to be absent and returns its position.
func (t *table) insert(key string, h uint32, e Entry) int {
	if (t.n+1)*maxLoadDen > len(t.index)*maxLoadNum {
		t.resize(max(minIndex, 2*len(t.index)))
	}
	pos := t.n
	pi := pos >> pageShift
	if pi == len(t.pages) {
		c := pageSize
		if pi == 0 {
			c = firstPageCap
		}
		pg := make([]slot, 0, c)
		if t.spare != nil && cap(t.spare) >= c {
			pg, t.spare = t.spare[:0], nil
		}
		t.pages = append(t.pages, pg)
		t.pageGen = append(t.pageGen, t.curGen())
	}
	pg := t.pages[pi]
	if len(pg) == cap(pg) { // only the first page grows in place
		np := make([]slot, len(pg), min(2*cap(pg), pageSize))
		copy(np, pg)
		pg = np
		t.pageGen[pi] = t.curGen()
	}
	t.pages[pi] = append(pg, slot{key: key, e: e, hash: h})
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
	last := t.n - 1
	if pos != last {
		// Move the last slot into the hole and repoint its index cell.
		ls := t.at(last)
		indexMove(t.index, ls.hash, last, pos)
		*t.at(pos) = *ls
		if ls.exp != 0 {
			t.expires[ls.exp-1] = uint32(pos)
		}
	}
	pi := last >> pageShift
	pg := t.pages[pi]
	pg[len(pg)-1] = slot{} // release the key for the GC
	if pg = pg[:len(pg)-1]; len(pg) == 0 {
		if cap(pg) == pageSize && t.private(pi) {
			t.spare = pg
		}
		t.pages[pi] = nil
		t.pages = t.pages[:pi]
		t.pageGen = t.pageGen[:pi]
	} else {
		t.pages[pi] = pg
	}
	t.n--
	switch {
	case t.n == 0:
		t.pages, t.pageGen, t.index, t.expires, t.spare = nil, nil, nil, nil, nil // give the memory back
	case len(t.index) > minIndex && t.n*shrinkDivisor < len(t.index):
		t.resize(max(minIndex, 1<<bits.Len(uint(2*t.n-1))))
	}
}

// unindex empties cell c of the index (see posindex.go).
func (t *table) unindex(c uint32) { unindexCell(t.index, c, t) }

// resize rebuilds the index with size cells (a power of two).
func (t *table) resize(size int) { t.index = buildIndex(size, t.n, t) }

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
			if s := t.at(int(x - 1)); s.hash&m32 == b {
				fn(s.key, &s.e)
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
