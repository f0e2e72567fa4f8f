package keel

import "sync/atomic"

// Tuning holds Redis's encoding thresholds (redis.conf's
// *-max-listpack-* and set-max-intset-entries). keel's structures do not
// change shape at these sizes, but OBJECT ENCODING reports what Redis
// would, and the encoding flag a write sets (intset -> hashtable, listpack
// -> skiplist) is logged with the write, so recovery reproduces it whatever
// the configuration is then.
type Tuning struct {
	ZSetMaxListpackEntries atomic.Int64
	ZSetMaxListpackValue   atomic.Int64
	SetMaxIntsetEntries    atomic.Int64
	HashMaxListpackEntries atomic.Int64
	HashMaxListpackValue   atomic.Int64
	ListMaxListpackSize    atomic.Int64
	// Streams: a new listpack node starts when the last one has this many
	// entries or bytes (0: no limit), as in Redis's streamAppendItem.
	StreamNodeMaxBytes   atomic.Int64
	StreamNodeMaxEntries atomic.Int64
	// HLLSparseMaxBytes: a sparse HyperLogLog longer than this turns dense.
	HLLSparseMaxBytes atomic.Int64
	// DUMP's encodings (dump.go): list-compress-depth and rdbcompression
	// (1: yes).
	ListCompressDepth atomic.Int64
	RDBCompression    atomic.Int64
	// ActiveExpireEffort is active-expire-effort, 1 to 10: how hard the
	// active expiry sweeps (expireParamsAt).
	ActiveExpireEffort atomic.Int64
}

func (t *Tuning) defaults() {
	t.ZSetMaxListpackEntries.Store(128)
	t.ZSetMaxListpackValue.Store(64)
	t.SetMaxIntsetEntries.Store(512)
	t.HashMaxListpackEntries.Store(512)
	t.HashMaxListpackValue.Store(64)
	t.ListMaxListpackSize.Store(-2)
	t.StreamNodeMaxBytes.Store(4096)
	t.StreamNodeMaxEntries.Store(100)
	t.HLLSparseMaxBytes.Store(3000)
	t.RDBCompression.Store(1)
	t.ActiveExpireEffort.Store(1)
}

// SetTuning sets the threshold named as in redis.conf; false for a name
// that is not one.
func (db *DB) SetTuning(name string, v int64) bool {
	t := &db.tuning
	switch name {
	case "zset-max-listpack-entries", "zset-max-ziplist-entries":
		t.ZSetMaxListpackEntries.Store(v)
	case "zset-max-listpack-value", "zset-max-ziplist-value":
		t.ZSetMaxListpackValue.Store(v)
	case "set-max-intset-entries":
		t.SetMaxIntsetEntries.Store(v)
	case "hash-max-listpack-entries", "hash-max-ziplist-entries":
		t.HashMaxListpackEntries.Store(v)
	case "hash-max-listpack-value", "hash-max-ziplist-value":
		t.HashMaxListpackValue.Store(v)
	case "list-max-listpack-size", "list-max-ziplist-size":
		t.ListMaxListpackSize.Store(v)
	case "stream-node-max-bytes":
		t.StreamNodeMaxBytes.Store(v)
	case "stream-node-max-entries":
		t.StreamNodeMaxEntries.Store(v)
	case "hll-sparse-max-bytes":
		t.HLLSparseMaxBytes.Store(v)
	case "list-compress-depth":
		t.ListCompressDepth.Store(v)
	case "rdbcompression":
		t.RDBCompression.Store(v)
	case "active-expire-effort":
		t.ActiveExpireEffort.Store(v)
	default:
		return false
	}
	return true
}
