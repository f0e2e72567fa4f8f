package segments

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// Compaction policy (size-tiered over a time-ordered file list; see the
// package doc for the bounds it guarantees).
//
// Files are kept newest first and cover disjoint, ordered sequence ranges,
// so a compaction always merges a contiguous run of files and its output
// takes the run's place. The oldest file is the *base*. Every other file
// has a tier: a flush writes tier 0; merging the files of tier t writes one
// file of tier t+1. Tiers never decrease from newest to oldest, so the
// files of one tier are contiguous.
//
// The compactor picks, in order:
//  1. a full compaction (every file into one new base) when the files
//     above the base total at least the base's size, or when the estimated
//     garbage in the base (its entries overwritten or deleted by newer
//     files) reaches half its size;
//  2. otherwise the files of the lowest tier holding fanout files.
const fanout = 4

type compactionPlan struct {
	inputs []*table // contiguous run, newest first
	older  []*table // files older than the run
	tier   uint32   // output tier
	full   bool
}

func (s *Store) requestCompaction() {
	select {
	case s.compactCh <- struct{}{}:
	default:
	}
}

func (s *Store) compactLoop() {
	defer s.wg.Done()
	if by := s.opts.CompactionNice; by > 0 {
		// Compactions are work the writes left behind, and can wait for
		// the CPU the requests leave (the package doc's Concurrency).
		if nice, err := lowerPriority(by); err != nil {
			s.opts.Logger.Warn("segments: the compactor runs at the process's priority", "dir", s.dir, "err", err)
		} else {
			s.opts.Logger.Debug("segments: compactor thread", "dir", s.dir, "nice", nice)
		}
	}
	for {
		select {
		case <-s.compactCh:
		case <-s.closing:
			return
		}
		for s.Err() == nil {
			did, err := s.compactOnce(false)
			if errors.Is(err, errAborted) {
				return
			}
			if err != nil {
				s.fail(fmt.Errorf("segments: compaction: %w", err))
				break
			}
			if !did {
				break
			}
		}
	}
}

// Compact runs one full compaction now: every file is merged into one,
// dropping shadowed versions, tombstones and the data they hide.
func (s *Store) Compact() error {
	if s.closed.Load() {
		return ErrClosed
	}
	if err := s.Err(); err != nil {
		return err
	}
	_, err := s.compactOnce(true)
	if errors.Is(err, errAborted) {
		return ErrClosed
	}
	if err != nil {
		s.fail(fmt.Errorf("segments: compaction: %w", err))
		return err
	}
	// Files a read released last before now are the reaper's: gone too
	// when Compact returns.
	s.reaper.wait()
	return nil
}

// compactOnce picks and runs one compaction; did=false when none is due.
func (s *Store) compactOnce(full bool) (did bool, err error) {
	s.compactMu.Lock()
	defer s.compactMu.Unlock()
	s.mu.RLock()
	v := s.current
	v.ref()
	s.mu.RUnlock()
	var p *compactionPlan
	if full {
		p = planFull(v.files)
	} else {
		p = pickCompaction(v.files)
	}
	if p == nil {
		v.unref()
		return false, nil
	}
	w, err := s.runCompaction(p)
	// Release the inputs (their cached blocks go when the last reader lets
	// go) before warming their replacement.
	v.unref()
	if w != nil {
		s.warm(w)
	}
	return true, err
}

func planFull(files []*table) *compactionPlan {
	n := len(files)
	if n == 0 || (n == 1 && files[0].props.tombstones == 0 && len(files[0].spans) == 0) {
		return nil
	}
	p := &compactionPlan{inputs: files, full: true}
	for _, t := range files {
		p.tier = max(p.tier, t.props.tier)
	}
	return p
}

func pickCompaction(files []*table) *compactionPlan {
	n := len(files)
	if n < 2 {
		return nil
	}
	base, newer := files[n-1], files[:n-1]
	var newerSize int64
	for _, t := range newer {
		newerSize += t.size
	}
	if newerSize >= base.size || 2*baseGarbage(newer, base) >= base.size {
		return planFull(files)
	}
	for i := 0; i < len(newer); {
		j := i
		for j < len(newer) && newer[j].props.tier == newer[i].props.tier {
			j++
		}
		if j-i >= fanout {
			return &compactionPlan{inputs: newer[i:j], older: files[j:], tier: newer[i].props.tier + 1}
		}
		i = j
	}
	return nil
}

// baseGarbage estimates the bytes of base made garbage by newer files:
// each newer entry whose key base holds shadows one average base entry
// (shadowShare says what share of a file's entries that is), and each
// range tombstone the base blocks it overlaps.
func baseGarbage(newer []*table, base *table) int64 {
	avg := float64(base.size) / float64(max(base.props.entries, 1))
	var g float64
	for _, t := range newer {
		g += shadowShare(t, base)*float64(t.props.entries)*avg + float64(spanGarbage(t, base))
	}
	return int64(min(g, float64(base.size)))
}

// spanGarbage is the bytes of the base blocks each of t's range
// tombstones overlaps (a block counted once per tombstone), kept on the
// file like shadowShare. The blocks one tombstone overlaps are a run of
// base's index, found by binary search: the compactor asks at every
// pick, and a burst of hash deletes leaves dozens of files of a thousand
// tombstones each over a base of thousands of blocks (comparing each
// pair was a third of the server's CPU under DEL of 3-field hashes).
func spanGarbage(t, base *table) int64 {
	if len(t.spans) == 0 {
		return 0
	}
	if e := t.spanEst.Load(); e != nil && e.base == base {
		return e.bytes
	}
	var g int64
	idx := base.index
	for _, sp := range t.spans {
		i := sort.Search(len(idx), func(i int) bool { return string(idx[i].last) >= string(sp.lo) })
		for ; i < len(idx) && string(idx[i].first) < string(sp.hi); i++ {
			g += int64(idx[i].length + blockTrailer)
		}
	}
	t.spanEst.Store(&spanEst{base: base, bytes: g})
	return g
}

// shadowEst is a file's shadowShare over one base, kept on the file
// (both are immutable, so it holds until the base changes).
type shadowEst struct {
	base  *table
	share float64
}

// spanEst is a file's spanGarbage over one base, kept like shadowEst.
type spanEst struct {
	base  *table
	bytes int64
}

// shadowShare estimates the share of t's entries whose keys base holds:
// the share of t's block bounds (each block's first and last key, an
// even sample of its keys) that base's bloom filter admits. A store that
// only grows (new hash fields, stream entries, keys) shadows next to
// nothing, and a newer file that rewrites the base's keys shadows about
// all of its entries; counting every newer entry as an overwrite, as the
// estimate did before, made a growing store rewrite its base each time
// it grew by half (a third more compaction than the size rule alone).
// False positives (about 1% at 10 bits per key) err towards compacting.
func shadowShare(t, base *table) float64 {
	if e := t.shadow.Load(); e != nil && e.base == base {
		return e.share
	}
	var n, hit int
	for i := range t.index {
		h := &t.index[i]
		n += 2
		if base.mayContain(h.first) {
			hit++
		}
		if base.mayContain(h.last) {
			hit++
		}
	}
	share := 0.0
	if n > 0 {
		share = float64(hit) / float64(n)
	}
	t.shadow.Store(&shadowEst{base: base, share: share})
	return share
}

// runCompaction merges p.inputs into one file and commits the new file set
// with the unchanged checkpoint LSN, and returns the output's cache
// warming (nil: none) for after the inputs are released. Caller holds
// compactMu.
func (s *Store) runCompaction(p *compactionPlan) (*warmJob, error) {
	s.commitMu.Lock()
	num := s.nextFile
	s.nextFile++
	s.commitMu.Unlock()

	var est uint64
	lsnLo, seqLo := LSN(math.MaxUint64), uint64(math.MaxUint64)
	var lsnHi LSN
	var seqHi uint64
	srcs := make([]source, len(p.inputs))
	var spans []span
	for i, t := range p.inputs {
		est += t.props.entries
		lsnLo, lsnHi = min(lsnLo, t.props.minLSN), max(lsnHi, t.props.maxLSN)
		seqLo, seqHi = min(seqLo, t.props.minSeq), max(seqHi, t.props.maxSeq)
		srcs[i] = &tableIter{t: t, noCache: true}
		spans = append(spans, t.spans...)
	}
	// A tombstone may be dropped only if no file older than the run could
	// hold data it hides.
	olderMayHold := func(key []byte) bool { return mayHold(p.older, key) }
	kept := spans[:0:0]
	for _, sp := range mergeSpans(spans) {
		for _, t := range p.older {
			if t.overlaps(sp.lo, sp.hi) {
				kept = append(kept, sp)
				break
			}
		}
	}
	tw, err := newTableWriter(s.dir, num, est, &s.opts)
	if err != nil {
		return nil, err
	}
	m := newMergeIter(srcs, nil, nil)
	var bc blockCopier
	for n, paused := 0, 0; m.ok; {
		if n/yieldEvery != paused {
			if paused = n / yieldEvery; s.pause() {
				tw.abort()
				return nil, errAborted
			}
		}
		if bc.copyBlock(m, tw, olderMayHold) {
			n += int(bc.st.entries)
			continue
		}
		n++
		if !m.hidden && (m.kind != kindTombstone || olderMayHold(m.key)) {
			tw.add(m.key, m.value, m.kind)
		}
		m.next()
	}
	s.copiedBlocks.Add(bc.copied)
	if m.error != nil {
		tw.abort()
		return nil, m.error
	}
	var out *table
	if !tw.empty(kept) {
		size, err := tw.finish(kept, lsnLo, lsnHi, seqLo, seqHi, p.tier)
		if err != nil {
			return nil, err
		}
		if out, err = openTable(tw.path, num, size, s.cache); err != nil {
			return nil, err
		}
		s.compactedBytes.Add(size)
	} else {
		tw.abort()
	}

	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	s.mu.RLock()
	cur := s.current.files
	s.mu.RUnlock()
	at := -1
	for i, t := range cur {
		if t == p.inputs[0] {
			at = i
			break
		}
	}
	if at < 0 || at+len(p.inputs) > len(cur) {
		return nil, fmt.Errorf("compaction inputs vanished from the file set")
	}
	for k, t := range p.inputs {
		if cur[at+k] != t {
			return nil, fmt.Errorf("compaction inputs not contiguous in the file set")
		}
	}
	files := append(append([]*table(nil), cur[:at]...), cur[at+len(p.inputs):]...)
	if out != nil {
		files = append(append(append([]*table(nil), cur[:at]...), out), cur[at+len(p.inputs):]...)
	}
	if err := s.commit(s.checkpoint.Load(), s.committedSeq, files); err != nil {
		if out != nil {
			out.obsolete.Store(true)
			out.unref()
		}
		return nil, err
	}
	// Committed: the inputs are garbage once the last reader lets go.
	for _, t := range p.inputs {
		t.obsolete.Store(true)
	}
	var w *warmJob
	if out != nil {
		w = hotBlocks(out, p.inputs)
	}
	s.mu.Lock()
	s.install(files)
	s.mu.Unlock()
	s.compactions.Add(1)
	return w, nil
}

// Stats returns a summary of the store.
func (s *Store) Stats() Stats {
	s.mu.RLock()
	v := s.current
	v.ref()
	nFrozen := len(s.frozen)
	s.mu.RUnlock()
	defer v.unref()
	cacheBytes, cacheHits, cacheMisses := s.cache.stats()
	rowHits, rowMisses := s.rows.stats()
	st := Stats{
		Files:          len(v.files),
		BufferedBytes:  s.BufferedBytes(),
		FrozenBuffers:  nFrozen,
		Flushes:        s.flushes.Load(),
		Compactions:    s.compactions.Load(),
		CompactedBytes: s.compactedBytes.Load(),
		CopiedBlocks:   s.copiedBlocks.Load(),
		CacheBytes:     cacheBytes,
		CacheHits:      cacheHits,
		CacheMisses:    cacheMisses,
		RowHits:        rowHits,
		RowMisses:      rowMisses,
		AppliedLSN:     s.AppliedLSN(),
		CheckpointLSN:  s.CheckpointLSN(),
	}
	for _, t := range v.files {
		st.DiskBytes += t.size
		st.Entries += int64(t.props.entries)
		st.Tombstones += int64(t.props.tombstones)
		st.RangeDels += int64(t.props.rangeDels)
		for int(t.props.tier) >= len(st.FilesPerTier) {
			st.FilesPerTier = append(st.FilesPerTier, 0)
		}
		st.FilesPerTier[t.props.tier]++
	}
	if n := len(v.files); n > 0 {
		base := v.files[n-1]
		st.GarbageEst = baseGarbage(v.files[:n-1], base)
		for _, t := range v.files[:n-1] {
			st.GarbageEst += int64(t.props.tombstones) * int64(t.size) / int64(max(t.props.entries, 1))
		}
		st.LiveBytesEst = max(st.DiskBytes-st.GarbageEst, 0)
		st.GarbageEst = st.DiskBytes - st.LiveBytesEst
		if st.LiveBytesEst > 0 {
			st.SpaceAmp = float64(st.DiskBytes) / float64(st.LiveBytesEst)
		}
	}
	return st
}
