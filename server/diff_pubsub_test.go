package server

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keeldb/keel/internal/oracle"
)

// Differential tests of Pub/Sub. A case runs on up to four connections per
// server, in lock step on keel and on redis-server:
//
//	n> CMD ...   send CMD on connection n; then every open connection,
//	             n first, is synced (below) and everything it received is
//	             compared: replies, confirmations and messages, in order
//	@CLOSE n     close connection n (its subscriptions go with it)
//	@CLIENTS     compare CLIENT LIST's flags, sub, psub and ssub, client
//	             by client (in connection order), from a fifth connection
//
// Syncing a connection sends it PING <marker> and reads until the
// marker's reply: whatever the commands before it produced, messages
// included, has arrived by then on both servers. Connection n is synced
// first: its reply to a PUBLISH means the messages were handed out.
//
// Redis orders by hash table what keel orders otherwise (PUBSUB
// CHANNELS, sorted here; a mass unsubscribe's confirmations, and the
// pmessages of one client matching several patterns): the cases compare
// those sorted or avoid them.

func init() {
	familyCommands = append(familyCommands, "subscribe", "unsubscribe", "psubscribe", "punsubscribe",
		"ssubscribe", "sunsubscribe", "publish", "spublish", "pubsub|channels", "pubsub|numsub",
		"pubsub|numpat", "pubsub|shardchannels", "pubsub|shardnumsub", "pubsub|help")
}

var pubsubCases = []diffCase{
	dc("subscribe and publish",
		"1> SUBSCRIBE news sport",
		"2> PUBLISH news hello",
		"2> PUBLISH weather rain",
		"2> PUBLISH sport ''",
		"1> SUBSCRIBE news",
		"2> PUBSUB NUMSUB news sport weather",
		"2> PUBSUB NUMSUB",
		"1> UNSUBSCRIBE sport",
		"2> PUBLISH sport goal",
		"2> PUBLISH news again",
		"1> UNSUBSCRIBE news nothere",
		"1> UNSUBSCRIBE",
		"1> GET k",
		"1> SET k v",
		"2> PUBSUB NUMSUB news"),
	dc("patterns",
		"1> PSUBSCRIBE n* [ab]?",
		"2> PUBLISH news x",
		"2> PUBLISH a1 y",
		"2> PUBLISH zz z",
		"3> PSUBSCRIBE ne?s",
		"3> SUBSCRIBE news",
		"2> PUBLISH news twice",
		"2> PUBSUB NUMPAT",
		"1> PUNSUBSCRIBE n*",
		"2> PUBSUB NUMPAT",
		"2> PUBLISH news once",
		"1> PUNSUBSCRIBE nope",
		"1> PUNSUBSCRIBE",
		"1> PUNSUBSCRIBE",
		"3> UNSUBSCRIBE",
		"3> PUNSUBSCRIBE",
		"2> PUBSUB NUMPAT"),
	dc("shard channels",
		"1> SSUBSCRIBE {u}a {u}b",
		"2> SPUBLISH {u}a m1",
		"2> PUBLISH {u}a notshard",
		"3> PSUBSCRIBE *",
		"2> SPUBLISH {u}b m2",
		"1> SUBSCRIBE plain",
		"2> PUBSUB SHARDNUMSUB {u}a {u}b {u}c",
		"2> PUBSUB SHARDCHANNELS",
		"2> PUBSUB SHARDCHANNELS *a",
		"2> PUBSUB CHANNELS",
		"1> SUNSUBSCRIBE {u}a",
		"1> SUNSUBSCRIBE {u}a",
		"1> UNSUBSCRIBE plain",
		"1> GET k",
		"1> SUNSUBSCRIBE",
		"1> SUNSUBSCRIBE",
		"1> GET k",
		"3> PUNSUBSCRIBE"),
	dc("the RESP2 subscribed context",
		"1> SUBSCRIBE c",
		"1> PING",
		"1> PING hi",
		"1> PING a b",
		"1> ECHO x",
		"1> CLIENT INFO",
		"1> HELLO 3",
		"1> MULTI",
		"1> PUBLISH c m",
		"1> SUBSCRIBE",
		"1> PSUBSCRIBE",
		"1> SELECT 1",
		"1> NOSUCHCOMMAND",
		"1> GET",
		"1> RESET",
		"1> GET k",
		"1> PING"),
	dc("RESP3 pushes",
		"1> HELLO 3",
		"1> SUBSCRIBE c",
		"1> PSUBSCRIBE c*",
		"1> SSUBSCRIBE s",
		"1> GET k",
		"1> PING",
		"1> PUBLISH c self",
		"2> PUBLISH c other",
		"2> SPUBLISH s shard",
		"1> SET k v",
		"1> UNSUBSCRIBE c",
		"1> PUNSUBSCRIBE",
		"1> SUNSUBSCRIBE s",
		"1> UNSUBSCRIBE"),
	dc("inside a transaction",
		"1> MULTI",
		"1> SUBSCRIBE t",
		"1> SSUBSCRIBE t",
		"1> PUBLISH t inside",
		"1> PSUBSCRIBE t*",
		"1> EXEC",
		"2> PUBLISH t after",
		"2> MULTI",
		"2> PUBLISH t one",
		"2> PUBLISH t two",
		"2> EXEC",
		"1> UNSUBSCRIBE t",
		"1> PUNSUBSCRIBE t*"),
	dc("introspection",
		"1> SUBSCRIBE a b",
		"2> SUBSCRIBE b c",
		"3> PSUBSCRIBE x*",
		"4> SSUBSCRIBE s",
		"@CLIENTS",
		"4> PUBSUB CHANNELS",
		"1> PUBLISH b hi",
		"4> SPUBLISH s hi",
		"4> PUBSUB CHANNELS [ab]",
		"4> PUBSUB CHANNELS",
		"4> PUBSUB CHANNELS * extra",
		"4> PUBSUB NUMSUB a b c d",
		"4> PUBSUB NUMPAT",
		"4> PUBSUB NUMPAT extra",
		"4> PUBSUB SHARDNUMSUB s",
		"4> PUBSUB",
		"4> PUBSUB NOPE",
		"4> PUBSUB HELP",
		"4> PUBLISH onlyone",
		"4> PUBLISH a b c",
		"4> SPUBLISH s",
		"@CLOSE 2",
		"@CLIENTS",
		"1> PUBLISH c gone",
		"1> UNSUBSCRIBE a b"),
}

// TestDiffPubSub runs the cases in every connection model: with two
// loops, a case's connections are on both, and the messages between them
// go through the receivers' mailboxes; with one, they are written at
// once; with goroutines, by the receivers' pushers.
func TestDiffPubSub(t *testing.T) {
	forEachModel(t, func(t *testing.T, ks *keelServer) {
		p := &diffPair{keel: ks, oracle: oracle.Start(t)}
		for _, c := range pubsubCases {
			t.Run(c.name, func(t *testing.T) { runPubSubCase(t, p, c) })
		}
	})
}

func runPubSubCase(t *testing.T, p *diffPair, c diffCase) {
	var k, o [4]*respConn
	for i := range k {
		k[i], o[i] = p.dial(t)
	}
	kctl, octl := p.dial(t)
	var kid, oid [4]int64
	for i := range k {
		kid[i], oid[i] = clientID(t, k[i]), clientID(t, o[i])
	}
	open := [4]bool{true, true, true, true}
	// A connection in MULTI would queue the marker's PING: it is read
	// one reply at a time and not synced.
	var inMulti [4]bool
	marker := 0
	fail := func(step int, what string, kv, ov any) {
		t.Helper()
		t.Fatalf("MISMATCH step %d (%s): %s\n      keel:  %v\n      redis: %v\n    case: %s",
			step+1, c.cmds[step], what, kv, ov, caseText(c.cmds))
	}
	// sync reads what connection n received up to a PING marker.
	sync := func(step, n int, sent []string) {
		marker++
		mk := "sync-" + strconv.Itoa(marker)
		kv, err1 := readToMarker(k[n], mk)
		ov, err2 := readToMarker(o[n], mk)
		if err1 != nil || err2 != nil {
			t.Fatalf("step %d (%s): sync of connection %d: keel %v, redis %v", step+1, c.cmds[step], n+1, err1, err2)
		}
		if len(kv) != len(ov) {
			fail(step, fmt.Sprintf("connection %d received %d values on keel, %d on redis", n+1, len(kv), len(ov)), kv, ov)
		}
		for i := range ov {
			if d := comparePubSub(sent, i, kv[i], ov[i]); d != "" {
				fail(step, fmt.Sprintf("connection %d, value %d: %s (all it received: keel %v, redis %v)", n+1, i+1, d, kv, ov), kv[i], ov[i])
			}
		}
	}
	for i, line := range c.cmds {
		fields := splitCaseLine(line)
		switch fields[0] {
		case "@CLOSE":
			n, _ := strconv.Atoi(fields[1])
			k[n-1].Close()
			o[n-1].Close()
			open[n-1] = false
			continue
		case "@CLIENTS":
			kl, ol := pubsubClientFields(t, kctl, kid, open), pubsubClientFields(t, octl, oid, open)
			if strings.Join(kl, "\n") != strings.Join(ol, "\n") {
				fail(i, "CLIENT LIST", kl, ol)
			}
			continue
		}
		n, _ := strconv.Atoi(strings.TrimSuffix(fields[0], ">"))
		n--
		if err := k[n].Send(fields[1:]...); err != nil {
			t.Fatal(err)
		}
		if err := o[n].Send(fields[1:]...); err != nil {
			t.Fatal(err)
		}
		cmd := strings.ToLower(fields[1])
		if inMulti[n] && cmd != "exec" && cmd != "discard" || cmd == "multi" {
			kv, err1 := k[n].Read()
			ov, err2 := o[n].Read()
			if err1 != nil || err2 != nil {
				t.Fatalf("step %d (%s): keel %v, redis %v", i+1, line, err1, err2)
			}
			if d := exactCmp(monitorLine(kv), monitorLine(ov)); d != "" {
				fail(i, d, kv, ov)
			}
			inMulti[n] = inMulti[n] || cmd == "multi"
		} else {
			inMulti[n] = false
			sync(i, n, fields[1:])
		}
		for m := range k {
			if m != n && open[m] && !inMulti[m] {
				sync(i, m, nil)
			}
		}
	}
}

// splitCaseLine splits a case line into fields; ” is an empty argument,
// and a line with a double quote is read as parseLine reads it (Go-quoted
// words), keeping its "N>" prefix.
func splitCaseLine(line string) []string {
	if strings.Contains(line, `"`) {
		if conn, args, err := parseLine(line); err == nil {
			if strings.HasPrefix(strings.TrimSpace(line), strconv.Itoa(conn+1)+">") {
				args = append([]string{strconv.Itoa(conn+1) + ">"}, args...)
			}
			return args
		}
	}
	f := strings.Fields(line)
	for i, s := range f {
		if s == "''" {
			f[i] = ""
		}
	}
	return f
}

// readToMarker reads c's values up to and including the reply to PING mk,
// which it sends: a bulk mk, or under RESP2 in Pub/Sub mode ["pong", mk].
func readToMarker(c *respConn, mk string) ([]respValue, error) {
	if err := c.Send("PING", mk); err != nil {
		return nil, err
	}
	var out []respValue
	for {
		v, err := c.Read()
		if err != nil {
			return out, err
		}
		out = append(out, v)
		if v.Str == mk || len(v.Elems) == 2 && v.Elems[0].Str == "pong" && v.Elems[1].Str == mk {
			return out, nil
		}
	}
}

// comparePubSub compares the i-th value a connection received after it
// sent sent (nil: it sent nothing, the values are messages): the reply
// to a command as the other differential tests compare it, PUBSUB
// CHANNELS and SHARDCHANNELS as sets (Redis lists them in hash order);
// MONITOR lines without their time and client address (monitorLine).
func comparePubSub(sent []string, i int, k, o respValue) string {
	k, o = monitorLine(k), monitorLine(o)
	if i > 0 || sent == nil {
		return exactCmp(k, o)
	}
	if len(sent) >= 2 && strings.EqualFold(sent[0], "pubsub") &&
		(strings.EqualFold(sent[1], "channels") || strings.EqualFold(sent[1], "shardchannels")) {
		return exactCmp(sortedArray(k), sortedArray(o))
	}
	return compareReply(sent, k, o, nil)
}

func clientID(t *testing.T, c *respConn) int64 {
	t.Helper()
	v, err := c.Do("CLIENT", "ID")
	if err != nil || v.Kind != ':' {
		t.Fatalf("CLIENT ID: %v %v", v, err)
	}
	return v.Int
}

// pubsubClientFields is, for each client of ids in order, its flags,
// sub, psub and ssub from CLIENT LIST, or "gone"; it waits (up to 5 s)
// for the clients not open to be gone, as a server closes a connection
// some time after its peer did.
func pubsubClientFields(t *testing.T, c *respConn, ids [4]int64, open [4]bool) []string {
	t.Helper()
	for tries := 0; ; tries++ {
		v, err := c.Do("CLIENT", "LIST")
		if err != nil {
			t.Fatal(err)
		}
		byID := map[int64]string{}
		for _, line := range strings.Split(strings.TrimSpace(v.Str), "\n") {
			var id int64
			var keep []string
			for _, f := range strings.Fields(line) {
				name, val, _ := strings.Cut(f, "=")
				switch name {
				case "id":
					id, _ = strconv.ParseInt(val, 10, 64)
				case "flags", "sub", "psub", "ssub":
					keep = append(keep, f)
				}
			}
			byID[id] = strings.Join(keep, " ")
		}
		out := make([]string, len(ids))
		settled := true
		for i, id := range ids {
			f, ok := byID[id]
			if !ok {
				f = "gone"
			}
			settled = settled && ok == open[i]
			out[i] = f
		}
		if settled || tries == 100 {
			return out
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestDiffPubSubClientType compares CLIENT LIST TYPE and CLIENT KILL TYPE
// for subscribers and other clients.
func TestDiffPubSubClientType(t *testing.T) {
	t.Parallel()
	p := newPair(t)
	s := newSession(t, p, 1)
	kSub, oSub := p.dial(t)
	for _, c := range []*respConn{kSub, oSub} {
		if _, err := c.Do("SUBSCRIBE", "x"); err != nil {
			t.Fatal(err)
		}
	}
	count := func(v respValue) int { return strings.Count(v.Str, "\n") }
	for _, typ := range []string{"pubsub", "normal", "master", "replica", "slave"} {
		// The lines differ (addresses, ids, ages); their number may not.
		k, o, _ := s.do(0, []string{"CLIENT", "LIST", "TYPE", typ})
		if count(k) != count(o) {
			t.Errorf("CLIENT LIST TYPE %s: keel %d clients, redis %d", typ, count(k), count(o))
		}
	}
	for _, args := range [][]string{
		{"CLIENT", "KILL", "TYPE", "nope"},
		{"CLIENT", "KILL", "TYPE", "master"},
		{"CLIENT", "KILL", "TYPE", "normal"},
		{"CLIENT", "KILL", "TYPE", "pubsub"},
		{"CLIENT", "KILL", "TYPE", "pubsub"},
	} {
		if k, o, diff := s.do(0, args); diff != "" {
			t.Errorf("MISMATCH %s (%s)\n      keel:  %s\n      redis: %s", fmtArgs(args), diff, k, o)
		}
	}
}

// TestDiffClientReply pipelines CLIENT REPLY ON/OFF/SKIP among other
// commands, then a PING marker, and compares everything each server sent.
func TestDiffClientReply(t *testing.T) {
	t.Parallel()
	p := newPair(t)
	k, o := p.dial(t)
	for i, seq := range [][][]string{
		{{"CLIENT", "REPLY", "OFF"}, {"SET", "a", "1"}, {"GET", "a"}, {"NOSUCH"}, {"CLIENT", "REPLY", "ON"}, {"GET", "a"}},
		{{"CLIENT", "REPLY", "SKIP"}, {"GET", "a"}, {"GET", "a"}},
		{{"CLIENT", "REPLY", "SKIP"}, {"CLIENT", "REPLY", "SKIP"}, {"GET", "a"}, {"INCR", "a"}},
		{{"CLIENT", "REPLY", "SKIP"}, {"CLIENT", "REPLY", "ON"}, {"GET", "a"}},
		{{"CLIENT", "REPLY", "OFF"}, {"CLIENT", "REPLY", "SKIP"}, {"GET", "a"}, {"CLIENT", "REPLY", "ON"}},
		{{"CLIENT", "REPLY", "SKIP"}, {"CLIENT", "REPLY", "OFF"}, {"GET", "a"}, {"CLIENT", "REPLY", "ON"}},
		{{"CLIENT", "REPLY", "SKIP"}, {"GET"}, {"GET", "a"}},
		{{"CLIENT", "REPLY", "MAYBE"}, {"CLIENT", "REPLY"}, {"CLIENT", "REPLY", "ON", "x"}},
		{{"CLIENT", "REPLY", "OFF"}, {"MULTI"}, {"INCR", "a"}, {"EXEC"}, {"CLIENT", "REPLY", "ON"}, {"GET", "a"}},
	} {
		for _, args := range seq {
			if err := k.Send(args...); err != nil {
				t.Fatal(err)
			}
			if err := o.Send(args...); err != nil {
				t.Fatal(err)
			}
		}
		mk := "reply-" + strconv.Itoa(i)
		kv, err1 := readToMarker(k, mk)
		ov, err2 := readToMarker(o, mk)
		if err1 != nil || err2 != nil {
			t.Fatalf("sequence %d: keel %v, redis %v", i, err1, err2)
		}
		if fmt.Sprint(kv) != fmt.Sprint(ov) {
			t.Errorf("MISMATCH sequence %d %v:\n      keel:  %v\n      redis: %v", i, seq, kv, ov)
		}
	}
}
