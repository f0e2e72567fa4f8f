package segments

import (
	"bytes"
	"sort"
)

// blockCopier lets a compaction write a data block of an input as it is
// (its payload and trailer, whose checksum covers neither the block's
// offset nor its neighbours) instead of decoding and re-encoding each of
// its entries, when the merge would yield every entry of the block
// unchanged:
//
//   - the merge is at the block's first entry, and every other input's
//     next key lies above the block's last key, so no other input holds a
//     key in the block's range (nothing in it is shadowed, and it shadows
//     nothing);
//   - no range tombstone of a newer input overlaps the block's range
//     (none of its entries is hidden);
//   - every point tombstone in it is one the compaction keeps (an older
//     file outside the compaction may hold the key).
//
// Appended keys (stream entries, keys written in order) compact almost
// entirely this way: a stream's files hold disjoint runs of ids, and the
// merge of one tier cost 12% of XADD's CPU, two thirds of it in the merge
// and the re-encoding this skips. The copied block still has its keys
// decoded once, for the output's bloom filter, slot bitmap and counts.
type blockCopier struct {
	hashes []uint64 // bloom hashes of the block's keys
	slots  []uint16 // the block's slots, one per run
	// prefixes are the block's key prefixes (Options.Prefix) the writer
	// has not noted yet, its last one's included in last.
	prefixes prefixRuns
	st       blockCounts
	raw      []byte // a cached block with its trailer rebuilt
	copied   int64  // blocks copied
}

// blockCounts are what a block adds to a file's props.
type blockCounts struct {
	entries, tombstones, keyBytes, valueBytes uint64
}

// copyBlock writes the block m's current input is at the start of to tw
// when the rules above allow it, positions m past it, and reports whether
// it did. keep reports whether a point tombstone of key must be kept.
// It needs a merge of files only (m.tabs).
func (c *blockCopier) copyBlock(m *mergeIter, tw *tableWriter, keep func(key []byte) bool) bool {
	if m.tabs == nil || !m.ok {
		return false
	}
	it := m.tabs[m.src]
	if it.bi.n != 1 || len(it.bi.data) != len(it.cb.entries) {
		return false // not at the block's first entry
	}
	h := &it.t.index[it.blk]
	for j, o := range m.tabs {
		if j != m.src && o.valid() && bytes.Compare(o.key(), h.last) <= 0 {
			return false
		}
	}
	for _, o := range m.tabs[:m.src] {
		if spansTouch(o.t.spans, h.first, h.last) {
			return false
		}
	}
	if !c.scan(it.cb, tw, keep) {
		return false
	}
	raw := it.seq.raw
	if it.cb != &it.own { // from the block cache: its trailer is not kept
		c.raw = sealBlock(append(c.raw[:0], it.cb.payload...))
		raw = c.raw
	}
	tw.flushBlock()
	tw.addBlock(raw, h.first, h.last, c)
	c.copied++
	if it.loadBlock(it.blk + 1) {
		it.advance()
	}
	m.find()
	return true
}

// scan decodes the block's keys into c, and reports false (c then holds
// nothing of use) when the block is malformed, which the merge reports
// when it reads on, or holds a tombstone keep would drop.
func (c *blockCopier) scan(b *cachedBlock, tw *tableWriter, keep func([]byte) bool) bool {
	c.hashes, c.slots, c.st = c.hashes[:0], c.slots[:0], blockCounts{}
	c.prefixes.hashes = c.prefixes.hashes[:0]
	c.prefixes.last = append(c.prefixes.last[:0], tw.prefixes.last...)
	slot := tw.slot
	bi := blockIter{data: b.entries}
	var e blockEntry
	for {
		if !bi.next(&e) {
			return bi.err == nil && c.st.entries > 0
		}
		if e.kind == kindTombstone {
			if !keep(e.key) {
				return false
			}
			c.st.tombstones++
		}
		c.hashes = append(c.hashes, bloomHash(e.key))
		if slot != nil {
			if sl := slot(e.key); len(c.slots) == 0 || c.slots[len(c.slots)-1] != sl {
				c.slots = append(c.slots, sl)
			}
		}
		if tw.prefix != nil {
			c.prefixes.note(tw.prefix, e.key)
		}
		c.st.entries++
		c.st.keyBytes += uint64(len(e.key))
		c.st.valueBytes += uint64(len(e.value))
	}
}

// spansTouch reports whether a range tombstone of sp overlaps the keys
// [first, last] (both inclusive).
func spansTouch(sp []span, first, last []byte) bool {
	i := sort.Search(len(sp), func(i int) bool { return bytes.Compare(sp[i].hi, first) > 0 })
	return i < len(sp) && bytes.Compare(sp[i].lo, last) <= 0
}
