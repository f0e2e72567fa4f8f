package wal

import (
	"encoding/binary"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/cespare/xxhash/v2"
)

// rewriteFrame lets a fault edit the frame of entry i (0-based) of a segment
// in place and re-seals its checksum, producing a checksum-valid frame.
func rewriteFrame(t *testing.T, path string, i int, edit func(frame []byte)) {
	t.Helper()
	offs := entryOffsets(t, path)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, n := binary.Uvarint(data[offs[i]:])
	frame := data[int(offs[i])+n : offs[i+1]]
	edit(frame)
	body := frame[:len(frame)-8]
	binary.LittleEndian.PutUint64(frame[len(body):], xxhash.Sum64(body))
	if err := os.WriteFile(path, data, 0o640); err != nil {
		t.Fatal(err)
	}
}

func flipByte(t *testing.T, path string, off int64) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[off] ^= 0x40
	if err := os.WriteFile(path, data, 0o640); err != nil {
		t.Fatal(err)
	}
}

func appendBytes(t *testing.T, path string, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
}

func TestRepair(t *testing.T) {
	const n = 300
	type want struct {
		last    LSN    // LastLSN after a successful Open
		warn    bool   // a torn-tail warning is logged
		err     error  // Open fails with a *CorruptionError wrapping err
		seg     int    // ... in this segment (index; -1 = last)
		entry   int    // ... at the offset of this entry (-1 = don't check)
		errText string // ... whose message contains this
	}
	for _, tc := range []struct {
		name  string
		fault func(t *testing.T, segs []string)
		want  want
	}{
		{"clean", func(*testing.T, []string) {}, want{last: n}},
		{"torn_last_record", func(t *testing.T, segs []string) {
			last := segs[len(segs)-1]
			fi, _ := os.Stat(last)
			if err := os.Truncate(last, fi.Size()-5); err != nil {
				t.Fatal(err)
			}
		}, want{last: n - 1, warn: true}},
		{"torn_length_prefix", func(t *testing.T, segs []string) {
			appendBytes(t, segs[len(segs)-1], []byte{0x80})
		}, want{last: n, warn: true}},
		{"zero_filled_tail", func(t *testing.T, segs []string) {
			appendBytes(t, segs[len(segs)-1], make([]byte, 4096))
		}, want{last: n, warn: true}},
		{"garbage_last_record", func(t *testing.T, segs []string) {
			last := segs[len(segs)-1]
			offs := entryOffsets(t, last)
			flipByte(t, last, offs[len(offs)-2]+5)
		}, want{last: n - 1, warn: true}},
		{"bad_checksum_sealed_segment", func(t *testing.T, segs []string) {
			offs := entryOffsets(t, segs[1])
			flipByte(t, segs[1], offs[2]+12)
		}, want{err: ErrChecksum, seg: 1, entry: 2}},
		{"bad_checksum_mid_last_segment", func(t *testing.T, segs []string) {
			last := segs[len(segs)-1]
			offs := entryOffsets(t, last)
			flipByte(t, last, offs[0]+12)
		}, want{err: ErrChecksum, seg: -1, entry: 0}},
		{"bad_version", func(t *testing.T, segs []string) {
			// A complete, checksum-valid frame of an unknown version as the
			// very last record: written by a newer keel, never repaired away.
			last := segs[len(segs)-1]
			offs := entryOffsets(t, last)
			rewriteFrame(t, last, len(offs)-2, func(f []byte) { f[0] = 2 })
		}, want{err: ErrBadVersion, seg: -1, entry: -1}},
		{"misplaced_lsn", func(t *testing.T, segs []string) {
			rewriteFrame(t, segs[0], 1, func(f []byte) { binary.LittleEndian.PutUint64(f[2:], 7) })
		}, want{err: ErrMisplaced, seg: 0, entry: 1, errText: "lsn 2"}},
		{"missing_end_of_sealed_segment", func(t *testing.T, segs []string) {
			offs := entryOffsets(t, segs[0])
			if err := os.Truncate(segs[0], offs[len(offs)-2]); err != nil {
				t.Fatal(err)
			}
		}, want{err: ErrTruncated, seg: 0, entry: -1}},
		{"torn_record_in_sealed_segment", func(t *testing.T, segs []string) {
			offs := entryOffsets(t, segs[0])
			if err := os.Truncate(segs[0], offs[len(offs)-2]+3); err != nil {
				t.Fatal(err)
			}
		}, want{err: ErrTruncated, seg: 0, entry: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			opts, lb := testOpts(2048)
			l := mustOpen(t, dir, opts)
			appendN(t, l, n)
			mustClose(t, l)
			segs := segmentFiles(t, dir)
			if len(segs) < 3 {
				t.Fatalf("want >= 3 segments, have %d", len(segs))
			}
			var wantOff int64 = -1
			if tc.want.err != nil && tc.want.entry >= 0 {
				i := tc.want.seg
				if i < 0 {
					i = len(segs) - 1
				}
				wantOff = entryOffsets(t, segs[i])[tc.want.entry]
			}
			tc.fault(t, segs)

			l, err := Open(dir, opts)
			if tc.want.err != nil {
				if err == nil {
					l.Close()
					t.Fatalf("Open succeeded; want %v", tc.want.err)
				}
				ce := asCorruption(t, err)
				i := tc.want.seg
				if i < 0 {
					i = len(segs) - 1
				}
				if !errors.Is(err, tc.want.err) || ce.Path != segs[i] {
					t.Fatalf("got %v; want %v in %s", err, tc.want.err, segs[i])
				}
				if wantOff >= 0 && ce.Offset != wantOff {
					t.Fatalf("offset %d, want %d", ce.Offset, wantOff)
				}
				if !strings.Contains(err.Error(), "wal: corrupt record in "+segs[i]+" at offset") ||
					!strings.Contains(err.Error(), tc.want.errText) {
					t.Fatalf("message %q", err.Error())
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if l.LastLSN() != tc.want.last {
				t.Errorf("LastLSN %d, want %d", l.LastLSN(), tc.want.last)
			}
			warned := strings.Contains(lb.String(), "truncated torn tail")
			if warned != tc.want.warn {
				t.Errorf("warning logged %v, want %v: %s", warned, tc.want.warn, lb.String())
			}
			if tc.want.warn && !(strings.Contains(lb.String(), "offset=") && strings.Contains(lb.String(), "bytes=")) {
				t.Errorf("warning lacks offset/bytes: %s", lb.String())
			}
			checkRecords(t, readAll(t, l, 1), 1, tc.want.last)
			// The repaired log accepts appends and reopens cleanly.
			appendN(t, l, 3)
			mustClose(t, l)
			opts2, lb2 := testOpts(2048)
			l = mustOpen(t, dir, opts2)
			defer mustClose(t, l)
			if l.LastLSN() != tc.want.last+3 || strings.Contains(lb2.String(), "torn") {
				t.Fatalf("second reopen: last %d, log %s", l.LastLSN(), lb2.String())
			}
			checkRecords(t, readAll(t, l, 1), 1, tc.want.last+3)
		})
	}
}

// TestStaleFiles: stale .tmp/.TEMP files are removed and an interrupted
// tidwall front truncation (.START left behind) is finished.
func TestStaleFiles(t *testing.T) {
	dir := t.TempDir()
	opts, _ := testOpts(2048)
	l := mustOpen(t, dir, opts)
	_, last := appendN(t, l, 200)
	mustClose(t, l)
	segs := segmentFiles(t, dir)
	// Simulate a crash after tidwall wrote 00..<segs[1] first+2>.START.
	offs := entryOffsets(t, segs[1])
	data, _ := os.ReadFile(segs[1])
	first1, _ := parseSegmentName(segs[1][len(segs[1])-20:])
	start := first1 + 2
	if err := os.WriteFile(segPath(dir, start)+".START", data[offs[2]:], 0o640); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{segs[0] + ".meta.tmp", segPath(dir, start) + ".START.TEMP"} {
		if err := os.WriteFile(f, []byte("junk"), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	l = mustOpen(t, dir, opts)
	defer mustClose(t, l)
	if l.FirstLSN() != start || l.LastLSN() != last {
		t.Fatalf("first %d last %d; want %d, %d", l.FirstLSN(), l.LastLSN(), start, last)
	}
	checkRecords(t, readAll(t, l, start), start, last)
	for _, f := range []string{segs[0], segs[1], segs[0] + ".meta", segs[0] + ".meta.tmp", segPath(dir, start) + ".START.TEMP"} {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("%s still exists (%v)", f, err)
		}
	}
}

// TestKeepTornTail: with KeepTornTail (aof-load-truncated no) a torn tail
// fails Open with a *CorruptionError naming the last segment and the
// torn record's offset, and leaves the file as it was; without it the
// same log opens repaired.
func TestKeepTornTail(t *testing.T) {
	dir := t.TempDir()
	opts, _ := testOpts(2048)
	l := mustOpen(t, dir, opts)
	appendN(t, l, 100)
	mustClose(t, l)
	segs := segmentFiles(t, dir)
	last := segs[len(segs)-1]
	offs := entryOffsets(t, last)
	fi, _ := os.Stat(last)
	if err := os.Truncate(last, fi.Size()-5); err != nil {
		t.Fatal(err)
	}
	opts.KeepTornTail = true
	if l, err := Open(dir, opts); err == nil {
		l.Close()
		t.Fatal("Open of a torn tail succeeded with KeepTornTail")
	} else if ce := asCorruption(t, err); ce.Path != last || ce.Offset != offs[len(offs)-2] || !strings.Contains(err.Error(), "aof-load-truncated") {
		t.Fatalf("got %v (offset %d), want the torn record of %s at offset %d", err, ce.Offset, last, offs[len(offs)-2])
	}
	if fi2, _ := os.Stat(last); fi2.Size() != fi.Size()-5 {
		t.Fatalf("the segment changed size: %d, was %d", fi2.Size(), fi.Size()-5)
	}
	opts.KeepTornTail = false
	l = mustOpen(t, dir, opts)
	defer mustClose(t, l)
	if l.LastLSN() != 99 {
		t.Fatalf("repaired LastLSN %d, want 99", l.LastLSN())
	}
}
