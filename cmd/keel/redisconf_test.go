package main

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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

// replayedRecords matches the log line of a start that replayed records.
var replayedRecords = regexp.MustCompile(`keel: recovered.* records=[1-9]`)

// TestShutdownOnSignals: SIGTERM and SIGINT checkpoint before keel exits
// under shutdown-on-sigterm and shutdown-on-sigint default (as SHUTDOWN
// does), and do not under nosave: the next start then replays the writes
// from the WAL, which holds them either way.
func TestShutdownOnSignals(t *testing.T) {
	for _, c := range []struct {
		sig     syscall.Signal
		args    []string
		replays bool
	}{
		{syscall.SIGTERM, nil, false},
		{syscall.SIGINT, []string{"--shutdown-on-sigint", "save now"}, false},
		{syscall.SIGTERM, []string{"--shutdown-on-sigterm", "nosave"}, true},
		{syscall.SIGINT, []string{"--shutdown-on-sigint", "nosave force"}, true},
	} {
		dir := t.TempDir()
		p := startServer(t, dir, c.args...)
		cl := p.client(t)
		for i := range 100 {
			if _, err := cl.Do("SET", "k"+strconv.Itoa(i), "v"); err != nil {
				t.Fatal(err)
			}
		}
		if err := p.cmd.Process.Signal(c.sig); err != nil {
			t.Fatal(err)
		}
		select {
		case <-p.done:
		case <-time.After(60 * time.Second):
			t.Fatalf("%v %q: keel did not exit", c.sig, c.args)
		}
		out := p.stderr.String()
		p2 := startServer(t, dir)
		if got, err := p2.client(t).Do("DBSIZE"); err != nil || got != int64(100) {
			t.Fatalf("%v %q: DBSIZE %v (%v) after the restart", c.sig, c.args, got, err)
		}
		replayed := replayedRecords.MatchString(p2.stderr.String())
		if replayed != c.replays {
			t.Errorf("%v %q: the restart replayed the WAL: %v, want %v; its log:\n%s\nthe first run's:\n%s", c.sig, c.args, replayed, c.replays, p2.stderr.String(), out)
		}
		p2.stop(t)
	}
}

// TestSupervised: supervised systemd sends sd_notify's READY=1 (with
// Redis's STATUS line) to $NOTIFY_SOCKET once keel serves and STOPPING=1
// when it stops; supervised upstart stops the process (SIGSTOP) once it
// serves, and it serves when continued.
func TestSupervised(t *testing.T) {
	t.Run("systemd", func(t *testing.T) {
		sock := filepath.Join(t.TempDir(), "notify")
		ln, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		t.Setenv("NOTIFY_SOCKET", sock) // the child inherits it
		p := startServer(t, t.TempDir(), "--supervised", "systemd")
		read := func() string {
			ln.SetReadDeadline(time.Now().Add(30 * time.Second))
			b := make([]byte, 256)
			n, err := ln.Read(b)
			if err != nil {
				t.Fatalf("no notification: %v; stderr:\n%s", err, p.stderr.String())
			}
			return string(b[:n])
		}
		if got := read(); got != "STATUS=Ready to accept connections\nREADY=1\n" {
			t.Errorf("ready notification %q", got)
		}
		p.stop(t)
		if got := read(); got != "STOPPING=1\n" {
			t.Errorf("stop notification %q", got)
		}
	})
	t.Run("upstart", func(t *testing.T) {
		p := launch(t, t.TempDir(), "--supervised", "upstart")
		t.Cleanup(p.kill)
		pid := p.cmd.Process.Pid
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(5 * time.Millisecond) {
			st, err := procfs.State(pid)
			if err != nil {
				t.Fatal(err)
			}
			if st == 'T' {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("keel did not stop itself (state %c); stderr:\n%s", st, p.stderr.String())
			}
		}
		if err := syscall.Kill(pid, syscall.SIGCONT); err != nil {
			t.Fatal(err)
		}
		if err := p.waitReady(30 * time.Second); err != nil {
			t.Fatal(err)
		}
		p.stop(t)
	})
}
