package memtables

import (
	"bytes"
	"hash/maphash"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"unsafe"
)

// intsetMaxEntries is Redis's default set-max-intset-entries: a set of
// integers larger than this is a hash table.
const intsetMaxEntries = 512

// Arena block sizes for a hash-table set's member bytes. Blocks start
// small (most sets are small) and double up to setBlockMax; a member
// longer than setBlockMax/4 gets a block of its own.
const (
	setBlockMin = 64
	setBlockMax = 64 << 10
)

// setSeed seeds member hashes, per process, so colliding members cannot be
// chosen by clients.
var setSeed = maphash.MakeSeed()

// Set is a set of byte strings, the value of one Redis set key. It has the
// two encodings of Redis 7.0:
//
//   - intset: while every member is a canonical integer (Redis string2ll:
//     no sign but '-', no leading zeros, no "-0", fits int64) and there
//     are at most intsetMaxEntries, a sorted []int64 with binary search.
//   - hashtable: otherwise. Like the keyspace's table: a dense array of
//     fixed-size slots in pages (Remove moves the last slot into the hole,
//     so Random is exactly uniform and O(1)) and an open-addressing index
//     of positions with linear probing and no tombstones. A slot points at
//     the member's bytes in an append-only arena of blocks: one allocation
//     per block rather than per member, and no pointers in slots for the GC
//     to scan. Removed members' bytes are garbage until a compaction
//     (when garbage exceeds half the arena) copies the live ones into new
//     blocks, so Remove is O(1) amortized.
//
// As in Redis, a set does not go back from hashtable to intset when
// members are removed; an emptied set starts over as an empty intset (in
// Redis the key would have been deleted).
//
// Arena bytes are never overwritten once written (only appended after, or
// abandoned by compaction), so a member slice handed out stays valid and
// unchanged after later writes; it must not be modified. The same property
// makes the arena free to share with a copy-on-write snapshot; slot pages
// would be copied before their first write, as the keyspace's pages are.
//
// A Set is not safe for concurrent writes; reads (Len, Has, ForEach,
// Random, Members, IsIntSet, MemoryBytes) may run concurrently with each
// other.
type Set struct {
	hashed bool    // hashtable encoding; false: intset
	ints   []int64 // intset members, sorted

	n       int         // hashtable members
	pages   [][]setSlot // dense slots, every page but the last full
	index   []uint32    // 0 empty, v: position v-1; nil when n == 0
	blocks  [][]byte    // arena; len is the bytes written, cap the block
	cur     int         // block small members are appended to
	arena   int         // bytes written to blocks
	garbage int         // bytes of removed members still in blocks
	// held is the pages' and blocks' share of MemoryBytes (their
	// capacities), kept by every change of either, so that MemoryBytes
	// (maxmemory's count of the data) is O(1).
	held int64
	// spare is the last emptied full page, kept so that a set whose size
	// hovers at a page boundary does not allocate a page per Add.
	spare []setSlot
	// gen is the snapshot generation of this copy of the set, pageGen[i]
	// the generation pages[i] was created or copied in: an older page is
	// shared with a snapshot and copied before its first write (ownPage).
	gen     uint64
	pageGen []uint64
}

// setSlot locates one member: blocks[blk][off:off+n].
type setSlot struct {
	blk, off, n uint32
	hash        uint32 // low 32 bits of the member's hash
}

// NewSet returns an empty set (an empty intset).
func NewSet() *Set { return &Set{} }

// Len returns the number of members.
func (s *Set) Len() int {
	if s.hashed {
		return s.n
	}
	return len(s.ints)
}

// IsIntSet reports whether the intset encoding is active (Redis OBJECT
// ENCODING "intset").
func (s *Set) IsIntSet() bool { return !s.hashed }

// canonicalInt parses m as Redis's string2ll does: only the canonical
// decimal form of an int64 is an integer.
func canonicalInt(m []byte) (int64, bool) {
	d := m
	neg := len(d) > 0 && d[0] == '-'
	if neg {
		d = d[1:]
	}
	if len(d) == 0 || len(d) > 19 || d[0] == '0' && (len(d) > 1 || neg) {
		return 0, false // empty, too long, leading zero or "-0"
	}
	var u uint64 // 19 digits cannot overflow it
	for _, c := range d {
		if c < '0' || c > '9' {
			return 0, false
		}
		u = u*10 + uint64(c-'0')
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return int64(-u), true
	}
	if u > math.MaxInt64 {
		return 0, false
	}
	return int64(u), true
}

func setHash(m []byte) uint32 { return uint32(maphash.Bytes(setSeed, m)) }

func (s *Set) at(i int) *setSlot { return &s.pages[i>>pageShift][i&pageMask] }

func (s *Set) member(sl *setSlot) []byte {
	b := s.blocks[sl.blk]
	return b[sl.off : sl.off+sl.n : sl.off+sl.n]
}

// Add adds m (copying it) and reports whether it was absent. An intset
// converts to a hash table past intsetMaxEntries members.
func (s *Set) Add(m []byte) bool { return s.add(m, intsetMaxEntries) }

// AddUnbounded is Add for a set-max-intset-entries above the default: an
// intset stays one however large (the command layer decides when it
// converts, see ConvertToHash).
func (s *Set) AddUnbounded(m []byte) bool { return s.add(m, math.MaxInt) }

func (s *Set) add(m []byte, intsetMax int) bool {
	if !s.hashed {
		if v, ok := canonicalInt(m); ok {
			i, found := slices.BinarySearch(s.ints, v)
			if found {
				return false
			}
			if len(s.ints) < intsetMax {
				s.ints = slices.Insert(s.ints, i, v)
				return true
			}
		}
		s.convert()
	}
	h := setHash(m)
	if _, _, ok := s.lookup(h, m); ok {
		return false
	}
	s.insert(m, h)
	return true
}

// convert moves the intset's members into a hash table.
func (s *Set) convert() {
	ints := s.ints
	s.hashed, s.ints = true, nil
	var buf [20]byte
	for _, v := range ints {
		m := strconv.AppendInt(buf[:0], v, 10)
		s.insert(m, setHash(m))
	}
}

// Remove removes m and reports whether it was present.
func (s *Set) Remove(m []byte) bool {
	if !s.hashed {
		v, ok := canonicalInt(m)
		if !ok {
			return false
		}
		i, found := slices.BinarySearch(s.ints, v)
		if found {
			s.ints = slices.Delete(s.ints, i, i+1)
			if len(s.ints) == 0 {
				s.ints = nil
			}
		}
		return found
	}
	c, pos, ok := s.lookup(setHash(m), m)
	if !ok {
		return false
	}
	s.remove(c, pos)
	return true
}

// Has reports whether m is a member.
func (s *Set) Has(m []byte) bool {
	if !s.hashed {
		v, ok := canonicalInt(m)
		if !ok {
			return false
		}
		_, found := slices.BinarySearch(s.ints, v)
		return found
	}
	_, _, ok := s.lookup(setHash(m), m)
	return ok
}

// ForEach calls fn for every member, in no particular order, until fn
// returns false. m must not be modified, and for an intset it is valid
// only during the call. fn must not write to the set.
func (s *Set) ForEach(fn func(m []byte) bool) {
	if !s.hashed {
		var buf [20]byte
		for _, v := range s.ints {
			if !fn(strconv.AppendInt(buf[:0], v, 10)) {
				return
			}
		}
		return
	}
	for _, pg := range s.pages {
		for i := range pg {
			if !fn(s.member(&pg[i])) {
				return
			}
		}
	}
}

// Random returns a uniformly chosen member, using rnd(n) for a number in
// [0, n). O(1).
func (s *Set) Random(rnd func(n int) int) ([]byte, bool) {
	n := s.Len()
	if n == 0 {
		return nil, false
	}
	i := rnd(n)
	if !s.hashed {
		return strconv.AppendInt(nil, s.ints[i], 10), true
	}
	return s.member(s.at(i)), true
}

// Members returns all members, in no particular order. The slices must not
// be modified; they stay valid after later writes.
func (s *Set) Members() [][]byte {
	out := make([][]byte, 0, s.Len())
	if !s.hashed {
		for _, v := range s.ints {
			out = append(out, strconv.AppendInt(nil, v, 10))
		}
		return out
	}
	s.ForEach(func(m []byte) bool {
		out = append(out, m)
		return true
	})
	return out
}

// MemoryBytes is the heap held by the set, including slack and arena
// garbage. O(1).
func (s *Set) MemoryBytes() int64 {
	return int64(unsafe.Sizeof(*s)) + 8*int64(cap(s.ints)) + 4*int64(cap(s.index)) + setSlotBytes*int64(cap(s.spare)) +
		24*int64(cap(s.pages)) + 24*int64(cap(s.blocks)) + s.held
}

// setSlotBytes is a slot's size in a page.
const setSlotBytes = int64(unsafe.Sizeof(setSlot{}))

// memoryBytesSlow is MemoryBytes summed over the pages and blocks (tests).
func (s *Set) memoryBytesSlow() int64 {
	b := int64(unsafe.Sizeof(*s)) + 8*int64(cap(s.ints)) + 4*int64(cap(s.index)) + setSlotBytes*int64(cap(s.spare)) +
		24*int64(cap(s.pages)) + 24*int64(cap(s.blocks))
	for _, pg := range s.pages {
		b += int64(cap(pg)) * setSlotBytes
	}
	for _, bl := range s.blocks {
		b += int64(cap(bl))
	}
	return b
}

// lookup returns the index cell holding m and its position, or ok=false.
func (s *Set) lookup(h uint32, m []byte) (cell uint32, pos int, ok bool) {
	if len(s.index) == 0 {
		return 0, 0, false
	}
	mask := uint32(len(s.index) - 1)
	for c := h & mask; ; c = (c + 1) & mask {
		v := s.index[c]
		if v == 0 {
			return 0, 0, false
		}
		if !cellMayHold(v, h, mask) {
			continue
		}
		p := cellPos(v, mask)
		if sl := s.at(p); sl.hash == h && bytes.Equal(s.member(sl), m) {
			return c, p, true
		}
	}
}

// store appends m's bytes to the arena and returns its slot.
func (s *Set) store(m []byte, h uint32) setSlot {
	if len(m) > setBlockMax/4 {
		s.blocks = append(s.blocks, bytes.Clone(m))
		s.held += int64(cap(s.blocks[len(s.blocks)-1]))
		s.arena += len(m)
		return setSlot{blk: uint32(len(s.blocks) - 1), n: uint32(len(m)), hash: h}
	}
	if len(s.blocks) == 0 || cap(s.blocks[s.cur])-len(s.blocks[s.cur]) < len(m) {
		size := setBlockMin
		if len(s.blocks) > 0 {
			size = min(2*cap(s.blocks[s.cur]), setBlockMax)
		}
		s.blocks = append(s.blocks, make([]byte, 0, max(size, len(m))))
		s.cur = len(s.blocks) - 1
		s.held += int64(cap(s.blocks[s.cur]))
	}
	b := s.blocks[s.cur]
	sl := setSlot{blk: uint32(s.cur), off: uint32(len(b)), n: uint32(len(m)), hash: h}
	s.blocks[s.cur] = append(b, m...)
	s.arena += len(m)
	return sl
}

// insert adds a member known to be absent.
func (s *Set) insert(m []byte, h uint32) {
	if (s.n+1)*maxLoadDen > len(s.index)*maxLoadNum {
		s.resize(max(minIndex, 2*len(s.index)))
	}
	pos := s.n
	pi := pos >> pageShift
	if pi == len(s.pages) {
		switch {
		case pi == 0:
			s.pages = append(s.pages, make([]setSlot, 0, firstPageCap))
		case s.spare != nil:
			s.pages, s.spare = append(s.pages, s.spare), nil
		default:
			s.pages = append(s.pages, make([]setSlot, 0, pageSize))
		}
		s.pageGen = append(s.pageGen[:pi], s.gen)
		s.held += setSlotBytes * int64(cap(s.pages[pi]))
	}
	s.ownPage(pi)
	pg := s.pages[pi]
	if len(pg) == cap(pg) { // only the first page grows in place
		np := make([]setSlot, len(pg), min(2*cap(pg), pageSize))
		copy(np, pg)
		s.held += setSlotBytes * int64(cap(np)-cap(pg))
		pg = np
	}
	s.pages[pi] = append(pg, s.store(m, h))
	s.n++
	indexAdd(s.index, h, pos)
}

// remove deletes the member at index cell c and position pos.
func (s *Set) remove(c uint32, pos int) {
	s.garbage += int(s.at(pos).n)
	s.unindex(c)
	last := s.n - 1
	if pos != last {
		// Move the last slot into the hole and repoint its index cell.
		ls := s.at(last)
		indexMove(s.index, ls.hash, last, pos)
		s.ownPage(pos >> pageShift)
		*s.at(pos) = *ls
	}
	pi := last >> pageShift
	if pg := s.pages[pi][:len(s.pages[pi])-1]; len(pg) == 0 {
		s.held -= setSlotBytes * int64(cap(pg))
		if cap(pg) == pageSize {
			s.spare = pg
		}
		s.pages[pi] = nil
		s.pages = s.pages[:pi]
		s.pageGen = s.pageGen[:pi]
	} else {
		s.pages[pi] = pg
	}
	s.n--
	switch {
	case s.n == 0:
		*s = Set{gen: s.gen} // back to an empty intset; give the memory back
		return
	case len(s.index) > minIndex && s.n*shrinkDivisor < len(s.index):
		s.resize(max(minIndex, 1<<bits.Len(uint(2*s.n-1))))
	}
	if s.garbage > s.arena/2 && s.garbage > setBlockMin {
		s.compact()
	}
}

// compact copies the live members into new blocks, dropping the garbage.
// O(members); it runs after removes of at least half the arena's bytes, so
// it is O(1) amortized per remove.
func (s *Set) compact() {
	old := s.blocks
	for _, b := range old {
		s.held -= int64(cap(b))
	}
	s.blocks, s.cur, s.arena, s.garbage = nil, 0, 0, 0
	live := 0
	for _, pg := range s.pages {
		for i := range pg {
			if pg[i].n <= setBlockMax/4 {
				live += int(pg[i].n)
			}
		}
	}
	// One block sized for the live bytes up to setBlockMax, so a compacted
	// small set is one allocation.
	if live > 0 {
		s.blocks = append(s.blocks, make([]byte, 0, min(max(live, setBlockMin), setBlockMax)))
		s.held += int64(cap(s.blocks[0]))
	}
	for pi := range s.pages {
		s.ownPage(pi)
		pg := s.pages[pi]
		for i := range pg {
			sl := &pg[i]
			if sl.n > setBlockMax/4 { // a block of its own: keep it
				s.blocks = append(s.blocks, old[sl.blk])
				s.held += int64(cap(old[sl.blk]))
				s.arena += int(sl.n)
				sl.blk = uint32(len(s.blocks) - 1)
				continue
			}
			*sl = s.store(old[sl.blk][sl.off:sl.off+sl.n], sl.hash)
		}
	}
}

// ownPage makes page pi private to this copy of the set (see gen).
func (s *Set) ownPage(pi int) {
	if s.pageGen[pi] >= s.gen {
		return
	}
	pg := s.pages[pi]
	np := make([]setSlot, len(pg), cap(pg))
	copy(np, pg)
	s.pages[pi], s.pageGen[pi] = np, s.gen
}

// snapshotClone returns a copy of s of generation gen sharing s's pages
// copy-on-write and its arena (append-only, so sharing it is safe); s
// itself must not be written afterwards, and only iterated (ForEach): the
// index moves to the copy. O(pages) plus the intset.
func (s *Set) snapshotClone(gen uint64) *Set {
	c := *s
	c.gen = gen
	c.ints = slices.Clone(s.ints)
	c.pages = slices.Clone(s.pages)
	c.pageGen = slices.Clone(s.pageGen)
	c.blocks = slices.Clone(s.blocks)
	c.spare = nil
	return &c
}

// unindex empties cell c of the index (see posindex.go).
func (s *Set) unindex(c uint32) { unindexCell(s.index, c, s) }

// resize rebuilds the index with size cells (a power of two).
func (s *Set) resize(size int) { s.index = buildIndex(size, s.n, s) }

func (s *Set) hashAt(pos int) uint32 { return s.at(pos).hash }
