package wal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"os"
	"path/filepath"
	"strconv"

	"github.com/RoaringBitmap/roaring/v2"
)

// SegmentInfo describes one segment file. LSN and time ranges are inclusive.
type SegmentInfo struct {
	Path              string
	FirstLSN, LastLSN LSN // LastLSN == FirstLSN-1 for an empty segment
	MinTime, MaxTime  int64
	Slots             *roaring.Bitmap // every slot a record of the segment touches; caller owns it
	Bytes             int64
	Sealed            bool
}

// segment is the in-memory summary of one segment file. Sealed segments are
// immutable; the active one is updated by the writer goroutine under
// Log.segMu.
type segment struct {
	path             string
	first, last      LSN // inclusive; last == first-1 while empty
	minTime, maxTime int64
	bytes            int64
	sealed           bool
	slots            slotSet
}

// slotSet is a fixed bitset of all 16384 slots (2 KiB): setting a bit per
// record is far cheaper on the writer's path than a roaring Add; it becomes a
// roaring bitmap only when a segment is sealed or described.
type slotSet [NumSlots / 64]uint64

func (s *slotSet) add(slot uint16) { s[slot>>6] |= 1 << (slot & 63) }

func (s *slotSet) bitmap() *roaring.Bitmap {
	var vals []uint32
	for w, word := range s {
		for word != 0 {
			b := bits.TrailingZeros64(word)
			vals = append(vals, uint32(w*64+b))
			word &= word - 1
		}
	}
	bm := roaring.New()
	bm.AddMany(vals)
	return bm
}

// addRecord folds one record into the summary.
func (s *segment) addRecord(lsn LSN, t int64, slots []byte, entryBytes int) {
	if s.last < s.first || t < s.minTime {
		s.minTime = t
	}
	if s.last < s.first || t > s.maxTime {
		s.maxTime = t
	}
	s.last = lsn
	s.bytes += int64(entryBytes)
	for i := 0; i+1 < len(slots); i += 2 {
		s.slots.add(binary.LittleEndian.Uint16(slots[i:]))
	}
}

func (s *segment) info() SegmentInfo {
	return SegmentInfo{
		Path: s.path, FirstLSN: s.first, LastLSN: s.last,
		MinTime: s.minTime, MaxTime: s.maxTime,
		Slots: s.slots.bitmap(), Bytes: s.bytes, Sealed: s.sealed,
	}
}

// segmentName is tidwall/wal's file name for a segment whose first index is
// lsn: 20 decimal digits, so names sort like LSNs. Format: never changes.
func segmentName(lsn LSN) string { return fmt.Sprintf("%020d", uint64(lsn)) }

// parseSegmentName returns the first LSN of a segment file name, or ok=false.
func parseSegmentName(name string) (LSN, bool) {
	if len(name) != 20 {
		return 0, false
	}
	n, err := strconv.ParseUint(name, 10, 64)
	if err != nil || n == 0 {
		return 0, false
	}
	return LSN(n), true
}

// scanResult is what a full scan of one segment file learned.
type scanResult struct {
	seg      segment
	validEnd int64 // offset just past the last valid entry
	torn     *CorruptionError
}

// scanSegment decodes and checks every entry of data, the content of the
// segment file path whose first LSN is first. With tail set (the last
// segment), damage that reaches the end of the file without a valid frame
// after it is a torn tail: it is reported in res.torn and res.validEnd says
// where to cut. Any other damage is returned as a *CorruptionError.
func scanSegment(path string, first LSN, data []byte, tail bool) (scanResult, error) {
	res := scanResult{seg: segment{path: path, first: first, last: first - 1}}
	off, next := 0, first
	for off < len(data) {
		size, n := binary.Uvarint(data[off:])
		var ferr error
		var v frameView
		switch {
		case n <= 0:
			ferr = fmt.Errorf("%w: bad entry length", ErrTruncated)
		case size > uint64(len(data)-off-n):
			ferr = fmt.Errorf("%w: entry of %d bytes runs past end of file", ErrTruncated, size)
		default:
			frame := data[off+n : off+n+int(size)]
			v, ferr = decodeFrame(frame)
			if errors.Is(ferr, ErrBadVersion) && checksumOK(frame) {
				// A complete frame from a newer keel: refuse, never repair.
				return res, &CorruptionError{Path: path, Offset: int64(off), LSN: next, Err: ferr}
			}
			if ferr == nil && v.lsn != next {
				// Checksum-valid but in the wrong place: not a torn write.
				return res, &CorruptionError{Path: path, Offset: int64(off), LSN: next,
					Err: fmt.Errorf("%w: holds lsn %d", ErrMisplaced, v.lsn)}
			}
		}
		if ferr != nil {
			ce := &CorruptionError{Path: path, Offset: int64(off), LSN: next, Err: ferr}
			if !tail || validFrameAfter(data, off+1, next) {
				return res, ce
			}
			res.torn = ce
			break
		}
		off += n + int(size)
		res.seg.addRecord(next, v.time, v.slots, n+int(size))
		next++
	}
	res.validEnd = int64(off)
	return res, nil
}

// validFrameAfter reports whether any offset at or after start holds an entry
// whose frame is a checksum-valid current-version frame with an LSN >= min:
// proof that damage before it is not a torn tail. It runs only on damage, so
// the byte-by-byte resync is affordable.
func validFrameAfter(data []byte, start int, min LSN) bool {
	for p := start; p < len(data); p++ {
		size, n := binary.Uvarint(data[p:])
		if n <= 0 || size < frameMinSize || size > uint64(len(data)-p-n) {
			continue
		}
		f := data[p+n : p+n+int(size)]
		if f[0] != frameVersion1 || LSN(binary.LittleEndian.Uint64(f[2:])) < min {
			continue
		}
		if checksumOK(f) {
			return true
		}
	}
	return false
}

// syncDir fsyncs a directory so that creates, renames and removes in it are
// durable. tidwall/wal never does this itself.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	serr := d.Sync()
	cerr := d.Close()
	if serr != nil {
		return fmt.Errorf("wal: fsync dir %s: %w", dir, serr)
	}
	return cerr
}

func segPath(dir string, first LSN) string { return filepath.Join(dir, segmentName(first)) }
