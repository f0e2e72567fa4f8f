package gctune

import (
	"math"
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"testing"
	"time"
)

func TestPercentFor(t *testing.T) {
	const mib = 1 << 20
	cases := []struct {
		live, held uint64
		reserved   uint64
		floor      uint64
		percent    int
		want       int
	}{
		{live: 200 * mib, floor: 24 * mib, percent: 50, want: 50},  // live/2 > floor
		{live: 48 * mib, floor: 24 * mib, percent: 50, want: 50},   // equal: plain GOGC
		{live: 24 * mib, floor: 24 * mib, percent: 50, want: 100},  // floor = live
		{live: 12 * mib, floor: 24 * mib, percent: 50, want: 200},  // floor = 2 × live
		{live: 10 * mib, floor: 24 * mib, percent: 50, want: 240},  // rounded up, never below the floor
		{live: 0, floor: 24 * mib, percent: 50, want: 600},         // before any cycle: the runtime's 4 MiB
		{live: 1 << 10, floor: 1 << 40, percent: 50, want: 10000},  // bounded
		{live: 30 * mib, floor: 0, percent: 50, want: 50},          // no floor: plain GOGC
		{live: 30 * mib, floor: 24 * mib, percent: 100, want: 100}, // live > floor at GOGC 100
		// Held bytes get no headroom: GOGC goes below percent.
		{live: 100 * mib, held: 20 * mib, floor: 16 * mib, percent: 50, want: 40}, // 80 × 50%
		{live: 40 * mib, held: 8 * mib, floor: 16 * mib, percent: 50, want: 40},   // 32 × 50% = 16 > floor - held = 8
		{live: 40 * mib, held: 30 * mib, floor: 16 * mib, percent: 50, want: 13},  // 10 × 50%: held stands in for the floor
		{live: 40 * mib, held: 50 * mib, floor: 0, percent: 50, want: 1},          // all held: at least 1
		// Reserved bytes (off the heap) stand in for the floor alone.
		{live: 10 * mib, reserved: 6 * mib, floor: 16 * mib, percent: 50, want: 100},                // floor - reserved = 10
		{live: 10 * mib, reserved: 30 * mib, floor: 16 * mib, percent: 50, want: 50},                // floor gone: plain GOGC
		{live: 100 * mib, reserved: 8 * mib, floor: 16 * mib, percent: 50, want: 50},                // above the floor: no effect
		{live: 10 * mib, held: 2 * mib, reserved: 4 * mib, floor: 16 * mib, percent: 50, want: 100}, // both: 16 - 6
	}
	for _, c := range cases {
		if got := percentFor(c.live, c.held, c.reserved, c.floor, c.percent); got != c.want {
			t.Errorf("percentFor(live %d, held %d, floor %d, %d) = %d, want %d", c.live, c.held, c.floor, c.percent, got, c.want)
		}
	}
}

// TestTunerFollowsLiveHeap: with a small live heap the tuner raises GOGC
// so the headroom is the floor, after each cycle; with a live heap large
// enough it is back at percent; Stop restores percent and ends the hook.
func TestTunerFollowsLiveHeap(t *testing.T) {
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)
	const floor = 64 << 20
	tu := Start(50, floor)
	defer tu.Stop()

	// cycle runs a collection, then more until the hook has run twice
	// after it. Once is not enough: a hook queued by an earlier cycle (one
	// the allocations below set off) may run just then with what that
	// cycle found live, as it did once in CI ("live heap of 256 MB: GOGC
	// 104"). The second run's sentinel was armed after the collection,
	// so a later cycle queued it, and it read that cycle's live heap.
	cycle := func() {
		t.Helper()
		runtime.GC()
		n := tu.runs.Load()
		deadline := time.Now().Add(10 * time.Second)
		for tu.runs.Load() < n+2 {
			if time.Now().After(deadline) {
				t.Fatal("the tuner did not run after a collection")
			}
			runtime.GC()
			time.Sleep(time.Millisecond)
		}
	}
	cycle()
	// The test binary's live heap is a few MB: far below floor × 2.
	if p := tu.Percent(); p <= 200 {
		t.Fatalf("small live heap: GOGC %d, want well above 200 (headroom %d bytes)", p, floor)
	}
	if got := debug.SetGCPercent(tu.Percent()); got != tu.Percent() {
		t.Fatalf("runtime GOGC %d, tuner says %d", got, tu.Percent())
	}

	// A live heap of 256 MB: its half exceeds the floor, so plain GOGC 50.
	big := make([][]byte, 256)
	for i := range big {
		big[i] = make([]byte, 1<<20)
	}
	cycle()
	if p := tu.Percent(); p != 50 {
		t.Fatalf("live heap of 256 MB: GOGC %d, want 50", p)
	}
	runtime.KeepAlive(big)
	big = nil

	tu.Stop()
	if got := debug.SetGCPercent(50); got != 50 {
		t.Fatalf("after Stop, GOGC %d, want 50", got)
	}
	n := tu.runs.Load()
	for range 3 {
		runtime.GC()
		time.Sleep(5 * time.Millisecond)
	}
	if tu.runs.Load() != n {
		t.Fatal("the tuner ran after Stop")
	}
}

func TestLimitFor(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct{ limit, outside, want int64 }{
		{math.MaxInt64, 100 * mib, math.MaxInt64}, // no limit: none set
		{400 * mib, 100 * mib, 300 * mib},
		{400 * mib, 0, 400 * mib},
		{400 * mib, -5, 400 * mib},        // a count gone negative counts as none
		{400 * mib, 390 * mib, 100 * mib}, // at least a quarter
	} {
		if got := limitFor(c.limit, c.outside); got != c.want {
			t.Errorf("limitFor(%d, %d) = %d, want %d", c.limit, c.outside, got, c.want)
		}
	}
}

// TestTunerOutside: with a memory limit set at Start, the memory outside
// the heap comes off the runtime's limit, which follows it when it moves
// by more than a sixteenth; Stop restores the limit.
func TestTunerOutside(t *testing.T) {
	const limit = 1 << 30
	oldLimit := debug.SetMemoryLimit(limit)
	defer debug.SetMemoryLimit(oldLimit)
	oldPercent := debug.SetGCPercent(100)
	defer debug.SetGCPercent(oldPercent)
	var outside atomic.Int64
	outside.Store(256 << 20)
	tu := Start(50, 0).Outside(outside.Load)
	if got := debug.SetMemoryLimit(-1); got != limit-256<<20 {
		t.Fatalf("limit %d with 256 MiB outside the heap, want %d", got, limit-256<<20)
	}
	outside.Store(260 << 20) // under a sixteenth: left
	tu.adjust()
	if got := debug.SetMemoryLimit(-1); got != limit-256<<20 {
		t.Fatalf("limit %d after a move of 4 MiB, want it left at %d", got, limit-256<<20)
	}
	outside.Store(512 << 20)
	tu.adjust()
	if got := debug.SetMemoryLimit(-1); got != limit-512<<20 {
		t.Fatalf("limit %d with 512 MiB outside, want %d", got, limit-512<<20)
	}
	tu.Stop()
	if got := debug.SetMemoryLimit(-1); got != limit {
		t.Fatalf("limit %d after Stop, want %d", got, limit)
	}
}
