package server

// The two servers of the differential tests: a real redis-server child
// process (the oracle) and keel served in-process on a random loopback
// port. newPair starts both for one test and stops both at its end.

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/keeldb/keel"
)

// redisServerPath finds the oracle binary. Without it the differential
// tests skip locally but fail in CI (CI=true), where scripts/ensure-redis.sh
// must have installed it.
func redisServerPath(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("KEEL_REDIS_SERVER"); p != "" {
		return p
	}
	p, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("redis-server not found (run scripts/ensure-redis.sh): %v", err)
		}
		t.Skipf("redis-server not found; differential tests need the oracle: %v", err)
	}
	return p
}

// freePort asks the kernel for a free loopback port. Another process may
// take it before redis-server binds it; startRedis retries then.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startRedis starts redis-server and returns its address; the process is
// killed (by its PID) when t ends.
func startRedis(t testing.TB) string {
	t.Helper()
	bin := redisServerPath(t)
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		addr, err := tryStartRedis(t, bin)
		if err == nil {
			return addr
		}
		lastErr = err
	}
	t.Fatalf("starting redis-server: %v", lastErr)
	return ""
}

func tryStartRedis(t testing.TB, bin string) (string, error) {
	dir := t.TempDir()
	port := freePort(t)
	logPath := filepath.Join(dir, "redis.log")
	cmd := exec.Command(bin,
		"--save", "",
		"--appendonly", "no",
		"--port", strconv.Itoa(port),
		"--bind", "127.0.0.1",
		"--daemonize", "no",
		"--dir", dir,
		"--logfile", logPath,
	)
	// No pipes: no copying goroutines outlive the test (goleak).
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, nil, nil
	if err := cmd.Start(); err != nil {
		return "", err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		cmd.Process.Kill()
		<-exited
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case err := <-exited:
			logb, _ := os.ReadFile(logPath)
			return "", fmt.Errorf("redis-server exited early (%v); log:\n%s", err, tail(logb, 2000))
		default:
		}
		if c, err := dialRESP(addr); err == nil {
			v, err := c.Do("PING")
			c.Close()
			if err == nil && v.Kind == '+' && v.Str == "PONG" {
				break
			}
		}
		if time.Now().After(deadline) {
			stop()
			return "", errors.New("redis-server did not answer PING within 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Cleanup(stop)
	return addr, nil
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// keelServer is an in-process keel.
type keelServer struct {
	db   *keel.DB
	srv  *Server
	cfg  *Config
	addr string
}

// quietLogger keeps keel's informational logging out of test output but
// shows warnings and errors.
func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// startKeel opens a DB in a temporary directory and serves it on a random
// loopback port (port 0: Listen binds whatever the kernel picks). settings
// are applied as startup configuration. Both are closed when t ends.
func startKeel(t testing.TB, settings ...string) *keelServer {
	t.Helper()
	if len(settings)%2 != 0 {
		t.Fatalf("startKeel: odd settings %q", settings)
	}
	db, err := keel.Open(t.TempDir(), keel.Options{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	cfg := NewConfig()
	if err := cfg.Set("port", "0", true); err != nil {
		db.Close()
		t.Fatal(err)
	}
	for i := 0; i < len(settings); i += 2 {
		if err := cfg.Set(settings[i], settings[i+1], true); err != nil {
			db.Close()
			t.Fatal(err)
		}
	}
	srv := New(db, cfg, quietLogger())
	if err := srv.Listen(); err != nil {
		db.Close()
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve() }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-served; err != nil {
			t.Errorf("keel Serve: %v", err)
		}
		if err := db.Close(); err != nil {
			t.Errorf("keel DB close: %v", err)
		}
	})
	return &keelServer{db: db, srv: srv, cfg: cfg, addr: srv.Addr().String()}
}

// diffPair is keel and the oracle, started for one test.
type diffPair struct {
	keel   *keelServer
	oracle string // redis-server address
}

// newPair starts a (keel, oracle) pair for t. The oracle comes first so a
// missing redis-server skips before keel is opened.
func newPair(t testing.TB) *diffPair {
	t.Helper()
	o := startRedis(t)
	k := startKeel(t)
	return &diffPair{keel: k, oracle: o}
}

// dial opens one raw connection to each server, closed when t ends.
func (p *diffPair) dial(t testing.TB) (k, o *respConn) {
	t.Helper()
	var err error
	if k, err = dialRESP(p.keel.addr); err != nil {
		t.Fatalf("dial keel: %v", err)
	}
	if o, err = dialRESP(p.oracle); err != nil {
		k.Close()
		t.Fatalf("dial redis-server: %v", err)
	}
	t.Cleanup(func() { k.Close(); o.Close() })
	return k, o
}

// flushAll empties both servers (every db) on fresh connections.
func (p *diffPair) flushAll(t testing.TB) {
	t.Helper()
	for _, a := range []struct{ name, addr string }{{"keel", p.keel.addr}, {"redis-server", p.oracle}} {
		c, err := dialRESP(a.addr)
		if err != nil {
			t.Fatalf("dial %s: %v", a.name, err)
		}
		v, err := c.Do("FLUSHALL")
		c.Close()
		if err != nil || v.Kind != '+' {
			t.Fatalf("FLUSHALL on %s: %v %v", a.name, v, err)
		}
	}
}
