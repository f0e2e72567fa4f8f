// Package wal is keel's single global write-ahead log: the source of truth
// that every engine caches.
//
// # What it owns
//
// LSN assignment (1-based, gap-free, may start at any LSN for replica
// bootstrap and restore), record framing and checksums, group commit under
// the three appendfsync policies, torn-tail repair and corruption detection
// on open, readers from any retained LSN, front truncation, and one sidecar
// per sealed segment (LSN and time range, roaring bitmap of slots) that lets
// a slot-range replay or an archive skip segments unread.
//
// # Format
//
// The log is a github.com/tidwall/wal v1.2.1 directory in its binary format;
// the tidwall index of an entry is its LSN. tidwall has no checksum, magic or
// version, so every entry holds one frame:
//
//	│ version <1b> │ type <1b> │ lsn <8b> │ time <8b> │ nslots <uvarint> │ slot <2b>… │ len <uvarint> │ payload │ xxh64 <8b> │
//
// docs/format/wal.md specifies the frame, the segment files and the sidecar
// (<segment>.meta) field by field.
//
// # Ordering rules durability depends on
//
//  1. LSNs are assigned under Log.mu in Append, in the same critical section
//     that queues the encoded frame, so queue order is LSN order; whoever
//     holds the writer lock (wmu) takes the whole queue and writes it in
//     order. The caller holds its own lock around Append, so LSN order is
//     also apply order.
//  2. The durable LSN is published only after the batch's write returned
//     (everysec, no) or after the fsync that follows it returned (always).
//     WaitDurable returns only once the durable LSN covers its LSN.
//  3. When tidwall rolls to a new segment it fsyncs the old file before
//     creating the new one, so a sealed segment is durable whole before any
//     record after it reaches a disk. The new file's directory entry is
//     fsynced before any of its records counts as fsynced: under always by
//     the writer before it publishes any LSN of the new segment; under
//     everysec and no by the next sync of the log (the tick, a presync,
//     Sync, Close), before it fsyncs the file. Readers and sidecars learn of
//     a segment only after the write that rolled to it. Under everysec and
//     no the writer goroutine also fsyncs the active segment each time
//     another eighth of it is written (presyncStep), off the group commit's
//     path, so that the fsync inside a roll, which the batch's leader (an
//     event loop) waits for, finds little left to write back.
//  4. Any write or fsync error stops the log for good: nothing is published
//     after it, pending records are dropped, and every current and future
//     Append, WaitDurable, Sync and TruncateFront returns the error. No retry:
//     after a failed fsync the page cache may already have dropped the data.
//  5. Open repairs before tidwall reads anything: a torn tail of the last
//     segment (no valid frame after the damage) is truncated, then the file
//     and the directory are fsynced. Damage anywhere else fails Open with a
//     *CorruptionError and is never served.
//  6. Front truncation (tidwall rewrites the segment holding the new first
//     LSN as <N>.START, fsyncs it, deletes older files, renames it) is
//     followed by a directory fsync; Open finishes an interrupted one.
//     DropSealedThrough, what checkpoints use, deletes whole sealed
//     segments oldest first, without the writer: nothing is rewritten,
//     appends do not wait, and a crash leaves a contiguous suffix.
//  7. Sidecars and other replaced files are written as .tmp, fsynced,
//     renamed, and the directory fsynced. A sidecar is derived data: Open
//     rebuilds one that is missing, invalid or disagrees with its segment.
//
// # Concurrency
//
// Log: every method is safe for concurrent use. Append and the LSN getters
// do no I/O. All tidwall mutations run under the writer lock (wmu), held
// either by the background writer goroutine (records nobody waits for, the
// everysec fsync, Sync, TruncateFront, Close; its fsyncs of the active
// segment go through a descriptor of its own, without wmu) or by a
// WaitDurable caller that leads a group commit: the first waiter to find
// the writer idle writes, and under always fsyncs, everything queued;
// waiters that arrive meanwhile wait for it and the next one leads the
// next batch. Append wakes the writer when the queue becomes non-empty;
// AppendAtWaited, for callers that will wait, does not, so that the common
// path has no goroutine hand-off (a woken writer would usually take the
// batch first and make the waiter park until it is done). Sidecar files
// are written by a second goroutine, off the writer's path. Both
// goroutines stop in Close.
//
// Reader: one goroutine at a time; any number of Readers may run
// concurrently with each other and with the writer. Readers read segment
// files through their own descriptors and never call tidwall's Read, whose
// segment cache is not safe for concurrent readers.
//
// SegmentInfo and Record values are owned by the caller.
package wal
