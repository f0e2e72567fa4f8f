package server

// Integration tests: a real client (go-redis v9) and raw connections
// against keel served in-process on a random loopback port. Protocol
// corner cases that Redis defines (QUIT, oversized bulks) are compared with
// the oracle too.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// Every server, DB, client and redis-server child is stopped by its
	// test's cleanup; no goroutine may outlive the tests.
	goleak.VerifyTestMain(m)
}

// newClient returns a go-redis client for keel, closed when t ends.
func newClient(t testing.TB, ks *keelServer, mod ...func(*redis.Options)) *redis.Client {
	t.Helper()
	o := &redis.Options{
		Addr:                     ks.addr,
		Protocol:                 2,
		DialTimeout:              5 * time.Second,
		ReadTimeout:              20 * time.Second,
		WriteTimeout:             20 * time.Second,
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	}
	for _, f := range mod {
		f(o)
	}
	c := redis.NewClient(o)
	t.Cleanup(func() { c.Close() })
	return c
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestIntegrationPipeline(t *testing.T) {
	t.Parallel()
	ks := startKeel(t)
	c := newClient(t, ks)
	ctx := ctxT(t)
	const n = 1000
	cmds, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i := 0; i < n; i++ {
			p.Set(ctx, fmt.Sprintf("key:%d", i), fmt.Sprintf("value:%d", i), 0)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("pipelined SETs: %v", err)
	}
	if len(cmds) != n {
		t.Fatalf("%d replies to %d SETs", len(cmds), n)
	}
	for i, cmd := range cmds {
		if s, err := cmd.(*redis.StatusCmd).Result(); err != nil || s != "OK" {
			t.Fatalf("SET %d: %q %v", i, s, err)
		}
	}
	gets := make([]*redis.StringCmd, n)
	if _, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i := 0; i < n; i++ {
			gets[i] = p.Get(ctx, fmt.Sprintf("key:%d", i))
		}
		return nil
	}); err != nil {
		t.Fatalf("pipelined GETs: %v", err)
	}
	for i, g := range gets {
		if v, err := g.Result(); err != nil || v != fmt.Sprintf("value:%d", i) {
			t.Fatalf("GET key:%d = %q, %v", i, v, err)
		}
	}
	if n2, err := c.DBSize(ctx).Result(); err != nil || n2 != n {
		t.Fatalf("DBSIZE = %d, %v; want %d", n2, err, n)
	}
}

func TestIntegrationTxPipelined(t *testing.T) {
	t.Parallel()
	ks := startKeel(t)
	c := newClient(t, ks)
	ctx := ctxT(t)
	var incr *redis.IntCmd
	var get *redis.StringCmd
	cmds, err := c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, "a", "1", 0)
		incr = p.Incr(ctx, "a")
		p.Set(ctx, "b", "x", time.Minute)
		get = p.Get(ctx, "b")
		return nil
	})
	if err != nil {
		t.Fatalf("TxPipelined: %v", err)
	}
	if len(cmds) != 4 || incr.Val() != 2 || get.Val() != "x" {
		t.Fatalf("TxPipelined: %d cmds, INCR %d, GET %q", len(cmds), incr.Val(), get.Val())
	}
	if ttl, err := c.TTL(ctx, "b").Result(); err != nil || ttl <= 58*time.Second || ttl > time.Minute {
		t.Fatalf("TTL b = %v, %v", ttl, err)
	}

	// An error inside EXEC fails that command only.
	cmds, err = c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, "s", "abc", 0)
		p.Incr(ctx, "s")
		p.Set(ctx, "t", "1", 0)
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "not an integer") {
		t.Fatalf("TxPipelined with INCR on a string: err %v", err)
	}
	if len(cmds) != 3 || cmds[0].Err() != nil || cmds[1].Err() == nil || cmds[2].Err() != nil {
		t.Fatalf("per-command errors: %v %v %v", cmds[0].Err(), cmds[1].Err(), cmds[2].Err())
	}

	// Optimistic locking: a write by another client between WATCH and
	// EXEC fails the transaction with redis.TxFailedErr.
	other := newClient(t, ks)
	err = c.Watch(ctx, func(tx *redis.Tx) error {
		if err := other.Set(ctx, "w", "theirs", 0).Err(); err != nil {
			return err
		}
		_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, "w", "mine", 0)
			return nil
		})
		return err
	}, "w")
	if !errors.Is(err, redis.TxFailedErr) {
		t.Fatalf("WATCH-invalidated transaction: err %v, want TxFailedErr", err)
	}
	if v := c.Get(ctx, "w").Val(); v != "theirs" {
		t.Fatalf("w = %q after the failed transaction", v)
	}
}

func TestIntegrationAuth(t *testing.T) {
	t.Parallel()
	ks := startKeel(t)
	c := newClient(t, ks)
	ctx := ctxT(t)
	if err := c.ConfigSet(ctx, "requirepass", "x").Err(); err != nil {
		t.Fatalf("CONFIG SET requirepass: %v", err)
	}
	// A new connection must authenticate; the exact text matters to
	// clients that match on it.
	rc := mustDialRESP(t, ks.addr)
	for _, args := range [][]string{{"GET", "k"}, {"SET", "k", "v"}, {"PING"}} {
		v, err := rc.Do(args...)
		if err != nil || v.Kind != '-' || v.Str != "NOAUTH Authentication required." {
			t.Fatalf("%v before AUTH: %s, %v", args, v, err)
		}
	}
	if v, _ := rc.Do("AUTH", "wrong"); v.Str != "WRONGPASS invalid username-password pair or user is disabled." {
		t.Fatalf("AUTH wrong: %s", v)
	}
	if v, _ := rc.Do("AUTH", "x"); v.Kind != '+' || v.Str != "OK" {
		t.Fatalf("AUTH x: %s", v)
	}
	if v, _ := rc.Do("SET", "k", "v"); v.Kind != '+' {
		t.Fatalf("SET after AUTH: %s", v)
	}

	// go-redis without a password gets NOAUTH; with it, works.
	noPass := newClient(t, ks)
	if err := noPass.Ping(ctx).Err(); err == nil || err.Error() != "NOAUTH Authentication required." {
		t.Fatalf("PING without password: %v", err)
	}
	withPass := newClient(t, ks, func(o *redis.Options) { o.Password = "x" })
	if v, err := withPass.Get(ctx, "k").Result(); err != nil || v != "v" {
		t.Fatalf("GET with password: %q %v", v, err)
	}
	withPass3 := newClient(t, ks, func(o *redis.Options) { o.Password = "x"; o.Protocol = 3 })
	if v, err := withPass3.Get(ctx, "k").Result(); err != nil || v != "v" {
		t.Fatalf("GET with password over RESP3 (HELLO 3 AUTH): %q %v", v, err)
	}
	// The already-authenticated connection of c stays usable.
	if err := withPass.ConfigSet(ctx, "requirepass", "").Err(); err != nil {
		t.Fatalf("CONFIG SET requirepass '': %v", err)
	}
	if err := noPass.Ping(ctx).Err(); err != nil {
		t.Fatalf("PING after clearing the password: %v", err)
	}
}

func TestIntegrationHello3(t *testing.T) {
	t.Parallel()
	ks := startKeel(t)
	c := newClient(t, ks, func(o *redis.Options) { o.Protocol = 3 })
	ctx := ctxT(t)
	hello, err := c.Do(ctx, "HELLO", "3").Result()
	if err != nil {
		t.Fatalf("HELLO 3: %v", err)
	}
	m, ok := hello.(map[interface{}]interface{})
	if !ok {
		t.Fatalf("HELLO 3 reply is %T, want a map", hello)
	}
	if m["proto"] != int64(3) || m["server"] != "redis" || m["version"] != Version {
		t.Fatalf("HELLO 3 = %v", m)
	}
	if _, err := c.Get(ctx, "missing").Result(); err != redis.Nil {
		t.Fatalf("GET missing over RESP3: %v, want redis.Nil", err)
	}
	cfg, err := c.ConfigGet(ctx, "hz").Result()
	if err != nil || cfg["hz"] != "10" {
		t.Fatalf("CONFIG GET hz over RESP3: %v %v", cfg, err)
	}
	raw, err := c.Do(ctx, "CONFIG", "GET", "hz").Result()
	if _, isMap := raw.(map[interface{}]interface{}); err != nil || !isMap {
		t.Fatalf("CONFIG GET over RESP3 is %T (%v), want a map", raw, err)
	}
	if err := c.Set(ctx, "f", "1.5", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if v, err := c.IncrByFloat(ctx, "f", 1).Result(); err != nil || v != 2.5 {
		t.Fatalf("INCRBYFLOAT over RESP3: %v %v", v, err)
	}
}

func TestIntegrationClient(t *testing.T) {
	t.Parallel()
	ks := startKeel(t)
	c := newClient(t, ks, func(o *redis.Options) { o.PoolSize = 1 })
	ctx := ctxT(t)
	if name, err := c.ClientGetName(ctx).Result(); err != redis.Nil {
		t.Fatalf("CLIENT GETNAME before SETNAME: %q %v, want redis.Nil", name, err)
	}
	if err := c.Do(ctx, "CLIENT", "SETNAME", "worker-1").Err(); err != nil {
		t.Fatalf("CLIENT SETNAME: %v", err)
	}
	if name, err := c.ClientGetName(ctx).Result(); err != nil || name != "worker-1" {
		t.Fatalf("CLIENT GETNAME = %q %v", name, err)
	}
	err := c.Do(ctx, "CLIENT", "SETNAME", "bad name").Err()
	if err == nil || err.Error() != "ERR Client names cannot contain spaces, newlines or special characters." {
		t.Fatalf("CLIENT SETNAME with a space: %v", err)
	}
	id, err := c.ClientID(ctx).Result()
	if err != nil || id <= 0 {
		t.Fatalf("CLIENT ID = %d %v", id, err)
	}
	other := newClient(t, ks)
	if err := other.Ping(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	list, err := c.ClientList(ctx).Result()
	if err != nil {
		t.Fatalf("CLIENT LIST: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(list, "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("CLIENT LIST has %d lines, want 2:\n%s", len(lines), list)
	}
	var mine string
	for _, l := range lines {
		if strings.HasPrefix(l, "id="+strconv.FormatInt(id, 10)+" ") {
			mine = l
		}
	}
	if mine == "" || !strings.Contains(mine, " name=worker-1 ") {
		t.Fatalf("CLIENT LIST line for id %d missing or without name=worker-1:\n%s", id, list)
	}
	// Redis shows the command being run (CLIENT LIST itself) for the
	// calling client, not the one before it.
	if !strings.Contains(mine, " cmd=client|list ") {
		t.Errorf("CLIENT LIST shows the caller with %q, want cmd=client|list as Redis does:\n%s", field(mine, "cmd"), mine)
	}
	// idle: whole seconds since the client's last command; 0 for the
	// caller, which is running one.
	time.Sleep(1100 * time.Millisecond)
	list, err = c.ClientList(ctx).Result()
	if err != nil {
		t.Fatalf("CLIENT LIST: %v", err)
	}
	for _, l := range strings.Split(strings.TrimSuffix(list, "\n"), "\n") {
		want := "idle=1"
		if strings.HasPrefix(l, "id="+strconv.FormatInt(id, 10)+" ") {
			want = "idle=0"
		}
		if got := field(l, "idle"); got != want {
			t.Errorf("CLIENT LIST after 1.1 s: %s, want %s:\n%s", got, want, l)
		}
	}
	only, err := c.Do(ctx, "CLIENT", "LIST", "ID", strconv.FormatInt(id, 10)).Text()
	if err != nil || strings.Count(only, "\n") != 1 || !strings.HasPrefix(only, "id="+strconv.FormatInt(id, 10)+" ") {
		t.Fatalf("CLIENT LIST ID %d = %q %v", id, only, err)
	}
}

func field(line, name string) string {
	for _, f := range strings.Fields(line) {
		if strings.HasPrefix(f, name+"=") {
			return f
		}
	}
	return ""
}

func TestIntegrationConfig(t *testing.T) {
	t.Parallel()
	ks := startKeel(t)
	c := newClient(t, ks)
	ctx := ctxT(t)
	if err := c.ConfigSet(ctx, "hz", "20").Err(); err != nil {
		t.Fatalf("CONFIG SET hz 20: %v", err)
	}
	if v, err := c.ConfigGet(ctx, "hz").Result(); err != nil || v["hz"] != "20" {
		t.Fatalf("CONFIG GET hz = %v %v", v, err)
	}
	if v, err := c.ConfigGet(ctx, "maxmemory*").Result(); err != nil || v["maxmemory-policy"] != "noeviction" || v["maxmemory"] != "0" {
		t.Fatalf("CONFIG GET maxmemory* = %v %v", v, err)
	}
	err := c.ConfigSet(ctx, "hz", "abc").Err()
	if err == nil || err.Error() != "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer" {
		t.Fatalf("CONFIG SET hz abc: %v", err)
	}
	if v, _ := c.ConfigGet(ctx, "hz").Result(); v["hz"] != "20" {
		t.Fatalf("a failed CONFIG SET changed hz to %q", v["hz"])
	}
	// Several at once, atomically: a bad one changes nothing.
	if err := c.Do(ctx, "CONFIG", "SET", "hz", "30", "timeout", "x").Err(); err == nil {
		t.Fatal("CONFIG SET with one bad value succeeded")
	}
	if v, _ := c.ConfigGet(ctx, "hz").Result(); v["hz"] != "20" {
		t.Fatalf("a failed multi-setting CONFIG SET changed hz to %q", v["hz"])
	}
}

func TestIntegrationInfo(t *testing.T) {
	t.Parallel()
	ks := startKeel(t)
	c := newClient(t, ks)
	ctx := ctxT(t)
	if err := c.Set(ctx, "a", "1", 0).Err(); err != nil {
		t.Fatal(err)
	}
	info, err := c.Info(ctx, "persistence").Result()
	if err != nil {
		t.Fatalf("INFO persistence: %v", err)
	}
	if !strings.HasPrefix(info, "# Persistence\r\n") {
		t.Fatalf("INFO persistence starts with %q", info[:min(len(info), 40)])
	}
	fields := infoFields(info)
	for _, f := range []string{"checkpoint_lsn_keyspace", "wal_last_lsn", "rdb_last_save_time", "aof_enabled"} {
		if _, ok := fields[f]; !ok {
			t.Errorf("INFO persistence lacks %s:\n%s", f, info)
		}
	}
	if n, err := strconv.ParseUint(fields["wal_last_lsn"], 10, 64); err != nil || n < 1 {
		t.Errorf("wal_last_lsn = %q after a write", fields["wal_last_lsn"])
	}
	if strings.Contains(info, "# Server") {
		t.Errorf("INFO persistence includes other sections:\n%s", info)
	}
	all, err := c.Info(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, sec := range []string{"# Server", "# Clients", "# Memory", "# Persistence", "# Stats", "# Replication", "# CPU", "# Keyspace"} {
		if !strings.Contains(all, sec+"\r\n") {
			t.Errorf("INFO lacks section %s", sec)
		}
	}
	if !strings.Contains(all, "db0:keys=1,expires=0,") {
		t.Errorf("INFO keyspace lacks db0:keys=1,expires=0:\n%s", all)
	}
	f := infoFields(all)
	if f["redis_version"] != Version || f["tcp_port"] == "" {
		t.Errorf("INFO server: redis_version %q tcp_port %q", f["redis_version"], f["tcp_port"])
	}
	multi, err := c.Info(ctx, "server", "clients").Result()
	if err != nil || !strings.Contains(multi, "# Server") || !strings.Contains(multi, "# Clients") || strings.Contains(multi, "# Memory") {
		t.Errorf("INFO server clients = %v\n%s", err, multi)
	}
}

func infoFields(info string) map[string]string {
	m := map[string]string{}
	for _, l := range strings.Split(info, "\r\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && !strings.HasPrefix(l, "#") {
			m[k] = v
		}
	}
	return m
}

func TestIntegrationSelectIsolation(t *testing.T) {
	t.Parallel()
	ks := startKeel(t)
	ctx := ctxT(t)
	c0 := newClient(t, ks)
	c1 := newClient(t, ks, func(o *redis.Options) { o.DB = 1 })
	c15 := newClient(t, ks, func(o *redis.Options) { o.DB = 15 })
	for i, c := range []*redis.Client{c0, c1, c15} {
		if err := c.Set(ctx, "k", strconv.Itoa(i), 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range []*redis.Client{c0, c1, c15} {
		if v, err := c.Get(ctx, "k").Result(); err != nil || v != strconv.Itoa(i) {
			t.Fatalf("client %d: GET k = %q %v", i, v, err)
		}
		if n := c.DBSize(ctx).Val(); n != 1 {
			t.Fatalf("client %d: DBSIZE = %d", i, n)
		}
	}
	if err := c1.FlushDB(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if c0.Exists(ctx, "k").Val() != 1 || c1.Exists(ctx, "k").Val() != 0 || c15.Exists(ctx, "k").Val() != 1 {
		t.Fatal("FLUSHDB on db 1 touched another db")
	}
	bad := newClient(t, ks, func(o *redis.Options) { o.DB = 16 })
	if err := bad.Ping(ctx).Err(); err == nil || err.Error() != "ERR DB index is out of range" {
		t.Fatalf("connecting to db 16: %v", err)
	}
}

// TestIntegrationQuitPipeline: QUIT replies +OK and discards the rest of
// its pipeline (server.go rule 3), like Redis.
func TestIntegrationQuitPipeline(t *testing.T) {
	t.Parallel()
	p := newPair(t)
	for _, a := range []struct{ name, addr string }{{"keel", p.keel.addr}, {"redis-server", p.oracle}} {
		rc, err := dialRESP(a.addr)
		if err != nil {
			t.Fatal(err)
		}
		if err := rc.WriteRaw([]byte("PING\r\nQUIT\r\nSET x 1\r\n")); err != nil {
			t.Fatal(err)
		}
		replies, closed := rc.ReadUntilClosed(5 * time.Second)
		rc.Close()
		if len(replies) != 2 || replies[0].Str != "PONG" || replies[1].Str != "OK" || !closed {
			t.Errorf("%s: replies %v, closed %v; want [PONG OK], closed", a.name, replies, closed)
		}
		check, err := dialRESP(a.addr)
		if err != nil {
			t.Fatal(err)
		}
		v, err := check.Do("EXISTS", "x")
		check.Close()
		if err != nil || v.Int != 0 {
			t.Errorf("%s: x exists after QUIT (%s %v)", a.name, v, err)
		}
	}
}

// TestIntegrationPipelineClock: commands of one pipeline share a clock
// read only while they are fast (keel.Session.SetClock); a key that
// expires during a slow command of the pipeline (DEBUG SLEEP) is gone for
// the commands after it, on keel as on Redis.
func TestIntegrationPipelineClock(t *testing.T) {
	t.Parallel()
	p := newPair(t)
	for _, a := range []struct{ name, addr string }{{"keel", p.keel.addr}, {"redis-server", p.oracle}} {
		rc := mustDialRESP(t, a.addr)
		// Without the active sweep, only the commands' own clock expires pc
		// (each test has its own servers).
		pipe := "DEBUG SET-ACTIVE-EXPIRE 0\r\nDEL pc\r\nSET pc v PX 40\r\nGET pc\r\nDEBUG SLEEP 0.1\r\nGET pc\r\nEXISTS pc\r\n"
		if err := rc.WriteRaw([]byte(pipe)); err != nil {
			t.Fatal(err)
		}
		var got []string
		for range 7 {
			v, err := rc.Read()
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, v.String())
		}
		if want := []string{`+"OK"`, "(integer) 0", `+"OK"`, `"v"`, `+"OK"`, "(nil $-1)", "(integer) 0"}; !slices.Equal(got, want) {
			t.Errorf("%s: replies %q, want %q", a.name, got, want)
		}
	}
}

// TestIntegrationProtocolErrors sends malformed requests to both servers:
// the error text must be Redis's, the connection closed, and nothing
// changed.
func TestIntegrationProtocolErrors(t *testing.T) {
	t.Parallel()
	p := newPair(t)
	cases := []struct{ name, req string }{
		{"oversized_bulk", "*1\r\n$600000000\r\n"},
		{"oversized_bulk_after_args", "*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$600000000\r\n"},
		{"bad_multibulk_length", "*x\r\n"},
		{"multibulk_too_long", "*1048577\r\n"},
		{"bad_bulk_length", "*2\r\n$3\r\nGET\r\n$x\r\n"},
		{"expected_dollar", "*2\r\n$3\r\nGET\r\n:1\r\n"},
		{"unbalanced_quotes", "SET x \"1\r\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got [2][]string
			for i, addr := range []string{p.keel.addr, p.oracle} {
				rc, err := dialRESP(addr)
				if err != nil {
					t.Fatal(err)
				}
				if err := rc.WriteRaw([]byte(tc.req)); err != nil {
					t.Fatal(err)
				}
				// Redis keeps the connection open for a request that is
				// merely incomplete; a second is plenty to tell.
				replies, closed := rc.ReadUntilClosed(time.Second)
				rc.Close()
				for _, r := range replies {
					got[i] = append(got[i], r.String())
				}
				got[i] = append(got[i], fmt.Sprintf("closed=%v", closed))
				// Nothing changed, and the server still serves.
				check, err := dialRESP(addr)
				if err != nil {
					t.Fatal(err)
				}
				v, err := check.Do("DBSIZE")
				check.Close()
				if err != nil || v.Kind != ':' || v.Int != 0 {
					t.Errorf("server %d after %q: DBSIZE %s %v", i, tc.req, v, err)
				}
			}
			if strings.Join(got[0], " | ") != strings.Join(got[1], " | ") {
				t.Errorf("MISMATCH %q\n      keel:  %s\n      redis: %s", tc.req, strings.Join(got[0], " | "), strings.Join(got[1], " | "))
			}
		})
	}
	// The documented text for the most common case, independent of the
	// oracle.
	rc := mustDialRESP(t, p.keel.addr)
	rc.WriteRaw([]byte("*1\r\n$600000000\r\n"))
	replies, closed := rc.ReadUntilClosed(5 * time.Second)
	if len(replies) != 1 || replies[0].Kind != '-' || replies[0].Str != "ERR Protocol error: invalid bulk length" || !closed {
		t.Errorf("oversized bulk: %v closed=%v", replies, closed)
	}
}

// TestIntegrationInstantaneousMetrics: INFO stats' instantaneous rates
// follow the traffic of the last samples, and fall back to 0 once it
// stops, as Redis's do.
func TestIntegrationInstantaneousMetrics(t *testing.T) {
	t.Parallel()
	ks := startKeel(t)
	c := newClient(t, ks)
	ctx := ctxT(t)
	stats := func() map[string]string {
		info, err := c.Info(ctx, "stats").Result()
		if err != nil {
			t.Fatal(err)
		}
		return infoFields(info)
	}
	for end := time.Now().Add(2 * instSampleEvery * instSamples); time.Now().Before(end); {
		if err := c.Set(ctx, "k", strings.Repeat("v", 1000), 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	f := stats()
	ops, _ := strconv.ParseFloat(f["instantaneous_ops_per_sec"], 64)
	in, _ := strconv.ParseFloat(f["instantaneous_input_kbps"], 64)
	out, _ := strconv.ParseFloat(f["instantaneous_output_kbps"], 64)
	if ops < 100 || in < ops*1000/1024/2 || out <= 0 {
		t.Fatalf("under a stream of 1 KB SETs: ops/s %v, input %v kB/s, output %v kB/s", ops, in, out)
	}
	time.Sleep(2 * instSampleEvery * instSamples)
	// The INFO asking may itself be in the last sample: its request is
	// counted when read, and a tick can fall before it runs (it did on a
	// loaded machine). 26 bytes in one 100 ms sample of 16 read 0.02.
	f = stats()
	if in, _ := strconv.ParseFloat(f["instantaneous_input_kbps"], 64); f["instantaneous_ops_per_sec"] != "0" || in > 0.02 {
		t.Fatalf("idle: ops/s %s, input %s kB/s", f["instantaneous_ops_per_sec"], f["instantaneous_input_kbps"])
	}
}
