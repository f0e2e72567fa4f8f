package keel

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestIdleFlush: an on-disk engine that took no write for a second and
// buffers more than IdleFlushBytes is flushed, and its checkpoint reaches
// its last write; while it is written to it is not, and an engine that
// buffers less keeps its buffer.
func TestIdleFlush(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the idle flush")
	}
	db := newTestDB(t, func(o *Options) { o.IdleFlushBytes = 64 << 10 })
	s := db.NewSession()
	val := strings.Repeat("v", 1000)
	for i := range 100 {
		do(db, s, "SET", fmt.Sprintf("key:%d", i), val)
	}
	do(db, s, "HSET", "small", "field", val) // hashes buffer ~1 KB
	if b := db.strs.BufferedBytes(); b <= 64<<10 {
		t.Fatalf("strings buffer %d bytes after 100 SETs of 1000 bytes, want > 64 KiB", b)
	}
	flushes := db.strs.Stats().Flushes
	hashFlushes := db.hashes.Stats().Flushes

	// Written every 100 ms for 2.5 s: never idle for a second.
	for deadline := time.Now().Add(2500 * time.Millisecond); time.Now().Before(deadline); {
		do(db, s, "SET", "busy", val)
		time.Sleep(100 * time.Millisecond)
	}
	if got := db.strs.Stats().Flushes; got != flushes {
		t.Fatalf("strings flushed %d times while written to every 100 ms", got-flushes)
	}

	last := uint64(db.log.LastLSN())
	deadline := time.Now().Add(10 * time.Second)
	for db.strs.BufferedBytes() != 0 || db.strs.CheckpointLSN() < last {
		if time.Now().After(deadline) {
			t.Fatalf("strings idle 10 s: %d bytes buffered, checkpoint LSN %d < last write %d",
				db.strs.BufferedBytes(), db.strs.CheckpointLSN(), last)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := db.strs.Stats().Flushes; got != flushes+1 {
		t.Fatalf("strings flushed %d times when idle, want once", got-flushes)
	}
	if got := db.hashes.Stats().Flushes; got != hashFlushes || db.hashes.BufferedBytes() == 0 {
		t.Fatalf("hashes, below IdleFlushBytes: %d flushes, %d bytes buffered; want none and the field kept",
			got-hashFlushes, db.hashes.BufferedBytes())
	}
	if got := do(db, s, "GET", "key:42"); got != val {
		t.Fatalf("GET after the idle flush = %v", got)
	}
}
