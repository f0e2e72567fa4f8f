package segments

import (
	"bytes"
	"sort"
)

// bufferRun is what the buffers decide in the range of a ScanLive: the
// entries a merge of the buffers alone yields, in key order, values and
// tombstones (keys a buffer's range tombstone hides are not in it). Keys
// and values alias the buffers, valid while the scan's view is held.
//
// It is also a source: when the buffers hold fewer live keys than the
// range has, it stands in for them in a merge with the files, instead of
// the buffers being merged again. A key it holds is decided (a tie with a
// file hides the file's version); its questions about range tombstones go
// to the buffers it was read from, whose tombstones hide the files' keys
// as they would in a merge of every layer.
type bufferRun struct {
	keys, vals [][]byte
	kinds      []byte
	bufs       []bufferIter // every buffer of the view, newest first
	at         int          // the source's position
}

// runResult is what collect found.
type runResult int

const (
	runNone runResult = iota // not kept whole (more entries or live keys than expected): merge every layer
	runAll                   // the buffers hold every live key of the range
	runPart                  // they hold fewer: merge the run with the files
)

// maxRunEntries bounds a run's entries, tombstones included.
const maxRunEntries = 2 * maxLiveScan

// collect keeps the entries m, a merge of the buffers bufs, yields, and
// compares its live keys with live.
func (r *bufferRun) collect(m *mergeIter, live int64, bufs []bufferIter) runResult {
	r.bufs, r.at = bufs, 0
	var n int64
	for m.ok {
		if m.hidden {
			m.skipHidden()
			continue
		}
		if len(r.keys) == maxRunEntries {
			return runNone
		}
		if m.kind != kindTombstone {
			if n++; n > live {
				return runNone
			}
		}
		r.keys = append(r.keys, m.key)
		r.vals = append(r.vals, m.value)
		r.kinds = append(r.kinds, m.kind)
		m.next()
	}
	switch {
	case m.error != nil:
		return runNone
	case n == live:
		return runAll
	}
	return runPart
}

// reset empties r, keeping its arrays.
func (r *bufferRun) reset() {
	clear(r.keys[:cap(r.keys)])
	clear(r.vals[:cap(r.vals)])
	*r = bufferRun{keys: r.keys[:0], vals: r.vals[:0], kinds: r.kinds[:0]}
}

func (r *bufferRun) seekGE(lo []byte) {
	r.at = sort.Search(len(r.keys), func(i int) bool { return bytes.Compare(r.keys[i], lo) >= 0 })
}
func (r *bufferRun) valid() bool       { return r.at < len(r.keys) }
func (r *bufferRun) key() []byte       { return r.keys[r.at] }
func (r *bufferRun) value() []byte     { return r.vals[r.at] }
func (r *bufferRun) kind() byte        { return r.kinds[r.at] }
func (r *bufferRun) next()             { r.at++ }
func (r *bufferRun) hiddenLocal() bool { return false } // hidden keys were left out
func (r *bufferRun) err() error        { return nil }

// coverer is the newest buffer whose range tombstone covers key (nil:
// none).
func (r *bufferRun) coverer(key []byte) *bufferIter {
	for i := range r.bufs {
		if b := &r.bufs[i]; b.hasSpans() && b.covers(key) {
			return b
		}
	}
	return nil
}

func (r *bufferRun) covers(key []byte) bool { return r.coverer(key) != nil }

func (r *bufferRun) coverEnd(key []byte) []byte {
	if b := r.coverer(key); b != nil {
		return b.coverEnd(key)
	}
	return nil
}

func (r *bufferRun) hasSpans() bool {
	for i := range r.bufs {
		if r.bufs[i].hasSpans() {
			return true
		}
	}
	return false
}

func (r *bufferRun) spansIn(lo, hi []byte) bool {
	for i := range r.bufs {
		if r.bufs[i].spansIn(lo, hi) {
			return true
		}
	}
	return false
}
