package keel

import (
	"encoding/binary"
	"math"
	"reflect"
	"testing"

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
