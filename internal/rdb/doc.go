// Package rdb encodes and decodes the payloads of Redis's DUMP and RESTORE
// commands: one value serialized as in an RDB file, followed by the RDB
// version and a CRC64. It owns that format and nothing else: it knows no
// keys, no TTLs and none of keel's engines; callers convert between Value and
// their own representation. The layout, the encodings written and read, and
// the Redis source files this follows are in docs/format/dump.md.
//
//	┌──────────────┬────────────────────┬──────────────────────┬─────────────────────┐
//	│ type <1b>    │ object <…>         │ RDB version <2b LE>  │ CRC64 <8b LE>       │
//	└──────────────┴────────────────────┴──────────────────────┴─────────────────────┘
//	                                      CRC64 covers everything to its left
//
// # Contract
//
//  1. Encode is byte-identical to redis-server 7.0.15's DUMP wherever Redis's
//     own bytes are a function of the value's content and of the
//     configuration in EncodeOptions: it picks the encoding (int, LZF or raw
//     string; listpack or hash table; intset or hash table; listpack or
//     skiplist; quicklist node boundaries and compression; stream node
//     boundaries and master entries) that Redis picks for a value built by
//     the natural commands (SET, RPUSH, SADD, ZADD, HSET, XADD, XGROUP,
//     XREADGROUP) in the order the Value lists it. Where Redis's bytes depend
//     on history or on a random hash seed (hash-table iteration order, an
//     intset that kept a wide encoding after SREM, stream entries deleted
//     by XDEL), the payload differs from Redis's but restores to the same
//     content.
//  2. Decode reads every type and encoding redis-server 7.0 loads from a
//     RESTORE payload of version <= 10 (old encodings included, modules
//     excepted), checks the version and CRC as verifyDumpPayload does, and
//     returns the value in canonical form. Beyond what Redis refuses, it
//     refuses as ErrBadFormat the corruptions Redis catches only with
//     sanitize-dump-payload yes (duplicates in listpacks, malformed
//     listpacks, ziplists and stream nodes, PEL entries without consumer),
//     streams whose entries contradict their metadata, and bytes left
//     between the object and the footer, which Redis ignores: whatever
//     Decode accepts, Redis accepts with the same content (the corruption
//     tests check this against the oracle), never the other way round.
//  3. Decode never panics, on any input.
//  4. Decode allocates only for bytes that are present: a length or count
//     field is trusted only as far as the remaining payload can back it, so
//     a 100-byte payload claiming 2^40 elements fails with ErrBadFormat
//     before anything is allocated. Without LZF the decoded value takes at
//     most a few dozen bytes of heap per payload byte; LZF can expand a
//     string by up to 88x (the format's limit), so a caller decoding
//     untrusted input bounds the total with DecodeOptions.MaxMemory.
//
// # Concurrency
//
// Encode, Decode and CRC64 are safe for concurrent use; they share only
// immutable tables and a sync.Pool of LZF hash tables. A Value is not
// synchronized: callers must not mutate one while it is being encoded.
package rdb
