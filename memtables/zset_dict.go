package memtables

import (
	"hash/maphash"
	"math/bits"
	"slices"
)

// The member table of a ZSet: a dense paged array of entries (member,
// score) with an open-addressing index of positions (posindex.go),
// the layout of the keyspace's tables and of hash sets. It replaces a Go
// map for one reason: checkpoints. The snapshot of a zset is its entry
// pages, shared copy-on-write (snapshotClone, ownPage), so a checkpoint
// of a zset with millions of members costs the writer O(pages) instead of
// a copy of the tree; the tree itself is never read by a snapshot.

// zentry is one member. member is its tree item's string (same bytes).
type zentry struct {
	member string
	score  float64
	hash   uint32
}

var zsetHashSeed = maphash.MakeSeed()

func zsetHash(m string) uint32 { return uint32(maphash.String(zsetHashSeed, m)) }

func (z *ZSet) entry(pos int) *zentry { return &z.pages[pos>>pageShift][pos&pageMask] }

func (z *ZSet) hashAt(pos int) uint32 { return z.entry(pos).hash }

// lookup returns the index cell and position of member, or ok=false.
func (z *ZSet) lookup(member string) (cell uint32, pos int, ok bool) {
	if len(z.index) == 0 {
		return 0, 0, false
	}
	return z.lookupHash(member, zsetHash(member))
}

// lookupHash is lookup given h = zsetHash(member).
func (z *ZSet) lookupHash(member string, h uint32) (cell uint32, pos int, ok bool) {
	if len(z.index) == 0 {
		return 0, 0, false
	}
	mask := uint32(len(z.index) - 1)
	for c := h & mask; ; c = (c + 1) & mask {
		v := z.index[c]
		if v == 0 {
			return 0, 0, false
		}
		if !cellMayHold(v, h, mask) {
			continue
		}
		p := cellPos(v, mask)
		if e := z.entry(p); e.hash == h && e.member == member {
			return c, p, true
		}
	}
}

// addEntry records a new member's entry (absent before); h is
// zsetHash(member).
func (z *ZSet) addEntry(member string, score float64, h uint32) {
	if (z.entries+1)*maxLoadDen > len(z.index)*maxLoadNum {
		z.index = buildIndex(max(minIndex, 2*len(z.index)), z.entries, z)
	}
	pos := z.entries
	pi := pos >> pageShift
	if pi == len(z.pages) {
		c := pageSize
		if pi == 0 {
			c = firstPageCap
		}
		z.pages = append(z.pages, make([]zentry, 0, c))
		z.pageGen = append(z.pageGen, z.gen)
	}
	z.ownPage(pi)
	pg := z.pages[pi]
	if len(pg) == cap(pg) { // only the first page grows in place
		np := make([]zentry, len(pg), min(2*cap(pg), pageSize))
		copy(np, pg)
		pg = np
	}
	z.pages[pi] = append(pg, zentry{member: member, score: score, hash: h})
	z.entries++
	indexAdd(z.index, h, pos)
}

// dropEntry forgets member's entry: the last entry moves into the hole.
func (z *ZSet) dropEntry(member string) {
	c, pos, ok := z.lookup(member)
	if !ok {
		panic("memtables: ZSet entry missing for a member of the tree")
	}
	z.dropEntryAt(c, pos)
}

// dropEntryAt is dropEntry of the entry at pos, indexed by cell c.
func (z *ZSet) dropEntryAt(c uint32, pos int) {
	unindexCell(z.index, c, z)
	last := z.entries - 1
	if pos != last {
		le := z.entry(last)
		indexMove(z.index, le.hash, last, pos)
		z.ownPage(pos >> pageShift)
		*z.entry(pos) = *le
	}
	pi := last >> pageShift
	z.ownPage(pi)
	if pg := z.pages[pi][:len(z.pages[pi])-1]; len(pg) == 0 {
		z.pages[pi] = nil
		z.pages, z.pageGen = z.pages[:pi], z.pageGen[:pi]
	} else {
		clear(z.pages[pi][len(pg):][:1]) // drop the moved entry's pointers
		z.pages[pi] = pg
	}
	z.entries--
	switch {
	case z.entries == 0:
		z.index = nil
	case len(z.index) > minIndex && z.entries*shrinkDivisor < len(z.index):
		z.index = buildIndex(max(minIndex, 1<<bits.Len(uint(2*z.entries-1))), z.entries, z)
	}
}

// ownPage makes entry page pi private to this copy of the zset.
func (z *ZSet) ownPage(pi int) {
	if z.pageGen[pi] >= z.gen {
		return
	}
	pg := z.pages[pi]
	np := make([]zentry, len(pg), cap(pg))
	copy(np, pg)
	z.pages[pi], z.pageGen[pi] = np, z.gen
}

// snapshotClone returns a copy of z of generation gen that takes over the
// tree and the index and shares the entry pages copy-on-write; z
// itself must not be written afterwards and is only iterated
// (eachEntry). O(pages).
func (z *ZSet) snapshotClone(gen uint64) *ZSet {
	c := *z
	c.gen = gen
	c.pages = slices.Clone(z.pages)
	c.pageGen = slices.Clone(z.pageGen)
	return &c
}

// eachEntry calls fn for every member in table order (not score order),
// reading only the entry pages.
func (z *ZSet) eachEntry(fn func(member string, score float64) bool) {
	for _, pg := range z.pages {
		for i := range pg {
			if !fn(pg[i].member, pg[i].score) {
				return
			}
		}
	}
}
