package wal

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// logBuf is a concurrency-safe buffer for a test logger.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *logBuf) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *logBuf) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// testOpts returns options with a deterministic clock (lsn-ish ms) and a
// captured logger.
func testOpts(segSize int64) (Options, *logBuf) {
	var clock atomic.Int64
	clock.Store(1_700_000_000_000)
	lb := &logBuf{}
	return Options{
		Fsync:       FsyncNo,
		SegmentSize: segSize,
		Logger:      slog.New(slog.NewTextHandler(lb, nil)),
		Now:         func() int64 { return clock.Add(1) },
	}, lb
}

func mustOpen(t testing.TB, dir string, opts Options) *Log {
	t.Helper()
	l, err := Open(dir, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return l
}

func mustClose(t testing.TB, l *Log) {
	t.Helper()
	if err := l.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// slotsFor and payloadFor make record contents a function of the LSN so that
// any read can be checked.
func slotsFor(lsn LSN) []uint16 {
	return []uint16{uint16(lsn % NumSlots), uint16((lsn * 7) % NumSlots)}
}

func payloadFor(lsn LSN) []byte {
	p := make([]byte, 8+int(lsn%40))
	binary.LittleEndian.PutUint64(p, uint64(lsn))
	return p
}

func appendN(t testing.TB, l *Log, n int) (first, last LSN) {
	t.Helper()
	for i := 0; i < n; i++ {
		next := l.LastLSN() + 1
		lsn, err := l.Append(uint8(next%7), slotsFor(next), payloadFor(next))
		if err != nil {
			t.Fatalf("Append: %v", err)
		}
		if lsn != next {
			t.Fatalf("Append got lsn %d, want %d", lsn, next)
		}
		if i == 0 {
			first = lsn
		}
		last = lsn
	}
	if err := l.WaitDurable(last); err != nil {
		t.Fatalf("WaitDurable: %v", err)
	}
	return first, last
}

func readAll(t testing.TB, l *Log, from LSN) []Record {
	t.Helper()
	r, err := l.NewReader(from)
	if err != nil {
		t.Fatalf("NewReader(%d): %v", from, err)
	}
	defer r.Close()
	var out []Record
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		out = append(out, rec)
	}
}

// checkRecords verifies recs are exactly from..to with the contents that
// appendN writes.
func checkRecords(t testing.TB, recs []Record, from, to LSN) {
	t.Helper()
	if want := int(to - from + 1); len(recs) != want {
		t.Fatalf("read %d records, want %d (%d..%d)", len(recs), want, from, to)
	}
	var prevTime int64
	for i, r := range recs {
		lsn := from + LSN(i)
		if r.LSN != lsn || r.Type != uint8(lsn%7) || !bytes.Equal(r.Payload, payloadFor(lsn)) {
			t.Fatalf("record %d: got lsn %d type %d payload %x", lsn, r.LSN, r.Type, r.Payload)
		}
		if s := slotsFor(lsn); len(r.Slots) != 2 || r.Slots[0] != s[0] || r.Slots[1] != s[1] {
			t.Fatalf("record %d: slots %v, want %v", lsn, r.Slots, s)
		}
		if r.Time < prevTime {
			t.Fatalf("record %d: time %d < previous %d", lsn, r.Time, prevTime)
		}
		prevTime = r.Time
	}
}

// segmentFiles returns the segment paths of dir in order.
func segmentFiles(t testing.TB, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if _, ok := parseSegmentName(e.Name()); ok {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(out)
	return out
}

// entryOffsets returns the byte offset of every tidwall entry in a segment
// file, plus the file size at the end.
func entryOffsets(t testing.TB, path string) []int64 {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var offs []int64
	off := 0
	for off < len(data) {
		offs = append(offs, int64(off))
		size, n := binary.Uvarint(data[off:])
		off += n + int(size)
	}
	return append(offs, int64(off))
}

func asCorruption(t testing.TB, err error) *CorruptionError {
	t.Helper()
	var ce *CorruptionError
	if !errors.As(err, &ce) {
		t.Fatalf("got %v, want *CorruptionError", err)
	}
	return ce
}
