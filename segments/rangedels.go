package segments

import (
	"bytes"
	"slices"
	"sort"
)

// A buffer's range tombstones.
//
// Every point read of a buffer, and every key a scan yields from a range
// that has tombstones, asks which of them cover a key. The hashes engine
// writes one per DEL or overwrite of a hash (over that hash's version):
// searched one by one, a buffer of hash deletes made each HGET compare
// its key with hundreds of bounds (HGET at pipeline 16 fell from 729k to
// 85k/s with 950 of them in the active buffer, 84% of the CPU in the
// search), and it had to be flushed every 1024 of them, which under a
// burst of DELs made dozens of tiny files for compaction to merge. So the
// tombstones are also kept cut into fragments: sorted, disjoint
// intervals, each with the sequence numbers of the tombstones covering
// all of it, found by binary search, in two levels. Every fragmentEvery
// additions the tombstones added since are merged into the recent level,
// and when that has grown to about the square root of 64 times the big
// level's size, it is merged into the big one: each addition then costs
// O(sqrt(n)) fragment copies. A merge is a plain merge by lo when no two
// overlap (hash deletes do not), else a sweep over the sorted bounds. The
// few added since the last merge are checked one by one, each first by
// the 8-byte prefixes of its bounds, two integer comparisons.

// rangeDels is a buffer's range tombstones as of one addition. It is
// immutable: addRangeDel publishes a new one (all and bounds share their
// backing arrays with older ones, which read only their own length).
type rangeDels struct {
	all    []rangeDel    // in the order written
	bounds []prefixRange // of each of all
	// big holds the fragments of all[:inBig], recent those of
	// all[inBig:indexed]; all[indexed:] are in neither.
	big, recent    []delFragment
	inBig, indexed int
}

// prefixRange is a tombstone's bounds cut to their first 8 bytes
// (fenceOf): a key whose prefix lies outside them is outside the
// tombstone, which two integer comparisons tell.
type prefixRange struct{ lo, hi uint64 }

// delFragment is the interval [lo, hi) and, newest first, the sequence
// numbers of the tombstones that cover it.
type delFragment struct {
	lo, hi []byte
	seqs   []uint64
}

// fragmentEvery is how many tombstones are added between merges into the
// recent level, and the most a lookup checks one by one.
// BenchmarkRangeDelsAdd (a buffer of 1024 hash deletes, one level then):
// 0.57 µs per addition at 64, 1.1 µs at 32, and 10 µs when a merge
// sorted every bound. HGET at pipeline 16 after 3000 hash DELs read
// 643–726k/s at either, against 742k/s with no tombstones.
const fragmentEvery = 64

var noRangeDels = &rangeDels{}

// with returns the tombstones with rd added.
func (d *rangeDels) with(rd rangeDel) *rangeDels {
	next := *d
	next.all = append(d.all, rd)
	next.bounds = append(d.bounds, prefixRange{fenceOf(rd.lo), fenceOf(rd.hi)})
	if tail := next.all[next.indexed:]; len(tail) >= fragmentEvery {
		tail = slices.Clone(tail)
		slices.SortFunc(tail, func(a, b rangeDel) int { return bytes.Compare(a.lo, b.lo) })
		next.recent, next.indexed = mergeFrags(d.recent, fragmentsOf(tail)), len(next.all)
		if r := len(next.recent); r >= 256 && r*r >= 64*len(next.big) {
			next.big, next.recent, next.inBig = mergeFrags(d.big, next.recent), nil, len(next.all)
		}
	}
	return &next
}

// find returns the index of the fragment of fr holding key (ok false:
// none does; i is then the first after key).
func find(fr []delFragment, key []byte) (i int, ok bool) {
	i = sort.Search(len(fr), func(i int) bool { return bytes.Compare(fr[i].hi, key) > 0 })
	return i, i < len(fr) && bytes.Compare(fr[i].lo, key) <= 0
}

// newestAt returns the highest seq <= snap of f (0: none).
func (f *delFragment) newestAt(snap uint64) uint64 {
	for _, s := range f.seqs {
		if s <= snap {
			return s
		}
	}
	return 0
}

// coverSeq returns the highest seq <= snap of a tombstone covering key (0:
// none).
func (d *rangeDels) coverSeq(key []byte, snap uint64) uint64 {
	var best uint64
	for _, fr := range [2][]delFragment{d.big, d.recent} {
		if i, ok := find(fr, key); ok {
			best = max(best, fr[i].newestAt(snap))
		}
	}
	// The few not yet in fragments, one by one: most are ruled out by
	// their prefixes.
	p := fenceOf(key)
	for i, b := range d.bounds[d.indexed:] {
		if p < b.lo || p > b.hi {
			continue
		}
		if rd := &d.all[d.indexed+i]; rd.seq > best && rd.seq <= snap && bytes.Compare(rd.lo, key) <= 0 && bytes.Compare(key, rd.hi) < 0 {
			best = rd.seq
		}
	}
	return best
}

// coverEnd returns the end of a run of keys from key that one tombstone
// visible at snap covers, and its seq: of the fragments and unmerged
// tombstones covering key, the one reaching furthest (nil, 0: none).
func (d *rangeDels) coverEnd(key []byte, snap uint64) (end []byte, seq uint64) {
	for _, fr := range [2][]delFragment{d.big, d.recent} {
		if i, ok := find(fr, key); ok {
			if s := fr[i].newestAt(snap); s != 0 && (end == nil || bytes.Compare(fr[i].hi, end) > 0) {
				end, seq = fr[i].hi, s
			}
		}
	}
	for _, rd := range d.all[d.indexed:] {
		if rd.seq <= snap && bytes.Compare(rd.lo, key) <= 0 && bytes.Compare(key, rd.hi) < 0 &&
			(end == nil || bytes.Compare(rd.hi, end) > 0) {
			end, seq = rd.hi, rd.seq
		}
	}
	return end, seq
}

// overlaps reports whether a tombstone visible at snap (seq <= snap)
// overlaps [lo, hi) (nil: unbounded): once per merge, for each buffer.
func (d *rangeDels) overlaps(lo, hi []byte, snap uint64) bool {
	for _, fr := range [2][]delFragment{d.big, d.recent} {
		i := 0
		if lo != nil {
			i, _ = find(fr, lo)
		}
		for ; i < len(fr) && (hi == nil || bytes.Compare(fr[i].lo, hi) < 0); i++ {
			if fr[i].seqs[len(fr[i].seqs)-1] <= snap { // the oldest
				return true
			}
		}
	}
	for _, rd := range d.all[d.indexed:] {
		if rd.seq <= snap && (hi == nil || bytes.Compare(rd.lo, hi) < 0) && (lo == nil || bytes.Compare(lo, rd.hi) < 0) &&
			bytes.Compare(rd.lo, rd.hi) < 0 {
			return true
		}
	}
	return false
}

// fragmentsOf returns the fragments of rds (sorted by lo).
func fragmentsOf(rds []rangeDel) []delFragment {
	out := make([]delFragment, 0, len(rds))
	seqs := make([]uint64, len(rds))
	for j, rd := range rds {
		if bytes.Compare(rd.lo, rd.hi) >= 0 {
			continue // empty: covers nothing
		}
		if n := len(out); n > 0 && bytes.Compare(out[n-1].hi, rd.lo) > 0 {
			return sweep(nil, rds) // two overlap
		}
		seqs[j] = rd.seq
		out = append(out, delFragment{lo: rd.lo, hi: rd.hi, seqs: seqs[j : j+1 : j+1]})
	}
	return out
}

// mergeFrags returns the fragments of a and b together.
func mergeFrags(a, b []delFragment) []delFragment {
	if len(a) == 0 {
		return b
	}
	out := make([]delFragment, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		if j == len(b) || (i < len(a) && bytes.Compare(a[i].lo, b[j].lo) < 0) {
			out = append(out, a[i])
			i++
		} else {
			out = append(out, b[j])
			j++
		}
		if n := len(out); n > 1 && bytes.Compare(out[n-2].hi, out[n-1].lo) > 0 {
			// Two overlap: sweep, b as the tombstones it stands for.
			var rds []rangeDel
			for _, f := range b {
				for _, s := range f.seqs {
					rds = append(rds, rangeDel{lo: f.lo, hi: f.hi, seq: s})
				}
			}
			return sweep(a, rds)
		}
	}
	return out
}

// sweep returns the fragments of frags (sorted, disjoint) and rds (sorted
// by lo) together: sorted, disjoint intervals, each with the seqs
// (descending) of the tombstones covering it; intervals none covers are
// left out. The starts of both are merged as they come, and so are their
// ends once rds' are sorted, so a sweep costs O(len(frags)) plus the sort
// of len(rds) ends.
func sweep(frags []delFragment, rds []rangeDel) []delFragment {
	type bound struct {
		at   []byte
		seqs []uint64
	}
	// An empty tombstone (lo >= hi) covers nothing, and its end would
	// come before its start.
	rds = slices.DeleteFunc(slices.Clone(rds), func(rd rangeDel) bool { return bytes.Compare(rd.lo, rd.hi) >= 0 })
	one := make([]uint64, len(rds)) // each tombstone's seq, as a slice
	var starts, ends []bound
	merge := func(out []bound, fr func(i int) bound, n int, rd func(i int) bound) []bound {
		i, j := 0, 0
		for i < n || j < len(rds) {
			if j == len(rds) || (i < n && bytes.Compare(fr(i).at, rd(j).at) <= 0) {
				out = append(out, fr(i))
				i++
			} else {
				out = append(out, rd(j))
				j++
			}
		}
		return out
	}
	for k := range rds {
		one[k] = rds[k].seq
	}
	starts = merge(make([]bound, 0, len(frags)+len(rds)),
		func(i int) bound { return bound{frags[i].lo, frags[i].seqs} }, len(frags),
		func(j int) bound { return bound{rds[j].lo, one[j : j+1]} })
	byHi := make([]int, len(rds))
	for k := range byHi {
		byHi[k] = k
	}
	slices.SortFunc(byHi, func(a, b int) int { return bytes.Compare(rds[a].hi, rds[b].hi) })
	ends = merge(make([]bound, 0, len(frags)+len(rds)),
		func(i int) bound { return bound{frags[i].hi, frags[i].seqs} }, len(frags),
		func(j int) bound { return bound{rds[byHi[j]].hi, one[byHi[j] : byHi[j]+1]} })

	out := make([]delFragment, 0, len(frags)+len(rds))
	var seqs []uint64 // the fragments' seqs, end to end
	var open []uint64 // the seqs of the tombstones covering the sweep's point
	si, ei := 0, 0
	for ei < len(ends) {
		at := ends[ei].at
		if si < len(starts) && bytes.Compare(starts[si].at, at) < 0 {
			at = starts[si].at
		}
		for ; ei < len(ends) && bytes.Equal(ends[ei].at, at); ei++ {
			for _, s := range ends[ei].seqs {
				j := slices.Index(open, s)
				open = slices.Delete(open, j, j+1)
			}
		}
		for ; si < len(starts) && bytes.Equal(starts[si].at, at); si++ {
			open = append(open, starts[si].seqs...)
		}
		if len(open) == 0 {
			continue
		}
		// Some tombstone is open: a later end closes it.
		next := ends[ei].at
		if si < len(starts) && bytes.Compare(starts[si].at, next) < 0 {
			next = starts[si].at
		}
		n := len(seqs)
		seqs = append(seqs, open...)
		slices.SortFunc(seqs[n:], cmpDesc)
		out = append(out, delFragment{lo: at, hi: next, seqs: seqs[n:len(seqs):len(seqs)]})
	}
	// seqs may have moved as it grew: point the fragments at its last
	// backing array.
	n := 0
	for k := range out {
		m := len(out[k].seqs)
		out[k].seqs = seqs[n : n+m : n+m]
		n += m
	}
	return out
}

func cmpDesc(a, b uint64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}
