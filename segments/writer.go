package segments

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/bits-and-blooms/bloom/v3"
	"github.com/cespare/xxhash/v2"
)

// errAborted stops a flush or compaction when the store is closing.
var errAborted = errors.New("segments: aborted by Close")

// tableWriter writes one segment file as NNNNNN.seg.tmp; finish fsyncs it,
// renames it to NNNNNN.seg and fsyncs the directory (docs/format/segment.md).
// Used by one goroutine.
type tableWriter struct {
	dir, tmp, path string
	f              *os.File
	w              *bufio.Writer
	off            uint64
	blockSize      int
	bb             blockBuilder
	index          []blockHandle
	bloom          *bloom.BloomFilter
	slot           func([]byte) uint16
	slots          *roaring.Bitmap
	p              props
}

func newTableWriter(dir string, num uint64, estKeys uint64, o *Options) (*tableWriter, error) {
	path := filepath.Join(dir, segName(num))
	tw := &tableWriter{dir: dir, tmp: path + ".tmp", path: path, blockSize: o.BlockSize, slot: o.Slot, slots: roaring.New()}
	f, err := os.OpenFile(tw.tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	tw.f = f
	tw.w = bufio.NewWriterSize(f, 256<<10)
	if estKeys > 0 {
		m := max(estKeys*uint64(o.BloomBitsPerKey), 64)
		k := max(uint(float64(o.BloomBitsPerKey)*0.69), 1) // ln 2 · bits/key minimises false positives
		tw.bloom = bloom.New(uint(m), min(k, 32))
	}
	var h []byte
	h = binary.LittleEndian.AppendUint64(h, segMagic)
	h = binary.LittleEndian.AppendUint32(h, formatVersion)
	h = binary.LittleEndian.AppendUint32(h, 0)
	tw.write(h)
	if o.Slot != nil {
		tw.p.flags |= propFlagSlots
	}
	return tw, nil
}

func (tw *tableWriter) write(b []byte) {
	tw.w.Write(b) // a bufio.Writer error is sticky and surfaces in Flush
	tw.off += uint64(len(b))
}

// add appends an entry; keys must strictly ascend.
func (tw *tableWriter) add(key, value []byte, kind byte) {
	if tw.bloom == nil { // estimate was 0; size it on first use
		tw.bloom = bloom.New(64*10, 7)
	}
	tw.bb.add(key, value, kind)
	tw.bloom.Add(key)
	if tw.slot != nil {
		tw.slots.Add(uint32(tw.slot(key)))
	}
	tw.p.entries++
	if kind == kindTombstone {
		tw.p.tombstones++
	}
	tw.p.keyBytes += uint64(len(key))
	tw.p.valueBytes += uint64(len(value))
	if len(tw.bb.buf) >= tw.blockSize {
		tw.flushBlock()
	}
}

func (tw *tableWriter) flushBlock() {
	if tw.bb.n == 0 {
		return
	}
	tw.bb.finish()
	h := blockHandle{off: tw.off, length: uint64(len(tw.bb.buf)),
		first: append([]byte(nil), tw.bb.first...), last: append([]byte(nil), tw.bb.lastKey...)}
	tw.index = append(tw.index, h)
	tw.bb.buf = sealBlock(tw.bb.buf)
	tw.write(tw.bb.buf)
	tw.bb.reset()
}

// empty reports whether finishing would produce a file with no entries and
// no range tombstones.
func (tw *tableWriter) empty(spans []span) bool { return tw.p.entries == 0 && len(spans) == 0 }

// finish writes the meta sections and footer, fsyncs, renames and fsyncs
// the directory. The file is durable but not yet committed.
func (tw *tableWriter) finish(spans []span, lsnLo, lsnHi LSN, seqLo, seqHi uint64, tier uint32) (size int64, err error) {
	tw.flushBlock()
	if tw.p.entries == 0 {
		tw.bloom = nil
	}
	if tw.slot != nil {
		for _, s := range spans {
			tw.slots.Add(uint32(tw.slot(s.lo)))
		}
	}
	tw.p.minLSN, tw.p.maxLSN, tw.p.minSeq, tw.p.maxSeq, tw.p.tier = lsnLo, lsnHi, seqLo, seqHi, tier
	tw.p.rangeDels = uint64(len(spans))
	slots, err := tw.slots.ToBytes()
	if err != nil {
		tw.abort()
		return 0, err
	}
	secs := [numSections][]byte{encodeIndex(tw.index), encodeBloom(tw.bloom), encodeSpans(spans), slots, tw.p.encode()}
	var ft footer
	for i, s := range secs {
		ft.off[i], ft.length[i], ft.sum[i] = tw.off, uint64(len(s)), xxhash.Sum64(s)
		tw.write(s)
	}
	tw.write(ft.encode())
	if err := tw.w.Flush(); err != nil {
		tw.abort()
		return 0, err
	}
	if err := tw.f.Sync(); err != nil {
		tw.abort()
		return 0, err
	}
	if err := tw.f.Close(); err != nil {
		os.Remove(tw.tmp)
		return 0, err
	}
	if err := os.Rename(tw.tmp, tw.path); err != nil {
		os.Remove(tw.tmp)
		return 0, err
	}
	if err := syncDir(tw.dir); err != nil {
		return 0, err
	}
	return int64(tw.off), nil
}

// abort discards a partial file.
func (tw *tableWriter) abort() {
	tw.f.Close()
	os.Remove(tw.tmp)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		d.Close()
		return fmt.Errorf("segments: fsync dir %s: %w", dir, err)
	}
	return d.Close()
}
