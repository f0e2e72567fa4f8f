package keel

// Consumer groups (Redis t_stream.c): XGROUP CREATE/SETID/DESTROY/
// CREATECONSUMER/DELCONSUMER/HELP, XREADGROUP (with BLOCK), XACK,
// XPENDING, XCLAIM, XAUTOCLAIM.
//
// A group, each of its consumers and each pending entry are records of the
// stream (streams_store.go). The group's PEL is keyed by id; each
// consumer's PEL is an index of the same ids under the consumer's name, so
// a consumer's history and XPENDING for one consumer are range scans. A
// command logs every PEL change it makes, with the delivery times it
// computed, so XPENDING and XCLAIM state after a restart is exactly what
// it was.

import (
	"bytes"
	"fmt"
	"math"
	"slices"

	"github.com/keeldb/keel/memtables"
)

func init() {
	g := "stream"
	wsub := func(name string, arity int, flags Flags, acl []string, summary, since string, h func(*Ctx)) *Command {
		return &Command{Name: name, Arity: arity, Flags: flags, FirstKey: 2, LastKey: 2, Step: 1, ACL: acl, Group: g, Summary: summary, Since: since, Handler: h}
	}
	w := []string{"write", "stream", "slow"}
	Register(
		&Command{Name: "xgroup", Arity: -2, ACL: []string{"slow"}, Group: g, Summary: "A container for consumer groups commands", Since: "5.0.0", Subs: map[string]*Command{
			"create":         wsub("create", -5, FlagWrite|FlagDenyOOM, w, "Create a consumer group.", "5.0.0", cmdXGroupCreate),
			"setid":          wsub("setid", -5, FlagWrite, w, "Set a consumer group to an arbitrary last delivered ID value.", "5.0.0", cmdXGroupSetID),
			"destroy":        wsub("destroy", 4, FlagWrite, w, "Destroy a consumer group.", "5.0.0", cmdXGroupDestroy),
			"createconsumer": wsub("createconsumer", 5, FlagWrite|FlagDenyOOM, w, "Create a consumer in a consumer group.", "6.2.0", cmdXGroupCreateConsumer),
			"delconsumer":    wsub("delconsumer", 5, FlagWrite, w, "Delete a consumer from a consumer group.", "5.0.0", cmdXGroupDelConsumer),
			"help": {Name: "help", Arity: 2, Flags: FlagLoading | FlagStale, ACL: []string{"stream", "slow"}, Group: g,
				Summary: "Show helpful text about the different subcommands", Since: "5.0.0", Handler: cmdXGroupHelp},
		}},
		&Command{Name: "xreadgroup", Arity: -7, Flags: FlagWrite | FlagBlocking | FlagMovableKeys, ACL: []string{"write", "stream", "slow", "blocking"}, Group: g, Summary: "Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block.", Since: "5.0.0", Handler: cmdXReadGroup, KeysFunc: streamsKeys(4)},
		&Command{Name: "xack", Arity: -4, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: []string{"write", "stream", "fast"}, Group: g, Summary: "Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group. Return value of the command is the number of messages successfully acknowledged, that is, the IDs we were actually able to resolve in the PEL.", Since: "5.0.0", Handler: cmdXAck},
		&Command{Name: "xpending", Arity: -3, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, ACL: []string{"read", "stream", "slow"}, Group: g, Summary: "Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged.", Since: "5.0.0", Handler: cmdXPending},
		&Command{Name: "xclaim", Arity: -6, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: []string{"write", "stream", "fast"}, Group: g, Summary: "Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered to the specified consumer.", Since: "5.0.0", Handler: cmdXClaim},
		&Command{Name: "xautoclaim", Arity: -6, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: []string{"write", "stream", "fast"}, Group: g, Summary: "Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer.", Since: "6.2.0", Handler: cmdXAutoClaim},
	)
}

// entriesReadInvalid is Redis's SCG_INVALID_ENTRIES_READ.
const entriesReadInvalid = -1

// ---- lag and logical read counters (Redis 7.0) ----

// rangeHasTombstones is Redis's streamRangeHasTombstones for [start, end].
func (m *streamMeta) rangeHasTombstones(start, end streamID) bool {
	if m.length == 0 || m.maxDeleted.isZero() {
		return false
	}
	if m.firstID.cmp(m.maxDeleted) > 0 {
		return false
	}
	return start.cmp(m.maxDeleted) <= 0 && m.maxDeleted.cmp(end) <= 0
}

// estimateEntriesRead is Redis's streamEstimateDistanceFromFirstEverEntry:
// the logical read counter of id, or entriesReadInvalid.
func (m *streamMeta) estimateEntriesRead(id streamID) int64 {
	if m.entriesAdded == 0 {
		return 0
	}
	if m.length == 0 && id.cmp(m.lastID) < 1 {
		return int64(m.entriesAdded)
	}
	switch c := id.cmp(m.lastID); {
	case c == 0:
		return int64(m.entriesAdded)
	case c > 0:
		return entriesReadInvalid
	}
	cmpFirst := id.cmp(m.firstID)
	if m.maxDeleted.isZero() || m.maxDeleted.cmp(m.firstID) < 0 {
		switch {
		case cmpFirst < 0:
			return int64(m.entriesAdded - m.length)
		case cmpFirst == 0:
			return int64(m.entriesAdded-m.length) + 1
		}
	}
	return entriesReadInvalid
}

// lag is a group's lag (XINFO); ok is false when it cannot be known.
func (m *streamMeta) lag(g *streamGroup) (int64, bool) {
	if m.entriesAdded == 0 {
		return 0, true
	}
	if g.entriesRead != entriesReadInvalid && !m.rangeHasTombstones(g.lastID, maxStreamID) {
		return int64(m.entriesAdded) - g.entriesRead, true
	}
	if r := m.estimateEntriesRead(g.lastID); r != entriesReadInvalid {
		return int64(m.entriesAdded) - r, true
	}
	return 0, false
}

// ---- a group being read or changed by one command ----

// groupState is one consumer group as a write command sees it: its record
// decoded, the consumers loaded (by name), and what is known of its PEL
// without reading it. Its record and the consumer records changed are
// written back by flush. Between commands it lives in the stream's write
// cache entry (streamCached), exactly as its records hold it.
type groupState struct {
	s         *stream // the handle of the command using it
	name      []byte
	g         streamGroup
	dirty     bool
	consumers map[string]*consumerState // exists false: known to be absent
	touched   []*consumerState          // the dirty consumers, for flush
	// consumerBytes is the length of the names in consumers (their cost).
	consumerBytes int
	// pelMax, when pelMaxKnown, is at or above every id in the PEL: an id
	// above it is not pending, without a read. New entries are delivered
	// above every pending id but after a SETID back or an XCLAIM FORCE,
	// so deliveries and acknowledgements of new entries read no PEL
	// record. It only rises while entries are pending (an
	// acknowledgement does not lower it) and is 0-0 when none are.
	pelMax      streamID
	pelMaxKnown bool
	// pel holds PEL entries as their records do: every entry this group
	// state wrote while it was cached, and entries it read, up to
	// pelCacheMax. Acknowledging removes them. It is the whole PEL when it
	// holds as many entries as the group counts (pelComplete): then a
	// lookup reads nothing.
	pel map[streamID]pendingEntry
	// ahead is the read-ahead of XREADGROUP >: the entries that follow
	// the group's last id, read by one scan for several commands (nil:
	// none). Deleting entries (XDEL, XTRIM) drops it.
	ahead *entryWindow
}

// pelCacheMax bounds a group's cached PEL entries.
const pelCacheMax = 4096

// pelComplete reports whether pel is the whole PEL.
func (gs *groupState) pelComplete() bool { return uint64(len(gs.pel)) == gs.g.pending }

// cachePending keeps p (in the PEL) in pel, when there is room.
func (gs *groupState) cachePending(p pendingEntry) {
	if _, ok := gs.pel[p.id]; ok || len(gs.pel) < pelCacheMax {
		if gs.pel == nil {
			gs.pel = map[streamID]pendingEntry{}
		}
		gs.pel[p.id] = p
	}
}

// entryWindow holds every entry of a stream with an id in [lo, hi], in
// order. Entries are added only above the stream's last id, and hi is at
// most the last id, so it stays exact until entries are deleted or the
// last id is set back (dropReadAhead).
type entryWindow struct {
	lo, hi streamID
	es     []streamEntry
	size   int   // approximate bytes
	limit  int64 // the entries the scan that filled it could read
}

// Read-ahead of XREADGROUP >: a scan for new entries reads up to
// readAheadMin entries, twice as many as the last when the group has read
// through the last window (up to readAheadMax), and stops past
// readAheadBytes of fields once it has what the command asked for. Fewer
// scans cost less than their entries: a scan of the store first indexes
// every key written since the last.
const (
	readAheadMin   = 128
	readAheadMax   = 1024
	readAheadBytes = 128 << 10
)

// newEntries reads up to count (0: all) entries after the group's last id
// (XREADGROUP >), from its read-ahead when that holds them.
func (gs *groupState) newEntries(count int64) ([]streamEntry, error) {
	s := gs.s
	start, ok := gs.g.lastID.next()
	if !ok {
		return nil, nil
	}
	if count == 0 {
		return s.rangeEntries(start, maxStreamID, 0, false)
	}
	limit := int64(readAheadMin)
	if w := gs.ahead; w != nil && w.lo.cmp(start) <= 0 {
		if start.cmp(w.hi) <= 0 {
			i, _ := slices.BinarySearchFunc(w.es, start, func(e streamEntry, id streamID) int { return e.id.cmp(id) })
			if avail := int64(len(w.es) - i); avail >= count {
				return w.es[i : i+int(count) : i+int(count)], nil
			} else if w.hi.cmp(s.meta.lastID) >= 0 {
				return w.es[i:len(w.es):len(w.es)], nil
			}
		}
		// The group read through the window: read further ahead.
		limit = min(2*w.limit, readAheadMax)
	}
	limit = max(limit, count)
	var es []streamEntry
	size := 0
	err := s.entries(start, maxStreamID, false, func(e streamEntry) bool {
		es = append(es, e)
		for _, f := range e.fields {
			size += len(f) + 24
		}
		size += 40
		return int64(len(es)) < limit && (size <= readAheadBytes || int64(len(es)) < count)
	})
	gs.ahead = nil
	if err != nil {
		return nil, err
	}
	if size <= readAheadBytes {
		w := &entryWindow{lo: start, hi: s.meta.lastID, es: es, size: size, limit: limit}
		if int64(len(es)) == limit {
			// The scan stopped early: the window ends at its last entry.
			w.hi = es[len(es)-1].id
		}
		gs.ahead = w
	}
	n := min(int(count), len(es))
	return es[:n:n], nil
}

// dropReadAhead drops every read-ahead of entries, each group's and the
// trim's of the head node's ids (headIDs): entries were deleted (XDEL,
// XTRIM), or the last id moved other than by an XADD (XSETID), which may
// let an entry be added inside a window.
func (s *stream) dropReadAhead() {
	for _, gs := range s.groups {
		gs.ahead = nil
	}
	s.headIDs = nil
}

type consumerState struct {
	name   []byte
	cs     streamConsumer
	exists bool
	dirty  bool
}

// newGroupState is a group's state as its record g holds it.
func newGroupState(s *stream, name []byte, g streamGroup) *groupState {
	gs := &groupState{s: s, name: bytes.Clone(name), g: g, consumers: map[string]*consumerState{}}
	gs.pelMaxKnown = g.pending == 0
	return gs
}

// group loads group name; nil when the stream has no such group or s is
// nil (no stream).
func (s *stream) group(name []byte) (*groupState, error) {
	if s == nil {
		return nil, nil
	}
	if gs, ok := s.groups[string(name)]; ok {
		gs.s = s
		return gs, nil
	}
	v, found, err := s.get(subGroupKey(name))
	if err != nil || !found {
		return nil, err
	}
	g, err := decodeStreamGroup(v)
	if err != nil {
		return nil, fmt.Errorf("stream %q group %q: %w", s.key, name, err)
	}
	return s.addGroup(newGroupState(s, name, g)), nil
}

func (s *stream) addGroup(gs *groupState) *groupState {
	if s.groups == nil {
		s.groups = map[string]*groupState{}
	}
	s.groups[string(gs.name)] = gs
	return gs
}

// createGroup adds a new group (the caller checked it is absent).
func (s *stream) createGroup(name []byte, last streamID, entriesRead int64) *groupState {
	gs := newGroupState(s, name, streamGroup{lastID: last, entriesRead: entriesRead})
	gs.dirty = true
	s.meta.groups++
	s.dirty = true
	return s.addGroup(gs)
}

// touch marks cs changed: flush writes its record.
func (gs *groupState) touch(cs *consumerState) {
	if !cs.dirty {
		cs.dirty = true
		gs.touched = append(gs.touched, cs)
	}
}

// consumer looks a consumer up: created (seen now) when create is set and
// it does not exist; its seen-time refreshed when refresh is set. nil when
// absent and not created.
func (gs *groupState) consumer(name []byte, create, refresh bool) (*consumerState, bool, error) {
	cs, ok := gs.consumers[string(name)]
	if !ok {
		v, found, err := gs.s.get(subConsumerKey(gs.name, name))
		if err != nil {
			return nil, false, err
		}
		cs = &consumerState{name: bytes.Clone(name), exists: found}
		if found {
			if cs.cs, err = decodeStreamConsumer(v); err != nil {
				return nil, false, fmt.Errorf("stream %q consumer %q: %w", gs.s.key, name, err)
			}
		}
		gs.consumers[string(cs.name)] = cs
		gs.consumerBytes += len(cs.name)
	}
	created := false
	switch {
	case !cs.exists && create:
		cs.exists, created = true, true
		cs.cs = streamConsumer{seenTime: gs.s.c.Now, activeTime: -1}
		gs.touch(cs)
		gs.g.consumers++
		gs.dirty = true
	case cs.exists && refresh:
		cs.cs.seenTime = gs.s.c.Now
		gs.touch(cs)
	}
	if !cs.exists {
		return nil, false, nil
	}
	return cs, created, nil
}

// dropConsumer forgets a deleted consumer (its records are deleted by the
// caller).
func (gs *groupState) dropConsumer(name []byte) {
	if _, ok := gs.consumers[string(name)]; ok {
		delete(gs.consumers, string(name))
		gs.consumerBytes -= len(name)
	}
	gs.touched = slices.DeleteFunc(gs.touched, func(cs *consumerState) bool { return bytes.Equal(cs.name, name) })
}

// mayBePending reports whether id can be in the PEL (see pelMax).
func (gs *groupState) mayBePending(id streamID) bool {
	return gs.g.pending > 0 && (!gs.pelMaxKnown || id.cmp(gs.pelMax) <= 0)
}

// learnPELMax reads the PEL's last id into pelMax when it is not known.
func (gs *groupState) learnPELMax() error {
	if gs.pelMaxKnown {
		return nil
	}
	prefix := subGroupScoped(subPending, gs.name)
	last := minStreamID
	err := gs.s.scanReverse(prefix, prefixEnd(prefix), func(sub, _ []byte) bool {
		last = decodeStreamID(sub[len(prefix):])
		return false
	})
	if err != nil {
		return err
	}
	gs.pelMax, gs.pelMaxKnown = last, true
	return nil
}

// pending reads the group's PEL entry for id.
func (gs *groupState) pending(id streamID) (pendingEntry, bool, error) {
	if p, ok := gs.pel[id]; ok {
		return p, true, nil
	}
	if gs.pelComplete() || !gs.mayBePending(id) {
		return pendingEntry{}, false, nil
	}
	v, found, err := gs.s.get(subPendingKey(gs.name, id))
	if err != nil || !found {
		return pendingEntry{}, false, err
	}
	p, err := decodePendingEntry(id, v)
	if err != nil {
		return p, false, fmt.Errorf("stream %q group %q pending %s: %w", gs.s.key, gs.name, id, err)
	}
	gs.cachePending(p)
	return p, true, nil
}

// setPending writes p, owned by owner; prev is the entry's previous owner
// (nil when p is new to the PEL).
func (gs *groupState) setPending(p pendingEntry, owner *consumerState, prev []byte) error {
	if prev == nil {
		gs.g.pending++
		gs.dirty = true
		if gs.pelMaxKnown && p.id.cmp(gs.pelMax) > 0 {
			gs.pelMax = p.id
		}
	}
	if prev == nil || !bytes.Equal(prev, owner.name) {
		if prev != nil {
			old, _, err := gs.consumer(prev, false, false)
			if err != nil {
				return err
			}
			if old != nil {
				old.cs.pending--
				gs.touch(old)
			}
			gs.s.del(gs.ownedKey(prev, p.id))
		}
		owner.cs.pending++
		gs.touch(owner)
		gs.s.put(gs.ownedKey(owner.name, p.id), nil)
	}
	p.consumer = owner.name
	gs.s.put(gs.pendingKey(p.id), p.appendTo(gs.s.scratch(pendingEntryMaxLen(p.consumer))))
	gs.cachePending(p)
	return nil
}

// removePending acknowledges p (removes it from both PELs).
func (gs *groupState) removePending(p pendingEntry) error {
	old, _, err := gs.consumer(p.consumer, false, false)
	if err != nil {
		return err
	}
	if old != nil {
		old.cs.pending--
		gs.touch(old)
	}
	gs.s.del(gs.pendingKey(p.id), gs.ownedKey(p.consumer, p.id))
	delete(gs.pel, p.id)
	gs.removed(1)
	return nil
}

// pendingKey and ownedKey are the sub-keys of id in the group's PEL and
// in consumer's, in the handle's scratch.
func (gs *groupState) pendingKey(id streamID) []byte {
	return appendSubPendingKey(gs.s.scratch(subPendingKeyLen(gs.name)), gs.name, id)
}

func (gs *groupState) ownedKey(consumer []byte, id streamID) []byte {
	return appendSubOwnedKey(gs.s.scratch(subOwnedKeyLen(gs.name, consumer)), gs.name, consumer, id)
}

// removed counts n entries gone from the PEL.
func (gs *groupState) removed(n uint64) {
	gs.g.pending -= n
	gs.dirty = true
	if gs.g.pending == 0 {
		gs.pelMax, gs.pelMaxKnown = minStreamID, true
	}
}

// flush logs the group and the consumers that changed, then the stream's
// meta record.
func (gs *groupState) flush() {
	s := gs.s
	if gs.dirty {
		k := append(s.scratch(1+len(gs.name)), subGroup)
		s.put(append(k, gs.name...), gs.g.appendTo(s.scratch(streamGroupMaxLen)))
		gs.dirty = false
	}
	if len(gs.touched) > 1 {
		slices.SortFunc(gs.touched, func(a, b *consumerState) int { return bytes.Compare(a.name, b.name) })
	}
	for _, cs := range gs.touched {
		k := appendSubConsumerKey(s.scratch(groupScopedLen(gs.name)+len(cs.name)), gs.name, cs.name)
		s.put(k, cs.cs.appendTo(s.scratch(streamConsumerMaxLen)))
		cs.dirty = false
	}
	gs.touched = gs.touched[:0]
	s.save()
}

// pendingRange calls fn for the group's PEL entries with ids in [lo, hi],
// ascending, until fn returns false. The entries are fn's to keep.
func (gs *groupState) pendingRange(lo, hi streamID, fn func(p pendingEntry) bool) error {
	prefix := subGroupScoped(subPending, gs.name)
	l := lo.append(bytes.Clone(prefix))
	var h []byte
	if n, ok := hi.next(); ok {
		h = n.append(bytes.Clone(prefix))
	} else {
		h = prefixEnd(prefix)
	}
	return scanRecords(gs.s, l, h, false, func(sub, v []byte) (pendingEntry, error) {
		id := decodeStreamID(sub[len(prefix):])
		p, err := decodePendingEntry(id, v)
		if err != nil {
			return p, fmt.Errorf("stream %q group %q pending %s: %w", gs.s.key, gs.name, id, err)
		}
		// v is valid only during the call; callers keep entries.
		p.consumer = bytes.Clone(p.consumer)
		return p, nil
	}, fn)
}

// ownedRange calls fn for the ids in [lo, hi] of consumer's PEL, ascending.
func (gs *groupState) ownedRange(consumer []byte, lo, hi streamID, fn func(id streamID) bool) error {
	prefix := subOwnedPrefix(gs.name, consumer)
	l := lo.append(bytes.Clone(prefix))
	var h []byte
	if n, ok := hi.next(); ok {
		h = n.append(bytes.Clone(prefix))
	} else {
		h = prefixEnd(prefix)
	}
	return gs.s.scan(l, h, func(sub, _ []byte) bool {
		return fn(decodeStreamID(sub[len(prefix):]))
	})
}

// lookupGroup finds key's stream and group for XCLAIM, XAUTOCLAIM and
// XPENDING: the NOGROUP error is replied when either is missing. The key
// is looked up for a read, as Redis's lookupKeyRead (a miss is signalled,
// keymiss), though XCLAIM and XAUTOCLAIM write.
func (c *Ctx) lookupGroup(key, group []byte) (*stream, *groupState, bool) {
	p, found := c.readKey(key)
	return c.groupOf(key, group, p, found)
}

// groupOf is lookupGroup of a key already looked up (p, found).
func (c *Ctx) groupOf(key, group []byte, p *memtables.Entry, found bool) (*stream, *groupState, bool) {
	s, ok := c.streamOf(key, p, found)
	if !ok {
		return nil, nil, false
	}
	gs, err := s.group(group)
	if err != nil {
		streamEngineError(c, err)
		return nil, nil, false
	}
	if gs == nil {
		c.Error(fmt.Sprintf("NOGROUP No such key '%s' or consumer group '%s'", cstr(key), cstr(group)))
		return nil, nil, false
	}
	return s, gs, true
}

// ---- XGROUP ----

// xgroupArgs parses XGROUP CREATE's and SETID's options from argument 5
// (MKSTREAM for CREATE, ENTRIESREAD for both), then looks the key up as
// Redis's xgroupCommand does. s is nil when the key is absent (only with
// MKSTREAM).
func (c *Ctx) xgroupArgs(create bool) (s *stream, gs *groupState, mkstream bool, entriesRead int64, ok bool) {
	entriesRead = entriesReadInvalid
	for i := 5; i < len(c.Args); {
		switch {
		case create && eqFold(c.Args[i], "mkstream"):
			mkstream = true
			i++
		case eqFold(c.Args[i], "entriesread") && i+1 < len(c.Args):
			n, valid := parseInt(c.Args[i+1])
			if !valid {
				c.Error(errNotInt)
				return nil, nil, false, 0, false
			}
			if n < 0 && n != entriesReadInvalid {
				c.Error("ERR value for ENTRIESREAD must be positive or -1")
				return nil, nil, false, 0, false
			}
			entriesRead = n
			i += 2
		default:
			c.SubcommandSyntaxError()
			return nil, nil, false, 0, false
		}
	}
	s, gs, ok = c.xgroupLookup(!mkstream, !create)
	return s, gs, mkstream, entriesRead, ok
}

// xgroupLookup looks up XGROUP's key (argument 2) and group (argument 3):
// the key must exist when mustExist; the group too when groupNeeded.
func (c *Ctx) xgroupLookup(mustExist, groupNeeded bool) (*stream, *groupState, bool) {
	s, ok := c.writeStream(c.Args[2])
	if !ok {
		return nil, nil, false
	}
	if !mustExist {
		if s == nil {
			return nil, nil, true
		}
	} else if s == nil {
		c.Error("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.")
		return nil, nil, false
	}
	gs, err := s.group(c.Args[3])
	if err != nil {
		streamEngineError(c, err)
		return nil, nil, false
	}
	if gs == nil && groupNeeded && mustExist {
		c.Error(fmt.Sprintf("NOGROUP No such consumer group '%s' for key name '%s'", cstr(c.Args[3]), cstr(c.Args[2])))
		return nil, nil, false
	}
	return s, gs, true
}

// SubcommandSyntaxError is Redis's addReplySubcommandSyntaxError.
func (c *Ctx) SubcommandSyntaxError() {
	parent := c.Args[0]
	c.Error(fmt.Sprintf("ERR unknown subcommand or wrong number of arguments for '%.128s'. Try %s HELP.",
		c.Args[1], bytes.ToUpper(parent)))
}

func cmdXGroupCreate(c *Ctx) {
	// Redis parses the options before it counts the arguments.
	s, gs, _, entriesRead, ok := c.xgroupArgs(true)
	if !ok {
		return
	}
	if len(c.Args) > 8 {
		c.SubcommandSyntaxError()
		return
	}
	var id streamID
	if len(c.Args[4]) == 1 && c.Args[4][0] == '$' {
		if s != nil {
			id = s.meta.lastID
		}
	} else if id, ok = c.streamIDArg(c.Args[4]); !ok {
		return
	}
	if s == nil {
		s = c.createStream(c.Args[2])
	}
	if gs != nil {
		s.save()
		c.Error("BUSYGROUP Consumer Group name already exists")
		return
	}
	s.createGroup(c.Args[3], id, entriesRead).flush()
	c.notify(NotifyStream, "xgroup-create", s.key)
	s.remember()
	c.OK()
}

func cmdXGroupSetID(c *Ctx) {
	if len(c.Args) != 5 && len(c.Args) != 7 {
		// Redis checks the options first, then the count.
		if _, _, _, _, ok := c.xgroupArgs(false); !ok {
			return
		}
		c.SubcommandSyntaxError()
		return
	}
	s, gs, _, entriesRead, ok := c.xgroupArgs(false)
	if !ok {
		return
	}
	var id streamID
	if len(c.Args[4]) == 1 && c.Args[4][0] == '$' {
		id = s.meta.lastID
	} else {
		var valid bool
		if id, _, valid = parseStreamID(c.Args[4], 0, false, false); !valid {
			c.Error(errStreamID)
			return
		}
	}
	gs.g.lastID = id
	gs.g.entriesRead = entriesRead
	gs.dirty = true
	gs.flush()
	c.notify(NotifyStream, "xgroup-setid", s.key)
	s.remember()
	c.OK()
}

func cmdXGroupDestroy(c *Ctx) {
	s, gs, ok := c.xgroupLookup(true, false)
	if !ok {
		return
	}
	if gs == nil {
		c.R.Int(0)
		return
	}
	s.del(subGroupKey(gs.name))
	for _, kind := range []byte{subConsumer, subPending, subOwned} {
		p := subGroupScoped(kind, gs.name)
		s.delRange(p, prefixEnd(p))
	}
	delete(s.groups, string(gs.name))
	s.meta.groups--
	s.dirty = true
	s.save()
	c.notify(NotifyStream, "xgroup-destroy", s.key)
	// Blocked XREADGROUPs on the group get their NOGROUP error now.
	c.DB.signalStream(c.S.DB, s.key)
	s.remember()
	c.R.Int(1)
}

func cmdXGroupCreateConsumer(c *Ctx) {
	s, gs, ok := c.xgroupLookup(true, true)
	if !ok {
		return
	}
	_, created, err := gs.consumer(c.Args[4], true, false)
	if err != nil {
		streamEngineError(c, err)
		return
	}
	n := 0
	if created {
		gs.flush()
		c.notify(NotifyStream, "xgroup-createconsumer", s.key)
		n = 1
	}
	s.remember()
	c.R.Int(int64(n))
}

func cmdXGroupDelConsumer(c *Ctx) {
	s, gs, ok := c.xgroupLookup(true, true)
	if !ok {
		return
	}
	name := c.Args[4]
	cs, _, err := gs.consumer(name, false, false)
	if err != nil {
		streamEngineError(c, err)
		return
	}
	if cs == nil {
		s.remember()
		c.R.Int(0)
		return
	}
	var ids []streamID
	if err := gs.ownedRange(name, minStreamID, maxStreamID, func(id streamID) bool {
		ids = append(ids, id)
		return true
	}); err != nil {
		streamEngineError(c, err)
		return
	}
	for _, id := range ids {
		s.del(subPendingKey(gs.name, id))
		delete(gs.pel, id)
	}
	p := subOwnedPrefix(gs.name, name)
	s.delRange(p, prefixEnd(p))
	s.del(subConsumerKey(gs.name, name))
	gs.dropConsumer(name)
	gs.removed(uint64(len(ids)))
	gs.g.consumers--
	gs.flush()
	c.notify(NotifyStream, "xgroup-delconsumer", s.key)
	s.remember()
	c.R.Int(int64(len(ids)))
}

func cmdXGroupHelp(c *Ctx) {
	ReplyHelp(c, "XGROUP", []string{
		"CREATE <key> <groupname> <id|$> [option]",
		"    Create a new consumer group. Options are:",
		"    * MKSTREAM",
		"      Create the empty stream if it does not exist.",
		"    * ENTRIESREAD entries_read",
		"      Set the group's entries_read counter (internal use).",
		"CREATECONSUMER <key> <groupname> <consumer>",
		"    Create a new consumer in the specified group.",
		"DELCONSUMER <key> <groupname> <consumer>",
		"    Remove the specified consumer.",
		"DESTROY <key> <groupname>",
		"    Remove the specified group.",
		"SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
		"    Set the current group ID and entries_read counter.",
	})
}

// ---- XREADGROUP ----

func cmdXReadGroup(c *Ctx) {
	a, ok := c.parseXRead(true)
	if !ok {
		return
	}
	n := len(a.keys)
	streams := make([]*stream, n)
	groups := make([]*groupState, n)
	gts := make([]streamID, n)
	for i, key := range a.keys {
		// A read lookup, as Redis's (keymiss).
		s, ok := c.readStream(key)
		if !ok {
			return
		}
		gs, err := s.group(a.group)
		if err != nil {
			streamEngineError(c, err)
			return
		}
		if gs == nil {
			c.Error(fmt.Sprintf("NOGROUP No such key '%s' or consumer group '%s' in XREADGROUP with GROUP option", cstr(key), cstr(a.group)))
			return
		}
		streams[i], groups[i] = s, gs
		arg := a.idArgs[i]
		switch {
		case len(arg) == 1 && arg[0] == '$':
			c.Error("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.")
			return
		case len(arg) == 1 && arg[0] == '>':
			gts[i] = maxStreamID
		default:
			if gts[i], ok = c.streamIDArg(arg); !ok {
				return
			}
		}
	}
	// A key given twice shares one stream and group state.
	for i := range streams {
		for j := 0; j < i; j++ {
			if bytes.Equal(a.keys[i], a.keys[j]) {
				streams[i], groups[i] = streams[j], groups[j]
				break
			}
		}
	}
	var out []streamRead
	for i, key := range a.keys {
		s, gs := streams[i], groups[i]
		gt := gts[i]
		history := gt != maxStreamID
		var fresh []streamEntry
		if !history {
			// Served when an entry follows the group's last id (Redis: the
			// last live entry's id is greater).
			if s.meta.length == 0 || s.meta.lastID.cmp(gs.g.lastID) <= 0 {
				continue
			}
			var err error
			if fresh, err = gs.newEntries(a.count); err != nil {
				streamEngineError(c, err)
				return
			}
			if len(fresh) == 0 {
				continue
			}
		}
		cs, created, err := gs.consumer(a.consumer, true, true)
		if err != nil {
			streamEngineError(c, err)
			return
		}
		var es []streamEntry
		if history {
			start, _ := gt.next()
			es, err = gs.readHistory(cs, start, a.count)
		} else {
			es, err = gs.deliverEntries(cs, fresh, a.noack)
		}
		if err != nil {
			streamEngineError(c, err)
			return
		}
		gs.flush()
		if created {
			c.notify(NotifyStream, "xgroup-createconsumer", key)
		}
		out = append(out, streamRead{key, es})
	}
	for i, s := range streams {
		if !slices.Contains(streams[:i], s) {
			s.remember()
		}
	}
	if a.replyNow(c, out) {
		return
	}
	count := a.blockedCount()
	group, consumer, noack := bytes.Clone(a.group), bytes.Clone(a.consumer), a.noack
	c.block(CloneArgs(a.keys), a.deadline, func(c *Ctx, key []byte) bool {
		s, ok := c.streamQuiet(key)
		if !ok {
			// Deleted, or replaced by another type (Redis 7.0.15's
			// signalDeletedKeyAsReady).
			c.Error("UNBLOCKED the stream key no longer exists")
			return true
		}
		gs, err := s.group(group)
		if err != nil {
			c.Error("ERR " + err.Error())
			return true
		}
		if gs == nil {
			c.Error("NOGROUP the consumer group this client was blocked on no longer exists")
			return true
		}
		if !c.DB.streamSignalled(c.S.DB, key) || s.meta.lastID.cmp(gs.g.lastID) <= 0 {
			s.remember()
			return false
		}
		cs, created, err := gs.consumer(consumer, true, true)
		if err != nil {
			c.Error("ERR " + err.Error())
			return true
		}
		es, err := gs.deliver(cs, count, noack)
		if err != nil {
			c.Error("ERR " + err.Error())
			return true
		}
		gs.flush()
		if created {
			// In the key's database: the waiter's, which it blocked in.
			c.notify(NotifyStream, "xgroup-createconsumer", key)
		}
		s.remember()
		replyReadHeader(c.R, 1)
		replyReadKey(c.R, key, es)
		return true
	}, Reply.NullArray)
}

// deliver serves new entries to consumer cs (XREADGROUP >): the group's
// last id and read counter advance, and each entry enters the PEL (unless
// noack), as in Redis's streamReplyWithRange with a group.
func (gs *groupState) deliver(cs *consumerState, count int64, noack bool) ([]streamEntry, error) {
	es, err := gs.newEntries(count)
	if err != nil {
		return nil, err
	}
	return gs.deliverEntries(cs, es, noack)
}

// deliverEntries is deliver of entries already read. The PEL is read
// for all of them first, then written: its writes make one op.
func (gs *groupState) deliverEntries(cs *consumerState, es []streamEntry, noack bool) ([]streamEntry, error) {
	s := gs.s
	now := s.c.Now
	// owners are the previous owners of es (nil: none); es ascend, so
	// none is pending when the first cannot be.
	var owners [][]byte
	if !noack && len(es) > 0 && gs.mayBePending(es[0].id) {
		if len(es) > 1 && !gs.pelComplete() {
			// One read of the PEL's end instead of one per entry.
			if err := gs.learnPELMax(); err != nil {
				return nil, err
			}
		}
		owners = make([][]byte, len(es))
		for i, e := range es {
			p, found, err := gs.pending(e.id)
			if err != nil {
				return nil, err
			}
			if found {
				owners[i] = p.consumer
			}
		}
	}
	for i, e := range es {
		if e.id.cmp(gs.g.lastID) > 0 {
			if gs.g.entriesRead != entriesReadInvalid && !s.meta.rangeHasTombstones(e.id, maxStreamID) {
				gs.g.entriesRead++
			} else if s.meta.entriesAdded > 0 {
				gs.g.entriesRead = s.meta.estimateEntriesRead(e.id)
			}
			gs.g.lastID = e.id
			gs.dirty = true
		}
		if noack {
			continue
		}
		var prev []byte
		if owners != nil {
			prev = owners[i]
		}
		if err := gs.setPending(pendingEntry{id: e.id, deliveryTime: now, deliveryCount: 1}, cs, prev); err != nil {
			return nil, err
		}
		cs.cs.activeTime = now
		gs.touch(cs)
	}
	return es, nil
}

// readHistory serves consumer cs's pending entries from start (XREADGROUP
// with an id): an entry no longer in the stream is replied with nil
// fields; the others count one more delivery, now. The entries and their
// PEL records are read first, then written.
func (gs *groupState) readHistory(cs *consumerState, start streamID, count int64) ([]streamEntry, error) {
	var ids []streamID
	if err := gs.ownedRange(cs.name, start, maxStreamID, func(id streamID) bool {
		ids = append(ids, id)
		return count == 0 || int64(len(ids)) < count
	}); err != nil {
		return nil, err
	}
	out := make([]streamEntry, 0, len(ids))
	var redelivered []pendingEntry
	for _, id := range ids {
		e, found, err := gs.s.entry(id)
		if err != nil {
			return nil, err
		}
		if !found {
			out = append(out, streamEntry{id: id})
			continue
		}
		p, ok, err := gs.pending(id)
		if err != nil {
			return nil, err
		}
		if ok {
			redelivered = append(redelivered, p)
		}
		out = append(out, e)
	}
	for _, p := range redelivered {
		p.deliveryTime = gs.s.c.Now
		p.deliveryCount++
		if err := gs.setPending(p, cs, p.consumer); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ---- XACK ----

func cmdXAck(c *Ctx) {
	// A read lookup, as Redis's (keymiss).
	s, ok := c.readStream(c.Args[1])
	if !ok {
		return
	}
	gs, err := s.group(c.Args[2])
	if err != nil {
		streamEngineError(c, err)
		return
	}
	if gs == nil {
		s.remember()
		c.R.Int(0)
		return
	}
	ids, ok := c.streamIDArgs(c.Args[3:])
	if !ok {
		s.remember()
		return
	}
	// The PEL entries are read first, then removed: the deletes make one
	// op. An id given twice is acknowledged once, as in Redis.
	acked := make([]pendingEntry, 0, len(ids))
	var seen map[streamID]bool
	for _, id := range ids {
		if len(ids) > 16 {
			if seen == nil {
				seen = make(map[streamID]bool, len(ids))
			}
			if seen[id] {
				continue
			}
			seen[id] = true
		} else if slices.ContainsFunc(acked, func(p pendingEntry) bool { return p.id == id }) {
			continue
		}
		p, found, err := gs.pending(id)
		if err != nil {
			streamEngineError(c, err)
			return
		}
		if found {
			acked = append(acked, p)
		}
	}
	for _, p := range acked {
		if err := gs.removePending(p); err != nil {
			streamEngineError(c, err)
			return
		}
	}
	if len(acked) > 0 {
		gs.flush()
	}
	s.remember()
	c.R.Int(int64(len(acked)))
}

// ---- XPENDING ----

func cmdXPending(c *Ctx) {
	args := c.Args
	summary := len(args) == 3
	if !summary && (len(args) < 6 || len(args) > 9) {
		c.Error(errSyntax)
		return
	}
	var start, end streamID
	var count, minIdle int64
	var consumer []byte
	if !summary {
		at := 3
		if eqFold(args[3], "idle") {
			n, valid := parseInt(args[4])
			if !valid {
				c.Error(errNotInt)
				return
			}
			minIdle = n
			if len(args) < 8 {
				c.Error(errSyntax)
				return
			}
			at += 2
		}
		n, valid := parseInt(args[at+2])
		if !valid {
			c.Error(errNotInt)
			return
		}
		count = max(n, 0)
		var ok bool
		if start, ok = c.intervalID(args[at], 0, false); !ok {
			return
		}
		if end, ok = c.intervalID(args[at+1], math.MaxUint64, true); !ok {
			return
		}
		if at+3 < len(args) {
			consumer = args[at+3]
		}
	}
	_, gs, ok := c.lookupGroup(args[1], args[2])
	if !ok {
		return
	}
	if summary {
		c.replyPendingSummary(gs)
		return
	}
	var rows []pendingEntry
	now := c.Now
	visit := func(p pendingEntry) bool {
		if count == 0 {
			return false
		}
		if minIdle != 0 && now-p.deliveryTime < minIdle {
			return true
		}
		rows = append(rows, p)
		count--
		return true
	}
	var err error
	if consumer != nil {
		cs, _, cerr := gs.consumer(consumer, false, false)
		if cerr != nil {
			streamEngineError(c, cerr)
			return
		}
		if cs == nil {
			c.R.Array(0)
			return
		}
		var ids []streamID
		err = gs.ownedRange(consumer, start, end, func(id streamID) bool {
			ids = append(ids, id)
			return true
		})
		for _, id := range ids {
			if err != nil || count == 0 {
				break
			}
			p, found, perr := gs.pending(id)
			if err = perr; err == nil && found && !visit(p) {
				break
			}
		}
	} else if start.cmp(end) <= 0 {
		err = gs.pendingRange(start, end, visit)
	}
	if err != nil {
		streamEngineError(c, err)
		return
	}
	c.R.Array(len(rows))
	for _, p := range rows {
		c.R.Array(4)
		replyStreamID(c.R, p.id)
		c.R.Bulk(p.consumer)
		c.R.Int(max(now-p.deliveryTime, 0))
		c.R.Int(int64(p.deliveryCount))
	}
}

// replyPendingSummary is XPENDING key group: the count, the smallest and
// largest pending ids, and the consumers with pending entries.
func (c *Ctx) replyPendingSummary(gs *groupState) {
	c.R.Array(4)
	c.R.Int(int64(gs.g.pending))
	if gs.g.pending == 0 {
		c.R.Null()
		c.R.Null()
		c.R.NullArray()
		return
	}
	prefix := subGroupScoped(subPending, gs.name)
	var first, last streamID
	err := gs.s.scan(prefix, prefixEnd(prefix), func(sub, _ []byte) bool {
		first = decodeStreamID(sub[len(prefix):])
		return false
	})
	if err == nil {
		err = gs.s.scanReverse(prefix, prefixEnd(prefix), func(sub, _ []byte) bool {
			last = decodeStreamID(sub[len(prefix):])
			return false
		})
	}
	type owner struct {
		name []byte
		n    uint64
	}
	var owners []owner
	if err == nil {
		var cons []consumerInfo
		cons, err = gs.consumerInfos()
		for _, ci := range cons {
			if ci.cs.pending > 0 {
				owners = append(owners, owner{ci.name, ci.cs.pending})
			}
		}
	}
	if err != nil {
		// The array header is written: report the error in place.
		c.R.Error("ERR " + err.Error())
		c.R.Null()
		c.R.Null()
		return
	}
	replyStreamID(c.R, first)
	replyStreamID(c.R, last)
	c.R.Array(len(owners))
	for _, o := range owners {
		c.R.Array(2)
		c.R.Bulk(o.name)
		c.R.BulkString(fmt.Sprint(o.n))
	}
}

// ---- XCLAIM XAUTOCLAIM ----

func cmdXClaim(c *Ctx) {
	args := c.Args
	s, gs, ok := c.lookupGroup(args[1], args[2])
	if !ok {
		return
	}
	minIdle, valid := parseInt(args[4])
	if !valid {
		c.Error("ERR Invalid min-idle-time argument for XCLAIM")
		return
	}
	minIdle = max(minIdle, 0)
	var ids []streamID
	j := 5
	for ; j < len(args); j++ {
		id, _, ok := parseStreamID(args[j], 0, true, false)
		if !ok {
			break
		}
		ids = append(ids, id)
	}
	now := c.Now
	deliveryTime, retryCount := int64(-1), int64(-1)
	force, justID := false, false
	var lastID streamID
	for ; j < len(args); j++ {
		more := len(args) - 1 - j
		opt := args[j]
		switch {
		case eqFold(opt, "force"):
			force = true
		case eqFold(opt, "justid"):
			justID = true
		case eqFold(opt, "idle") && more > 0:
			j++
			n, valid := parseInt(args[j])
			if !valid {
				c.Error("ERR Invalid IDLE option argument for XCLAIM")
				return
			}
			deliveryTime = now - n
		case eqFold(opt, "time") && more > 0:
			j++
			n, valid := parseInt(args[j])
			if !valid {
				c.Error("ERR Invalid TIME option argument for XCLAIM")
				return
			}
			deliveryTime = n
		case eqFold(opt, "retrycount") && more > 0:
			j++
			n, valid := parseInt(args[j])
			if !valid {
				c.Error("ERR Invalid RETRYCOUNT option argument for XCLAIM")
				return
			}
			retryCount = n
		case eqFold(opt, "lastid") && more > 0:
			j++
			if lastID, ok = c.streamIDArg(args[j]); !ok {
				return
			}
		default:
			c.Error(fmt.Sprintf("ERR Unrecognized XCLAIM option '%s'", opt))
			return
		}
	}
	if lastID.cmp(gs.g.lastID) > 0 {
		gs.g.lastID = lastID
		gs.dirty = true
	}
	if deliveryTime == -1 || deliveryTime < 0 || deliveryTime > now {
		deliveryTime = now
	}
	var claimed []streamEntry
	var cs *consumerState
	created := false // the consumer, by the first entry claimed
	for _, id := range ids {
		p, found, err := gs.pending(id)
		if err != nil {
			streamEngineError(c, err)
			return
		}
		e, exists, err := s.entry(id)
		if err != nil {
			streamEngineError(c, err)
			return
		}
		if !exists {
			if found {
				if err := gs.removePending(p); err != nil {
					streamEngineError(c, err)
					return
				}
			}
			continue
		}
		var prev []byte
		if found {
			prev = p.consumer
		} else if force {
			p = pendingEntry{id: id, deliveryCount: 1} // streamCreateNACK's count
		} else {
			continue
		}
		if prev != nil && minIdle > 0 && now-p.deliveryTime < minIdle {
			continue
		}
		if cs == nil {
			if cs, created, err = gs.consumer(args[3], true, true); err != nil {
				streamEngineError(c, err)
				return
			}
		}
		p.deliveryTime = deliveryTime
		switch {
		case retryCount >= 0:
			p.deliveryCount = uint64(retryCount)
		case !justID:
			p.deliveryCount++
		}
		if err := gs.setPending(p, cs, prev); err != nil {
			streamEngineError(c, err)
			return
		}
		cs.cs.activeTime = now
		gs.touch(cs)
		claimed = append(claimed, e)
	}
	gs.flush()
	if created {
		c.notify(NotifyStream, "xgroup-createconsumer", s.key)
	}
	s.remember()
	replyClaimed(c.R, claimed, justID)
}

// replyClaimed writes claimed entries, or only their ids (JUSTID).
func replyClaimed(r Reply, es []streamEntry, justID bool) {
	r.Array(len(es))
	for _, e := range es {
		if justID {
			replyStreamID(r, e.id)
		} else {
			replyEntry(r, e)
		}
	}
}

func cmdXAutoClaim(c *Ctx) {
	args := c.Args
	// Redis looks the key up before it parses the arguments (a miss is
	// signalled even when one is invalid), and checks it after.
	p, found := c.readKey(args[1])
	minIdle, valid := parseInt(args[4])
	if !valid {
		c.Error("ERR Invalid min-idle-time argument for XAUTOCLAIM")
		return
	}
	minIdle = max(minIdle, 0)
	start, ok := c.intervalID(args[5], 0, false)
	if !ok {
		return
	}
	count := int64(100)
	justID := false
	const attemptsFactor = 10
	for j := 6; j < len(args); j++ {
		more := len(args) - 1 - j
		switch {
		case eqFold(args[j], "count") && more > 0:
			n, valid := parseInt(args[j+1])
			if !valid || n < 1 || n > math.MaxInt64/16 {
				c.Error("ERR COUNT must be > 0")
				return
			}
			count = n
			j++
		case eqFold(args[j], "justid"):
			justID = true
		default:
			c.Error(errSyntax)
			return
		}
	}
	s, gs, ok := c.groupOf(args[1], args[2], p, found)
	if !ok {
		return
	}
	attempts := count * attemptsFactor
	// The PEL entries this call may examine, plus the next one (the
	// cursor); the scan is a snapshot, changes are made after it.
	var candidates []pendingEntry
	if err := gs.pendingRange(start, maxStreamID, func(p pendingEntry) bool {
		candidates = append(candidates, p)
		return int64(len(candidates)) <= attempts
	}); err != nil {
		streamEngineError(c, err)
		return
	}
	now := c.Now
	var out []streamEntry
	var deleted []streamID
	var cs *consumerState
	created := false // the consumer, by the first entry claimed
	i := 0
	for ; attempts > 0 && count > 0 && i < len(candidates); i++ {
		attempts--
		p := candidates[i]
		e, exists, err := s.entry(p.id)
		if err != nil {
			streamEngineError(c, err)
			return
		}
		if !exists {
			if err := gs.removePending(p); err != nil {
				streamEngineError(c, err)
				return
			}
			deleted = append(deleted, p.id)
			count--
			continue
		}
		if minIdle > 0 && now-p.deliveryTime < minIdle {
			continue
		}
		if cs == nil {
			if cs, created, err = gs.consumer(args[3], true, true); err != nil {
				streamEngineError(c, err)
				return
			}
		}
		prev := p.consumer
		p.deliveryTime = now
		if !justID {
			p.deliveryCount++
		}
		if err := gs.setPending(p, cs, prev); err != nil {
			streamEngineError(c, err)
			return
		}
		cs.cs.activeTime = now
		gs.touch(cs)
		out = append(out, e)
		count--
	}
	cursor := minStreamID
	if i < len(candidates) {
		cursor = candidates[i].id
	}
	gs.flush()
	if created {
		c.notify(NotifyStream, "xgroup-createconsumer", s.key)
	}
	s.remember()
	c.R.Array(3)
	replyStreamID(c.R, cursor)
	replyClaimed(c.R, out, justID)
	c.R.Array(len(deleted))
	for _, id := range deleted {
		replyStreamID(c.R, id)
	}
}
