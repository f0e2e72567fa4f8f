package server

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keeldb/keel/internal/rdb"
)

// TestDiffImportRDB: redis-server builds a data set and SAVEs it; keel
// imports the dump.rdb (keel import's DB side), and the data sets are
// compared whole, every database, with the function libraries.
func TestDiffImportRDB(t *testing.T) {
	p := newPair(t)
	p.flushAll(t)
	o := mustDialRESP(t, p.oracle)
	do := func(args ...string) respValue {
		t.Helper()
		v, err := o.Do(args...)
		if err != nil || v.isErr() {
			t.Fatalf("redis %v: %v %v", args, v, err)
		}
		return v
	}
	do("CONFIG", "SET", "list-max-listpack-size", "4") // several quicklist nodes
	build := []string{
		"set s hello", "set n 12345", "set big " + strings.Repeat("compressible-", 100),
		"rpush l " + dumpWords("e", 50), "lpush l2 a b c",
		"sadd iset 1 2 3", "sadd hset a b c", "sadd bigset " + nums(600),
		"zadd z 1 a 2.5 b -3 c", "zadd bigz " + scored(200),
		"hset h f1 v1 f2 v2", "hset bigh " + pairs(600),
		"xadd x 1-1 a 1", "xadd x 2-1 b 2", "xadd x 3-1 c 3", "xgroup create x g 0", "xreadgroup group g alice count 2 streams x >", "xdel x 1-1",
		"set ttl v ex 100000", "set gone v px 1", "pfadd hll a b c", "setbit bits 100 1",
	}
	for _, db := range []string{"0", "5"} {
		do("SELECT", db)
		for _, line := range build {
			_, args, err := parseLine(line)
			if err != nil {
				t.Fatal(err)
			}
			do(args...)
		}
	}
	do("FUNCTION", "LOAD", "#!lua name=lib1\nredis.register_function('f1', function() return 1 end)")
	do("FUNCTION", "LOAD", "#!lua name=lib2\nredis.register_function{function_name='f2', callback=function() return 2 end, flags={'no-writes'}}")
	do("SAVE")
	dir := do("CONFIG", "GET", "dir").Elems[1].Str
	file := do("CONFIG", "GET", "dbfilename").Elems[1].Str
	data, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	do("CONFIG", "SET", "list-max-listpack-size", "-2")
	// The oracle loads the file it wrote, as keel imports it: both then
	// hold what loading it gives (encodings included; the 1 ms keys gone).
	do("DEBUG", "RELOAD", "NOSAVE")

	got, err := p.keel.db.ImportRDB(data, nil)
	if err != nil {
		t.Fatalf("ImportRDB: %v", err)
	}
	if got.Keys != 2*(len(build)-6) || got.Expired != 2 || got.Functions != 2 || got.Databases != 6 {
		t.Errorf("import: %+v", got)
	}
	for _, d := range p.dump(t, 16, false) {
		t.Errorf("after the import: %s", d)
	}
	k := mustDialRESP(t, p.keel.addr)
	for _, args := range [][]string{{"FUNCTION", "LIST", "WITHCODE"}, {"FCALL", "f1", "0"}, {"FCALL_RO", "f2", "0"}} {
		kv, _ := k.Do(args...)
		ov, _ := o.Do(args...)
		if d := exactCmp(sortedArray(kv), sortedArray(ov)); d != "" {
			t.Errorf("%v: %s\n      keel:  %s\n      redis: %s", args, d, kv, ov)
		}
	}

	// A damaged file is refused with its offset; a version keel does
	// not know (Redis 8 writes 12), and a database keel does not have, too.
	bad := append([]byte(nil), data...)
	bad[len(bad)/2] ^= 0x55
	if _, err := p.keel.db.ImportRDB(bad, nil); err == nil {
		t.Error("a flipped byte imported")
	}
	v13 := append([]byte(nil), data...)
	copy(v13[5:9], "0013")
	if _, err := p.keel.db.ImportRDB(v13, nil); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("RDB version 13: %v", err)
	}
	if _, err := p.keel.db.ImportRDB(rdbFile(40, "k", "v"), nil); err == nil || !strings.Contains(err.Error(), "database 40") {
		t.Errorf("database 40: %v", err)
	}
}

// rdbFile is a minimal RDB file: one string key in database db.
func rdbFile(db int, key, val string) []byte {
	b := []byte("REDIS0010")
	b = append(b, 254, byte(db)) // SELECTDB (db < 64)
	b = append(b, 0, byte(len(key)))
	b = append(b, key...)
	b = append(b, byte(len(val)))
	b = append(b, val...)
	b = append(b, 255)
	return binary.LittleEndian.AppendUint64(b, rdb.CRC64(0, b))
}
