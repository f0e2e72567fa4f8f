package keel

import (
	"encoding/binary"
	"math"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/keeldb/keel/internal/lauxlib"
)

// TestScriptOneRecord: a script's writes, on several engines, are EVAL's
// one WAL record, and replaying it restores them all; a script that
// fails after writing keeps what it wrote (Redis rolls nothing back), in
// the same one record.
func TestScriptOneRecord(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, Options{ActiveExpireHz: -1})
	if err != nil {
		t.Fatal(err)
	}
	s := db.NewSession()
	before := db.Log().LastLSN()
	script := "redis.call('set', KEYS[1], ARGV[1]) redis.call('rpush', 'l', 'a', 'b') redis.call('hset', 'h', 'f', 'v') " +
		"redis.call('sadd', 's', 'm') redis.call('zadd', 'z', 1, 'm') redis.call('xadd', 'x', '1-1', 'f', 'v') return redis.call('dbsize')"
	if got := do(db, s, "EVAL", script, "1", "k", "v"); got != int64(6) {
		t.Fatalf("EVAL: %v", got)
	}
	if n := db.Log().LastLSN() - before; n != 1 {
		t.Fatalf("the script appended %d WAL records, want 1", n)
	}
	before = db.Log().LastLSN()
	if got := do(db, s, "EVAL", "redis.call('set', 'after', '1') redis.call('incr', 'k')", "0"); !isError(got) {
		t.Fatalf("a failing script: %v", got)
	}
	if n := db.Log().LastLSN() - before; n != 1 {
		t.Fatalf("the failing script appended %d WAL records, want 1", n)
	}
	// A read-only script appends nothing.
	before = db.Log().LastLSN()
	do(db, s, "EVAL_RO", "return redis.call('get', 'k')", "0")
	if db.Log().LastLSN() != before {
		t.Fatal("a read-only script appended a record")
	}
	if n, bytes := db.ScriptStats(); n != 3 || bytes <= int64(len(script)) {
		t.Fatalf("ScriptStats: %d scripts, %d bytes; want 3 and more than %d", n, bytes, len(script))
	}
	digest := do(db, s, "DEBUG", "DIGEST")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(dir, Options{ActiveExpireHz: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s = db.NewSession()
	if got := do(db, s, "DEBUG", "DIGEST"); !reflect.DeepEqual(got, digest) {
		t.Fatalf("digest after recovery %v, before %v", got, digest)
	}
	for _, c := range []struct {
		cmd  []string
		want any
	}{
		{[]string{"GET", "k"}, "v"}, {[]string{"GET", "after"}, "1"}, {[]string{"LLEN", "l"}, int64(2)},
		{[]string{"HGET", "h", "f"}, "v"}, {[]string{"XLEN", "x"}, int64(1)}, {[]string{"ZSCORE", "z", "m"}, "1"},
	} {
		if got := do(db, s, c.cmd...); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%v after recovery: %v, want %v", c.cmd, got, c.want)
		}
	}
	// The script cache is not persisted, as in Redis.
	if n, _ := db.ScriptStats(); n != 0 {
		t.Fatalf("ScriptStats after a restart: %d scripts", n)
	}
	if got := do(db, s, "SCRIPT", "EXISTS", sha1Hex(script)); !reflect.DeepEqual(got, []any{int64(0)}) {
		t.Fatalf("SCRIPT EXISTS after a restart: %v", got)
	}
}

func isError(v any) bool { _, ok := v.(ErrorVal); return ok }

// TestFormatCg checks C's %.<n>g formatting, which redis.call's number
// arguments (%.17g) and tostring (%.14g) use.
func TestFormatCg(t *testing.T) {
	tenth := 0.1 // a variable: 0.1 + 0.2 as constants is exactly 0.3
	for _, c := range []struct {
		f    float64
		prec int
		want string
	}{
		{tenth + 2*tenth, 17, "0.30000000000000004"}, {tenth + 2*tenth, 14, "0.3"}, {1.0 / 3, 17, "0.33333333333333331"},
		{1e20, 17, "1e+20"}, {1e15, 17, "1000000000000000"}, {1e15, 14, "1e+15"}, {123456789012345, 14, "1.2345678901234e+14"},
		{1e-7, 17, "9.9999999999999995e-08"}, {0.000001, 14, "1e-06"}, {0.0001, 14, "0.0001"}, {math.Copysign(0, -1), 14, "-0"},
		{2, 14, "2"}, {-7.25, 14, "-7.25"}, {1e100, 14, "1e+100"}, {123456.5, 17, "123456.5"}, {9007199254740992, 17, "9007199254740992"},
	} {
		if got := lauxlib.FormatG(c.f, c.prec); got != c.want {
			t.Errorf("FormatG(%v, %d) = %q, want %q", c.f, c.prec, got, c.want)
		}
	}
}

// TestFunctionDumpLZFLength: a FUNCTION RESTORE payload (checksum right)
// whose LZF string claims a huge plain length is refused as corrupt, not
// allocated.
func TestFunctionDumpLZFLength(t *testing.T) {
	p := []byte{rdbOpcodeFunction2, 0xc3, 0x01, 0x81, 0x10, 0, 0, 0, 0, 0, 0, 0, 'x'}
	p = append(p, rdbVersion, 0)
	var crc [8]byte
	binary.LittleEndian.PutUint64(crc[:], redisCRC64(p))
	p = append(p, crc[:]...)
	if _, err := parseFunctionDump(p); err == nil || err.Error() != "payload is corrupt" {
		t.Fatalf("parseFunctionDump: %v, want payload is corrupt", err)
	}
}

// TestScriptBusyHookAndWork: once a script is busy, the busy hook is
// called with the script's session and with each session registered as
// waiting for db.mu behind it (waitLock), once; WATCH and a closing
// session that watches keys run on the script's goroutine between its
// instructions instead of waiting for its end; the hook is not called for
// a script that ends before the threshold.
func TestScriptBusyHookAndWork(t *testing.T) {
	db := newTestDB(t)
	db.SetBusyReplyThreshold(50)
	var mu sync.Mutex
	var called []*Session
	db.SetScriptBusyHooks(func(s *Session) {
		mu.Lock()
		called = append(called, s)
		mu.Unlock()
	}, func(*Session) {})
	hooked := func() []*Session {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(called)
	}
	quick := db.NewSession()
	if got := do(db, quick, "EVAL", "return 1", "0"); got != int64(1) {
		t.Fatalf("EVAL: %v", got)
	}
	time.Sleep(100 * time.Millisecond)
	if h := hooked(); len(h) != 0 {
		t.Fatalf("the hook was called for a script that ended at once: %v", h)
	}
	// A waiter as waitLock registers it: its look found no script.
	waiter := db.NewSession()
	db.scripts.waiters.mu.Lock()
	db.scripts.waiters.set = map[*Session]bool{waiter: false}
	db.scripts.waiters.mu.Unlock()
	script := db.NewSession()
	done := make(chan any)
	go func() { done <- do(db, script, "EVAL", "local i = 0 while true do i = i + 1 end", "0") }()
	deadline := time.Now().Add(10 * time.Second)
	for len(hooked()) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("busy hook calls after 10 s: %v", hooked())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if h := hooked(); len(h) != 2 || h[0] != script || h[1] != waiter {
		t.Fatalf("busy hook called with %v, want the script's session %p, then the waiter's %p", h, script, waiter)
	}
	// While it loops: WATCH runs on the script's goroutine; a session that
	// watches closes without waiting for the script.
	other := db.NewSession()
	watched := make(chan any, 1)
	go func() { watched <- do(db, other, "WATCH", "k") }()
	select {
	case got := <-watched:
		if got != (SimpleVal("OK")) {
			t.Fatalf("WATCH during a busy script: %v", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("WATCH waited for the busy script")
	}
	closed := make(chan struct{})
	go func() { db.CloseSession(other); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("CloseSession of a watching session waited for the busy script")
	}
	select {
	case v := <-done:
		t.Fatalf("the script ended: %v", v)
	default:
	}
	db.StopScript()
	if v := <-done; !isError(v) {
		t.Fatalf("the stopped script's reply: %v", v)
	}
	if n := len(db.watch.keys); n != 0 {
		t.Fatalf("%d watched keys left after the watching session closed", n)
	}
	time.Sleep(100 * time.Millisecond)
	if h := hooked(); len(h) != 2 {
		t.Fatalf("busy hook calls after the script: %v", h)
	}
}

// TestScriptBusyCoroutine: a script that spins inside a coroutine still
// runs what other goroutines hand it (WATCH answers) and stops on SCRIPT
// KILL: the coroutine runs under the script's own context, hook included.
func TestScriptBusyCoroutine(t *testing.T) {
	db := newTestDB(t)
	db.SetBusyReplyThreshold(50)
	script := db.NewSession()
	done := make(chan any, 1)
	go func() {
		done <- do(db, script, "EVAL", "local co = coroutine.create(function() local i = 0 while true do i = i + 1 end end) return coroutine.resume(co)", "0")
	}()
	other := db.NewSession()
	deadline := time.Now().Add(10 * time.Second)
	for !db.ScriptBusy() {
		if time.Now().After(deadline) {
			t.Fatal("the script never turned busy")
		}
		time.Sleep(5 * time.Millisecond)
	}
	watched := make(chan any, 1)
	go func() { watched <- do(db, other, "WATCH", "k") }()
	select {
	case got := <-watched:
		if got != (SimpleVal("OK")) {
			t.Fatalf("WATCH during a busy script in a coroutine: %v", got)
		}
	case <-time.After(10 * time.Second):
		db.StopScript()
		t.Fatal("WATCH waited for a script busy in a coroutine")
	}
	if got := do(db, other, "SCRIPT", "KILL"); got != (SimpleVal("OK")) {
		t.Fatalf("SCRIPT KILL: %v", got)
	}
	select {
	case v := <-done:
		// coroutine.resume catches the kill's error and returns false, a
		// nil reply: redis-server 7.0.15 answers this script alike.
		if _, ok := v.(NullVal); !ok {
			t.Fatalf("the killed script's reply: %v (%T), want nil", v, v)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("SCRIPT KILL did not stop a script busy in a coroutine")
	}
}
