package server

import (
	"bufio"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/keeldb/keel/internal/oracle"
)

// dialUnix opens a RESP connection to the Unix socket path, closed when
// t ends.
func dialUnix(t *testing.T, path string) *respConn {
	t.Helper()
	nc, err := net.DialTimeout("unix", path, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", path, err)
	}
	c := &respConn{nc: nc, br: bufio.NewReaderSize(nc, 64<<10), timeout: 20 * time.Second}
	t.Cleanup(func() { c.Close() })
	return c
}

// clientInfoFields are CLIENT INFO's field names, and the values of
// addr, laddr and flags.
var clientInfoField = regexp.MustCompile(`(\S+?)=(\S*)`)

func clientInfo(t *testing.T, c *respConn) (names []string, vals map[string]string) {
	t.Helper()
	v, err := c.Do("CLIENT", "INFO")
	if err != nil {
		t.Fatal(err)
	}
	vals = map[string]string{}
	for _, m := range clientInfoField.FindAllStringSubmatch(v.Str, -1) {
		names = append(names, m[1])
		vals[m[1]] = m[2]
	}
	return names, vals
}

// TestUnixSocket: with unixsocket and unixsocketperm, keel serves a Unix
// socket besides TCP, as redis-server does: the file has the permissions
// set, a client on it is named <path>:0 with flag U in CLIENT INFO (its
// fields as Redis's), CONFIG shows both settings and refuses to set
// them at run time; a socket file an earlier run left is replaced, and
// the file goes when the server closes. A path that is no socket is left
// alone and the start fails.
func TestUnixSocket(t *testing.T) {
	dir := t.TempDir()
	kpath, rpath := filepath.Join(dir, "keel.sock"), filepath.Join(dir, "redis.sock")
	// A socket file left behind, as by a killed process.
	stale, err := net.Listen("unix", kpath)
	if err != nil {
		t.Fatal(err)
	}
	stale.(*net.UnixListener).SetUnlinkOnClose(false)
	stale.Close()
	k := startKeel(t, "unixsocket", kpath, "unixsocketperm", "0700")
	oracle.StartWith(t, "--unixsocket", rpath, "--unixsocketperm", "700")
	for _, path := range []string{kpath, rpath} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: mode %v, want a socket with 0700", path, fi.Mode())
		}
	}
	kc, rc := dialUnix(t, kpath), dialUnix(t, rpath)
	for _, c := range []*respConn{kc, rc} {
		if v, err := c.Do("SET", "k", "v"); err != nil || v.Str != "OK" {
			t.Fatalf("SET over the socket: %v %v", v, err)
		}
	}
	kNames, kVals := clientInfo(t, kc)
	rNames, rVals := clientInfo(t, rc)
	for _, w := range []struct {
		vals map[string]string
		path string
	}{{kVals, kpath}, {rVals, rpath}} {
		if w.vals["addr"] != w.path+":0" || w.vals["laddr"] != w.path+":0" || w.vals["flags"] != "U" {
			t.Errorf("CLIENT INFO addr=%s laddr=%s flags=%s, want %s:0 twice and U", w.vals["addr"], w.vals["laddr"], w.vals["flags"], w.path)
		}
	}
	// keel's CLIENT INFO has Redis 7.2's lib-name and lib-ver besides.
	if got, want := strings.Join(kNames[:len(rNames)], " "), strings.Join(rNames, " "); got != want {
		t.Errorf("CLIENT INFO fields\n keel: %s\nredis: %s", got, want)
	}
	for _, args := range [][]string{
		{"CONFIG", "GET", "unixsocketperm"},
		{"CONFIG", "SET", "unixsocket", "/tmp/x.sock"},
		{"CONFIG", "SET", "unixsocketperm", "777"},
	} {
		kv, err1 := kc.Do(args...)
		rv, err2 := rc.Do(args...)
		if err1 != nil || err2 != nil || kv.String() != rv.String() {
			t.Errorf("%q: keel %v (%v), redis %v (%v)", args, kv, err1, rv, err2)
		}
	}
	// Over TCP as well.
	if v, err := mustDialRESP(t, k.addr).Do("GET", "k"); err != nil || v.Str != "v" {
		t.Fatalf("GET over TCP: %v %v", v, err)
	}
	k.srv.Close()
	if _, err := os.Lstat(kpath); !os.IsNotExist(err) {
		t.Errorf("the socket file after Close: %v", err)
	}

	// A regular file where the socket would go stays, and keel does not
	// start.
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := NewConfig()
	for _, kv := range [][2]string{{"port", "0"}, {"unixsocket", file}} {
		if err := cfg.Set(kv[0], kv[1], true); err != nil {
			t.Fatal(err)
		}
	}
	srv := New(k.db, cfg, quietLogger())
	if err := srv.Listen(); err == nil || !strings.Contains(err.Error(), "not a socket") {
		t.Errorf("Listen with a regular file at unixsocket: %v", err)
		if err == nil {
			srv.Close()
		}
	}
	if b, err := os.ReadFile(file); err != nil || string(b) != "x" {
		t.Errorf("the regular file: %q %v", b, err)
	}
}

// TestUnixSocketPermConfig: unixsocketperm is read as Redis reads it.
func TestUnixSocketPermConfig(t *testing.T) {
	for _, c := range []struct{ in, want, err string }{
		{"700", "700", ""},
		{"0770", "770", ""},
		{"0", "0", ""},
		{"800", "", "argument couldn't be parsed as an octal number"},
		{"abc", "", "argument couldn't be parsed as an octal number"},
		{"1000", "", "argument must be between 0 and 777 inclusive"},
	} {
		cfg := NewConfig()
		err := cfg.Set("unixsocketperm", c.in, true)
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s: %v, want %q", c.in, err, c.err)
		case c.err == "" && err != nil:
			t.Errorf("%s: %v", c.in, err)
		case c.err == "" && cfg.Get("unixsocketperm") != c.want:
			t.Errorf("%s: %s, want %s", c.in, cfg.Get("unixsocketperm"), c.want)
		}
	}
}
