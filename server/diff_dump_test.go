package server

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/keeldb/keel/internal/rdb"
)

// DUMP and RESTORE against redis-server: each value is built the same way
// on both, each server's DUMP decoded and compared, then each payload
// restored into the other server (and into its own), and the data sets
// compared whole: a value keel dumps is the value Redis restores, and the
// other way round.

type dumpCase struct {
	name   string
	config []string // CONFIG SET name value ... on both first
	build  []string // commands building key "src"
}

var dumpCases = []dumpCase{
	{"string-raw", nil, []string{"set src hello"}},
	{"string-empty", nil, []string{"set src \"\""}},
	{"string-int", nil, []string{"set src 12345"}},
	{"string-int-neg", nil, []string{"set src -9223372036854775808"}},
	{"string-int-8bit", nil, []string{"set src -128"}},
	{"string-int-16bit", nil, []string{"set src 32767"}},
	{"string-int-32bit", nil, []string{"set src 2147483647"}},
	{"string-int-33bit", nil, []string{"set src 2147483648"}},
	{"string-not-int", nil, []string{"set src 007"}},
	{"string-20", nil, []string{"set src aaaaaaaaaaaaaaaaaaaa"}},
	{"string-21-compressible", nil, []string{"set src aaaaaaaaaaaaaaaaaaaaa"}},
	{"string-long", nil, []string{"set src " + strings.Repeat("abcdefgh", 500)}},
	{"string-binary", nil, []string{"set src \"\\x00\\xff\\r\\n\\x01\""}},
	{"string-nocompress", []string{"rdbcompression", "no"}, []string{"set src " + strings.Repeat("xy", 100)}},
	{"string-incrbyfloat", nil, []string{"incrbyfloat src 1.5"}},
	{"string-append", nil, []string{"set src 12", "append src 34"}},
	{"list-small", nil, []string{"rpush src a b c 1 2 -3 300000 70000000000"}},
	{"list-lpush", nil, []string{"lpush src a b c d"}},
	{"list-nodes", nil, []string{"rpush src " + dumpWords("elem", 3000)}},
	{"list-big-elems", nil, []string{"rpush src " + strings.Repeat("x", 9000) + " y " + strings.Repeat("z", 5000)}},
	{"list-fill-5", []string{"list-max-listpack-size", "5"}, []string{"rpush src " + dumpWords("e", 23)}},
	{"list-compress", []string{"list-compress-depth", "1"}, []string{"rpush src " + dumpWords("compressible-element-", 2000)}},
	{"set-intset", nil, []string{"sadd src 1 2 3 -5 100000 9223372036854775807"}},
	{"set-intset-16", nil, []string{"sadd src 1 300"}},
	{"set-hashtable", nil, []string{"sadd src a b c 1"}},
	{"set-big-intset", nil, []string{"sadd src " + nums(600)}},
	{"set-intset-limit", []string{"set-max-intset-entries", "4"}, []string{"sadd src 1 2 3 4 5"}},
	{"zset-listpack", nil, []string{"zadd src 1 a 2.5 b -3 c 0 d 1e300 e inf f -inf g 0.1 h"}},
	{"zset-skiplist", nil, []string{"zadd src " + scored(200)}},
	{"zset-long-member", nil, []string{"zadd src 1 " + strings.Repeat("m", 100) + " 2 b"}},
	{"zset-neg-zero", nil, []string{"zadd src -0 a 1 b"}},
	{"hash-listpack", nil, []string{"hset src f1 v1 f2 2 f3 -77 f4 \"\""}},
	{"hash-hashtable", nil, []string{"hset src " + pairs(600)}},
	{"hash-long-value", nil, []string{"hset src f " + strings.Repeat("v", 65) + " g 1"}},
	{"hash-entries-limit", []string{"hash-max-listpack-entries", "2"}, []string{"hset src a 1 b 2 c 3"}},
	{"stream-simple", nil, []string{"xadd src 1-1 a 1 b 2", "xadd src 1-2 a 3 b 4", "xadd src 5-0 c 5"}},
	{"stream-nodes", []string{"stream-node-max-entries", "3"}, streamAdds(20)},
	{"stream-deleted", nil, append(streamAdds(10), "xdel src 3-0 5-0", "xdel src 1-0")},
	{"stream-empty", nil, []string{"xadd src 7-1 a b", "xdel src 7-1"}},
	{"stream-trimmed", nil, append(streamAdds(30), "xtrim src maxlen 5")},
	{"stream-setid", nil, []string{"xadd src 1-1 a b", "xsetid src 100-5 entriesadded 9 maxdeletedid 50-0"}},
	{"stream-groups", nil, append(streamAdds(12),
		"xgroup create src g1 0",
		"xgroup create src g2 $ entriesread 12",
		"xgroup create src g3 3-0",
		"xreadgroup group g1 alice count 3 streams src >",
		"xreadgroup group g1 bob count 2 streams src >",
		"xreadgroup group g1 alice noack count 1 streams src >",
		"xack src g1 2-0",
		"xclaim src g1 carol 0 4-0 retrycount 7 force",
		"xgroup createconsumer src g2 dave",
		"xdel src 1-0",
	)},
}

func dumpWords(prefix string, n int) string {
	out := make([]string, n)
	for i := range out {
		out[i] = prefix + strconv.Itoa(i)
	}
	return strings.Join(out, " ")
}

func nums(n int) string {
	out := make([]string, n)
	for i := range out {
		out[i] = strconv.Itoa(i * 3)
	}
	return strings.Join(out, " ")
}

func scored(n int) string {
	out := make([]string, 0, 2*n)
	for i := range n {
		out = append(out, strconv.FormatFloat(float64(i)*0.37-20, 'g', -1, 64), "member"+strconv.Itoa(i))
	}
	return strings.Join(out, " ")
}

func pairs(n int) string {
	out := make([]string, 0, 2*n)
	for i := range n {
		out = append(out, "field"+strconv.Itoa(i), "value"+strconv.Itoa(i*7))
	}
	return strings.Join(out, " ")
}

func streamAdds(n int) []string {
	out := make([]string, n)
	for i := range out {
		fields := "name n" + strconv.Itoa(i) + " v " + strconv.Itoa(i)
		if i%4 == 3 {
			fields = "other x"
		}
		out[i] = fmt.Sprintf("xadd src %d-0 %s", i+1, fields)
	}
	return out
}

func TestDiffDumpRestore(t *testing.T) {
	p := newPair(t)
	for _, tc := range dumpCases {
		t.Run(tc.name, func(t *testing.T) {
			p.flushAll(t)
			k, o := p.dial(t)
			both := func(args ...string) (respValue, respValue) {
				t.Helper()
				kv, err := k.Do(args...)
				if err != nil {
					t.Fatalf("keel %s: %v", fmtArgs(args), err)
				}
				ov, err := o.Do(args...)
				if err != nil {
					t.Fatalf("redis %s: %v", fmtArgs(args), err)
				}
				return kv, ov
			}
			for i := 0; i < len(tc.config); i += 2 {
				both("CONFIG", "SET", tc.config[i], tc.config[i+1])
			}
			defer func() {
				for i := 0; i < len(tc.config); i += 2 {
					def := map[string]string{"rdbcompression": "yes", "list-max-listpack-size": "-2", "list-compress-depth": "0",
						"set-max-intset-entries": "512", "hash-max-listpack-entries": "512", "stream-node-max-entries": "100"}[tc.config[i]]
					both("CONFIG", "SET", tc.config[i], def)
				}
			}()
			for _, line := range tc.build {
				_, args, err := parseLine(line)
				if err != nil {
					t.Fatal(err)
				}
				kv, ov := both(args...)
				if d := compareReply(args, kv, ov, nil); d != "" {
					t.Fatalf("building: %s: %s\n      keel:  %s\n      redis: %s", line, d, kv, ov)
				}
			}
			kd, od := both("DUMP", "src")
			if kd.Kind != '$' || kd.Null || od.Kind != '$' || od.Null {
				t.Fatalf("DUMP: keel %s, redis %s", kd, od)
			}
			kval, err := rdb.Decode([]byte(kd.Str))
			if err != nil {
				t.Fatalf("keel's payload does not decode: %v", err)
			}
			oval, err := rdb.Decode([]byte(od.Str))
			if err != nil {
				t.Fatalf("redis's payload does not decode: %v", err)
			}
			if a, b := dumpCanonical(kval), dumpCanonical(oval); a != b {
				t.Fatalf("the payloads hold different values:\n      keel:  %s\n      redis: %s", a, b)
			}
			// Where Redis's bytes follow from the value alone, keel's are
			// the same.
			if deterministicDump(tc.name) && kd.Str != od.Str {
				t.Errorf("payload bytes differ:\n      keel:  %q\n      redis: %q", kd.Str, od.Str)
			}
			// Each server restores the other's payload, and its own.
			for _, r := range [][2]string{{"fromother", ""}, {"fromself", ""}} {
				kp, op := od.Str, kd.Str
				if r[0] == "fromself" {
					kp, op = kd.Str, od.Str
				}
				kv, err := k.Do("RESTORE", r[0], "0", kp)
				if err != nil || kv.Kind != '+' {
					t.Fatalf("keel RESTORE %s: %v %v", r[0], kv, err)
				}
				ov, err := o.Do("RESTORE", r[0], "0", op)
				if err != nil || ov.Kind != '+' {
					t.Fatalf("redis RESTORE %s: %v %v", r[0], ov, err)
				}
				for _, key := range []string{"src", r[0]} {
					kv, ov := both("OBJECT", "ENCODING", key)
					if d := exactCmp(kv, ov); d != "" && !encodingMayDiffer(tc.name) {
						t.Errorf("OBJECT ENCODING %s: keel %s, redis %s", key, kv, ov)
					}
				}
			}
			for _, d := range p.dump(t, 1, false) {
				t.Errorf("after the restores: %s", d)
			}
		})
	}
}

// deterministicDump: the cases whose payload follows from the value and
// the configuration alone, so that keel's bytes must be Redis's.
func deterministicDump(name string) bool {
	switch {
	case strings.HasPrefix(name, "string"), strings.HasPrefix(name, "zset"), name == "set-intset", name == "set-intset-16":
		return true
	case name == "list-small", name == "list-nodes", name == "list-fill-5", name == "list-compress", name == "list-big-elems":
		return true
	case name == "stream-simple", name == "stream-nodes", name == "stream-setid":
		return true
	}
	return false
}

// encodingMayDiffer: none so far; a case named here would be a known,
// documented difference.
func encodingMayDiffer(string) bool { return false }

// canonical renders a decoded value with its unordered parts sorted.
func dumpCanonical(v *rdb.Value) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "kind %d ", v.Kind)
	switch v.Kind {
	case rdb.KindString:
		fmt.Fprintf(&sb, "%q", v.Str)
	case rdb.KindList:
		fmt.Fprintf(&sb, "%q", v.Elems)
	case rdb.KindSet:
		m := make([]string, len(v.Elems))
		for i, e := range v.Elems {
			m[i] = string(e)
		}
		slices.Sort(m)
		fmt.Fprintf(&sb, "%q", m)
	case rdb.KindZSet:
		for _, z := range v.ZSet {
			fmt.Fprintf(&sb, "%q=%v ", z.Member, z.Score)
		}
	case rdb.KindHash:
		m := make([]string, len(v.Hash))
		for i, f := range v.Hash {
			m[i] = fmt.Sprintf("%q=%q", f.Name, f.Value)
		}
		slices.Sort(m)
		sb.WriteString(strings.Join(m, " "))
	case rdb.KindStream:
		s := v.Stream
		fmt.Fprintf(&sb, "len %d last %v first %v maxdel %v added %d entries", s.Length, s.LastID, s.FirstID, s.MaxDeletedID, s.EntriesAdded)
		for _, e := range s.Entries {
			fmt.Fprintf(&sb, " %v%q", e.ID, e.Fields)
		}
		for _, g := range s.Groups {
			fmt.Fprintf(&sb, " group %q last %v read %d pel", g.Name, g.LastID, g.EntriesRead)
			for _, pe := range g.PEL {
				fmt.Fprintf(&sb, " %v×%d", pe.ID, pe.DeliveryCount) // times differ by when each server ran
			}
			for _, c := range g.Consumers {
				fmt.Fprintf(&sb, " consumer %q %v", c.Name, c.PEL)
			}
		}
	}
	return sb.String()
}

// TestDiffRestoreErrors compares RESTORE's and DUMP's replies, errors
// included, for payloads made here.
func TestDiffRestoreErrors(t *testing.T) {
	p := newPair(t)
	str := rdb.Encode(&rdb.Value{Kind: rdb.KindString, Str: []byte("v")}, rdb.DefaultEncodeOptions())
	list := rdb.Encode(&rdb.Value{Kind: rdb.KindList, Elems: [][]byte{[]byte("a"), []byte("b")}}, rdb.DefaultEncodeOptions())
	q := func(b []byte) string { return strconv.Quote(string(b)) }
	flipped := slices.Clone(str)
	flipped[1] ^= 1
	v11 := slices.Clone(str)
	v11[len(v11)-10] = 11
	badCRC := slices.Clone(str)
	badCRC[len(badCRC)-1] ^= 1
	noCRC := slices.Clone(str)
	clear(noCRC[len(noCRC)-8:])
	// A string that claims 63 bytes and has 2. (One that claims 5 is read
	// by Redis 7.0 into its own footer, and accepted; keel refuses it, as
	// it refuses bytes between the object and the footer, which Redis
	// ignores: neither is a payload DUMP writes. Not compared here.)
	garbage := rdbWithCRC([]byte{0x00, 0x3f, 'a', 'b'})
	badType := rdbWithCRC([]byte{200, 1, 'x', 10, 0})
	cases := []diffCase{
		dc("arity", "restore k 0", "restore", "dump", "dump a b"),
		dc("options",
			"restore k 0 "+q(str)+" foo",
			"restore k 0 "+q(str)+" idletime",
			"restore k 0 "+q(str)+" idletime -1",
			"restore k 0 "+q(str)+" idletime x",
			"restore k 0 "+q(str)+" freq 256",
			"restore k 0 "+q(str)+" freq -1",
			"restore k 0 "+q(str)+" freq x",
			"restore k 0 "+q(str)+" idletime 10 freq 5",
			"restore k 0 "+q(str)+" freq 5 idletime 10",
			"restore k -1 "+q(str),
			"restore k x "+q(str),
			"restore k 0 "+q(str)+" freq 5",
			"get k",
			"exists k",
		),
		dc("busykey",
			"set k 1",
			"restore k 0 "+q(str),
			"restore k -5 "+q(str),
			"restore k 0 "+q(flipped),
			"restore k 0 "+q(list)+" replace",
			"type k",
			"lrange k 0 -1",
		),
		dc("payloads",
			"restore a 0 "+q(flipped),
			"restore a 0 "+q(v11),
			"restore a 0 x",
			"restore a 0 \"\"",
			"restore a 0 "+q(garbage),
			"restore a 0 "+q(badType),
			"restore a 0 "+q(noCRC),
			"get a",
			"exists a",
		),
		dc("ttl",
			"restore a 100000 "+q(str),
			"pttl a",
			"restore b 1 "+q(str)+" absttl",
			"exists b",
			"set c 1",
			"restore c 1 "+q(list)+" absttl replace",
			"exists c",
			"restore d 4102444800000 "+q(str)+" absttl",
			"pexpiretime d",
			"restore e 0 "+q(str)+" idletime 1000",
			"object idletime e",
			"restore f 0 "+q(str)+" absttl idletime 0 replace",
			"restore g 9223372036854775807 "+q(str),
			"exists g",
			"restore h 0 "+q(str)+" replace replace",
			"dump nosuchkey",
		),
		dc("skip-checksum",
			"debug set-skip-checksum-validation 1",
			"restore a 0 "+q(badCRC),
			"restore b 0 "+q(v11),
			"restore c 0 "+q(noCRC),
			"debug set-skip-checksum-validation x",
			"restore d 0 "+q(noCRC),
			"debug set-skip-checksum-validation",
			"mget a b c d",
		),
		dc("restore-asking",
			"restore-asking a 0 "+q(str),
			"get a",
			"restore-asking a 0 "+q(str),
		),
		dc("multi",
			"multi",
			"restore a 0 "+q(list),
			"dump a",
			"restore a 0 "+q(list),
			"exec",
			"lrange a 0 -1",
		),
	}
	runCases(t, p, cases)
}

// rdbWithCRC appends RDB version 10 and the payload's CRC64.
func rdbWithCRC(b []byte) []byte {
	b = append(b, 10, 0)
	crc := rdb.CRC64(0, b)
	for i := range 8 {
		b = append(b, byte(crc>>(8*i)))
	}
	return b
}

// RESTORE's keyspace events (TestDiffNotify runs the case): "restore", a
// new key's "new", and "del" when REPLACE meets an expired TTL.
func init() {
	str := strconv.Quote(string(rdb.Encode(&rdb.Value{Kind: rdb.KindString, Str: []byte("v")}, rdb.DefaultEncodeOptions())))
	list := strconv.Quote(string(rdb.Encode(&rdb.Value{Kind: rdb.KindList, Elems: [][]byte{[]byte("a")}}, rdb.DefaultEncodeOptions())))
	notifyCases = append(notifyCases, dc("restore",
		"CONFIG SET notify-keyspace-events KEAn",
		"RESTORE a 0 "+str,
		"RESTORE a 0 "+list+" REPLACE",
		"RESTORE a 1 "+str+" ABSTTL REPLACE",
		"RESTORE b 1 "+str+" ABSTTL",
		"RESTORE c 100000 "+list,
		"RESTORE c 0 "+list,
		"DUMP c",
		"DUMP nothere",
	))
}
