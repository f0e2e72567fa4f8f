package keel

import (
	"strconv"
	"strings"
	"testing"
)

// TestMemoryUsage: MEMORY USAGE's estimate is in proportion to what a
// value holds, for every type, sampled or whole: between the bytes of its
// elements and twice that (plus a fixed part).
func TestMemoryUsage(t *testing.T) {
	db := newTestDB(t)
	s := db.NewSession()
	val := strings.Repeat("v", 100)
	const n = 1000
	do(db, s, "SET", "str", strings.Repeat("x", 5000))
	for i := 0; i < n; i++ {
		f := "field:" + strconv.Itoa(i)
		do(db, s, "HSET", "hash", f, val)
		do(db, s, "RPUSH", "list", val+f)
		do(db, s, "SADD", "set", val+f)
		do(db, s, "ZADD", "zset", strconv.Itoa(i), val+f)
		do(db, s, "XADD", "stream", "*", "f", val)
	}
	do(db, s, "XGROUP", "CREATE", "stream", "g", "0")
	do(db, s, "XREADGROUP", "GROUP", "g", "c", "COUNT", "500", "STREAMS", "stream", ">")
	usage := func(key string, samples int64) int64 {
		t.Helper()
		var got int64
		var found bool
		var err error
		db.mu.RLock()
		c := Ctx{DB: db, S: s}
		got, found, err = c.MemoryUsage([]byte(key), samples)
		db.mu.RUnlock()
		if err != nil || !found {
			t.Fatalf("MemoryUsage(%s): %d %v %v", key, got, found, err)
		}
		return got
	}
	within := func(key string, got, least int64) {
		t.Helper()
		if got < least || got > 2*least+1024 {
			t.Errorf("MEMORY USAGE %s = %d, want between %d and %d", key, got, least, 2*least+1024)
		}
	}
	within("str", usage("str", 5), 5000)
	for _, samples := range []int64{5, 1, 0} {
		within("hash", usage("hash", samples), n*(100+9))
		within("stream", usage("stream", samples), n*100)
	}
	within("list", usage("list", 5), n*109)
	within("set", usage("set", 5), n*109)
	within("zset", usage("zset", 0), n*(109+8))
	// The group's 500 pending entries (each in the group's PEL and the
	// consumer's, a 16-byte id at least) count.
	with := usage("stream", 0)
	do(db, s, "XGROUP", "DESTROY", "stream", "g")
	if without := usage("stream", 0); with-without < 500*2*16 {
		t.Errorf("MEMORY USAGE of the stream with its group %d, without %d: the group's PEL did not count", with, without)
	}
	db.mu.RLock()
	c := Ctx{DB: db, S: s}
	_, found, err := c.MemoryUsage([]byte("nokey"), 5)
	db.mu.RUnlock()
	if found || err != nil {
		t.Errorf("MemoryUsage of a missing key: %v %v", found, err)
	}
}
