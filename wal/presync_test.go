package wal

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

// opLog records the writer's I/O steps (faultHook) in order, and fails
// the one named fail, if any.
type opLog struct {
	mu   sync.Mutex
	ops  []string
	fail string
	err  error
}

func (o *opLog) hook(op string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.ops = append(o.ops, op)
	if op == o.fail {
		return o.err
	}
	return nil
}

// count returns how many times op ran.
func (o *opLog) count(op string) int { return countOf(o.since(0), op) }

// since returns the steps after the first n.
func (o *opLog) since(n int) []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.ops[n:]...)
}

func (o *opLog) len() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.ops)
}

// appendKiB appends records of 1000-byte payloads, each waited for,
// until they add at least n bytes to the log (counting their payloads
// alone), and returns the last LSN.
func appendKiB(t *testing.T, l *Log, n int64) LSN {
	t.Helper()
	payload := make([]byte, 1000)
	var last LSN
	for added := int64(0); added < n; added += int64(len(payload)) {
		lsn, err := l.Append(1, []uint16{7}, payload)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.WaitDurable(lsn); err != nil {
			t.Fatal(err)
		}
		last = lsn
	}
	return last
}

// openHooked opens a log of segSize-byte segments under policy, with
// everysec's tick an hour away (only presyncs fsync ahead of it) and its
// I/O steps recorded in the returned opLog.
func openHooked(t *testing.T, segSize int64, policy FsyncPolicy) (*Log, *opLog) {
	t.Helper()
	opts, _ := testOpts(segSize)
	opts.Fsync = policy
	opts.syncTick = time.Hour
	l := mustOpen(t, t.TempDir(), opts)
	ops := &opLog{}
	l.faultHook = ops.hook
	return l, ops
}

// syncedNow reads the last LSN the writer knows fsynced.
func (l *Log) syncedNow() LSN {
	l.wmu.Lock()
	defer l.releaseW()
	return l.synced
}

// TestPresync: under everysec the writer goroutine fsyncs the tail each
// time another presyncStep of it is written, without waiting for the
// tick, so that a roll finds little to write back; under always there is
// nothing to do ahead (every batch is fsynced).
func TestPresync(t *testing.T) {
	const segSize = 1 << 20 // presyncStep: 128 KiB
	step := presyncStep(segSize)
	t.Run("everysec", func(t *testing.T) {
		opts, _ := testOpts(segSize)
		opts.Fsync = FsyncEverySec
		opts.syncTick = time.Hour // only presyncs fsync
		l := mustOpen(t, t.TempDir(), opts)
		defer mustClose(t, l)
		var ops opLog
		l.faultHook = ops.hook

		before := appendKiB(t, l, step/2)
		time.Sleep(50 * time.Millisecond)
		if n := ops.count("sync"); n != 0 {
			t.Fatalf("%d fsyncs before a step of the segment was written", n)
		}
		last := appendKiB(t, l, step) // crosses the first step
		deadline := time.Now().Add(10 * time.Second)
		for l.syncedNow() <= before {
			if time.Now().After(deadline) {
				t.Fatalf("no presync: synced %d after %d..%d crossed a step", l.syncedNow(), before, last)
			}
			time.Sleep(time.Millisecond)
		}
		if n := ops.count("sync"); n == 0 {
			t.Fatal("synced advanced without an fsync")
		}
	})
	t.Run("always", func(t *testing.T) {
		l, ops := openHooked(t, segSize, FsyncAlways)
		defer mustClose(t, l)
		appendKiB(t, l, 2*step)
		// One fsync per batch (each append here is its own batch), none
		// ahead: fsyncs equal writes.
		if s, w := ops.count("sync"), ops.count("write"); s != w {
			t.Fatalf("always: %d fsyncs for %d writes", s, w)
		}
	})
}

// TestRollDirSync: a roll's new segment file must have its directory
// entry fsynced before any of its records counts as fsynced. Under always
// that is before the batch's fsync, on the writer's path; under everysec
// the event loop leading the batch does not wait for it, and the next
// sync of the log (tick, presync, Sync, Close) fsyncs the directory
// before the file.
func TestRollDirSync(t *testing.T) {
	const segSize = 64 << 10
	t.Run("everysec", func(t *testing.T) {
		l, ops := openHooked(t, segSize, FsyncEverySec)
		defer mustClose(t, l)
		segs := len(l.Segments())
		appendKiB(t, l, segSize/2)
		appendKiB(t, l, segSize) // rolls once
		if got := len(l.Segments()); got != segs+1 {
			t.Fatalf("%d segments after a roll, want %d", got, segs+1)
		}
		if n := ops.count("syncdir"); n != 0 {
			t.Fatalf("everysec: %d directory fsyncs on the writer's path", n)
		}
		if !l.dirUnsynced.Load() {
			t.Fatal("a roll left no directory fsync owed")
		}
		from := ops.len()
		if err := l.Sync(); err != nil {
			t.Fatal(err)
		}
		got := ops.since(from)
		if len(got) < 2 || got[0] != "syncdir" || got[1] != "sync" {
			t.Fatalf("Sync after a roll ran %v, want syncdir then sync", got)
		}
		if l.dirUnsynced.Load() {
			t.Fatal("directory fsync still owed after Sync")
		}
		// Nothing owed: the next Sync fsyncs the file alone.
		appendKiB(t, l, 1)
		from = ops.len()
		if err := l.Sync(); err != nil {
			t.Fatal(err)
		}
		if got := ops.since(from); countOf(got, "syncdir") != 0 || countOf(got, "sync") != 1 {
			t.Fatalf("Sync with no roll ran %v, want one sync", got)
		}
	})
	t.Run("always", func(t *testing.T) {
		l, ops := openHooked(t, segSize, FsyncAlways)
		defer mustClose(t, l)
		appendKiB(t, l, segSize/2)
		from := ops.len()
		appendKiB(t, l, segSize) // rolls once
		got := ops.since(from)
		i := slices.Index(got, "syncdir")
		if i < 0 || countOf(got, "syncdir") != 1 {
			t.Fatalf("always: steps over a roll %v, want one syncdir", got)
		}
		if i+1 >= len(got) || got[i+1] != "sync" {
			t.Fatalf("always: the roll's batch did not fsync right after the directory: %v", got[i:])
		}
		if l.dirUnsynced.Load() {
			t.Fatal("always owes a directory fsync")
		}
	})
	t.Run("fails", func(t *testing.T) {
		l, ops := openHooked(t, segSize, FsyncEverySec)
		boom := errors.New("injected EIO")
		ops.fail, ops.err = "syncdir", boom
		appendKiB(t, l, 3*segSize/2) // rolls once
		if err := l.Sync(); !errors.Is(err, boom) {
			t.Fatalf("Sync with a failing directory fsync: %v", err)
		}
		if _, err := l.Append(1, nil, nil); !errors.Is(err, boom) {
			t.Fatalf("Append after the failed directory fsync: %v", err)
		}
		if err := l.Close(); !errors.Is(err, boom) {
			t.Fatalf("Close: %v", err)
		}
	})
}

// countOf returns how many of ops are op.
func countOf(ops []string, op string) int {
	n := 0
	for _, x := range ops {
		if x == op {
			n++
		}
	}
	return n
}
