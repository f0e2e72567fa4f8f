package rdb

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"
)

// Kind is the Redis type of a Value.
type Kind uint8

// The kinds of value a payload can hold.
const (
	KindString Kind = iota + 1
	KindList
	KindSet
	KindZSet
	KindHash
	KindStream
)

func (k Kind) String() string {
	switch k {
	case KindString:
		return "string"
	case KindList:
		return "list"
	case KindSet:
		return "set"
	case KindZSet:
		return "zset"
	case KindHash:
		return "hash"
	case KindStream:
		return "stream"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Value is one Redis value, independent of any storage engine. Only the
// field that belongs to Kind is used.
//
// Decode returns values in canonical form: ZSet sorted by (score, member),
// Stream.Entries ascending by ID, everything else in the payload's order.
// Encode accepts any order for ZSet (it sorts a copy) and for a stream's
// groups, consumers and PELs (it writes them in Redis's radix-tree order);
// list elements, hash fields, set members and stream entries are written in
// the order given, which for listpacks and intsets is the insertion order
// that decides Redis's bytes.
type Value struct {
	Kind   Kind
	Str    []byte    // KindString
	Elems  [][]byte  // KindList in order, KindSet members (unique)
	ZSet   []ZMember // KindZSet, members unique, scores never NaN
	Hash   []Field   // KindHash, names unique
	Stream *Stream   // KindStream
}

// ZMember is one sorted-set member.
type ZMember struct {
	Member []byte
	Score  float64
}

// Field is one hash field.
type Field struct {
	Name, Value []byte
}

// StreamID is a stream entry ID, ms-seq.
type StreamID struct {
	Ms, Seq uint64
}

func (id StreamID) String() string { return fmt.Sprintf("%d-%d", id.Ms, id.Seq) }

// Compare orders IDs as Redis does (streamCompareID): by Ms, then Seq.
func (id StreamID) Compare(o StreamID) int {
	switch {
	case id.Ms < o.Ms:
		return -1
	case id.Ms > o.Ms:
		return 1
	case id.Seq < o.Seq:
		return -1
	case id.Seq > o.Seq:
		return 1
	}
	return 0
}

// StreamEntry is one live stream entry. Fields alternates names and
// values: name, value, name, value, ...
type StreamEntry struct {
	ID     StreamID
	Fields [][]byte
}

// Stream is a stream value with its metadata, as XINFO STREAM FULL shows it.
type Stream struct {
	Entries      []StreamEntry // live entries, ascending ID
	Length       uint64        // number of live entries (== len(Entries))
	LastID       StreamID      // last-generated-id
	FirstID      StreamID      // recorded-first-entry-id
	MaxDeletedID StreamID      // max-deleted-entry-id
	EntriesAdded uint64        // entries-added
	Groups       []Group
}

// EntriesReadUnknown is a group's EntriesRead when Redis does not know it
// (SCG_INVALID_ENTRIES_READ); XINFO shows it as a nil entries-read.
const EntriesReadUnknown int64 = -1

// Group is a consumer group.
type Group struct {
	Name        []byte
	LastID      StreamID // last-delivered-id
	EntriesRead int64    // or EntriesReadUnknown
	PEL         []PendingEntry
	Consumers   []Consumer
}

// PendingEntry is one entry of a group's pending entries list. Its owner is
// the consumer whose PEL lists its ID.
type PendingEntry struct {
	ID             StreamID
	DeliveryTimeMs int64
	DeliveryCount  uint64
}

// Consumer is a consumer of a group; PEL lists the IDs it owns, each of
// which is in the group's PEL.
type Consumer struct {
	Name       []byte
	SeenTimeMs int64
	PEL        []StreamID
}

// EncodeOptions are the redis.conf settings that decide which encoding
// Redis picks for a value; DefaultEncodeOptions has redis.conf 7.0's
// defaults. They must match the configuration of the Redis whose DUMP
// output is to be reproduced.
type EncodeOptions struct {
	HashMaxListpackEntries int  // hash-max-listpack-entries
	HashMaxListpackValue   int  // hash-max-listpack-value
	ZSetMaxListpackEntries int  // zset-max-listpack-entries
	ZSetMaxListpackValue   int  // zset-max-listpack-value
	SetMaxIntsetEntries    int  // set-max-intset-entries
	ListMaxListpackSize    int  // list-max-listpack-size: < 0 a byte limit (-1 4 KiB ... -5 64 KiB), > 0 an element count
	ListCompressDepth      int  // list-compress-depth
	StreamNodeMaxBytes     int  // stream-node-max-bytes (0: no limit)
	StreamNodeMaxEntries   int  // stream-node-max-entries (0: no limit)
	Compression            bool // rdbcompression: LZF for strings longer than 20 bytes

	// ListPackedThreshold is the element size from which a list element
	// gets a quicklist node of its own (a PLAIN node); 0 means Redis's
	// default of 1 GiB. DEBUG QUICKLIST-PACKED-THRESHOLD changes it.
	ListPackedThreshold int
}

// DefaultEncodeOptions returns redis.conf 7.0's defaults.
func DefaultEncodeOptions() EncodeOptions {
	return EncodeOptions{
		HashMaxListpackEntries: 128,
		HashMaxListpackValue:   64,
		ZSetMaxListpackEntries: 128,
		ZSetMaxListpackValue:   64,
		SetMaxIntsetEntries:    512,
		ListMaxListpackSize:    -2,
		ListCompressDepth:      0,
		StreamNodeMaxBytes:     4096,
		StreamNodeMaxEntries:   100,
		Compression:            true,
	}
}

// Validate reports whether v satisfies the invariants Encode relies on and
// Decode guarantees: a known kind, no empty collection (Redis deletes those),
// unique set members, hash fields and zset members, no NaN score, stream
// entries ascending with an even number of fields and Length == len(Entries),
// unique groups and consumers, and every consumer PEL ID in its group's PEL
// exactly once. Encode of an invalid value produces a payload Decode refuses.
func (v *Value) Validate() error {
	switch v.Kind {
	case KindString:
		return nil
	case KindList:
		if len(v.Elems) == 0 {
			return errors.New("rdb: empty list")
		}
		return nil
	case KindSet:
		if len(v.Elems) == 0 {
			return errors.New("rdb: empty set")
		}
		if dupBytes(v.Elems) {
			return errors.New("rdb: duplicate set member")
		}
		return nil
	case KindZSet:
		if len(v.ZSet) == 0 {
			return errors.New("rdb: empty sorted set")
		}
		names := make([][]byte, len(v.ZSet))
		for i, m := range v.ZSet {
			if math.IsNaN(m.Score) {
				return errors.New("rdb: NaN score")
			}
			names[i] = m.Member
		}
		if dupBytes(names) {
			return errors.New("rdb: duplicate sorted set member")
		}
		return nil
	case KindHash:
		if len(v.Hash) == 0 {
			return errors.New("rdb: empty hash")
		}
		names := make([][]byte, len(v.Hash))
		for i, f := range v.Hash {
			names[i] = f.Name
		}
		if dupBytes(names) {
			return errors.New("rdb: duplicate hash field")
		}
		return nil
	case KindStream:
		if v.Stream == nil {
			return errors.New("rdb: stream value without Stream")
		}
		return v.Stream.validate()
	}
	return fmt.Errorf("rdb: unknown kind %d", v.Kind)
}

func (s *Stream) validate() error {
	if s.Length != uint64(len(s.Entries)) {
		return fmt.Errorf("rdb: stream Length %d but %d entries", s.Length, len(s.Entries))
	}
	for i, e := range s.Entries {
		if len(e.Fields)%2 != 0 {
			return fmt.Errorf("rdb: stream entry %v has an odd number of fields", e.ID)
		}
		if i > 0 && s.Entries[i-1].ID.Compare(e.ID) >= 0 {
			return fmt.Errorf("rdb: stream entry %v not after %v", e.ID, s.Entries[i-1].ID)
		}
	}
	if n := len(s.Entries); n > 0 && s.Entries[n-1].ID.Compare(s.LastID) > 0 {
		return fmt.Errorf("rdb: stream entry %v after last ID %v", s.Entries[n-1].ID, s.LastID)
	}
	gnames := make([][]byte, len(s.Groups))
	for i := range s.Groups {
		g := &s.Groups[i]
		gnames[i] = g.Name
		owner := make(map[StreamID]int, len(g.PEL))
		for _, p := range g.PEL {
			if _, dup := owner[p.ID]; dup {
				return fmt.Errorf("rdb: group %q: duplicate PEL entry %v", g.Name, p.ID)
			}
			owner[p.ID] = 0
		}
		cnames := make([][]byte, len(g.Consumers))
		for j, c := range g.Consumers {
			cnames[j] = c.Name
			for _, id := range c.PEL {
				n, ok := owner[id]
				if !ok {
					return fmt.Errorf("rdb: group %q consumer %q: %v not in the group PEL", g.Name, c.Name, id)
				}
				if n != 0 {
					return fmt.Errorf("rdb: group %q: %v owned twice", g.Name, id)
				}
				owner[id] = 1
			}
		}
		for id, n := range owner {
			if n == 0 {
				return fmt.Errorf("rdb: group %q: PEL entry %v has no consumer", g.Name, id)
			}
		}
		if dupBytes(cnames) {
			return fmt.Errorf("rdb: group %q: duplicate consumer", g.Name)
		}
	}
	if dupBytes(gnames) {
		return errors.New("rdb: duplicate consumer group")
	}
	return nil
}

func dupBytes(list [][]byte) bool {
	seen := make(map[string]struct{}, len(list))
	for _, b := range list {
		if _, ok := seen[string(b)]; ok {
			return true
		}
		seen[string(b)] = struct{}{}
	}
	return false
}

// zsetLess is the skiplist order: score, then member bytes. -0 and +0 are
// equal scores, as in Redis (zslInsert compares with < and ==).
func zsetLess(a, b ZMember) bool {
	if a.Score != b.Score {
		return a.Score < b.Score
	}
	return bytes.Compare(a.Member, b.Member) < 0
}

func sortZSet(z []ZMember) {
	slices.SortFunc(z, func(a, b ZMember) int {
		if zsetLess(a, b) {
			return -1
		}
		if zsetLess(b, a) {
			return 1
		}
		return 0
	})
}

// ObjectEncoding is what Redis 7.0's OBJECT ENCODING reports for v built by
// the natural commands under opt (and also after a RESTORE of Encode's
// payload): "int", "embstr" or "raw"; "quicklist"; "intset" or "hashtable";
// "listpack" or "skiplist"; "listpack" or "hashtable"; "stream".
func ObjectEncoding(v *Value, opt EncodeOptions) string {
	switch v.Kind {
	case KindString:
		// tryObjectEncoding: integers of up to 20 chars, then embstr up to
		// OBJ_ENCODING_EMBSTR_SIZE_LIMIT (44).
		if len(v.Str) <= 20 {
			if _, ok := string2ll(v.Str); ok {
				return "int"
			}
		}
		if len(v.Str) <= 44 {
			return "embstr"
		}
		return "raw"
	case KindList:
		return "quicklist"
	case KindSet:
		if _, ok := setAsIntset(v.Elems, opt); ok {
			return "intset"
		}
		return "hashtable"
	case KindZSet:
		if zsetUsesListpack(v.ZSet, opt) {
			return "listpack"
		}
		return "skiplist"
	case KindHash:
		if hashUsesListpack(v.Hash, opt) {
			return "listpack"
		}
		return "hashtable"
	case KindStream:
		return "stream"
	}
	return ""
}
