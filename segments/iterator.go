package segments

import "bytes"

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
}

func newMergeIter(srcs []source, lo, hi []byte) *mergeIter {
	m := &mergeIter{srcs: srcs, hi: hi}
	for _, s := range srcs {
		s.seekGE(lo)
	}
	m.srcs = pruneSources(srcs)
	m.find()
	return m
}

// stopsAtHi reports whether s yields no key at or above the merge's bound
// by itself (a buffer iterator is bounded by hi; a file iterator is not),
// so that the merge need not compare each of its keys with hi again.
func stopsAtHi(s source) bool {
	_, ok := s.(*bufferIter)
	return ok
}

// pruneSources drops, after the seek, the sources with nothing left to
// yield and no range tombstones (which could still hide keys of older
// sources), keeping the others in order: a short scan of one hash or
// stream usually finds its keys in one layer, and every merge step costs
// a visit of each source. Both directions' merges use it.
func pruneSources[S interface {
	valid() bool
	err() error
	hasSpans() bool
}](srcs []S) []S {
	out := srcs[:0]
	for _, s := range srcs {
		if s.valid() || s.err() != nil || s.hasSpans() {
			out = append(out, s)
		}
	}
	return out
}

// find positions on the smallest key among the sources.
func (m *mergeIter) find() {
	m.ok = false
	best := -1
	for i, s := range m.srcs {
		if err := s.err(); err != nil {
			m.error = err
			return
		}
		if !s.valid() {
			continue
		}
		if best < 0 || bytes.Compare(s.key(), m.srcs[best].key()) < 0 {
			best = i // ties keep the lower index: the newest source
		}
	}
	if best < 0 {
		return
	}
	s := m.srcs[best]
	if m.hi != nil && !stopsAtHi(s) && bytes.Compare(s.key(), m.hi) >= 0 {
		return
	}
	m.key, m.value, m.kind, m.src, m.ok = s.key(), s.value(), s.kind(), best, true
	m.hidden = s.hiddenLocal()
	for j := 0; j < best && !m.hidden; j++ {
		if m.srcs[j].hasSpans() && m.srcs[j].covers(m.key) {
			m.hidden = true
		}
	}
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
	k := m.key
	for i, s := range m.srcs {
		if i != m.src && s.valid() && bytes.Equal(s.key(), k) {
			s.next()
		}
	}
	m.srcs[m.src].next()
	m.find()
}
