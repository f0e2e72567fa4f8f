package server

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Differential tests of keyspace notifications (notify-keyspace-events):
// a session that watches events has one more connection per server,
// subscribed to every keyspace and keyevent channel; after each command
// both are synced (a PING marker, as in the Pub/Sub tests) and the events
// each server published for the command are compared, in order.

// eventWatch is a session's pair of subscribers.
type eventWatch struct {
	k, o   *respConn
	marker int
}

// watchEvents enables the notification classes flags on both servers and
// subscribes a connection to each; from now on do compares the events of
// every command. The random runs keep active expiry off, so that expired
// events come from lookups only, at the same commands on both servers.
func (s *diffSession) watchEvents(flags string) {
	s.t.Helper()
	s.ev = watchEventsOn(s.t, s.p, s.k[0], s.o[0], flags)
}

// watchEventsOn sets notify-keyspace-events to flags through k and o
// (connections to keel and redis-server) and returns a pair of
// subscribers to every keyspace and keyevent channel.
func watchEventsOn(t testing.TB, p *diffPair, k, o *respConn, flags string) *eventWatch {
	t.Helper()
	for _, c := range []*respConn{k, o} {
		if v, err := c.Do("CONFIG", "SET", "notify-keyspace-events", flags); err != nil || v.Kind != '+' {
			t.Fatalf("CONFIG SET notify-keyspace-events %s: %v %v", flags, v, err)
		}
	}
	w := &eventWatch{}
	w.k, w.o = p.dial(t)
	for _, c := range []*respConn{w.k, w.o} {
		if v, err := c.Do("PSUBSCRIBE", "__key*@*__:*"); err != nil || v.Kind != '*' {
			t.Fatalf("PSUBSCRIBE: %v %v", v, err)
		}
	}
	return w
}

// events returns what each subscriber received since the last call.
func (w *eventWatch) events(t testing.TB) (k, o []string) {
	t.Helper()
	w.marker++
	mk := "events-" + strconv.Itoa(w.marker)
	kv, err1 := readToMarker(w.k, mk)
	ov, err2 := readToMarker(w.o, mk)
	if err1 != nil || err2 != nil {
		t.Fatalf("reading events: keel %v, redis %v", err1, err2)
	}
	return eventStrings(kv), eventStrings(ov)
}

// eventStrings renders pmessages as "channel message", the marker's
// reply left out.
func eventStrings(vs []respValue) []string {
	var out []string
	for _, v := range vs[:len(vs)-1] {
		if len(v.Elems) == 4 && v.Elems[0].Str == "pmessage" {
			out = append(out, v.Elems[2].Str+" "+v.Elems[3].Str)
		} else {
			out = append(out, "unexpected: "+v.String())
		}
	}
	return out
}

// compareEvents is do's check of the events of one command.
func (s *diffSession) compareEvents() string {
	k, o := s.ev.events(s.t)
	if strings.Join(k, "\n") == strings.Join(o, "\n") {
		return ""
	}
	return fmt.Sprintf("events differ:\n        keel:  %q\n        redis: %q", k, o)
}

// TestDiffNotifyConfig compares notify-keyspace-events as CONFIG GET
// shows what was set, and the error for a letter that is no class.
func TestDiffNotifyConfig(t *testing.T) {
	t.Parallel()
	p := newPair(t)
	s := newSession(t, p, 1)
	for _, v := range []string{"KEA", "AKE", "K", "E", "Kg", "g$lshzxetdn", "g$lshzxetd", "Em", "KEAmn", "x", "KEq", "", "Kn", "El$"} {
		for _, args := range [][]string{
			{"CONFIG", "SET", "notify-keyspace-events", v},
			{"CONFIG", "GET", "notify-keyspace-events"},
		} {
			if k, o, diff := s.do(0, args); diff != "" {
				t.Errorf("MISMATCH %s (%s)\n      keel:  %s\n      redis: %s", fmtArgs(args), diff, k, o)
			}
		}
	}
}

// notifyCases exercise events that need more than one command to show,
// or whose classes are chosen: each case sets its flags first.
var notifyCases = []diffCase{
	dc("classes filter",
		"CONFIG SET notify-keyspace-events K$",
		"SET a 1", "LPUSH l x", "INCR a", "DEL a",
		"CONFIG SET notify-keyspace-events El",
		"SET a 1", "LPUSH l x", "LPOP l",
		"CONFIG SET notify-keyspace-events Kg",
		"EXPIRE l 100", "PERSIST l", "DEL l", "DEL nothere",
		"CONFIG SET notify-keyspace-events KA",
		"SET a 1", "GET nothere",
		"CONFIG SET notify-keyspace-events Km",
		"GET nothere", "MGET a b c", "EXISTS nothere", "TYPE nothere",
		"CONFIG SET notify-keyspace-events En",
		"SET b 1", "SET b 2", "DEL b", "SET b 3",
		"CONFIG SET notify-keyspace-events ''",
		"SET c 1"),
	dc("expiry",
		"CONFIG SET notify-keyspace-events KEA",
		"DEBUG SET-ACTIVE-EXPIRE 0",
		"SET a 1 PX 1",
		"@SLEEP 20",
		"GET a",
		"SET b 1 PX 1",
		"@SLEEP 20",
		"SET b 2",
		"SET c 1 EX 100",
		"EXPIRE c 0",
		"SET d 1",
		"PEXPIREAT d 1",
		"SET e 1 PX 1",
		"@SLEEP 20",
		"EXISTS e"),
	// Eviction under volatile-ttl takes the key expiring soonest first;
	// with maxmemory 1 it takes every key with a TTL, in that order,
	// whatever its database, then refuses the write.
	dc("eviction",
		"CONFIG SET notify-keyspace-events KEA",
		"SET p 1", "SET a 1 EX 100", "SET b 1 EX 50", "SELECT 1", "SET c 1 EX 10", "SELECT 0",
		// The limit first: under noeviction the background eviction
		// that CONFIG SET maxmemory starts finds nothing to do, so that
		// the evictions are the next write's, not the background's at a
		// time of its own.
		"CONFIG SET maxmemory 1", "CONFIG SET maxmemory-policy volatile-ttl", "SET d 1", "EXISTS p a b",
		"CONFIG SET maxmemory 0", "CONFIG SET maxmemory-policy noeviction"),
	dc("databases",
		"CONFIG SET notify-keyspace-events KEA",
		"SELECT 3", "SET a 1", "MOVE a 0", "SELECT 0", "COPY a b DB 5", "SELECT 5", "DEL b"),
	dc("strings",
		"CONFIG SET notify-keyspace-events KEA",
		"SET a 1", "SET a 2 NX", "SET a 2 XX", "SET b 1 XX", "SET b 1 XX GET", "SET a 3 GET",
		"SET a 4 EX 100", "SET a 5 KEEPTTL", "SET a 6 PXAT 1", "SETNX c 1", "SETNX c 2",
		"SETEX d 10 v", "PSETEX d 10000 v", "MSET a 1 e 2 a 3", "MSETNX a 1 f 2", "MSETNX f 1 g 2 f 3",
		"GETSET a 9", "GETSET h 1", "GETDEL h", "GETDEL h",
		"APPEND i x", "APPEND i ''", "APPEND i y",
		"SETRANGE j 0 ''", "SETRANGE j 3 x", "SETRANGE j 0 ''", "SETRANGE j 0 z",
		"INCR k", "INCRBY k 5", "DECR k", "DECRBY k 2", "INCRBYFLOAT k 1.5", "INCR i", "INCRBYFLOAT i 1"),
	dc("geo",
		"CONFIG SET notify-keyspace-events KEA",
		"GEOADD g 13.361389 38.115556 Palermo 15.087269 37.502669 Catania", "GEOADD g XX 1 1 x", "GEOADD g CH 13.4 38.1 Palermo",
		"GEORADIUS g 15 37 200 km STORE d1", "GEORADIUS g 15 37 200 km STOREDIST d1", "GEOSEARCHSTORE d2 g FROMLONLAT 15 37 BYRADIUS 200 km",
		"GEOSEARCHSTORE d2 g FROMLONLAT 0 0 BYRADIUS 1 km", "GEORADIUS nokey 0 0 1 km STORE d1", "GEOPOS g Palermo nosuch"),
	dc("hyperloglog",
		"CONFIG SET notify-keyspace-events KEA",
		"PFADD h a b", "PFADD h a", "PFCOUNT h", "PFCOUNT h nokey", "PFMERGE d h nokey", "PFMERGE d", "PFDEBUG TODENSE d",
		"PFADD e PX", "SET s x", "PFADD s a"),
	dc("scripts",
		"CONFIG SET notify-keyspace-events KEA",
		"EVAL \"redis.call('set', KEYS[1], 1) redis.call('incr', KEYS[1]) redis.call('rpush', 'l', 'a', 'b') redis.call('del', 'l') return redis.call('get', 'nokey')\" 1 a",
		"EVAL \"redis.call('set', 'b', 1) error('x')\" 0", "EVAL_RO \"return redis.call('get', 'missing')\" 0",
		"SET e 1 PX 1", "@SLEEP 20", "EVAL \"return redis.call('get', 'e')\" 0"),
	dc("getex",
		"CONFIG SET notify-keyspace-events KEA",
		"DEBUG SET-ACTIVE-EXPIRE 0",
		"SET k v", "GETEX k", "GETEX k EX 100", "GETEX k PX 100000", "GETEX k EXAT 4000000000",
		"GETEX k PERSIST", "GETEX k PERSIST", "GETEX k PXAT 1", "GETEX k EX 10",
		"SET k v", "GETEX k EXAT 1", "GETEX nothere PERSIST",
		"SET k v PX 1", "@SLEEP 20", "GETEX k EX 10"),
	dc("overwrite another type",
		"CONFIG SET notify-keyspace-events KEA",
		"RPUSH l a", "SET l v", "SADD s a", "GETSET s 1", "HSET h f v", "MSET h 1 n 2",
		"ZADD z 1 a", "BITOP OR z h", "RPUSH l2 3 1 2", "SET t x", "SORT l2 STORE t",
		"SORT l2 STORE t", "SORT l2 STORE l2", "TYPE t"),
	dc("bits",
		"CONFIG SET notify-keyspace-events KEA",
		"DEBUG SET-ACTIVE-EXPIRE 0",
		"SETBIT b 3 0", "SETBIT b 3 0", "SETBIT b 3 1", "SETBIT b 3 1", "SETBIT b 40 0",
		"BITFIELD c SET u8 0 1", "BITFIELD c SET u8 0 1", "BITFIELD c INCRBY u8 0 0", "BITFIELD c GET u8 0",
		"BITFIELD c OVERFLOW FAIL INCRBY u2 100 10", "STRLEN c", "BITFIELD c OVERFLOW FAIL INCRBY u2 0 10",
		"BITFIELD c INCRBY u8 0 1 SET u8 8 0", "BITFIELD nothere GET u8 0",
		"BITOP AND d b c", "BITOP NOT d d", "BITOP AND d nothere", "BITOP AND d nothere",
		"SET e 1 PX 1", "@SLEEP 20", "BITOP AND e nothere",
		"SET e 1 PX 1", "@SLEEP 20", "BITOP OR e b"),
	dc("generic",
		"CONFIG SET notify-keyspace-events KEA",
		"DEBUG SET-ACTIVE-EXPIRE 0",
		"SET a 1", "SET b 2", "RENAME a b", "RENAME b b", "RENAMENX b b", "RENAMENX b c", "SET a 1",
		"RENAMENX a c", "RENAME nothere x",
		"COPY c d", "COPY c d", "COPY c d REPLACE", "COPY c d DB 3", "COPY c d DB 3 REPLACE",
		"MOVE c 3", "MOVE c 4", "MOVE nothere 4",
		"SET x 1 PX 1", "SET y 1 PX 1", "@SLEEP 20", "COPY d x", "RENAME d y",
		"SELECT 4", "SET c 1 PX 1", "SELECT 0", "SET c 1", "@SLEEP 20", "MOVE c 4",
		"DEL a b y x nothere", "UNLINK c c", "UNLINK c",
		"SET k v", "EXPIRE k 100", "EXPIRE k 100 NX", "PEXPIRE k 100000 XX", "EXPIRE k 5 GT",
		"PERSIST k", "PERSIST k", "PERSIST nothere", "EXPIRE nothere 10",
		"EXPIREAT k 4000000000", "PEXPIREAT k 1", "EXISTS k",
		"SET k v", "EXPIRE k 0", "SET k v", "EXPIRE k -1",
		"SET k v", "SELECT 1", "SET k w", "SWAPDB 0 1", "FLUSHDB", "SELECT 0", "FLUSHALL"),
	dc("sort store",
		"CONFIG SET notify-keyspace-events KEA",
		"DEBUG SET-ACTIVE-EXPIRE 0",
		"RPUSH src 3 1 2", "SORT src STORE dst", "SORT src STORE dst", "SORT src LIMIT 0 1 STORE dst",
		"SORT nothere STORE dst", "SORT nothere STORE dst", "SORT src BY nosort STORE src",
		"SET e 1 PX 1", "@SLEEP 20", "SORT src STORE e",
		"SET e 1 PX 1", "@SLEEP 20", "SORT nothere STORE e",
		"MULTI", "SORT src STORE m", "DEL m", "EXEC"),
	dc("hashes",
		"CONFIG SET notify-keyspace-events KEA",
		"HSET h a 1 b 2", "HSET h a 1", "HMSET h c 3", "HSETNX h a x", "HSETNX h d 4",
		"HINCRBY h n 5", "HINCRBYFLOAT h f 1.5", "HINCRBY h a x",
		"HDEL h nothere", "HDEL h a a b", "HDEL h c d n f", "EXISTS h",
		"SET str x", "HSET str a 1", "HDEL str a"),
	dc("streams",
		"CONFIG SET notify-keyspace-events KEA",
		"XADD s NOMKSTREAM 1-1 a b", "XADD s MAXLEN 1 1-1 a b", "XADD s MAXLEN 1 2-1 a b",
		"XADD s MAXLEN ~ 1 3-1 a b", "XADD s 1-1 a b", "XTRIM s MAXLEN 5", "XTRIM s MINID 3-1",
		"XDEL s 9-9", "XDEL s 3-1", "XSETID s 10-0", "XSETID s 1-0",
		"XGROUP CREATE m g $ MKSTREAM", "XGROUP CREATE m g $ MKSTREAM", "XGROUP CREATE s g 0",
		"XGROUP CREATECONSUMER s g c1", "XGROUP CREATECONSUMER s g c1",
		"XGROUP DELCONSUMER s g nobody", "XGROUP DELCONSUMER s g c1",
		"XGROUP SETID s g 0", "XGROUP DESTROY s nogroup", "XGROUP DESTROY s g", "XGROUP DESTROY m g"),
	dc("stream consumers",
		"CONFIG SET notify-keyspace-events KEAm",
		"XGROUP CREATE s g $ MKSTREAM",
		"XREADGROUP GROUP g c1 STREAMS s >",
		"XADD s 1-1 a b", "XADD s 2-1 a b",
		"XREADGROUP GROUP g c1 COUNT 1 STREAMS s >", "XREADGROUP GROUP g c1 STREAMS s >",
		"XREADGROUP GROUP g c2 STREAMS s 0", "XREADGROUP GROUP g c1 STREAMS s s > 0",
		"XCLAIM s g c3 3600000 1-1", "XCLAIM s g c3 0 1-1 JUSTID", "XCLAIM s g c3 0 1-1",
		"XAUTOCLAIM s g c4 3600000 0", "XAUTOCLAIM s g c4 0 0 COUNT 1",
		"XACK s g 1-1 2-1", "XACK s g 1-1", "XACK s nogroup 1-1",
		"XACK nothere g 1-1", "XCLAIM nothere g c 0 1-1", "XAUTOCLAIM nothere g c abc 0",
		"XREADGROUP GROUP g c STREAMS nothere >", "XPENDING nothere g"),
	dc("lists",
		"CONFIG SET notify-keyspace-events KEAnm",
		"DEBUG SET-ACTIVE-EXPIRE 0",
		"RPUSH l a b", "LPUSH l c", "LPUSHX nothere a", "RPUSHX l d", "LPUSHX l e",
		"LPOP l", "RPOP l 2", "LPOP l 0", "LPOP nothere", "RPOP l 5", "EXISTS l",
		"RPUSH l a", "LMOVE l l LEFT RIGHT", "RPOPLPUSH l l", "LMOVE l m LEFT LEFT", "LMOVE m l RIGHT RIGHT",
		"SET s v", "LMOVE l s LEFT LEFT", "LMOVE nothere l LEFT LEFT",
		"RPUSH d z", "PEXPIRE d 30", "@SLEEP 60", "LMOVE l d LEFT LEFT",
		"RPUSH r a b a c", "LSET r 0 x", "LSET nothere 0 x", "LINSERT r BEFORE b y", "LINSERT r AFTER nope y",
		"LREM r 0 nope", "LREM r 1 a", "LREM r 0 a", "LTRIM r 0 -1", "LTRIM r 1 2", "LTRIM nothere 0 1", "LTRIM r 5 6",
		"RPUSH p a b c", "LMPOP 2 nothere p RIGHT COUNT 2", "LMPOP 1 p LEFT COUNT 9", "LMPOP 1 p LEFT"),
	dc("sets",
		"CONFIG SET notify-keyspace-events KEAnm",
		"DEBUG SET-ACTIVE-EXPIRE 0",
		"SADD s a b c", "SADD s a", "SREM s nope", "SREM s a a nope", "SREM nothere a",
		"SPOP s 0", "SPOP s 1", "SPOP s 5", "SPOP nothere", "SADD s a b", "SPOP s", "SPOP s",
		"SADD a x y", "SADD b y", "SMOVE a b y", "SMOVE a b nope", "SMOVE b b y", "SMOVE nothere b y", "SMOVE a c x",
		"SET str v", "SMOVE c str x", "SMOVE str c x"),
	dc("set stores",
		"CONFIG SET notify-keyspace-events KEAnm",
		"DEBUG SET-ACTIVE-EXPIRE 0",
		"SADD a 1 2 3", "SADD b 3 4", "SINTERSTORE d a b", "SINTERSTORE d a b", "SUNIONSTORE d a b", "SDIFFSTORE d a b",
		"SDIFFSTORE d a a", "SDIFFSTORE d a a", "SINTERSTORE d a nothere", "SUNIONSTORE a a", "SINTERSTORE a a b",
		"SET str v", "SUNIONSTORE str a", "SET str v", "SINTERSTORE str nothere",
		"SET e 1 PX 1", "@SLEEP 20", "SUNIONSTORE e a",
		"SET e 1 PX 1", "@SLEEP 20", "SINTERSTORE e nothere",
		"SET e 1 PX 1", "@SLEEP 20", "SUNIONSTORE d e a",
		"MULTI", "SUNIONSTORE m a", "SINTERSTORE m nothere", "EXEC"),
	dc("zsets",
		"CONFIG SET notify-keyspace-events KEAnm",
		"DEBUG SET-ACTIVE-EXPIRE 0",
		"ZADD z 1 a", "ZADD z 1 a", "ZADD z NX 2 a", "ZADD z XX 1 b", "ZADD z GT 0 a", "ZADD z CH 2 a",
		"ZADD z INCR 1 a", "ZADD z INCR 0 a", "ZADD z NX INCR 1 a", "ZADD nothere XX 1 a", "ZADD nothere XX INCR 1 a",
		"ZINCRBY z 1 a", "ZINCRBY z2 1 a", "ZINCRBY z 0 a", "ZADD z 1 b 2 c 3 d 4 e 5 f",
		"ZREM z nope", "ZREM nothere a", "ZREM z b b",
		"ZREMRANGEBYRANK z 9 10", "ZREMRANGEBYRANK z 0 0", "ZREMRANGEBYSCORE z 100 200", "ZREMRANGEBYSCORE z 4 4",
		"ZREMRANGEBYLEX z [zz +", "ZREMRANGEBYLEX z - +", "ZREMRANGEBYRANK nothere 0 -1",
		"ZADD z 1 a 2 b 3 c 4 d", "ZPOPMIN z 0", "ZPOPMIN z", "ZPOPMAX z 1", "ZPOPMIN nothere",
		"ZMPOP 2 nothere z MAX", "ZMPOP 1 z MIN COUNT 5", "ZMPOP 1 z MIN"),
	dc("zset stores",
		"CONFIG SET notify-keyspace-events KEAnm",
		"DEBUG SET-ACTIVE-EXPIRE 0",
		"ZADD a 1 x 2 y 3 z", "ZADD b 5 y", "ZUNIONSTORE d 2 a b", "ZUNIONSTORE d 2 a b", "ZINTERSTORE d 2 a b",
		"ZDIFFSTORE d 2 a b", "ZINTERSTORE d 2 a nothere", "ZINTERSTORE d 2 a nothere", "ZDIFFSTORE d 2 a a",
		"ZRANGESTORE d a 0 0", "ZRANGESTORE d a 5 6", "ZRANGESTORE a a 0 1", "ZRANGESTORE d nothere 0 -1",
		"ZRANGESTORE d a (1 +inf BYSCORE", "ZRANGESTORE a a 1 0",
		"SET str v", "ZUNIONSTORE str 1 b", "SET str v", "ZRANGESTORE str nothere 0 -1",
		"SET e 1 PX 1", "@SLEEP 20", "ZUNIONSTORE e 1 b",
		"SET e 1 PX 1", "@SLEEP 20", "ZINTERSTORE e 2 b nothere",
		"SET e 1 PX 1", "@SLEEP 20", "ZRANGESTORE e b 0 -1",
		"SET e 1 PX 1", "@SLEEP 20", "ZRANGESTORE e nothere 0 -1",
		"MULTI", "ZUNIONSTORE m 1 b", "ZPOPMIN m", "ZDIFFSTORE m 1 nothere", "EXEC"),
}

func TestDiffNotify(t *testing.T) {
	t.Parallel()
	p := newPair(t)
	for _, c := range notifyCases {
		t.Run(c.name, func(t *testing.T) {
			p.flushAll(t)
			s := newSession(t, p, 1)
			s.watchEvents("")
			for i, line := range c.cmds {
				args := splitCaseLine(line)
				if args[0] == "@SLEEP" {
					ms, _ := strconv.Atoi(args[1])
					time.Sleep(time.Duration(ms) * time.Millisecond)
					continue
				}
				if k, o, diff := s.do(0, args); diff != "" {
					t.Fatalf("MISMATCH step %d (%s): %s\n      keel:  %s\n      redis: %s\n    case: %s",
						i+1, line, diff, k, o, caseText(c.cmds))
				}
			}
		})
	}
}

// TestDiffRandomEvents runs the random generators of each family, and
// their mix, with every notification class enabled and the events of
// each command compared. Each family's run is a fifth of the random runs'
// length (-diffn, KEEL_DIFF_N): its commands cost a second round trip.
func TestDiffRandomEvents(t *testing.T) {
	t.Parallel()
	// Each run has its own stream generator: they run in parallel.
	streams, mixedStreams := &streamGen{}, &streamGen{}
	gens := []struct {
		name string
		gen  func(g *cmdGen, conn int) []string
	}{
		{"strings", (*cmdGen).command},
		{"lists", (*cmdGen).listCommand},
		{"sets", (*cmdGen).setCommand},
		{"zsets", (*cmdGen).zsetCommand},
		{"hashes", (*cmdGen).hashCommand},
		{"streams", func(g *cmdGen, conn int) []string { return streams.command(g, conn) }},
		{"mixed", func(g *cmdGen, conn int) []string {
			switch g.r.Intn(6) {
			case 0:
				return g.command(conn)
			case 1:
				return g.listCommand(conn)
			case 2:
				return g.setCommand(conn)
			case 3:
				return g.hashCommand(conn)
			case 4:
				return mixedStreams.command(g, conn)
			default:
				return g.zsetCommand(conn)
			}
		}},
	}
	for _, fam := range gens {
		t.Run(fam.name, func(t *testing.T) {
			t.Parallel()
			runRandomOpts(t, randomOpts{events: "KEAnm", lengthDiv: 5}, fam.gen)
		})
	}
}
