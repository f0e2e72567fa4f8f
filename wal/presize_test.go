package wal

import (
	"testing"

	tidwal "github.com/tidwall/wal"
)

// TestTidwallFieldsForPresize fails if a tidwall/wal upgrade renamed the
// fields presizeTail adjusts (it would then silently do nothing and the
// write path would allocate ~5x each segment again).
func TestTidwallFieldsForPresize(t *testing.T) {
	tw, err := tidwal.Open(t.TempDir(), &tidwal.Options{NoSync: true, LogFormat: tidwal.Binary})
	if err != nil {
		t.Fatal(err)
	}
	defer tw.Close()
	if !fieldsPresent(tw) {
		t.Fatal("tidwall/wal no longer has segments[].ebuf/epos: update presize.go")
	}
	presizeTail(tw, 1<<20)
	seg, _ := tailSegment(tw)
	if c := seg.FieldByName("ebuf").Cap(); c < 1<<20 {
		t.Fatalf("ebuf capacity %d after presize, want >= 1 MiB", c)
	}
	// tidwall still works on the replaced slices.
	for i := uint64(1); i <= 100; i++ {
		if err := tw.Write(i, []byte("entry")); err != nil {
			t.Fatal(err)
		}
	}
	if data, err := tw.Read(57); err != nil || string(data) != "entry" {
		t.Fatalf("Read(57) = %q, %v", data, err)
	}
}

// TestPresizeReusesSealed: after a roll the new tail takes over the
// sealed segment's buffers (no fresh allocation), keeps its own entries,
// and the sealed segment is still readable through tidwall (from its
// file).
func TestPresizeReusesSealed(t *testing.T) {
	const segSize = 1 << 16
	tw, err := tidwal.Open(t.TempDir(), &tidwal.Options{NoSync: true, LogFormat: tidwal.Binary, SegmentSize: segSize})
	if err != nil {
		t.Fatal(err)
	}
	defer tw.Close()
	presizeTail(tw, segSize)
	seg, _ := tailSegment(tw)
	first := seg.FieldByName("ebuf").Pointer()
	entry := make([]byte, 1000)
	var i uint64
	for i = 1; ; i++ { // write until tidwall rolls
		entry[0] = byte(i)
		if err := tw.Write(i, entry); err != nil {
			t.Fatal(err)
		}
		if s, _ := tailSegment(tw); s.FieldByName("ebuf").Pointer() != first {
			break
		}
	}
	presizeTail(tw, segSize)
	seg, _ = tailSegment(tw)
	if got := seg.FieldByName("ebuf").Pointer(); got != first {
		t.Errorf("the new tail's buffer is at %#x, want the sealed segment's %#x", got, first)
	}
	sealed, _ := sealedSegment(tw)
	if n := sealed.FieldByName("ebuf").Cap(); n != 0 {
		t.Errorf("sealed segment keeps a buffer of capacity %d", n)
	}
	for j := uint64(1); j <= i+5; j++ {
		if j > i {
			entry[0] = byte(j)
			if err := tw.Write(j, entry); err != nil {
				t.Fatal(err)
			}
		}
	}
	for j := uint64(1); j <= i+5; j++ {
		data, err := tw.Read(j)
		if err != nil || len(data) != len(entry) || data[0] != byte(j) {
			t.Fatalf("Read(%d) = %d bytes starting %v, %v", j, len(data), data[:min(1, len(data))], err)
		}
	}
}

// TestBatchAcrossRollsKeepsBuffer: one batch that fills several segments
// is written in pieces that end where tidwall rolls, so each new tail
// takes over the presized buffer of the segment sealed before it: after
// the batch the tail holds the buffer the first segment had (tidwall
// grew none by append), and every record reads back, across the rolls
// and after a reopen.
func TestBatchAcrossRollsKeepsBuffer(t *testing.T) {
	const segSize = 4 << 10
	dir := t.TempDir()
	opts, _ := testOpts(segSize)
	l := mustOpen(t, dir, opts)
	seg, ok := tailSegment(l.tw)
	if !ok {
		t.Fatal("no tail segment")
	}
	buf := seg.FieldByName("ebuf").Pointer()

	// Hold the writer's lock so the records queue into one batch, then
	// flush it as the writer would.
	const n = 600 // 50-90 bytes framed each: about 10 segments
	l.wmu.Lock()
	for i := LSN(1); i <= n; i++ {
		if _, err := l.AppendAtWaited(1_700_000_000_000, 1, slotsFor(i), payloadFor(i)); err != nil {
			l.wmu.Unlock()
			t.Fatal(err)
		}
	}
	err := l.flush()
	rolls := len(l.rolls)
	l.releaseW()
	if err != nil {
		t.Fatal(err)
	}
	if rolls < 3 {
		t.Fatalf("the batch rolled %d times, want several", rolls)
	}
	seg, _ = tailSegment(l.tw)
	if got := seg.FieldByName("ebuf").Pointer(); got != buf {
		t.Errorf("after %d rolls the tail's buffer is at %#x, want the first segment's %#x", rolls, got, buf)
	}
	check := func() {
		t.Helper()
		recs := readAll(t, l, 1)
		if len(recs) != n {
			t.Fatalf("read %d records, want %d", len(recs), n)
		}
		for i, r := range recs {
			if lsn := LSN(i + 1); r.LSN != lsn || string(r.Payload) != string(payloadFor(lsn)) {
				t.Fatalf("record %d: lsn %d payload %q", i+1, r.LSN, r.Payload)
			}
		}
	}
	check()
	mustClose(t, l)
	l = mustOpen(t, dir, opts)
	defer mustClose(t, l)
	check()
}
