package rdb

import (
	"bytes"
	"encoding/binary"
	"math"
	"slices"
)

// Streams (src/t_stream.c, rdb.c). A stream is a radix tree of listpack
// nodes keyed by each node's master ID (16 bytes, ms then seq, big endian).
// A node's listpack starts with a master entry, then holds its entries:
//
//	master: count │ deleted │ num-fields │ field_1 … field_N │ 0
//	entry:  flags │ ms-diff │ seq-diff │ num-fields │ field_1 │ value_1 … │ lp-count
//	or, with STREAM_ITEM_FLAG_SAMEFIELDS (the master's fields, in order):
//	        flags │ ms-diff │ seq-diff │ value_1 … value_N │ lp-count
//
// Differences are to the master ID; lp-count is the number of listpack
// elements of the entry before it (3 + N, or 3 + 2N + 1 with fields).

// streamNode is one listpack node being built by encodeStreamNodes.
type streamNode struct {
	master StreamID
	fields [][]byte // the master entry's field names
	count  int      // entries so far (none deleted)
	body   *lpWriter
}

// lpBytes is the size the node's listpack has with the current count in its
// master entry: what streamAppendItem compares with stream-node-max-bytes.
func (n *streamNode) lpBytes() int {
	return n.body.size() + lpIntEntrySize(int64(n.count))
}

func (n *streamNode) listpack() []byte {
	w := newLPWriter(len(n.body.buf) + 9)
	w.appendInt(int64(n.count))
	w.buf = append(w.buf, n.body.buf[lpHeaderSize:]...)
	w.count += n.body.count
	return w.bytes()
}

// encodeStreamNodes packs entries into nodes as XADD of each entry in
// order does (streamAppendItem).
func encodeStreamNodes(entries []StreamEntry, opt EncodeOptions) []*streamNode {
	maxBytes := opt.StreamNodeMaxBytes
	if maxBytes <= 0 || maxBytes > listpackMaxSafetySize {
		maxBytes = listpackMaxSafetySize
	}
	var nodes []*streamNode
	var cur *streamNode
	for _, e := range entries {
		numFields := len(e.Fields) / 2
		total := 0
		for _, f := range e.Fields {
			total += len(f)
		}
		if cur != nil {
			if cur.lpBytes()+total >= maxBytes {
				cur = nil
			} else if opt.StreamNodeMaxEntries > 0 && cur.count >= opt.StreamNodeMaxEntries {
				cur = nil
			}
		}
		flags := int64(0)
		if cur == nil {
			cur = &streamNode{master: e.ID, body: newLPWriter(64)}
			// The master entry without its count: deleted, fields, 0.
			cur.body.appendInt(0)
			cur.body.appendInt(int64(numFields))
			for i := 0; i < numFields; i++ {
				cur.fields = append(cur.fields, e.Fields[2*i])
				cur.body.appendString(e.Fields[2*i])
			}
			cur.body.appendInt(0)
			nodes = append(nodes, cur)
			flags = streamFlagSameFields
		} else if numFields == len(cur.fields) {
			same := true
			for i := 0; i < numFields && same; i++ {
				same = bytes.Equal(e.Fields[2*i], cur.fields[i])
			}
			if same {
				flags = streamFlagSameFields
			}
		}
		cur.count++
		w := cur.body
		w.appendInt(flags)
		w.appendInt(int64(e.ID.Ms - cur.master.Ms))
		w.appendInt(int64(e.ID.Seq - cur.master.Seq))
		if flags&streamFlagSameFields == 0 {
			w.appendInt(int64(numFields))
		}
		for i := 0; i < numFields; i++ {
			if flags&streamFlagSameFields == 0 {
				w.appendString(e.Fields[2*i])
			}
			w.appendString(e.Fields[2*i+1])
		}
		lpCount := int64(numFields + 3)
		if flags&streamFlagSameFields == 0 {
			lpCount += int64(numFields + 1)
		}
		w.appendInt(lpCount)
	}
	return nodes
}

func (e *encoder) stream(s *Stream) {
	nodes := encodeStreamNodes(s.Entries, e.opt)
	e.len(uint64(len(nodes)))
	var key [16]byte
	for _, n := range nodes {
		binary.BigEndian.PutUint64(key[:8], n.master.Ms)
		binary.BigEndian.PutUint64(key[8:], n.master.Seq)
		e.rawString(key[:])
		e.rawString(n.listpack())
	}
	e.len(s.Length)
	e.id(s.LastID)
	e.id(s.FirstID)
	e.id(s.MaxDeletedID)
	e.len(s.EntriesAdded)

	// Groups, consumers and PELs are radix trees: saved in key order.
	groups := slices.Clone(s.Groups)
	slices.SortFunc(groups, func(a, b Group) int { return bytes.Compare(a.Name, b.Name) })
	e.len(uint64(len(groups)))
	for _, g := range groups {
		e.rawString(g.Name)
		e.id(g.LastID)
		e.len(uint64(g.EntriesRead))
		pel := slices.Clone(g.PEL)
		slices.SortFunc(pel, func(a, b PendingEntry) int { return a.ID.Compare(b.ID) })
		e.len(uint64(len(pel)))
		for _, p := range pel {
			e.rawID(p.ID)
			e.u64(uint64(p.DeliveryTimeMs))
			e.len(p.DeliveryCount)
		}
		cons := slices.Clone(g.Consumers)
		slices.SortFunc(cons, func(a, b Consumer) int { return bytes.Compare(a.Name, b.Name) })
		e.len(uint64(len(cons)))
		for _, c := range cons {
			e.rawString(c.Name)
			e.u64(uint64(c.SeenTimeMs))
			if e.streamV3 { // tests: an RDB 11 stream, active time = seen time
				e.u64(uint64(c.SeenTimeMs))
			}
			ids := slices.Clone(c.PEL)
			slices.SortFunc(ids, StreamID.Compare)
			e.len(uint64(len(ids)))
			for _, id := range ids {
				e.rawID(id)
			}
		}
	}
}

func (e *encoder) id(id StreamID) {
	e.len(id.Ms)
	e.len(id.Seq)
}

func (e *encoder) rawID(id StreamID) {
	e.b = binary.BigEndian.AppendUint64(e.b, id.Ms)
	e.b = binary.BigEndian.AppendUint64(e.b, id.Seq)
}

// stream decodes RDB_TYPE_STREAM_LISTPACKS and _2 as rdbLoadObject does,
// plus the checks Redis makes only with sanitize-dump-payload yes
// (streamValidateListpackIntegrity, PEL entries without consumer) and a few
// it never makes but a stream built by XADD always satisfies: entries
// ascending, Length equal to the live entries, no entry after LastID.
func (d *decoder) stream(typ byte) (*Value, error) {
	at := d.pos
	nNodes, err := d.readCount("stream node", 18) // 16-byte key and a listpack
	if err != nil {
		return nil, err
	}
	type node struct {
		master StreamID
		lp     []byte
		at     int
	}
	if err := d.reserve(nNodes, costNode); err != nil {
		return nil, err
	}
	nodes := make([]node, 0, nNodes)
	for i := 0; i < nNodes; i++ {
		kat := d.pos
		key, _, err := d.readString()
		if err != nil {
			return nil, err
		}
		if len(key) != 16 {
			return nil, d.fail(kat, "stream node key of %d bytes, not the size of a stream ID", len(key))
		}
		master := StreamID{binary.BigEndian.Uint64(key), binary.BigEndian.Uint64(key[8:])}
		lp, lat, err := d.readBlob()
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, node{master, lp, lat})
	}
	s := &Stream{}
	if s.Length, err = d.readPlainLen(); err != nil {
		return nil, err
	}
	if s.LastID, err = d.readID(); err != nil {
		return nil, err
	}
	if typ == TypeStreamListpacks2 {
		if s.FirstID, err = d.readID(); err != nil {
			return nil, err
		}
		if s.MaxDeletedID, err = d.readID(); err != nil {
			return nil, err
		}
		if s.EntriesAdded, err = d.readPlainLen(); err != nil {
			return nil, err
		}
	}

	// The radix tree orders nodes by key and refuses a key twice.
	slices.SortStableFunc(nodes, func(a, b node) int { return a.master.Compare(b.master) })
	var live uint64
	for i, n := range nodes {
		if i > 0 && nodes[i-1].master == n.master {
			return nil, d.fail(n.at, "stream node %v twice", n.master)
		}
		err := d.streamNode(n.lp, n.master, n.at, func(e StreamEntry) error {
			if k := len(s.Entries); k > 0 && s.Entries[k-1].ID.Compare(e.ID) >= 0 {
				return d.fail(n.at, "stream entry %v not after %v", e.ID, s.Entries[k-1].ID)
			}
			if err := d.charge(costEntry); err != nil {
				return err
			}
			if s.Entries == nil {
				// Length says how many; an entry takes at least 8 bytes.
				c := min(int(min(s.Length, uint64(len(d.buf)))), len(d.buf)/8+1)
				if err := d.reserve(c, costEntry); err != nil {
					return err
				}
				s.Entries = make([]StreamEntry, 0, c)
			}
			s.Entries = append(s.Entries, e)
			live++
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if live != s.Length {
		return nil, d.fail(at, "stream length %d but %d entries", s.Length, live)
	}
	if k := len(s.Entries); k > 0 && s.Entries[k-1].ID.Compare(s.LastID) > 0 {
		return nil, d.fail(at, "stream entry %v after the last ID %v", s.Entries[k-1].ID, s.LastID)
	}
	if typ == TypeStreamListpacks {
		// RDB 9 streams have no such metadata; Redis derives it.
		s.MaxDeletedID = StreamID{}
		s.EntriesAdded = s.Length
		if len(s.Entries) > 0 {
			s.FirstID = s.Entries[0].ID
		} else {
			s.FirstID = StreamID{math.MaxUint64, math.MaxUint64} // streamGetEdgeID on an empty stream
		}
	}

	nGroups, err := d.readCount("consumer group", 5)
	if err != nil {
		return nil, err
	}
	if err := d.reserve(nGroups, costGroup+costMapEntry); err != nil {
		return nil, err
	}
	if nGroups > 0 {
		s.Groups = make([]Group, 0, nGroups)
	}
	gseen := make(uniq, nGroups)
	for i := 0; i < nGroups; i++ {
		gat := d.pos
		name, err := d.readElem()
		if err != nil {
			return nil, err
		}
		if ok, err := d.seen(gseen, name); err != nil {
			return nil, err
		} else if !ok {
			return nil, d.fail(gat, "duplicate consumer group %q", name)
		}
		g := Group{Name: name}
		if g.LastID, err = d.readID(); err != nil {
			return nil, err
		}
		if typ == TypeStreamListpacks2 {
			n, err := d.readPlainLen()
			if err != nil {
				return nil, err
			}
			g.EntriesRead = int64(n)
		} else {
			g.EntriesRead = estimateEntriesRead(s, g.LastID)
		}
		if err := d.group(&g); err != nil {
			return nil, err
		}
		s.Groups = append(s.Groups, g)
	}
	return &Value{Kind: KindStream, Stream: s}, nil
}

func (d *decoder) readID() (StreamID, error) {
	ms, err := d.readPlainLen()
	if err != nil {
		return StreamID{}, err
	}
	seq, err := d.readPlainLen()
	return StreamID{ms, seq}, err
}

func (d *decoder) readRawID() (StreamID, error) {
	p, err := d.readN(16)
	if err != nil {
		return StreamID{}, err
	}
	return StreamID{binary.BigEndian.Uint64(p), binary.BigEndian.Uint64(p[8:])}, nil
}

// group reads a group's PEL and consumers, resolving each consumer's PEL
// IDs in the group's PEL as rdbLoadObject does.
func (d *decoder) group(g *Group) error {
	nPEL, err := d.readCount("PEL entry", 25) // 16-byte ID, 8-byte time, count
	if err != nil {
		return err
	}
	if nPEL > 0 {
		if err := d.charge(nPEL * (costPEL + costMapEntry)); err != nil {
			return err
		}
		g.PEL = make([]PendingEntry, 0, nPEL)
	}
	owned := make(map[StreamID]bool, nPEL)
	for i := 0; i < nPEL; i++ {
		pat := d.pos
		id, err := d.readRawID()
		if err != nil {
			return err
		}
		t, err := d.readN(8)
		if err != nil {
			return err
		}
		count, err := d.readPlainLen()
		if err != nil {
			return err
		}
		if _, dup := owned[id]; dup {
			return d.fail(pat, "group %q: PEL entry %v twice", g.Name, id)
		}
		owned[id] = false
		g.PEL = append(g.PEL, PendingEntry{ID: id, DeliveryTimeMs: int64(binary.LittleEndian.Uint64(t)), DeliveryCount: count})
	}
	nCons, err := d.readCount("consumer", 10) // name, 8-byte time, count
	if err != nil {
		return err
	}
	if err := d.reserve(nCons, costCons+costMapEntry); err != nil {
		return err
	}
	if nCons > 0 {
		g.Consumers = make([]Consumer, 0, nCons)
	}
	cseen := make(uniq, nCons)
	for i := 0; i < nCons; i++ {
		cat := d.pos
		name, err := d.readElem()
		if err != nil {
			return err
		}
		if ok, err := d.seen(cseen, name); err != nil {
			return err
		} else if !ok {
			return d.fail(cat, "group %q: duplicate consumer %q", g.Name, name)
		}
		t, err := d.readN(8)
		if err != nil {
			return err
		}
		c := Consumer{Name: name, SeenTimeMs: int64(binary.LittleEndian.Uint64(t))}
		if d.activeTimes {
			// Redis 7.2's active time: keel's value model has no place for
			// it (Redis 7.0's XINFO does not show it).
			if _, err := d.readN(8); err != nil {
				return err
			}
		}
		if err := d.charge(costCons); err != nil {
			return err
		}
		n, err := d.readCount("consumer PEL entry", 16)
		if err != nil {
			return err
		}
		if n > 0 {
			if err := d.charge(n * costID); err != nil {
				return err
			}
			c.PEL = make([]StreamID, 0, n)
		}
		for j := 0; j < n; j++ {
			iat := d.pos
			id, err := d.readRawID()
			if err != nil {
				return err
			}
			taken, ok := owned[id]
			if !ok {
				return d.fail(iat, "group %q consumer %q: %v not in the group PEL", g.Name, name, id)
			}
			if taken {
				return d.fail(iat, "group %q: PEL entry %v owned twice", g.Name, id)
			}
			owned[id] = true
			c.PEL = append(c.PEL, id)
		}
		g.Consumers = append(g.Consumers, c)
	}
	for _, p := range g.PEL {
		if !owned[p.ID] {
			return d.fail(d.pos, "group %q: PEL entry %v without consumer", g.Name, p.ID)
		}
	}
	return nil
}

// streamNode walks one node's listpack as streamValidateListpackIntegrity
// does and calls emit for each entry not flagged deleted.
func (d *decoder) streamNode(lp []byte, master StreamID, at int, emit func(StreamEntry) error) error {
	it, err := newLPIter(lp)
	if err != nil {
		return d.blobFail(at, "stream listpack", err)
	}
	bad := func(why string) error { return d.fail(at, "stream listpack of node %v: %s", master, why) }
	next := func(what string) (lpEntry, error) {
		e, ok, err := it.next()
		if err != nil {
			return e, d.blobFail(at, "stream listpack", err)
		}
		if !ok {
			return e, bad("missing " + what)
		}
		return e, nil
	}
	nextInt := func(what string) (int64, error) {
		e, err := next(what)
		if err != nil {
			return 0, err
		}
		v, ok := e.asInt()
		if !ok {
			return 0, bad(what + " is not an integer")
		}
		return v, nil
	}
	if len(lp) == lpHeaderSize+1 {
		return d.fail(at, "empty listpack inside stream")
	}
	count, err := nextInt("entry count")
	if err != nil {
		return err
	}
	deleted, err := nextInt("deleted count")
	if err != nil {
		return err
	}
	nMaster, err := nextInt("master field count")
	if err != nil {
		return err
	}
	// Each field takes at least 2 bytes: a count beyond that is corrupt.
	if nMaster < 0 || nMaster > int64(len(lp)/2) {
		return bad("master field count out of range")
	}
	if err := d.charge(int(nMaster) * costLPEntry); err != nil {
		return err
	}
	masterFields := make([]lpEntry, nMaster)
	for j := range masterFields {
		if masterFields[j], err = next("master field"); err != nil {
			return err
		}
	}
	if z, err := nextInt("master entry terminator"); err != nil {
		return err
	} else if z != 0 {
		return bad("master entry terminator is not 0")
	}
	if count < 0 || deleted < 0 || count+deleted < 0 || count+deleted > int64(len(lp)) {
		return bad("entry counts out of range")
	}
	// Master field names are shared by the entries that use them.
	var masterNames [][]byte
	for k := int64(0); k < count+deleted; k++ {
		flags, err := nextInt("entry flags")
		if err != nil {
			return err
		}
		msDiff, err := nextInt("entry ms-diff")
		if err != nil {
			return err
		}
		seqDiff, err := nextInt("entry seq-diff")
		if err != nil {
			return err
		}
		same := flags&streamFlagSameFields != 0
		n := nMaster
		if !same {
			if n, err = nextInt("entry field count"); err != nil {
				return err
			}
			if n < 0 || n > int64(len(lp)/4) { // a name and a value take at least 4 bytes
				return bad("entry field count out of range")
			}
		}
		live := flags&streamFlagDeleted == 0
		e := StreamEntry{ID: StreamID{master.Ms + uint64(msDiff), master.Seq + uint64(seqDiff)}}
		if live && n > 0 {
			if err := d.charge(int(2 * n * costSlice)); err != nil {
				return err
			}
			e.Fields = make([][]byte, 0, 2*n)
		}
		if live && same && masterNames == nil && nMaster > 0 {
			if err := d.reserve(int(nMaster), costSlice); err != nil {
				return err
			}
			masterNames = make([][]byte, nMaster)
			for j, f := range masterFields {
				if masterNames[j], err = d.entryBytes(f); err != nil {
					return err
				}
			}
		}
		for j := 0; j < int(n); j++ {
			var name []byte
			if same {
				if live {
					name = masterNames[j]
				}
			} else {
				ne, err := next("entry field")
				if err != nil {
					return err
				}
				if live {
					if name, err = d.entryBytes(ne); err != nil {
						return err
					}
				}
			}
			ve, err := next("entry value")
			if err != nil {
				return err
			}
			if live {
				value, err := d.entryBytes(ve)
				if err != nil {
					return err
				}
				e.Fields = append(e.Fields, name, value)
			}
		}
		lpCount, err := nextInt("entry lp-count")
		if err != nil {
			return err
		}
		want := n + 3
		if !same {
			want += n + 1
		}
		if lpCount != want {
			return bad("entry lp-count does not match its fields")
		}
		if live {
			if err := emit(e); err != nil {
				return err
			}
		}
	}
	if _, ok, err := it.next(); err != nil {
		return d.blobFail(at, "stream listpack", err)
	} else if ok {
		return bad("elements after the last entry")
	}
	return nil
}

// estimateEntriesRead is streamEstimateDistanceFromFirstEverEntry, which
// Redis uses for a group loaded from an RDB 9 stream (no entries_read saved).
func estimateEntriesRead(s *Stream, id StreamID) int64 {
	if s.EntriesAdded == 0 {
		return 0
	}
	if s.Length == 0 && id.Compare(s.LastID) < 1 {
		return int64(s.EntriesAdded)
	}
	switch c := id.Compare(s.LastID); {
	case c == 0:
		return int64(s.EntriesAdded)
	case c > 0:
		return EntriesReadUnknown
	}
	zero := StreamID{}
	if s.MaxDeletedID == zero || s.MaxDeletedID.Compare(s.FirstID) < 0 {
		switch c := id.Compare(s.FirstID); {
		case c < 0:
			return int64(s.EntriesAdded - s.Length)
		case c == 0:
			return int64(s.EntriesAdded - s.Length + 1)
		}
	}
	return EntriesReadUnknown
}
