package memtables

// The keyspace tables and the hash sets share one index layout: an
// open-addressing table with linear probing over positions in a dense
// paged array. Cell value 0 is empty, v is position v-1; the length is a
// power of two and the load stays <= 3/4, so a probe always ends at an
// empty cell. Deletion shifts later cells back (no tombstones). The helpers
// below are that layout's two non-trivial operations; h.hashAt returns the
// stored hash of the entry at a position. (A type parameter rather than a
// func value: a method value passed as a func allocated on every delete.)

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
		home := h.hashAt(int(v-1)) & mask
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
	index[c] = uint32(pos + 1)
}

// indexMove repoints the cell holding position from (whose entry hashes to
// h) to position to: deletion moves the last entry into the hole.
func indexMove(index []uint32, h uint32, from, to int) {
	mask := uint32(len(index) - 1)
	c := h & mask
	for index[c] != uint32(from+1) {
		c = (c + 1) & mask
	}
	index[c] = uint32(to + 1)
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
