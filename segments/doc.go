// Package segments is keel's on-disk LSM store: a sorted in-memory buffer
// flushed to immutable segment files, merged in the background. The strings
// engine uses it today, the hashes and streams engines later; they differ
// only in how they encode keys (slot, db, key, version, ...).
//
// # What it owns
//
// One directory of segment files (NNNNNN.seg) and the bytes of the state
// blob it hands to Options.Commit. The format of both is specified in
// docs/format/segment.md; the constants in format.go that are part of it
// say so and never change.
//
// # Durability rules
//
//  1. The store is a cache of the WAL. Writes go to memory only; Close does
//     not flush. Recovery replays the WAL after CheckpointLSN.
//  2. A buffer is frozen only at a record boundary (the auto-flush freezes at
//     the first write of a new LSN; callers call Flush between records), and
//     its file is committed with the buffer's AppliedLSN. So the files at
//     checkpoint LSN c reflect exactly the writes with LSN <= c.
//  3. A file is written as .tmp, fsynced, renamed, and the directory fsynced
//     before the state naming it is passed to Commit. Commit comes before
//     the file set in memory changes and before any file is deleted.
//  4. Compaction only merges committed files and commits with the unchanged
//     checkpoint LSN; its input files are deleted after the commit, when no
//     reader holds them. On Open, files the state does not name are deleted.
//  5. Any failed write, fsync or Commit is fatal: Err reports it, flushes and
//     compactions stop, and nothing is retried in place.
//
// # Reads
//
// Layers are consulted newest first: the active buffer, frozen buffers, then
// files. Files cover disjoint, ordered sequence ranges, so the newest layer
// that holds a key, or covers it with a range tombstone, decides. Within a
// buffer, entries and range tombstones carry sequence numbers; within a file
// no entry is hidden by that file's own tombstones (flush and compaction
// drop such entries), so files need none. A buffer's tombstones (up to
// maxBufferRangeDels; one per hash deleted) are also kept as sorted,
// disjoint fragments (rangedels.go) and a file's are merged spans, so
// asking whether a key is covered is a binary search either way; a merge
// keeps only the layers with a key or a tombstone in its range. A bloom filter per file skips
// files that cannot hold a point key; blocks come through an LRU cache. A
// flush writes a point tombstone only when a file may hold its key (key
// range and bloom filter): one whose key was written and deleted within
// the buffer hides nothing below it.
// With Options.Prefix, each file also keeps a filter of the prefixes of
// its keys and of its range tombstones that lie within one prefix (one
// hash's or stream's records share one; DEL of a hash is one such
// tombstone), and a scan within one prefix's keys leaves out the files
// that filter rejects unless a wider range tombstone of theirs overlaps
// the scan (a scan of one small hash among millions read every file's
// block index and a block of each).
// Values are not kept in memory after a flush: only buffers, block indexes,
// bloom filters, range tombstones and the caches are.
//
// A point read may carry the LSN of its key's last write (ViewHinted's
// newest; keel's keyspace keeps it for every string). The layers' LSN
// ranges are disjoint and ordered like their sequence ranges (a buffer is
// frozen at a record boundary and its file keeps its range; a compaction
// merges adjacent files), so the read skips every layer whose writes are
// all newer, without probing a buffer's index or reading a filter, and
// reads the file whose range holds that LSN without its filter: a point
// read of a value in a file costs that file's block search alone,
// however many newer files there are.
//
// A point read that no buffer answers asks the row cache (rowcache.go)
// before the files: the answers of recent reads of the files, each valid
// for the version of the files it was read from, which a flush or a
// compaction replaces. A key written since is in a buffer until a flush
// makes a new version, so an entry never answers for a changed key. Keys
// read again and again get in (a miss is admitted with probability
// 1/32); the cache is direct-mapped and bounded.
//
// Scan and ScanReverse merge the layers under the same rules, ascending and
// descending (ScanReverse returns exactly Scan's results reversed).
// ScanLive is Scan for a caller that knows how many live keys the range
// holds (a hash's field count): when the buffers alone hold that many,
// no file can hold another live one, and the files are not read; when
// they hold fewer, what they decide (bufferrun.go) is merged with the
// files. Its answer is only as right as that count.
// ScanReverse seeks each layer to its last key below hi and steps back
// (reverse.go): a short read at the top of a long range (XREVRANGE with a
// COUNT) costs what it reads, not the range. A file reads each block it
// reaches through the cache as forward reads do, decodes one restart
// interval of it at a time (the seek finds the interval by a binary
// search of the restart keys), and never reads a block whose keys all lie
// below lo.
//
// # Compaction bounds
//
// Size-tiered over the time-ordered file list (compaction.go). When no
// compaction is pending:
//   - each tier above the base (the oldest file) holds at most 3 files
//     (fanout 4), and a tier-t file holds about 4^t flushes, so there are
//     T ≤ 1 + log4(base / flush size) tiers;
//   - the files above the base total less than the base, so the bytes on
//     disk are below 2 × base;
//   - the estimated garbage in the base (entries overwritten or deleted by
//     newer files) is below half the base, so by that estimate the live data
//     is above base / 2 and the disk bytes below 4 × live data; after
//     Compact (a full merge) they are the live data alone. The estimate
//     counts a newer file's entries at the share of its block bounds the
//     base's bloom filter admits (shadowShare), and the base blocks its
//     range tombstones overlap: a store that only grows (new hash fields,
//     stream entries) has next to none, and merges its base only when the
//     newer files reach its size.
//
// A point read therefore checks at most 1 active + 2 frozen buffers and
// 3·T + 1 files, and reads a data block only from files whose bloom filter
// (about 1% false positives at 10 bits per key) and key range admit the key:
// about 1 block read for a present key, about 0.01 × files for a missing one.
// A full compaction needs free space equal to the store's size.
//
// A compaction writes a data block of an input as it is, without decoding
// and re-encoding its entries, when no other input holds a key in the
// block's range, no newer input's range tombstone overlaps it, and it holds
// no tombstone the compaction drops (blockcopy.go): appended keys (stream
// entries) are compacted that way, and the copy keeps the block's checksum,
// which covers only the block. A file's blocks may therefore differ in size
// and restart interval.
//
// A compaction reads each input in runs of consecutive blocks of up to
// 256 KiB (seqReader), not a read per block, and checks each block's
// checksum as it reaches it; a run's read that fails is retried for its
// first block alone, so that an error names the block it is in.
//
// # Concurrency
//
// Store: Put, Delete and DeleteRange are called by one writer at a time (the
// caller serializes them, in LSN order); Flush must not run concurrently with
// a write (record boundary rule). Get, Scan, ScanReverse, Stats, AppliedLSN,
// CheckpointLSN, BufferedBytes, Err and Compact are safe for concurrent use
// with each other, with writes and with the background goroutines. Three
// background goroutines run per store: the flusher (writes frozen buffers in
// order), the compactor, and the reaper, which closes and deletes the
// compacted-away files whose last reference a read dropped (reaper.go: a
// read is often an event loop, and a delete can take milliseconds). A
// read takes a view (active buffer, frozen list, ref-counted file
// version) under Store.mu and then reads without locks. A read pins each
// buffer it reads (a point read of the active buffer pins it alone,
// without a view): a flushed buffer's memory goes to the buffers after it
// only once no reader is inside it (buffermem.go). What a read passes its
// callback is therefore valid only during the call. A buffer's slabs,
// node and head chunks and key index tables live off the Go heap
// (internal/offheap): the collector neither marks them nor counts them
// toward its goal, and a read past its pin may find them unmapped.
//
// The compactor runs on a thread of its own, Options.CompactionNice nicer
// than the process (Linux; priority_linux.go): compactions are work the
// writes left behind, and they take the CPU the requests leave. The
// locks it holds while it could be waiting for that CPU are commitMu
// (the flusher waits for it to commit) and, for the moment of an
// install, Store.mu (a read waits to take its view). The flusher keeps
// the process's priority: a writer waits for it once maxFrozen buffers
// pile up, and its buffers hold memory until it is done.
//
// Mutexes:
//   - Store.mu guards the frozen list, the current version and the swap of
//     the active buffer; held only to take a view or to install a new one.
//   - Store.commitMu serializes file-set edits and Commit calls between the
//     flusher and the compactor, and guards the next file number.
//   - Store.compactMu is held for a whole compaction (one at a time).
//   - Store.errMu guards the sticky background error.
//   - reaper.mu guards the reaper's stop against the hand-offs to it.
//   - cacheShard.mu guards one block cache shard's LRU list and map.
//
// buffer: one writer, many readers; readers look keys up without a lock
// (keyIndex: slots written once, tables published atomically), each key's
// head holds its newest version atomically, and buffer.mu guards only the
// new keys not yet in the key B-tree; immutable once frozen. table:
// immutable after open, safe for concurrent use; closed and (if compacted
// away) deleted on its last unref, by the reaper when a read drops it.
// version: immutable, ref-counted.
package segments
