//go:build linux

package segments

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/keeldb/keel/internal/procfs"
	"golang.org/x/sys/unix"
)

// threadsAt returns the threads of this process whose nice value is nice.
func threadsAt(t *testing.T, nice int) []int {
	t.Helper()
	nices, err := procfs.ThreadNices(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	var tids []int
	for tid, n := range nices {
		if n == nice {
			tids = append(tids, tid)
		}
	}
	return tids
}

// eventually polls cond for up to 5 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal(what)
		}
	}
}

// compactSome writes and flushes files until the store has compacted.
func compactSome(h *harness) {
	h.t.Helper()
	for i := 0; h.s.Stats().Compactions == 0; i++ {
		if i == 100 {
			h.t.Fatal("no compaction after 100 flushes")
		}
		for k := range 50 {
			h.put(fmt.Sprintf("k%03d", k), fmt.Sprintf("v%d", i))
		}
		h.flush()
		time.Sleep(time.Millisecond)
	}
	h.expect("k007", fmt.Sprintf("v%d", h.s.Stats().Flushes-1), true)
}

// TestCompactorThreadNice: the compactor runs on a thread of its own
// CompactionNice nicer than the process, compacts there, and the thread
// ends with the store: no goroutine runs at the lowered priority after
// the compactor. (The main thread is the exception the runtime makes: a
// goroutine that ends locked to it leaves it unused, not ended.)
func TestCompactorThreadNice(t *testing.T) {
	prio, err := unix.Getpriority(unix.PRIO_PROCESS, 0) // this thread's: 20 - nice
	if err != nil {
		t.Fatal(err)
	}
	base := 20 - prio
	const by = 7 // no other test of the package uses 7 (the default is 10)
	if base+by > 19 {
		t.Skipf("the tests run at nice %d: nice %d would be capped", base, base+by)
	}
	h := newHarness(t, Options{CompactionNice: by})
	eventually(t, fmt.Sprintf("no thread at nice %d", base+by), func() bool { return len(threadsAt(t, base+by)) == 1 })
	compactSome(h)
	if tids := threadsAt(t, base+by); len(tids) != 1 {
		t.Fatalf("threads at nice %d after a compaction: %v, want one", base+by, tids)
	}
	if err := h.s.Close(); err != nil {
		t.Fatal(err)
	}
	h.s = nil
	eventually(t, fmt.Sprintf("a thread at nice %d outlived the store", base+by), func() bool {
		tids := threadsAt(t, base+by)
		return len(tids) == 0 || len(tids) == 1 && tids[0] == os.Getpid()
	})

	// Negative: the compactor keeps the process's priority; no thread
	// but those of closed stores' compactors left on the main thread
	// runs nicer than the process.
	nicer := func() (n int) {
		nices, err := procfs.ThreadNices(os.Getpid())
		if err != nil {
			t.Fatal(err)
		}
		for tid, nice := range nices {
			if nice != base && tid != os.Getpid() {
				n++
			}
		}
		return n
	}
	eventually(t, "threads of closed stores still run nicer", func() bool { return nicer() == 0 })
	h = newHarness(t, Options{CompactionNice: -1})
	compactSome(h)
	if n := nicer(); n != 0 {
		t.Fatalf("CompactionNice -1: %d threads nicer than the process", n)
	}
}
