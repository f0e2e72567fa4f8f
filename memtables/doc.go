// Package memtables holds keel's in-memory engines and their checkpoint
// files. Today that is the keyspace engine (this package's Keyspace): for
// every logical database, every key's type, expiry, version and size hint.
// The lists, sets and zsets engines will live here too and share the
// checkpoint framing (docs/format/checkpoint.md).
//
// Every engine is a cache of the one global WAL (docs: DESIGN.md). An engine
// is changed only by applying WAL records in LSN order, and a checkpoint
// written at LSN c holds exactly the effect of the records <= c. Recovery is
// ReadCheckpoint followed by replaying the records after the returned LSN.
//
// # Concurrency contract
//
// A Keyspace is not safe for concurrent writes. The caller (the command state
// machine) holds its own RWMutex:
//
//  1. Writes (Set, Delete, SetExpire, FlushDB, SwapDB), WriteCheckpoint,
//     Snapshot and EndSnapshot run under the write lock, one at a time. A
//     Snapshot's WriteTo runs with no lock, concurrently with writes and
//     reads: pages it captured are copied before any write (copy-on-write).
//  2. Reads (Get, Len, ExpiresCount, PhysDB, NextPhys, Databases, Scan,
//     RandomKey, ForEach, SampleExpired) may run concurrently with each other
//     under the read lock. They change no shared state.
//  3. A *Entry returned by Get, or passed to a Scan/ForEach callback, points
//     into the table and is valid only until the next write to the Keyspace.
//     Through it the caller may update Access (with sync/atomic when under the
//     read lock: concurrent readers store it too) and, under the write lock,
//     Size and Version. ExpireAt and Type must be changed through Set or
//     SetExpire, because keys with an expiry are indexed for SampleExpired.
//  4. Callbacks passed to Scan, ForEach and friends must not write to the
//     Keyspace. The key strings they, RandomKey and SampleExpired return are
//     the caller's to keep.
//
// # Memory
//
// The keyspace's slot pages and large indexes live outside the Go heap
// (internal/offheap): about 72 bytes per key of up to 23 bytes, none of it
// counted into the collector's heap goal or scanned by it. A key costs the
// keyspace about 70 bytes, and with a million keys that is most of keel's
// memory; on the heap each byte would cost 1.5 bytes of RSS at GOGC 50.
// Slots hold no Go pointers (keys of up to keyInline bytes live in the
// slot itself, longer ones in a per-page string array on the heap), as
// offheap's contract requires. Full pages come from a pool of page-sized
// blocks (table.go's pagePool), indexes of offIndexCells cells or more are
// mapped alone. A page's block stays valid while its handle is reachable:
// the table's page, or a Snapshot sharing the page; pointers derived from
// it (a *slot, an *Entry) are valid only that long. offheap.InUse reports
// the total, which INFO adds to used_memory.
//
// Database indexes passed to any method must be in [0, Databases()); an
// out-of-range index panics, as a slice index would: the command layer
// validates SELECT and SWAPDB arguments before they reach this package.
package memtables
