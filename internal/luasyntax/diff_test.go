package luasyntax

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/keeldb/keel/internal/oracle"
)

// compilePrefix is what Redis puts before Lua's compile error.
const compilePrefix = "ERR Error compiling script (new function): "

// redisCompile compiles script in Redis (SCRIPT LOAD compiles without
// running) and returns Lua's error text, or "" when it compiles.
func redisCompile(t testing.TB, rdb *redis.Client, script string) string {
	t.Helper()
	err := rdb.ScriptLoad(context.Background(), script).Err()
	if err == nil {
		return ""
	}
	msg, ok := strings.CutPrefix(err.Error(), compilePrefix)
	if !ok {
		t.Fatalf("redis: unexpected error for %q: %v", script, err)
	}
	return msg
}

// localCompile is the checker on what keel passes it: a shebang line is
// blanked (the code starts at its newline), so line numbers stay.
func localCompile(script string) string {
	if strings.HasPrefix(script, "#!") {
		if nl := strings.IndexByte(script, '\n'); nl >= 0 {
			script = script[nl:]
		}
	}
	if err := Check(script, "user_script"); err != nil {
		// Redis's error replies turn line breaks into spaces.
		return strings.NewReplacer("\r", " ", "\n", " ").Replace(err.Error())
	}
	return ""
}

func newOracleClient(t testing.TB) *redis.Client {
	addr := oracle.Start(t)
	rdb := redis.NewClient(&redis.Options{Addr: addr, ReadTimeout: 10 * time.Second})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

func TestDifferential(t *testing.T) {
	rdb := newOracleClient(t)
	mismatches := 0
	check := func(script string, wantErr bool) {
		want := redisCompile(t, rdb, script)
		got := localCompile(script)
		if (want != "") != wantErr {
			t.Errorf("case list: %q: redis says %q, listed as wantErr=%v", script, want, wantErr)
		}
		if got != want {
			mismatches++
			t.Errorf("%q:\nredis: %q\nkeel:  %q", trunc(script), want, got)
		}
	}
	for _, s := range malformedCases {
		check(s, true)
	}
	for _, s := range validCases {
		check(s, false)
	}
	t.Logf("%d malformed and %d valid cases, %d mismatches", len(malformedCases), len(validCases), mismatches)
}

func trunc(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}
