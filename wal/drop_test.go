package wal

import (
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
)

// TestDropSealedThrough: whole sealed segments at or below the LSN are
// deleted (files and sidecars), the log's first LSN moves to the next
// segment, appends running meanwhile are unaffected, and a reopen sees the
// same log.
func TestDropSealedThrough(t *testing.T) {
	dir := t.TempDir()
	opts, _ := testOpts(2048)
	l := mustOpen(t, dir, opts)
	appendN(t, l, 400)
	segs := l.Segments()
	if len(segs) < 6 {
		t.Fatalf("only %d segments", len(segs))
	}
	if n, err := l.DropSealedThrough(segs[0].FirstLSN - 1); n != 0 || err != nil {
		t.Fatalf("drop below the first record: %d %v", n, err)
	}
	// Appends run on while segments are dropped.
	var wg sync.WaitGroup
	wg.Add(1)
	var last LSN
	var appendErr error
	go func() { // one writer, as the log requires
		defer wg.Done()
		for range 200 {
			next := l.LastLSN() + 1
			if last, appendErr = l.Append(uint8(next%7), slotsFor(next), payloadFor(next)); appendErr != nil {
				return
			}
		}
		appendErr = l.WaitDurable(last)
	}()
	cut := segs[2].LastLSN + 3 // inside segs[3]: segs[0..2] go, segs[3] stays
	n, err := l.DropSealedThrough(cut)
	if err != nil || n != 3 {
		t.Fatalf("DropSealedThrough(%d) = %d, %v; want 3", cut, n, err)
	}
	wg.Wait()
	if appendErr != nil {
		t.Fatalf("append while dropping: %v", appendErr)
	}
	if got := l.FirstLSN(); got != segs[3].FirstLSN {
		t.Fatalf("FirstLSN %d, want %d", got, segs[3].FirstLSN)
	}
	for _, s := range segs[:3] {
		if _, err := os.Stat(s.Path); !os.IsNotExist(err) {
			t.Fatalf("dropped segment %s still there (%v)", s.Path, err)
		}
	}
	if _, err := l.NewReader(segs[3].FirstLSN - 1); !errors.Is(err, ErrTruncated) {
		t.Fatalf("NewReader below first: %v", err)
	}
	checkRecords(t, readAll(t, l, segs[3].FirstLSN), segs[3].FirstLSN, last)

	// Everything sealed: the active segment stays, with the last record.
	n, err = l.DropSealedThrough(last)
	if err != nil || n == 0 {
		t.Fatalf("dropping every sealed segment: %d %v", n, err)
	}
	all := l.Segments()
	if len(all) != 1 || all[0].Sealed {
		t.Fatalf("after dropping every sealed segment: %+v", all)
	}
	kept := all[0].FirstLSN
	mustClose(t, l) // drains the sidecar removals

	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), sidecarExt) {
			t.Fatalf("sidecar %s left after its segments were dropped", e.Name())
		}
	}
	l = mustOpen(t, dir, opts)
	defer mustClose(t, l)
	if l.FirstLSN() != kept || l.LastLSN() != last {
		t.Fatalf("reopened: first %d last %d, want %d %d", l.FirstLSN(), l.LastLSN(), kept, last)
	}
	checkRecords(t, readAll(t, l, kept), kept, last)
	more, last2 := appendN(t, l, 20)
	if more != last+1 {
		t.Fatalf("append after reopen got %d, want %d", more, last+1)
	}
	checkRecords(t, readAll(t, l, kept), kept, last2)
}
