package rdb

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"testing"
)

// Payloads in the encodings Redis 7.0 reads but no longer writes (linked
// lists, string scores, zipmaps, ziplists, ziplist quicklists, RDB 9
// streams) are built here, restored into the oracle, and Decode must show
// what the oracle's read commands show.

// rdbWriter builds payload bodies by hand.
type rdbWriter struct{ encoder }

func newRDBWriter() *rdbWriter { return &rdbWriter{encoder{opt: DefaultEncodeOptions()}} }

func (w *rdbWriter) raw(b ...byte) *rdbWriter { w.b = append(w.b, b...); return w }
func (w *rdbWriter) n(v uint64) *rdbWriter    { w.len(v); return w }
func (w *rdbWriter) str(s string) *rdbWriter {
	w.len(uint64(len(s)))
	w.b = append(w.b, s...)
	return w
}
func (w *rdbWriter) dbl(s string) *rdbWriter { // a string score: length byte, text
	w.b = append(append(w.b, byte(len(s))), s...)
	return w
}
func (w *rdbWriter) rdbStr(s string) *rdbWriter { w.rawString([]byte(s)); return w } // int/LZF encodings
func (w *rdbWriter) blob(b []byte) *rdbWriter {
	w.len(uint64(len(b)))
	w.b = append(w.b, b...)
	return w
}
func (w *rdbWriter) payload() []byte { return payload(w.b, Version) }

// zlEntry is a ziplist entry to build: a string, or an int with the
// encoding Redis's zipTryEncoding would pick.
type zlEntry struct {
	s     string
	i     int64
	isInt bool
}

func zs(s string) zlEntry { return zlEntry{s: s} }
func zi(i int64) zlEntry  { return zlEntry{i: i, isInt: true} }

func buildZiplist(entries ...zlEntry) []byte {
	b := make([]byte, zlHeaderSize)
	prev, tail := 0, zlHeaderSize
	for _, e := range entries {
		start := len(b)
		tail = start
		if prev < zlBigPrevlen {
			b = append(b, byte(prev))
		} else {
			b = append(b, zlBigPrevlen)
			b = binary.LittleEndian.AppendUint32(b, uint32(prev))
		}
		if !e.isInt {
			n := len(e.s)
			switch {
			case n < 64:
				b = append(b, byte(n))
			case n < 16384:
				b = append(b, byte(n>>8)|0x40, byte(n))
			default:
				b = append(b, 0x80)
				b = binary.BigEndian.AppendUint32(b, uint32(n))
			}
			b = append(b, e.s...)
		} else {
			v := e.i
			switch {
			case v >= 0 && v <= 12:
				b = append(b, zlImmMin+byte(v))
			case v >= math.MinInt8 && v <= math.MaxInt8:
				b = append(b, zlInt8, byte(v))
			case v >= math.MinInt16 && v <= math.MaxInt16:
				b = append(b, zlInt16)
				b = binary.LittleEndian.AppendUint16(b, uint16(v))
			case v >= -(1<<23) && v < 1<<23:
				b = append(b, zlInt24, byte(v), byte(v>>8), byte(v>>16))
			case v >= math.MinInt32 && v <= math.MaxInt32:
				b = append(b, zlInt32)
				b = binary.LittleEndian.AppendUint32(b, uint32(v))
			default:
				b = append(b, zlInt64)
				b = binary.LittleEndian.AppendUint64(b, uint64(v))
			}
		}
		prev = len(b) - start
	}
	b = append(b, zlEnd)
	binary.LittleEndian.PutUint32(b, uint32(len(b)))
	binary.LittleEndian.PutUint32(b[4:], uint32(tail))
	count := len(entries)
	if count > zlCountUnkown {
		count = zlCountUnkown
	}
	binary.LittleEndian.PutUint16(b[8:], uint16(count))
	return b
}

func buildZipmap(pairs ...string) []byte {
	b := []byte{byte(min(len(pairs)/2, zlBigPrevlen))}
	putLen := func(n int) {
		if n < zlBigPrevlen {
			b = append(b, byte(n))
		} else {
			b = append(b, zlBigPrevlen)
			b = binary.LittleEndian.AppendUint32(b, uint32(n))
		}
	}
	for i := 0; i < len(pairs); i += 2 {
		putLen(len(pairs[i]))
		b = append(b, pairs[i]...)
		putLen(len(pairs[i+1]))
		free := i % 3 // some values have unused bytes after them
		b = append(b, byte(free))
		b = append(b, pairs[i+1]...)
		b = append(b, make([]byte, free)...)
	}
	return append(b, zlEnd)
}

// encodeStreamV1 writes s as RDB_TYPE_STREAM_LISTPACKS (RDB 9): no first
// ID, max deleted ID, entries added or groups' entries read.
func encodeStreamV1(s *Stream) []byte {
	w := newRDBWriter()
	w.typ(TypeStreamListpacks)
	nodes := encodeStreamNodes(s.Entries, DefaultEncodeOptions())
	w.len(uint64(len(nodes)))
	var key [16]byte
	for _, n := range nodes {
		binary.BigEndian.PutUint64(key[:8], n.master.Ms)
		binary.BigEndian.PutUint64(key[8:], n.master.Seq)
		w.rawString(key[:])
		w.rawString(n.listpack())
	}
	w.len(s.Length)
	w.id(s.LastID)
	w.len(uint64(len(s.Groups)))
	for _, g := range s.Groups {
		w.rawString(g.Name)
		w.id(g.LastID)
		w.len(uint64(len(g.PEL)))
		for _, p := range g.PEL {
			w.rawID(p.ID)
			w.u64(uint64(p.DeliveryTimeMs))
			w.len(p.DeliveryCount)
		}
		w.len(uint64(len(g.Consumers)))
		for _, c := range g.Consumers {
			w.rawString(c.Name)
			w.u64(uint64(c.SeenTimeMs))
			w.len(uint64(len(c.PEL)))
			for _, id := range c.PEL {
				w.rawID(id)
			}
		}
	}
	return w.payload()
}

func TestOracleOldEncodings(t *testing.T) {
	o := newOracle(t)
	o.do("CONFIG", "SET", "sanitize-dump-payload", "yes")

	var bigZL []zlEntry
	for i := 0; i < 300; i++ {
		if i%2 == 0 {
			bigZL = append(bigZL, zs(fmt.Sprintf("%0*d", i, i)))
		} else {
			bigZL = append(bigZL, zi(int64(i)*int64(i)*int64(i)*1000003-1<<40))
		}
	}
	ints := []zlEntry{zi(0), zi(5), zi(12), zi(13), zi(-1), zi(127), zi(-128), zi(128), zi(32767), zi(-32769),
		zi(1 << 23), zi(-(1 << 23)), zi(math.MaxInt32), zi(math.MinInt32), zi(math.MaxInt64), zi(math.MinInt64)}
	var ql []byte
	{
		w := newRDBWriter()
		w.typ(TypeListQuicklist)
		w.n(4)
		w.blob(buildZiplist(zs("a"), zi(1)))
		w.blob(buildZiplist()) // empty nodes are skipped
		w.blob(buildZiplist(ints...))
		w.rdbStr(string(buildZiplist(zs(rep("c", 100)), zs(rep("c", 100)), zs(rep("c", 100))))) // LZF
		ql = w.payload()
	}
	var lp65535 []byte
	{
		w := newLPWriter(0)
		w.appendString([]byte("x"))
		w.appendString([]byte("12"))
		b := w.bytes()
		binary.LittleEndian.PutUint16(b[4:], lpNumeleUnknown) // count unknown: walk
		lp65535 = newRDBWriter().raw(TypeListQuicklist2).n(1).n(containerPacked).blob(b).payload()
	}

	cases := []struct {
		name string
		p    []byte
	}{
		{"linkedlist", newRDBWriter().raw(TypeList).n(4).str("a").rdbStr("123").rdbStr(rep("q", 50)).str("").payload()},
		{"set-ints", newRDBWriter().raw(TypeSet).n(3).str("3").rdbStr("-7").str("100000").payload()},
		{"set-mixed", newRDBWriter().raw(TypeSet).n(3).str("3").str("x").str("007").payload()},
		{"zset-strscores", newRDBWriter().raw(TypeZSet).n(8).
			str("a").dbl("1.5").
			str("b").raw(254).
			str("c").raw(255).
			str("d").dbl("-3").
			str("e").dbl("1e5").
			str("f").dbl(" 2").
			str("g").dbl("3abc").
			str("h").dbl("0.10000000000000001").payload()},
		{"zset2-unsorted", newRDBWriter().raw(TypeZSet2).n(3).
			str("z").raw(binary.LittleEndian.AppendUint64(nil, math.Float64bits(-1))...).
			str("a").raw(binary.LittleEndian.AppendUint64(nil, math.Float64bits(5))...).
			str("m").raw(binary.LittleEndian.AppendUint64(nil, math.Float64bits(math.Inf(1)))...).payload()},
		{"hash-intenc", newRDBWriter().raw(TypeHash).n(2).rdbStr("1").rdbStr("-300").rdbStr(rep("k", 30)).rdbStr("70000").payload()},
		{"zipmap", newRDBWriter().raw(TypeHashZipmap).blob(buildZipmap("a", "1", "bb", "", "", "x", rep("l", 300), rep("v", 260), "k", "v")).payload()},
		{"list-ziplist", newRDBWriter().raw(TypeListZiplist).blob(buildZiplist(append([]zlEntry{zs("s"), zs(rep("m", 70)), zs(rep("L", 17000))}, ints...)...)).payload()},
		{"list-ziplist-big", newRDBWriter().raw(TypeListZiplist).blob(buildZiplist(bigZL...)).payload()},
		{"zset-ziplist", newRDBWriter().raw(TypeZSetZiplist).blob(buildZiplist(zs("a"), zi(3), zs("b"), zs("1.5"), zi(7), zs("-inf"), zs("c"), zs("inf"))).payload()},
		{"hash-ziplist", newRDBWriter().raw(TypeHashZiplist).blob(buildZiplist(zs("f"), zs("v"), zi(12), zi(-99999), zs(""), zs(rep("w", 300)))).payload()},
		{"quicklist-ziplist", ql},
		{"listpack-count-unknown", lp65535},
	}

	// An RDB 9 stream: groups get estimated entries-read.
	s := &Stream{LastID: StreamID{40, 0}, EntriesAdded: 40}
	for i := 1; i <= 30; i++ {
		s.Entries = append(s.Entries, StreamEntry{ID: StreamID{uint64(i), 0}, Fields: bs("n", strconv.Itoa(i))})
	}
	s.Length = uint64(len(s.Entries))
	s.FirstID = s.Entries[0].ID
	s.Groups = []Group{
		{Name: []byte("g-at-last"), LastID: StreamID{40, 0}},
		{Name: []byte("g-before-first"), LastID: StreamID{0, 5}},
		{Name: []byte("g-at-first"), LastID: StreamID{1, 0}},
		{Name: []byte("g-middle"), LastID: StreamID{7, 0}, PEL: []PendingEntry{{ID: StreamID{3, 0}, DeliveryTimeMs: 1700000000000, DeliveryCount: 2}},
			Consumers: []Consumer{{Name: []byte("c"), SeenTimeMs: 1700000000001, PEL: []StreamID{{3, 0}}}}},
		{Name: []byte("g-future"), LastID: StreamID{50, 0}},
	}
	cases = append(cases, struct {
		name string
		p    []byte
	}{"stream-v1", encodeStreamV1(s)})
	empty := &Stream{LastID: StreamID{9, 9}, Groups: []Group{{Name: []byte("g"), LastID: StreamID{9, 9}}, {Name: []byte("h"), LastID: StreamID{1, 1}}}}
	cases = append(cases, struct {
		name string
		p    []byte
	}{"stream-v1-empty", encodeStreamV1(empty)})

	for _, c := range cases {
		key := "old:" + c.name
		if err := o.restore(key, c.p); err != nil {
			t.Errorf("%s: RESTORE: %v", c.name, err)
			continue
		}
		v, err := Decode(c.p)
		if err != nil {
			t.Errorf("%s: Decode: %v", c.name, err)
			continue
		}
		if got, want := describe(v), describe(o.content(key)); got != want {
			t.Errorf("%s: Decode differs from Redis:\n decoded: %.3000s\n redis:   %.3000s", c.name, got, want)
		}
		// And our payload of the decoded value restores to the same.
		if err := o.restore(key+":again", Encode(v, DefaultEncodeOptions())); err != nil {
			t.Errorf("%s: RESTORE of re-encoded: %v", c.name, err)
		} else if got, want := describe(o.content(key+":again")), describe(v); got != want {
			t.Errorf("%s: re-encoded differs:\n got:  %.3000s\n want: %.3000s", c.name, got, want)
		}
	}
}
