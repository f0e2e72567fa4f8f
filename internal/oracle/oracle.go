// Package oracle starts a real redis-server for differential tests: the
// oracle keel's replies are compared against.
//
// Start returns the address of a fresh server on a free loopback port, with
// persistence off, and stops it (by its PID) when the test ends. When
// redis-server is not installed the test is skipped — except under CI=true,
// where a missing oracle fails the run (a skipped oracle in CI would be a
// test that cannot fail). `make test` installs it (scripts/ensure-redis.sh).
package oracle

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Start starts redis-server and returns its address (host:port).
func Start(t testing.TB) string {
	t.Helper()
	if addr := os.Getenv("KEEL_ORACLE"); addr != "" {
		return addr
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("oracle: redis-server not found under CI (make test installs it): %v", err)
		}
		t.Skip("oracle: redis-server not installed; run scripts/ensure-redis.sh")
	}
	for attempt := 0; attempt < 5; attempt++ {
		port, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		cmd := exec.Command(bin, "--port", fmt.Sprint(port), "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir,
			"--enable-debug-command", "yes", "--loglevel", "warning")
		cmd.Stdout, cmd.Stderr = nil, nil
		if err := cmd.Start(); err != nil {
			t.Fatalf("oracle: %v", err)
		}
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		if waitPing(addr, 5*time.Second) {
			t.Cleanup(func() {
				cmd.Process.Kill()
				cmd.Wait()
			})
			return addr
		}
		cmd.Process.Kill()
		cmd.Wait()
	}
	t.Fatal("oracle: redis-server did not start")
	return ""
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func waitPing(addr string, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.SetDeadline(time.Now().Add(time.Second))
			fmt.Fprint(c, "PING\r\n")
			line, _ := bufio.NewReader(c).ReadString('\n')
			c.Close()
			if strings.HasPrefix(line, "+PONG") {
				return true
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}
