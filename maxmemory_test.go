package keel

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestMaxmemorySampled: a limit above the memory in use takes effect once
// writes grow past it, within a sample (memSampleEvery), with the OOM
// error; reads still run, and a delete that gives the memory back lets
// writes through again once sampled.
func TestMaxmemorySampled(t *testing.T) {
	db := newTestDB(t)
	s := db.NewSession()
	const room = 16 << 20
	runtime.GC() // the baseline without the garbage of the tests before
	db.SetMaxMemory(db.UsedMemory() + room)
	elem := strings.Repeat("x", 64<<10)
	written := 0
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := do(db, s, "RPUSH", "big", elem)
		if e, ok := r.(ErrorVal); ok {
			if string(e) != "OOM command not allowed when used memory > 'maxmemory'." {
				t.Fatalf("RPUSH over maxmemory: %q", e)
			}
			break
		}
		written += len(elem)
		if written > 4*room || time.Now().After(deadline) {
			t.Fatalf("%d MiB pushed past a limit %d MiB above the memory in use, and no OOM error", written>>20, room>>20)
		}
		time.Sleep(time.Millisecond) // writes spread over samples
	}
	// Not refused at once: the elements take the room with their WAL
	// records (the active segment's copy in memory, a new one per roll).
	if written < room/4 {
		t.Fatalf("OOM after %d KiB, with %d MiB of room", written>>10, room>>20)
	}
	if r := do(db, s, "LLEN", "big"); r != int64(written/len(elem)) {
		t.Fatalf("LLEN over maxmemory: %v, want %d", r, written/len(elem))
	}
	if r := do(db, s, "DEL", "big"); r != int64(1) {
		t.Fatalf("DEL over maxmemory: %v", r)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, ok := do(db, s, "SET", "k", "v").(ErrorVal); !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("writes still refused long after the memory was given back")
		}
	}
}
