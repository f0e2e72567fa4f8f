package main

// Crash tests of the real binary (DESIGN "Testing doctrine", invariants 4
// and 5): a keel child process under a mixed write workload from several
// clients is killed with SIGKILL at a random moment, restarted on the same
// directory, and checked:
//
//   - it starts cleanly after every kill (a torn WAL tail is repaired);
//   - every acknowledged write is present (appendfsync always, and
//     everysec, whose writes a killed process does not take back);
//   - per client, the writes present are exactly a prefix of the writes it
//     issued: ops acked <= present <= ops sent (at most the one in flight
//     more), no holes, nothing that was never sent. Each client issues its
//     ops one at a time, so its op order is LSN order, and a per-client
//     prefix is what "the state at some LSN" means for that client;
//   - an MSET is all or nothing (one record), and so is a MULTI/EXEC over
//     six engines;
//   - streams: acknowledged XADDs are present, the consumer group's
//     last-delivered-id and entries-read count exactly the XREADGROUPs
//     present, and its PEL holds exactly the ids read and neither acked
//     (XACK) nor claimed away (XCLAIM), each owned by the consumer the ops
//     present say: acknowledged PEL changes survive every kill.
//
// The kill delays, and so the test, are reproducible from the printed seed:
// KEEL_CRASH_SEED=<seed> go test ./cmd/keel -run TestCrash. KEEL_CRASH_ROUNDS
// overrides the number of rounds of each variant.

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cespare/xxhash/v2"
)

// crashClients is the number of concurrent writers.
const crashClients = 8

// crashVariant is one configuration of the crash test.
type crashVariant struct {
	name      string
	rounds    int      // kill/restart rounds
	args      []string // extra keel flags
	valueSize int      // approximate size of SET/MSET values
	saver     bool     // run SAVE/BGSAVE in a loop during the workload
}

func TestCrash(t *testing.T) {
	t.Run("plain", func(t *testing.T) {
		runCrash(t, crashVariant{
			name:      "plain",
			rounds:    25,
			args:      []string{"--appendfsync", "always"},
			valueSize: 100,
		})
	})
	// Small WAL segments, buffer and checkpoint threshold, plus a client
	// running SAVE and BGSAVE without pause: flushes, segment compaction,
	// manifest replacement and WAL truncation are in progress at most kills.
	t.Run("checkpointing", func(t *testing.T) {
		runCrash(t, crashVariant{
			name:   "checkpointing",
			rounds: 20,
			args: []string{"--appendfsync", "always",
				"--checkpoint-wal-bytes", "1048576",
				"--strings-buffer-size", "65536",
				"--hashes-buffer-size", "65536",
				"--streams-buffer-size", "65536",
				"--wal-segment-size", "1048576"},
			valueSize: 1500,
			saver:     true,
		})
	})
	// everysec acknowledges a write once it is written to the OS, which a
	// killed process does not take back. Small WAL segments make rolls,
	// the writer's early fsyncs of the active segment and the directory
	// fsyncs a roll leaves to them (wal's presyncStep) happen throughout.
	t.Run("everysec", func(t *testing.T) {
		runCrash(t, crashVariant{
			name:      "everysec",
			rounds:    12,
			args:      []string{"--appendfsync", "everysec", "--wal-segment-size", "1048576"},
			valueSize: 1500,
		})
	})
}

// crashSeed is KEEL_CRASH_SEED or a fresh seed.
func crashSeed(t *testing.T) uint64 {
	if s := os.Getenv("KEEL_CRASH_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("KEEL_CRASH_SEED: %v", err)
		}
		return n
	}
	return uint64(time.Now().UnixNano())
}

func crashRounds(t *testing.T, def int) int {
	if s := os.Getenv("KEEL_CRASH_ROUNDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("KEEL_CRASH_ROUNDS: %q", s)
		}
		return n
	}
	if testing.Short() {
		return max(def/4, 2)
	}
	return def
}

// The op model. Client i's op j is the iteration k = j/12 of kind j%12:
//
//	0: SET c<i>:<k> <value(i,k)>
//	1: INCR counter:<i>                 (the k+1-th INCR)
//	2: APPEND log:<i> "<k>,"            (log becomes "0,1,...,k,")
//	3: MSET m<i>a:<k> <value> m<i>b:<k> <value>
//	4: RPUSH list:<i> <k>               (list becomes 0..k)
//	5: SADD set:<i> <k>                 (set becomes {0..k})
//	6: ZADD zset:<i> <k> <k>            (members 0..k, each scored itself)
//	7: MULTI, SET tx<i>:<k> <k>, RPUSH txl:<i> <k>, ZADD txz:<i> <k> <k>,
//	   SADD txt:<i> <k>, HSET txh:<i> <k> <k>, XADD txx:<i> <k+1>-1 f <k>,
//	   EXEC                             (one record over six engines)
//	8: HSET hash:<i> f<k> <k>           (fields f0..fk)
//	9: XADD stream:<i> <k+1>-1 f <k>    (entries 1-1 .. <k+1>-1, explicit
//	                                    ids so that presence is exact)
//	10: XREADGROUP GROUP g c COUNT 1 STREAMS stream:<i> >
//	                                    (delivers <k+1>-1 to consumer c: the
//	                                    group's last-delivered-id)
//	11: k even: XACK stream:<i> g <k+1>-1        (leaves the PEL)
//	    k odd:  XCLAIM stream:<i> g c2 0 <k+1>-1 JUSTID
//	                                    (stays pending, now owned by c2)
//	12: EVAL of a script that SETs sc<i>:<k> <k>, RPUSHes <k> to
//	    scl:<i> and HSETs sch:<i> <k> <k>   (one record over three
//	    engines: all or nothing)
//
// Before its first op of a round, a writer creates the group with XGROUP
// CREATE stream:<i> g 0 MKSTREAM (BUSYGROUP once it exists), so the group
// exists whenever any op of the client is present. After ops [0, n) the
// PEL is exactly the ids <k+1>-1 read and not acked: every odd k read,
// owned by c2 once its XCLAIM is present, by c before; and the even k read
// whose XACK is not present yet (at most the last one).
//
// Ops are deterministic in (i, j), so a client that resumes after a crash
// at op P reissues exactly what the model expects. An op is acknowledged
// by the reply to its last command; the replies of stream ops are checked
// too (XREADGROUP must deliver exactly the next id, XACK and XCLAIM must
// find it pending), so a restart that lost group state fails the writer.
const opsPerIter = 13

// Names of the consumer group and its two consumers.
const (
	crashGroup    = "g"
	crashConsumer = "c"
	crashClaimer  = "c2"
	crashField    = "f"
)

func keySet(i, k int) string    { return fmt.Sprintf("c%d:%d", i, k) }
func keyMA(i, k int) string     { return fmt.Sprintf("m%da:%d", i, k) }
func keyMB(i, k int) string     { return fmt.Sprintf("m%db:%d", i, k) }
func keyCounter(i int) string   { return fmt.Sprintf("counter:%d", i) }
func keyLog(i int) string       { return fmt.Sprintf("log:%d", i) }
func keyList(i int) string      { return fmt.Sprintf("list:%d", i) }
func keySetT(i int) string      { return fmt.Sprintf("set:%d", i) }
func keyZSet(i int) string      { return fmt.Sprintf("zset:%d", i) }
func keyTx(i, k int) string     { return fmt.Sprintf("tx%d:%d", i, k) }
func keyTxL(i int) string       { return fmt.Sprintf("txl:%d", i) }
func keyTxZ(i int) string       { return fmt.Sprintf("txz:%d", i) }
func keyTxT(i int) string       { return fmt.Sprintf("txt:%d", i) }
func keyTxH(i int) string       { return fmt.Sprintf("txh:%d", i) }
func keyHash(i int) string      { return fmt.Sprintf("hash:%d", i) }
func keyTxX(i int) string       { return fmt.Sprintf("txx:%d", i) }
func keyStream(i int) string    { return fmt.Sprintf("stream:%d", i) }
func keyScript(i, k int) string { return fmt.Sprintf("sc%d:%d", i, k) }
func keyScriptL(i int) string   { return fmt.Sprintf("scl:%d", i) }
func keyScriptH(i int) string   { return fmt.Sprintf("sch:%d", i) }

// crashScript is op kind 12's script.
const crashScript = "redis.call('SET', KEYS[1], ARGV[1]) redis.call('RPUSH', KEYS[2], ARGV[1]) redis.call('HSET', KEYS[3], ARGV[1], ARGV[1]) return redis.call('LLEN', KEYS[2])"

// entryID is the stream id of iteration k's entries (XADD to stream:<i>
// and txx:<i>): <k+1>-1, never 0-0.
func entryID(k int) string { return strconv.Itoa(k+1) + "-1" }

func logPrefix(n int) string {
	var b strings.Builder
	for k := 0; k < n; k++ {
		b.WriteString(strconv.Itoa(k))
		b.WriteByte(',')
	}
	return b.String()
}

// value is the deterministic value of iteration k of client i; its length
// varies around size so records straddle blocks and segments differently.
func value(i, k, size int) string {
	head := fmt.Sprintf("v%d:%d:", i, k)
	n := size/2 + (k*7919+i*104729)%size
	if n <= len(head) {
		return head
	}
	return head + strings.Repeat(string(rune('a'+(i+k)%26)), n-len(head))
}

// opCmds returns the commands of client i's op j.
func opCmds(i, j, size int) [][]string {
	k := j / opsPerIter
	ks := strconv.Itoa(k)
	switch j % opsPerIter {
	case 0:
		return [][]string{{"SET", keySet(i, k), value(i, k, size)}}
	case 1:
		return [][]string{{"INCR", keyCounter(i)}}
	case 2:
		return [][]string{{"APPEND", keyLog(i), ks + ","}}
	case 3:
		v := value(i, k, size)
		return [][]string{{"MSET", keyMA(i, k), v, keyMB(i, k), v}}
	case 4:
		return [][]string{{"RPUSH", keyList(i), ks}}
	case 5:
		return [][]string{{"SADD", keySetT(i), ks}}
	case 6:
		return [][]string{{"ZADD", keyZSet(i), ks, ks}}
	case 7:
		return [][]string{{"MULTI"}, {"SET", keyTx(i, k), ks}, {"RPUSH", keyTxL(i), ks},
			{"ZADD", keyTxZ(i), ks, ks}, {"SADD", keyTxT(i), ks}, {"HSET", keyTxH(i), ks, ks},
			{"XADD", keyTxX(i), entryID(k), crashField, ks}, {"EXEC"}}
	case 8:
		return [][]string{{"HSET", keyHash(i), "f" + ks, ks}}
	case 9:
		return [][]string{{"XADD", keyStream(i), entryID(k), crashField, ks}}
	case 10:
		return [][]string{{"XREADGROUP", "GROUP", crashGroup, crashConsumer, "COUNT", "1", "STREAMS", keyStream(i), ">"}}
	case 11:
		if k%2 == 0 {
			return [][]string{{"XACK", keyStream(i), crashGroup, entryID(k)}}
		}
		return [][]string{{"XCLAIM", keyStream(i), crashGroup, crashClaimer, "0", entryID(k), "JUSTID"}}
	default:
		return [][]string{{"EVAL", crashScript, "3", keyScript(i, k), keyScriptL(i), keyScriptH(i), ks}}
	}
}

// checkStreamReply checks the reply to a stream op (kinds 9 to 11 and the
// transaction's XADD) against the model: "" when it is what the op must
// answer after the ops before it, else what is wrong.
func checkStreamReply(i, j int, replies []any) string {
	k := j / opsPerIter
	id := entryID(k)
	last := replies[len(replies)-1]
	want := ""
	switch j % opsPerIter {
	case 7:
		// EXEC: OK, the list length, 1 (ZADD), 1 (SADD), 1 (HSET), the id.
		if arr, _ := last.([]any); len(arr) == 6 {
			if got, _ := arr[5].([]byte); string(got) == id {
				return ""
			}
		}
		want = "an EXEC reply ending in the XADD's id " + id
	case 9:
		if b, ok := last.([]byte); ok && string(b) == id {
			return ""
		}
		want = "the id " + id
	case 10:
		// [[stream:<i>, [[id, [f, k]]]]]
		if arr, _ := last.([]any); len(arr) == 1 {
			if kv, _ := arr[0].([]any); len(kv) == 2 {
				key, _ := kv[0].([]byte)
				es, _ := kv[1].([]any)
				if string(key) == keyStream(i) && len(es) == 1 && isEntry(es[0], k) {
					return ""
				}
			}
		}
		want = "the delivery of exactly entry " + id
	case 11:
		if k%2 == 0 {
			if last == int64(1) {
				return ""
			}
			want = "1 (the id was pending)"
		} else {
			if arr, _ := last.([]any); len(arr) == 1 {
				if got, _ := arr[0].([]byte); string(got) == id {
					return ""
				}
			}
			want = "[" + id + "] (the id was pending and is now claimed)"
		}
	default:
		return ""
	}
	return fmt.Sprintf("reply %s, want %s", fmtReply(last), want)
}

// fmtReply formats a reply for a failure message: bulk strings as text.
func fmtReply(r any) string {
	switch x := r.(type) {
	case []byte:
		return strconv.Quote(string(x))
	case []any:
		parts := make([]string, len(x))
		for n, e := range x {
			parts[n] = fmtReply(e)
		}
		return "[" + strings.Join(parts, " ") + "]"
	case nil:
		return "(nil)"
	}
	return fmt.Sprint(r)
}

// writerResult is what one client learned during a round.
type writerResult struct {
	acked int   // ops [0, acked) were acknowledged
	sent  int   // ops [0, sent) were (at least partly) written; sent <= acked+1
	err   error // unexpected failure (error reply, or I/O before the kill)
}

func runCrash(t *testing.T, v crashVariant) {
	seed := crashSeed(t)
	rounds := crashRounds(t, v.rounds)
	t.Logf("%s: seed %d, %d rounds, %d clients (replay: KEEL_CRASH_SEED=%d go test ./cmd/keel -run 'TestCrash/%s')",
		v.name, seed, rounds, crashClients, seed, v.name)
	rng := rand.New(rand.NewPCG(seed, 0x6b65656c))
	dir := t.TempDir()
	base := make([]int, crashClients) // ops [0, base[i]) are present (verified)
	start := time.Now()
	var torn, orphans, killedInRecovery int

	var round int
	fail := func(format string, args ...any) {
		t.Helper()
		// Keep the evidence: t.TempDir is removed when the test ends.
		keep, err := os.MkdirTemp("", fmt.Sprintf("keel-crash-%s-%d-round%d-", v.name, seed, round))
		if err == nil {
			if err := copyTree(dir, keep); err != nil {
				t.Logf("copying the data directory: %v", err)
			}
		}
		t.Fatalf("%s seed %d round %d: %s\n(data directory copied to %s)", v.name, seed, round, fmt.Sprintf(format, args...), keep)
	}
	p := startServer(t, dir, v.args...)
	for round = 1; round <= rounds; round++ {
		delay := time.Duration(50+rng.IntN(351)) * time.Millisecond
		recoveryKill := rng.IntN(4) == 0
		recoveryDelay := time.Duration(rng.IntN(30)) * time.Millisecond

		res := make([]writerResult, crashClients)
		var killing atomic.Bool
		var wg sync.WaitGroup
		for i := 0; i < crashClients; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res[i] = runWriter(p, i, base[i], v.valueSize, &killing)
			}()
		}
		stopSaver := make(chan struct{})
		saverDone := make(chan error, 1)
		if v.saver {
			go func() { saverDone <- runSaver(p, &killing, stopSaver) }()
		} else {
			saverDone <- nil
		}

		select {
		case <-p.done:
			fail("keel exited during the workload before the kill: %v\n%s", p.err, p.stderr.String())
		case <-time.After(delay):
		}
		killing.Store(true)
		p.kill()
		wg.Wait()
		close(stopSaver)
		if err := <-saverDone; err != nil {
			fail("saver: %v", err)
		}
		acked, inflight := 0, 0
		for i, r := range res {
			if r.err != nil {
				fail("client %d: %v\nstderr:\n%s", i, r.err, p.stderr.String())
			}
			acked += r.acked - base[i]
			inflight += r.sent - r.acked
		}
		// Before anything touches the directory again: no engine may have
		// committed a checkpoint past the last record that reached the WAL.
		// Such a checkpoint holds effects of records that were never
		// durable, and the restarted log would hand out their LSNs again
		// (invariant 1) — recovery would then skip acknowledged writes.
		if err := checkpointsWithinLog(dir); err != nil {
			fail("%v", err)
		}

		// Sometimes kill it again while it recovers (repairing the torn
		// tail, replaying, removing files of an uncommitted flush).
		if recoveryKill {
			rp := launch(t, dir, v.args...)
			select {
			case <-rp.done:
			case <-time.After(recoveryDelay):
			}
			if rp.exited() && !rp.killed {
				fail("keel exited during recovery before the kill: %v\n%s", rp.err, rp.stderr.String())
			}
			rp.kill()
			killedInRecovery++
			if err := checkpointsWithinLog(dir); err != nil {
				fail("after a kill during recovery: %v", err)
			}
		}

		// Restart and check every round's writes so far.
		var err error
		if p, err = tryStartServer(t, dir, v.args...); err != nil {
			fail("restart after the kill failed: %v", err)
		}
		log := p.stderr.String()
		if strings.Contains(log, "torn") {
			torn++
		}
		if strings.Contains(log, "not in committed state") {
			orphans++
		}
		present := verifyCrashState(t, p, v, base, res, fail)
		gained := 0
		for i := range base {
			gained += present[i] - base[i]
			base[i] = present[i]
		}
		t.Logf("round %2d: kill after %v, kill during recovery %v: %d ops acked, %d in flight, %d present after restart; %s",
			round, delay, recoveryKill, acked, inflight, gained, dirSummary(dir))
	}
	round--
	checkDigestStable(t, p, v)
	total := 0
	for _, b := range base {
		total += b
	}
	t.Logf("%s: %d rounds in %v, %d ops verified present; restarts that repaired a torn WAL tail: %d, that removed files of an uncommitted flush/compaction: %d; kills during recovery: %d",
		v.name, rounds, time.Since(start).Round(time.Millisecond), total, torn, orphans, killedInRecovery)
}

// runWriter issues client i's ops from op first, one at a time, until the
// connection fails. An error reply, or a failure before killing is set, is
// returned in err.
func runWriter(p *proc, i, first, size int, killing *atomic.Bool) writerResult {
	r := writerResult{acked: first, sent: first}
	c, err := dial(p.addr)
	if err != nil {
		r.err = err
		return r
	}
	defer c.Close()
	// The consumer group: created once, before the client's first op ever
	// (op 10 needs it); every later start finds it (BUSYGROUP).
	reply, err := c.Do("XGROUP", "CREATE", keyStream(i), crashGroup, "0", "MKSTREAM")
	if err != nil {
		if !killing.Load() {
			r.err = fmt.Errorf("XGROUP CREATE %s before the kill: %v", keyStream(i), err)
		}
		return r
	}
	if e, ok := reply.(respError); ok && !strings.HasPrefix(string(e), "BUSYGROUP") {
		r.err = fmt.Errorf("XGROUP CREATE %s: error reply %q", keyStream(i), string(e))
		return r
	}
	for j := first; ; j++ {
		cmds := opCmds(i, j, size)
		r.sent = j + 1
		replies, err := c.Pipeline(cmds)
		if err != nil {
			if !killing.Load() {
				r.err = fmt.Errorf("op %d (%s) before the kill: %v", j, describeOp(i, j, size), err)
			}
			return r
		}
		if e := firstError(replies); e != "" {
			r.err = fmt.Errorf("op %d (%s): error reply %q", j, describeOp(i, j, size), e)
			return r
		}
		if e := checkStreamReply(i, j, replies); e != "" {
			r.err = fmt.Errorf("op %d (%s): %s", j, describeOp(i, j, size), e)
			return r
		}
		r.acked = j + 1
	}
}

// firstError returns the first error reply in replies, looking inside
// arrays (EXEC), or "".
func firstError(replies []any) string {
	for _, r := range replies {
		switch x := r.(type) {
		case respError:
			return string(x)
		case []any:
			if e := firstError(x); e != "" {
				return e
			}
		}
	}
	return ""
}

// runSaver alternates SAVE and BGSAVE until the connection fails or stop.
func runSaver(p *proc, killing *atomic.Bool, stop chan struct{}) error {
	c, err := dial(p.addr)
	if err != nil {
		return err
	}
	defer c.Close()
	for n := 0; ; n++ {
		select {
		case <-stop:
			return nil
		default:
		}
		cmd := "SAVE"
		if n%2 == 1 {
			cmd = "BGSAVE"
		}
		reply, err := c.Do(cmd)
		if err != nil {
			if killing.Load() {
				return nil
			}
			return fmt.Errorf("%s before the kill: %v", cmd, err)
		}
		if e, ok := reply.(respError); ok && !strings.Contains(string(e), "in progress") {
			return fmt.Errorf("%s: error reply %q", cmd, string(e))
		}
	}
}

// verifyCrashState reads every key the model can have written and returns,
// per client, the number of ops present. It fails unless the ops present
// are a prefix of the client's ops with base <= present and
// acked <= present <= sent.
func verifyCrashState(t *testing.T, p *proc, v crashVariant, base []int, res []writerResult, fail func(string, ...any)) []int {
	t.Helper()
	c := p.client(t)
	present := make([]int, crashClients)
	for i := 0; i < crashClients; i++ {
		// Ops [0, sent) may be present; read one iteration past them, which
		// must be absent.
		iters := res[i].sent/opsPerIter + 2
		var cmds [][]string
		cmds = append(cmds, []string{"GET", keyCounter(i)}, []string{"GET", keyLog(i)},
			[]string{"LRANGE", keyList(i), "0", "-1"}, []string{"SMEMBERS", keySetT(i)},
			[]string{"ZRANGE", keyZSet(i), "0", "-1", "WITHSCORES"},
			[]string{"LRANGE", keyTxL(i), "0", "-1"}, []string{"SMEMBERS", keyTxT(i)},
			[]string{"ZRANGE", keyTxZ(i), "0", "-1", "WITHSCORES"},
			[]string{"HGETALL", keyHash(i)}, []string{"HGETALL", keyTxH(i)},
			[]string{"XRANGE", keyStream(i), "-", "+"}, []string{"XRANGE", keyTxX(i), "-", "+"},
			[]string{"XINFO", "GROUPS", keyStream(i)},
			[]string{"XPENDING", keyStream(i), crashGroup, "-", "+", "1000000000"},
			[]string{"XPENDING", keyStream(i), crashGroup, "-", "+", "1000000000", crashConsumer},
			[]string{"XPENDING", keyStream(i), crashGroup, "-", "+", "1000000000", crashClaimer},
			[]string{"XINFO", "CONSUMERS", keyStream(i), crashGroup},
			[]string{"LRANGE", keyScriptL(i), "0", "-1"}, []string{"HGETALL", keyScriptH(i)})
		const perKey = 19 // replies before the per-iteration ones
		const perIter = 5
		for k := 0; k < iters; k++ {
			cmds = append(cmds, []string{"GET", keySet(i, k)}, []string{"GET", keyMA(i, k)}, []string{"GET", keyMB(i, k)},
				[]string{"GET", keyTx(i, k)}, []string{"GET", keyScript(i, k)})
		}
		replies := pipelined(t, c, cmds)
		listN := seqLen(replies[2], false, false, func(f string, a ...any) { fail("client %d: %s: "+f, append([]any{i, keyList(i)}, a...)...) })
		setN := seqLen(replies[3], true, false, func(f string, a ...any) { fail("client %d: %s: "+f, append([]any{i, keySetT(i)}, a...)...) })
		zsetN := seqLen(replies[4], false, true, func(f string, a ...any) { fail("client %d: %s: "+f, append([]any{i, keyZSet(i)}, a...)...) })
		txlN := seqLen(replies[5], false, false, func(f string, a ...any) { fail("client %d: %s: "+f, append([]any{i, keyTxL(i)}, a...)...) })
		txtN := seqLen(replies[6], true, false, func(f string, a ...any) { fail("client %d: %s: "+f, append([]any{i, keyTxT(i)}, a...)...) })
		txzN := seqLen(replies[7], false, true, func(f string, a ...any) { fail("client %d: %s: "+f, append([]any{i, keyTxZ(i)}, a...)...) })
		hashN := hashLen(replies[8], "f", func(f string, a ...any) { fail("client %d: %s: "+f, append([]any{i, keyHash(i)}, a...)...) })
		txhN := hashLen(replies[9], "", func(f string, a ...any) { fail("client %d: %s: "+f, append([]any{i, keyTxH(i)}, a...)...) })
		xaddN := streamLen(replies[10], func(f string, a ...any) { fail("client %d: XRANGE %s: "+f, append([]any{i, keyStream(i)}, a...)...) })
		txxN := streamLen(replies[11], func(f string, a ...any) { fail("client %d: XRANGE %s: "+f, append([]any{i, keyTxX(i)}, a...)...) })
		grp := readGroup(replies[12], replies[13], replies[14:17], xaddN, func(f string, a ...any) {
			fail("client %d: %s group %s: "+f, append([]any{i, keyStream(i), crashGroup}, a...)...)
		})
		sclN := seqLen(replies[17], false, false, func(f string, a ...any) { fail("client %d: %s: "+f, append([]any{i, keyScriptL(i)}, a...)...) })
		schN := hashLen(replies[18], "", func(f string, a ...any) { fail("client %d: %s: "+f, append([]any{i, keyScriptH(i)}, a...)...) })
		str := func(r any, what string) (string, bool) {
			switch x := r.(type) {
			case nil:
				return "", false
			case []byte:
				return string(x), true
			case respError:
				fail("client %d: GET %s: error reply %q", i, what, string(x))
			default:
				fail("client %d: GET %s: unexpected reply %#v", i, what, r)
			}
			return "", false
		}
		counter := 0
		if s, ok := str(replies[0], keyCounter(i)); ok {
			n, err := strconv.Atoi(s)
			if err != nil {
				fail("client %d: %s = %q is not an integer", i, keyCounter(i), s)
			}
			counter = n
		}
		logN := 0
		if s, ok := str(replies[1], keyLog(i)); ok {
			// Find the n for which s == "0,1,...,n-1,".
			parts := strings.Split(s, ",")
			logN = len(parts) - 1
			if parts[logN] != "" || s != logPrefix(logN) {
				fail("client %d: %s = %q is not a prefix \"0,1,2,...\"", i, keyLog(i), s)
			}
		}
		// present(j) for every op j < iters*opsPerIter.
		has := make([]bool, iters*opsPerIter)
		for k := 0; k < iters; k++ {
			want := value(i, k, v.valueSize)
			rs := replies[perKey+perIter*k : perKey+perIter*(k+1)]
			set, okSet := str(rs[0], keySet(i, k))
			ma, okA := str(rs[1], keyMA(i, k))
			mb, okB := str(rs[2], keyMB(i, k))
			if okSet && set != want {
				fail("client %d: %s holds a wrong value (%d bytes, want %d): %.40q", i, keySet(i, k), len(set), len(want), set)
			}
			if okA != okB {
				fail("client %d: MSET of iteration %d is half applied: %s present=%v, %s present=%v (one record must be all or nothing)",
					i, k, keyMA(i, k), okA, keyMB(i, k), okB)
			}
			if okA && (ma != want || mb != want) {
				fail("client %d: MSET of iteration %d holds a wrong value", i, k)
			}
			tx, okTx := str(rs[3], keyTx(i, k))
			if okTx && tx != strconv.Itoa(k) {
				fail("client %d: %s = %q, want %d", i, keyTx(i, k), tx, k)
			}
			// A transaction is one record: its six engines agree.
			if okTx != (k < txlN) || okTx != (k < txtN) || okTx != (k < txzN) || okTx != (k < txhN) || okTx != (k < txxN) {
				fail("client %d: transaction of iteration %d is partly applied: string %s present=%v, list %s has %d elements, set %s %d, zset %s %d, hash %s %d, stream %s %d",
					i, k, keyTx(i, k), okTx, keyTxL(i), txlN, keyTxT(i), txtN, keyTxZ(i), txzN, keyTxH(i), txhN, keyTxX(i), txxN)
			}
			sc, okSc := str(rs[4], keyScript(i, k))
			if okSc && sc != strconv.Itoa(k) {
				fail("client %d: %s = %q, want %d", i, keyScript(i, k), sc, k)
			}
			// A script is one record: its three engines agree.
			if okSc != (k < sclN) || okSc != (k < schN) {
				fail("client %d: script of iteration %d is partly applied: string %s present=%v, list %s has %d elements, hash %s %d",
					i, k, keyScript(i, k), okSc, keyScriptL(i), sclN, keyScriptH(i), schN)
			}
			has[k*opsPerIter+12] = okSc
			has[k*opsPerIter+0] = okSet
			has[k*opsPerIter+1] = counter >= k+1
			has[k*opsPerIter+2] = logN >= k+1
			has[k*opsPerIter+3] = okA
			has[k*opsPerIter+4] = listN >= k+1
			has[k*opsPerIter+5] = setN >= k+1
			has[k*opsPerIter+6] = zsetN >= k+1
			has[k*opsPerIter+7] = okTx
			has[k*opsPerIter+8] = hashN >= k+1
			has[k*opsPerIter+9] = xaddN >= k+1
			has[k*opsPerIter+10] = grp.read >= k+1
			has[k*opsPerIter+11] = grp.settled(k)
		}
		if grp.read > xaddN {
			fail("client %d: %s group %s delivered %s, but the stream has only %d entries", i, keyStream(i), crashGroup, entryID(grp.read-1), xaddN)
		}
		n := 0
		for n < len(has) && has[n] {
			n++
		}
		for j := n; j < len(has); j++ {
			if has[j] {
				fail("client %d: hole: op %d (%s) is missing but op %d (%s) is present",
					i, n, describeOp(i, n, v.valueSize), j, describeOp(i, j, v.valueSize))
			}
		}
		// counter and log must hold exactly what the ops present say
		// (past the keys read above, only this catches an excess).
		if n > 0 && !grp.exists {
			fail("client %d: group %s of %s is missing, but %d ops are present (XGROUP CREATE was acknowledged before op 0 was sent)",
				i, crashGroup, keyStream(i), n)
		}
		for kind, got := range map[int]int{1: counter, 2: logN, 4: listN, 5: setN, 6: zsetN, 7: txlN, 8: hashN, 9: xaddN, 10: grp.read, 12: sclN} {
			if want := (n + opsPerIter - 1 - kind) / opsPerIter; got != want {
				fail("client %d: op kind %d (%s) applied %d times, but only %d ops are present (want %d)",
					i, kind, describeOp(i, kind, v.valueSize), got, n, want)
			}
		}
		if n < base[i] {
			fail("client %d: op %d (%s) was present after an earlier restart and is missing now", i, n, describeOp(i, n, v.valueSize))
		}
		if n < res[i].acked {
			fail("client %d: acknowledged op %d (%s) is missing (acked %d ops, %d present)",
				i, n, describeOp(i, n, v.valueSize), res[i].acked, n)
		}
		if n > res[i].sent {
			fail("client %d: %d ops present but only %d were sent", i, n, res[i].sent)
		}
		present[i] = n
	}
	return present
}

// seqLen checks that reply r (LRANGE, SMEMBERS or ZRANGE WITHSCORES) holds
// exactly the elements "0", "1", ..., "n-1" — in that order unless
// unordered, each followed by itself as a score when scored — and returns
// n. A missing key is n = 0.
func seqLen(r any, unordered, scored bool, fail func(string, ...any)) int {
	arr, ok := r.([]any)
	if !ok {
		if r != nil {
			fail("unexpected reply %#v", r)
		}
		return 0
	}
	step := 1
	if scored {
		step = 2
	}
	n := len(arr) / step
	seen := make([]bool, n)
	for p := 0; p < len(arr); p += step {
		b, _ := arr[p].([]byte)
		m, err := strconv.Atoi(string(b))
		if err != nil || m < 0 || m >= n || seen[m] || (!unordered && m != p/step) {
			fail("element %d is %q: not the sequence 0..%d", p/step, b, n-1)
			return n
		}
		seen[m] = true
		if scored {
			if sc, _ := arr[p+1].([]byte); string(sc) != string(b) {
				fail("member %s has score %q", b, sc)
			}
		}
	}
	return n
}

// hashLen checks that reply r (HGETALL, RESP2) holds exactly the fields
// prefix+"0" .. prefix+"n-1", each holding its number, and returns n. A
// missing key is n = 0.
func hashLen(r any, prefix string, fail func(string, ...any)) int {
	arr, ok := r.([]any)
	if !ok {
		if r != nil {
			fail("unexpected reply %#v", r)
		}
		return 0
	}
	n := len(arr) / 2
	seen := make([]bool, n)
	for p := 0; p+1 < len(arr); p += 2 {
		f, _ := arr[p].([]byte)
		v, _ := arr[p+1].([]byte)
		m, err := strconv.Atoi(strings.TrimPrefix(string(f), prefix))
		if err != nil || !strings.HasPrefix(string(f), prefix) || m < 0 || m >= n || seen[m] || string(v) != strconv.Itoa(m) {
			fail("field %q = %q: not the fields %s0..%s%d", f, v, prefix, prefix, n-1)
			return n
		}
		seen[m] = true
	}
	return n
}

// streamLen checks that reply r (XRANGE key - +, RESP2) holds exactly the
// entries of iterations 0..n-1 — ids 1-1 .. n-1, entry k with the fields
// [f k] — and returns n. A missing key is n = 0.
func streamLen(r any, fail func(string, ...any)) int {
	arr, ok := r.([]any)
	if !ok {
		fail("unexpected reply %s", fmtReply(r))
		return 0
	}
	for k, e := range arr {
		if !isEntry(e, k) {
			want := []any{[]byte(entryID(k)), []any{[]byte(crashField), []byte(strconv.Itoa(k))}}
			fail("entry %d is %s, want %s: not the entries %s..%s", k, fmtReply(e), fmtReply(want), entryID(0), entryID(len(arr)-1))
			return k
		}
	}
	return len(arr)
}

// isEntry reports whether e is iteration k's entry as XRANGE and
// XREADGROUP reply it: [<k+1>-1 [f k]]. (No fmt: the verification reads
// every entry of every round, under the race detector.)
func isEntry(e any, k int) bool {
	pair, _ := e.([]any)
	if len(pair) != 2 {
		return false
	}
	id, _ := pair[0].([]byte)
	fields, _ := pair[1].([]any)
	if string(id) != entryID(k) || len(fields) != 2 {
		return false
	}
	f, _ := fields[0].([]byte)
	v, _ := fields[1].([]byte)
	return string(f) == crashField && string(v) == strconv.Itoa(k)
}

// crashGroupState is the consumer group of stream:<i> as read after a
// restart (XINFO GROUPS, XPENDING key g - + count).
type crashGroupState struct {
	exists  bool
	read    int            // XREADGROUPs present: last-delivered-id is entryID(read-1)
	pending map[int]string // iteration k -> owner of entryID(k) in the PEL
}

// settled reports whether op 11 of iteration k (XACK for even k, XCLAIM
// to c2 for odd k) is present: its id was read and left the PEL, or was
// read and is owned by c2.
func (g *crashGroupState) settled(k int) bool {
	if k >= g.read {
		return false
	}
	owner, ok := g.pending[k]
	if k%2 == 0 {
		return !ok
	}
	return owner == crashClaimer
}

// readGroup decodes the replies to XINFO GROUPS and XPENDING (extended
// form) of a client's stream, checks them against each other and against
// the model, and returns the group's state. perConsumer are the replies to
// XPENDING for consumer c, for c2, and XINFO CONSUMERS: each consumer's own
// PEL index and pending count must agree with the group's PEL. xaddN is
// the number of XADDs present (for the lag).
func readGroup(info, pel any, perConsumer []any, xaddN int, fail func(string, ...any)) crashGroupState {
	g := crashGroupState{pending: map[int]string{}}
	// The group: absent (no key, or no group), or the only one.
	var fields map[string]any
	switch x := info.(type) {
	case respError:
		if !strings.Contains(string(x), "no such key") {
			fail("XINFO GROUPS: error reply %q", string(x))
		}
	case []any:
		if len(x) > 1 {
			fail("XINFO GROUPS: %d groups, want at most 1: %s", len(x), fmtReply(x))
		}
		if len(x) == 1 {
			flat, _ := x[0].([]any)
			fields = map[string]any{}
			for n := 0; n+1 < len(flat); n += 2 {
				name, _ := flat[n].([]byte)
				fields[string(name)] = flat[n+1]
			}
			if name, _ := fields["name"].([]byte); string(name) != crashGroup {
				fail("XINFO GROUPS: unexpected group %s", fmtReply(x[0]))
			}
			g.exists = true
		}
	default:
		fail("XINFO GROUPS: unexpected reply %s", fmtReply(info))
	}
	rows, isArr := pel.([]any)
	if !g.exists {
		if e, ok := pel.(respError); !ok || !strings.HasPrefix(string(e), "NOGROUP") {
			fail("the group is absent from XINFO GROUPS, but XPENDING answers %s", fmtReply(pel))
		}
		return g
	}
	if !isArr {
		fail("XPENDING: unexpected reply %s", fmtReply(pel))
		return g
	}
	last, _ := fields["last-delivered-id"].([]byte)
	if string(last) != "0-0" {
		ms, ok := strings.CutSuffix(string(last), "-1")
		n, err := strconv.Atoi(ms)
		if !ok || err != nil || n < 1 {
			fail("last-delivered-id %q is no id the workload delivers (1-1, 2-1, ...)", last)
		}
		g.read = n
	}
	// entries-read counts the deliveries (no entry is ever deleted); the
	// lag is what the group has not read.
	if g.read == 0 {
		if fields["entries-read"] != nil {
			fail("entries-read %s, but nothing was delivered (want nil)", fmtReply(fields["entries-read"]))
		}
	} else {
		if fields["entries-read"] != int64(g.read) {
			fail("entries-read %s, but last-delivered-id is %s (want %d)", fmtReply(fields["entries-read"]), last, g.read)
		}
		if g.read <= xaddN && fields["lag"] != int64(xaddN-g.read) { // else the caller reports the excess
			fail("lag %s, want %d (%d entries, %d read)", fmtReply(fields["lag"]), xaddN-g.read, xaddN, g.read)
		}
	}
	// The PEL: ids read and not settled, in id order, each delivered once.
	prev := -1
	claimed := false
	for _, row := range rows {
		r, _ := row.([]any)
		if len(r) != 4 {
			fail("XPENDING: unexpected row %s", fmtReply(row))
			return g
		}
		id, _ := r[0].([]byte)
		owner, _ := r[1].([]byte)
		ms, ok := strings.CutSuffix(string(id), "-1")
		n, err := strconv.Atoi(ms)
		k := n - 1
		switch {
		case !ok || err != nil || n < 1:
			fail("pending id %q is no id the workload adds", id)
		case k >= g.read:
			fail("pending id %s was never delivered: last-delivered-id is %s", id, last)
		case k <= prev:
			fail("pending ids out of order: %s after %s", id, entryID(prev))
		case string(owner) != crashConsumer && string(owner) != crashClaimer:
			fail("pending id %s owned by %q, want %s or %s", id, owner, crashConsumer, crashClaimer)
		case string(owner) == crashClaimer && k%2 == 0:
			fail("pending id %s owned by %s, but only odd iterations' ids are claimed", id, owner)
		case r[3] != int64(1):
			fail("pending id %s has delivery count %s, want 1 (delivered once, claimed with JUSTID)", id, fmtReply(r[3]))
		}
		prev = k
		g.pending[k] = string(owner)
		claimed = claimed || string(owner) == crashClaimer
	}
	// An odd iteration's id is never acked: once read it stays pending.
	for k := 1; k < g.read; k += 2 {
		if _, ok := g.pending[k]; !ok {
			fail("id %s was delivered (last-delivered-id %s) and never acked, but is missing from the PEL %s",
				entryID(k), last, fmtReply(rows))
		}
	}
	if fields["pending"] != int64(len(rows)) {
		fail("XINFO GROUPS says %s pending, XPENDING lists %d", fmtReply(fields["pending"]), len(rows))
	}
	consumers := 0
	if g.read > 0 {
		consumers++
	}
	if claimed {
		consumers++
	}
	if fields["consumers"] != int64(consumers) {
		fail("%s consumers, want %d (%s after a delivery, %s after a claim)", fmtReply(fields["consumers"]), consumers, crashConsumer, crashClaimer)
	}
	// Each consumer's PEL (its own index of ids, and its pending count)
	// lists exactly the group's entries it owns.
	// Rows compare without their idle times (read at different moments).
	rowText := func(row any) string {
		if r, ok := row.([]any); ok && len(r) == 4 {
			id, _ := r[0].([]byte)
			owner, _ := r[1].([]byte)
			if n, ok := r[3].(int64); ok {
				return string(id) + " " + string(owner) + " " + strconv.FormatInt(n, 10)
			}
		}
		return fmtReply(row)
	}
	owned := map[string][]string{}
	for _, row := range rows {
		owner := string(row.([]any)[1].([]byte))
		owned[owner] = append(owned[owner], rowText(row))
	}
	counts := map[string]any{}
	if arr, ok := perConsumer[2].([]any); ok {
		for _, c := range arr {
			flat, _ := c.([]any)
			var name []byte
			var pending any
			for n := 0; n+1 < len(flat); n += 2 {
				switch f, _ := flat[n].([]byte); string(f) {
				case "name":
					name, _ = flat[n+1].([]byte)
				case "pending":
					pending = flat[n+1]
				}
			}
			if string(name) != crashConsumer && string(name) != crashClaimer {
				fail("XINFO CONSUMERS lists an unexpected consumer %s", fmtReply(c))
			}
			counts[string(name)] = pending
		}
		if len(arr) != consumers {
			fail("XINFO CONSUMERS lists %d consumers, want %d: %s", len(arr), consumers, fmtReply(arr))
		}
	} else {
		fail("XINFO CONSUMERS: unexpected reply %s", fmtReply(perConsumer[2]))
	}
	for n, name := range []string{crashConsumer, crashClaimer} {
		arr, ok := perConsumer[n].([]any)
		if !ok {
			fail("XPENDING for consumer %s: unexpected reply %s", name, fmtReply(perConsumer[n]))
			continue
		}
		got := make([]string, len(arr))
		for m, row := range arr {
			got[m] = rowText(row)
		}
		if !slices.Equal(got, owned[name]) {
			fail("XPENDING for consumer %s lists %q, but the group's PEL gives it %q", name, got, owned[name])
		}
		if c, ok := counts[name]; ok && c != int64(len(owned[name])) {
			fail("XINFO CONSUMERS: %s has pending %s, but owns %d PEL entries", name, fmtReply(c), len(owned[name]))
		}
	}
	return g
}

// checkpointsWithinLog reads MANIFEST (docs/format/manifest.md) and the
// WAL segments (docs/format/wal.md) of a stopped server's directory without
// modifying anything, and returns an error if an engine's checkpoint LSN is
// greater than the LSN of the last complete, checksum-valid WAL record.
func checkpointsWithinLog(dir string) error {
	man, err := os.ReadFile(filepath.Join(dir, "MANIFEST"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(man) < 18 || string(man[:8]) != "KEELMANI" ||
		xxhash.Sum64(man[:len(man)-8]) != binary.LittleEndian.Uint64(man[len(man)-8:]) {
		return fmt.Errorf("MANIFEST does not validate after a kill")
	}
	ckpts := map[string]uint64{}
	b := man[10 : len(man)-8]
	count, n := binary.Uvarint(b)
	b = b[n:]
	for i := uint64(0); i < count; i++ {
		nl, n := binary.Uvarint(b)
		name := string(b[n : n+int(nl)])
		b = b[n+int(nl):]
		ckpts[name] = binary.LittleEndian.Uint64(b)
		sl, n := binary.Uvarint(b[8:])
		b = b[8+n+int(sl):]
	}
	// Segments are named after their first LSN; <N>.START is a front
	// truncation in progress (records >= N), which recovery finishes.
	var segs, names []string
	ents, err := os.ReadDir(filepath.Join(dir, "wal"))
	if err != nil {
		return err
	}
	for _, e := range ents {
		names = append(names, e.Name())
		if first, _ := strings.CutSuffix(e.Name(), ".START"); len(first) == 20 {
			segs = append(segs, filepath.Join(dir, "wal", e.Name()))
		}
	}
	sort.Strings(segs)
	var last uint64
	for _, seg := range segs {
		data, err := os.ReadFile(seg)
		if err != nil {
			return err
		}
		// An empty segment named N says the log's next LSN is N.
		first, _ := strconv.ParseUint(strings.TrimSuffix(filepath.Base(seg), ".START"), 10, 64)
		last = max(last, first-1)
		for off := 0; off < len(data); {
			size, n := binary.Uvarint(data[off:])
			if n <= 0 || size < 28 || size > uint64(len(data)-off-n) {
				break // torn tail
			}
			f := data[off+n : off+n+int(size)]
			if xxhash.Sum64(f[:len(f)-8]) != binary.LittleEndian.Uint64(f[len(f)-8:]) {
				break
			}
			last = max(last, binary.LittleEndian.Uint64(f[2:]))
			off += n + int(size)
		}
	}
	for name, lsn := range ckpts {
		if lsn > last {
			return fmt.Errorf("engine %q committed a checkpoint at LSN %d, but the WAL ends at LSN %d: "+
				"records %d..%d were checkpointed before they were durable in the log (MANIFEST %v, wal/ %v)",
				name, lsn, last, last+1, lsn, ckpts, names)
		}
	}
	return nil
}

// dirSummary counts the files of a data directory, to show in the round
// log that flushes, compactions and WAL truncation were happening.
func dirSummary(dir string) string {
	count := func(sub, suffix string) int {
		ents, _ := os.ReadDir(filepath.Join(dir, sub))
		n := 0
		for _, e := range ents {
			if strings.HasSuffix(e.Name(), suffix) && (suffix != "" || len(e.Name()) == 20) {
				n++
			}
		}
		return n
	}
	first := "-"
	if ents, _ := os.ReadDir(filepath.Join(dir, "wal")); len(ents) > 0 {
		first = strings.TrimLeft(ents[0].Name(), "0")
	}
	ckpt := "-"
	if m, _ := filepath.Glob(filepath.Join(dir, "keyspace-*.ckpt")); len(m) > 0 {
		ckpt = filepath.Base(m[len(m)-1])
	}
	return fmt.Sprintf("dir: %d WAL segments from LSN %s, %d strings, %d hashes, %d streams segment files, %s",
		count("wal", ""), first, count("strings", ".seg"), count("hashes", ".seg"), count("streams", ".seg"), ckpt)
}

// describeOp names client i's op j for a failure message: its command
// with long values elided, or the commands of a transaction.
func describeOp(i, j, size int) string {
	cmds := opCmds(i, j, size)
	if len(cmds) > 1 {
		var names []string
		for _, c := range cmds[1 : len(cmds)-1] {
			names = append(names, c[0]+" "+c[1])
		}
		return "MULTI, " + strings.Join(names, ", ") + ", EXEC of iteration " + strconv.Itoa(j/opsPerIter)
	}
	a := slices.Clone(cmds[0])
	for n := range a {
		if len(a[n]) > 24 {
			a[n] = fmt.Sprintf("<%d bytes>", len(a[n]))
		}
	}
	return strings.Join(a, " ")
}

// pipelined sends cmds in batches and returns every reply.
func pipelined(t *testing.T, c *respConn, cmds [][]string) []any {
	t.Helper()
	const batch = 1000
	out := make([]any, 0, len(cmds))
	for lo := 0; lo < len(cmds); lo += batch {
		rs, err := c.Pipeline(cmds[lo:min(lo+batch, len(cmds))])
		if err != nil {
			t.Fatalf("pipeline: %v", err)
		}
		out = append(out, rs...)
	}
	return out
}

// checkDigestStable checks that DEBUG DIGEST survives a SIGKILL of an idle
// server and a clean shutdown. Skipped while keel has no DEBUG DIGEST.
func checkDigestStable(t *testing.T, p *proc, v crashVariant) {
	t.Helper()
	c := p.client(t)
	r, err := c.Do("DEBUG", "DIGEST")
	if err != nil {
		t.Fatalf("DEBUG DIGEST: %v", err)
	}
	d0, ok := r.(string)
	if !ok {
		if b, isBulk := r.([]byte); isBulk {
			d0, ok = string(b), true
		}
	}
	if !ok {
		t.Logf("DEBUG DIGEST not available (%v): digest check skipped", r)
		return
	}
	digest := func(p *proc) string {
		r := mustDo(t, p.client(t), "DEBUG", "DIGEST")
		switch x := r.(type) {
		case string:
			return x
		case []byte:
			return string(x)
		}
		t.Fatalf("DEBUG DIGEST: %#v", r)
		return ""
	}
	p.kill()
	p2 := startServer(t, p.dir, v.args...)
	if d := digest(p2); d != d0 {
		t.Fatalf("DEBUG DIGEST changed across SIGKILL of an idle server: %s -> %s", d0, d)
	}
	p2.stop(t)
	p3 := startServer(t, p.dir, v.args...)
	if d := digest(p3); d != d0 {
		t.Fatalf("DEBUG DIGEST changed across a clean shutdown: %s -> %s", d0, d)
	}
	t.Logf("DEBUG DIGEST %s stable across SIGKILL and clean restart", d0)
	p3.kill()
}
