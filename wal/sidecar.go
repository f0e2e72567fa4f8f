package wal

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/cespare/xxhash/v2"
)

// Sidecar format constants (docs/format/wal.md). Part of the on-disk format;
// never change them.
const (
	sidecarMagic    = "KWLM" // format
	sidecarVersion1 = 0x01   // format
	sidecarExt      = ".meta"
	tmpExt          = ".tmp"
	// magic + version + first + last + minTime + maxTime + bytes + bitmap_len
	sidecarFixed   = 4 + 1 + 8 + 8 + 8 + 8 + 8 + 4 // format
	sidecarMinSize = sidecarFixed + 8              // format: + xxh64
)

func sidecarPath(segPath string) string { return segPath + sidecarExt }

// encodeSidecar serializes the summary of a sealed segment.
func encodeSidecar(info SegmentInfo) ([]byte, error) {
	bm, err := info.Slots.ToBytes()
	if err != nil {
		return nil, err
	}
	b := make([]byte, 0, sidecarMinSize+len(bm))
	b = append(b, sidecarMagic...)
	b = append(b, sidecarVersion1)
	b = binary.LittleEndian.AppendUint64(b, uint64(info.FirstLSN))
	b = binary.LittleEndian.AppendUint64(b, uint64(info.LastLSN))
	b = binary.LittleEndian.AppendUint64(b, uint64(info.MinTime))
	b = binary.LittleEndian.AppendUint64(b, uint64(info.MaxTime))
	b = binary.LittleEndian.AppendUint64(b, uint64(info.Bytes))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(bm)))
	b = append(b, bm...)
	return binary.LittleEndian.AppendUint64(b, xxhash.Sum64(b)), nil
}

// decodeSidecar validates magic, version and checksum, in that order, each
// with its own error, then decodes. Path and Sealed are left to the caller.
func decodeSidecar(b []byte) (SegmentInfo, error) {
	var info SegmentInfo
	if len(b) < sidecarMinSize {
		return info, fmt.Errorf("%w: %d bytes", ErrShortSidecar, len(b))
	}
	if string(b[:4]) != sidecarMagic {
		return info, fmt.Errorf("%w: %q", ErrBadMagic, b[:4])
	}
	if b[4] != sidecarVersion1 {
		return info, fmt.Errorf("%w: sidecar version %d", ErrBadVersion, b[4])
	}
	if !checksumOK(b) {
		return info, ErrChecksum
	}
	le := binary.LittleEndian
	info.FirstLSN = LSN(le.Uint64(b[5:]))
	info.LastLSN = LSN(le.Uint64(b[13:]))
	info.MinTime = int64(le.Uint64(b[21:]))
	info.MaxTime = int64(le.Uint64(b[29:]))
	info.Bytes = int64(le.Uint64(b[37:]))
	n := le.Uint32(b[45:])
	if uint64(n) != uint64(len(b)-sidecarMinSize) {
		return info, fmt.Errorf("%w: bitmap length %d", ErrBadSidecar, n)
	}
	info.Slots = roaring.New()
	if _, err := info.Slots.ReadFrom(bytes.NewReader(b[sidecarFixed : sidecarFixed+int(n)])); err != nil {
		return info, fmt.Errorf("%w: bitmap: %v", ErrBadSidecar, err)
	}
	return info, nil
}

// sameInfo reports whether a sidecar agrees with a scan of its segment.
func sameInfo(a, b SegmentInfo) bool {
	return a.FirstLSN == b.FirstLSN && a.LastLSN == b.LastLSN && a.MinTime == b.MinTime &&
		a.MaxTime == b.MaxTime && a.Bytes == b.Bytes && a.Slots.Equals(b.Slots)
}

// writeFileAtomic replaces path crash-safely: write path.tmp, fsync it,
// rename, fsync the directory. Stale .tmp files are removed by Open.
func writeFileAtomic(path string, data []byte) error {
	tmp := path + tmpExt
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o640)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		if rerr := os.Remove(tmp); rerr != nil && !os.IsNotExist(rerr) {
			err = fmt.Errorf("%w (and removing %s: %v)", err, tmp, rerr)
		}
		return err
	}
	return syncDir(filepath.Dir(path))
}

func writeSidecar(info SegmentInfo) error {
	b, err := encodeSidecar(info)
	if err != nil {
		return err
	}
	return writeFileAtomic(sidecarPath(info.Path), b)
}

// sidecarJob is one unit of work for the sidecar goroutine: write the sidecar
// of a sealed segment, or remove the sidecar of a truncated one. Jobs run in
// queue order, so a remove never races a write of the same file.
type sidecarJob struct {
	write  *SegmentInfo
	remove string
}

// runSidecars is the sidecar goroutine: it keeps sidecar I/O (an fsync of the
// file and one of the directory per sealed segment) off the writer's path.
// A failed sidecar write is logged, not fatal: the sidecar is derived data
// and Open rebuilds it from the segment.
func (l *Log) runSidecars() {
	defer close(l.sidecarDone)
	for {
		l.sidecarMu.Lock()
		for len(l.sidecarQ) == 0 && !l.sidecarStop {
			l.sidecarCond.Wait()
		}
		jobs := l.sidecarQ
		l.sidecarQ = nil
		stop := l.sidecarStop
		l.sidecarMu.Unlock()
		for _, j := range jobs {
			var err error
			if j.write != nil {
				err = writeSidecar(*j.write)
			} else if rerr := os.Remove(j.remove); rerr != nil && !os.IsNotExist(rerr) {
				err = rerr
			}
			if err != nil {
				l.logger.Error("wal: sidecar update failed; it will be rebuilt on open", "err", err)
			}
		}
		if stop && len(jobs) == 0 {
			return
		}
	}
}

func (l *Log) queueSidecar(jobs ...sidecarJob) {
	l.sidecarMu.Lock()
	l.sidecarQ = append(l.sidecarQ, jobs...)
	l.sidecarMu.Unlock()
	l.sidecarCond.Signal()
}
