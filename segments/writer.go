package segments

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/cespare/xxhash/v2"
	"github.com/keeldb/keel/internal/writeback"
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
	bloom          *blockBloom
	bloomBits      int      // bits per key
	hashes         []uint64 // keys' bloom hashes not yet added (addHashes)
	slot           func([]byte) uint16
	slots          *roaring.Bitmap
	lastSlot       int              // the slot last added to slots (-1: none)
	prefix         func([]byte) int // Options.Prefix
	prefixes       prefixRuns       // of the keys added
	keys           []byte           // arena of the index's keys (keep)
	p              props
}

func newTableWriter(dir string, num uint64, estKeys uint64, o *Options) (*tableWriter, error) {
	path := filepath.Join(dir, segName(num))
	tw := &tableWriter{dir: dir, tmp: path + ".tmp", path: path, blockSize: o.BlockSize, bb: blockBuilder{interval: o.RestartInterval}, bloomBits: o.BloomBitsPerKey,
		hashes: make([]uint64, 0, bloomBatch), slot: o.Slot, slots: roaring.New(), lastSlot: -1, prefix: o.Prefix}
	f, err := os.OpenFile(tw.tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	tw.f = f
	// Paced: a flush's or a compaction's file reaches the disk a
	// megabyte at a time as it is written, not all at once at the fsync
	// that ends it, with the WAL's fsyncs queued behind
	// (internal/writeback).
	tw.w = bufio.NewWriterSize(writeback.New(f), 256<<10)
	if estKeys > 0 {
		tw.bloom = newBlockBloom(estKeys, o.BloomBitsPerKey)
	}
	var h []byte
	h = binary.LittleEndian.AppendUint64(h, segMagic)
	h = binary.LittleEndian.AppendUint32(h, formatVersion)
	h = binary.LittleEndian.AppendUint32(h, 0)
	tw.write(h)
	if o.Slot != nil {
		tw.p.flags |= propFlagSlots
	}
	if o.Prefix != nil {
		tw.p.flags |= propFlagPrefixes
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
		tw.bloom = newBlockBloom(64, tw.bloomBits)
	}
	tw.bb.add(key, value, kind)
	if tw.hashes = append(tw.hashes, bloomHash(key)); len(tw.hashes) == cap(tw.hashes) {
		tw.addHashes()
	}
	if tw.slot != nil {
		// The engines' keys begin with their slot, so a file's keys come
		// in runs of one slot: add each run's slot once (any other order
		// only adds more often).
		if sl := int(tw.slot(key)); sl != tw.lastSlot {
			tw.slots.Add(uint32(sl))
			tw.lastSlot = sl
		}
	}
	if tw.prefix != nil {
		tw.prefixes.note(tw.prefix, key)
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

// prefixRuns collects, for keys noted in ascending order, the bloom hash
// of each distinct prefix (Options.Prefix), once per run of keys that
// share it (the keys of a group are contiguous); last is the last run's.
type prefixRuns struct {
	hashes []uint64
	last   []byte
}

func (r *prefixRuns) note(prefix func([]byte) int, key []byte) {
	n := prefix(key)
	if n == 0 || n > len(key) || string(key[:n]) == string(r.last) {
		return
	}
	r.hashes = append(r.hashes, bloomHash(key[:n]))
	r.last = append(r.last[:0], key[:n]...)
}

// bloomBatch is how many keys' hashes the writer collects before adding
// them to the bloom filter in one loop: each add is a cache miss once the
// filter outgrows the cache, and the adds of a batch, independent of each
// other, overlap their misses instead of paying them one at a time
// between the writer's other work.
const bloomBatch = 256

func (tw *tableWriter) addHashes() {
	for _, h := range tw.hashes {
		tw.bloom.add(h)
	}
	tw.hashes = tw.hashes[:0]
}

func (tw *tableWriter) flushBlock() {
	if tw.bb.n == 0 {
		return
	}
	tw.bb.finish()
	h := blockHandle{off: tw.off, length: uint64(len(tw.bb.buf)), first: tw.keep(tw.bb.first), last: tw.keep(tw.bb.lastKey)}
	tw.index = append(tw.index, h)
	tw.bb.buf = sealBlock(tw.bb.buf)
	tw.write(tw.bb.buf)
	tw.bb.reset()
}

// addBlock appends raw, a whole sealed data block of another file (see
// blockCopier), whose keys lie between first and last and above every key
// added before; c holds what decoding it found. The builder must be
// empty (flushBlock).
func (tw *tableWriter) addBlock(raw, first, last []byte, c *blockCopier) {
	if tw.bloom == nil {
		tw.bloom = newBlockBloom(64, tw.bloomBits)
	}
	tw.index = append(tw.index, blockHandle{off: tw.off, length: uint64(len(raw) - blockTrailer), first: tw.keep(first), last: tw.keep(last)})
	tw.write(raw)
	for _, h := range c.hashes {
		if tw.hashes = append(tw.hashes, h); len(tw.hashes) == cap(tw.hashes) {
			tw.addHashes()
		}
	}
	if len(c.prefixes.hashes) > 0 {
		tw.prefixes.hashes = append(tw.prefixes.hashes, c.prefixes.hashes...)
		tw.prefixes.last = append(tw.prefixes.last[:0], c.prefixes.last...)
	}
	for _, sl := range c.slots {
		if int(sl) != tw.lastSlot {
			tw.slots.Add(uint32(sl))
			tw.lastSlot = int(sl)
		}
	}
	tw.p.entries += c.st.entries
	tw.p.tombstones += c.st.tombstones
	tw.p.keyBytes += c.st.keyBytes
	tw.p.valueBytes += c.st.valueBytes
}

// keep returns a copy of an index key, cut from an arena: two allocations
// per block fewer.
func (tw *tableWriter) keep(k []byte) []byte {
	if cap(tw.keys)-len(tw.keys) < len(k) {
		tw.keys = make([]byte, 0, max(len(k), 64<<10))
	}
	n := len(tw.keys)
	tw.keys = append(tw.keys, k...)
	return tw.keys[n:len(tw.keys):len(tw.keys)]
}

// empty reports whether finishing would produce a file with no entries and
// no range tombstones.
func (tw *tableWriter) empty(spans []span) bool { return tw.p.entries == 0 && len(spans) == 0 }

// finish writes the meta sections and footer, fsyncs, renames and fsyncs
// the directory. The file is durable but not yet committed.
func (tw *tableWriter) finish(spans []span, lsnLo, lsnHi LSN, seqLo, seqHi uint64, tier uint32) (size int64, err error) {
	tw.flushBlock()
	tw.addHashes()
	if tw.p.entries == 0 {
		tw.bloom = nil
	}
	if tw.slot != nil {
		for _, s := range spans {
			tw.slots.Add(uint32(tw.slot(s.lo)))
		}
	}
	if tw.prefix != nil {
		// A range tombstone within one group (DEL of a hash) goes in the
		// prefix filter as the group's keys do; a file with a wider one is
		// flagged, and its tombstones searched by every scan.
		for _, s := range spans {
			if p, ok := groupPrefix(tw.prefix, s.lo, s.hi); ok {
				tw.prefixes.hashes = append(tw.prefixes.hashes, bloomHash(p))
			} else {
				tw.p.flags |= propFlagWideSpans
			}
		}
	}
	tw.p.minLSN, tw.p.maxLSN, tw.p.minSeq, tw.p.maxSeq, tw.p.tier = lsnLo, lsnHi, seqLo, seqHi, tier
	tw.p.rangeDels = uint64(len(spans))
	slots, err := tw.slots.ToBytes()
	if err != nil {
		tw.abort()
		return 0, err
	}
	filters := tw.bloom.encode()
	if tw.prefix != nil {
		// The key filter's length, the key filter, the prefix filter
		// (either may be empty: a file of range tombstones alone, a file
		// no key of which has a prefix).
		keys := filters
		filters = binary.LittleEndian.AppendUint64(make([]byte, 0, 8+len(keys)), uint64(len(keys)))
		filters = append(filters, keys...)
		if hs := tw.prefixes.hashes; len(hs) > 0 {
			pf := newBlockBloom(uint64(len(hs)), tw.bloomBits)
			for _, h := range hs {
				pf.add(h)
			}
			filters = append(filters, pf.encode()...)
		}
	}
	secs := [numSections][]byte{encodeIndex(tw.index), filters, encodeSpans(spans), slots, tw.p.encode()}
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
