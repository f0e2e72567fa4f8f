package segments

import "bytes"

// Cache warming after a compaction.
//
// A compaction replaces its inputs by one new file, and the inputs' cached
// blocks leave the cache with them. Without warming, every block of the
// output that readers want is read again on its first miss: one pread,
// one checksum and one allocation per block, ~4 µs, on the reader's
// critical path (7.5% of the server's CPU under HSET at pipeline 16 on
// one growing hash, whose compactions rewrite it every few seconds).
//
// So the compactor notes which output blocks cover keys the inputs had
// cached (hotBlocks), lets the inputs go, and then reads those blocks
// from the new file (just written, so in the page cache) in large chunks
// and caches them (warm). It warms at most as many bytes as the inputs
// had cached: the cache holds what it held, now from the new file, and
// neither its occupancy nor RSS grows (a flushed file is not warmed for
// that reason: caching every flush would fill the cache with data nobody
// read). A block readers cached meanwhile is skipped; a block that fails
// its checksum is left alone for a reader to report.

// warmJob is the warming a compaction leaves to do once its inputs are
// released.
type warmJob struct {
	t      *table
	hot    []bool // by block of t
	budget int64  // bytes of cache to fill at most
}

// warmChunk is the most one read of the warming reads: a run of adjacent
// hot blocks.
const warmChunk = 1 << 20

// hotBlocks returns the warming for out, the output of a compaction of
// inputs: its blocks whose key range overlaps a block of an input that is
// in the cache now, within the cache bytes those blocks hold. nil when
// none is.
func hotBlocks(out *table, inputs []*table) *warmJob {
	var hot []bool
	var budget, hotBytes int64
	for _, t := range inputs {
		j := 0
		for i := range t.index {
			n := t.blocks[i].Load()
			if n == nil {
				continue
			}
			budget += n.data.cost() + cacheNodeOverhead
			h := &t.index[i]
			for j < len(out.index) && bytes.Compare(out.index[j].last, h.first) < 0 {
				j++
			}
			for k := j; k < len(out.index) && bytes.Compare(out.index[k].first, h.last) <= 0; k++ {
				if hot == nil {
					hot = make([]bool, len(out.index))
				}
				if !hot[k] {
					hot[k] = true
					hotBytes += int64(out.index[k].length) + cacheNodeOverhead
				}
			}
		}
	}
	if hot == nil {
		return nil
	}
	// Over budget (a block of a small input spans many of the output's):
	// keep an even spread of the hot blocks, not the lowest keys.
	if hotBytes > budget {
		keep, acc := float64(budget)/float64(hotBytes), 0.0
		for k := range hot {
			if !hot[k] {
				continue
			}
			if acc += keep; acc >= 1 {
				acc--
			} else {
				hot[k] = false
			}
		}
	}
	return &warmJob{t: out, hot: hot, budget: budget}
}

// warm caches w's hot blocks, reading runs of adjacent ones at most
// warmChunk bytes at a time. It stops when the store closes or a read
// fails.
func (s *Store) warm(w *warmJob) {
	t := w.t
	t.ref()
	defer t.unref()
	end := func(k int) uint64 { return t.index[k].off + t.index[k].length + blockTrailer }
	var buf []byte
	for i := 0; i < len(w.hot) && w.budget > 0; {
		if !w.hot[i] {
			i++
			continue
		}
		j := i + 1
		for j < len(w.hot) && w.hot[j] && end(j)-t.index[i].off <= warmChunk {
			j++
		}
		if s.closed.Load() {
			return
		}
		off := t.index[i].off
		n := int(end(j-1) - off)
		if cap(buf) < n {
			buf = make([]byte, n)
		}
		if err := t.readAt(buf[:n], int64(off)); err != nil {
			return
		}
		for k := i; k < j; k++ {
			if t.blocks[k].Load() != nil {
				continue
			}
			h := &t.index[k]
			raw := make([]byte, h.length+blockTrailer)
			copy(raw, buf[h.off-off:])
			node := new(cacheNode)
			if t.decodeBlock(k, raw, &node.data) != nil || t.cacheBlock(k, node) != nil {
				continue
			}
			w.budget -= node.data.cost() + cacheNodeOverhead
		}
		i = j
	}
}
