package segments

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Store is a log-structured merge store of byte keys and values whose
// durable state is complete up to its checkpoint LSN. See the package doc
// for the concurrency contract.
type Store struct {
	dir   string
	opts  Options
	cache *blockCache
	rows  *rowCache // nil: none

	// Writer-only state: touched only by the single writer (Put, Delete,
	// DeleteRange, and Flush, which callers call at record boundaries).
	seq        uint64
	needFreeze bool

	applied    atomic.Uint64 // highest LSN passed to a write
	visibleSeq atomic.Uint64 // highest seq fully inserted into the active buffer
	checkpoint atomic.Uint64 // LSN of the last committed state
	active     atomic.Pointer[buffer]

	mu      sync.RWMutex // guards frozen and current, and the swaps of active; readers take a view under it
	frozen  []*buffer    // frozen buffers waiting for the flusher, oldest first; replaced, never mutated in place
	current *version     // the committed file set
	cond    *sync.Cond   // on mu: signalled when a frozen buffer is flushed or the store fails or closes

	commitMu      sync.Mutex // serializes file-set edits and Commit calls (flusher vs compactor); guards the fields below
	nextFile      uint64
	committedSeq  uint64
	lastCommitted []byte // last state passed to Commit (tests, debugging)

	compactMu sync.Mutex // held for the whole of a compaction: one at a time

	errMu  sync.Mutex // guards bgErr
	bgErr  error
	closed atomic.Bool

	flushCh   chan struct{} // wakes the flusher (capacity 1: coalesces)
	compactCh chan struct{} // wakes the compactor (capacity 1: coalesces)
	closing   chan struct{} // closed by Close
	wg        sync.WaitGroup

	flushes, compactions, compactedBytes atomic.Int64
	copiedBlocks                         atomic.Int64 // data blocks compactions copied as they were

	// mem is the memory flushed buffers hand back to the next ones;
	// retired, the flushed buffers a reader may still be inside
	// (flusher only; buffermem.go).
	mem     *bufferMem
	retired []*buffer

	// reaper deletes the obsolete files readers release last.
	reaper *reaper
}

// version is an immutable file set, newest file first. Readers hold a
// reference for the duration of a Get or Scan; the store holds one for the
// current version. Each version holds one reference on each of its tables.
type version struct {
	files []*table
	refs  atomic.Int64
	// id is unique among all versions of all stores: ReadHints name the
	// version they hold for by it, which, unlike a pointer, does not keep
	// the version's files in memory.
	id uint64
}

// versionIDs numbers versions (newVersion).
var versionIDs atomic.Uint64

func newVersion(files []*table) *version {
	v := &version{files: files, id: versionIDs.Add(1)}
	v.refs.Store(1)
	return v
}

func (v *version) ref() { v.refs.Add(1) }

func (v *version) unref() { v.drop(nil) }

// drop is unref that hands the tables it releases last to r (table.drop).
func (v *version) drop(r *reaper) {
	if v.refs.Add(-1) == 0 {
		for _, t := range v.files {
			t.drop(r)
		}
	}
}

// Open opens the store in dir with the state last passed to Commit (nil =
// empty store). Files in dir not referenced by state (from a crashed flush
// or compaction) are deleted. Every referenced file is validated; damage is
// reported as *CorruptionError.
func Open(dir string, state []byte, checkpointLSN LSN, opts Options) (*Store, error) {
	opts.applyDefaults()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	st := storeState{nextFile: 1}
	if state != nil {
		var err error
		if st, err = decodeState(state); err != nil {
			return nil, err
		}
	}
	s := &Store{
		dir:       dir,
		opts:      opts,
		cache:     opts.blockCache(),
		rows:      newRowCache(opts.RowCacheSize),
		flushCh:   make(chan struct{}, 1),
		compactCh: make(chan struct{}, 1),
		closing:   make(chan struct{}),
		nextFile:  st.nextFile,
		seq:       st.lastSeq,
	}
	s.committedSeq = st.lastSeq
	s.cond = sync.NewCond(&s.mu)
	if err := s.removeUnreferenced(st); err != nil {
		return nil, err
	}
	files := make([]*table, 0, len(st.files))
	for _, fm := range st.files {
		t, err := openTable(filepath.Join(dir, segName(fm.num)), fm.num, int64(fm.size), s.cache)
		if err != nil {
			for _, t := range files {
				t.unref()
			}
			return nil, err
		}
		files = append(files, t)
	}
	s.current = newVersion(files)
	s.mem = new(bufferMem)
	s.active.Store(newBuffer(0, s.mem))
	s.visibleSeq.Store(s.seq)
	s.applied.Store(checkpointLSN)
	s.checkpoint.Store(checkpointLSN)
	s.lastCommitted = state
	s.reaper = newReaper()
	s.wg.Add(2)
	go s.flushLoop()
	go s.compactLoop()
	s.requestCompaction()
	return s, nil
}

// removeUnreferenced deletes segment files (and temporaries) the committed
// state does not list.
func (s *Store) removeUnreferenced(st storeState) error {
	live := make(map[string]bool, len(st.files))
	for _, f := range st.files {
		live[segName(f.num)] = true
	}
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		return err
	}
	removed := 0
	for _, e := range ents {
		name := e.Name()
		base, tmp := strings.CutSuffix(name, ".tmp")
		num, ok := strings.CutSuffix(base, ".seg")
		if !ok {
			continue
		}
		if _, err := strconv.ParseUint(num, 10, 64); err != nil {
			continue
		}
		if !tmp && live[name] {
			continue
		}
		if err := os.Remove(filepath.Join(s.dir, name)); err != nil {
			return err
		}
		s.opts.Logger.Info("segments: removed file not in committed state", "dir", s.dir, "file", name)
		removed++
	}
	if removed > 0 {
		return syncDir(s.dir)
	}
	return nil
}

// Err returns the fatal background error, if any.
func (s *Store) Err() error {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	return s.bgErr
}

func (s *Store) fail(err error) {
	s.errMu.Lock()
	if s.bgErr == nil {
		s.bgErr = err
		s.opts.Logger.Error("segments: background failure; store refuses further flushes", "dir", s.dir, "err", err)
	}
	s.errMu.Unlock()
	s.mu.Lock()
	s.cond.Broadcast()
	s.mu.Unlock()
}

// Put stores value under key. Writer only; value is copied.
func (s *Store) Put(lsn LSN, key, value []byte) {
	s.write(lsn, kindValue, key, value)
}

// Delete writes a point tombstone for key. Writer only.
func (s *Store) Delete(lsn LSN, key []byte) {
	s.write(lsn, kindTombstone, key, nil)
}

// DeleteRange writes a range tombstone hiding every older entry in
// [lo, hi). An empty range (lo >= hi) is a no-op. Writer only.
func (s *Store) DeleteRange(lsn LSN, lo, hi []byte) {
	s.beginRecord(lsn)
	if string(lo) >= string(hi) {
		return
	}
	s.seq++
	b := s.active.Load()
	b.addRangeDel(lsn, s.seq, clone(lo), clone(hi))
	s.endWrite(lsn, b)
}

func clone(b []byte) []byte { return append(make([]byte, 0, len(b)), b...) }

func (s *Store) write(lsn LSN, kind byte, key, value []byte) {
	s.beginRecord(lsn)
	s.seq++
	b := s.active.Load()
	b.add(lsn, s.seq, kind, key, value)
	s.endWrite(lsn, b)
}

// beginRecord freezes a full buffer, but only at a record boundary (the
// first write of a new LSN): a frozen buffer is committed at its highest
// LSN, so it must not hold part of a record.
func (s *Store) beginRecord(lsn LSN) {
	if s.needFreeze && lsn > s.applied.Load() {
		s.needFreeze = false
		if s.overFull(s.active.Load()) {
			s.freeze(false) // errors are sticky in Err; writes continue into memory
		}
	}
}

func (s *Store) endWrite(lsn LSN, b *buffer) {
	if lsn > s.applied.Load() {
		s.applied.Store(lsn)
	}
	s.visibleSeq.Store(s.seq)
	if s.overFull(b) {
		s.needFreeze = true
	}
}

func (s *Store) overFull(b *buffer) bool {
	return b.bytes.Load() > s.opts.BufferSize || len(b.rdels.Load().all) >= maxBufferRangeDels
}

// AppliedLSN returns the highest LSN passed to a write (or the checkpoint
// LSN given to Open).
func (s *Store) AppliedLSN() LSN { return s.applied.Load() }

// CheckpointLSN returns the highest LSN whose effects are all in committed
// segment files.
func (s *Store) CheckpointLSN() LSN { return s.checkpoint.Load() }

// BufferedBytes returns the approximate size of the active buffer.
func (s *Store) BufferedBytes() int64 { return s.active.Load().bytes.Load() }

// Flush freezes the active buffer at AppliedLSN (writes continue into a new
// buffer at once) and writes it to a new segment file in the background,
// then commits. wait=true blocks until committed. Concurrent calls coalesce:
// an empty active buffer is not frozen; the call waits for the newest
// pending flush instead.
//
// Flush must be called at a record boundary: not between two writes that
// share an LSN (call it from the writer, or hold the lock that serializes
// the writer). It blocks while maxFrozen buffers already wait (backpressure).
func (s *Store) Flush(wait bool) error {
	b, err := s.freeze(true)
	if err != nil {
		return err
	}
	if b == nil {
		return s.commitIdle()
	}
	if !wait {
		return nil
	}
	select {
	case <-b.done:
		return b.err
	case <-s.closing:
		return ErrClosed
	}
}

// MarkApplied records that every WAL record <= lsn has been applied to the
// store, including records that had no write for it, so that an idle
// engine's checkpoint LSN can follow the log (and the WAL can be truncated
// past it). Writer only, at a record boundary.
func (s *Store) MarkApplied(lsn LSN) {
	if lsn > s.applied.Load() {
		s.applied.Store(lsn)
	}
}

// commitIdle commits the unchanged file set at AppliedLSN when nothing is
// buffered or waiting to be flushed: the files are then complete up to
// AppliedLSN. Called by Flush at a record boundary (the writer's lock held),
// so no write or freeze can race with it.
func (s *Store) commitIdle() error {
	applied := s.applied.Load()
	if applied <= s.checkpoint.Load() {
		return nil
	}
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	s.mu.RLock()
	idle := len(s.frozen) == 0 && s.active.Load().empty()
	files := s.current.files
	s.mu.RUnlock()
	if !idle || applied <= s.checkpoint.Load() {
		return nil
	}
	if err := s.commit(applied, s.committedSeq, files); err != nil {
		s.fail(fmt.Errorf("segments: idle commit: %w", err))
		return s.Err()
	}
	s.checkpoint.Store(applied)
	return nil
}

// freeze moves the active buffer to the frozen list and wakes the flusher.
// It returns the buffer whose flush covers everything written so far (nil
// if nothing is pending).
func (s *Store) freeze(coalesce bool) (*buffer, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	s.mu.Lock()
	for len(s.frozen) >= maxFrozen && s.Err() == nil && !s.closed.Load() {
		s.cond.Wait()
	}
	if err := s.Err(); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	if s.closed.Load() {
		s.mu.Unlock()
		return nil, ErrClosed
	}
	var target *buffer
	if a := s.active.Load(); !a.empty() {
		a.frozenAt = s.applied.Load()
		a.frozen.Store(true)
		s.frozen = append(s.frozen[:len(s.frozen):len(s.frozen)], a)
		s.active.Store(newBuffer(a.keyCount(), s.mem))
		target = a
	} else if coalesce && len(s.frozen) > 0 {
		target = s.frozen[len(s.frozen)-1]
	}
	s.mu.Unlock()
	if target != nil {
		select {
		case s.flushCh <- struct{}{}:
		default:
		}
	}
	return target, nil
}

func (s *Store) flushLoop() {
	defer s.wg.Done()
	idle := time.NewTicker(memIdleAfter)
	defer idle.Stop()
	for {
		select {
		case <-s.flushCh:
		case <-idle.C:
			// A buffer a long read kept pinned past the last flush is
			// reclaimed here, and dropped with the rest when idle.
			s.reclaim()
			s.mem.dropIdle()
			continue
		case <-s.closing:
			return
		}
		for {
			s.mu.RLock()
			var b *buffer
			if len(s.frozen) > 0 {
				b = s.frozen[0]
			}
			s.mu.RUnlock()
			if b == nil {
				break
			}
			if err := s.Err(); err != nil {
				s.failFrozen(err)
				break
			}
			err := s.flushBuffer(b)
			if errors.Is(err, errAborted) {
				return
			}
			if err != nil {
				s.fail(fmt.Errorf("segments: flush: %w", err))
				s.failFrozen(s.Err())
				break
			}
			b.finish(nil)
			s.requestCompaction()
		}
	}
}

// failFrozen ends every waiting Flush with err; the frozen buffers stay
// readable (their data is still served) but will not be flushed.
func (s *Store) failFrozen(err error) {
	s.mu.RLock()
	frozen := s.frozen
	s.mu.RUnlock()
	for _, b := range frozen {
		b.finish(err)
	}
}

// flushBuffer writes the oldest frozen buffer to a new file and commits.
func (s *Store) flushBuffer(b *buffer) error {
	s.commitMu.Lock()
	num := s.nextFile
	s.nextFile++
	s.commitMu.Unlock()

	// Only the flusher adds files, so no file can gain a key meanwhile
	// (a compaction only drops versions): a point tombstone whose key no
	// current file may hold hides nothing and is dropped, and with it the
	// versions it hides in this buffer. With no files at all that is every
	// tombstone. Otherwise the files' key ranges and bloom filters are
	// asked about the keys written in this buffer before their delete (a
	// consumer group's pending entry acknowledged before the flush): a
	// tombstone alone in the buffer is most often a delete of a key
	// written long ago, and the filters' cache misses would cost DEL of
	// existing keys 3-5% of the server's CPU for nothing.
	s.mu.RLock()
	older := s.current
	older.ref()
	s.mu.RUnlock()
	defer older.unref()
	noOlder := len(older.files) == 0

	tw, err := newTableWriter(s.dir, num, uint64(b.count.Load()), &s.opts)
	if err != nil {
		return err
	}
	it := &bufferIter{b: b, snap: math.MaxUint64}
	n := 0
	for it.seekGE(nil); it.valid(); it.next() {
		if n++; n%yieldEvery == 0 && s.pause() {
			tw.abort()
			return errAborted
		}
		if it.hiddenLocal() {
			continue
		}
		if it.kind() == kindTombstone && (noOlder || it.n.prev != nil && !mayHold(older.files, it.key())) {
			continue
		}
		tw.add(it.key(), it.value(), it.kind())
	}
	var spans []span
	if !noOlder {
		spans = b.spans()
	}
	var t *table
	if !tw.empty(spans) {
		size, err := tw.finish(spans, b.minLSN.Load(), b.maxLSN.Load(), b.minSeq.Load(), b.maxSeq.Load(), 0)
		if err != nil {
			return err
		}
		if t, err = openTable(tw.path, num, size, s.cache); err != nil {
			return err
		}
	} else {
		tw.abort()
	}

	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	s.mu.RLock()
	files := s.current.files
	s.mu.RUnlock()
	if t != nil {
		files = append([]*table{t}, files...)
	}
	seq := max(s.committedSeq, b.maxSeq.Load())
	if err := s.commit(b.frozenAt, seq, files); err != nil {
		if t != nil {
			t.obsolete.Store(true)
			t.unref()
		}
		return err
	}
	s.mu.Lock()
	// A new array, not s.frozen[1:]: views may still read the old one
	// (never mutated in place), and a reslice would keep the flushed
	// buffer (its nodes, slabs and index, ~2x its accounted bytes)
	// reachable through the array until the next freeze.
	s.frozen = slices.Clone(s.frozen[1:])
	s.install(files)
	s.cond.Broadcast()
	s.mu.Unlock()
	s.checkpoint.Store(b.frozenAt)
	s.flushes.Add(1)
	s.retire(b)
	return nil
}

// mayHold reports whether any of files (newest first) may hold an entry
// for key: whether a tombstone of key, newer than all of them, hides
// anything (a flush's, a compaction's). It asks the oldest first: the
// base holds most keys, so an old key rewritten and then deleted is
// answered by one filter.
func mayHold(files []*table, key []byte) bool {
	for i := len(files) - 1; i >= 0; i-- {
		if files[i].mayContain(key) {
			return true
		}
	}
	return false
}

// commit passes the state for files to Options.Commit. Caller holds commitMu.
func (s *Store) commit(lsn LSN, seq uint64, files []*table) error {
	st := storeState{nextFile: s.nextFile, lastSeq: seq}
	for _, t := range files {
		st.files = append(st.files, fileMeta{num: t.num, size: uint64(t.size), tier: t.props.tier})
	}
	blob := st.encode()
	if err := s.opts.Commit(lsn, blob); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	s.committedSeq = seq
	s.lastCommitted = blob
	return nil
}

// install makes files the current version. Caller holds mu (write) and
// commitMu. New tables arrive with one reference, which the new version
// takes over; tables carried over from the old version gain one.
func (s *Store) install(files []*table) {
	old := s.current
	inOld := make(map[*table]bool, len(old.files))
	for _, t := range old.files {
		inOld[t] = true
	}
	for _, t := range files {
		if inOld[t] {
			t.ref()
		}
	}
	s.current = newVersion(files)
	old.unref()
}

// pause is called by the flusher and the compactor every yieldEvery
// entries: it reports whether the store is closing (the work is then
// abandoned) and otherwise yields the processor. Both loops are CPU-bound
// for seconds; with as many busy goroutines as processors, a client's
// goroutine woken by its socket would otherwise wait for the scheduler's
// 10 ms preemption.
func (s *Store) pause() (closing bool) {
	if s.isClosing() {
		return true
	}
	runtime.Gosched()
	return false
}

// yieldEvery is how many entries the flusher and the compactor process
// between pauses (~0.1–0.5 ms of work).
const yieldEvery = 1024

func (s *Store) isClosing() bool {
	select {
	case <-s.closing:
		return true
	default:
		return false
	}
}

// view is a consistent snapshot of the store's layers for one read.
type view struct {
	active *buffer
	frozen []*buffer
	v      *version
	snap   uint64
	prefix func([]byte) int // Options.Prefix
	reaper *reaper          // deletes the files the view releases last
}

// groupOf returns the bloom hash of the group prefix every key in
// [lo, hi) shares (Options.Prefix), and false when they share none: lo
// has a prefix p and hi is at most the first key past every key that
// begins with p.
func (vw view) groupOf(lo, hi []byte) (uint64, bool) {
	if vw.prefix == nil || hi == nil {
		return 0, false
	}
	p, ok := groupPrefix(vw.prefix, lo, hi)
	if !ok {
		return 0, false
	}
	return bloomHash(p), true
}

// groupPrefix returns the group prefix (prefix) every key in [lo, hi)
// shares: lo's, when hi is at most the first key past every key that
// begins with it; false when there is none.
func groupPrefix(prefix func([]byte) int, lo, hi []byte) ([]byte, bool) {
	n := prefix(lo)
	if n == 0 || n > len(lo) {
		return nil, false
	}
	p := lo[:n]
	// The first key past p's group is p[:i] followed by p[i]+1, where p[i]
	// is p's last byte below 0xff.
	i := n - 1
	for i >= 0 && p[i] == 0xff {
		i--
	}
	if i < 0 {
		return nil, false
	}
	switch c := bytes.Compare(hi[:min(len(hi), i)], p[:i]); {
	case c < 0, c == 0 && len(hi) <= i: // below p[:i], or p[:i] itself
	case c > 0:
		return nil, false
	case hi[i] <= p[i], hi[i] == p[i]+1 && len(hi) == i+1: // within the group, or its end
	default:
		return nil, false
	}
	return p, true
}

// holdsRange reports whether t may hold a key in [lo, hi) or a range
// tombstone over part of it, given the range's group (groupOf). A file
// whose prefix filter rejects the group can be left out of a scan of it
// unless a range tombstone wider than one group overlaps the range (one
// within a group is in the filter, as the group's keys are): deletes of
// hashes leave files of thousands of tombstones, and searching each
// file's was a third of the CPU of HGETALL of small hashes right after a
// burst of DELs.
func holdsRange(t *table, group uint64, grouped bool, lo, hi []byte) bool {
	return !grouped || t.holdsGroup(group) || (t.props.flags&propFlagWideSpans != 0 && spansIn(t.spans, lo, hi))
}

// acquire takes a view: the store's buffers, pinned, and its files,
// referenced, until release.
func (s *Store) acquire() (view, error) {
	if s.closed.Load() {
		return view{}, ErrClosed
	}
	s.mu.RLock()
	vw := view{active: s.active.Load(), frozen: s.frozen, v: s.current, snap: s.visibleSeq.Load(), prefix: s.opts.Prefix, reaper: s.reaper}
	vw.v.ref()
	// Under mu no buffer of the view is retired yet (a flushed one
	// leaves the frozen list under mu before it is retired).
	vw.active.pin()
	for _, b := range vw.frozen {
		b.pin()
	}
	s.mu.RUnlock()
	return vw, nil
}

// release ends a view taken by acquire.
func (vw view) release() {
	vw.active.unpin()
	for _, b := range vw.frozen {
		b.unpin()
	}
	vw.v.drop(vw.reaper)
}

// Get returns the value of key. The value is a copy owned by the caller.
func (s *Store) Get(key []byte) ([]byte, bool, error) {
	var v []byte
	found, err := s.View(key, func(value []byte) { v = clone(value) })
	return v, found, err
}

// View calls fn with the value of key, when the store holds it, and
// reports whether it does. value is valid only during the call and must
// not be modified: a caller that needs the value only briefly (to reply
// it, or to learn that the key exists) saves Get's copy.
func (s *Store) View(key []byte, fn func(value []byte)) (bool, error) {
	return s.view(key, false, 0, nil, true, fn)
}

// ViewPresent is View of a key the caller knows the store holds (keel's
// keyspace says so): the oldest file is then the only place left once
// the newer layers lack the key, and its bloom filter is skipped. A wrong
// hint costs a block read, never a wrong answer.
func (s *Store) ViewPresent(key []byte, fn func(value []byte)) (bool, error) {
	return s.view(key, true, 0, nil, true, fn)
}

// ViewHinted is View (ViewPresent when present) with the findings of a
// PrefetchHinted of key, made with the same present: when the store's
// files are still those the prefetch saw, the read goes straight to the
// file and block the prefetch found, past the bloom filters of the newer
// files and the block search it already did. The answer is the same.
//
// newest, when not 0, is the caller's promise that no version of key (a
// put, a delete, or a range deletion covering it) was written at an LSN
// above it: keel's keyspace knows the LSN of each string's last write.
// Every layer holds the writes of one LSN range and the layers' ranges
// are disjoint and ordered (a buffer is frozen at a record boundary, a
// flush keeps its buffer's range, a compaction merges adjacent files), so
// the read skips the layers whose writes are all newer than newest
// without probing them, and reads the file whose range holds newest
// without its bloom filter: when newest is the LSN of key's last write,
// that is where the version is. A promise broken (a version above
// newest) makes the read miss it: the caller must keep its LSNs exact or
// above.
func (s *Store) ViewHinted(key []byte, present bool, newest LSN, hints *ReadHints, fn func(value []byte)) (bool, error) {
	return s.view(key, present, newest, hints, true, fn)
}

// ViewForWrite is ViewHinted for a command that writes key after reading
// it (HSET asks whether each field exists): the row cache is neither
// asked nor filled. Its entry could not serve the next read of key, which
// the write puts in the active buffer, read first until a flush replaces
// the files the entry is valid for; asking it cost a cache miss per read
// and filling it a copy, and HSET of random fields of a large hash missed
// on every one (1.95M misses in 2M HSETs, no hit).
func (s *Store) ViewForWrite(key []byte, present bool, newest LSN, hints *ReadHints, fn func(value []byte)) (bool, error) {
	return s.view(key, present, newest, hints, false, fn)
}

// view is View, ViewPresent (present), ViewHinted (newest, hints; 0 and
// nil: none) and ViewForWrite (rows false: the row cache is left alone).
func (s *Store) view(key []byte, present bool, newest LSN, hints *ReadHints, rows bool, fn func(value []byte)) (bool, error) {
	if s.closed.Load() {
		return false, ErrClosed
	}
	// The active buffer first, without taking a view: when it holds key
	// or covers it, no older layer is read, and the active buffer of a
	// moment ago answers as a view taken then would (its versions are
	// immutable, and its pin keeps its memory from going to another
	// buffer). Most reads of recent writes end here without Store.mu and
	// the version's reference count.
	// A buffer whose writes are all newer than newest (an empty one's
	// minLSN is the largest) holds no version of key: not probed.
	active := s.pinActive()
	if !newer(active.minLSN.Load(), newest) {
		if n, covered := active.get(key, math.MaxUint64); covered || n != nil {
			hints.pass()
			found := viewNode(n, fn)
			active.unpin()
			return found, nil
		}
	}
	active.unpin()
	vw, err := s.acquire()
	if err != nil {
		return false, err
	}
	defer vw.release()
	// Newest first: the active buffer (if it changed meanwhile), frozen
	// buffers, files. The first layer that holds key or covers it with a
	// range tombstone decides.
	bufs := make([]*buffer, 0, 4)
	if vw.active != active {
		bufs = append(bufs, vw.active)
	}
	for i := len(vw.frozen) - 1; i >= 0; i-- {
		bufs = append(bufs, vw.frozen[i])
	}
	for _, b := range bufs {
		if newer(b.minLSN.Load(), newest) {
			continue
		}
		if n, covered := b.get(key, math.MaxUint64); covered || n != nil {
			hints.pass()
			return viewNode(n, fn), nil
		}
	}
	// The files: a recent answer from the same files first (rowCache).
	// A prefetch's hint holds the key's hash.
	hr := hints.find(vw.v.id, present, key)
	var h uint64
	if hr != nil {
		h = hr.h
	} else {
		h = bloomHash(key)
	}
	if rows {
		if r := s.rows.get(h, key, vw.v.id); r != nil {
			if r.found {
				fn(r.value)
			}
			return r.found, nil
		}
	}
	value, found, err := s.fromFiles(vw.v, key, h, present, newest, hr)
	if err != nil {
		return false, err
	}
	if rows {
		s.rows.put(h, key, vw.v.id, value, found)
	}
	if found {
		fn(value)
	}
	return found, nil
}

// newer reports whether a layer whose lowest LSN is min holds only writes
// newer than a read's newest (0: unknown, never).
func newer(min, newest LSN) bool { return newest != 0 && min > newest }

// fromFiles is view's read of v's files (newest first) for key, whose
// bloom hash is h, starting where hint hr (nil: none) says, and skipping
// the files newer than newest (ViewHinted): the value, aliasing a cached
// block, and whether the key is live there.
func (s *Store) fromFiles(v *version, key []byte, h uint64, present bool, newest LSN, hr *readHint) ([]byte, bool, error) {
	p := probe{key: key, h: h, hashed: true}
	files := v.files
	from := 0
	if hr != nil && hr.at >= 0 {
		// Files before hr.at: their filters refused the key, so only
		// their range tombstones can answer; or their writes are all
		// newer than newest, so not even those.
		at := int(hr.at)
		for _, t := range files[:at] {
			if !newer(t.props.minLSN, newest) && t.covers(key) {
				return nil, false, nil
			}
		}
		if at == len(files) {
			return nil, false, nil
		}
		kind, value, found, covered, err := files[at].getHinted(key, hr)
		if err != nil {
			return nil, false, err
		}
		if ok, decided := fileAnswer(kind, found, covered); decided {
			return value, ok, nil
		}
		from = at + 1
	}
	for i := from; i < len(files); i++ {
		t := files[i]
		if newer(t.props.minLSN, newest) {
			continue
		}
		// The last file, when the key is present; the file whose LSN range
		// holds newest, where the key's last write is.
		p.noBloom = present && i == len(files)-1 || newest != 0 && newest <= t.props.maxLSN
		kind, value, found, covered, err := t.get(&p)
		if err != nil {
			return nil, false, err
		}
		if ok, decided := fileAnswer(kind, found, covered); decided {
			return value, ok, nil
		}
	}
	return nil, false, nil
}

// fileAnswer is what a file's get (newest file first) says about a read:
// decided when the file holds the key (a value or a tombstone) or covers
// it with a range tombstone; ok when it is a value.
func fileAnswer(kind byte, found, covered bool) (ok, decided bool) {
	if found {
		return kind != kindTombstone, true
	}
	return false, covered
}

// viewNode calls fn with n's value when n is a live version (nil: covered
// by a range tombstone) and reports whether it is.
func viewNode(n *node, fn func(value []byte)) bool {
	if n == nil || n.kind == kindTombstone {
		return false
	}
	fn(n.value)
	return true
}

// Scan calls fn for each live key in [lo, hi) in ascending order (hi nil =
// unbounded) until fn returns false. It reads a snapshot taken at the call:
// later writes are not seen. key and value are valid only until fn returns
// and must not be modified. No lock is held while fn runs.
func (s *Store) Scan(lo, hi []byte, fn func(key, value []byte) bool) error {
	return s.scan(lo, hi, -1, fn)
}

// ScanLive is Scan over a range whose number of live keys the caller
// knows (live; the hashes engine keeps each hash's field count). When
// the buffers alone hold live live keys in [lo, hi), every other key of
// the range has no live version (a file's would be one more), so the
// files are not read: a hash written again in full since the last flush
// is read from memory, where a merge would read each field twice (once
// from the buffer, once from the file whose version it shadows), 9.2
// against 4.0 µs for 100 fields (BenchmarkScanShadowed). Otherwise, or
// for a range of fewer than minLiveScan or more than maxLiveScan keys, it
// is Scan. A wrong live yields what the buffers hold: callers pass a
// count their writes keep exact.
func (s *Store) ScanLive(lo, hi []byte, live int64, fn func(key, value []byte) bool) error {
	if live < minLiveScan || live > maxLiveScan {
		live = -1
	}
	return s.scan(lo, hi, live, fn)
}

// scan is Scan, and ScanLive when live is not negative. ScanLive merges
// the buffers first, keeping what they decide (bufferRun). When no
// buffer holds a key or a range tombstone in the range (pruned, all of
// them), the files alone are merged next: a range no buffer touches (a
// hash not written since its flush) costs no second look at the
// buffers. When the buffers hold fewer live keys than live, the run
// kept stands in for them in a merge with the files, so that a hash
// partly written again is not read from the buffers twice (read twice,
// HGETALL of a 100-field hash with 99 fields rewritten took 17% more
// CPU than Scan; with the run, 10%).
func (s *Store) scan(lo, hi []byte, live int64, fn func(key, value []byte) bool) error {
	vw, err := s.acquire()
	if err != nil {
		return err
	}
	defer vw.release()
	st := scanStates.Get().(*scanState)
	defer st.release()
	if live < 0 {
		return scanMerge(vw.mergeIn(st, lo, hi), fn)
	}
	mb := vw.mergeLayers(st, lo, hi, true, false)
	if len(mb.srcs) == 0 {
		return scanMerge(vw.mergeLayers(st, lo, hi, false, true), fn)
	}
	run := &st.run
	switch run.collect(mb, live, st.bufs) {
	case runAll:
		for i, k := range run.keys {
			if run.kinds[i] != kindTombstone && !fn(k, run.vals[i]) {
				break
			}
		}
		return nil
	case runPart:
		// The buffers' merge is done with st.srcs: the run, then the files.
		return scanMerge(st.merge(vw.sources(st, append(st.srcs[:0], run), lo, hi, false, true), lo, hi), fn)
	}
	return scanMerge(vw.mergeIn(st, lo, hi), fn)
}

// ScanLive reads the buffers first for ranges of minLiveScan to
// maxLiveScan live keys. Above, it would keep too many keys while it
// counts them. Below, the files' share of a merge is small, and when the
// buffers hold only part of the range, reading them first is a loss:
// HGETALL of random 3-field hashes with one field rewritten since the
// flush took 10–12% more CPU. (A 100-field hash with 99 rewritten takes
// 10% more; with all of them, half.)
const (
	minLiveScan = 32
	maxLiveScan = 1024
)

// scanMerge is Scan's loop over m.
func scanMerge(m *mergeIter, fn func(key, value []byte) bool) error {
	for m.ok {
		if m.hidden {
			m.skipHidden()
			continue
		}
		if m.kind != kindTombstone && !fn(m.key, m.value) {
			return nil
		}
		m.next()
	}
	return m.error
}

// merge returns the merge of vw's layers over [lo, hi), newest first.
func (vw view) merge(lo, hi []byte) *mergeIter { return vw.mergeIn(&scanState{}, lo, hi) }

// eachBuffer calls fn with vw's buffers, newest first, each with its
// index in that order and the snapshot a merge reads it at: the view's
// for the active buffer, every version for a frozen one.
func (vw view) eachBuffer(fn func(i int, b *buffer, snap uint64)) {
	fn(0, vw.active, vw.snap)
	for i := len(vw.frozen) - 1; i >= 0; i-- {
		fn(len(vw.frozen)-i, vw.frozen[i], math.MaxUint64)
	}
}

// eachFile calls fn with the files of vw a scan over [lo, hi) reads,
// newest first, each with its index among them: all but those holdsRange
// leaves out of a scan within one group.
func (vw view) eachFile(lo, hi []byte, fn func(i int, t *table)) {
	group, grouped := vw.groupOf(lo, hi)
	i := 0
	for _, t := range vw.v.files {
		if holdsRange(t, group, grouped, lo, hi) {
			fn(i, t)
			i++
		}
	}
}

// mergeIn is merge in st's memory: the merge and its iterators, which
// are st's until st.release.
func (vw view) mergeIn(st *scanState, lo, hi []byte) *mergeIter {
	return vw.mergeLayers(st, lo, hi, true, true)
}

// mergeLayers is mergeIn over vw's buffers, its files, or both. A merge
// that leaves a layer out is right only when that layer can neither
// yield a key of the range nor hide one.
func (vw view) mergeLayers(st *scanState, lo, hi []byte, buffers, files bool) *mergeIter {
	return st.merge(vw.sources(st, st.srcs[:0], lo, hi, buffers, files), lo, hi)
}

// merge sets st's merge up over srcs (kept as st.srcs) and [lo, hi).
func (st *scanState) merge(srcs []source, lo, hi []byte) *mergeIter {
	st.srcs = srcs
	st.m.init(srcs, lo, hi, st.tabPtrs)
	if st.m.tabs != nil {
		st.tabPtrs = st.m.tabs
	}
	return &st.m
}

// sources appends to srcs the iterators, in st's memory, of vw's buffers
// and files (either or both) for a merge over [lo, hi), newest first.
func (vw view) sources(st *scanState, srcs []source, lo, hi []byte, buffers, files bool) []source {
	if buffers {
		st.bufs = grow(st.bufs, 1+len(vw.frozen))
		vw.eachBuffer(func(i int, b *buffer, snap uint64) {
			st.bufs[i] = bufferIter{b: b, snap: snap, hi: hi}
			srcs = append(srcs, &st.bufs[i])
		})
	}
	if files {
		st.tabs = grow(st.tabs, len(vw.v.files))
		vw.eachFile(lo, hi, func(i int, t *table) {
			st.tabs[i] = tableIter{t: t, hi: hi}
			srcs = append(srcs, &st.tabs[i])
		})
	}
	return srcs
}

// scanState is the memory of one Scan's merge, reused through scanStates:
// a short scan (HGETALL of a small hash, XRANGE ... COUNT 10) allocated a
// merge, a source list and an iterator per layer, a fifth of its CPU in
// the allocator and the collector.
type scanState struct {
	m       mergeIter
	srcs    []source
	bufs    []bufferIter
	tabs    []tableIter
	tabPtrs []*tableIter
	run     bufferRun // ScanLive's: what the buffers decide in the range
}

var scanStates = sync.Pool{New: func() any { return new(scanState) }}

// release clears st (it holds no file, buffer or key once back in the
// pool) and returns it to scanStates.
func (st *scanState) release() {
	st.m = mergeIter{}
	clear(st.srcs[:cap(st.srcs)])
	clear(st.bufs[:cap(st.bufs)])
	clear(st.tabs[:cap(st.tabs)])
	clear(st.tabPtrs[:cap(st.tabPtrs)])
	st.run.reset()
	st.srcs, st.bufs, st.tabs, st.tabPtrs = st.srcs[:0], st.bufs[:0], st.tabs[:0], st.tabPtrs[:0]
	scanStates.Put(st)
}

// grow returns s with length n, its elements zero, reusing its array
// when large enough.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// Close stops the background goroutines. It does not flush: the WAL
// replays what the buffers held. Pending Flush(wait=true) calls return
// ErrClosed.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return ErrClosed
	}
	close(s.closing)
	s.mu.Lock()
	s.cond.Broadcast()
	s.mu.Unlock()
	s.wg.Wait()
	s.reaper.stop()
	s.mem.drop()
	s.mu.Lock()
	cur := s.current
	s.current = newVersion(nil)
	s.mu.Unlock()
	cur.unref()
	return nil
}
