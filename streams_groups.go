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

// groupState is one consumer group loaded by a command. Its record and the
// consumer records it touched are written back by flush.
type groupState struct {
	s         *stream
	name      []byte
	g         streamGroup
	dirty     bool
	consumers map[string]*consumerState
}

type consumerState struct {
	name   []byte
	cs     streamConsumer
	exists bool
	dirty  bool
}

// group loads group name; nil when the stream has no such group or s is
// nil (no stream).
func (s *stream) group(name []byte) (*groupState, error) {
	if s == nil {
		return nil, nil
	}
	v, found, err := s.get(subGroupKey(name))
	if err != nil || !found {
		return nil, err
	}
	g, err := decodeStreamGroup(v)
	if err != nil {
		return nil, fmt.Errorf("stream %q group %q: %w", s.key, name, err)
	}
	return &groupState{s: s, name: bytes.Clone(name), g: g, consumers: map[string]*consumerState{}}, nil
}

// createGroup adds a new group (the caller checked it is absent).
func (s *stream) createGroup(name []byte, last streamID, entriesRead int64) *groupState {
	gs := &groupState{s: s, name: bytes.Clone(name), g: streamGroup{lastID: last, entriesRead: entriesRead},
		dirty: true, consumers: map[string]*consumerState{}}
	s.meta.groups++
	s.dirty = true
	return gs
}

// consumer looks a consumer up: created (seen now) when create is set and
// it does not exist; its seen-time refreshed when refresh is set. nil when
// absent and not created.
func (gs *groupState) consumer(name []byte, create, refresh bool) (*consumerState, bool, error) {
	if cs, ok := gs.consumers[string(name)]; ok {
		created := false
		if !cs.exists && create {
			cs.exists, cs.dirty, created = true, true, true
			cs.cs = streamConsumer{seenTime: gs.s.c.Now, activeTime: -1}
			gs.g.consumers++
			gs.dirty = true
		} else if cs.exists && refresh {
			cs.cs.seenTime, cs.dirty = gs.s.c.Now, true
		}
		if !cs.exists {
			return nil, false, nil
		}
		return cs, created, nil
	}
	v, found, err := gs.s.get(subConsumerKey(gs.name, name))
	if err != nil {
		return nil, false, err
	}
	cs := &consumerState{name: bytes.Clone(name), exists: found}
	if found {
		if cs.cs, err = decodeStreamConsumer(v); err != nil {
			return nil, false, fmt.Errorf("stream %q consumer %q: %w", gs.s.key, name, err)
		}
	}
	gs.consumers[string(name)] = cs
	created := false
	switch {
	case !found && create:
		cs.exists, cs.dirty, created = true, true, true
		cs.cs = streamConsumer{seenTime: gs.s.c.Now, activeTime: -1}
		gs.g.consumers++
		gs.dirty = true
	case found && refresh:
		cs.cs.seenTime, cs.dirty = gs.s.c.Now, true
	}
	if !cs.exists {
		return nil, false, nil
	}
	return cs, created, nil
}

// pending reads the group's PEL entry for id.
func (gs *groupState) pending(id streamID) (pendingEntry, bool, error) {
	v, found, err := gs.s.get(subPendingKey(gs.name, id))
	if err != nil || !found {
		return pendingEntry{}, false, err
	}
	p, err := decodePendingEntry(id, v)
	if err != nil {
		return p, false, fmt.Errorf("stream %q group %q pending %s: %w", gs.s.key, gs.name, id, err)
	}
	return p, true, nil
}

// setPending writes p, owned by owner; prev is the entry's previous owner
// (nil when p is new to the PEL).
func (gs *groupState) setPending(p pendingEntry, owner *consumerState, prev []byte) error {
	if prev == nil {
		gs.g.pending++
		gs.dirty = true
	}
	if prev == nil || !bytes.Equal(prev, owner.name) {
		if prev != nil {
			old, _, err := gs.consumer(prev, false, false)
			if err != nil {
				return err
			}
			if old != nil {
				old.cs.pending--
				old.dirty = true
			}
			gs.s.del(subOwnedKey(gs.name, prev, p.id))
		}
		owner.cs.pending++
		owner.dirty = true
		gs.s.put(subOwnedKey(gs.name, owner.name, p.id), nil)
	}
	p.consumer = owner.name
	gs.s.put(subPendingKey(gs.name, p.id), p.encode())
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
		old.dirty = true
	}
	gs.s.del(subPendingKey(gs.name, p.id), subOwnedKey(gs.name, p.consumer, p.id))
	gs.g.pending--
	gs.dirty = true
	return nil
}

// flush logs the group and the consumers that changed, then the stream's
// meta record.
func (gs *groupState) flush() {
	var pairs [][]byte
	if gs.dirty {
		pairs = append(pairs, subGroupKey(gs.name), gs.g.encode())
		gs.dirty = false
	}
	names := make([]string, 0, len(gs.consumers))
	for n := range gs.consumers {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		cs := gs.consumers[n]
		if cs.dirty {
			pairs = append(pairs, subConsumerKey(gs.name, cs.name), cs.cs.encode())
			cs.dirty = false
		}
	}
	if len(pairs) > 0 {
		gs.s.put(pairs...)
	}
	gs.s.save()
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
// XPENDING: the NOGROUP error is replied when either is missing.
func (c *Ctx) lookupGroup(key, group []byte, write bool) (*stream, *groupState, bool) {
	var s *stream
	var ok bool
	if write {
		s, ok = c.writeStream(key)
	} else {
		s, ok = c.readStream(key)
	}
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
			c.subcommandSyntaxError()
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

// subcommandSyntaxError is Redis's addReplySubcommandSyntaxError.
func (c *Ctx) subcommandSyntaxError() {
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
		c.subcommandSyntaxError()
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
	c.OK()
}

func cmdXGroupSetID(c *Ctx) {
	if len(c.Args) != 5 && len(c.Args) != 7 {
		// Redis checks the options first, then the count.
		if _, _, _, _, ok := c.xgroupArgs(false); !ok {
			return
		}
		c.subcommandSyntaxError()
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
	s.meta.groups--
	s.dirty = true
	s.save()
	// Blocked XREADGROUPs on the group get their NOGROUP error now.
	c.DB.signalStream(c.S.DB, s.key)
	c.R.Int(1)
}

func cmdXGroupCreateConsumer(c *Ctx) {
	_, gs, ok := c.xgroupLookup(true, true)
	if !ok {
		return
	}
	_, created, err := gs.consumer(c.Args[4], true, false)
	if err != nil {
		streamEngineError(c, err)
		return
	}
	if created {
		gs.flush()
		c.R.Int(1)
		return
	}
	c.R.Int(0)
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
	}
	p := subOwnedPrefix(gs.name, name)
	s.delRange(p, prefixEnd(p))
	s.del(subConsumerKey(gs.name, name))
	delete(gs.consumers, string(name))
	gs.g.pending -= uint64(len(ids))
	gs.g.consumers--
	gs.dirty = true
	gs.flush()
	c.R.Int(int64(len(ids)))
}

func cmdXGroupHelp(c *Ctx) {
	replyHelp(c, "XGROUP", []string{
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
		s, ok := c.writeStream(key)
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
			start, _ := gs.g.lastID.next()
			var err error
			if fresh, err = s.rangeEntries(start, maxStreamID, a.count, false); err != nil {
				streamEngineError(c, err)
				return
			}
			if len(fresh) == 0 {
				continue
			}
		}
		cs, _, err := gs.consumer(a.consumer, true, true)
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
		out = append(out, streamRead{key, es})
	}
	if a.replyNow(c, out) {
		return
	}
	count := a.blockedCount()
	group, consumer, noack := bytes.Clone(a.group), bytes.Clone(a.consumer), a.noack
	c.block(cloneArgs(a.keys), a.deadline, func(c *Ctx, key []byte) bool {
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
			return false
		}
		cs, _, err := gs.consumer(consumer, true, true)
		if err != nil {
			c.Error("ERR " + err.Error())
			return true
		}
		start, _ := gs.g.lastID.next()
		es, err := gs.deliver(cs, start, count, noack)
		if err != nil {
			c.Error("ERR " + err.Error())
			return true
		}
		gs.flush()
		replyReadHeader(c.R, 1)
		replyReadKey(c.R, key, es)
		return true
	}, Reply.NullArray)
}

// deliver serves new entries from start to consumer cs (XREADGROUP >):
// the group's last id and read counter advance, and each entry enters the
// PEL (unless noack), as in Redis's streamReplyWithRange with a group.
func (gs *groupState) deliver(cs *consumerState, start streamID, count int64, noack bool) ([]streamEntry, error) {
	es, err := gs.s.rangeEntries(start, maxStreamID, count, false)
	if err != nil {
		return nil, err
	}
	return gs.deliverEntries(cs, es, noack)
}

// deliverEntries is deliver of entries already read.
func (gs *groupState) deliverEntries(cs *consumerState, es []streamEntry, noack bool) ([]streamEntry, error) {
	s := gs.s
	now := s.c.Now
	for _, e := range es {
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
		p, found, err := gs.pending(e.id)
		if err != nil {
			return nil, err
		}
		var prev []byte
		if found {
			prev = p.consumer
		}
		if err := gs.setPending(pendingEntry{id: e.id, deliveryTime: now, deliveryCount: 1}, cs, prev); err != nil {
			return nil, err
		}
		cs.cs.activeTime, cs.dirty = now, true
	}
	return es, nil
}

// readHistory serves consumer cs's pending entries from start (XREADGROUP
// with an id): an entry no longer in the stream is replied with nil
// fields; the others count one more delivery, now.
func (gs *groupState) readHistory(cs *consumerState, start streamID, count int64) ([]streamEntry, error) {
	var ids []streamID
	if err := gs.ownedRange(cs.name, start, maxStreamID, func(id streamID) bool {
		ids = append(ids, id)
		return count == 0 || int64(len(ids)) < count
	}); err != nil {
		return nil, err
	}
	out := make([]streamEntry, 0, len(ids))
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
			p.deliveryTime = gs.s.c.Now
			p.deliveryCount++
			if err := gs.setPending(p, cs, p.consumer); err != nil {
				return nil, err
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// ---- XACK ----

func cmdXAck(c *Ctx) {
	s, ok := c.writeStream(c.Args[1])
	if !ok {
		return
	}
	gs, err := s.group(c.Args[2])
	if err != nil {
		streamEngineError(c, err)
		return
	}
	if gs == nil {
		c.R.Int(0)
		return
	}
	ids, ok := c.streamIDArgs(c.Args[3:])
	if !ok {
		return
	}
	acked := 0
	for _, id := range ids {
		p, found, err := gs.pending(id)
		if err == nil && found {
			err = gs.removePending(p)
			acked++
		}
		if err != nil {
			streamEngineError(c, err)
			return
		}
	}
	if acked > 0 {
		gs.flush()
	}
	c.R.Int(int64(acked))
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
	_, gs, ok := c.lookupGroup(args[1], args[2], false)
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
	s, gs, ok := c.lookupGroup(args[1], args[2], true)
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
			if cs, _, err = gs.consumer(args[3], true, true); err != nil {
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
		cs.cs.activeTime, cs.dirty = now, true
		claimed = append(claimed, e)
	}
	gs.flush()
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
	s, gs, ok := c.lookupGroup(args[1], args[2], true)
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
			if cs, _, err = gs.consumer(args[3], true, true); err != nil {
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
		cs.cs.activeTime, cs.dirty = now, true
		out = append(out, e)
		count--
	}
	cursor := minStreamID
	if i < len(candidates) {
		cursor = candidates[i].id
	}
	gs.flush()
	c.R.Array(3)
	replyStreamID(c.R, cursor)
	replyClaimed(c.R, out, justID)
	c.R.Array(len(deleted))
	for _, id := range deleted {
		replyStreamID(c.R, id)
	}
}
