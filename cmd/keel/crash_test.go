package main

// Crash tests of the real binary (DESIGN "Testing doctrine", invariants 4
// and 5): a keel child process under a mixed write workload from several
// clients is killed with SIGKILL at a random moment, restarted on the same
// directory, and checked:
//
//   - it starts cleanly after every kill (a torn WAL tail is repaired);
//   - every acknowledged write is present (appendfsync always);
//   - per client, the writes present are exactly a prefix of the writes it
//     issued: ops acked <= present <= ops sent (at most the one in flight
//     more), no holes, nothing that was never sent. Each client issues its
//     ops one at a time, so its op order is LSN order, and a per-client
//     prefix is what "the state at some LSN" means for that client;
//   - an MSET is all or nothing (one record).
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
				"--wal-segment-size", "1048576"},
			valueSize: 1500,
			saver:     true,
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

// The op model. Client i's op j is the iteration k = j/9 of kind j%9:
//
//	0: SET c<i>:<k> <value(i,k)>
//	1: INCR counter:<i>                 (the k+1-th INCR)
//	2: APPEND log:<i> "<k>,"            (log becomes "0,1,...,k,")
//	3: MSET m<i>a:<k> <value> m<i>b:<k> <value>
//	4: RPUSH list:<i> <k>               (list becomes 0..k)
//	5: SADD set:<i> <k>                 (set becomes {0..k})
//	6: ZADD zset:<i> <k> <k>            (members 0..k, each scored itself)
//	7: MULTI, SET tx<i>:<k> <k>, RPUSH txl:<i> <k>, ZADD txz:<i> <k> <k>,
//	   SADD txt:<i> <k>, HSET txh:<i> <k> <k>, EXEC
//	                                    (one record over five engines)
//	8: HSET hash:<i> f<k> <k>           (fields f0..fk)
//
// Ops are deterministic in (i, j), so a client that resumes after a crash
// at op P reissues exactly what the model expects. An op is acknowledged
// by the reply to its last command.
const opsPerIter = 9

func keySet(i, k int) string  { return fmt.Sprintf("c%d:%d", i, k) }
func keyMA(i, k int) string   { return fmt.Sprintf("m%da:%d", i, k) }
func keyMB(i, k int) string   { return fmt.Sprintf("m%db:%d", i, k) }
func keyCounter(i int) string { return fmt.Sprintf("counter:%d", i) }
func keyLog(i int) string     { return fmt.Sprintf("log:%d", i) }
func keyList(i int) string    { return fmt.Sprintf("list:%d", i) }
func keySetT(i int) string    { return fmt.Sprintf("set:%d", i) }
func keyZSet(i int) string    { return fmt.Sprintf("zset:%d", i) }
func keyTx(i, k int) string   { return fmt.Sprintf("tx%d:%d", i, k) }
func keyTxL(i int) string     { return fmt.Sprintf("txl:%d", i) }
func keyTxZ(i int) string     { return fmt.Sprintf("txz:%d", i) }
func keyTxT(i int) string     { return fmt.Sprintf("txt:%d", i) }
func keyTxH(i int) string     { return fmt.Sprintf("txh:%d", i) }
func keyHash(i int) string    { return fmt.Sprintf("hash:%d", i) }
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
			{"ZADD", keyTxZ(i), ks, ks}, {"SADD", keyTxT(i), ks}, {"HSET", keyTxH(i), ks, ks}, {"EXEC"}}
	default:
		return [][]string{{"HSET", keyHash(i), "f" + ks, ks}}
	}
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
			[]string{"HGETALL", keyHash(i)}, []string{"HGETALL", keyTxH(i)})
		const perKey = 10 // replies before the per-iteration ones
		for k := 0; k < iters; k++ {
			cmds = append(cmds, []string{"GET", keySet(i, k)}, []string{"GET", keyMA(i, k)}, []string{"GET", keyMB(i, k)},
				[]string{"GET", keyTx(i, k)})
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
		// present(j) for every op j < iters*4.
		has := make([]bool, iters*opsPerIter)
		for k := 0; k < iters; k++ {
			want := value(i, k, v.valueSize)
			rs := replies[perKey+4*k : perKey+4+4*k]
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
			// A transaction is one record: its four engines agree.
			if okTx != (k < txlN) || okTx != (k < txtN) || okTx != (k < txzN) || okTx != (k < txhN) {
				fail("client %d: transaction of iteration %d is partly applied: string present=%v, list has %d, set %d, zset %d, hash %d elements",
					i, k, okTx, txlN, txtN, txzN, txhN)
			}
			has[k*opsPerIter+0] = okSet
			has[k*opsPerIter+1] = counter >= k+1
			has[k*opsPerIter+2] = logN >= k+1
			has[k*opsPerIter+3] = okA
			has[k*opsPerIter+4] = listN >= k+1
			has[k*opsPerIter+5] = setN >= k+1
			has[k*opsPerIter+6] = zsetN >= k+1
			has[k*opsPerIter+7] = okTx
			has[k*opsPerIter+8] = hashN >= k+1
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
		for kind, got := range map[int]int{1: counter, 2: logN, 4: listN, 5: setN, 6: zsetN, 7: txlN, 8: hashN} {
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
	return fmt.Sprintf("dir: %d WAL segments from LSN %s, %d strings segment files, %s",
		count("wal", ""), first, count("strings", ".seg"), ckpt)
}

func describeOp(i, j, size int) string {
	cmds := opCmds(i, j, size)
	if len(cmds) > 1 {
		return "MULTI ... EXEC of iteration " + strconv.Itoa(j/opsPerIter)
	}
	a := cmds[0]
	if len(a) > 2 {
		return a[0] + " " + a[1]
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
