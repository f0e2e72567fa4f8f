package main

// Helpers shared by the crash and corruption tests: they build the real
// keel binary once, run it as a child process on a free loopback port, and
// talk to it with a minimal RESP2 client. The client is raw on purpose: it
// never retries or reconnects, so "a reply was received" means exactly that
// the server acknowledged the command — what the crash tests count.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/keeldb/keel/internal/oracle"

	"go.uber.org/goleak"
)

// keelBin is the path of the binary TestMain builds.
var keelBin string

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "keel-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "helpers: temp dir:", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	keelBin = filepath.Join(tmp, "keel")
	// The binary is built without -race even under `go test -race`: the
	// tests measure crash behaviour, and an instrumented server would only
	// slow every round down. KEEL_TEST_RACE_BINARY=1 builds it with -race.
	args := []string{"build", "-o", keelBin}
	if os.Getenv("KEEL_TEST_RACE_BINARY") == "1" {
		args = append(args, "-race")
	}
	args = append(args, ".")
	cmd := exec.Command("go", args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "helpers: go build of cmd/keel failed:", err)
		return 1
	}
	code := m.Run()
	if code == 0 {
		// Every child process must have been reaped, with its goroutine.
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "helpers: leaked goroutines:", err)
			code = 1
		}
	}
	return code
}

// lockedBuffer collects a child's stderr; safe for concurrent use.
type lockedBuffer struct {
	mu  sync.Mutex // guards buf
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// proc is one run of the keel binary.
type proc struct {
	cmd    *exec.Cmd
	dir    string
	port   int
	addr   string
	stderr *lockedBuffer
	done   chan struct{} // closed when the process has exited
	err    error         // Wait's result; read after done
	killed bool          // we sent SIGKILL
}

// launch starts keel on dir with args and a fresh port; it does not wait.
func launch(t testing.TB, dir string, args ...string) *proc {
	t.Helper()
	port := oracle.FreePort(t)
	// DEBUG DIGEST checks the data after restarts: allowed from loopback.
	return launchArgv(t, dir, port, append([]string{"--port", strconv.Itoa(port), "--dir", dir, "--bind", "127.0.0.1", "--enable-debug-command", "local"}, args...))
}

// launchArgv starts keel with argv as its arguments, which must make it
// serve dir on loopback's port; it does not wait.
func launchArgv(t testing.TB, dir string, port int, argv []string) *proc {
	t.Helper()
	p := &proc{dir: dir, port: port, addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		stderr: &lockedBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(keelBin, argv...)
	p.cmd.Stdout = p.stderr
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start keel: %v", err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	return p
}

// exited reports whether the process has exited.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// exitCode is the exit status after exit (-1 if killed by a signal).
func (p *proc) exitCode() int {
	<-p.done
	if p.cmd.ProcessState == nil {
		return -1
	}
	return p.cmd.ProcessState.ExitCode()
}

// waitReady polls until PING answers +PONG, the process exits, or timeout.
// Polling the port is the readiness check: keel only listens once recovery
// is complete.
func (p *proc) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if p.exited() {
			return fmt.Errorf("keel exited before answering PING (%v); stderr:\n%s", p.err, p.stderr.String())
		}
		c, err := dial(p.addr)
		if err == nil {
			r, err := c.Do("PING")
			c.Close()
			if err == nil && r == "PONG" {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("keel did not answer PING within %v; stderr:\n%s", timeout, p.stderr.String())
		}
		select {
		case <-p.done:
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// startServer starts keel on dir and waits until it serves. A start that
// lost its port to another process is retried on a new port.
func startServer(t testing.TB, dir string, args ...string) *proc {
	t.Helper()
	p, err := tryStartServer(t, dir, args...)
	if err != nil {
		t.Fatalf("keel on %s: %v", dir, err)
	}
	return p
}

// tryStartServer is startServer returning the failure instead.
func tryStartServer(t testing.TB, dir string, args ...string) (*proc, error) {
	t.Helper()
	for attempt := 0; ; attempt++ {
		p := launch(t, dir, args...)
		err := p.waitReady(60 * time.Second)
		if err == nil {
			t.Cleanup(func() { p.kill() })
			return p, nil
		}
		p.kill()
		if attempt < 3 && strings.Contains(p.stderr.String(), "address already in use") {
			continue
		}
		return nil, err
	}
}

// kill sends SIGKILL (if still running) and waits for the exit.
func (p *proc) kill() {
	if !p.exited() {
		p.killed = true
		p.cmd.Process.Signal(syscall.SIGKILL)
	}
	<-p.done
}

// stop asks for a clean shutdown (SIGTERM) and waits; it fails the test if
// keel does not exit 0 within the timeout.
func (p *proc) stop(t testing.TB) {
	t.Helper()
	if p.exited() {
		t.Fatalf("keel already exited: %v; stderr:\n%s", p.err, p.stderr.String())
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(60 * time.Second):
		p.kill()
		t.Fatalf("keel did not exit within 60s of SIGTERM; stderr:\n%s", p.stderr.String())
	}
	if code := p.exitCode(); code != 0 {
		t.Fatalf("keel exited %d after SIGTERM; stderr:\n%s", code, p.stderr.String())
	}
}

// client dials p; the test fails if it cannot.
func (p *proc) client(t testing.TB) *respConn {
	t.Helper()
	c, err := dial(p.addr)
	if err != nil {
		t.Fatalf("dial %s: %v", p.addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// respConn is a minimal RESP2 client. Not safe for concurrent use.
type respConn struct {
	nc      net.Conn
	r       *bufio.Reader
	w       *bufio.Writer
	timeout time.Duration
}

// respError is an error reply (-ERR ...).
type respError string

func (e respError) Error() string { return string(e) }

func dial(addr string) (*respConn, error) {
	nc, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return nil, err
	}
	return &respConn{nc: nc, r: bufio.NewReaderSize(nc, 64<<10), w: bufio.NewWriterSize(nc, 64<<10), timeout: 30 * time.Second}, nil
}

func (c *respConn) Close() error { return c.nc.Close() }

func (c *respConn) writeCmd(args []string) {
	fmt.Fprintf(c.w, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(c.w, "$%d\r\n%s\r\n", len(a), a)
	}
}

// Do sends one command and reads its reply. An error reply is returned as
// a value of type respError with a nil error; err is for I/O and protocol
// failures only.
func (c *respConn) Do(args ...string) (any, error) {
	rs, err := c.Pipeline([][]string{args})
	if err != nil {
		return nil, err
	}
	return rs[0], nil
}

// Pipeline sends cmds in one write and reads one reply per command.
func (c *respConn) Pipeline(cmds [][]string) ([]any, error) {
	c.nc.SetDeadline(time.Now().Add(c.timeout))
	for _, a := range cmds {
		c.writeCmd(a)
	}
	if err := c.w.Flush(); err != nil {
		return nil, err
	}
	out := make([]any, len(cmds))
	for i := range cmds {
		r, err := c.readReply()
		if err != nil {
			return out[:i], err
		}
		out[i] = r
	}
	return out, nil
}

// readReply decodes one RESP2 reply: string (simple), []byte (bulk), int64,
// nil (null bulk or array), respError, or []any.
func (c *respConn) readReply() (any, error) {
	line, err := c.r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	if len(line) < 3 || line[len(line)-2] != '\r' {
		return nil, fmt.Errorf("resp: bad line %q", line)
	}
	body := line[1 : len(line)-2]
	switch line[0] {
	case '+':
		return body, nil
	case '-':
		return respError(body), nil
	case ':':
		return strconv.ParseInt(body, 10, 64)
	case '$':
		n, err := strconv.Atoi(body)
		if err != nil {
			return nil, err
		}
		if n < 0 {
			return nil, nil
		}
		b := make([]byte, n+2)
		if _, err := io.ReadFull(c.r, b); err != nil {
			return nil, err
		}
		return b[:n], nil
	case '*':
		n, err := strconv.Atoi(body)
		if err != nil {
			return nil, err
		}
		if n < 0 {
			return nil, nil
		}
		arr := make([]any, n)
		for i := range arr {
			if arr[i], err = c.readReply(); err != nil {
				return nil, err
			}
		}
		return arr, nil
	}
	return nil, fmt.Errorf("resp: unexpected type byte %q", line[0])
}

// mustDo runs one command and fails the test on an I/O error or error reply.
func mustDo(t testing.TB, c *respConn, args ...string) any {
	t.Helper()
	r, err := c.Do(args...)
	if err != nil {
		t.Fatalf("%s: %v", strings.Join(args, " "), err)
	}
	if e, ok := r.(respError); ok {
		t.Fatalf("%s: error reply %q", strings.Join(args, " "), string(e))
	}
	return r
}

// copyDir copies the regular files of src into dst recursively.
func copyDir(t testing.TB, src, dst string) {
	t.Helper()
	if err := copyTree(src, dst); err != nil {
		t.Fatal(err)
	}
}

// copyTree copies the regular files of src into dst recursively.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return errors.New("unexpected non-regular file " + path)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
}
