package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestHashesLargerThanMemory writes hashes totalling several times the
// memory the process may use (GOMEMLIMIT, and caches and buffers sized
// under it), restarts, reads every field back, and reports the peak RSS
// (VmHWM): hashes live on disk, so the peak stays well under the data.
// KEEL_BIG_MB sets the data size (default 128 MB here, with a 32 MiB
// memory limit: the reduced form CI runs).
func TestHashesLargerThanMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and reads back 128 MB")
	}
	dataMB := 128
	if v := os.Getenv("KEEL_BIG_MB"); v != "" {
		dataMB, _ = strconv.Atoi(v)
	}
	const limitMB = 32
	t.Setenv("GOMEMLIMIT", fmt.Sprintf("%dMiB", limitMB))
	dir := t.TempDir()
	args := []string{"--appendfsync", "no", "--strings-buffer-size", "4mb", "--block-cache-size", "4mb"}
	p := startServer(t, dir, args...)
	c := p.client(t)

	const fields, valueLen = 1000, 1000
	hashes := dataMB << 20 / (fields * valueLen)
	value := func(h, f int) string {
		head := fmt.Sprintf("%d/%d:", h, f)
		return head + strings.Repeat(string(rune('a'+(h+f)%26)), valueLen-len(head))
	}
	for h := 0; h < hashes; h++ {
		var cmds [][]string
		for f := 0; f < fields; f += 100 {
			args := []string{"HSET", fmt.Sprintf("big:%d", h)}
			for j := f; j < f+100; j++ {
				args = append(args, fmt.Sprintf("f%d", j), value(h, j))
			}
			cmds = append(cmds, args)
		}
		for i, r := range pipelined(t, c, cmds) {
			if r != int64(100) {
				t.Fatalf("HSET big:%d batch %d: %#v", h, i, r)
			}
		}
	}
	writePeak := vmHWM(t, p)
	p.stop(t)

	p = startServer(t, dir, args...)
	c = p.client(t)
	for h := 0; h < hashes; h++ {
		key := fmt.Sprintf("big:%d", h)
		cmds := [][]string{{"HLEN", key}}
		for f := 0; f < fields; f++ {
			cmds = append(cmds, []string{"HGET", key, fmt.Sprintf("f%d", f)})
		}
		rs := pipelined(t, c, cmds)
		if rs[0] != int64(fields) {
			t.Fatalf("HLEN %s = %#v", key, rs[0])
		}
		for f, r := range rs[1:] {
			if b, _ := r.([]byte); string(b) != value(h, f) {
				t.Fatalf("HGET %s f%d = %.40q, want %.40q", key, f, b, value(h, f))
			}
		}
	}
	readPeak := vmHWM(t, p)
	t.Logf("%d MB of hashes (%d x %d fields of %d bytes), GOMEMLIMIT %d MiB: peak RSS %d MiB writing, %d MiB reading back after a restart",
		dataMB, hashes, fields, valueLen, limitMB, writePeak>>10, readPeak>>10)
	if max(writePeak, readPeak)>>10 >= int64(dataMB)*3/4 {
		t.Fatalf("peak RSS %d / %d KiB is not well under the %d MB of data", writePeak, readPeak, dataMB)
	}
}

// vmHWM returns the process's peak resident set in KiB.
func vmHWM(t *testing.T, p *proc) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	t.Fatal("no VmHWM in /proc status")
	return 0
}
