package main

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/keeldb/keel/internal/oracle"
	"github.com/keeldb/keel/internal/procfs"
	"golang.org/x/sys/unix"
)

// stockConf is Redis 7.0's stock redis.conf (its directives).
const stockConf = "../../server/testdata/redis-7.0.conf"

// TestStartWithRedisConf: keel starts with Redis's stock configuration
// file, given first as to redis-server, with flags after it for what
// must differ on a test machine (port, paths, the foreground), and
// reports the file's settings.
func TestStartWithRedisConf(t *testing.T) {
	dir := t.TempDir()
	port := oracle.FreePort(t)
	// The file first, as to redis-server; its bind is kept.
	p := launchArgv(t, dir, port, []string{stockConf, "--port", strconv.Itoa(port), "--dir", dir,
		"--daemonize", "no", "--pidfile", "", "--logfile", ""})
	t.Cleanup(p.kill)
	if err := p.waitReady(60 * time.Second); err != nil {
		t.Fatal(err)
	}
	c := p.client(t)
	for name, want := range map[string]string{
		"tcp-backlog":                "511",
		"bind":                       "127.0.0.1 -::1",
		"client-output-buffer-limit": "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
		"appenddirname":              "appendonlydir",
	} {
		r := mustDo(t, c, "CONFIG", "GET", name)
		if got, ok := r.([]any); !ok || len(got) != 2 || string(asBytes(got[1])) != want {
			t.Errorf("CONFIG GET %s = %v, want %q", name, r, want)
		}
	}
	mustDo(t, c, "SET", "k", "v")
	p.stop(t)
}

// TestDaemonize: with daemonize yes the command returns at once and keel
// serves from a process of its own session, whose id is in the pid file.
func TestDaemonize(t *testing.T) {
	dir := t.TempDir()
	port := oracle.FreePort(t)
	pidfile := filepath.Join(dir, "keel.pid")
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	cmd := exec.Command(keelBin, "--port", strconv.Itoa(port), "--dir", dir, "--daemonize", "yes", "--pidfile", pidfile)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("keel --daemonize yes: %v %s", err, out)
	}
	var pid int
	for deadline := time.Now().Add(30 * time.Second); pid == 0; time.Sleep(10 * time.Millisecond) {
		if b, err := os.ReadFile(pidfile); err == nil {
			pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		}
		if pid == 0 && time.Now().After(deadline) {
			t.Fatal("no pid file from the daemon")
		}
	}
	t.Cleanup(func() {
		syscall.Kill(pid, syscall.SIGKILL)
	})
	if pid == cmd.Process.Pid {
		t.Fatalf("the daemon is the process that was started (%d)", pid)
	}
	if sid, err := unix.Getsid(pid); err != nil || sid != pid {
		t.Fatalf("daemon %d: session %d (%v), want a session of its own", pid, sid, err)
	}
	var c *respConn
	var err error
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if c, err = dial(addr); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("dial the daemon: %v", err)
		}
	}
	defer c.Close()
	if r := mustDo(t, c, "PING"); r != "PONG" {
		t.Fatalf("PING: %v", r)
	}
	// SIGTERM shuts it down cleanly: the pid file goes with it.
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(60 * time.Second); running(pid); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the daemon did not exit after SIGTERM")
		}
	}
	if _, err := os.Stat(pidfile); !os.IsNotExist(err) {
		t.Fatalf("pid file after shutdown: %v", err)
	}
}

// running reports whether pid is a live process: not gone, and not a
// zombie its new parent (init here) has yet to reap.
func running(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	st, err := procfs.State(pid)
	if err != nil {
		return !errors.Is(err, fs.ErrNotExist)
	}
	return st != 'Z'
}

func asBytes(v any) []byte {
	b, _ := v.([]byte)
	return b
}
