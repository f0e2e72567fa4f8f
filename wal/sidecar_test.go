package wal

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

// expectedInfo computes a segment's summary from the records appendN wrote
// and the deterministic clock.
func expectedInfo(recs []Record, first, last LSN) SegmentInfo {
	info := SegmentInfo{FirstLSN: first, LastLSN: last, Slots: roaring.New()}
	for _, r := range recs {
		if r.LSN < first || r.LSN > last {
			continue
		}
		if info.MinTime == 0 || r.Time < info.MinTime {
			info.MinTime = r.Time
		}
		if r.Time > info.MaxTime {
			info.MaxTime = r.Time
		}
		for _, s := range r.Slots {
			info.Slots.Add(uint32(s))
		}
	}
	return info
}

func TestSidecars(t *testing.T) {
	dir := t.TempDir()
	opts, _ := testOpts(2048)
	l := mustOpen(t, dir, opts)
	_, last := appendN(t, l, 300)
	recs := readAll(t, l, 1)
	segs := l.Segments()
	mustClose(t, l) // drains the sidecar goroutine

	if len(segs) < 3 || segs[len(segs)-1].Sealed {
		t.Fatalf("segments: %d, last sealed %v", len(segs), segs[len(segs)-1].Sealed)
	}
	next := LSN(1)
	for i, s := range segs {
		if s.FirstLSN != next {
			t.Fatalf("segment %d starts at %d, want %d", i, s.FirstLSN, next)
		}
		next = s.LastLSN + 1
		want := expectedInfo(recs, s.FirstLSN, s.LastLSN)
		if s.MinTime != want.MinTime || s.MaxTime != want.MaxTime || !s.Slots.Equals(want.Slots) {
			t.Fatalf("segment %d info %+v slots %v; want times %d..%d slots %v",
				i, s, s.Slots.ToArray(), want.MinTime, want.MaxTime, want.Slots.ToArray())
		}
		if !s.Sealed {
			if _, err := os.Stat(sidecarPath(s.Path)); !os.IsNotExist(err) {
				t.Fatalf("active segment has a sidecar (%v)", err)
			}
			continue
		}
		b, err := os.ReadFile(sidecarPath(s.Path))
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeSidecar(b)
		if err != nil {
			t.Fatalf("%s: %v", sidecarPath(s.Path), err)
		}
		got.Path = s.Path
		if !sameInfo(got, s) {
			t.Fatalf("sidecar %+v, segment %+v", got, s)
		}
		// A slot the segment never touched is absent: the bitmap is exact.
		if got.Slots.Contains(uint32(NumSlots - 1)) {
			t.Fatalf("bitmap has a slot no record used")
		}
	}
	if next != last+1 {
		t.Fatalf("segments end at %d, want %d", next-1, last)
	}

	// Missing and damaged sidecars are rebuilt on open, orphans removed.
	if err := os.Remove(sidecarPath(segs[0].Path)); err != nil {
		t.Fatal(err)
	}
	flipByte(t, sidecarPath(segs[1].Path), 20)
	orphan := segPath(dir, 999999) + sidecarExt
	if err := os.WriteFile(orphan, []byte("x"), 0o640); err != nil {
		t.Fatal(err)
	}
	opts, lb := testOpts(2048)
	l = mustOpen(t, dir, opts)
	mustClose(t, l)
	if !strings.Contains(lb.String(), "rebuilding invalid sidecar") {
		t.Fatalf("no rebuild warning: %s", lb.String())
	}
	if _, err := os.Stat(orphan); !os.IsNotExist(err) {
		t.Fatalf("orphan sidecar kept")
	}
	for _, s := range segs[:2] {
		b, err := os.ReadFile(sidecarPath(s.Path))
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeSidecar(b)
		if err != nil || !sameInfo(got, s) {
			t.Fatalf("rebuilt sidecar %+v, %v", got, err)
		}
	}
}

// TestDecodeSidecar: validation order magic, version, checksum, each with
// its own error.
func TestDecodeSidecar(t *testing.T) {
	bm := roaring.BitmapOf(1, 2, 16383)
	good, err := encodeSidecar(SegmentInfo{FirstLSN: 5, LastLSN: 9, MinTime: 10, MaxTime: 20, Slots: bm, Bytes: 123})
	if err != nil {
		t.Fatal(err)
	}
	mut := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	for _, tc := range []struct {
		name string
		b    []byte
		want error
	}{
		{"ok", good, nil},
		{"short", good[:10], ErrShortSidecar},
		{"bad_magic", mut(func(b []byte) []byte { b[0] = 'X'; b[4] = 9; return b }), ErrBadMagic},
		{"bad_version", mut(func(b []byte) []byte { b[4] = 9; b[20] ^= 1; return b }), ErrBadVersion},
		{"bad_checksum", mut(func(b []byte) []byte { b[20] ^= 1; return b }), ErrChecksum},
	} {
		t.Run(tc.name, func(t *testing.T) {
			info, err := decodeSidecar(tc.b)
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if tc.want == nil && (info.FirstLSN != 5 || info.LastLSN != 9 || info.MinTime != 10 ||
				info.MaxTime != 20 || info.Bytes != 123 || !info.Slots.Equals(bm)) {
				t.Fatalf("decoded %+v", info)
			}
		})
	}
}
