// Package oracle starts a real redis-server for differential tests: the
// oracle keel's replies are compared against.
//
// Start returns the address of a fresh server on a free loopback port, with
// persistence off and DEBUG enabled, and kills it (by its PID) when the
// test ends. When redis-server is not installed the test is skipped, except
// under CI=true, where a missing oracle fails the run: a skipped oracle in
// CI would be a test that cannot fail. `make test` installs it
// (scripts/ensure-redis.sh). KEEL_REDIS_SERVER names another binary;
// KEEL_ORACLE=host:port uses a running server instead (its data is flushed).
package oracle

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Start starts redis-server and returns its address (host:port).
func Start(t testing.TB) string {
	t.Helper()
	return StartWith(t)
}

// StartWith is Start with more redis-server arguments, after Start's own
// (a later one wins: "--enable-debug-command", "no" puts Redis's default
// back). With KEEL_ORACLE set, a test that needs arguments is skipped: a
// running server cannot take them.
func StartWith(t testing.TB, args ...string) string {
	t.Helper()
	if addr := os.Getenv("KEEL_ORACLE"); addr != "" {
		if len(args) > 0 {
			t.Skip("oracle: KEEL_ORACLE's server cannot be started with", args)
		}
		return addr
	}
	bin := serverPath(t)
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ { // the free port may be taken meanwhile
		addr, err := tryStart(t, bin, args...)
		if err == nil {
			return addr
		}
		lastErr = err
	}
	t.Fatalf("oracle: starting redis-server: %v", lastErr)
	return ""
}

func serverPath(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("KEEL_REDIS_SERVER"); p != "" {
		return p
	}
	p, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("oracle: redis-server not found under CI (make test installs it): %v", err)
		}
		t.Skipf("oracle: redis-server not installed; run scripts/ensure-redis.sh: %v", err)
	}
	return p
}

// FreePort returns a loopback TCP port that was free a moment ago; a
// server that then fails to bind it should be retried.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func tryStart(t testing.TB, bin string, args ...string) (string, error) {
	dir := t.TempDir()
	port := FreePort(t)
	logPath := filepath.Join(dir, "redis.log")
	cmd := exec.Command(bin,
		"--save", "", "--appendonly", "no",
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--daemonize", "no", "--dir", dir, "--logfile", logPath,
		"--enable-debug-command", "yes")
	cmd.Args = append(cmd.Args, args...)
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
	for !ping(addr) {
		select {
		case err := <-exited:
			logb, _ := os.ReadFile(logPath)
			if len(logb) > 2000 {
				logb = logb[len(logb)-2000:]
			}
			return "", fmt.Errorf("redis-server exited early (%v); log:\n%s", err, logb)
		default:
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

func ping(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	fmt.Fprint(c, "PING\r\n")
	line, _ := bufio.NewReader(c).ReadString('\n')
	return strings.HasPrefix(line, "+PONG")
}
