package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestHashesAndStreamsLargerThanMemory writes hashes and streams
// totalling several times the memory the process may use (GOMEMLIMIT, and
// caches and buffers sized under it), restarts, reads every field and
// entry back, and reports the peak RSS (VmHWM): both live on disk, so the
// peak stays well under the data. Half the data is hashes, half streams,
// whose consumer group has read part of each stream and acknowledged half
// of that, so its pending entries list is large too. KEEL_BIG_MB sets the
// data size (default 128 MB here, with a 32 MiB memory limit: the reduced
// form CI runs).
func TestHashesAndStreamsLargerThanMemory(t *testing.T) {
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
	args := []string{"--appendfsync", "no", "--strings-buffer-size", "4mb", "--hashes-buffer-size", "4mb", "--streams-buffer-size", "4mb", "--block-cache-size", "4mb", "--row-cache-size", "1mb"}
	p := startServer(t, dir, args...)
	c := p.client(t)

	const fields, valueLen = 1000, 1000
	hashes := dataMB << 20 / 2 / (fields * valueLen)
	streams := hashes
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
	// Streams: entries n-1 with one field of valueLen bytes; group g has
	// read the first half (COUNT 100 at a time) and acknowledged every
	// other read batch.
	const entries = fields
	for st := 0; st < streams; st++ {
		key := fmt.Sprintf("bigs:%d", st)
		var cmds [][]string
		for e := 1; e <= entries; e++ {
			cmds = append(cmds, []string{"XADD", key, fmt.Sprintf("%d-1", e), "f", value(hashes+st, e)})
		}
		for i, r := range pipelined(t, c, cmds) {
			if b, _ := r.([]byte); string(b) != fmt.Sprintf("%d-1", i+1) {
				t.Fatalf("XADD %s entry %d: %#v", key, i+1, r)
			}
		}
		if r := mustDo(t, c, "XGROUP", "CREATE", key, "g", "0"); r != "OK" {
			t.Fatalf("XGROUP CREATE %s: %#v", key, r)
		}
		for b := 0; b < entries/2/100; b++ {
			r := mustDo(t, c, "XREADGROUP", "GROUP", "g", "c", "COUNT", "100", "STREAMS", key, ">")
			if b%2 == 1 {
				continue
			}
			ack := []string{"XACK", key, "g"}
			for e := b*100 + 1; e <= b*100+100; e++ {
				ack = append(ack, fmt.Sprintf("%d-1", e))
			}
			if n := mustDo(t, c, ack...); n != int64(100) {
				t.Fatalf("XACK %s batch %d: %#v (read %v)", key, b, n, r != nil)
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
	for st := 0; st < streams; st++ {
		key := fmt.Sprintf("bigs:%d", st)
		if n := mustDo(t, c, "XLEN", key); n != int64(entries) {
			t.Fatalf("XLEN %s = %#v", key, n)
		}
		// The pending entries: every other batch of the half read.
		pend := mustDo(t, c, "XPENDING", key, "g")
		want := int64(entries / 2 / 100 / 2 * 100)
		if a, _ := pend.([]any); len(a) != 4 || a[0] != want {
			t.Fatalf("XPENDING %s g = %#v, want %d pending", key, pend, want)
		}
		next := 1
		for page := 0; next <= entries; page++ {
			r := mustDo(t, c, "XRANGE", key, fmt.Sprintf("%d-1", next), "+", "COUNT", "100")
			es, _ := r.([]any)
			if len(es) == 0 {
				t.Fatalf("XRANGE %s from %d: %#v", key, next, r)
			}
			for _, e := range es {
				pair, _ := e.([]any)
				id, _ := pair[0].([]byte)
				kv, _ := pair[1].([]any)
				v, _ := kv[1].([]byte)
				if string(id) != fmt.Sprintf("%d-1", next) || string(v) != value(hashes+st, next) {
					t.Fatalf("XRANGE %s entry %d: id %s value %.40q", key, next, id, v)
				}
				next++
			}
		}
	}
	readPeak := vmHWM(t, p)
	t.Logf("%d MB of hashes (%d x %d fields of %d bytes) and streams (%d x %d entries of %d bytes, half read by a group, a quarter pending), GOMEMLIMIT %d MiB: peak RSS %d MiB writing, %d MiB reading back after a restart",
		dataMB, hashes, fields, valueLen, streams, entries, valueLen, limitMB, writePeak>>10, readPeak>>10)
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
