package keel

import (
	"unsafe"

	"github.com/keeldb/keel/memtables"
)

// MEMORY USAGE, keel's estimate.
//
// Redis answers with the bytes a key and its value take in RAM, sampling
// up to SAMPLES elements of a collection (5 by default, 0 for all) and
// multiplying their mean size by the element count. keel's values live
// in memory (lists, sets, sorted sets) or in segment files (strings,
// hashes, streams: on disk, cached in RAM when read), so its answer is
// the bytes the key takes where keel keeps it: its keyspace entry, plus
//
//   - a list, set or sorted set: the heap its structure holds, measured
//     (MemoryBytes), whatever SAMPLES says;
//   - a string: its value and its record in the strings engine;
//   - a hash: its first SAMPLES fields' records (field, value and their
//     per-record overhead) averaged and multiplied by its field count;
//   - a stream: the same for its entries (times its length), its nodes,
//     and its groups' records (groups, consumers and pending entries,
//     counted from the group records).
//
// A read of the first SAMPLES records of a value: the whole value only
// with SAMPLES 0.

// recordOverhead is a segment record's bytes besides its key suffix and
// value: three varints and the kind byte (docs/format/segment.md), and
// its share of the block's restart points, index and bloom filter.
const recordOverhead = 8

// keyEntryBytes is what a key costs in the keyspace engine: its entry,
// and its slot in the table.
var keyEntryBytes = int64(unsafe.Sizeof(memtables.Entry{})) + 16

// MemoryUsage is MEMORY USAGE of key in c's database: its bytes, and
// whether it exists. samples is the count of a collection's records read
// (0: all). Called under db.mu (read).
func (c *Ctx) MemoryUsage(key []byte, samples int64) (int64, bool, error) {
	// As Redis's dictFind: an expired key not yet deleted is measured,
	// and neither expired nor counted as a hit or miss.
	e, ok := c.DB.ks.Get(c.S.DB, key)
	if !ok {
		return 0, false, nil
	}
	n := keyEntryBytes + int64(len(key))
	phys := c.phys()
	switch e.Type {
	case memtables.TypeString:
		v, err := c.getString(key, e)
		if err != nil {
			return 0, true, err
		}
		n += int64(len(stringKey(nil, phys, key)) + len(v) + recordOverhead)
	case memtables.TypeList:
		if l, ok := c.DB.lists.Get(phys, key); ok {
			n += l.MemoryBytes()
		}
	case memtables.TypeSet:
		if s, ok := c.DB.sets.Get(phys, key); ok {
			n += s.MemoryBytes()
		}
	case memtables.TypeZSet:
		if z, ok := c.DB.zsets.Get(phys, key); ok {
			n += z.MemoryBytes()
		}
	case memtables.TypeHash:
		var m sampleMean
		err := c.DB.hashScan(phys, key, e.Version, func(f, v []byte) bool {
			return m.add(8+len(f)+len(v)+recordOverhead, samples) // 8: the field's hash
		})
		if err != nil {
			return 0, true, err
		}
		n += int64(hashPrefixLen(key)) + m.times(e.Size)
	case memtables.TypeStream:
		s, err := c.streamUsage(key, e, samples)
		if err != nil {
			return 0, true, err
		}
		n += s
	}
	return n, true, nil
}

// streamUsage is MemoryUsage's part of a stream's records.
func (c *Ctx) streamUsage(key []byte, e *memtables.Entry, samples int64) (int64, error) {
	phys := c.phys()
	s, err := c.loadStream(key, e)
	if err != nil {
		return 0, err
	}
	// sample reads the first records of a kind's range and extrapolates
	// them to count records.
	sample := func(lo, hi byte, count uint64) (int64, error) {
		var m sampleMean
		err := c.DB.streamScan(phys, key, e.Version, []byte{lo}, []byte{hi}, func(sub, v []byte) bool {
			return m.add(len(sub)+len(v)+recordOverhead, samples)
		})
		return m.times(int64(count)), err
	}
	n := int64(hashPrefixLen(key) + s.meta.maxLen())
	entries, err := sample(subEntry, subNode, s.meta.length)
	if err != nil {
		return 0, err
	}
	nodes, err := sample(subNode, subGroup, s.meta.nodes)
	if err != nil {
		return 0, err
	}
	// The group records say how many consumers and pending entries
	// (each in its group's PEL and its consumer's) there are.
	var groups, consumers, pending uint64
	var gm sampleMean
	err = c.DB.streamScan(phys, key, e.Version, []byte{subGroup}, []byte{subConsumer}, func(sub, v []byte) bool {
		if g, err := decodeStreamGroup(v); err == nil {
			consumers += g.consumers
			pending += g.pending
		}
		groups++
		gm.add(len(sub)+len(v)+recordOverhead, 0)
		return true
	})
	if err != nil {
		return 0, err
	}
	cons, err := sample(subConsumer, subPending, consumers)
	if err != nil {
		return 0, err
	}
	pel, err := sample(subPending, subOwned+1, 2*pending)
	if err != nil {
		return 0, err
	}
	return n + entries + nodes + gm.times(int64(groups)) + cons + pel, nil
}

// sampleMean is the mean size of the records sampled so far.
type sampleMean struct{ bytes, n int64 }

// add counts one record of size bytes and reports whether to read
// another (samples 0: all).
func (m *sampleMean) add(size int, samples int64) bool {
	m.bytes += int64(size)
	m.n++
	return samples == 0 || m.n < samples
}

// times is the mean times count (0 when nothing was sampled).
func (m *sampleMean) times(count int64) int64 {
	if m.n == 0 {
		return 0
	}
	// In two parts: bytes times count would overflow for a value of
	// billions of records sampled whole.
	return m.bytes/m.n*count + m.bytes%m.n*count/m.n
}

// FunctionCodeBytes is the code of the libraries loaded (MEMORY STATS
// functions.caches). Called under db.mu (read).
func (db *DB) FunctionCodeBytes() int64 {
	var n int64
	for _, lib := range db.funcs.libs {
		n += int64(len(lib.name) + len(lib.code))
	}
	return n
}

// KeyOverhead is MEMORY STATS's overhead.hashtable.main of a database of
// keys keys: their keyspace entries.
func KeyOverhead(keys int) int64 { return int64(keys) * keyEntryBytes }
