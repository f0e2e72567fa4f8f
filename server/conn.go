package server

import (
	"errors"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"github.com/keeldb/keel"
	"github.com/tidwall/redcon"
)

// client is one connection. Its goroutine owns every field except those
// marked atomic (read by CLIENT LIST/INFO from other goroutines).
type client struct {
	srv   *Server
	nc    net.Conn
	sess  *keel.Session
	w     respWriter
	guard *guard

	addr, laddr string
	created     time.Time
	lastCmdAt   atomic.Int64 // unix ms
	name        atomic.Pointer[string]
	db          atomic.Int64
	lastCmd     atomic.Pointer[string]
	killed      atomic.Bool

	quit bool // QUIT seen: discard the rest of the pipeline
}

func (s *Server) newClient(nc net.Conn) *client {
	c := &client{srv: s, nc: nc, created: time.Now()}
	c.sess = s.db.NewSession()
	c.sess.Ext = c
	c.sess.Authenticated = s.db.RequirePass() == ""
	c.w.proto = 2
	c.addr = nc.RemoteAddr().String()
	c.laddr = nc.LocalAddr().String()
	empty := ""
	c.name.Store(&empty)
	c.lastCmd.Store(&empty)
	c.lastCmdAt.Store(time.Now().UnixMilli())
	if tc, ok := nc.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
		if ka := s.cfg.Int("tcp-keepalive"); ka > 0 {
			tc.SetKeepAlive(true)
			tc.SetKeepAlivePeriod(time.Duration(ka) * time.Second)
		}
	}
	s.mu.Lock()
	s.clients[c.sess.ID] = c
	s.mu.Unlock()
	return c
}

func (c *client) serve() {
	defer func() {
		c.nc.Close()
		c.srv.db.CloseSession(c.sess)
		c.srv.mu.Lock()
		delete(c.srv.clients, c.sess.ID)
		c.srv.mu.Unlock()
	}()
	c.guard = &guard{r: c.nc, maxBulk: c.srv.cfg.Int("proto-max-bulk-len")}
	rd := redcon.NewReader(c.guard)
	for {
		if t := c.srv.cfg.Int("timeout"); t > 0 {
			c.nc.SetReadDeadline(time.Now().Add(time.Duration(t) * time.Second))
		}
		c.guard.maxBulk = c.srv.cfg.Int("proto-max-bulk-len")
		cmds, err := rd.ReadCommands()
		if err != nil {
			c.protocolError(err)
			return
		}
		for _, cmd := range cmds {
			c.exec(cmd.Args)
			if c.quit {
				break
			}
		}
		// Rule 1: replies wait for durability of what they depend on.
		if err := c.srv.db.WaitDurable(c.sess.WaitLSN); err != nil {
			return
		}
		if len(c.w.buf) > 0 {
			n, err := c.nc.Write(c.w.buf)
			c.srv.netOut.Add(int64(n))
			if err != nil {
				return
			}
			if cap(c.w.buf) > 64<<10 {
				c.w.buf = nil
			} else {
				c.w.buf = c.w.buf[:0]
			}
		}
		if c.quit || c.killed.Load() {
			return
		}
	}
}

// protocolError answers a malformed request like Redis and closes.
func (c *client) protocolError(err error) {
	var msg string
	var ge *guardError
	switch {
	case errors.As(err, &ge):
		msg = "ERR Protocol error: " + ge.msg
	case err == io.EOF || errors.Is(err, net.ErrClosed):
		return
	default:
		if _, ok := err.(net.Error); ok {
			return
		}
		s := err.Error()
		if !strings.HasPrefix(s, "Protocol error") {
			return
		}
		msg = "ERR " + s
	}
	c.w.Error(msg)
	c.nc.Write(c.w.buf)
}

func (c *client) exec(args [][]byte) {
	if len(args) == 0 {
		return
	}
	c.lastCmdAt.Store(time.Now().UnixMilli())
	c.srv.db.Exec(c.sess, args, &c.w)
	c.db.Store(int64(c.sess.DB))
	if c.sess.LastCmd != "" {
		s := c.sess.LastCmd
		c.lastCmd.Store(&s)
	}
}

// guardError is a protocol violation found by guard.
type guardError struct{ msg string }

func (e *guardError) Error() string { return "Protocol error: " + e.msg }

// Redis's protocol limits (server.h); part of the protocol contract.
const (
	maxMultibulk  = 1024 * 1024 // elements in one request
	maxInlineSize = 64 * 1024   // PROTO_INLINE_MAX_SIZE
)

// guard sits between the socket and redcon's reader and follows the RESP
// framing of the byte stream, so that a request announcing a bulk larger
// than proto-max-bulk-len, too many elements, or an endless inline line is
// refused before redcon buffers it (redcon has no such limits).
type guard struct {
	r       io.Reader
	maxBulk int64

	state   int // what the next byte belongs to (gs* below)
	line    []byte
	pending int64 // multibulk elements left in the current request
	skip    int64 // payload bytes (plus CRLF) left to pass through
	inline  int64 // length of the current inline line
}

const (
	gsStart     = iota // start of a request
	gsCountLine        // reading "*<n>\r\n"
	gsBulkStart        // expecting '$'
	gsBulkLine         // reading "$<n>\r\n"
	gsPayload          // passing bulk payload
	gsInline           // inside an inline request line
)

func (g *guard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if n > 0 {
		if gerr := g.scan(p[:n]); gerr != nil {
			return 0, gerr
		}
	}
	return n, err
}

func (g *guard) scan(b []byte) error {
	for i := 0; i < len(b); i++ {
		switch g.state {
		case gsStart:
			if b[i] == '*' {
				g.state, g.line = gsCountLine, g.line[:0]
			} else {
				g.state, g.inline = gsInline, 1
				if b[i] == '\n' {
					g.state = gsStart
				}
			}
		case gsInline:
			g.inline++
			if b[i] == '\n' {
				g.state = gsStart
			} else if g.inline > maxInlineSize {
				return &guardError{"too big inline request"}
			}
		case gsCountLine, gsBulkLine:
			if b[i] != '\n' {
				if len(g.line) > 32 {
					if g.state == gsCountLine {
						return &guardError{"invalid multibulk length"}
					}
					return &guardError{"invalid bulk length"}
				}
				g.line = append(g.line, b[i])
				continue
			}
			s := strings.TrimSuffix(string(g.line), "\r")
			n, ok := atoi(s)
			if g.state == gsCountLine {
				if !ok || n > maxMultibulk {
					return &guardError{"invalid multibulk length"}
				}
				g.pending = n
				if n <= 0 {
					g.state = gsStart
				} else {
					g.state = gsBulkStart
				}
				continue
			}
			if !ok || n < 0 || n > g.maxBulk {
				return &guardError{"invalid bulk length"}
			}
			g.skip, g.state = n+2, gsPayload
		case gsBulkStart:
			if b[i] != '$' {
				return &guardError{"expected '$', got '" + string(b[i]) + "'"}
			}
			g.state, g.line = gsBulkLine, g.line[:0]
		case gsPayload:
			k := min(int64(len(b)-i), g.skip)
			g.skip -= k
			i += int(k) - 1
			if g.skip == 0 {
				g.pending--
				if g.pending == 0 {
					g.state = gsStart
				} else {
					g.state = gsBulkStart
				}
			}
		}
	}
	return nil
}

func atoi(s string) (int64, bool) {
	if s == "" || len(s) > 19 {
		return 0, false
	}
	neg := s[0] == '-'
	if neg {
		s = s[1:]
		if s == "" {
			return 0, false
		}
	}
	var n int64
	for _, ch := range []byte(s) {
		if ch < '0' || ch > '9' {
			return 0, false
		}
		n = n*10 + int64(ch-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}
