package keel

// XINFO STREAM [FULL [COUNT n]] / GROUPS / CONSUMERS / HELP, as Redis 7.0
// replies them.

import (
	"bytes"
	"fmt"
)

func init() {
	g := "stream"
	rsub := func(name string, arity int, summary, since string, h func(*Ctx)) *Command {
		return &Command{Name: name, Arity: arity, Flags: FlagReadonly, FirstKey: 2, LastKey: 2, Step: 1, ACL: []string{"read", "stream", "slow"}, Group: g, Summary: summary, Since: since, Handler: h}
	}
	Register(&Command{Name: "xinfo", Arity: -2, ACL: []string{"slow"}, Group: g, Summary: "A container for stream introspection commands", Since: "5.0.0", Subs: map[string]*Command{
		"stream":    rsub("stream", -3, "Get information about a stream", "5.0.0", cmdXInfoStream),
		"groups":    rsub("groups", 3, "List the consumer groups of a stream", "5.0.0", cmdXInfoGroups),
		"consumers": rsub("consumers", 4, "List the consumers in a consumer group", "5.0.0", cmdXInfoConsumers),
		"help": {Name: "help", Arity: 2, Flags: FlagLoading | FlagStale, ACL: []string{"stream", "slow"}, Group: g,
			Summary: "Show helpful text about the different subcommands", Since: "5.0.0", Handler: cmdXInfoHelp},
	}})
}

func cmdXInfoHelp(c *Ctx) {
	ReplyHelp(c, "XINFO", []string{
		"CONSUMERS <key> <groupname>",
		"    Show consumers of <groupname>.",
		"GROUPS <key>",
		"    Show the stream consumer groups.",
		"STREAM <key> [FULL [COUNT <count>]",
		"    Show information about the stream.",
	})
}

// xinfoStream looks XINFO's key up: "no such key" when absent.
func (c *Ctx) xinfoStream() (*stream, bool) {
	s, ok := c.readStream(c.Args[2])
	if ok && s == nil {
		c.Error(errNoSuchKey)
		return nil, false
	}
	return s, ok
}

func cmdXInfoStream(c *Ctx) {
	s, ok := c.xinfoStream()
	if !ok {
		return
	}
	opts := c.Args[3:]
	full, count := false, int64(10)
	if len(opts) > 0 {
		if (len(opts) != 1 && len(opts) != 3) || !eqFold(opts[0], "full") ||
			(len(opts) == 3 && !eqFold(opts[1], "count")) {
			c.SubcommandSyntaxError()
			return
		}
		full = true
		if len(opts) == 3 {
			n, valid := parseInt(opts[2])
			if !valid {
				c.Error(errNotInt)
				return
			}
			if n < 0 {
				n = 10
			}
			count = n
		}
	}
	m := &s.meta
	var first, last []streamEntry
	var entries []streamEntry
	var groups []groupInfo
	var err error
	if full {
		if entries, err = s.rangeEntries(minStreamID, maxStreamID, count, false); err == nil {
			groups, err = s.groupInfos(count)
		}
	} else if first, err = s.rangeEntries(minStreamID, maxStreamID, 1, false); err == nil {
		last, err = s.rangeEntries(minStreamID, maxStreamID, 1, true)
	}
	if err != nil {
		streamEngineError(c, err)
		return
	}
	r := c.R
	if full {
		r.Map(9)
	} else {
		r.Map(10)
	}
	r.BulkString("length")
	r.Int(int64(m.length))
	r.BulkString("radix-tree-keys")
	r.Int(int64(m.nodes))
	// Redis's radix tree node count is an artifact of its rax; keel has
	// none and reports the listpack node count plus the root.
	r.BulkString("radix-tree-nodes")
	r.Int(int64(m.nodes) + 1)
	r.BulkString("last-generated-id")
	replyStreamID(r, m.lastID)
	r.BulkString("max-deleted-entry-id")
	replyStreamID(r, m.maxDeleted)
	r.BulkString("entries-added")
	r.Int(int64(m.entriesAdded))
	r.BulkString("recorded-first-entry-id")
	replyStreamID(r, m.firstID)
	if !full {
		r.BulkString("groups")
		r.Int(int64(m.groups))
		r.BulkString("first-entry")
		replyEdge(r, first)
		r.BulkString("last-entry")
		replyEdge(r, last)
		return
	}
	r.BulkString("entries")
	replyEntries(r, entries)
	r.BulkString("groups")
	r.Array(len(groups))
	for _, g := range groups {
		r.Map(7)
		r.BulkString("name")
		r.Bulk(g.name)
		r.BulkString("last-delivered-id")
		replyStreamID(r, g.g.lastID)
		r.BulkString("entries-read")
		replyEntriesRead(r, g.g.entriesRead)
		r.BulkString("lag")
		replyLag(r, m, &g.g)
		r.BulkString("pel-count")
		r.Int(int64(g.g.pending))
		r.BulkString("pending")
		r.Array(len(g.pel))
		for _, p := range g.pel {
			r.Array(4)
			replyStreamID(r, p.id)
			r.Bulk(p.consumer)
			r.Int(p.deliveryTime)
			r.Int(int64(p.deliveryCount))
		}
		r.BulkString("consumers")
		r.Array(len(g.consumers))
		for _, cs := range g.consumers {
			r.Map(4)
			r.BulkString("name")
			r.Bulk(cs.name)
			r.BulkString("seen-time")
			r.Int(cs.cs.seenTime)
			r.BulkString("pel-count")
			r.Int(int64(cs.cs.pending))
			r.BulkString("pending")
			r.Array(len(cs.pel))
			for _, p := range cs.pel {
				r.Array(3)
				replyStreamID(r, p.id)
				r.Int(p.deliveryTime)
				r.Int(int64(p.deliveryCount))
			}
		}
	}
}

// replyEdge writes XINFO's first-entry/last-entry: the entry or null.
func replyEdge(r Reply, es []streamEntry) {
	if len(es) == 0 {
		r.Null()
		return
	}
	replyEntry(r, es[0])
}

func replyEntriesRead(r Reply, n int64) {
	if n == entriesReadInvalid {
		r.Null()
		return
	}
	r.Int(n)
}

func replyLag(r Reply, m *streamMeta, g *streamGroup) {
	if lag, ok := m.lag(g); ok {
		r.Int(lag)
		return
	}
	r.Null()
}

// groupInfo is one group as XINFO shows it.
type groupInfo struct {
	name      []byte
	g         streamGroup
	pel       []pendingEntry // up to the FULL count (0: all)
	consumers []consumerInfo
}

type consumerInfo struct {
	name []byte
	cs   streamConsumer
	pel  []pendingEntry
}

// groupInfos reads every group, with up to count (0: all) pending entries
// per group and per consumer when count >= 0 (FULL); count < 0 reads the
// groups and consumers only.
func (s *stream) groupInfos(count int64) ([]groupInfo, error) {
	var out []groupInfo
	err := scanRecords(s, []byte{subGroup}, []byte{subGroup + 1}, false, func(sub, v []byte) (groupInfo, error) {
		g, err := decodeStreamGroup(v)
		if err != nil {
			return groupInfo{}, fmt.Errorf("stream %q group %q: %w", s.key, sub[1:], err)
		}
		return groupInfo{name: bytes.Clone(sub[1:]), g: g}, nil
	}, func(gi groupInfo) bool {
		out = append(out, gi)
		return true
	})
	if err != nil || count < 0 {
		return out, err
	}
	for i := range out {
		gi := &out[i]
		gs := &groupState{s: s, name: gi.name, g: gi.g, consumers: map[string]*consumerState{}}
		if err := gs.pendingRange(minStreamID, maxStreamID, func(p pendingEntry) bool {
			gi.pel = append(gi.pel, p)
			return count == 0 || int64(len(gi.pel)) < count
		}); err != nil {
			return nil, err
		}
		if gi.consumers, err = gs.consumerInfos(); err != nil {
			return nil, err
		}
		for j := range gi.consumers {
			ci := &gi.consumers[j]
			var ids []streamID
			if err := gs.ownedRange(ci.name, minStreamID, maxStreamID, func(id streamID) bool {
				ids = append(ids, id)
				return count == 0 || int64(len(ids)) < count
			}); err != nil {
				return nil, err
			}
			for _, id := range ids {
				p, found, err := gs.pending(id)
				if err != nil {
					return nil, err
				}
				if found {
					ci.pel = append(ci.pel, p)
				}
			}
		}
	}
	return out, nil
}

// consumerInfos reads the group's consumers in name order.
func (gs *groupState) consumerInfos() ([]consumerInfo, error) {
	var out []consumerInfo
	cp := subGroupScoped(subConsumer, gs.name)
	err := scanRecords(gs.s, cp, prefixEnd(cp), false, func(sub, v []byte) (consumerInfo, error) {
		cs, err := decodeStreamConsumer(v)
		if err != nil {
			return consumerInfo{}, fmt.Errorf("stream %q consumer %q: %w", gs.s.key, sub[len(cp):], err)
		}
		return consumerInfo{name: bytes.Clone(sub[len(cp):]), cs: cs}, nil
	}, func(ci consumerInfo) bool {
		out = append(out, ci)
		return true
	})
	return out, err
}

func cmdXInfoGroups(c *Ctx) {
	s, ok := c.xinfoStream()
	if !ok {
		return
	}
	groups, err := s.groupInfos(-1)
	if err != nil {
		streamEngineError(c, err)
		return
	}
	r := c.R
	r.Array(len(groups))
	for _, g := range groups {
		r.Map(6)
		r.BulkString("name")
		r.Bulk(g.name)
		r.BulkString("consumers")
		r.Int(int64(g.g.consumers))
		r.BulkString("pending")
		r.Int(int64(g.g.pending))
		r.BulkString("last-delivered-id")
		replyStreamID(r, g.g.lastID)
		r.BulkString("entries-read")
		replyEntriesRead(r, g.g.entriesRead)
		r.BulkString("lag")
		replyLag(r, &s.meta, &g.g)
	}
}

func cmdXInfoConsumers(c *Ctx) {
	s, ok := c.xinfoStream()
	if !ok {
		return
	}
	gs, err := s.group(c.Args[3])
	if err != nil {
		streamEngineError(c, err)
		return
	}
	if gs == nil {
		c.Error(fmt.Sprintf("NOGROUP No such consumer group '%s' for key name '%s'", cstr(c.Args[3]), cstr(c.Args[2])))
		return
	}
	cons, err := gs.consumerInfos()
	if err != nil {
		streamEngineError(c, err)
		return
	}
	r := c.R
	r.Array(len(cons))
	for _, ci := range cons {
		r.Map(3)
		r.BulkString("name")
		r.Bulk(ci.name)
		r.BulkString("pending")
		r.Int(int64(ci.cs.pending))
		r.BulkString("idle")
		r.Int(max(c.Now-ci.cs.seenTime, 0))
	}
}
