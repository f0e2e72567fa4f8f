package server

import (
	"errors"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Client-side caching (CLIENT TRACKING) against redis-server: the same
// steps on four connections to each server, every reply, push and
// Pub/Sub message compared, and the absence of one too.
//
// A step is "N> cmd args" (connection N sends cmd and reads its reply),
// "N?" (connection N reads the next thing sent to it: an invalidation, a
// message, a notice), "N!" (nothing more reaches connection N within a
// short wait; "N?*": the same, key names aside), "@SLEEP ms", or "@INFO" (the tracking figures of INFO
// compared). "$N" in an argument is connection N's client id on each
// server; client ids in replies (CLIENT ID, GETREDIR, TRACKINGINFO,
// CLIENT INFO's redir, tracking-redir-broken) are read back as "$N".
// CLIENT INFO is compared on its flags and redir only.

type trackingCase struct {
	name  string
	steps []string
}

func TestDiffClientTracking(t *testing.T) {
	p := newPair(t)
	for _, tc := range trackingCases {
		t.Run(tc.name, func(t *testing.T) {
			p.flushAll(t)
			runTrackingCase(t, p, tc)
		})
	}
}

var trackingCases = []trackingCase{
	{"errors", []string{
		"1> client tracking",
		"1> client tracking maybe",
		"1> client tracking on foo",
		"1> client tracking on redirect",
		"1> client tracking on redirect x",
		"1> client tracking on redirect 0",
		"1> client tracking on redirect -1",
		"1> client tracking on redirect 99999999",
		"1> client tracking off redirect 99999999",
		"1> client tracking on redirect $2 redirect $2",
		"1> client tracking on redirect $2 redirect $3",
		"1> client tracking on optin optout",
		"1> client tracking on bcast optin",
		"1> client tracking on bcast optin optout",
		"1> client tracking on prefix a",
		"1> client tracking on optin optout prefix x",
		"1> client tracking on bcast prefix ab prefix a",
		"1> client tracking on bcast prefix a prefix ab",
		"1> client tracking on bcast prefix a prefix a",
		"1> client tracking off bcast prefix x optin",
		"1> client tracking off foo",
		"1> client caching",
		"1> client caching yes no",
		"1> client caching yes",
		"1> client caching no",
		"1> client caching maybe",
		"1> client getredir",
		"1> client getredir x",
		"1> client trackinginfo",
		"1> client trackinginfo x",
		"1> client tracking on",
		"1> client caching yes",
		"1> client caching no",
		"1> client caching maybe",
		"1> client tracking on bcast",
		"1> client tracking on optin",
		"1> client tracking off",
		"1> client tracking on optin",
		"1> client tracking on optout",
		"1> client caching no",
		"1> client tracking off",
		"1> client tracking on bcast prefix a",
		"1> client tracking on bcast prefix a",
		"1> client tracking on bcast prefix ab",
		"1> client tracking on bcast prefix b prefix c",
		"1> client tracking on",
		"1> client tracking on bcast",
		"1> client tracking on bcast prefix q",
		"1> client trackinginfo",
		"1> client info",
		"1> @INFO",
		"1> client help",
	}},
	{"resp3-default", []string{
		"1> hello 3",
		"1> client tracking on",
		"1> client trackinginfo",
		"1> client getredir",
		"1> client info",
		"2> set k1 1",
		"1> get k1",
		"1> get k1",
		"1> mget k1 k2 k1",
		"1> @INFO",
		"2> set k1 2",
		"1?",
		"1!",
		"2> set k1 3", // no longer in the table
		"1!",
		"2> set k2 3",
		"1?",
		"1> @INFO",
		// its own writes: after the reply
		"1> hset h f 1",
		"1> hget h f",
		"1> hdel h f",
		"1?",
		"1> mset x 1 y 2",
		"1> get x",
		"1> get y",
		"1> mset x 2 y 3",
		"1?",
		"1?",
		"1> get x",
		"1> multi",
		"1> incr x",
		"1> get y",
		"1> exec",
		"1?",
		// a failed read remembers its key too; a missing key too
		"2> lpush wt a",
		"1> get wt",
		"1> get nokey",
		"2> set wt x",
		"1?",
		"2> set nokey 1",
		"1?",
		// other types, other databases (keys are names, for all databases)
		"1> zscore z m",
		"1> select 3",
		"2> select 3",
		"2> zadd z 1 m",
		"1?",
		"1> xrange s - +",
		"2> xadd s 1-1 f v",
		"1?",
		"1> smembers st",
		"2> select 0",
		"2> sadd st a",
		"1?",
		"1> select 0",
		"1> exists e1 e2",
		"2> del e1",
		"1!",
		"2> set e2 1",
		"1?",
		"1> type e2",
		"2> expire e2 100",
		"1?",
		"1> strlen e2",
		"2> persist e2",
		"1?",
		"1> ttl e2",
		"2> rename e2 e3",
		"1?",
		"1> get e3",
		"2> move e3 5",
		"1?",
		"1> @INFO",
		"1> client tracking off",
		"1> @INFO",
	}},
	{"flush-and-swapdb", []string{
		"1> hello 3",
		"1> client tracking on",
		"3> hello 3",
		"3> client tracking on bcast",
		"4> client tracking on",
		"1> get k",
		"2> swapdb 0 1",
		"1!",
		"2> select 5",
		"2> flushdb",
		"1?",
		"3?",
		"4!", // RESP2 without a redirection
		"1> get k",
		"1> @INFO",
		"2> flushall",
		"1?",
		"3?",
		"1> @INFO",
		"1> flushall",
		"1?",
		"3?",
		"1> get k",
		"1> multi",
		"1> flushdb",
		"1> exec",
		"1?",
		"3?",
	}},
	{"resp2-redirect", []string{
		"2> subscribe __redis__:invalidate",
		"1> client tracking on redirect $2",
		"1> client getredir",
		"1> client trackinginfo",
		"1> client info",
		"3> set a 1",
		"3> set b 1",
		"1> get a",
		"3> incr b",
		"3> incr a",
		"2?",
		"2!",
		"1> mget a b c",
		"3> flushall",
		"2?",
		"1> client tracking off",
		"1> get b",
		"3> set b 2",
		"2!",
		// several clients redirect to the same one
		"1> client tracking on redirect $2",
		"4> client tracking on redirect $2",
		"3> mset k1 1 k2 1",
		"1> get k1",
		"4> get k2",
		"3> incr k1",
		"2?",
		"3> incr k2",
		"2?",
		// a RESP2 client without a redirection gets nothing
		"4> client tracking off",
		"4> client tracking on",
		"4> get k1",
		"3> set k1 x",
		"4!",
		"4> ping",
		// a RESP3 tracking client redirecting to a RESP2 subscriber: the
		// flush's null is RESP3's, as Redis writes it
		"4> client tracking off",
		"4> hello 3",
		"4> client tracking on redirect $2",
		"3> flushall",
		"2?",
		"2?",
		"4!",
	}},
	{"redirect-resp3-and-self", []string{
		"2> hello 3",
		"1> client tracking on redirect $2",
		"3> set k 1",
		"1> get k",
		"3> set k 2",
		"2?",
		"1!",
		// a redirection to itself
		"1> client tracking on redirect $1",
		"1> client info",
		"1> get k",
		"3> set k 3",
		"1!",
		"1> hello 3",
		"1> get k",
		"3> set k 4",
		"1?",
		// a RESP2 redirection not in Pub/Sub mode gets nothing
		"2> hello 2",
		"1> client tracking on redirect $2",
		"1> get k",
		"3> set k 5",
		"2!",
		"1!",
	}},
	{"broken-redirect", []string{
		"1> hello 3",
		"2> client id",
		"1> client tracking on redirect $2",
		"3> set k 1",
		"1> get k",
		"2> quit",
		"@SLEEP 100",
		"3> set k 2",
		"1?",
		"1> client trackinginfo",
		"1> client info",
		"1> client getredir",
		"1> get k",
		"3> set k 3",
		"1?",
		"1> client tracking off",
		"1> client tracking on redirect $2",
		"1> client info",
	}},
	{"optin-optout", []string{
		"1> hello 3",
		"1> client tracking on optin",
		"1> client trackinginfo",
		"3> mset k1 1 k2 2 k3 3",
		"1> get k1",
		"3> set k1 2",
		"1!",
		"1> client caching yes",
		"1> client trackinginfo",
		"1> client id",
		"1> client trackinginfo",
		"1> get k2",
		"1> client trackinginfo",
		"3> set k2 3",
		"1?",
		"1> client caching yes",
		"1> ping",
		"1> get k2",
		"3> set k2 4",
		"1!",
		"1> client caching yes",
		"1> multi",
		"1> get k1",
		"1> get k3",
		"1> exec",
		"1> client trackinginfo",
		"3> mset k1 9 k3 9",
		"1?",
		"1?",
		"1> client caching yes",
		"1> nosuchcommand",
		"1> client trackinginfo",
		"1> client tracking off",
		"1> client tracking on optout",
		"1> get k1",
		"1> client caching no",
		"1> client trackinginfo",
		"1> get k2",
		"1> get k3",
		"3> mset k1 0 k2 0 k3 0",
		"1?",
		"1?",
		"1!",
	}},
	{"noloop", []string{
		"1> hello 3",
		"1> client tracking on noloop",
		"1> client trackinginfo",
		"1> mget a b",
		"1> set a 1",
		"1!",
		"2> set b 1",
		"1?",
		// NOLOOP: a key it expires itself is still its own modification
		"1> set e v px 50",
		"1> get e",
		"@SLEEP 200",
		"1?",
		"1> debug set-active-expire 0",
		"1> set e2 v px 30",
		"1> get e2",
		"@SLEEP 60",
		"1> get e2",
		"1!",
		"1> debug set-active-expire 1",
	}},
	{"bcast", []string{
		"1> hello 3",
		"1> client tracking on bcast",
		"1> client trackinginfo",
		"1> client info",
		"2> mset a 1 b 2 c 3",
		"1?",
		"1> client tracking off",
		"1> client tracking on bcast prefix a: prefix b:",
		"1> client trackinginfo",
		"2> multi",
		"2> incr a:1",
		"2> incr a:2",
		"2> incr b:1",
		"2> incr c:1",
		"2> exec",
		"1?",
		"1?",
		"1!",
		"1> client tracking on bcast prefix c:",
		"1> client trackinginfo",
		"1> @INFO",
		"2> incr c:1234",
		"1?",
		"1> set a:x 1",
		"1?",
		"1> client tracking off",
		"1> client tracking on bcast noloop prefix p:",
		"2> set p:1 1",
		"1?",
		"1> set p:2 1",
		"1!",
		"2> set q 1",
		"1!",
		"1> set p:3 v px 50",
		"@SLEEP 200",
		"1?",
		// a key read in the default mode before BCAST is not announced
		"1> client tracking off",
		"1> client tracking on",
		"1> get zz",
		"1> client tracking off",
		"1> client tracking on bcast prefix y",
		"2> set zz 1",
		"1!",
		"1> @INFO",
	}},
	{"bcast-resp2-redirect", []string{
		"2> subscribe __redis__:invalidate",
		"1> client tracking on bcast redirect $2 prefix k",
		"3> mset k1 1 k2 2 x 3",
		"2?",
		"3> del k1 x",
		"2?",
		"2!",
	}},
	{"scripts", []string{
		"1> hello 3",
		"1> client tracking on",
		"2> set k3 v",
		"1> eval \"return 1\" 2 s1 s2",
		"2> mset s1 1 s2 2",
		"1!",
		"1> eval \"return redis.call('get','k3')\" 2 s1 s2",
		"2> mset s1 1 s2 2",
		"1?",
		"1?",
		"2> set k3 w",
		"1!",
		"1> eval_ro \"return redis.call('ping')\" 2 s1 s2",
		"2> mset s1 1 s2 2",
		"1!",
		"1> eval_ro \"return redis.call('get','k3')\" 1 s1",
		"2> mset s1 1 s2 2",
		"1?",
		"1!",
		"1> eval \"return redis.call('set','s1','x')\" 1 s1",
		"1!",
		"1> client tracking off",
		"1> client tracking on noloop",
		"1> set key1 1",
		"1> get key1",
		"1> eval \"return redis.call('set','key1','2')\" 0",
		"1> get key1",
		"1!",
	}},
	{"hello-reset", []string{
		"1> client tracking on",
		"2> set k 1",
		"1> get k",
		"1> hello 3",
		"2> set k 2",
		"1?",
		"1> hello 2",
		"1> client info",
		"1> reset",
		"1> client info",
		"1> client trackinginfo",
		"1> @INFO",
	}},
	{"table-max-keys", []string{
		"1> hello 3",
		"1> client tracking on",
		"2> mset k1 1 k2 2 k3 3",
		"1> get k1",
		"1> get k2",
		"1> @INFO",
		"2> config set tracking-table-max-keys 0",
		"1> config get tracking-table-max-keys",
		"1> config set tracking-table-max-keys -1",
		"1> config set tracking-table-max-keys abc",
		"1> config set tracking-table-max-keys 1",
		"1?*",
		"1!",
		"1> @INFO",
		"1> get k3",
		"1?*",
		"1!",
		"1> @INFO",
		"1> config set tracking-table-max-keys 1000000",
	}},
	{"blocked-client", []string{
		"2> hello 3",
		"2> client tracking on",
		"1> rpush list2 a",
		"2> lrange list2 0 -1",
		"2> blmove list1 list2 left left 0 @NOREPLY",
		"@SLEEP 100",
		"1> rpush list1 foo",
		"2?",
		"2?",
		"2!",
	}},
}

func runTrackingCase(t *testing.T, p *diffPair, tc trackingCase) {
	const conns = 4
	var kc, oc [conns]*respConn
	var kid, oid [conns]int64
	for i := range conns {
		kc[i], oc[i] = p.dial(t)
		for _, x := range []struct {
			c  *respConn
			id *int64
		}{{kc[i], &kid[i]}, {oc[i], &oid[i]}} {
			v, err := x.c.Do("CLIENT", "ID")
			if err != nil || v.Kind != ':' {
				t.Fatalf("CLIENT ID: %v %v", v, err)
			}
			*x.id = v.Int
		}
	}
	// Each server's own ids in an argument; its ids back to "$N" in a reply.
	subst := func(args []string, ids [conns]int64) []string {
		out := slices.Clone(args)
		for i, a := range out {
			if len(a) == 2 && a[0] == '$' && a[1] >= '1' && a[1] <= '4' {
				out[i] = strconv.FormatInt(ids[a[1]-'1'], 10)
			}
		}
		return out
	}
	var unIDs func(v respValue, ids [conns]int64) respValue
	unIDs = func(v respValue, ids [conns]int64) respValue {
		if v.Kind == ':' {
			for i, id := range ids {
				if v.Int == id {
					return respValue{Kind: '+', Str: "$" + strconv.Itoa(i+1)}
				}
			}
		}
		if len(v.Elems) > 0 {
			v.Elems = slices.Clone(v.Elems)
			for i := range v.Elems {
				v.Elems[i] = unIDs(v.Elems[i], ids)
			}
		}
		return v
	}
	clientInfo := func(v respValue, ids [conns]int64) respValue {
		var keep []string
		for _, f := range strings.Fields(v.Str) {
			if strings.HasPrefix(f, "flags=") {
				keep = append(keep, f)
			}
			if r, ok := strings.CutPrefix(f, "redir="); ok {
				n, _ := strconv.ParseInt(r, 10, 64)
				for i, id := range ids {
					if n == id {
						r = "$" + strconv.Itoa(i+1)
					}
				}
				keep = append(keep, "redir="+r)
			}
		}
		return respValue{Kind: '+', Str: strings.Join(keep, " ")}
	}
	trackingInfo := func(c *respConn) (respValue, error) {
		var lines []string
		for _, sec := range []string{"clients", "stats"} {
			v, err := c.Do("INFO", sec)
			if err != nil {
				return v, err
			}
			for _, l := range strings.Split(v.Str, "\r\n") {
				if strings.HasPrefix(l, "tracking_") {
					lines = append(lines, l)
				}
			}
		}
		return respValue{Kind: '+', Str: strings.Join(lines, " ")}, nil
	}
	// readPending reads what arrives on c within wait; ok false if nothing.
	readPending := func(c *respConn, wait time.Duration) (respValue, bool, error) {
		saved := c.timeout
		c.timeout = wait
		v, err := c.Read()
		c.timeout = saved
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return respValue{}, false, nil
		}
		return v, err == nil, err
	}
	for i, step := range tc.steps {
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("step %d %q: "+format+"\n    case: %s", append([]any{i + 1, step}, append(args, strings.Join(tc.steps, " | "))...)...)
		}
		if ms, ok := strings.CutPrefix(step, "@SLEEP "); ok {
			n, _ := strconv.Atoi(ms)
			time.Sleep(time.Duration(n) * time.Millisecond)
			continue
		}
		n := int(step[0] - '1')
		switch step[1] {
		case '?':
			k, kok, kerr := readPending(kc[n], 3*time.Second)
			o, ook, oerr := readPending(oc[n], 3*time.Second)
			if kerr != nil || oerr != nil || !kok || !ook {
				fail("keel %v (%v), redis %v (%v)", k, kerr, o, oerr)
			}
			k, o = unIDs(k, kid), unIDs(o, oid)
			if strings.HasSuffix(step, "*") {
				// Which keys: chosen at random by both.
				k, o = withoutKeyNames(k), withoutKeyNames(o)
			}
			if d := exactCmp(k, o); d != "" {
				fail("%s\n      keel:  %s\n      redis: %s", d, k, o)
			}
			continue
		case '!':
			// Both servers have had the time to send what they send.
			k, kok, kerr := readPending(kc[n], 200*time.Millisecond)
			o, ook, oerr := readPending(oc[n], 50*time.Millisecond)
			if kok || ook || kerr != nil || oerr != nil {
				fail("expected nothing: keel %v (%v %v), redis %v (%v %v)", k, kok, kerr, o, ook, oerr)
			}
			continue
		}
		_, args, err := parseLine(strings.TrimSpace(step[2:]))
		if err != nil {
			t.Fatal(err)
		}
		var k, o respValue
		var kerr, oerr error
		switch {
		case args[0] == "@INFO":
			k, kerr = trackingInfo(kc[n])
			o, oerr = trackingInfo(oc[n])
		case args[len(args)-1] == "@NOREPLY":
			args = args[:len(args)-1]
			kerr = kc[n].Send(subst(args, kid)...)
			oerr = oc[n].Send(subst(args, oid)...)
			if kerr != nil || oerr != nil {
				fail("send: keel %v, redis %v", kerr, oerr)
			}
			continue
		default:
			k, kerr = kc[n].Do(subst(args, kid)...)
			o, oerr = oc[n].Do(subst(args, oid)...)
		}
		if kerr != nil || oerr != nil {
			if strings.EqualFold(args[0], "quit") {
				continue
			}
			fail("keel %v, redis %v", kerr, oerr)
		}
		switch {
		case strings.EqualFold(args[0], "hello"):
			k, o = withoutHelloID(k), withoutHelloID(o)
		case len(args) == 2 && strings.EqualFold(args[0], "client") && strings.EqualFold(args[1], "info"):
			k, o = clientInfo(k, kid), clientInfo(o, oid)
		case strings.EqualFold(args[0], "client"):
			k, o = unIDs(k, kid), unIDs(o, oid)
		}
		if d := exactCmp(k, o); d != "" {
			fail("%s\n      keel:  %s\n      redis: %s", d, k, o)
		}
	}
}

// withoutKeyNames blanks the key names of an invalidation push.
func withoutKeyNames(v respValue) respValue {
	if v.Kind != '>' || len(v.Elems) != 2 {
		return v
	}
	keys := v.Elems[1]
	keys.Elems = slices.Clone(keys.Elems)
	for i := range keys.Elems {
		keys.Elems[i].Str = "*"
	}
	v.Elems = []respValue{v.Elems[0], keys}
	return v
}

// TestDiffTrackingOrder: an invalidation caused by a write whose reply a
// client has seen reaches the tracking client before the reply to the
// tracking client's next command, as from Redis (which writes it at
// once), whatever the connection model: one event loop (delivered
// directly), two (through the mailbox, taken before the next request's
// reply), or a goroutine per connection.
func TestDiffTrackingOrder(t *testing.T) {
	o := newPair(t).oracle
	steps := []string{"1> hello 3", "1> client tracking on"}
	for i := range 8 {
		k := "k" + strconv.Itoa(i%3)
		steps = append(steps, "1> get "+k, "2> set "+k+" "+strconv.Itoa(i), "1> ping", "1?", "3> set "+k+" x", "1!")
	}
	for _, loops := range []string{"1", "2", "0"} {
		t.Run("event-loops-"+loops, func(t *testing.T) {
			p := &diffPair{keel: startKeel(t, "event-loops", loops), oracle: o}
			p.flushAll(t)
			runTrackingCase(t, p, trackingCase{name: "order", steps: steps})
		})
	}
}
