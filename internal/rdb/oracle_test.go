package rdb

import (
	"fmt"
	"math"
	"math/rand"
	"strconv"
	"strings"
	"testing"
)

// Differential tests against redis-server 7.0: every value is built in the
// oracle with its natural commands, then checkRoundTrip compares DUMP,
// Decode, Encode and RESTORE (see there).

func bs(ss ...string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

// randBytes is deterministic noise: incompressible, binary.
func randBytes(seed int64, n int) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(seed)).Read(b)
	return b
}

func rep(s string, n int) string { return strings.Repeat(s, n) }

// intBoundaries are the integers at every encoding boundary: RDB int8/16/32,
// listpack 7/13/16/24/32/64-bit, intset 16/32/64-bit.
var intBoundaries = []string{
	"0", "1", "-1", "127", "128", "-128", "-129", "255", "256",
	"4095", "4096", "-4096", "-4097", "32767", "32768", "-32768", "-32769",
	"8388607", "8388608", "-8388608", "-8388609",
	"2147483647", "2147483648", "-2147483648", "-2147483649",
	"9223372036854775807", "-9223372036854775808",
}

// notInts look like integers but are not canonical, so Redis keeps them as
// strings.
var notInts = []string{"-0", "007", "+1", " 1", "1 ", "0x10", "1.5", "1e5", "00", "-",
	"9223372036854775808", "-9223372036854775809", "12345678901234567890"}

func TestOracleStrings(t *testing.T) {
	o := newOracle(t)
	cases := append(append([]string{}, intBoundaries...), notInts...)
	cases = append(cases,
		"", "a", "hello", "12345678901", "1234567890",
		rep("a", 20), rep("a", 21), rep("ab", 11), string(randBytes(1, 21)), string(randBytes(2, 20)),
		rep("x", 44), rep("x", 45), "\x00\xff\r\n\x01", rep("abc", 4000), string(randBytes(3, 5000)),
		rep("0123456789", 3), "-"+rep("1", 20),
	)
	for _, comp := range []bool{true, false} {
		opt := DefaultEncodeOptions()
		opt.Compression = comp
		o.configure(opt)
		for i, s := range cases {
			key := fmt.Sprintf("s:%v:%d", comp, i)
			o.do("SET", key, s)
			checkRoundTrip(t, o, key, &Value{Kind: KindString, Str: []byte(s)}, opt, true)
		}
	}
	// APPEND leaves a raw string where SET would have made an int: the
	// payload is the same.
	o.configure(DefaultEncodeOptions())
	o.do("SET", "app", "12")
	o.do("APPEND", "app", "34")
	if got, want := o.dump("app"), Encode(&Value{Kind: KindString, Str: []byte("1234")}, DefaultEncodeOptions()); string(got) != string(want) {
		t.Errorf("APPEND: DUMP %x, Encode %x", got, want)
	}
}

func TestOracleLists(t *testing.T) {
	o := newOracle(t)
	type listCase struct {
		name  string
		elems [][]byte
	}
	var many, big, mixed, huge [][]byte
	for i := 0; i < 3000; i++ {
		many = append(many, []byte(fmt.Sprintf("element-%d", i)))
	}
	for i := 0; i < 40; i++ {
		big = append(big, []byte(rep(strconv.Itoa(i%10), 100+i*37)))
	}
	for i := 0; i < 500; i++ {
		switch i % 4 {
		case 0:
			mixed = append(mixed, []byte(strconv.Itoa(i*i-10000)))
		case 1:
			mixed = append(mixed, randBytes(int64(i), i%70))
		case 2:
			mixed = append(mixed, []byte(intBoundaries[i%len(intBoundaries)]))
		default:
			mixed = append(mixed, []byte(""))
		}
	}
	for i := 0; i < 6; i++ {
		huge = append(huge, []byte(rep(string(rune('a'+i)), 9000+i)), []byte("x"))
	}
	cases := []listCase{
		{"one", bs("a")},
		{"ints", bs(intBoundaries...)},
		{"notints", bs(notInts...)},
		{"strlens", bs("", rep("a", 63), rep("b", 64), rep("c", 4095), rep("d", 4096), rep("e", 16383), rep("f", 16384))},
		{"many", many},
		{"big", big},
		{"mixed", mixed},
		{"huge", huge},
	}
	configs := []struct {
		name string
		edit func(*EncodeOptions)
	}{
		{"default", func(*EncodeOptions) {}},
		{"nocomp", func(o *EncodeOptions) { o.Compression = false }},
		{"depth1", func(o *EncodeOptions) { o.ListCompressDepth = 1 }},
		{"depth2nocomp", func(o *EncodeOptions) { o.ListCompressDepth = 2; o.Compression = false }},
		{"fill5", func(o *EncodeOptions) { o.ListMaxListpackSize = 5 }},
		{"fill-1", func(o *EncodeOptions) { o.ListMaxListpackSize = -1 }},
		{"fill-5", func(o *EncodeOptions) { o.ListMaxListpackSize = -5; o.ListCompressDepth = 1 }},
		{"plain", func(o *EncodeOptions) { o.ListPackedThreshold = 100; o.ListCompressDepth = 1 }},
	}
	for _, cfg := range configs {
		opt := DefaultEncodeOptions()
		cfg.edit(&opt)
		o.configure(opt)
		for _, c := range cases {
			key := "l:" + cfg.name + ":" + c.name
			// One RPUSH per element, and one RPUSH with all of them: the
			// same quicklist.
			for _, e := range c.elems {
				o.do("RPUSH", key, e)
			}
			checkRoundTrip(t, o, key, &Value{Kind: KindList, Elems: c.elems}, opt, true)
			args := []any{"RPUSH", key + ":1"}
			for _, e := range c.elems {
				args = append(args, e)
			}
			o.do(args...)
			checkRoundTrip(t, o, key+":1", &Value{Kind: KindList, Elems: c.elems}, opt, true)
		}
	}
}

func TestOracleSets(t *testing.T) {
	o := newOracle(t)
	var ints513, strs []string
	for i := 0; i < 513; i++ {
		ints513 = append(ints513, strconv.Itoa(i*7919-1000000))
	}
	for i := 0; i < 300; i++ {
		strs = append(strs, fmt.Sprintf("member:%d", i))
	}
	cases := []struct {
		name    string
		members []string
		ordered bool // intset: Redis's bytes are a function of the content
	}{
		{"small", []string{"3", "1", "2"}, true},
		{"neg", []string{"-5", "5", "0", "-1"}, true},
		{"w16", []string{"32767", "-32768", "1"}, true},
		{"w32", []string{"32768", "1", "-1"}, true},
		{"w32neg", []string{"-32769", "2147483647", "-2147483648"}, true},
		{"w64", []string{"2147483648", "1"}, true},
		{"w64b", []string{"-9223372036854775808", "9223372036854775807", "0"}, true},
		{"512", ints513[:512], true},
		{"513", ints513, false},
		{"minus0", []string{"1", "-0"}, false},
		{"lead0", []string{"007", "7"}, false},
		{"strs", strs, false},
		{"empty-member", []string{"", "1"}, false},
		{"binary", []string{"\x00", "\xff\xfe", rep("z", 100)}, false},
	}
	for _, comp := range []bool{true, false} {
		opt := DefaultEncodeOptions()
		opt.Compression = comp
		o.configure(opt)
		for _, c := range cases {
			key := fmt.Sprintf("set:%v:%s", comp, c.name)
			for _, m := range c.members {
				o.do("SADD", key, m)
			}
			checkRoundTrip(t, o, key, &Value{Kind: KindSet, Elems: bs(c.members...)}, opt, c.ordered)
		}
	}
	// set-max-intset-entries boundary with a small setting.
	opt := DefaultEncodeOptions()
	opt.SetMaxIntsetEntries = 3
	o.configure(opt)
	o.do("SADD", "set:max3", 1, 2, 3)
	checkRoundTrip(t, o, "set:max3", &Value{Kind: KindSet, Elems: bs("1", "2", "3")}, opt, true)
	o.do("SADD", "set:max4", 1, 2, 3, 4)
	checkRoundTrip(t, o, "set:max4", &Value{Kind: KindSet, Elems: bs("1", "2", "3", "4")}, opt, false)
}

func TestOracleHashes(t *testing.T) {
	o := newOracle(t)
	field := func(n int) []Field {
		var h []Field
		for i := 0; i < n; i++ {
			h = append(h, Field{Name: []byte(fmt.Sprintf("f%d", i)), Value: []byte(strconv.Itoa(i * 1000))})
		}
		return h
	}
	var ints []Field
	for i, s := range intBoundaries {
		ints = append(ints, Field{Name: []byte(s), Value: []byte(intBoundaries[len(intBoundaries)-1-i])})
	}
	cases := []struct {
		name string
		h    []Field
	}{
		{"one", []Field{{[]byte("a"), []byte("b")}}},
		{"ints", ints},
		{"empty", []Field{{[]byte(""), []byte("")}, {[]byte("x"), []byte("")}}},
		{"128", field(128)},
		{"129", field(129)},
		{"val64", []Field{{[]byte("k"), []byte(rep("v", 64))}, {[]byte(rep("n", 64)), []byte("1")}}},
		{"val65", []Field{{[]byte("k"), []byte(rep("v", 65))}}},
		{"name65", []Field{{[]byte(rep("n", 65)), []byte("v")}}},
		{"compressible", []Field{{[]byte("a"), []byte(rep("ab", 30))}, {[]byte("b"), []byte(rep("ab", 30))}}},
		{"binary", []Field{{randBytes(5, 30), randBytes(6, 40)}}},
		{"big", field(1000)},
	}
	for _, comp := range []bool{true, false} {
		opt := DefaultEncodeOptions()
		opt.Compression = comp
		o.configure(opt)
		for _, c := range cases {
			key := fmt.Sprintf("h:%v:%s", comp, c.name)
			for _, f := range c.h {
				o.do("HSET", key, f.Name, f.Value)
			}
			v := &Value{Kind: KindHash, Hash: c.h}
			checkRoundTrip(t, o, key, v, opt, hashUsesListpack(c.h, opt))
		}
	}
	// HSET of an existing field keeps its listpack position.
	opt := DefaultEncodeOptions()
	o.configure(opt)
	o.do("HSET", "h:update", "a", "1", "b", "2", "c", "3")
	o.do("HSET", "h:update", "a", "changed")
	checkRoundTrip(t, o, "h:update", &Value{Kind: KindHash, Hash: []Field{
		{[]byte("a"), []byte("changed")}, {[]byte("b"), []byte("2")}, {[]byte("c"), []byte("3")}}}, opt, true)
}

func TestOracleZSets(t *testing.T) {
	o := newOracle(t)
	scores := []float64{0, math.Copysign(0, -1), 1, -1, 1.5, 0.1, -0.1, 1e300, -1e300, math.Inf(1), math.Inf(-1),
		4503599627370496, 4503599627370495, -4503599627370495, -4503599627370496, 1e17, 123456789012345678, 5e-324,
		2147483647, 2147483648, -9.25, 1e-5, 3.14159}
	var varied []ZMember
	for i, s := range scores {
		varied = append(varied, ZMember{Member: []byte(fmt.Sprintf("m%02d", i)), Score: s})
	}
	series := func(n int, memberLen int) []ZMember {
		var z []ZMember
		for i := 0; i < n; i++ {
			m := fmt.Sprintf("%0*d", memberLen, i)
			z = append(z, ZMember{Member: []byte(m), Score: float64((i * 37) % 11)})
		}
		return z
	}
	cases := []struct {
		name string
		z    []ZMember
	}{
		{"one", []ZMember{{[]byte("a"), 1}}},
		{"varied", varied},
		{"ties", []ZMember{{[]byte("b"), 1}, {[]byte("a"), 1}, {[]byte("c"), 0}, {[]byte(""), 1}}},
		{"intmembers", []ZMember{{[]byte("1"), 2}, {[]byte("-5"), 2}, {[]byte("100000"), 0.5}}},
		{"128", series(128, 3)},
		{"129", series(129, 3)},
		{"member64", series(5, 64)},
		{"member65", series(5, 65)},
		{"bigskip", series(700, 8)},
	}
	for _, comp := range []bool{true, false} {
		opt := DefaultEncodeOptions()
		opt.Compression = comp
		o.configure(opt)
		for _, c := range cases {
			key := fmt.Sprintf("z:%v:%s", comp, c.name)
			for _, m := range c.z {
				o.do("ZADD", key, strconv.FormatFloat(m.Score, 'g', -1, 64), m.Member)
			}
			z := c.z
			if zsetUsesListpack(z, opt) {
				z = listpackScores(z)
			}
			checkRoundTrip(t, o, key, &Value{Kind: KindZSet, ZSet: z}, opt, true)
		}
	}
	// Varied scores through a skiplist: one converted from a listpack (which
	// turned -0 into 0), one a skiplist from the start (which keeps -0).
	opt := DefaultEncodeOptions()
	opt.ZSetMaxListpackEntries = 4
	o.configure(opt)
	for _, m := range varied {
		o.do("ZADD", "z:skipvaried", strconv.FormatFloat(m.Score, 'g', -1, 64), m.Member)
	}
	checkRoundTrip(t, o, "z:skipvaried", &Value{Kind: KindZSet, ZSet: listpackScores(varied)}, opt, true)
	opt.ZSetMaxListpackEntries = 0
	o.configure(opt)
	for _, m := range varied {
		o.do("ZADD", "z:skipdirect", strconv.FormatFloat(m.Score, 'g', -1, 64), m.Member)
	}
	checkRoundTrip(t, o, "z:skipdirect", &Value{Kind: KindZSet, ZSet: varied}, opt, true)
}

// listpackScores is what a listpack keeps of scores: -0 becomes 0.
func listpackScores(z []ZMember) []ZMember {
	out := make([]ZMember, len(z))
	for i, m := range z {
		if m.Score == 0 {
			m.Score = 0
		}
		out[i] = m
	}
	return out
}

// streamBuilder XADDs entries to the oracle and records them.
type streamBuilder struct {
	o       *redisOracle
	key     string
	entries []StreamEntry
}

func (b *streamBuilder) add(id StreamID, fields ...string) {
	args := []any{"XADD", b.key, id.String()}
	for _, f := range fields {
		args = append(args, f)
	}
	b.o.do(args...)
	b.entries = append(b.entries, StreamEntry{ID: id, Fields: bs(fields...)})
}

// want is the built entries (minus deleted IDs) with the metadata and groups
// Redis shows: times of deliveries are Redis's to choose.
func (b *streamBuilder) want(deleted ...StreamID) *Value {
	s := b.o.streamContent(b.key)
	s.Entries = nil
	for _, e := range b.entries {
		gone := false
		for _, d := range deleted {
			gone = gone || d == e.ID
		}
		if !gone {
			s.Entries = append(s.Entries, e)
		}
	}
	return &Value{Kind: KindStream, Stream: s}
}

func TestOracleStreams(t *testing.T) {
	o := newOracle(t)
	configs := []struct {
		name string
		edit func(*EncodeOptions)
	}{
		{"default", func(*EncodeOptions) {}},
		{"nocomp", func(o *EncodeOptions) { o.Compression = false }},
		{"bytes200", func(o *EncodeOptions) { o.StreamNodeMaxBytes = 200 }},
		{"entries7", func(o *EncodeOptions) { o.StreamNodeMaxEntries = 7 }},
		{"nolimits", func(o *EncodeOptions) { o.StreamNodeMaxEntries = 0; o.StreamNodeMaxBytes = 0 }},
	}
	for _, cfg := range configs {
		opt := DefaultEncodeOptions()
		cfg.edit(&opt)
		o.configure(opt)
		k := func(name string) *streamBuilder { return &streamBuilder{o: o, key: "x:" + cfg.name + ":" + name} }

		simple := k("simple")
		simple.add(StreamID{1, 1}, "a", "1", "b", "2")
		simple.add(StreamID{1, 2}, "a", "3", "b", "4")
		simple.add(StreamID{1, 3}, "c", "5")
		simple.add(StreamID{2, 0}, "a", "x", "b", "y")
		simple.add(StreamID{3, 5}, "a", "1")
		simple.add(StreamID{3, 6}, "b", "1", "a", "2")
		checkRoundTrip(t, o, simple.key, simple.want(), opt, true)

		many := k("many")
		for i := 0; i < 250; i++ {
			id := StreamID{uint64(1000 + i/3), uint64(i % 3)}
			if i%17 == 0 {
				many.add(id, "temp", strconv.Itoa(i), "humidity", strconv.Itoa(i*7), "extra", rep("e", i%40))
			} else {
				many.add(id, "temp", strconv.Itoa(i), "humidity", strconv.Itoa(i*7))
			}
		}
		checkRoundTrip(t, o, many.key, many.want(), opt, true)

		ints := k("ints")
		for i, s := range intBoundaries {
			ints.add(StreamID{uint64(i + 1), 0}, s, intBoundaries[len(intBoundaries)-1-i], "n", s)
		}
		ints.add(StreamID{1 << 40, 1 << 50}, "far", "jump")
		checkRoundTrip(t, o, ints.key, ints.want(), opt, true)

		long := k("long")
		long.add(StreamID{1, 0}, "f", rep("v", 100), "g", rep("ab", 2100))
		long.add(StreamID{1, 1}, "f", string(randBytes(9, 5000)), "g", "")
		long.add(StreamID{2, 0}, rep("k", 70), "v")
		checkRoundTrip(t, o, long.key, long.want(), opt, true)

		groups := k("groups")
		for i := 1; i <= 30; i++ {
			groups.add(StreamID{uint64(i), 0}, "n", strconv.Itoa(i))
		}
		o.do("XGROUP", "CREATE", groups.key, "g1", "0")
		o.do("XREADGROUP", "GROUP", "g1", "alice", "COUNT", 3, "STREAMS", groups.key, ">")
		o.do("XREADGROUP", "GROUP", "g1", "bob", "COUNT", 2, "STREAMS", groups.key, ">")
		o.do("XACK", groups.key, "g1", "2-0")
		o.do("XCLAIM", groups.key, "g1", "bob", 0, "3-0")
		o.do("XCLAIM", groups.key, "g1", "bob", 0, "4-0", "RETRYCOUNT", 7, "TIME", 1700000000123)
		o.do("XGROUP", "CREATE", groups.key, "g2", "$")
		o.do("XGROUP", "CREATECONSUMER", groups.key, "g2", "carol")
		o.do("XGROUP", "CREATE", groups.key, "g0", "10-0", "ENTRIESREAD", 10)
		o.do("XGROUP", "CREATE", groups.key, "\x00bin", "5-0")
		o.do("XREADGROUP", "GROUP", "g0", "dave", "NOACK", "COUNT", 1, "STREAMS", groups.key, ">")
		checkRoundTrip(t, o, groups.key, groups.want(), opt, true)

		// XDEL marks entries deleted inside their node (or drops the node):
		// Redis's bytes keep the tombstones, ours do not.
		del := k("deleted")
		for i := 1; i <= 250; i++ {
			del.add(StreamID{uint64(i), 0}, "n", strconv.Itoa(i))
		}
		dels := []StreamID{{1, 0}, {2, 0}, {50, 0}, {101, 0}, {250, 0}}
		for _, id := range dels {
			o.do("XDEL", del.key, id.String())
		}
		o.do("XGROUP", "CREATE", del.key, "g", "0")
		o.do("XREADGROUP", "GROUP", "g", "c", "COUNT", 5, "STREAMS", del.key, ">")
		checkRoundTrip(t, o, del.key, del.want(dels...), opt, false)

		trim := k("trim")
		for i := 1; i <= 250; i++ {
			trim.add(StreamID{uint64(i), 0}, "n", strconv.Itoa(i))
		}
		o.do("XTRIM", trim.key, "MAXLEN", 33)
		var trimmed []StreamID
		for i := 1; i <= 217; i++ {
			trimmed = append(trimmed, StreamID{uint64(i), 0})
		}
		checkRoundTrip(t, o, trim.key, trim.want(trimmed...), opt, false)

		// All entries deleted: the nodes are gone, the metadata stays.
		empty := k("emptied")
		empty.add(StreamID{5, 5}, "a", "b")
		empty.add(StreamID{6, 0}, "a", "c")
		o.do("XDEL", empty.key, "5-5", "6-0")
		checkRoundTrip(t, o, empty.key, empty.want(StreamID{5, 5}, StreamID{6, 0}), opt, true)

		mk := k("mkstream")
		o.do("XGROUP", "CREATE", mk.key, "g", "$", "MKSTREAM")
		checkRoundTrip(t, o, mk.key, mk.want(), opt, true)

		setid := k("setid")
		setid.add(StreamID{10, 0}, "a", "1")
		o.do("XSETID", setid.key, "9999-9", "ENTRIESADDED", 1000, "MAXDELETEDID", "5-5")
		checkRoundTrip(t, o, setid.key, setid.want(), opt, true)
	}
}
