//go:build linux

package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/keeldb/keel/internal/procfs"
	"golang.org/x/sys/unix"
)

// TestCompactionNiceDirective: compaction-nice reaches the on-disk
// engines. The binary runs one compactor thread per engine (strings,
// hashes, streams) that many nicer than the process, and none with 0;
// CONFIG GET reports the setting.
func TestCompactionNiceDirective(t *testing.T) {
	prio, err := unix.Getpriority(unix.PRIO_PROCESS, 0) // this thread's: 20 - nice; the child starts at it
	if err != nil {
		t.Fatal(err)
	}
	base := 20 - prio
	for _, tc := range []struct {
		arg        string // "": the default
		nice, want int    // want threads at nice
	}{
		{"", min(base+10, 19), 3},
		{"4", min(base+4, 19), 3},
		{"0", base, 0},
	} {
		var args []string
		if tc.arg != "" {
			args = []string{"--compaction-nice", tc.arg}
		}
		p := startServer(t, t.TempDir(), args...)
		count := func() (atNice, nicer int) {
			nices, err := procfs.ThreadNices(p.cmd.Process.Pid)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range nices {
				if n != base {
					nicer++
				}
				if n == tc.nice && n != base {
					atNice++
				}
			}
			return atNice, nicer
		}
		// The compactors start with the engines, before the server
		// listens; poll anyway, the goroutines need not have run yet.
		var at, nicer int
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if at, nicer = count(); at == tc.want && nicer == tc.want {
				break
			}
		}
		if at != tc.want || nicer != tc.want {
			t.Errorf("compaction-nice %q: %d threads at nice %d and %d nicer than %d, want %d", tc.arg, at, tc.nice, nicer, base, tc.want)
		}
		v, err := p.client(t).Do("CONFIG", "GET", "compaction-nice")
		want := tc.arg
		if want == "" {
			want = "10"
		}
		if got := fmt.Sprintf("%s", v); err != nil || got != "[compaction-nice "+want+"]" {
			t.Errorf("CONFIG GET compaction-nice = %s, %v; want %s", got, err, want)
		}
		p.stop(t)
	}
}
