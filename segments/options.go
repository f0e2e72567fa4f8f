package segments

import (
	"errors"
	"fmt"
	"log/slog"
)

// LSN is a WAL log sequence number. It is an alias so that callers can pass
// wal.LSN values after a plain conversion; segments does not import wal.
type LSN = uint64

// Options configures a Store. Zero values take the documented defaults.
type Options struct {
	BufferSize int64 // bytes of buffered writes before the store asks to be flushed; default 64 MiB
	BlockSize  int   // target uncompressed data block size; default 16 KiB
	// RestartInterval is how many entries of a block share one restart
	// point (an entry stored with its whole key); default 16. Smaller
	// makes point reads cheaper (fewer entries decoded after the binary
	// search) and files slightly larger (fewer prefix-compressed keys).
	RestartInterval int
	BloomBitsPerKey int   // default 10
	CacheSize       int64 // block cache bytes; default 64 MiB; unused with Cache
	// RowCacheSize is the store's row cache (rowcache.go) in bytes:
	// default 8 MiB; negative: none.
	RowCacheSize int64
	// CompactionNice is how much nicer than the process the compactor's
	// thread runs (Linux; added to its nice value, capped at 19):
	// default 10; negative: the process's priority. Compactions then
	// take the CPU the writes and reads leave, and a tenth of it when
	// every core is wanted; the work waits for a quiet moment instead of
	// slowing the requests (priority_linux.go). Flushes keep the
	// process's priority: a writer waits for them when buffers pile up
	// (maxFrozen), and their buffers hold memory until they finish.
	CompactionNice int
	// Cache is a block cache shared with other stores (NewBlockCache); nil:
	// a cache of CacheSize bytes of the store's own.
	Cache  *BlockCache
	Logger *slog.Logger
	// Slot returns the Redis hash slot (0..16383) of an entry key, for the
	// per-file roaring slot bitmap. nil: the bitmap is left empty.
	Slot func(key []byte) uint16
	// Prefix returns the length of the prefix key shares with the other
	// keys of its group (an engine's hash or stream: every record of one
	// incarnation), 0 when it has none; keys of one group are contiguous
	// in key order. Each file then keeps a filter of the prefixes of its
	// keys and of its range tombstones within one group, and a scan within
	// one group (Scan or ScanReverse over [lo, hi) where every key has
	// lo's prefix) skips the files the filter says hold nothing of the
	// group, unless a wider range tombstone of theirs overlaps the range.
	// nil: no groups.
	Prefix func(key []byte) int
	// Commit persists the store's durable state (opaque bytes produced by the
	// store: list of live segment files, next file number, etc.) together with
	// its checkpoint LSN. The caller (the checkpoint manifest) makes it atomic.
	// Called from the flush and compaction goroutines, never concurrently
	// with itself.
	Commit func(lsn LSN, state []byte) error
}

const (
	defaultBufferSize = 64 << 20
	defaultBlockSize  = 16 << 10
	defaultRestarts   = 16
	defaultBloomBits  = 10
	defaultCacheSize  = 64 << 20

	defaultRowCacheSize = 8 << 20

	defaultCompactionNice = 10

	// maxBufferRangeDels bounds the range tombstones in one buffer: a
	// buffer holding more asks to be flushed like a full one. Reads find
	// them by binary search (rangedels.go), but each addition costs
	// O(sqrt(n)): BenchmarkRangeDelsAdd averages 0.41 µs at 1024, 0.93 µs
	// at 8192 and 1.3 µs at 16384. At 1024, a burst of hash DELs flushed a
	// tiny file every 1024 of them, and their compactions were half the
	// server's CPU: DEL of 3-field hashes at pipeline 16 went from 0.34 to
	// 0.44 of Redis's throughput at 8192.
	maxBufferRangeDels = 8192
	// maxFrozen is how many frozen buffers may wait for the flusher before
	// the writer is made to wait (backpressure).
	maxFrozen = 2
)

func (o *Options) applyDefaults() {
	if o.BufferSize <= 0 {
		o.BufferSize = defaultBufferSize
	}
	if o.BlockSize <= 0 {
		o.BlockSize = defaultBlockSize
	}
	if o.BloomBitsPerKey <= 0 {
		o.BloomBitsPerKey = defaultBloomBits
	}
	if o.RestartInterval <= 0 {
		o.RestartInterval = defaultRestarts
	}
	if o.CacheSize <= 0 {
		o.CacheSize = defaultCacheSize
	}
	if o.CompactionNice == 0 {
		o.CompactionNice = defaultCompactionNice
	}
	if o.RowCacheSize == 0 {
		o.RowCacheSize = defaultRowCacheSize
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Commit == nil {
		o.Commit = func(LSN, []byte) error { return nil }
	}
}

// Sentinel causes wrapped by CorruptionError.
var (
	ErrBadMagic   = errors.New("bad magic number")
	ErrBadVersion = errors.New("unsupported format version")
	ErrChecksum   = errors.New("checksum mismatch")
	ErrTruncated  = errors.New("truncated file")
	ErrMalformed  = errors.New("malformed data")
	// ErrClosed is returned by operations on a closed store.
	ErrClosed = errors.New("segments: store closed")
)

// CorruptionError reports damaged on-disk data: which part (What), which
// file (Path; "state" for the state blob), where (byte Offset) and why (Err,
// wrapping one of ErrBadMagic, ErrBadVersion, ErrChecksum, ErrTruncated,
// ErrMalformed or an I/O error).
type CorruptionError struct {
	What   string // "block", "footer", "index", "bloom", "rangedel", "slots", "props", "header", "file", "state"
	Path   string
	Offset int64
	Err    error
}

func (e *CorruptionError) Error() string {
	what := e.What
	if what == "" {
		what = "data"
	}
	return fmt.Sprintf("segments: corrupt %s in %s at offset %d: %v", what, e.Path, e.Offset, e.Err)
}

func (e *CorruptionError) Unwrap() error { return e.Err }

// Stats is a point-in-time summary of a Store.
type Stats struct {
	Files          int     // live segment files
	DiskBytes      int64   // bytes of live segment files
	Entries        int64   // entries in live files (values + point tombstones)
	Tombstones     int64   // point tombstones in live files
	RangeDels      int64   // range tombstone intervals in live files
	LiveBytesEst   int64   // estimate: key+value bytes of the oldest file + newer values not shadowing it
	GarbageEst     int64   // estimate: DiskBytes - LiveBytesEst (never negative)
	FilesPerTier   []int   // index = tier
	BufferedBytes  int64   // active buffer
	FrozenBuffers  int     // frozen buffers waiting for the flusher
	Flushes        int64   // completed flushes since Open
	Compactions    int64   // completed compactions since Open
	CompactedBytes int64   // bytes written by compactions since Open
	CopiedBlocks   int64   // data blocks compactions wrote as they were (blockCopier) since Open
	CacheBytes     int64   // block cache usage (of every store sharing it)
	CacheHits      int64   // block cache hits (likewise)
	CacheMisses    int64   // block cache misses (likewise)
	RowHits        int64   // reads the store's row cache answered
	RowMisses      int64   // reads of the files it did not
	AppliedLSN     LSN     // see Store.AppliedLSN
	CheckpointLSN  LSN     // see Store.CheckpointLSN
	SpaceAmp       float64 // DiskBytes / LiveBytesEst (0 when empty)
}

// blockCache is the store's view of its block cache.
func (o *Options) blockCache() *blockCache {
	if o.Cache != nil {
		return o.Cache.view()
	}
	return newBlockCache(o.CacheSize)
}
