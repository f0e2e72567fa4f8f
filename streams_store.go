package keel

// The streams engine's storage layout and the stream handle the commands
// work through (streams.go, streams_groups.go).
//
// Every record of one stream incarnation lives in the streams store under
// streamPrefix(phys, key, version) — the same prefix as a hash's fields, so
// a stream is one contiguous range, dropping it is one range tombstone and a
// recreated stream never sees its predecessor. The byte after the prefix
// says what the record is (docs/format/streams.md):
//
//	subMeta      0x00                                -> streamMeta
//	subEntry     0x01 id(16)                         -> fields
//	subNode      0x02 master id(16)                  -> streamNode
//	subGroup     0x03 group                          -> streamGroup
//	subConsumer  0x04 len(group)(4) group consumer   -> streamConsumer
//	subPending   0x05 len(group)(4) group id(16)     -> pendingEntry (the group's PEL)
//	subOwned     0x06 len(group)(4) group len(consumer)(4) consumer id(16) -> "" (a consumer's PEL)
//
// Ids are 16 bytes big endian (ms, seq), so entries and pending entries
// sort by id and a range of ids is a range of keys. Groups and consumers
// sort by name, the order of Redis's radix trees.
//
// Nodes mirror Redis's listpack macro nodes (stream-node-max-entries and
// -bytes): keel stores each entry as its own record, but keeps per node the
// counts and the size the listpack would have, so that approximate
// trimming (MAXLEN ~, MINID ~), LIMIT and XINFO's radix-tree-keys give
// Redis's answers exactly.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/keeldb/keel/internal/rdb"
	"github.com/keeldb/keel/memtables"
)

// Sub-key kinds. Part of the on-disk format.
const (
	subMeta     byte = 0x00
	subEntry    byte = 0x01
	subNode     byte = 0x02
	subGroup    byte = 0x03
	subConsumer byte = 0x04
	subPending  byte = 0x05
	subOwned    byte = 0x06
)

// streamKey is the streams store's key of one record: the incarnation's
// prefix, then sub.
func streamKey(dst []byte, phys uint32, key []byte, version uint64, sub []byte) []byte {
	dst = slices.Grow(dst, hashPrefixLen(key)+len(sub))
	dst = hashPrefix(dst, phys, key, version)
	return append(dst, sub...)
}

// streamScan calls fn for each record of one stream incarnation whose
// sub-key is in [lo, hi) (nil: unbounded), in order, until fn returns
// false. sub and v are valid only during the call.
func (db *DB) streamScan(phys uint32, key []byte, version uint64, lo, hi []byte, fn func(sub, v []byte) bool) error {
	plo, phi, n := streamBounds(phys, key, version, lo, hi)
	return db.streams.Scan(plo, phi, func(k, v []byte) bool { return fn(k[n:], v) })
}

// streamScanReverse is streamScan in descending order.
func (db *DB) streamScanReverse(phys uint32, key []byte, version uint64, lo, hi []byte, fn func(sub, v []byte) bool) error {
	plo, phi, n := streamBounds(phys, key, version, lo, hi)
	return db.streams.ScanReverse(plo, phi, func(k, v []byte) bool { return fn(k[n:], v) })
}

// streamBounds returns the store range of an incarnation's sub-keys in
// [lo, hi) (nil: unbounded) and the prefix length to cut.
func streamBounds(phys uint32, key []byte, version uint64, lo, hi []byte) (plo, phi []byte, n int) {
	plo, phi = hashRange(phys, key, version)
	n = len(plo)
	if lo != nil {
		plo = append(plo, lo...)
	}
	if hi != nil {
		phi = append(hashPrefix(nil, phys, key, version), hi...)
	}
	return plo, phi, n
}

// ---- ids ----

// streamID is an entry id: milliseconds and sequence.
type streamID struct{ ms, seq uint64 }

var (
	minStreamID = streamID{}
	maxStreamID = streamID{math.MaxUint64, math.MaxUint64}
)

func (a streamID) cmp(b streamID) int {
	switch {
	case a.ms < b.ms:
		return -1
	case a.ms > b.ms:
		return 1
	case a.seq < b.seq:
		return -1
	case a.seq > b.seq:
		return 1
	}
	return 0
}

func (a streamID) isZero() bool { return a == minStreamID }

func (a streamID) String() string {
	var b [41]byte
	return string(a.appendText(b[:0]))
}

// appendText appends "ms-seq".
func (a streamID) appendText(b []byte) []byte {
	b = strconv.AppendUint(b, a.ms, 10)
	b = append(b, '-')
	return strconv.AppendUint(b, a.seq, 10)
}

// next is the id after a; ok is false for the last possible id.
func (a streamID) next() (streamID, bool) {
	switch {
	case a.seq < math.MaxUint64:
		return streamID{a.ms, a.seq + 1}, true
	case a.ms < math.MaxUint64:
		return streamID{a.ms + 1, 0}, true
	}
	return minStreamID, false
}

// prev is the id before a; ok is false for 0-0.
func (a streamID) prev() (streamID, bool) {
	switch {
	case a.seq > 0:
		return streamID{a.ms, a.seq - 1}, true
	case a.ms > 0:
		return streamID{a.ms - 1, math.MaxUint64}, true
	}
	return maxStreamID, false
}

func (a streamID) append(b []byte) []byte {
	b = binary.BigEndian.AppendUint64(b, a.ms)
	return binary.BigEndian.AppendUint64(b, a.seq)
}

func decodeStreamID(b []byte) streamID {
	return streamID{binary.BigEndian.Uint64(b), binary.BigEndian.Uint64(b[8:])}
}

// ---- records ----

// streamMeta is a stream's own state (Redis's struct stream without the
// radix trees).
type streamMeta struct {
	length       uint64
	lastID       streamID
	firstID      streamID // Redis's first_id: 0-0 after the last entry is deleted
	maxDeleted   streamID
	entriesAdded uint64
	nodes        uint64 // listpack nodes (XINFO radix-tree-keys)
	groups       uint64
	// tail is the last node (valid when nodes > 0). It lives in the meta
	// record, which an XADD writes anyway, and gets a node record of its
	// own only when a new node follows it (sealed): an XADD writes two
	// records, not three.
	tail streamNode
}

func (m *streamMeta) encode() []byte { return m.appendTo(make([]byte, 0, m.maxLen())) }

// maxLen bounds the length of m's encoding.
func (m *streamMeta) maxLen() int {
	n := 4*binary.MaxVarintLen64 + 3*16
	if m.nodes > 0 {
		n += 16 + m.tail.maxLen()
	}
	return n
}

// appendTo appends m's encoding (the meta record) to b.
func (m *streamMeta) appendTo(b []byte) []byte {
	b = binary.AppendUvarint(b, m.length)
	b = m.lastID.append(b)
	b = m.firstID.append(b)
	b = m.maxDeleted.append(b)
	b = binary.AppendUvarint(b, m.entriesAdded)
	b = binary.AppendUvarint(b, m.groups)
	b = binary.AppendUvarint(b, m.nodes)
	if m.nodes > 0 {
		b = m.tail.master.append(b)
		b = m.tail.appendTo(b)
	}
	return b
}

// recReader decodes a stream record with the op decoder's readers (the
// first error sticks); done maps any error to errBadStreamRecord and
// requires the record to be consumed whole.
type recReader struct{ opDecoder }

var errBadStreamRecord = errors.New("malformed stream record")

func newRecReader(b []byte) *recReader { return &recReader{opDecoder{b: b}} }

func (r *recReader) id() streamID {
	if r.err != nil || len(r.b)-r.off < 16 {
		r.err = errBadStreamRecord
		return streamID{}
	}
	id := decodeStreamID(r.b[r.off:])
	r.off += 16
	return id
}

func (r *recReader) done() error {
	if r.err == nil && r.off != len(r.b) {
		r.err = errBadStreamRecord
	}
	if r.err != nil {
		return errBadStreamRecord
	}
	return nil
}

func decodeStreamMeta(b []byte) (streamMeta, error) {
	r := newRecReader(b)
	m := streamMeta{length: r.uv(), lastID: r.id(), firstID: r.id(), maxDeleted: r.id(),
		entriesAdded: r.uv(), groups: r.uv(), nodes: r.uv()}
	if m.nodes > 0 && r.err == nil {
		m.tail.master = r.id()
		r.node(&m.tail)
	}
	return m, r.done()
}

// streamNode is one listpack node as Redis would hold it.
type streamNode struct {
	master  streamID // its key: the id of the first entry added to it
	last    streamID // the last entry added (deleted or not)
	live    int64
	deleted int64
	// size is the listpack's byte size without its count and deleted
	// elements, which change size as they change (nodeBytes adds them).
	size   int64
	fields [][]byte // the master entry's fields
}

func (n *streamNode) encode() []byte { return n.appendTo(make([]byte, 0, 48)) }

// maxLen bounds the length of appendTo's output.
func (n *streamNode) maxLen() int { return 16 + 3*binary.MaxVarintLen64 + valsLen(n.fields) }

// appendTo appends the node without its master id (the record's key, or
// written before it in the meta record).
func (n *streamNode) appendTo(b []byte) []byte {
	b = n.last.append(b)
	b = binary.AppendVarint(b, n.live)
	b = binary.AppendVarint(b, n.deleted)
	b = binary.AppendVarint(b, n.size)
	return appendVals(b, n.fields)
}

// node decodes appendTo's encoding into n (master set by the caller).
func (r *recReader) node(n *streamNode) {
	n.last, n.live, n.deleted, n.size = r.id(), r.sv(), r.sv(), r.sv()
	n.fields = r.vals()
}

// decodeStreamNode decodes a node record; the node does not alias b (node
// records are read in scans and kept).
func decodeStreamNode(master streamID, b []byte) (streamNode, error) {
	r := newRecReader(bytes.Clone(b))
	n := streamNode{master: master}
	r.node(&n)
	return n, r.done()
}

// cost is the node's approximate size in the write cache.
func (n *streamNode) cost() int {
	cost := costNode
	for _, f := range n.fields {
		cost += 24 + len(f)
	}
	return cost
}

// bytes is the node's listpack size (lpBytes).
func (n *streamNode) bytes() int64 { return n.size + lpIntSize(n.live) + lpIntSize(n.deleted) }

// streamGroup is a consumer group's own state.
type streamGroup struct {
	lastID      streamID
	entriesRead int64 // -1: unknown (SCG_INVALID_ENTRIES_READ)
	pending     uint64
	consumers   uint64
}

// streamGroupMaxLen bounds a group record.
const streamGroupMaxLen = 16 + 3*binary.MaxVarintLen64

func (g *streamGroup) appendTo(b []byte) []byte {
	b = g.lastID.append(b)
	b = binary.AppendVarint(b, g.entriesRead)
	b = binary.AppendUvarint(b, g.pending)
	return binary.AppendUvarint(b, g.consumers)
}

func decodeStreamGroup(b []byte) (streamGroup, error) {
	r := newRecReader(b)
	g := streamGroup{lastID: r.id(), entriesRead: r.sv(), pending: r.uv(), consumers: r.uv()}
	return g, r.done()
}

// streamConsumer is one consumer of a group. activeTime is kept for
// Redis 7.2's XINFO (the last successful read or claim); 7.0 shows only
// seen-time.
type streamConsumer struct {
	seenTime   int64
	activeTime int64 // -1: never
	pending    uint64
}

// streamConsumerMaxLen bounds a consumer record.
const streamConsumerMaxLen = 3 * binary.MaxVarintLen64

func (cs *streamConsumer) appendTo(b []byte) []byte {
	b = binary.AppendVarint(b, cs.seenTime)
	b = binary.AppendVarint(b, cs.activeTime)
	return binary.AppendUvarint(b, cs.pending)
}

func decodeStreamConsumer(b []byte) (streamConsumer, error) {
	r := newRecReader(b)
	cs := streamConsumer{seenTime: r.sv(), activeTime: r.sv(), pending: r.uv()}
	return cs, r.done()
}

// pendingEntry is one entry of a group's PEL (Redis's streamNACK).
type pendingEntry struct {
	id            streamID
	consumer      []byte
	deliveryTime  int64
	deliveryCount uint64
}

// pendingEntryMaxLen bounds the encoding of a pending entry of consumer.
func pendingEntryMaxLen(consumer []byte) int { return 3*binary.MaxVarintLen64 + len(consumer) }

func (p *pendingEntry) appendTo(b []byte) []byte {
	b = appendBytes(b, p.consumer)
	b = binary.AppendVarint(b, p.deliveryTime)
	return binary.AppendUvarint(b, p.deliveryCount)
}

func decodePendingEntry(id streamID, b []byte) (pendingEntry, error) {
	r := newRecReader(b)
	p := pendingEntry{id: id, consumer: r.bytes(), deliveryTime: r.sv(), deliveryCount: r.uv()}
	return p, r.done()
}

// valsLen is the length of appendVals's encoding of vals (an entry's
// value is appendVals of its field, value pairs).
func valsLen(vals [][]byte) int {
	n := uvarintLen(uint64(len(vals)))
	for _, v := range vals {
		n += uvarintLen(uint64(len(v))) + len(v)
	}
	return n
}

// uvarintLen is the length of binary.AppendUvarint's encoding of x.
func uvarintLen(x uint64) int {
	n := 1
	for ; x >= 0x80; x >>= 7 {
		n++
	}
	return n
}

func decodeFields(b []byte) ([][]byte, error) {
	r := newRecReader(b)
	out := r.vals()
	if len(out)%2 != 0 {
		r.err = errBadStreamRecord
	}
	return out, r.done()
}

// ---- sub-keys ----

// subMetaKey is the meta record's sub-key (read only).
var subMetaKey = []byte{subMeta}

func subEntryKey(id streamID) []byte { return appendSubID(make([]byte, 0, 17), subEntry, id) }
func subNodeKey(id streamID) []byte  { return appendSubID(make([]byte, 0, 17), subNode, id) }

// appendSubID appends the sub-key of kind (subEntry, subNode) and id.
func appendSubID(b []byte, kind byte, id streamID) []byte { return id.append(append(b, kind)) }

func subGroupKey(group []byte) []byte {
	return append(append(make([]byte, 0, 1+len(group)), subGroup), group...)
}

// The sub-keys scoped to a group are built by appending to dst (the
// handle's scratch, or a buffer of their exact size).

// appendGroupScoped appends kind, the group's length and name: the prefix
// of its consumers (subConsumer), pending entries (subPending) or owned
// entries (subOwned).
func appendGroupScoped(dst []byte, kind byte, group []byte) []byte {
	dst = append(dst, kind)
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(group)))
	return append(dst, group...)
}

func appendSubConsumerKey(dst, group, consumer []byte) []byte {
	return append(appendGroupScoped(dst, subConsumer, group), consumer...)
}

func appendSubPendingKey(dst, group []byte, id streamID) []byte {
	return id.append(appendGroupScoped(dst, subPending, group))
}

// appendSubOwnedPrefix appends the prefix of one consumer's PEL.
func appendSubOwnedPrefix(dst, group, consumer []byte) []byte {
	dst = binary.BigEndian.AppendUint32(appendGroupScoped(dst, subOwned, group), uint32(len(consumer)))
	return append(dst, consumer...)
}

func appendSubOwnedKey(dst, group, consumer []byte, id streamID) []byte {
	return id.append(appendSubOwnedPrefix(dst, group, consumer))
}

// Sizes of the group-scoped sub-keys.
func groupScopedLen(group []byte) int   { return 5 + len(group) }
func subPendingKeyLen(group []byte) int { return groupScopedLen(group) + 16 }
func subOwnedKeyLen(group, consumer []byte) int {
	return groupScopedLen(group) + 4 + len(consumer) + 16
}

func subGroupScoped(kind byte, group []byte) []byte {
	return appendGroupScoped(make([]byte, 0, groupScopedLen(group)), kind, group)
}

func subConsumerKey(group, consumer []byte) []byte {
	return appendSubConsumerKey(make([]byte, 0, groupScopedLen(group)+len(consumer)), group, consumer)
}

func subPendingKey(group []byte, id streamID) []byte {
	return appendSubPendingKey(make([]byte, 0, subPendingKeyLen(group)), group, id)
}

func subOwnedPrefix(group, consumer []byte) []byte {
	return appendSubOwnedPrefix(make([]byte, 0, subOwnedKeyLen(group, consumer)-16), group, consumer)
}

func subOwnedKey(group, consumer []byte, id streamID) []byte {
	return appendSubOwnedKey(make([]byte, 0, subOwnedKeyLen(group, consumer)), group, consumer, id)
}

// prefixEnd is the smallest key above every key starting with p.
func prefixEnd(p []byte) []byte {
	end := bytes.Clone(p)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// ---- the stream handle ----

// stream is one stream key as a command sees it: its incarnation and its
// meta record, loaded once; writes go through its methods, which log ops
// and keep meta current (save writes it back). Puts, and deletes, are
// gathered into one op each, logged before any other op or read of the
// stream (flushWrites), so that a command that writes many records — an
// XREADGROUP's PEL entries, an XACK's — logs few ops. At most one of puts
// and dels is non-empty: switching from one to the other logs the queue,
// so the ops keep the order of the writes.
type stream struct {
	c       *Ctx
	phys    uint32
	key     []byte
	version uint64
	meta    streamMeta
	dirty   bool // meta changed since load
	puts    [][]byte
	dels    [][]byte
	slab    []byte // scratch
	// groups are the consumer groups this command loaded or created, by
	// name (streams_groups.go): taken from the write cache with meta, and
	// put back by remember.
	groups map[string]*groupState
	// cached is the write cache entry this handle is (or, loaded from the
	// store, was copied to by remember).
	cached *streamCached
	// headHint is the master of the node that was first when this handle
	// last looked (0-0: not known; no entry has that id). firstNode checks
	// it before use; it lives as long as the handle, in the write cache.
	// headNode is that node's record as stored while headFresh holds: a
	// seal, a drop or a trim of node records clears it, putNode of the
	// node itself keeps it current. A change made without the handle
	// drops the handle (see streamCached).
	headHint  streamID
	headNode  streamNode
	headFresh bool
	// headIDs is the read-ahead of headRun: live entry ids of the node
	// headIDsNode, ascending, the first of them the stream's first;
	// dropReadAhead drops it.
	headIDs     []streamID
	headIDsNode streamID
	// nextNodes is the read-ahead of trim's scan of node records: sealed
	// nodes as stored, in node order, the first directly after the node
	// whose master is nextAfter. A stream capped by XADD MAXLEN removes
	// its first node every stream-node-max-entries XADDs, and trim then
	// visits the next node from here instead of scanning the records
	// again (a merge of the engine's layers: the scan cost more than the
	// hundred XADDs between two). It holds while the nodes it lists keep
	// their records: putNode updates a node in it, dropNode (a node
	// emptied by XDEL) drops it, trim pops the nodes it visits, and a
	// seal adds a record after every node in it. nextAll: it lists every
	// sealed node after nextAfter's (then a seal appends the new one, and
	// a capped stream of a few nodes is not scanned again at all: a scan
	// folds the buffer's new keys into its ordered index, 9% of the CPU
	// of XADD MAXLEN ~ 1000 at pipeline 16 when trim scanned).
	nextNodes []streamNode
	nextAfter streamID
	nextAll   bool
	nextCost  int // the cache cost of nextNodes (nodeCost)
}

// streamCached is a streamCache entry: the state of one incarnation as its
// records in the store hold it, decoded — its meta and the groups a write
// command loaded (their records, consumers and PEL summary; see
// groupState).
//
// An entry is taken out of the cache by the write command that loads the
// stream and put back by that command's remember, after its last op: a
// command that fails half-way, or that changed state it did not log,
// leaves nothing behind, and the next reads the records. Any streams op
// applied to an incarnation (apply: ops.go) forgets its entry, so a
// command that writes it without a handle (DEL, RENAME, COPY, MOVE,
// FLUSHDB, expiry, replay) leaves no stale entry either. A command holds
// at most one handle of a stream that writes (XREADGROUP resolves a key
// given twice to one handle).
//
// The entry is the handle at rest (h: meta, groups, and the buffers of its
// queued writes, reused), so that loading a cached stream allocates
// nothing.
type streamCached struct {
	key string // its cache key (streamCacheKey)
	h   stream
	// cost is the entry's approximate size in bytes.
	cost int
}

// Buffers a handle at rest keeps for the next command (larger ones go).
const (
	streamKeepSlab = 4 << 10
	streamKeepOps  = 256
)

// streamCacheMax and streamCacheMaxCost bound the cache's entries and
// their total cost; it is emptied when full (the next write of each
// stream reads its records again).
const (
	streamCacheMax     = 4096
	streamCacheMaxCost = 64 << 20
)

// Approximate costs of cached state, besides the bytes of names and
// entries.
const (
	costStream   = 256
	costGroup    = 256
	costConsumer = 160
	costPending  = 96
	costNode     = 96
)

// Bounds of what an entry keeps of its groups: a stream with more groups
// keeps none, a group with more consumers keeps none of them (they are
// read again from their records as needed).
const (
	streamCacheGroupsMax    = 64
	streamCacheConsumersMax = 1024
)

// streamWriteCache is the streams' write cache (DB.streamCache): entries
// by incarnation (streamCacheKey), with the one put last held in hot,
// outside the map, so that writes to one stream after another (XADD after
// XADD) look nothing up in the map: the map's five operations per XADD (a
// lookup and a delete to take the entry, two lookups and an insert of the
// entry and of a bookkeeping entry to put it back) were 4% of XADD's CPU
// at pipeline 16. Guarded by DB.mu (exclusive).
type streamWriteCache struct {
	m    map[string]*streamCached // entries, hot excepted
	hot  *streamCached            // the entry put last (nil: none)
	cost int                      // the entries' total cost
	kbuf []byte                   // scratch for cache keys
}

// find returns the entry of an incarnation, nil when there is none.
func (c *streamWriteCache) find(phys uint32, key []byte, version uint64) *streamCached {
	if c.hot == nil && len(c.m) == 0 {
		return nil
	}
	c.kbuf = streamCacheKey(c.kbuf[:0], phys, key, version)
	return c.get(string(c.kbuf))
}

// get returns the entry whose cache key is key, nil when there is none.
func (c *streamWriteCache) get(key string) *streamCached {
	if c.hot != nil && c.hot.key == key {
		return c.hot
	}
	if len(c.m) == 0 {
		return nil
	}
	return c.m[key]
}

// take removes sc, an entry of the cache.
func (c *streamWriteCache) take(sc *streamCached) {
	if sc == c.hot {
		c.hot = nil
	} else {
		delete(c.m, sc.key)
	}
	c.cost -= sc.cost
}

// put adds sc, whose incarnation has no entry; a cache that would hold
// more than streamCacheMax entries or cost more than streamCacheMaxCost
// is emptied first.
func (c *streamWriteCache) put(sc *streamCached) {
	if c.len() >= streamCacheMax || c.cost+sc.cost > streamCacheMaxCost {
		c.clear()
	}
	if c.hot != nil {
		if c.m == nil {
			c.m = make(map[string]*streamCached)
		}
		c.m[c.hot.key] = c.hot
	}
	c.hot = sc
	c.cost += sc.cost
}

// clear empties the cache.
func (c *streamWriteCache) clear() {
	c.m, c.hot, c.cost = nil, nil, 0
}

// len is the number of entries.
func (c *streamWriteCache) len() int {
	n := len(c.m)
	if c.hot != nil {
		n++
	}
	return n
}

// streamCacheKey is an incarnation's key in the write cache: physical
// db (4 bytes), version (8 bytes), key. Not its storage prefix, whose
// slot (a CRC of the key) an XADD would compute twice more, to find its
// entry and to forget it when its op is applied.
func streamCacheKey(dst []byte, phys uint32, key []byte, version uint64) []byte {
	dst = slices.Grow(dst, 12+len(key))
	dst = binary.BigEndian.AppendUint32(dst, phys)
	dst = binary.BigEndian.AppendUint64(dst, version)
	return append(dst, key...)
}

func (db *DB) forgetStream(phys uint32, key []byte, version uint64) {
	if sc := db.streamCache.find(phys, key, version); sc != nil {
		db.streamCache.take(sc)
	}
}

// cacheCost is the approximate size of what remember keeps of s.
func (s *stream) cacheCost() int {
	cost := costStream + cap(s.slab) + 24*(cap(s.puts)+cap(s.dels))
	for _, f := range s.meta.tail.fields {
		cost += 24 + len(f)
	}
	cost += s.nextCost
	for _, gs := range s.groups {
		cost += costGroup + 2*len(gs.name) + costConsumer*len(gs.consumers) + gs.consumerBytes + costPending*len(gs.pel)
		if gs.ahead != nil {
			cost += gs.ahead.size
		}
	}
	return cost
}

// remember puts s's state in the write cache; called by a write command
// as its last use of s, after its last op (and on paths that wrote
// nothing). State that was changed but not logged is never cached: then
// the entry is dropped.
func (s *stream) remember() {
	if s == nil || s.c == nil || s.c.w == nil || s.dirty || len(s.puts) > 0 || len(s.dels) > 0 {
		// No stream, at rest already, not a write (db.mu is not held
		// exclusively), or unlogged changes.
		return
	}
	for _, gs := range s.groups {
		if gs.dirty || len(gs.touched) > 0 {
			return
		}
	}
	db := s.c.DB
	sc := s.cached
	if sc == nil {
		sc = &streamCached{key: string(streamCacheKey(nil, s.phys, s.key, s.version))}
		s.cached = sc
	}
	if cur := db.streamCache.get(sc.key); cur != nil {
		db.streamCache.take(cur)
		if cur != sc {
			// Another handle of this incarnation in the same command:
			// which one is current is not known here, so keep neither.
			return
		}
	}
	if len(s.groups) > streamCacheGroupsMax {
		s.groups = nil
	}
	for _, gs := range s.groups {
		gs.s = nil // the handle ends with its command
		if len(gs.consumers) > streamCacheConsumersMax {
			clear(gs.consumers)
			gs.consumerBytes = 0
		}
	}
	if cap(s.slab) > streamKeepSlab {
		s.slab = nil
	}
	if cap(s.puts) > streamKeepOps || cap(s.dels) > streamKeepOps {
		s.puts, s.dels = nil, nil
	}
	if h := &sc.h; s != h {
		*h = *s
		s = h
	}
	// At rest the handle keeps neither the command's context nor its
	// arguments; the ops that used the slab are applied.
	s.c, s.key, s.slab = nil, nil, s.slab[:0]
	sc.cost = s.cacheCost() + len(sc.key)
	if sc.cost > streamCacheMaxCost/4 {
		return
	}
	db.streamCache.put(sc)
}

// streamEngineError replies an engine error (a corrupt record, an I/O
// error): bad data is reported, never served.
func streamEngineError(c *Ctx, err error) {
	c.Error("ERR " + err.Error())
}

// loadStream loads the stream whose keyspace entry is e. A write command
// (c.w set: db.mu held exclusively) takes it from the write cache when it
// is there.
func (c *Ctx) loadStream(key []byte, e *memtables.Entry) (*stream, error) {
	phys := c.phys()
	if c.w != nil {
		if sc := c.DB.streamCache.find(phys, key, e.Version); sc != nil {
			c.DB.streamCache.take(sc)
			s := &sc.h
			s.c, s.key = c, key
			return s, nil
		}
	}
	s := &stream{c: c, phys: phys, key: key, version: e.Version}
	v, found, err := c.DB.streams.Get(streamKey(nil, s.phys, key, e.Version, []byte{subMeta}))
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("%w: stream %q has no meta record", errBadStreamRecord, key)
	}
	if s.meta, err = decodeStreamMeta(v); err != nil {
		return nil, fmt.Errorf("stream %q meta: %w", key, err)
	}
	return s, nil
}

// readStream looks key up for a read command: the stream, or nil when the
// key is absent; ok is false when an error (WRONGTYPE, engine) was
// replied.
func (c *Ctx) readStream(key []byte) (s *stream, ok bool) {
	p, found := c.readKey(key)
	return c.streamOf(key, p, found)
}

// writeStream is readStream for write commands (lookupWrite).
func (c *Ctx) writeStream(key []byte) (s *stream, ok bool) {
	p, found := c.lookupWrite(key)
	return c.streamOf(key, p, found)
}

func (c *Ctx) streamOf(key []byte, p *memtables.Entry, found bool) (*stream, bool) {
	if !found {
		return nil, true
	}
	if p.Type != memtables.TypeStream {
		c.Error(errWrongType)
		return nil, false
	}
	s, err := c.loadStream(key, p)
	if err != nil {
		streamEngineError(c, err)
		return nil, false
	}
	return s, true
}

// createStream logs a new empty stream at key (absent).
func (c *Ctx) createStream(key []byte) *stream {
	c.createKey(key, memtables.TypeStream)
	s := &stream{c: c, phys: c.phys(), key: key, version: c.w.lsn, dirty: true}
	s.save()
	return s
}

// put queues records (sub-key, value, ...) for the next opXPut.
func (s *stream) put(pairs ...[]byte) {
	if len(s.dels) > 0 {
		s.flushWrites()
	}
	if s.puts == nil {
		s.puts = make([][]byte, 0, 32)
	}
	s.puts = append(s.puts, pairs...)
}

// del queues sub-keys for the next opXDel.
func (s *stream) del(subs ...[]byte) {
	if len(s.puts) > 0 {
		s.flushWrites()
	}
	if s.dels == nil {
		s.dels = make([][]byte, 0, 32)
	}
	s.dels = append(s.dels, subs...)
}

// scratch returns an empty slice with room for n bytes, cut from the
// handle's slab: the sub-keys and values of queued writes (the op's
// encoding and the store copy them), one allocation for many.
func (s *stream) scratch(n int) []byte {
	if cap(s.slab)-len(s.slab) < n {
		s.slab = make([]byte, 0, max(n, 1024))
	}
	l := len(s.slab)
	s.slab = s.slab[:l+n]
	return s.slab[l : l : l+n]
}

// flushWrites logs the queued puts or deletes as one op.
func (s *stream) flushWrites() {
	if len(s.puts) > 0 {
		s.c.emit(&op{code: opXPut, phys: s.phys, key: s.key, version: s.version, vals: s.puts})
		s.puts = s.puts[:0]
	}
	if len(s.dels) > 0 {
		s.c.emit(&op{code: opXDel, phys: s.phys, key: s.key, version: s.version, vals: s.dels})
		s.dels = s.dels[:0]
	}
}

func (s *stream) delRange(lo, hi []byte) {
	s.flushWrites()
	s.c.emit(&op{code: opXDelRange, phys: s.phys, key: s.key, version: s.version, vals: [][]byte{lo, hi}})
}

// save logs the meta record when it changed, and every queued write. It
// does not touch the key: as in Redis, only XADD, XDEL, XTRIM and
// creating or deleting the key abort a WATCH (modified); consumer group
// changes do not.
func (s *stream) save() {
	if s.dirty {
		s.put(subMetaKey, s.meta.appendTo(s.scratch(s.meta.maxLen())))
		s.dirty = false
	}
	s.flushWrites()
}

// modified touches the key for WATCH.
func (s *stream) modified() { s.c.touch(s.key) }

func (s *stream) get(sub []byte) ([]byte, bool, error) {
	s.flushWrites()
	return s.c.DB.streams.Get(streamKey(nil, s.phys, s.key, s.version, sub))
}

func (s *stream) scan(lo, hi []byte, fn func(sub, v []byte) bool) error {
	s.flushWrites()
	return s.c.DB.streamScan(s.phys, s.key, s.version, lo, hi, fn)
}

func (s *stream) scanReverse(lo, hi []byte, fn func(sub, v []byte) bool) error {
	s.flushWrites()
	return s.c.DB.streamScanReverse(s.phys, s.key, s.version, lo, hi, fn)
}

// scanRecords calls fn with each record of s in [lo, hi) as decode reads
// it, ascending (descending when rev), until fn returns false. A record
// that does not decode ends the scan with decode's error. decode gets the
// sub-key and value valid only during the call; what it returns is fn's.
func scanRecords[T any](s *stream, lo, hi []byte, rev bool, decode func(sub, v []byte) (T, error), fn func(T) bool) error {
	var derr error
	visit := func(sub, v []byte) bool {
		x, err := decode(sub, v)
		if err != nil {
			derr = err
			return false
		}
		return fn(x)
	}
	var err error
	if rev {
		err = s.scanReverse(lo, hi, visit)
	} else {
		err = s.scan(lo, hi, visit)
	}
	if err != nil {
		return err
	}
	return derr
}

// nodeRecord decodes a sealed node record (sub-key subNode + master id).
func (s *stream) nodeRecord(sub, v []byte) (streamNode, error) {
	master := decodeStreamID(sub[1:])
	n, err := decodeStreamNode(master, v)
	if err != nil {
		return n, fmt.Errorf("stream %q node %s: %w", s.key, master, err)
	}
	return n, nil
}

// streamEntry is one entry read from the stream.
type streamEntry struct {
	id     streamID
	fields [][]byte
}

// entryRange is the sub-key range of the entries with ids in [lo, hi].
func entryRange(lo, hi streamID) ([]byte, []byte) { return idRange(subEntry, lo, hi) }

// idRange is the sub-key range of the records of kind (entries, nodes)
// with ids in [lo, hi].
func idRange(kind byte, lo, hi streamID) ([]byte, []byte) {
	l := lo.append([]byte{kind})
	if h, ok := hi.next(); ok {
		return l, h.append([]byte{kind})
	}
	return l, []byte{kind + 1}
}

// entries calls fn for the entries with ids in [lo, hi], ascending or
// descending, until fn returns false.
func (s *stream) entries(lo, hi streamID, rev bool, fn func(e streamEntry) bool) error {
	return s.entriesIn(&entryArena{}, lo, hi, rev, fn)
}

// entriesIn is entries decoding into a.
func (s *stream) entriesIn(a *entryArena, lo, hi streamID, rev bool, fn func(e streamEntry) bool) error {
	if lo.cmp(hi) > 0 {
		return nil
	}
	l, h := entryRange(lo, hi)
	return scanRecords(s, l, h, rev, func(sub, v []byte) (streamEntry, error) {
		id := decodeStreamID(sub[1:])
		f, err := a.fields(v)
		if err != nil {
			return streamEntry{}, fmt.Errorf("stream %q entry %s: %w", s.key, id, err)
		}
		return streamEntry{id, f}, nil
	}, fn)
}

// entryArena decodes entries read in a scan into chunks it allocates as
// they fill (each twice the last, up to entryArenaMax): a scan of many
// entries costs a few allocations, not two per entry. What it returns
// stays valid until reuse: a full chunk is never written again.
type entryArena struct {
	buf  []byte
	vals [][]byte
}

// reuse empties a for the next scan, keeping its last chunks: what it
// returned before is overwritten (the caller is done with it).
func (a *entryArena) reuse() {
	if cap(a.buf) > entryArenaMax || cap(a.vals) > entryArenaMax/24 {
		*a = entryArena{} // a large entry's chunk is not kept
		return
	}
	a.buf, a.vals = a.buf[:0], a.vals[:0]
}

const entryArenaMax = 16 << 10

// fields decodes an entry's value v (valid only during the call) into a
// copy: its field, value pairs.
func (a *entryArena) fields(v []byte) ([][]byte, error) {
	if cap(a.buf)-len(a.buf) < len(v) {
		a.buf = make([]byte, 0, max(len(v), min(2*cap(a.buf), entryArenaMax), 256))
	}
	n := len(a.buf)
	a.buf = append(a.buf, v...)
	r := recReader{opDecoder{b: a.buf[n:len(a.buf):len(a.buf)]}}
	count := r.count()
	if r.err != nil || count%2 != 0 {
		return nil, errBadStreamRecord
	}
	if count == 0 { // non-nil: nil fields mean a deleted entry (replyEntry)
		return [][]byte{}, r.done()
	}
	if cap(a.vals)-len(a.vals) < count {
		a.vals = make([][]byte, 0, max(count, min(2*cap(a.vals), entryArenaMax/24), 16))
	}
	m := len(a.vals)
	for range count {
		a.vals = append(a.vals, r.bytes())
	}
	if err := r.done(); err != nil {
		return nil, err
	}
	return a.vals[m:len(a.vals):len(a.vals)], nil
}

// entry reads one entry; found is false when it does not exist.
func (s *stream) entry(id streamID) (streamEntry, bool, error) {
	v, found, err := s.get(subEntryKey(id))
	if err != nil || !found {
		return streamEntry{}, false, err
	}
	f, err := decodeFields(v)
	if err != nil {
		return streamEntry{}, false, fmt.Errorf("stream %q entry %s: %w", s.key, id, err)
	}
	return streamEntry{id, f}, true, nil
}

// firstEntryID finds the first live entry's id (Redis's streamGetEdgeID
// for the first edge: max-max when the stream has none), after entries
// were deleted: at or after the recorded first one (meta.firstID, not
// yet updated), since no entry before it is left. Not from the stream's
// start: the entries trimmed before it stay as tombstones until their
// compaction, and a stream capped by XADD MAXLEN would step over every
// one of them at each XADD.
func (s *stream) firstEntryID() (streamID, error) {
	id := maxStreamID
	err := s.scan(subEntryKey(s.meta.firstID), []byte{subEntry + 1}, func(sub, _ []byte) bool {
		id = decodeStreamID(sub[1:])
		return false
	})
	return id, err
}

// headRunMax is how many of the head node's entry ids headRun reads at a
// time: a stream capped by XADD MAXLEN (exact) trims one entry per XADD,
// and reads the ids it trims once per headRunMax of them.
const headRunMax = 64

// headRun returns live entry ids of node n at or after lo, ascending (none:
// the node has no more): the handle's read-ahead (headIDs) when it starts
// at lo in n, else up to headRunMax of them read from the store. The
// read-ahead holds while the ids it lists stay live: entries are deleted
// only by deleteEntry and trim, which drop or advance it, and new ones
// come after it. Only their ids are read (the keys), not their fields.
func (s *stream) headRun(n *streamNode, lo streamID) ([]streamID, error) {
	if len(s.headIDs) > 0 && s.headIDs[0] == lo && s.headIDsNode == n.master {
		return s.headIDs, nil
	}
	var ids []streamID
	l, h := entryRange(lo, n.last)
	err := s.scan(l, h, func(sub, _ []byte) bool {
		ids = append(ids, decodeStreamID(sub[1:]))
		return len(ids) < headRunMax
	})
	s.headIDs, s.headIDsNode = ids, n.master
	return ids, err
}

// firstNode returns the first node (found false: the stream has none).
// It looks first at headHint, the master of the node that was first
// when this handle last looked: nodes are only ever added after the last
// one, so a node that still exists there is still the first, and one
// point read tells; none is needed while headFresh holds (the handle has
// changed no sealed node's record but through putNode since it read that
// one). Else it is the node of the first entry (meta.firstID), which a
// reverse scan finds.
func (s *stream) firstNode() (streamNode, bool, error) {
	if s.meta.nodes == 0 {
		return streamNode{}, false, nil
	}
	if h := s.headHint; h != (streamID{}) {
		if s.isTail(h) {
			return s.meta.tail, true, nil
		}
		if s.headFresh {
			return s.headNode, true, nil
		}
		sub := subNodeKey(h)
		v, found, err := s.get(sub)
		if err != nil {
			return streamNode{}, false, err
		}
		if found {
			n, err := s.nodeRecord(sub, v)
			if err == nil {
				s.headNode, s.headFresh = n, true
			}
			return n, err == nil, err
		}
	}
	n, found, err := s.nodeOf(s.meta.firstID)
	if found {
		s.headHint = n.master
		s.headNode, s.headFresh = n, !s.isTail(n.master)
	}
	return n, found, err
}

// isTail reports whether master is the last node's.
func (s *stream) isTail(master streamID) bool {
	return s.meta.nodes > 0 && master == s.meta.tail.master
}

// nodeOf finds the node holding id: the last node whose master id <= id.
func (s *stream) nodeOf(id streamID) (streamNode, bool, error) {
	if s.meta.nodes > 0 && id.cmp(s.meta.tail.master) >= 0 {
		return s.meta.tail, true, nil
	}
	hi, ok := id.next()
	var h []byte
	if ok {
		h = subNodeKey(hi)
	} else {
		h = []byte{subNode + 1}
	}
	var n streamNode
	var found bool
	err := scanRecords(s, []byte{subNode}, h, true, s.nodeRecord, func(x streamNode) bool {
		n, found = x, true
		return false
	})
	return n, found, err
}

// putNode writes a changed node: the tail into meta, another as its
// record.
func (s *stream) putNode(n *streamNode) {
	if s.isTail(n.master) {
		s.meta.tail = *n
		s.dirty = true
		return
	}
	s.put(subNodeKey(n.master), n.encode())
	for i := range s.nextNodes {
		if s.nextNodes[i].master == n.master {
			s.nextNodes[i] = *n
		}
	}
	if n.master == s.headHint {
		s.headNode = *n // still as stored
	} else {
		s.headFresh = false
	}
}

// ---- appending, deleting, trimming ----

// streamListpackMaxSize is Redis's STREAM_LISTPACK_MAX_SIZE: the node
// byte limit when stream-node-max-bytes is 0 or above it.
const streamListpackMaxSize = 1 << 30

// appendEntry adds an entry with id (greater than lastID) as Redis's
// streamAppendItem does, node accounting included.
func (s *stream) appendEntry(id streamID, pairs [][]byte) error {
	var tail streamNode
	newNode := true
	if s.meta.nodes > 0 {
		tail = s.meta.tail
		total := 0
		for _, p := range pairs {
			total += len(p)
		}
		tuning := &s.c.DB.tuning
		maxBytes := tuning.StreamNodeMaxBytes.Load()
		if maxBytes <= 0 || maxBytes > streamListpackMaxSize {
			maxBytes = streamListpackMaxSize
		}
		maxEntries := tuning.StreamNodeMaxEntries.Load()
		newNode = tail.bytes()+int64(total) >= maxBytes ||
			(maxEntries > 0 && tail.live+tail.deleted >= maxEntries)
	}
	nfields := len(pairs) / 2
	sameFields := true
	if newNode {
		if s.meta.nodes > 0 {
			// The last node is sealed: it gets its own record.
			s.put(subNodeKey(tail.master), tail.encode())
			s.headFresh = false
			if s.nextAll && tail.master != s.nextAfter {
				// After every node the read-ahead lists.
				if len(s.nextNodes) < nextNodesMax {
					s.nextNodes = append(s.nextNodes, tail)
					s.nextCost += tail.cost()
				} else {
					s.nextAll = false
				}
			}
		}
		tail = streamNode{master: id, size: lpEmptySize + lpIntSize(int64(nfields)) + lpIntSize(0)}
		for i := 0; i < len(pairs); i += 2 {
			tail.fields = append(tail.fields, bytes.Clone(pairs[i]))
			tail.size += lpStringSize(pairs[i])
		}
		s.meta.nodes++
	} else {
		sameFields = len(tail.fields) == nfields
		for i := 0; sameFields && i < nfields; i++ {
			sameFields = bytes.Equal(tail.fields[i], pairs[2*i])
		}
	}
	// The entry: flags, ms and seq deltas, [num-fields], [field] value
	// ..., lp-count.
	flags, lpCount := int64(0), int64(nfields+3)
	if sameFields {
		flags = 2
	} else {
		lpCount += int64(nfields) + 1
	}
	size := lpIntSize(flags) + lpIntSize(int64(id.ms-tail.master.ms)) + lpIntSize(int64(id.seq-tail.master.seq))
	if !sameFields {
		size += lpIntSize(int64(nfields))
	}
	for i := 0; i < len(pairs); i += 2 {
		if !sameFields {
			size += lpStringSize(pairs[i])
		}
		size += lpStringSize(pairs[i+1])
	}
	size += lpIntSize(lpCount)
	tail.size += size
	tail.live++
	tail.last = id
	s.meta.tail = tail
	s.put(appendSubID(s.scratch(17), subEntry, id), appendVals(s.scratch(valsLen(pairs)), pairs))
	s.meta.length++
	s.meta.entriesAdded++
	s.meta.lastID = id
	if s.meta.length == 1 {
		s.meta.firstID = id
	}
	s.dirty = true
	return nil
}

// deleteEntry deletes the live entry id (XDEL): the node counts it
// deleted, and a node left without live entries goes, as in Redis's
// streamIteratorRemoveEntry. It reports whether the entry existed.
func (s *stream) deleteEntry(id streamID) (bool, error) {
	if _, found, err := s.get(subEntryKey(id)); err != nil || !found {
		return false, err
	}
	n, found, err := s.nodeOf(id)
	if err != nil {
		return false, err
	}
	if !found {
		return false, fmt.Errorf("%w: stream %q has no node for entry %s", errBadStreamRecord, s.key, id)
	}
	s.del(subEntryKey(id))
	s.dropReadAhead()
	s.meta.length--
	s.dirty = true
	if n.live == 1 {
		return true, s.dropNode(n.master)
	}
	n.live--
	n.deleted++
	s.putNode(&n)
	return true, nil
}

// dropNode removes an emptied node (its entries are gone). When it is
// the last node, the sealed node before it becomes the last one again
// (its record moves into meta).
func (s *stream) dropNode(master streamID) error {
	s.dirty = true
	s.headFresh = false
	s.nextNodes, s.nextAll, s.nextCost = nil, false, 0
	if !s.isTail(master) {
		s.del(subNodeKey(master))
		s.meta.nodes--
		return nil
	}
	s.meta.nodes--
	s.meta.tail = streamNode{}
	if s.meta.nodes == 0 {
		return nil
	}
	var prev streamNode
	var found bool
	err := scanRecords(s, []byte{subNode}, []byte{subNode + 1}, true, s.nodeRecord, func(x streamNode) bool {
		prev, found = x, true
		return false
	})
	if err == nil && !found {
		err = fmt.Errorf("%w: stream %q counts %d nodes but has no node record", errBadStreamRecord, s.key, s.meta.nodes)
	}
	if err != nil {
		return err
	}
	s.del(subNodeKey(prev.master))
	s.meta.tail = prev
	return nil
}

// nextNodesMax is the most node records trim reads ahead (nextNodes).
const nextNodesMax = 16

// trimArgs are XADD's and XTRIM's trimming options.
type trimArgs struct {
	strategy int // trimNone, trimMaxLen, trimMinID
	maxLen   int64
	minID    streamID
	approx   bool
	limit    int64 // 0: none
}

const (
	trimNone = iota
	trimMaxLen
	trimMinID
)

// trim is Redis 7.0's streamTrim: whole nodes from the head while they
// can go; then, unless approximate, the entries of the first remaining
// node that must. It returns the number of entries removed.
func (s *stream) trim(a *trimArgs) (int64, error) {
	if a.strategy == trimNone || s.meta.nodes == 0 {
		return 0, nil
	}
	var deleted int64
	// newFirst is the first entry left, when known: met by a partial trim
	// of a node, or the master entry of the node trimming stopped at
	// (0-0: not known; firstEntryID finds it).
	var newFirst streamID
	// Whole nodes go from the head in order: the run removed is logged as
	// two range tombstones (its entries, its sealed node records), not two
	// per node or per batch: every read that crosses the range checks
	// each tombstone, so a large trim must leave few. The batches read
	// after it start past it, so it need not be logged before them.
	var removing, removingRecords bool
	var removeFrom, removeLast, removeLastSealed streamID
	flushRemoved := func() {
		if removing {
			s.delRange(entryRange(removeFrom, removeLast))
		}
		if removingRecords {
			s.delRange(idRange(subNode, removeFrom, removeLastSealed))
			s.headFresh = false
		}
		removing, removingRecords = false, false
	}
	// visit decides for one node, head first; it reports whether trimming
	// is over.
	visit := func(n *streamNode) (bool, error) {
		if n.master != s.headHint { // the first, unless it goes below
			s.headHint, s.headFresh = n.master, false
		}
		// When trimming stops at n, n is the first node left; its master
		// entry, the first added to it, is still there when none of its
		// entries was deleted (firstEntryID need not look for it).
		stopHere := func() (bool, error) {
			if n.deleted == 0 {
				newFirst = n.master
			}
			return true, nil
		}
		if a.strategy == trimMaxLen && int64(s.meta.length) <= a.maxLen {
			return stopHere()
		}
		if a.limit != 0 && deleted+n.live > a.limit {
			return stopHere()
		}
		var remove bool
		if a.strategy == trimMaxLen {
			remove = int64(s.meta.length)-n.live >= a.maxLen
		} else {
			remove = n.last.cmp(a.minID) < 0
		}
		if remove {
			if !removing {
				removing, removeFrom = true, n.master
			}
			removeLast = n.last
			if s.isTail(n.master) {
				s.meta.tail = streamNode{}
			} else {
				removingRecords, removeLastSealed = true, n.master
			}
			s.meta.nodes--
			s.meta.length -= uint64(n.live)
			deleted += n.live
			s.dropReadAhead()
			s.dirty = true
			s.headHint, s.headFresh = streamID{}, false
			return false, nil
		}
		flushRemoved()
		if a.approx {
			return stopHere()
		}
		// Mark entries of this node deleted, from its first: not before
		// the stream's first (those are gone, as tombstones until their
		// compaction).
		var ids, rest []streamID // rest: the live ids read ahead, from the first kept
		lo := n.master
		if s.meta.firstID.cmp(lo) > 0 {
			lo = s.meta.firstID
		}
	scan:
		for {
			run, err := s.headRun(n, lo)
			if err != nil {
				return true, err
			}
			if len(run) == 0 {
				break
			}
			for i, id := range run {
				keep := id.cmp(a.minID) >= 0
				if a.strategy == trimMaxLen {
					keep = int64(s.meta.length)-int64(len(ids)) <= a.maxLen
				}
				if keep {
					newFirst, rest = id, run[i:] // the first entry kept
					break scan
				}
				ids = append(ids, id)
			}
			var ok bool
			if lo, ok = run[len(run)-1].next(); !ok {
				break
			}
		}
		if len(ids) > 0 {
			subs := make([][]byte, len(ids))
			for j, id := range ids {
				subs[j] = subEntryKey(id)
			}
			s.del(subs...)
			s.dropReadAhead()
			n.live -= int64(len(ids))
			n.deleted += int64(len(ids))
			s.putNode(n)
			s.meta.length -= uint64(len(ids))
			deleted += int64(len(ids))
			s.dirty = true
		}
		s.headIDs = rest // after dropReadAhead: these stay live
		return true, nil
	}
	// The sealed nodes, read in batches so that a long stream is not read
	// whole, then the last node (in meta). They start at the first node,
	// not at the stream's start: the records of the nodes trimmed before
	// it stay as tombstones until their compaction, and a stream capped by
	// XADD MAXLEN would step over every one of them at each XADD.
	// The first is found directly (firstNode); most trims of a capped
	// stream end there, with nothing or part of it to remove.
	var nodes []streamNode
	from := []byte{subNode}
	first, found, err := s.firstNode()
	if err != nil {
		return 0, err
	}
	done := false
	switch {
	case found && s.isTail(first.master):
		from = nil // no sealed node
	case found:
		if done, err = visit(&first); err != nil {
			return deleted, err
		}
		from = append(subNodeKey(first.master), 0) // just after it
		// Then the nodes an earlier trim read after it, if any.
		for !done && s.nextAfter == first.master && (len(s.nextNodes) > 0 || s.nextAll) {
			if len(s.nextNodes) == 0 {
				from = nil // no sealed node after it
				break
			}
			first, s.nextNodes = s.nextNodes[0], s.nextNodes[1:]
			s.nextAfter, s.nextCost = first.master, s.nextCost-first.cost()
			if done, err = visit(&first); err != nil {
				return deleted, err
			}
			from = append(subNodeKey(first.master), 0)
		}
	}
	if !done && from != nil {
		s.nextNodes, s.nextAll, s.nextCost = nil, false, 0 // read again below
	}
	for batch := nextNodesMax; !done && from != nil; batch = min(2*batch, 64) {
		nodes = nodes[:0]
		err := scanRecords(s, from, []byte{subNode + 1}, false, s.nodeRecord, func(n streamNode) bool {
			nodes = append(nodes, n)
			return len(nodes) < batch
		})
		if err != nil {
			return deleted, err
		}
		if len(nodes) == 0 {
			break
		}
		for i := range nodes {
			if done, err = visit(&nodes[i]); err != nil {
				return deleted, err
			}
			if done {
				// The rest were read ahead (all of them: the scan
				// reached the last sealed node).
				rest := nodes[i+1:]
				s.nextAll = len(nodes) < batch && len(rest) <= nextNodesMax
				s.nextNodes, s.nextAfter = slices.Clone(rest[:min(len(rest), nextNodesMax)]), nodes[i].master
				s.nextCost = 0
				for _, n := range s.nextNodes {
					s.nextCost += n.cost()
				}
				break
			}
		}
		if !done {
			from = append(subNodeKey(nodes[len(nodes)-1].master), 0) // just after it
		}
	}
	if !done && s.meta.nodes > 0 {
		tail := s.meta.tail
		if _, err := visit(&tail); err != nil {
			return deleted, err
		}
	}
	flushRemoved()
	if deleted > 0 {
		first := minStreamID // an emptied stream records 0-0
		if s.meta.length > 0 && newFirst != (streamID{}) {
			first = newFirst
		} else if s.meta.length > 0 {
			var err error
			if first, err = s.firstEntryID(); err != nil {
				return deleted, err
			}
		}
		s.meta.firstID = first
		s.dirty = true
	}
	return deleted, nil
}

// ---- listpack sizes (Redis's listpack.c) ----

// lpEmptySize, lpIntSize and lpStringSize are the listpack sizes Redis's
// node would have (internal/rdb's listpack, which writes DUMP's nodes).
const lpEmptySize = rdb.ListpackEmptySize

func lpIntSize(v int64) int64 { return int64(rdb.ListpackIntSize(v)) }

func lpStringSize(b []byte) int64 { return int64(rdb.ListpackStringSize(b)) }
