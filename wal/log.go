package wal

import (
	"cmp"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	tidwal "github.com/tidwall/wal"
)

// Log is the global write-ahead log. All methods are safe for concurrent use.
// Append, WaitDurable and the LSN getters are the hot path: they take at most
// one short mutex and never do I/O. All tidwall/wal mutations (writes,
// fsyncs, front truncation, close) happen on one goroutine, the writer.
type Log struct {
	dir     string
	logger  *slog.Logger
	now     func() int64
	segSize int64
	policy  atomic.Int32 // FsyncPolicy; read by the writer once per batch

	// tw is used only by the writer goroutine after Open returns: tidwall
	// serializes its own calls, but our roll bookkeeping (activeBytes)
	// mirrors its state and must see every mutation in order.
	tw *tidwal.Log

	mu        sync.Mutex // guards pending, lastTime, appendErr, closed, and LSN assignment (writes of last)
	pending   *batch     // records appended but not yet taken by the writer
	lastTime  int64      // time of the last appended record; keeps times non-decreasing in LSN order
	appendErr error      // non-nil once Append must refuse: ErrClosed or the fatal error
	closed    bool       // Close has been called

	last    atomic.Uint64 // last assigned LSN; LastLSN()+1 is the next one
	first   atomic.Uint64 // first retained LSN; > last while the log is empty
	durable atomic.Uint64 // highest LSN durable per policy; stored under dmu

	dmu        sync.Mutex // guards fatalErr, waitClosed; pairs with dcond and the stores of durable
	dcond      sync.Cond  // broadcast when durable advances or the log stops
	fatalErr   error      // first write/fsync error; the log has stopped
	waitClosed bool       // the writer has exited after Close

	segMu sync.Mutex // guards segs and the fields of the active segment
	segs  []*segment // sealed segments in LSN order, then the active one; never empty

	kick       chan struct{}   // cap 1: pending became non-empty
	presync    chan presyncJob // cap 1: an early fsync of the tail (flush)
	reqs       chan *request   // Sync, TruncateFront, Close: run on the writer
	writerDone chan struct{}   // closed when the writer goroutine exits

	// wmu serializes every tidwall mutation (flush, sync, truncation,
	// close) and guards the writer state below. It is held by the writer
	// goroutine or by a WaitDurable caller that leads a group commit: the
	// first waiter to find the log idle writes everything queued itself,
	// without handing off to another goroutine; waiters arriving meanwhile
	// wait for it (flushGen) and the next one leads the next batch.
	wmu      sync.Mutex
	flushGen uint64 // bumped under dmu after each release of wmu

	// Writer state, guarded by wmu.
	spare       *batch        // the batch swapped with pending
	twBatch     tidwal.Batch  // reused for every WriteBatch
	rolls       []int         // scratch: entry indexes after which tidwall rolls
	written     LSN           // last LSN handed to the OS
	synced      LSN           // last LSN known fsynced
	activeBytes int64         // mirror of tidwall's len(tail.ebuf): size of the active file
	syncTick    time.Duration // everysec's fsync interval (Options.syncTick)

	// dirUnsynced: a roll under everysec or no created a segment file
	// whose directory entry no fsync has covered yet (recordRolls). The
	// next sync of the log — backgroundSync, on the writer goroutine, or
	// sync, under wmu — fsyncs the directory first (syncDirIfNeeded, under
	// dirMu, so that a sync that finds the flag cleared also finds the
	// directory fsynced).
	dirUnsynced atomic.Bool
	dirMu       sync.Mutex

	sidecarMu   sync.Mutex // guards sidecarQ, sidecarStop; pairs with sidecarCond
	sidecarCond sync.Cond
	sidecarQ    []sidecarJob
	sidecarStop bool
	sidecarDone chan struct{}

	// faultHook, when set by tests before any append, is called by the
	// writer before each I/O step ("write", "sync", "syncdir": the
	// directory after a roll) and its error is treated as that step's
	// error.
	faultHook func(op string) error
}

// batch is a queue of encoded frames: Append encodes into buf, the writer
// swaps the whole batch out. Two batches alternate, so the steady state
// allocates nothing.
type batch struct {
	buf   []byte
	sizes []int // frame sizes, in LSN order
}

func (b *batch) reset() {
	// Don't pin the memory of a burst forever.
	if cap(b.buf) > 16<<20 {
		b.buf = nil
	}
	b.buf = b.buf[:0]
	b.sizes = b.sizes[:0]
}

type reqKind int

const (
	reqSync reqKind = iota
	reqTruncate
	reqClose
)

type request struct {
	kind reqKind
	lsn  LSN
	done chan error // cap 1; the writer answers every request it receives
}

// Open opens (or creates) the log in dir. It first repairs a torn tail of the
// last segment, verifies every frame of every segment and rebuilds missing
// sidecars; any other damage fails Open with a *CorruptionError.
func Open(dir string, opts Options) (*Log, error) {
	if opts.SegmentSize <= 0 {
		opts.SegmentSize = DefaultSegmentSize
	}
	if opts.StartLSN == 0 {
		opts.StartLSN = 1
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = func() int64 { return time.Now().UnixMilli() }
	}
	switch opts.Fsync {
	case FsyncAlways, FsyncEverySec, FsyncNo:
	default:
		return nil, fmt.Errorf("wal: invalid fsync policy %d", opts.Fsync)
	}
	segs, err := recoverDir(dir, opts)
	if err != nil {
		return nil, err
	}
	tw, err := tidwal.Open(dir, &tidwal.Options{
		NoSync:      true, // we fsync in the writer: one fsync per batch
		SegmentSize: int(opts.SegmentSize),
		LogFormat:   tidwal.Binary,
		// Readers don't use tidwall's Read, so its cache only costs memory.
		SegmentCacheSize: 1,
		// An empty log (new at StartLSN, or fully truncated) is normal.
		AllowEmpty: true,
		DirPerms:   0o750,
		FilePerms:  0o640,
	})
	if err != nil {
		return nil, fmt.Errorf("wal: open %s: %w", dir, err)
	}
	presizeTail(tw, opts.SegmentSize)
	active := segs[len(segs)-1]
	twFirst, err1 := tw.FirstIndex()
	twLast, err2 := tw.LastIndex()
	if err1 != nil || err2 != nil || LSN(twFirst) != segs[0].first || LSN(twLast) != active.last {
		cerr := tw.Close()
		return nil, fmt.Errorf("wal: tidwall sees [%d, %d], scan saw [%d, %d] (%v %v %v)",
			twFirst, twLast, segs[0].first, active.last, err1, err2, cerr)
	}
	l := &Log{
		dir:         dir,
		logger:      opts.Logger,
		now:         opts.Now,
		segSize:     opts.SegmentSize,
		syncTick:    cmp.Or(opts.syncTick, time.Second),
		tw:          tw,
		pending:     &batch{},
		spare:       &batch{},
		segs:        segs,
		kick:        make(chan struct{}, 1),
		presync:     make(chan presyncJob, 1),
		reqs:        make(chan *request),
		writerDone:  make(chan struct{}),
		sidecarDone: make(chan struct{}),
		written:     active.last,
		synced:      active.last,
		activeBytes: active.bytes,
		lastTime:    active.maxTime,
	}
	l.policy.Store(int32(opts.Fsync))
	l.dcond.L = &l.dmu
	l.sidecarCond.L = &l.sidecarMu
	l.first.Store(uint64(segs[0].first))
	l.last.Store(uint64(active.last))
	l.durable.Store(uint64(active.last))
	go l.runWriter()
	go l.runSidecars()
	return l, nil
}

// Append assigns the next LSN and queues the record for the writer
// goroutine. It does no I/O: the caller may hold its own lock around Append
// so that LSN order equals apply order. slots and payload are encoded before
// Append returns, so the caller may reuse them.
func (l *Log) Append(typ uint8, slots []uint16, payload []byte) (LSN, error) {
	return l.AppendAt(l.now(), typ, slots, payload)
}

// AppendAt is Append with the record's timestamp (unix ms) given by the
// caller, who already read the clock for the command that made the record
// (a clock read is ~100 ns on a VM, and the command path had three). The
// log still never lets timestamps go backwards: a t below the previous
// record's is raised to it.
func (l *Log) AppendAt(t int64, typ uint8, slots []uint16, payload []byte) (LSN, error) {
	return l.appendAt(t, typ, slots, payload, true)
}

// AppendAtWaited is AppendAt for a caller that will itself call
// WaitDurable for the record (or a later one): it does not wake the
// writer goroutine. The waiter then finds the log idle and leads the
// group commit on its own goroutine, where a wake-up would have cost two
// goroutine hand-offs per batch (writer woken, waiter parked and woken)
// and often made the waiter wait for a writer that had just taken the
// batch. A record nobody ends up waiting for is still written by the
// writer's tick, within a second.
func (l *Log) AppendAtWaited(t int64, typ uint8, slots []uint16, payload []byte) (LSN, error) {
	return l.appendAt(t, typ, slots, payload, false)
}

func (l *Log) appendAt(t int64, typ uint8, slots []uint16, payload []byte, kick bool) (LSN, error) {
	for _, s := range slots {
		if s >= NumSlots {
			return 0, fmt.Errorf("%w: %d", ErrBadSlot, s)
		}
	}
	if 2*len(slots)+len(payload) > MaxRecordSize {
		return 0, fmt.Errorf("%w: %d slots, %d payload bytes", ErrTooLarge, len(slots), len(payload))
	}
	l.mu.Lock()
	if l.appendErr != nil {
		err := l.appendErr
		l.mu.Unlock()
		return 0, err
	}
	if t < l.lastTime {
		t = l.lastTime
	}
	l.lastTime = t
	lsn := LSN(l.last.Load()) + 1
	b := l.pending
	wake := kick && len(b.sizes) == 0
	n := len(b.buf)
	b.buf = appendFrame(b.buf, lsn, t, typ, slots, payload)
	b.sizes = append(b.sizes, len(b.buf)-n)
	l.last.Store(uint64(lsn))
	l.mu.Unlock()
	// Only the append that makes the queue non-empty wakes the writer; the
	// writer takes everything queued, so one wake-up serves the whole batch.
	if wake {
		select {
		case l.kick <- struct{}{}:
		default:
		}
	}
	return lsn, nil
}

// WaitDurable blocks until every record <= lsn is durable per the fsync
// policy (always: fsynced; everysec, no: written to the OS), or returns the
// fatal error if the log has stopped first.
func (l *Log) WaitDurable(lsn LSN) error {
	if LSN(l.durable.Load()) >= lsn {
		return nil
	}
	if last := LSN(l.last.Load()); lsn > last {
		return fmt.Errorf("%w: WaitDurable(%d) past last LSN %d", ErrOutOfRange, lsn, last)
	}
	for {
		l.dmu.Lock()
		gen := l.flushGen
		err := l.fatalErr
		closed := l.waitClosed
		l.dmu.Unlock()
		switch {
		case LSN(l.durable.Load()) >= lsn:
			return nil
		case err != nil:
			return err
		case closed:
			return ErrClosed
		}
		if l.wmu.TryLock() {
			// Lead: write (and under always, fsync) everything queued.
			if LSN(l.durable.Load()) < lsn && l.stopped() == nil {
				if err := l.flush(); err != nil {
					l.fail(err)
				}
			}
			l.releaseW()
			continue
		}
		// Someone else holds the writer lock: wait until it lets go.
		l.dmu.Lock()
		for l.flushGen == gen && LSN(l.durable.Load()) < lsn && l.fatalErr == nil && !l.waitClosed {
			l.dcond.Wait()
		}
		l.dmu.Unlock()
	}
}

// releaseW releases wmu and then wakes the waiters, so that one of them
// can lead the next group commit.
func (l *Log) releaseW() {
	l.wmu.Unlock()
	l.dmu.Lock()
	l.flushGen++
	l.dcond.Broadcast()
	l.dmu.Unlock()
}

// DurableLSN returns the highest LSN durable per the fsync policy.
func (l *Log) DurableLSN() LSN { return LSN(l.durable.Load()) }

// LastLSN returns the last assigned LSN (StartLSN-1 for a new log): the
// next Append gets LastLSN()+1.
func (l *Log) LastLSN() LSN { return LSN(l.last.Load()) }

// FirstLSN returns the first retained LSN, or 0 if the log holds no record.
func (l *Log) FirstLSN() LSN {
	f := l.first.Load()
	if f > l.last.Load() {
		return 0
	}
	return LSN(f)
}

// Size returns the bytes on disk of all segments.
func (l *Log) Size() int64 {
	l.segMu.Lock()
	defer l.segMu.Unlock()
	var n int64
	for _, s := range l.segs {
		n += s.bytes
	}
	return n
}

// Segments describes every segment, sealed ones first, the active one last.
// The bitmaps are fresh copies owned by the caller.
func (l *Log) Segments() []SegmentInfo {
	l.segMu.Lock()
	defer l.segMu.Unlock()
	out := make([]SegmentInfo, len(l.segs))
	for i, s := range l.segs {
		out[i] = s.info()
	}
	return out
}

// SetFsync changes the fsync policy (CONFIG SET appendfsync). It applies from
// the writer's next batch on.
func (l *Log) SetFsync(p FsyncPolicy) { l.policy.Store(int32(p)) }

// Sync fsyncs every record appended before the call.
func (l *Log) Sync() error { return l.request(reqSync, 0) }

// TruncateFront removes the records < lsn; lsn itself is kept. The caller
// guarantees lsn <= DurableLSN()+1. lsn <= FirstLSN() is a no-op. Note that
// tidwall rewrites the segment that holds lsn, during which the writer waits.
func (l *Log) TruncateFront(lsn LSN) error {
	if d := l.DurableLSN(); lsn > d+1 {
		return fmt.Errorf("%w: TruncateFront(%d) past durable LSN %d", ErrOutOfRange, lsn, d)
	}
	return l.request(reqTruncate, lsn)
}

// DropSealedThrough deletes the sealed segments whose records are all <=
// lsn, oldest first, and reports how many it deleted. Unlike TruncateFront
// it never rewrites a segment, and it does not go through the writer (or
// tidwall, whose TruncateFront fsyncs a rewritten segment while appends
// wait): appends continue meanwhile. The active segment always stays, so
// the log keeps its position. A crash partway leaves the log starting at
// the oldest segment still present, a contiguous suffix; Open removes a
// deleted segment's leftover sidecar.
//
// tidwall keeps the deleted segments in its own list; keel never asks it
// to read them (readers read the files themselves), and its next Open
// lists the directory.
func (l *Log) DropSealedThrough(lsn LSN) (int, error) {
	l.segMu.Lock()
	k := 0
	for k < len(l.segs)-1 && l.segs[k].sealed && l.segs[k].last <= lsn {
		k++
	}
	if k == 0 {
		l.segMu.Unlock()
		return 0, nil
	}
	removed := append([]*segment(nil), l.segs[:k]...)
	l.segs = append([]*segment(nil), l.segs[k:]...)
	l.first.Store(uint64(l.segs[0].first))
	l.segMu.Unlock()
	for _, s := range removed {
		if err := os.Remove(s.path); err != nil && !os.IsNotExist(err) {
			return 0, fmt.Errorf("wal: dropping %s: %w", s.path, err)
		}
		// After any sidecar write still queued for the segment.
		l.queueSidecar(sidecarJob{remove: sidecarPath(s.path)})
	}
	if err := syncDir(l.dir); err != nil {
		return 0, err
	}
	return k, nil
}

// Close writes and fsyncs everything appended, stops the writer and sidecar
// goroutines and closes the files. Later calls return ErrClosed.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return ErrClosed
	}
	l.closed = true
	if l.appendErr == nil {
		l.appendErr = ErrClosed
	}
	l.mu.Unlock()

	r := &request{kind: reqClose, done: make(chan error, 1)}
	l.reqs <- r // the writer runs until it has answered a close
	err := <-r.done
	<-l.writerDone

	l.sidecarMu.Lock()
	l.sidecarStop = true
	l.sidecarMu.Unlock()
	l.sidecarCond.Signal()
	<-l.sidecarDone

	l.dmu.Lock()
	l.waitClosed = true
	l.dcond.Broadcast()
	l.dmu.Unlock()
	return err
}

// request runs r on the writer goroutine and waits for its answer.
func (l *Log) request(kind reqKind, lsn LSN) error {
	l.mu.Lock()
	closed := l.closed
	l.mu.Unlock()
	if closed {
		return ErrClosed
	}
	r := &request{kind: kind, lsn: lsn, done: make(chan error, 1)}
	select {
	case l.reqs <- r:
		return <-r.done
	case <-l.writerDone:
		return ErrClosed
	}
}
