// Package keel is the embeddable keel database: the command state machine
// over one global write-ahead log and the engines that cache it.
//
// A DB owns the WAL (package wal), the keyspace engine (memtables), the
// strings engine (segments) and the manifest of checkpoints (checkpoint).
// Commands are executed by Exec; every state change a command makes is
// encoded as ops (ops.go) into exactly one WAL record per command, or per
// MULTI/EXEC block, and applied to the engines in the same critical section
// in which the record gets its LSN, so LSN order equals apply order.
//
// Ordering rules (DESIGN invariants 1, 3, 4, 5):
//
//  1. A write command holds db.mu exclusively while it reads state, applies
//     its ops and appends its record; its LSN is LastLSN()+1 at lock time.
//  2. The reply to a command is not released before the WAL says its record
//     (or, for a read, the last record applied when it read) is durable per
//     the fsync policy: the server calls WaitDurable(Session.WaitLSN) before
//     flushing a pipeline's replies.
//  3. Recovery loads each engine's checkpoint and replays records after the
//     smallest checkpoint LSN, applying an op only to engines whose
//     checkpoint LSN is below the record's.
//  4. A failed WAL append or fsync is fatal: the DB refuses every later
//     command, since memory may hold effects the log does not.
//  5. An engine's checkpoint at LSN c is committed to the manifest only
//     after the WAL is fsynced through c (checkpoint package, rule 1).
//
// DB is safe for concurrent use.
package keel

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/keeldb/keel/checkpoint"
	"github.com/keeldb/keel/memtables"
	"github.com/keeldb/keel/segments"
	"github.com/keeldb/keel/wal"
)

// Options configure a DB. Zero values take the defaults shown.
type Options struct {
	Databases          int             // 16
	Fsync              wal.FsyncPolicy // FsyncEverySec unless set
	FsyncSet           bool            // Fsync was set explicitly (FsyncAlways is the zero value)
	WALSegmentSize     int64           // 4 MiB (tidwall/wal keeps the active segment in memory)
	StringsBufferSize  int64           // 8 MiB of buffered string writes before a flush
	HashesBufferSize   int64           // 64 MiB of buffered hash field writes before a flush
	StreamsBufferSize  int64           // 8 MiB of buffered stream writes before a flush
	BlockCacheSize     int64           // block cache shared by the on-disk engines; 192 MiB
	RowCacheSize       int64           // row cache of each on-disk engine: 8 MiB (<0: none)
	CompactionNice     int             // the on-disk engines' compactor threads run this much nicer: 10 (<0: not at all)
	KeepTornWALTail    bool            // a torn WAL tail fails Open instead of being truncated (aof-load-truncated no)
	CheckpointWALBytes int64           // checkpoint once the WAL grew this much: 256 MiB
	CheckpointInterval time.Duration   // and at least this often when there were writes: 5 min
	ActiveExpireHz     int             // active expiry cycles per second: 10 (0 = default, <0 = off)
	Logger             *slog.Logger
}

func (o *Options) defaults() {
	if o.Databases <= 0 {
		o.Databases = 16
	}
	if !o.FsyncSet {
		o.Fsync = wal.FsyncEverySec
	}
	if o.WALSegmentSize <= 0 {
		o.WALSegmentSize = 4 << 20
	}
	if o.StringsBufferSize <= 0 {
		o.StringsBufferSize = defaultStringsBufferSize
	}
	if o.HashesBufferSize <= 0 {
		o.HashesBufferSize = defaultHashesBufferSize
	}
	if o.StreamsBufferSize <= 0 {
		o.StreamsBufferSize = 8 << 20
	}
	if o.CheckpointWALBytes <= 0 {
		o.CheckpointWALBytes = 256 << 20
	}
	if o.CheckpointInterval <= 0 {
		o.CheckpointInterval = 5 * time.Minute
	}
	if o.ActiveExpireHz == 0 {
		o.ActiveExpireHz = 10
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// ErrClosed is returned by operations on a closed DB.
var ErrClosed = errors.New("keel: closed")

// ErrFailed is returned for every command once the WAL has failed.
var ErrFailed = errors.New("keel: the write-ahead log failed; refusing commands")

// DB is a keel database.
type DB struct {
	dir  string
	opts Options
	log  *wal.Log
	man  *checkpoint.Manifest

	// mu orders state changes: held exclusively by writers from their first
	// read to their WAL append, shared by readers.
	mu   sync.RWMutex
	ks   *memtables.Keyspace // guarded by mu
	strs *segments.Store     // its own locking; writes only under mu
	// blockCache is the on-disk engines' shared block cache.
	blockCache *segments.BlockCache
	// hashes: fields keyed by hashKey; like strs.
	hashes *segments.Store
	// streams: every record of a stream keyed by streamKey; like strs.
	streams *segments.Store
	// streamCache holds the meta record (which holds the last node) of
	// streams recently written, by incarnation (streamCacheKey), so that
	// an XADD reads nothing (streamWriteCache). Any streams op applied to
	// an incarnation drops its entry (apply); write commands put it back.
	// Guarded by mu (exclusive).
	streamCache streamWriteCache
	// The in-memory value engines, guarded by mu like ks.
	lists *memtables.Values[*memtables.List]
	sets  *memtables.Values[*memtables.Set]
	zsets *memtables.Values[*memtables.ZSet]
	kbuf  []byte // scratch for storage keys; guarded by mu (write)
	// wbatch is the record being built by the current writer; guarded by
	// mu (write).
	wbatch batch

	watch watchTable // guarded by mu
	track tracking   // CLIENT TRACKING (tracking.go)
	// protectedCheck decides FlagProtected commands (SetProtectedCheck;
	// set before serving).
	protectedCheck func(s *Session, cmd *Command) string
	blocks         blockTable // blocked commands; guarded by mu

	tuning Tuning // encoding thresholds (CONFIG SET)

	failed  atomic.Pointer[error] // set once: fatal WAL error
	closing chan struct{}
	mem     memLimit   // maxmemory (maxmemory.go)
	evict   evictState // maxmemory-policy (evict.go)
	// cmdStats are INFO commandstats' counters, by Command.idx.
	cmdStats []cmdStats
	// latency is the latency monitor; latencyHists the commands' latency
	// histograms by Command.idx, made at a command's first timed call
	// while latencyTracking (latency.go).
	latency         latencyMonitor
	latencyHists    []atomic.Pointer[latencyHist]
	latencyTracking atomic.Bool
	bg              sync.WaitGroup

	ckptMu       sync.Mutex                // serializes checkpoints
	memCkpt      [numEngines]atomic.Uint64 // checkpoint LSN of each in-memory engine
	lastSave     atomic.Int64              // unix seconds of the last completed checkpoint
	lastCkptSize atomic.Int64              // WAL size after the last checkpoint
	ckptInFlight atomic.Bool
	lastCkptErr  atomic.Pointer[error]

	stats   Stats
	notes   notifier         // keyspace notifications (notify.go)
	monitor monitorState     // the MONITOR feed (monitor.go)
	pause   pauseState       // CLIENT PAUSE (pause.go)
	scripts scriptState      // Lua scripting (scripting.go)
	funcs   *functionsEngine // FUNCTION and FCALL (functions.go); guarded by mu
	slowlog slowlogState     // SLOWLOG (slowlog.go)

	activeExpireOff atomic.Bool // DEBUG SET-ACTIVE-EXPIRE 0
	// skipDumpChecksum: RESTORE does not check payloads' CRC64 (DEBUG
	// SET-SKIP-CHECKSUM-VALIDATION 1).
	skipDumpChecksum atomic.Bool
	clockSec         atomic.Uint32 // coarse unix seconds (lruClock)
	requirePass      atomic.Pointer[string]
	nextClient       atomic.Int64
	startTime        time.Time
	replayed         int64    // records replayed at open
	lock             *os.File // the directory's LOCK, held until Close
}

// Stats are counters shown by INFO.
type Stats struct {
	ExpiredKeys  atomic.Int64
	EvictedKeys  atomic.Int64
	KeyspaceHits stripedCounter
	KeyspaceMiss stripedCounter
	Checkpoints  atomic.Int64
	// BlockedClients counts sessions waiting in a blocking command.
	BlockedClients atomic.Int64
}

// stripedCounter is a counter bumped on every command by every connection.
// One atomic shared by all cores made its cache line bounce between them
// on each command (6% of a GET profile); stripes indexed by client id
// keep most increments core-local, and reads (INFO) sum the stripes.
type stripedCounter struct {
	stripes [8]struct {
		n atomic.Int64
		_ [56]byte // one stripe per cache line
	}
}

// Inc adds 1 in the stripe of client id.
func (c *stripedCounter) Inc(id int64) { c.stripes[uint64(id)%8].n.Add(1) }

// Load returns the sum of the stripes.
func (c *stripedCounter) Load() int64 {
	var n int64
	for i := range c.stripes {
		n += c.stripes[i].n.Load()
	}
	return n
}

// Reset zeroes the counter (CONFIG RESETSTAT).
func (c *stripedCounter) Reset() {
	for i := range c.stripes {
		c.stripes[i].n.Store(0)
	}
}

// Open opens (creating if needed) the database in dir and recovers it.
// One process at a time: the directory's LOCK file is held (flock) until
// Close, and a second Open of the directory, by this process or another
// (a keel import while keel serves it), fails instead of writing beside
// the first.
func Open(dir string, opts Options) (*DB, error) {
	opts.defaults()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	db, err := open(dir, opts)
	if err != nil {
		lock.Close()
		return nil, err
	}
	db.lock = lock
	return db, nil
}

// lockDir takes dir's LOCK file (an exclusive flock, released when the
// file is closed or the process dies, SIGKILL included).
func lockDir(dir string) (*os.File, error) {
	path := filepath.Join(dir, "LOCK")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, fmt.Errorf("keel: %s is in use by another keel (it holds %s)", dir, path)
		}
		return nil, fmt.Errorf("keel: locking %s: %w", path, err)
	}
	return f, nil
}

func open(dir string, opts Options) (*DB, error) {
	db := &DB{dir: dir, opts: opts, closing: make(chan struct{}), startTime: time.Now()}
	db.mem.wake = make(chan struct{}, 1)
	db.cmdStats = make([]cmdStats, maxCommandIdx)
	db.latencyHists = make([]atomic.Pointer[latencyHist], maxCommandIdx)
	db.latencyTracking.Store(true)
	empty := ""
	db.requirePass.Store(&empty)
	db.watch.init()
	db.tuning.defaults()
	db.scripts.busyAfter.Store(5000)
	db.scripts.scripts, db.scripts.byBody = map[string]*luaScript{}, map[string]*luaScript{}
	db.scripts.rand = rand48Init // math.random's sequence, shared by EVAL and FCALL
	db.SetSlowlog(10000, 128)
	var err error
	if db.man, err = checkpoint.OpenManifest(dir); err != nil {
		return nil, err
	}
	for _, id := range memEngines {
		if err := db.loadMem(id); err != nil {
			return nil, err
		}
	}
	// One block cache for strings, hashes and streams: one budget, spent
	// on whichever engine is read (three caches of a third each left two
	// idle while a workload of one type missed in the third).
	cacheSize := db.opts.BlockCacheSize
	if cacheSize <= 0 {
		cacheSize = defaultBlockCacheSize
	}
	db.blockCache = segments.NewBlockCache(cacheSize)
	if db.strs, err = db.openSegments(engStrings, db.opts.StringsBufferSize, stringKeySlot, nil); err != nil {
		return nil, err
	}
	if db.hashes, err = db.openSegments(engHashes, db.opts.HashesBufferSize, stringKeySlot, incarnationPrefix); err != nil {
		db.strs.Close()
		return nil, err
	}
	if db.streams, err = db.openSegments(engStreams, db.opts.StreamsBufferSize, stringKeySlot, incarnationPrefix); err != nil {
		db.strs.Close()
		db.hashes.Close()
		return nil, err
	}
	if db.log, err = wal.Open(filepath.Join(dir, "wal"), wal.Options{
		Fsync:        opts.Fsync,
		SegmentSize:  opts.WALSegmentSize,
		Logger:       opts.Logger,
		KeepTornTail: opts.KeepTornWALTail,
	}); err != nil {
		db.strs.Close()
		db.hashes.Close()
		db.streams.Close()
		return nil, err
	}
	if err := db.recover(); err != nil {
		db.log.Close()
		db.strs.Close()
		db.hashes.Close()
		db.streams.Close()
		return nil, err
	}
	db.lastSave.Store(time.Now().Unix())
	db.lastCkptSize.Store(db.log.Size())
	db.bg.Add(4)
	go db.checkpointLoop()
	go db.expireLoop()
	go db.trimLoop()
	go db.memLoop()
	return db, nil
}

// defaultBlockCacheSize is the shared block cache's size when
// Options.BlockCacheSize is 0: what three engines of 64 MiB each had.
const defaultBlockCacheSize = 192 << 20

// defaultHashesBufferSize is the hashes engine's write buffer: larger
// than the other engines' because a hash write reads before it writes
// (HSET and HINCRBY must know whether the field exists), and that read
// probes every file; a larger buffer also flushes less often, so fewer
// tier merges rewrite each field. 1M HSETs of 100-byte values at
// pipeline 16 into one hash already holding ~950k fields cost the server
// 593–595 CPU ticks with 8 MiB and 469–473 with 64 MiB (233–241k vs
// 208–210k/s); RocksDB's default memtable is 64 MiB too.
const defaultHashesBufferSize = 64 << 20

// defaultStringsBufferSize is the strings engine's write buffer. Larger
// flushes pass through fewer tier merges: MSET of random keys over 1M
// keys cost the server 750–773 CPU ticks per 300k MSETs with 8 MiB and
// 663–690 with 32 MiB (43.0–44.0k vs 46.3–48.5k/s). But a SET reads
// nothing, and the strings' resident size is what the memory goal is
// about: RSS right after 1M SETs was 166 MiB with 32 MiB (0.79x Redis's)
// against 123 with 8 (the active and the frozen buffer, and the flush's
// sort, at their peak).
const defaultStringsBufferSize = 8 << 20

// openSegments opens the on-disk engine id (strings, hashes, streams),
// with a write buffer of bufferSize bytes, at the
// checkpoint the manifest names.
func (db *DB) openSegments(id engineID, bufferSize int64, slot func([]byte) uint16, prefix func([]byte) int) (*segments.Store, error) {
	name := engineNames[id]
	e, _ := db.man.Get(name)
	return segments.Open(filepath.Join(db.dir, name), e.State, e.LSN, segments.Options{
		BufferSize: bufferSize,
		Cache:      db.blockCache,
		// Small blocks: a point read that misses the block cache decodes
		// one block; 4 KiB holds ~30 strings of 100 bytes.
		BlockSize: 4 << 10,
		// A restart every 2 entries: a point read finds its restart through
		// the cached block's fingerprint index, with no binary search of
		// restart keys, and decodes at most 2 entries, each a cache miss or
		// two. BenchmarkGetScattered (1M keys, three runs each): 2,515 ns at
		// 16 without the index, 2,073 at 4 without it, 1,903 at 4 with it
		// (session 8); at 4 vs 2 with the index, seven interleaved pairs
		// (session 9): 2,433–3,254 vs 2,145–2,838 ns, 2 faster in each, for
		// 5% more bytes (125.4 vs 119.5 per key).
		RestartInterval: 2,
		RowCacheSize:    db.opts.RowCacheSize,
		CompactionNice:  db.opts.CompactionNice,
		Logger:          db.opts.Logger,
		Slot:            slot,
		Prefix:          prefix,
		Commit: func(lsn uint64, state []byte) error {
			// A checkpoint at LSN c may be committed only once the WAL
			// holds every record <= c durably: otherwise a crash leaves an
			// engine ahead of the log, and the restarted log would hand out
			// those LSNs again. (Compactions at Open commit the same LSN
			// before the log exists.)
			if old, _ := db.man.Get(name); lsn > old.LSN && db.log != nil {
				if err := db.log.Sync(); err != nil {
					return err
				}
			}
			return db.man.Commit(name, lsn, state)
		},
	})
}

// diskEngines are the on-disk engines with their stores.
func (db *DB) diskEngines() []struct {
	id    engineID
	store *segments.Store
} {
	return []struct {
		id    engineID
		store *segments.Store
	}{{engStrings, db.strs}, {engHashes, db.hashes}, {engStreams, db.streams}}
}

// recover replays the WAL past each engine's checkpoint (invariant 3).
func (db *DB) recover() error {
	var ckpt [numEngines]uint64
	for _, id := range memEngines {
		ckpt[id] = db.memCkpt[id].Load()
	}
	for _, d := range db.diskEngines() {
		ckpt[d.id] = d.store.CheckpointLSN()
	}
	// An engine a non-empty manifest does not name was added to keel after
	// this data directory's WAL was last truncated (retention keeps every
	// record while any engine is unnamed): it holds nothing older than the
	// WAL's first record.
	if first := uint64(db.log.FirstLSN()); first > 1 && len(db.man.Entries()) > 0 {
		for e := range numEngines {
			if _, named := db.man.Get(engineNames[e]); !named {
				ckpt[e] = max(ckpt[e], first-1)
			}
		}
	}
	from := ckpt[0]
	for _, c := range ckpt[1:] {
		from = min(from, c)
	}
	from++
	last := uint64(db.log.LastLSN())
	if last < from {
		return nil
	}
	if first := uint64(db.log.FirstLSN()); first > from {
		return fmt.Errorf("keel: WAL starts at LSN %d but recovery needs LSN %d (engine checkpoints %v)", first, from, ckpt)
	}
	r, err := db.log.NewReader(wal.LSN(from))
	if err != nil {
		return err
	}
	defer r.Close()
	db.mu.Lock()
	defer db.mu.Unlock()
	var o op
	start := time.Now()
	progress := replayProgress{every: replayProgressEvery, last: start, log: db.opts.Logger, from: from, to: last}
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		progress.at(uint64(rec.LSN), db.replayed)
		var mask uint8
		for e := engineID(0); e < numEngines; e++ {
			if uint64(rec.LSN) > ckpt[e] {
				mask |= 1 << e
			}
		}
		d := opDecoder{b: rec.Payload}
		for d.next(&o) {
			if err := db.apply(&o, uint64(rec.LSN), mask); err != nil {
				return fmt.Errorf("keel: replaying LSN %d: %w", rec.LSN, err)
			}
		}
		if d.err != nil {
			return fmt.Errorf("keel: WAL record LSN %d: %w", rec.LSN, d.err)
		}
		db.replayed++
	}
	db.opts.Logger.Info("keel: recovered", "from_lsn", from, "to_lsn", last, "records", db.replayed,
		"seconds", fmt.Sprintf("%.3f", time.Since(start).Seconds()))
	return nil
}

// replayProgressEvery is how often a WAL replay logs how far it got (a
// replay of a few seconds logs nothing until its end).
var replayProgressEvery = time.Second

// replayProgress logs a long WAL replay's progress: the LSN reached of
// the range to replay, as a share of it, and the records so far.
type replayProgress struct {
	every    time.Duration
	last     time.Time
	log      *slog.Logger
	from, to uint64
	checks   int
}

// at is called before each record (lsn); it reads the clock every 1024
// records only.
func (p *replayProgress) at(lsn uint64, records int64) {
	if p.checks++; p.checks%1024 != 0 {
		return
	}
	if now := time.Now(); now.Sub(p.last) >= p.every {
		p.last = now
		pct := 100 * float64(lsn-p.from) / float64(max(p.to-p.from, 1))
		p.log.Info("keel: replaying the WAL", "lsn", lsn, "to_lsn", p.to, "done", fmt.Sprintf("%.1f%%", pct), "records", records)
	}
}

// Close stops background work and closes the log and engines. It does not
// checkpoint: recovery replays the WAL.
func (db *DB) Close() error {
	select {
	case <-db.closing:
		return nil
	default:
	}
	close(db.closing)
	db.bg.Wait()
	db.ckptMu.Lock()
	defer db.ckptMu.Unlock()
	// The stores first: a flush still running commits through the log
	// (Commit syncs it), and would fail against a closed one.
	var err error
	for _, d := range db.diskEngines() {
		if serr := d.store.Close(); err == nil {
			err = serr
		}
	}
	if lerr := db.log.Close(); err == nil {
		err = lerr
	}
	if db.lock != nil {
		db.lock.Close() // the directory is free for the next Open
	}
	return err
}

// Dir is the data directory.
func (db *DB) Dir() string { return db.dir }

// Log exposes the WAL (for INFO and tools).
func (db *DB) Log() *wal.Log { return db.log }

// Databases is the number of logical databases.
func (db *DB) Databases() int { return db.opts.Databases }

// SetRequirePass changes the password (empty disables AUTH).
func (db *DB) SetRequirePass(p string) { db.requirePass.Store(&p) }

// RequirePass returns the password ("" when none).
func (db *DB) RequirePass() string { return *db.requirePass.Load() }

// SetFsync changes appendfsync at run time.
func (db *DB) SetFsync(p wal.FsyncPolicy) {
	db.opts.Fsync = p
	db.log.SetFsync(p)
}

// WaitDurable blocks until lsn is durable per the fsync policy.
func (db *DB) WaitDurable(lsn uint64) error {
	if lsn == 0 || uint64(db.log.DurableLSN()) >= lsn {
		return nil
	}
	return db.log.WaitDurable(wal.LSN(lsn))
}

func (db *DB) fail(err error) {
	db.failed.CompareAndSwap(nil, &err)
	db.opts.Logger.Error("keel: fatal", "err", err)
}

// Err returns the fatal error, if any.
func (db *DB) Err() error {
	if p := db.failed.Load(); p != nil {
		return *p
	}
	return nil
}

// lruClock is the access clock in seconds for OBJECT IDLETIME. Like
// Redis's LRU clock it is coarse: the expiry loop refreshes it ten times a
// second, which keeps a clock read off the write path.
func (db *DB) lruClock() uint32 {
	if c := db.clockSec.Load(); c != 0 {
		return c
	}
	return uint32(time.Now().Unix())
}

func lower(b []byte) string {
	for _, c := range b {
		if c >= 'A' && c <= 'Z' {
			return strings.ToLower(string(b))
		}
	}
	return string(b)
}
