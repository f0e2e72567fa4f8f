package segments

import (
	"bytes"
	"math/bits"
)

// source is one layer of a merged iteration: a buffer or a segment file.
// Sources are ordered newest first; every entry of source i is newer than
// every entry of source j > i.
type source interface {
	seekGE(lo []byte)
	valid() bool
	key() []byte // valid until next
	value() []byte
	kind() byte
	next()
	// hiddenLocal: the current entry is hidden by a newer range tombstone
	// of the same source (buffers only; files never hold such entries).
	hiddenLocal() bool
	// covers: a range tombstone of this source covers key, which hides
	// every version of key in older sources.
	covers(key []byte) bool
	// coverEnd: the end of a range tombstone of this source that covers
	// key (nil: none); every version of the keys in [key, end) in older
	// sources is hidden.
	coverEnd(key []byte) []byte
	hasSpans() bool
	// spansIn: a range tombstone of this source (visible at its snapshot)
	// overlaps [lo, hi) (nil: unbounded). A source without one cannot
	// hide any key a merge over [lo, hi) yields.
	spansIn(lo, hi []byte) bool
	// err is the error that stopped the source; valid is false once it is
	// set, so a merge looks at it only for sources that are not valid.
	err() error
}

// mergeIter merges sources into one ascending stream with one entry per
// key: the newest version, flagged hidden when a range tombstone hides it.
type mergeIter struct {
	srcs []source
	hi   []byte // exclusive upper bound; nil = none

	// current entry
	key, value []byte
	kind       byte
	hidden     bool
	src        int // index of the source that supplied it
	ok         bool
	error      error

	// With at most maxTracked sources, find records which sources it saw
	// on the current key (ties, bit i for source i), so that next advances
	// them without comparing each source's key with the current one again:
	// a merge step costs one key comparison per source, not two. spanned
	// marks the sources that may hold range tombstones (every buffer,
	// files with spans), the only ones find asks whether they hide the
	// current key.
	ties, spanned uint64
	// tabs holds srcs when every source is a file (a compaction) and there
	// are at most maxTracked: find and next then call the files' iterators
	// directly, not through the interface. With ties, this took a 4-file
	// compaction's merge steps from 340 to 217 million instructions of
	// 1,430 (BenchmarkCompact, callgrind).
	tabs []*tableIter
}

// maxTracked is the most sources whose ties and tombstones mergeIter
// tracks in its bitmasks; a merge of more (a store whose compactions are
// far behind) compares keys again in next.
const maxTracked = 64

func newMergeIter(srcs []source, lo, hi []byte) *mergeIter {
	m := &mergeIter{}
	m.init(srcs, lo, hi, nil)
	return m
}

// init sets m up as newMergeIter does, with tabs as the backing of m.tabs
// (nil: allocated when needed).
func (m *mergeIter) init(srcs []source, lo, hi []byte, tabs []*tableIter) {
	*m = mergeIter{srcs: srcs, hi: hi}
	for _, s := range srcs {
		s.seekGE(lo)
	}
	m.srcs = pruneSources(srcs, lo, hi, func(k []byte) bool { return hi == nil || bytes.Compare(k, hi) < 0 })
	if len(m.srcs) <= maxTracked {
		m.tabs = tabs[:0]
		if cap(m.tabs) < len(m.srcs) {
			m.tabs = make([]*tableIter, 0, len(m.srcs))
		}
		for i, s := range m.srcs {
			if t, ok := s.(*tableIter); ok {
				m.tabs = append(m.tabs, t)
			}
			// Only the merge's keys are asked about: a source whose
			// tombstones all lie outside [lo, hi) never hides one. (A
			// buffer's tombstones written after the merge starts are newer
			// than its snapshot, and hide nothing from it.)
			if s.spansIn(lo, hi) {
				m.spanned |= 1 << i
			}
		}
		if len(m.tabs) < len(m.srcs) {
			m.tabs = nil
		}
	}
	m.find()
}

// stopsAtHi reports whether s yields no key at or above the merge's bound
// by itself (a buffer iterator is bounded by hi; a file iterator is not),
// so that the merge need not compare each of its keys with hi again.
func stopsAtHi(s source) bool {
	_, ok := s.(*bufferIter)
	return ok
}

// pruneSources drops, after the seek, the sources with nothing left to
// yield in the merge's range [lo, hi) (inRange: the current key is in
// it) and no range tombstones over it (which could still hide keys of
// older sources), keeping the others in order. A short scan of one hash
// or stream usually finds its keys in one layer, and every merge step
// costs a visit of each source: a file seeks to the first key at or past
// lo, which for a small hash is most often another key's entry beyond hi,
// and kept, it was compared with every key the merge yielded (a fifth of
// HGETALL's CPU on a 100-field hash in the write buffer). Both
// directions' merges use it.
func pruneSources[S interface {
	valid() bool
	key() []byte
	err() error
	spansIn(lo, hi []byte) bool
}](srcs []S, lo, hi []byte, inRange func(key []byte) bool) []S {
	out := srcs[:0]
	for _, s := range srcs {
		if (s.valid() && inRange(s.key())) || s.err() != nil || s.spansIn(lo, hi) {
			out = append(out, s)
		}
	}
	return out
}

// find positions on the smallest key among the sources.
func (m *mergeIter) find() {
	if m.tabs != nil {
		m.findFiles()
		return
	}
	if b, ok := m.loneBuffer(); ok {
		m.findLone(b)
		return
	}
	m.ok = false
	best := -1
	var bestKey []byte
	var ties uint64
	for i, s := range m.srcs {
		if !s.valid() {
			if err := s.err(); err != nil {
				m.error = err
				return
			}
			continue
		}
		// With more than maxTracked sources ties is not used.
		k := s.key()
		if best < 0 {
			best, bestKey, ties = i, k, 1<<(i&63)
			continue
		}
		// Ties keep the lower index: the newest source.
		switch c := bytes.Compare(k, bestKey); {
		case c < 0:
			best, bestKey, ties = i, k, 1<<(i&63)
		case c == 0:
			ties |= 1 << (i & 63)
		}
	}
	if best < 0 {
		return
	}
	s := m.srcs[best]
	if m.hi != nil && !stopsAtHi(s) && bytes.Compare(bestKey, m.hi) >= 0 {
		return
	}
	m.key, m.value, m.kind, m.src, m.ok = bestKey, s.value(), s.kind(), best, true
	m.ties = ties
	m.hidden = s.hiddenLocal()
	if m.hidden {
		return
	}
	if len(m.srcs) > maxTracked {
		for j := 0; j < best && !m.hidden; j++ {
			if m.srcs[j].hasSpans() && m.srcs[j].covers(m.key) {
				m.hidden = true
			}
		}
		return
	}
	for t := m.spanned & (1<<best - 1); t != 0 && !m.hidden; t &= t - 1 {
		j := bits.TrailingZeros64(t)
		if m.srcs[j].hasSpans() && m.srcs[j].covers(m.key) {
			m.hidden = true
		}
	}
}

// findFiles is find for a merge of files only (m.tabs).
func (m *mergeIter) findFiles() {
	m.ok = false
	best := -1
	var bestKey []byte
	var ties uint64
	for i, t := range m.tabs {
		if !t.valid() {
			if err := t.err(); err != nil {
				m.error = err
				return
			}
			continue
		}
		k := t.key()
		if best < 0 {
			best, bestKey, ties = i, k, 1<<i
			continue
		}
		// Ties keep the lower index: the newest source.
		switch c := bytes.Compare(k, bestKey); {
		case c < 0:
			best, bestKey, ties = i, k, 1<<i
		case c == 0:
			ties |= 1 << i
		}
	}
	if best < 0 {
		return
	}
	t := m.tabs[best]
	if m.hi != nil && !t.belowHi && bytes.Compare(bestKey, m.hi) >= 0 {
		return
	}
	m.key, m.value, m.kind, m.src, m.ok = bestKey, t.value(), t.kind(), best, true
	m.ties = ties
	m.hidden = false // a file holds no entry its own spans hide
	for s := m.spanned & (1<<best - 1); s != 0 && !m.hidden; s &= s - 1 {
		m.hidden = m.tabs[bits.TrailingZeros64(s)].covers(m.key)
	}
}

// loneBuffer returns the merge's source when it is its only one and a
// buffer (a short scan of a hash or stream written since the last
// flush): find and next then reach it directly, not through the
// interface's five calls per key, a third of such a scan's time
// (BenchmarkScanShadowed/buffer).
func (m *mergeIter) loneBuffer() (*bufferIter, bool) {
	if len(m.srcs) != 1 {
		return nil, false
	}
	b, ok := m.srcs[0].(*bufferIter)
	return b, ok
}

// findLone is find for a merge of one buffer, which stops at hi itself.
func (m *mergeIter) findLone(b *bufferIter) {
	if m.ok = b.n != nil; !m.ok {
		return
	}
	m.key, m.value, m.kind, m.src, m.ties = b.n.key, b.n.value, b.n.kind, 0, 1
	m.hidden = b.hiddenLocal()
}

// skipHidden advances past the current key, which is hidden, and moves
// every source older than the newest range tombstone hiding it past that
// tombstone's end: a read that starts inside a large deleted range (a
// trimmed stream, a dropped hash) seeks over it instead of stepping
// through every hidden key. Sources as new as the tombstone's step
// normally: they may hold keys written after it.
func (m *mergeIter) skipHidden() {
	j := -1
	var end []byte
	for i := 0; i <= m.src; i++ {
		s := m.srcs[i]
		if (i < m.src && s.hasSpans() && s.covers(m.key)) || (i == m.src && s.hiddenLocal()) {
			j, end = i, s.coverEnd(m.key)
			break
		}
	}
	if j < 0 || end == nil {
		m.next()
		return
	}
	// Hidden by a tombstone of its own buffer: skip the run of keys that
	// tombstone hides there too.
	var bi *bufferIter
	var tombSeq uint64
	if j == m.src {
		if b, ok := m.srcs[j].(*bufferIter); ok {
			bi = b
			end, tombSeq = b.b.coverEnd(m.key, b.snap)
		}
	}
	if bi == nil && !m.olderBelow(j, end) {
		m.next()
		return
	}
	k := bytes.Clone(m.key) // it may alias a source that moves
	for i, s := range m.srcs {
		switch {
		case !s.valid():
		case i == j && bi != nil:
			bi.skipCovered(end, tombSeq)
		case i > j && bytes.Compare(s.key(), end) < 0:
			s.seekGE(end)
		case bytes.Equal(s.key(), k):
			s.next()
		}
	}
	m.find()
}

// olderBelow reports whether a source older than j is positioned below
// end (after one skip they are not, so a run of hidden keys in j itself
// costs no seeks).
func (m *mergeIter) olderBelow(j int, end []byte) bool {
	for _, s := range m.srcs[j+1:] {
		if s.valid() && bytes.Compare(s.key(), end) < 0 {
			return true
		}
	}
	return false
}

// next advances every source positioned on the current key.
func (m *mergeIter) next() {
	// The current key may alias a source's buffer: advance the others first.
	if m.tabs != nil {
		for t := m.ties &^ (1 << m.src); t != 0; t &= t - 1 {
			m.tabs[bits.TrailingZeros64(t)].next()
		}
		m.tabs[m.src].next()
		m.find()
		return
	}
	if b, ok := m.loneBuffer(); ok {
		b.next()
		m.findLone(b)
		return
	}
	if len(m.srcs) <= maxTracked {
		for t := m.ties &^ (1 << m.src); t != 0; t &= t - 1 {
			m.srcs[bits.TrailingZeros64(t)].next()
		}
	} else {
		k := m.key
		for i, s := range m.srcs {
			if i != m.src && s.valid() && bytes.Equal(s.key(), k) {
				s.next()
			}
		}
	}
	m.srcs[m.src].next()
	m.find()
}
