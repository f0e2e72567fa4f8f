package server

// The two servers of the differential tests: a real redis-server child
// process (the oracle) and keel served in-process on a random loopback
// port. newPair starts both for one test and stops both at its end.

import (
	"log/slog"
	"os"
	"testing"

	"github.com/keeldb/keel"
	"github.com/keeldb/keel/internal/oracle"
)

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
	// KEEL_TEST_EVENT_LOOPS runs the package's tests in another connection
	// model (make test runs them with 0 too); a test's own setting wins.
	if n := os.Getenv("KEEL_TEST_EVENT_LOOPS"); n != "" {
		settings = append([]string{"event-loops", n}, settings...)
	}
	// DEBUG (DIGEST, SLEEP, ...) as the oracle runs it: allowed.
	settings = append([]string{"enable-debug-command", "yes"}, settings...)
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
	o := oracle.Start(t)
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
