// Package gctune gives the Go collector a floor under its headroom.
//
// Go's collector starts a cycle when the heap has grown by GOGC percent of
// what the last cycle found live. keel runs at GOGC 50, so RSS stays near
// the live heap: values live on disk, and memory is a feature. But the
// headroom is proportional, so a small live heap means frequent cycles: a
// server holding 25 MB of live heap under a stream of writes (write
// buffers, the WAL's tail, file indexes) collects every 12 MB it
// allocates, and each cycle marks the whole live heap. Under XREADGROUP
// and XACK that was 41 cycles a second and 12–16% of the server's CPU;
// under MSET at pipeline 16, 65 cycles and 12%.
//
// Start keeps the heap goal at
//
//	live + max(live × percent/100, floor)
//
// by setting GOGC after each cycle from the live heap that cycle found:
// above floor × 100/percent of live heap it is plain GOGC percent, below
// it the headroom stays floor bytes. The cost is at most floor bytes of
// heap more than GOGC percent alone, and only while the live heap is
// small; the extra is garbage, which the runtime reuses and its scavenger
// returns. A memory limit (GOMEMLIMIT, debug.SetMemoryLimit) still caps
// the goal: the runtime takes the lower of the two.
//
// Memory the program keeps for reuse (Hold: keel's recycled write
// buffers) is live but never turns into garbage, so it gets no headroom
// and counts against the floor: the goal is then what it would be had
// that memory been freed and allocated again. Memory kept for reuse off
// the heap (Reserve: keel's write buffers' pooled blocks, internal/offheap)
// is not in the live heap at all; it only stands in for as much of the
// floor, as it did while it was held on the heap.
//
// A memory limit bounds the Go heap alone, and keel keeps much of its
// memory outside it (the keyspace, the write buffers). With Outside, the
// tuner sets the runtime's limit, after each cycle, to the limit the
// program started with (GOMEMLIMIT) less the memory outside the heap, so
// that GOMEMLIMIT bounds both: at most down to a quarter of it (limitFor),
// since a heap starved below that would only collect without end.
//
// The hook is a finalizer on a sentinel object, re-armed on each run: the
// runtime queues it after the cycle that found the sentinel unreachable.
// Finalizers run one at a time on one goroutine, so the hook only reads a
// metric and, when the value moves by more than an eighth, sets GOGC.
package gctune

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
)

// maxPercent bounds the GOGC the tuner sets (a nearly empty heap would
// otherwise ask for an absurd percentage; the floor is what matters).
const maxPercent = 10000

// minHeap is the runtime's base heap size, the goal at GOGC 100 of an
// empty heap.
const minHeap = 4 << 20

// Tuner is a running floor; Stop ends it, restores GOGC percent and the
// memory limit it started with.
type Tuner struct {
	percent  int
	floor    uint64
	stopped  atomic.Bool
	mu       sync.Mutex // serializes adjust with Stop
	set      int        // the GOGC last set
	runs     atomic.Int64
	sample   []metrics.Sample
	held     func() uint64 // Hold's; guarded by mu
	reserved func() uint64 // Reserve's; guarded by mu
	outside  func() int64  // Outside's; guarded by mu
	limit    int64         // the memory limit at Start (math.MaxInt64: none)
	setLimit int64         // the memory limit last set
}

// Start sets GOGC to percent and keeps the collector's headroom at least
// floor bytes, as the package doc says, until Stop.
func Start(percent int, floor uint64) *Tuner {
	t := &Tuner{percent: percent, floor: floor,
		sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
	t.set = percent
	t.limit = debug.SetMemoryLimit(-1)
	t.setLimit = t.limit
	debug.SetGCPercent(percent)
	t.adjust()
	t.arm()
	return t
}

// sentinel is the finalizer's object: large enough not to be batched by
// the tiny allocator with other objects, whose lifetimes would delay it.
type sentinel struct{ _ [32]byte }

func (t *Tuner) arm() {
	s := new(sentinel)
	runtime.SetFinalizer(s, func(*sentinel) {
		if t.stopped.Load() {
			return
		}
		t.adjust()
		t.runs.Add(1) // after adjust: who sees the count sees its GOGC
		t.arm()
	})
}

// percentFor is the GOGC that gives live bytes a headroom of
// max((live - held) × percent/100, floor - held - reserved), rounded up, at least 1
// and at most maxPercent. Held bytes of the live heap (memory kept for
// reuse, Hold) get no headroom of their own, and stand in for as much of
// the floor: the program takes them before it allocates, so the goal is
// what it would be had they been left to the collector. Reserved bytes
// (off the heap) stand in for the floor alone. A live heap below
// the runtime's own minimum (4 MiB, and none measured before the first
// cycle) counts as that minimum.
func percentFor(live, held, reserved, floor uint64, percent int) int {
	live = max(live, minHeap)
	held = min(held, live)
	head := max((live-held)*uint64(percent)/100, floor-min(held+reserved, floor))
	p := (head*100 + live - 1) / live
	if held == 0 && p <= uint64(percent) {
		return percent
	}
	return int(min(max(p, 1), maxPercent))
}

// Hold makes the tuner leave out of the headroom the bytes held returns:
// live memory kept for reuse (a store's recycled write buffers), which
// the program takes again instead of allocating (percentFor). Without it
// such memory raised the heap goal by its size under the floor, by half
// of it above: 5–15 MiB of RSS after 1M SETs. It returns t.
func (t *Tuner) Hold(held func() uint64) *Tuner {
	t.mu.Lock()
	t.held = held
	t.mu.Unlock()
	return t
}

// Reserve makes the tuner count the bytes reserved returns against the
// floor: memory outside the Go heap kept for reuse (write buffers' pooled
// blocks, internal/offheap), which was on the heap, held, before it moved
// off. Such memory is RSS the floor's garbage would add to; counted, the
// floor leaves as much room as when it was held on the heap. It returns t.
func (t *Tuner) Reserve(reserved func() uint64) *Tuner {
	t.mu.Lock()
	t.reserved = reserved
	t.mu.Unlock()
	return t
}

// Outside makes the tuner count the bytes outside returns against the
// memory limit the program started with (the package doc). It returns t.
func (t *Tuner) Outside(outside func() int64) *Tuner {
	t.mu.Lock()
	t.outside = outside
	t.mu.Unlock()
	t.adjust()
	return t
}

// limitFor is the runtime memory limit that keeps the heap and outside
// bytes beside it within limit: limit - outside, at least limit/4; limit
// itself when it is none (math.MaxInt64).
func limitFor(limit, outside int64) int64 {
	if limit == math.MaxInt64 {
		return limit
	}
	return max(limit-max(outside, 0), limit/4)
}

func (t *Tuner) adjust() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped.Load() {
		return
	}
	metrics.Read(t.sample)
	if t.sample[0].Value.Kind() != metrics.KindUint64 {
		return // not this runtime: leave GOGC at percent
	}
	var held, reserved uint64
	if t.held != nil {
		held = t.held()
	}
	if t.reserved != nil {
		reserved = t.reserved()
	}
	if t.outside != nil {
		// Setting the limit takes the heap lock too: skip changes under a
		// sixteenth of it.
		if l := limitFor(t.limit, t.outside()); l != t.setLimit && (l-t.setLimit > t.limit/16 || t.setLimit-l > t.limit/16 || l == t.limit) {
			t.setLimit = l
			debug.SetMemoryLimit(l)
		}
	}
	want := percentFor(t.sample[0].Value.Uint64(), held, reserved, t.floor, t.percent)
	// Setting GOGC takes the heap lock; skip changes under an eighth.
	if d := want - t.set; want != t.percent && d < t.set/8 && -d < t.set/8 {
		return
	}
	if want != t.set {
		t.set = want
		debug.SetGCPercent(want)
	}
}

// Percent returns the GOGC the tuner set last.
func (t *Tuner) Percent() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.set
}

// Stop ends the tuner and sets GOGC back to its percent.
func (t *Tuner) Stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped.Swap(true) {
		return
	}
	debug.SetGCPercent(t.percent)
	t.set = t.percent
	if t.setLimit != t.limit {
		debug.SetMemoryLimit(t.limit)
		t.setLimit = t.limit
	}
}
