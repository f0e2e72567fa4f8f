package wal

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestParseFsyncPolicy(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want FsyncPolicy
		ok   bool
	}{
		{"always", FsyncAlways, true}, {"EverySec", FsyncEverySec, true}, {"NO", FsyncNo, true},
		{"sometimes", 0, false}, {"", 0, false},
	} {
		got, err := ParseFsyncPolicy(tc.in)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("ParseFsyncPolicy(%q) = %v, %v", tc.in, got, err)
		}
		if tc.ok && got.String() != map[FsyncPolicy]string{FsyncAlways: "always", FsyncEverySec: "everysec", FsyncNo: "no"}[got] {
			t.Errorf("String() = %q", got.String())
		}
	}
}

func TestAppendReadReopen(t *testing.T) {
	dir := t.TempDir()
	opts, _ := testOpts(2048) // small segments: many rolls
	l := mustOpen(t, dir, opts)
	if l.FirstLSN() != 0 || l.LastLSN() != 0 || l.DurableLSN() != 0 {
		t.Fatalf("new log: first %d last %d durable %d", l.FirstLSN(), l.LastLSN(), l.DurableLSN())
	}
	_, last := appendN(t, l, 500)
	if last != 500 || l.FirstLSN() != 1 || l.DurableLSN() != 500 {
		t.Fatalf("first %d last %d durable %d", l.FirstLSN(), last, l.DurableLSN())
	}
	checkRecords(t, readAll(t, l, 1), 1, 500)
	checkRecords(t, readAll(t, l, 0), 1, 500)
	checkRecords(t, readAll(t, l, 237), 237, 500) // from the middle of a segment
	if n := len(l.Segments()); n < 5 {
		t.Fatalf("only %d segments; want several", n)
	}
	size := l.Size()
	mustClose(t, l)
	if err := l.Close(); !errors.Is(err, ErrClosed) {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := l.Append(1, nil, nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("Append after Close: %v", err)
	}

	l = mustOpen(t, dir, opts)
	defer mustClose(t, l)
	if l.LastLSN() != 500 || l.DurableLSN() != 500 || l.FirstLSN() != 1 || l.Size() != size {
		t.Fatalf("reopen: first %d last %d durable %d size %d (want %d)", l.FirstLSN(), l.LastLSN(), l.DurableLSN(), l.Size(), size)
	}
	appendN(t, l, 10)
	checkRecords(t, readAll(t, l, 400), 400, 510)
	var total int64
	for _, s := range l.Segments() {
		fi, err := os.Stat(s.Path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() != s.Bytes {
			t.Errorf("%s: %d bytes on disk, info says %d", s.Path, fi.Size(), s.Bytes)
		}
		total += fi.Size()
	}
	if total != l.Size() {
		t.Errorf("Size %d, files %d", l.Size(), total)
	}
}

func TestStartLSN(t *testing.T) {
	dir := t.TempDir()
	opts, _ := testOpts(1024)
	opts.StartLSN = 1000
	l := mustOpen(t, dir, opts)
	if l.LastLSN() != 999 || l.FirstLSN() != 0 {
		t.Fatalf("new log at 1000: last %d first %d", l.LastLSN(), l.FirstLSN())
	}
	if err := l.WaitDurable(999); err != nil {
		t.Fatalf("WaitDurable(999) on a log starting at 1000: %v", err)
	}
	if _, err := l.NewReader(999); !errors.Is(err, ErrTruncated) {
		t.Fatalf("NewReader(999): %v", err)
	}
	for _, want := range []LSN{1000, 1001} {
		got, err := l.Append(1, slotsFor(want), payloadFor(want))
		if err != nil || got != want {
			t.Fatalf("Append = %d, %v; want %d", got, err, want)
		}
	}
	if err := l.WaitDurable(1001); err != nil {
		t.Fatal(err)
	}
	mustClose(t, l)

	opts.StartLSN = 1 // ignored: the log exists
	l = mustOpen(t, dir, opts)
	if l.FirstLSN() != 1000 || l.LastLSN() != 1001 {
		t.Fatalf("reopen: first %d last %d", l.FirstLSN(), l.LastLSN())
	}
	_, last := appendN(t, l, 100) // crosses segments
	recs := readAll(t, l, 1000)
	if len(recs) != int(last-999) || recs[0].LSN != 1000 || recs[1].LSN != 1001 {
		t.Fatalf("read %d records from 1000", len(recs))
	}
	if err := l.TruncateFront(1050); err != nil {
		t.Fatal(err)
	}
	if l.FirstLSN() != 1050 {
		t.Fatalf("FirstLSN after TruncateFront(1050) = %d", l.FirstLSN())
	}
	checkRecords(t, readAll(t, l, 1050), 1050, last)
	mustClose(t, l)

	l = mustOpen(t, dir, opts)
	defer mustClose(t, l)
	if l.FirstLSN() != 1050 || l.LastLSN() != last {
		t.Fatalf("reopen after truncate: first %d last %d", l.FirstLSN(), l.LastLSN())
	}
	checkRecords(t, readAll(t, l, 1050), 1050, last)
}

func TestTruncateFront(t *testing.T) {
	dir := t.TempDir()
	opts, _ := testOpts(2048)
	l := mustOpen(t, dir, opts)
	_, last := appendN(t, l, 400)
	segs := l.Segments()
	mid := segs[2].FirstLSN + 3 // inside a sealed segment
	r, err := l.NewReader(mid - 10)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := l.TruncateFront(mid); err != nil {
		t.Fatal(err)
	}
	if err := l.TruncateFront(mid - 5); err != nil { // below first: no-op
		t.Fatal(err)
	}
	if err := l.TruncateFront(last + 5); !errors.Is(err, ErrOutOfRange) {
		t.Fatalf("TruncateFront past durable: %v", err)
	}
	if l.FirstLSN() != mid {
		t.Fatalf("FirstLSN = %d, want %d", l.FirstLSN(), mid)
	}
	if _, err := l.NewReader(mid - 1); !errors.Is(err, ErrTruncated) {
		t.Fatalf("NewReader below first: %v", err)
	}
	// A reader that was already open keeps its descriptor and may finish
	// the segment it holds; it must not be handed wrong records.
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if !errors.Is(err, ErrTruncated) {
				t.Fatalf("open reader after truncation: %v", err)
			}
			break
		}
		if want := payloadFor(rec.LSN); string(rec.Payload) != string(want) {
			t.Fatalf("open reader got wrong record %d", rec.LSN)
		}
	}
	checkRecords(t, readAll(t, l, mid), mid, last)
	info := l.Segments()[0]
	if info.FirstLSN != mid || !info.Sealed {
		t.Fatalf("first segment after truncate: %+v", info)
	}

	// Truncate into the active segment, then everything.
	act := l.Segments()[len(l.Segments())-1]
	if err := l.TruncateFront(act.FirstLSN + 1); err != nil {
		t.Fatal(err)
	}
	if n := len(l.Segments()); n != 1 {
		t.Fatalf("%d segments after truncating into the active one", n)
	}
	checkRecords(t, readAll(t, l, act.FirstLSN+1), act.FirstLSN+1, last)
	if err := l.TruncateFront(last + 1); err != nil {
		t.Fatal(err)
	}
	if l.FirstLSN() != 0 || l.LastLSN() != last {
		t.Fatalf("after truncating all: first %d last %d", l.FirstLSN(), l.LastLSN())
	}
	if recs := readAll(t, l, last+1); len(recs) != 0 {
		t.Fatalf("empty log read %d records", len(recs))
	}
	mustClose(t, l)

	l = mustOpen(t, dir, opts)
	if l.FirstLSN() != 0 || l.LastLSN() != last {
		t.Fatalf("reopen empty: first %d last %d", l.FirstLSN(), l.LastLSN())
	}
	first, last2 := appendN(t, l, 50)
	if first != last+1 {
		t.Fatalf("append after full truncation got %d, want %d", first, last+1)
	}
	checkRecords(t, readAll(t, l, 0), first, last2)
	nsealed := len(l.Segments()) - 1
	mustClose(t, l) // sidecars are written asynchronously; Close drains them
	metas, _ := filepath.Glob(filepath.Join(dir, "*.meta"))
	if len(metas) != nsealed || nsealed == 0 {
		t.Fatalf("%d sidecars for %d sealed segments", len(metas), nsealed)
	}
}

// TestConcurrentAppend: many goroutines append and wait under each policy,
// while a reader tails the log; LSNs are gap-free and everything is readable
// after reopen.
func TestConcurrentAppend(t *testing.T) {
	for _, p := range []FsyncPolicy{FsyncAlways, FsyncEverySec, FsyncNo} {
		t.Run(p.String(), func(t *testing.T) {
			dir := t.TempDir()
			opts, _ := testOpts(16 << 10)
			opts.Fsync = p
			l := mustOpen(t, dir, opts)
			const workers, per = 8, 250
			got := make([][]LSN, workers)
			var wg sync.WaitGroup
			tailDone := make(chan error, 1)
			go func() { tailDone <- tail(l, workers*per) }()
			for w := 0; w < workers; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < per; i++ {
						p := []byte(fmt.Sprintf("w%d-%d", w, i))
						// Half the workers lead their own group commits
						// (AppendAtWaited), half wake the writer.
						appendRec := l.Append
						if w%2 == 1 {
							appendRec = func(typ uint8, slots []uint16, p []byte) (LSN, error) {
								return l.AppendAtWaited(time.Now().UnixMilli(), typ, slots, p)
							}
						}
						lsn, err := appendRec(uint8(w), []uint16{uint16(w)}, p)
						if err != nil {
							t.Error(err)
							return
						}
						if err := l.WaitDurable(lsn); err != nil {
							t.Error(err)
							return
						}
						if l.DurableLSN() < lsn {
							t.Errorf("DurableLSN %d < waited %d", l.DurableLSN(), lsn)
						}
						got[w] = append(got[w], lsn)
					}
				}()
			}
			wg.Wait()
			if err := <-tailDone; err != nil {
				t.Fatal(err)
			}
			seen := make(map[LSN]string)
			for w, lsns := range got {
				for i, lsn := range lsns {
					if _, dup := seen[lsn]; dup {
						t.Fatalf("lsn %d assigned twice", lsn)
					}
					seen[lsn] = fmt.Sprintf("w%d-%d", w, i)
				}
			}
			mustClose(t, l)
			l = mustOpen(t, dir, opts)
			defer mustClose(t, l)
			recs := readAll(t, l, 1)
			if len(recs) != workers*per || l.LastLSN() != workers*per {
				t.Fatalf("read %d records, last %d", len(recs), l.LastLSN())
			}
			for i, r := range recs {
				if r.LSN != LSN(i+1) || string(r.Payload) != seen[r.LSN] {
					t.Fatalf("record %d: lsn %d payload %q want %q", i+1, r.LSN, r.Payload, seen[r.LSN])
				}
			}
		})
	}
}

// TestAppendAtWaitedUnwaited: a record appended for a waiter that never
// waits is still written, by the writer's tick.
func TestAppendAtWaitedUnwaited(t *testing.T) {
	for _, p := range []FsyncPolicy{FsyncAlways, FsyncEverySec, FsyncNo} {
		t.Run(p.String(), func(t *testing.T) {
			opts, _ := testOpts(16 << 10)
			opts.Fsync = p
			l := mustOpen(t, t.TempDir(), opts)
			defer mustClose(t, l)
			lsn, err := l.AppendAtWaited(time.Now().UnixMilli(), 1, []uint16{7}, []byte("unwaited"))
			if err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(5 * time.Second)
			for l.DurableLSN() < lsn {
				if time.Now().After(deadline) {
					t.Fatalf("record %d not written after 5 s (durable %d)", lsn, l.DurableLSN())
				}
				time.Sleep(10 * time.Millisecond)
			}
			if recs := readAll(t, l, 1); len(recs) != 1 || string(recs[0].Payload) != "unwaited" {
				t.Fatalf("read %v", recs)
			}
		})
	}
}

// tail reads n records as they become durable.
func tail(l *Log, n int) error {
	r, err := l.NewReader(1)
	if err != nil {
		return err
	}
	defer r.Close()
	deadline := time.Now().Add(20 * time.Second)
	for next := LSN(1); next <= LSN(n); {
		rec, err := r.Next()
		if err == io.EOF {
			if time.Now().After(deadline) {
				return fmt.Errorf("tail stuck at %d", next)
			}
			time.Sleep(time.Millisecond)
			continue
		}
		if err != nil {
			return err
		}
		if rec.LSN != next {
			return fmt.Errorf("tail got %d, want %d", rec.LSN, next)
		}
		next++
	}
	return nil
}

func TestFatalError(t *testing.T) {
	for _, op := range []string{"write", "sync"} {
		t.Run(op, func(t *testing.T) {
			dir := t.TempDir()
			opts, lb := testOpts(4096)
			opts.Fsync = FsyncAlways
			l := mustOpen(t, dir, opts)
			_, good := appendN(t, l, 20)
			boom := errors.New("injected EIO")
			var mu sync.Mutex
			armed := true
			l.faultHook = func(o string) error {
				mu.Lock()
				defer mu.Unlock()
				if armed && o == op {
					return boom
				}
				return nil
			}
			lsn, err := l.Append(1, nil, []byte("x"))
			if err != nil {
				t.Fatal(err)
			}
			if err := l.WaitDurable(lsn); !errors.Is(err, boom) {
				t.Fatalf("WaitDurable after %s error: %v", op, err)
			}
			mu.Lock()
			armed = false // the log must not recover by retrying
			mu.Unlock()
			if _, err := l.Append(1, nil, nil); !errors.Is(err, boom) {
				t.Fatalf("Append after fatal: %v", err)
			}
			if err := l.WaitDurable(lsn); !errors.Is(err, boom) {
				t.Fatalf("second WaitDurable: %v", err)
			}
			if err := l.WaitDurable(good); err != nil {
				t.Fatalf("WaitDurable of an earlier durable record: %v", err)
			}
			if err := l.Sync(); !errors.Is(err, boom) {
				t.Fatalf("Sync after fatal: %v", err)
			}
			if err := l.TruncateFront(5); !errors.Is(err, boom) {
				t.Fatalf("TruncateFront after fatal: %v", err)
			}
			if l.DurableLSN() != good {
				t.Fatalf("DurableLSN moved to %d after fatal", l.DurableLSN())
			}
			if err := l.Close(); !errors.Is(err, boom) {
				t.Fatalf("Close after fatal: %v", err)
			}
			if want := "wal: fatal"; !strings.Contains(lb.String(), want) {
				t.Fatalf("log lacks %q: %s", want, lb.String())
			}
			// What reached the file is a prefix of history.
			l = mustOpen(t, dir, opts)
			defer mustClose(t, l)
			if last := l.LastLSN(); last < good || last > lsn {
				t.Fatalf("reopen after fatal: last %d, want %d..%d", last, good, lsn)
			}
			recs := readAll(t, l, 1)
			checkRecords(t, recs[:good], 1, good)
		})
	}
}

func TestAppendValidation(t *testing.T) {
	l := mustOpen(t, t.TempDir(), Options{Fsync: FsyncNo})
	defer mustClose(t, l)
	if _, err := l.Append(1, []uint16{NumSlots}, nil); !errors.Is(err, ErrBadSlot) {
		t.Fatalf("slot 16384: %v", err)
	}
	if err := l.WaitDurable(5); !errors.Is(err, ErrOutOfRange) {
		t.Fatalf("WaitDurable past last: %v", err)
	}
	if _, err := l.NewReader(3); !errors.Is(err, ErrOutOfRange) {
		t.Fatalf("NewReader past last: %v", err)
	}
	lsn, err := l.Append(1, nil, nil)
	if err != nil || lsn != 1 {
		t.Fatal(lsn, err)
	}
	l.SetFsync(FsyncAlways)
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
	if l.DurableLSN() != 1 {
		t.Fatalf("durable %d after Sync", l.DurableLSN())
	}
}

// TestTimesMonotonic: a clock that steps back does not make times go back.
func TestTimesMonotonic(t *testing.T) {
	opts, _ := testOpts(0)
	ts := []int64{100, 200, 150, 300}
	i := 0
	opts.Now = func() int64 { v := ts[i]; i++; return v }
	l := mustOpen(t, t.TempDir(), opts)
	defer mustClose(t, l)
	for range ts {
		if _, err := l.Append(0, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.WaitDurable(4); err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, r := range readAll(t, l, 1) {
		got = append(got, r.Time)
	}
	if fmt.Sprint(got) != "[100 200 200 300]" {
		t.Fatalf("times %v", got)
	}
}

// TestShrinkSegmentSize: reopening with a smaller SegmentSize makes tidwall
// roll before the first write; the writer's mirror of tidwall's roll rule
// must agree (it checks, and would stop the log otherwise).
func TestShrinkSegmentSize(t *testing.T) {
	dir := t.TempDir()
	opts, _ := testOpts(64 << 10)
	l := mustOpen(t, dir, opts)
	appendN(t, l, 100)
	mustClose(t, l)
	opts.SegmentSize = 512
	l = mustOpen(t, dir, opts)
	_, last := appendN(t, l, 50)
	segs := l.Segments()
	if segs[0].LastLSN != 100 || segs[1].FirstLSN != 101 || !segs[0].Sealed {
		t.Fatalf("segments after shrink: %+v %+v", segs[0], segs[1])
	}
	mustClose(t, l)
	l = mustOpen(t, dir, opts)
	defer mustClose(t, l)
	checkRecords(t, readAll(t, l, 1), 1, last)
}

// TestReaderAcrossActiveRewrite: TruncateFront at the first LSN of the
// active segment makes tidwall rewrite that file under the same name; a
// Reader tailing it must follow to the new file.
func TestReaderAcrossActiveRewrite(t *testing.T) {
	opts, _ := testOpts(2048)
	l := mustOpen(t, t.TempDir(), opts)
	defer mustClose(t, l)
	appendN(t, l, 100)
	act := l.Segments()[len(l.Segments())-1]
	r, err := l.NewReader(act.FirstLSN)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var got []Record
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, rec)
	}
	if err := l.TruncateFront(act.FirstLSN); err != nil {
		t.Fatal(err)
	}
	_, last := appendN(t, l, 5)
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("reader after rewrite: %v", err)
		}
		got = append(got, rec)
	}
	checkRecords(t, got, act.FirstLSN, last)
}
