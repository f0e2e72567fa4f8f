package memtables

// The keyspace tables, the hash sets and the zset dictionaries share one
// index layout: an open-addressing table with linear probing over
// positions in a dense paged array. The length is a power of two, 1<<k,
// and the load stays <= 3/4, so a probe always ends at an empty cell and
// every position p satisfies p+1 < 1<<k. A cell holds p+1 in its low k bits
// and the entry's hash bits above k (h &^ mask, the bits its bucket does
// not use) in the rest; 0 is empty. A probe compares those hash bits
// before it reads the entry, so a probe past other keys' cells, and every
// lookup of an absent key, costs no read of the entry array: one cache
// miss instead of one per cell. (At 1M keys the tag is 11 bits; it
// shrinks as the table grows, to nothing only in a table of 2^32 cells,
// over 1.6 billion entries, where lookups still work by the full hash.)
// Deletion shifts later cells back (no tombstones). The helpers below are
// the layout's operations; h.hashAt returns the stored hash of the entry
// at a position. (A type parameter rather than a func value: a method
// value passed as a func allocated on every delete.)

// cellOf is the cell value for position pos of an entry hashing to h.
func cellOf(h uint32, pos int, mask uint32) uint32 { return h&^mask | uint32(pos+1) }

// cellPos is the position a non-empty cell v holds.
func cellPos(v, mask uint32) int { return int(v&mask) - 1 }

// cellMayHold reports whether non-empty cell v may hold an entry hashing
// to h: its hash bits above the mask agree.
func cellMayHold(v, h, mask uint32) bool { return (v^h)&^mask == 0 }

type hasher interface{ hashAt(pos int) uint32 }

// unindexCell empties cell c, shifting later cells of its run back so every
// entry stays reachable from its home bucket.
func unindexCell[H hasher](index []uint32, c uint32, h H) {
	mask := uint32(len(index) - 1)
	hole := c
	for q := (c + 1) & mask; ; q = (q + 1) & mask {
		v := index[q]
		if v == 0 {
			break
		}
		home := h.hashAt(cellPos(v, mask)) & mask
		// The entry at q may fill the hole if its bucket is not cyclically
		// after the hole: distance(home, q) >= distance(hole, q).
		if (q-home)&mask >= (q-hole)&mask {
			index[hole] = v
			hole = q
		}
	}
	index[hole] = 0
}

// indexAdd records position pos, whose entry hashes to h, in the first
// empty cell of its run.
func indexAdd(index []uint32, h uint32, pos int) {
	mask := uint32(len(index) - 1)
	c := h & mask
	for index[c] != 0 {
		c = (c + 1) & mask
	}
	index[c] = cellOf(h, pos, mask)
}

// indexMove repoints the cell holding position from (whose entry hashes to
// h) to position to: deletion moves the last entry into the hole.
func indexMove(index []uint32, h uint32, from, to int) {
	mask := uint32(len(index) - 1)
	c := h & mask
	for cellPos(index[c], mask) != from {
		c = (c + 1) & mask
	}
	index[c] = cellOf(h, to, mask)
}

// buildIndex returns an index of size cells (a power of two) over
// positions 0..n-1.
func buildIndex[H hasher](size, n int, h H) []uint32 {
	idx := make([]uint32, size)
	fillIndex(idx, n, h)
	return idx
}

// fillIndex records positions 0..n-1 in the empty index idx.
func fillIndex[H hasher](idx []uint32, n int, h H) {
	for pos := 0; pos < n; pos++ {
		indexAdd(idx, h.hashAt(pos), pos)
	}
}
