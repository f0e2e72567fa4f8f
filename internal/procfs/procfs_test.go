//go:build linux

package procfs

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestStatNice(t *testing.T) {
	// A command name with spaces and a ')' of its own; nice is 5.
	line := "4242 (a) b (c) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 20 5 1 0 100 200 300"
	if n, err := statNice(line); err != nil || n != 5 {
		t.Fatalf("statNice = %d, %v; want 5", n, err)
	}
	for _, bad := range []string{"4242 no name", "4242 (a) S 1 2"} {
		if _, err := statNice(bad); err == nil {
			t.Errorf("statNice(%q) gave no error", bad)
		}
	}
}

// TestThreadNices: a thread whose nice value this test raises is seen
// with it, and the process's other threads keep theirs.
func TestThreadNices(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc is Linux's")
	}
	before, err := ThreadNices(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	type raised struct{ tid, nice int }
	done := make(chan struct{})
	ch := make(chan raised)
	go func() {
		// Exit locked: the thread ends with the goroutine (or, the main
		// thread, is never used again).
		runtime.LockOSThread()
		tid := unix.Gettid()
		prio, err := unix.Getpriority(unix.PRIO_PROCESS, tid)
		if err != nil {
			t.Error(err)
		}
		nice := min(20-prio+3, 19)
		if err := unix.Setpriority(unix.PRIO_PROCESS, tid, nice); err != nil {
			t.Error(err)
		}
		ch <- raised{tid, nice}
		<-done
	}()
	r := <-ch
	defer close(done)
	after, err := ThreadNices(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if after[r.tid] != r.nice {
		t.Fatalf("thread %d nice %d, want %d (all: %v)", r.tid, after[r.tid], r.nice, after)
	}
	for id, nice := range after {
		if was, ok := before[id]; ok && id != r.tid && nice != was {
			t.Errorf("thread %d nice %d, was %d (raised: %d)", id, nice, was, r.tid)
		}
	}
}

// TestState: this process is running or sleeping, a zombie reads as 'Z'
// until it is reaped, and a process that does not exist is fs.ErrNotExist.
func TestState(t *testing.T) {
	if st, err := State(os.Getpid()); err != nil || (st != 'R' && st != 'S') {
		t.Fatalf("State(self) = %q, %v", st, err)
	}
	cmd := exec.Command("true")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		st, err := State(pid)
		if err == nil && st == 'Z' {
			break // exited, not yet waited for
		}
		if time.Now().After(deadline) {
			t.Fatalf("State of an exited child = %q, %v; want 'Z'", st, err)
		}
	}
	cmd.Wait()
	if _, err := State(pid); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("State of a reaped child: %v, want fs.ErrNotExist", err)
	}
}
