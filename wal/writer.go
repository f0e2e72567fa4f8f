package wal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"time"

	tidwal "github.com/tidwall/wal"
)

// runWriter is the background writer: it flushes records nobody waits for,
// fsyncs once a second under everysec, and runs Sync, TruncateFront and
// Close. Every tidwall mutation happens under wmu (held here or by a
// WaitDurable leader), and a flush takes everything queued in Append order,
// so LSN order on disk is the order of Append, and one fsync covers every
// record queued while the previous fsync ran (group commit).
func (l *Log) runWriter() {
	defer close(l.writerDone)
	tick := time.NewTicker(l.syncTick)
	defer tick.Stop()
	for {
		select {
		case <-l.kick:
			// A waiter may already be leading; then it or its successor
			// takes these records (and the tick bounds how long a record
			// nobody waits for can stay queued).
			if l.wmu.TryLock() {
				if err := l.flush(); err != nil {
					l.fail(err)
				}
				l.releaseW()
			}
		case <-tick.C:
			if FsyncPolicy(l.policy.Load()) == FsyncEverySec {
				if err := l.flushAndSync(); err != nil {
					l.fail(err)
				}
				continue
			}
			l.wmu.Lock()
			if err := l.flush(); err != nil {
				l.fail(err)
			}
			l.releaseW()
		case j := <-l.presync:
			if l.stopped() == nil {
				if err := l.backgroundSync(j.path, j.upto); err != nil {
					l.fail(err)
				}
			}
		case r := <-l.reqs:
			if r.kind == reqSync && l.stopped() == nil {
				err := l.flushAndSync()
				if err != nil {
					l.fail(err)
					err = l.stopped()
				}
				r.done <- err
				continue
			}
			l.wmu.Lock()
			stop := l.serve(r)
			l.releaseW()
			if stop {
				return
			}
		}
	}
}

// serve runs one request; it reports whether the writer must exit.
func (l *Log) serve(r *request) bool {
	if err := l.stopped(); err != nil {
		// Dead log: never write again, but answer, and release the files
		// on Close.
		if r.kind == reqClose {
			if cerr := l.tw.Close(); cerr != nil && !errors.Is(cerr, tidwal.ErrClosed) {
				l.logger.Error("wal: close after fatal error", "err", cerr)
			}
		}
		r.done <- err
		return r.kind == reqClose
	}
	// Everything appended before the request is flushed first, so Sync and
	// Close cover it and TruncateFront sees the file as the caller does.
	err := l.flush()
	if err == nil {
		switch r.kind {
		case reqTruncate:
			err = l.truncateFront(r.lsn)
		case reqClose:
			err = l.sync()
			if err == nil {
				err = l.tw.Close()
			}
		}
	}
	var fatal bool
	if err != nil && !errors.Is(err, ErrOutOfRange) {
		l.fail(err)
		fatal = true
	}
	if fatal && r.kind == reqClose {
		if cerr := l.tw.Close(); cerr != nil && !errors.Is(cerr, tidwal.ErrClosed) {
			l.logger.Error("wal: close after fatal error", "err", cerr)
		}
		err = l.stopped()
	}
	r.done <- err
	return r.kind == reqClose
}

// stopped returns the fatal error, or nil while the log is healthy.
func (l *Log) stopped() error {
	l.dmu.Lock()
	defer l.dmu.Unlock()
	return l.fatalErr
}

// fail stops the log for good. After a failed write or fsync tidwall's memory
// and its file may disagree and the page cache may have dropped dirty pages,
// so retrying could ack data that is not on disk: every current and future
// Append and WaitDurable gets the error instead.
func (l *Log) fail(err error) {
	if err0 := l.stopped(); err0 != nil {
		return
	}
	err = fmt.Errorf("wal: log stopped after I/O error: %w", err)
	l.logger.Error("wal: fatal", "dir", l.dir, "err", err)
	l.mu.Lock()
	l.appendErr = err
	l.pending.reset()
	l.mu.Unlock()
	l.dmu.Lock()
	l.fatalErr = err
	l.dcond.Broadcast()
	l.dmu.Unlock()
}

func (l *Log) fault(op string) error {
	if l.faultHook != nil {
		return l.faultHook(op)
	}
	return nil
}

// flushAndSync writes everything queued and fsyncs it: everysec's tick
// and Sync (which checkpoints call before committing). The fsync runs
// through a descriptor of its own and without wmu (backgroundSync).
func (l *Log) flushAndSync() error {
	l.wmu.Lock()
	err := l.flush()
	var path string
	var upto LSN
	if err == nil && l.synced < l.written {
		l.segMu.Lock()
		path, upto = l.segs[len(l.segs)-1].path, l.written
		l.segMu.Unlock()
	}
	l.releaseW()
	if err == nil && path != "" {
		err = l.backgroundSync(path, upto)
	}
	return err
}

// backgroundSync fsyncs the active segment through a descriptor of its
// own and without wmu: tidwall's Sync holds the log for the whole fsync,
// and while a checkpoint fsyncs large files one WAL fsync can take tens of
// milliseconds, during which no record could be written and no reply
// sent. Records written meanwhile are covered by the next sync, as with
// Redis's background AOF fsync. A segment that rolled meanwhile was
// fsynced by tidwall at the roll; one that a front truncation replaced was
// fsynced by it.
func (l *Log) backgroundSync(path string, upto LSN) error {
	if err := l.syncDirIfNeeded(); err != nil {
		return err
	}
	if err := l.fault("sync"); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDONLY, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	l.wmu.Lock()
	l.synced = max(l.synced, upto)
	l.releaseW()
	return nil
}

// presyncJob asks the writer goroutine to fsync the tail segment at path,
// which holds the records through upto.
type presyncJob struct {
	path string
	upto LSN
}

// presyncStep is how many bytes of a tail segment are written between its
// early fsyncs (everysec, no): an eighth of the segment.
//
// Why: when tidwall rolls to a new segment it fsyncs the old one first,
// inside the WriteBatch of whoever leads the group commit — an event loop,
// with its clients' replies waiting. Under everysec nothing else had
// fsynced the segment since the last tick, so the roll wrote back and
// waited for up to the whole 4 MiB: 5.5 ms on this VM, against 0.8 ms for
// 512 KiB and 0.03 ms for a clean file. MSET at pipeline 1 rolls about 16
// times a second, and its event loop stood in the rolls for 435–650 ms of
// a 4.5 s run (sched_switch trace of the loop's thread). The writer
// goroutine now fsyncs the tail, through a descriptor of its own and off
// every lock, each time another eighth of it is written, and the roll
// finds at most about an eighth dirty: 165–400 ms, what is left being
// rolls whose fsync queues behind a compaction's. The bytes reach the
// disk as before; only when, and on which thread, changes.
func presyncStep(segSize int64) int64 { return max(segSize/8, 64<<10) }

// requestPresync queues an early fsync of the tail segment, unless one is
// queued already: that one, when it runs, covers what was written by then.
// Caller holds wmu.
func (l *Log) requestPresync(upto LSN) {
	l.segMu.Lock()
	path := l.segs[len(l.segs)-1].path
	l.segMu.Unlock()
	select {
	case l.presync <- presyncJob{path: path, upto: upto}:
	default:
	}
}

// sync fsyncs the active segment (sealed ones were fsynced when tidwall
// rolled) and records what it covered.
func (l *Log) sync() error {
	if err := l.syncDirIfNeeded(); err != nil {
		return err
	}
	if err := l.fault("sync"); err != nil {
		return err
	}
	if err := l.tw.Sync(); err != nil {
		return err
	}
	l.synced = l.written
	return nil
}

// syncDirIfNeeded fsyncs the log's directory if a roll left it unsynced
// (dirUnsynced). The flag is cleared first: a roll that sets it again
// meanwhile is covered by this fsync or by the next. A failed fsync
// leaves it set (the caller stops the log anyway).
func (l *Log) syncDirIfNeeded() error {
	l.dirMu.Lock()
	defer l.dirMu.Unlock()
	if !l.dirUnsynced.Swap(false) {
		return nil
	}
	if err := l.syncLogDir(); err != nil {
		l.dirUnsynced.Store(true)
		return err
	}
	return nil
}

// syncLogDir fsyncs the log's directory after a roll, through the fault
// hook's "syncdir" step.
func (l *Log) syncLogDir() error {
	if err := l.fault("syncdir"); err != nil {
		return err
	}
	return syncDir(l.dir)
}

// flush writes everything queued as one tidwall batch, then makes it durable
// per policy. Order (see doc.go): write → [after a roll: fsync dir under
// always, else owe it to the next sync] → [fsync under always, else a
// presync when the tail crossed a presyncStep] → publish durable LSN →
// wake waiters.
func (l *Log) flush() error {
	if err := l.stopped(); err != nil {
		return err
	}
	l.mu.Lock()
	b := l.pending
	l.pending, l.spare = l.spare, b
	l.mu.Unlock()
	if len(b.sizes) == 0 {
		return nil
	}
	defer b.reset()

	// Mirror tidwall's roll rule (wal.go writeBatch, v1.2.1): roll before the
	// batch if the tail already exceeds SegmentSize, and right after any
	// entry that brings it to >= SegmentSize. We must know where segments
	// begin for sidecars, directory fsyncs and readers.
	first := l.written + 1
	l.rolls = l.rolls[:0]
	ab := l.activeBytes
	tailFrom := ab // where this batch starts in the tail it ends in
	if ab > l.segSize {
		l.rolls = append(l.rolls, -1)
		ab = 0
	}
	for i, sz := range b.sizes {
		ab += int64(uvarintLen(uint64(sz)) + sz)
		if ab >= l.segSize {
			l.rolls = append(l.rolls, i)
			ab = 0
		}
	}
	if len(l.rolls) > 0 {
		tailFrom = 0
	}
	err := l.fault("write")
	if err == nil {
		err = l.writeTidwall(b, first)
	}
	if err != nil {
		return err
	}
	last := first + LSN(len(b.sizes)) - 1
	l.written = last
	l.activeBytes = ab

	var sealed []*segment
	if len(l.rolls) > 0 {
		var err error
		if sealed, err = l.recordRolls(b, first); err != nil {
			return err
		}
	} else {
		l.segMu.Lock()
		l.addEntries(l.segs[len(l.segs)-1], b, first, 0, len(b.sizes))
		l.segMu.Unlock()
	}

	if FsyncPolicy(l.policy.Load()) == FsyncAlways {
		if err := l.sync(); err != nil {
			return err
		}
	} else if step := presyncStep(l.segSize); ab/step > tailFrom/step {
		l.requestPresync(last)
	}
	l.dmu.Lock()
	l.durable.Store(uint64(last))
	l.dcond.Broadcast()
	l.dmu.Unlock()

	for _, s := range sealed {
		info := s.info()
		l.queueSidecar(sidecarJob{write: &info})
	}
	return nil
}

// writeTidwall writes b's frames to tidwall, one tidwall batch per piece
// that ends where tidwall rolls (l.rolls): the new tail segment then gets
// its presized buffer (presizeTail, taking over the sealed one's) before
// the rest of the batch goes into it, instead of tidwall growing a fresh
// one by append, a batch's worth at a time (a tenth of all bytes
// allocated under MSET at pipeline 16, whose batches reach a megabyte).
func (l *Log) writeTidwall(b *batch, first LSN) error {
	from, off := 0, 0
	write := func(to int) error { // entries [from, to)
		l.twBatch.Clear()
		for i := from; i < to; i++ {
			sz := b.sizes[i]
			l.twBatch.Write(uint64(first)+uint64(i), b.buf[off:off+sz])
			off += sz
		}
		from = to
		return l.tw.WriteBatch(&l.twBatch)
	}
	for _, r := range l.rolls {
		if r < 0 || r+1 == len(b.sizes) {
			continue // before the batch (tidwall rolls first), or at its end
		}
		if err := write(r + 1); err != nil {
			return err
		}
		if err := l.takeOverTail(); err != nil {
			return err
		}
	}
	return write(len(b.sizes))
}

// addEntries folds entries [from, to) of b into seg. Caller holds segMu.
func (l *Log) addEntries(seg *segment, b *batch, first LSN, from, to int) {
	off := 0
	for i := 0; i < from; i++ {
		off += b.sizes[i]
	}
	for i := from; i < to; i++ {
		f := b.buf[off : off+b.sizes[i]]
		off += b.sizes[i]
		// Frames in the queue were encoded by appendFrame: read the time and
		// the slot list in place instead of decoding (and hashing) again.
		t := int64(binary.LittleEndian.Uint64(f[10:]))
		ns, n := binary.Uvarint(f[18:])
		slots := f[18+n : 18+n+2*int(ns)]
		seg.addRecord(first+LSN(i), t, slots, uvarintLen(uint64(len(f)))+len(f))
	}
}

// recordRolls updates the segment list for a batch during which tidwall
// rolled to new segment files, and makes the new files' directory entries
// durable before any of their records can be reported durable.
func (l *Log) recordRolls(b *batch, first LSN) ([]*segment, error) {
	var sealed []*segment
	l.segMu.Lock()
	cur := l.segs[len(l.segs)-1]
	from := 0
	for _, r := range l.rolls {
		l.addEntries(cur, b, first, from, r+1)
		from = r + 1
		cur.sealed = true
		sealed = append(sealed, cur)
		next := cur.last + 1
		cur = &segment{path: segPath(l.dir, next), first: next, last: next - 1}
		l.segs = append(l.segs, cur)
	}
	l.addEntries(cur, b, first, from, len(b.sizes))
	l.segMu.Unlock()

	// If the mirror of tidwall's roll rule were wrong, the segment list
	// would lie to readers and sidecars: check, and stop if so.
	if _, err := os.Stat(cur.path); err != nil {
		return nil, fmt.Errorf("wal: expected tidwall to roll to %s: %w", cur.path, err)
	}
	// Under always the records in the new file are acknowledged as
	// durable once this batch's fsync returns, so its directory entry must
	// be durable first. Under everysec and no they are acknowledged once
	// written, and the next sync of the log fsyncs the directory before
	// it fsyncs the file: the event loop that leads this batch does not
	// wait for a second fsync per roll (0.3–1 ms each, under MSET at
	// pipeline 1 about 16 rolls a second). A crash before then loses at
	// most what the policy allows to lose, and never a sealed segment's
	// records: tidwall fsynced those before it created the new file.
	if FsyncPolicy(l.policy.Load()) == FsyncAlways {
		if err := l.syncLogDir(); err != nil {
			return nil, err
		}
	} else {
		l.dirUnsynced.Store(true)
	}
	if err := l.takeOverTail(); err != nil {
		return nil, err
	}
	return sealed, nil
}

// takeOverTail gives tidwall's new tail segment the sealed segment's
// in-memory copy (presizeTail), then frees what tidwall still caches: we
// never read through tidwall, and the sealed segment the cache holds has
// lost its copy. A no-op but for the cache when the tail has its buffer.
func (l *Log) takeOverTail() error {
	presizeTail(l.tw, l.segSize)
	return l.tw.ClearCache()
}

// truncateFront removes records < lsn through tidwall, which rewrites the
// segment holding lsn under a new name (a .START file renamed into place),
// then fsyncs the directory and updates segments and sidecars.
func (l *Log) truncateFront(lsn LSN) error {
	if lsn <= LSN(l.first.Load()) {
		return nil
	}
	if lsn > l.written+1 {
		return fmt.Errorf("%w: TruncateFront(%d) past last written LSN %d", ErrOutOfRange, lsn, l.written)
	}
	if err := l.tw.TruncateFront(uint64(lsn)); err != nil {
		return err
	}
	presizeTail(l.tw, l.segSize)
	if err := syncDir(l.dir); err != nil {
		return err
	}

	l.segMu.Lock()
	k := len(l.segs) - 1
	for k > 0 && l.segs[k].first > lsn {
		k--
	}
	old := l.segs[k]
	removed := append([]*segment(nil), l.segs[:k]...)
	var rescan *segment
	if old.first != lsn {
		rescan = old
	}
	// tidwall rewrote old's file even if its name is unchanged: give it a
	// new identity so that readers holding the old inode notice at its end.
	ns := new(segment)
	*ns = *old
	l.segMu.Unlock()

	if rescan != nil {
		// tidwall renamed the segment; rescan it so that its LSN/time range
		// and slot bitmap describe exactly what is left.
		path := segPath(l.dir, lsn)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		res, err := scanSegment(path, lsn, data, false)
		if err != nil {
			return err
		}
		ns = &res.seg
		ns.sealed = rescan.sealed
		if !ns.sealed {
			l.activeBytes = int64(len(data))
		}
	}

	l.segMu.Lock()
	segs := append([]*segment(nil), l.segs[k:]...)
	segs[0] = ns
	l.segs = segs
	l.first.Store(uint64(lsn))
	l.segMu.Unlock()

	var jobs []sidecarJob
	for _, s := range removed {
		jobs = append(jobs, sidecarJob{remove: sidecarPath(s.path)})
	}
	if rescan != nil && ns.sealed {
		info := ns.info()
		jobs = append(jobs, sidecarJob{remove: sidecarPath(rescan.path)}, sidecarJob{write: &info})
	}
	if len(jobs) > 0 {
		l.queueSidecar(jobs...)
	}
	return nil
}
