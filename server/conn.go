package server

import (
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/keeldb/keel"
)

// client is one connection. Its goroutine owns every field except those
// marked atomic (read by CLIENT LIST/INFO from other goroutines).
type client struct {
	srv  *Server
	nc   net.Conn
	sess *keel.Session
	w    respWriter

	addr, laddr string
	unix        bool        // connected by the Unix socket (CLIENT LIST flag U)
	local       bool        // its peer is on this machine (localConn)
	noEvict     atomic.Bool // CLIENT NO-EVICT on (CLIENT LIST flag e)
	noTouch     atomic.Bool // CLIENT NO-TOUCH on (flag T; the session's NoTouch)
	created     time.Time
	name        atomic.Pointer[string]
	db          atomic.Int64
	lastCmd     atomic.Pointer[string]
	killed      atomic.Bool

	quit bool // QUIT seen: discard the rest of the pipeline
	// reply is CLIENT REPLY's state: whether the replies of the command
	// being run, and of the next ones, are sent (exec).
	reply replyMode
	// obufSoftSince is when the replies pending reached the soft output
	// buffer limit, zero while they are under it (obuflimit.go).
	obufSoftSince time.Time
	// pub is the state CLIENT LIST shows (clientpub.go); blockedArgv the
	// bytes of the arguments of the command the client waits in.
	pub         clientPub
	blockedArgv int64
	// fd is the socket's descriptor (CLIENT LIST), set before the client
	// is listed and never changed.
	fd int
	// writing: flush is writing replies (a client served by a goroutine).
	writing bool

	// ls is the client's state in its event loop; ls.lp is nil for a
	// client served by a goroutine of its own (serve), which sets only
	// ls.rd, its request reader.
	ls loopState

	// Network byte counters, per client so that connections on different
	// cores do not share a cache line; INFO sums them (Server.netBytes).
	netIn, netOut atomic.Int64

	// Pub/Sub (pubsub.go): the client's subscriptions, and the messages
	// other goroutines published for it. A client served by a goroutine
	// gets, with its first mail, a pusher (pusher, started once by
	// pushOnce) that writes them while the goroutine waits for requests:
	// mailWake wakes it, pusherDone is closed when it ends, and wmu guards
	// the socket's writes and busy, set while the goroutine runs a batch
	// (the pusher leaves the mail to it then).
	subs subs
	mbox mailbox
	// monitoring mirrors sess.Monitor for other goroutines (CLIENT LIST).
	monitoring atomic.Bool
	// proto mirrors sess.Proto for other goroutines (tracking.go).
	proto      atomic.Int32
	mailWake   chan struct{}
	pusherDone chan struct{}
	pushOnce   sync.Once
	wmu        sync.Mutex
	busy       bool
}

func (s *Server) newClient(nc net.Conn) *client {
	c := &client{srv: s, nc: nc, created: time.Now()}
	c.sess = s.db.NewSession()
	c.sess.Ext = c
	c.sess.Authenticated = s.db.RequirePass() == ""
	c.w.proto = 2
	c.proto.Store(2)
	c.w.errTab = &s.errors
	c.sess.ReplyErrors = &c.w.errs
	c.pub.multi.Store(-1) // until the client's first batch publishes
	c.pub.last.multi = -1
	c.addr = nc.RemoteAddr().String()
	c.laddr = nc.LocalAddr().String()
	c.local = localConn(nc)
	if _, ok := nc.(*net.UnixConn); ok {
		// As Redis names a Unix socket client: the socket's path, port 0.
		c.unix = true
		c.addr = s.cfg.Get("unixsocket") + ":0"
		c.laddr = c.addr
	}
	empty := ""
	c.name.Store(&empty)
	c.lastCmd.Store(&empty)
	c.sess.LastAt.Store(time.Now().UnixMilli())
	if sc, ok := nc.(syscall.Conn); ok {
		if rc, err := sc.SyscallConn(); err == nil {
			rc.Control(func(fd uintptr) { c.fd = int(fd) })
		}
	}
	if tc, ok := nc.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
		if ka := s.cfg.Int("tcp-keepalive"); ka > 0 {
			tc.SetKeepAliveConfig(keepAliveConfig(ka))
		}
	}
	return c
}

// keepAliveConfig is Redis's anetKeepAlive for tcp-keepalive seconds: the
// first probe after that long idle, then every third of it (at least a
// second), and the peer is dead after 3 unanswered probes, so a dead peer
// is found after about twice the setting.
func keepAliveConfig(seconds int64) net.KeepAliveConfig {
	return net.KeepAliveConfig{
		Enable:   true,
		Idle:     time.Duration(seconds) * time.Second,
		Interval: time.Duration(max(seconds/3, 1)) * time.Second,
		Count:    3,
	}
}

func (c *client) serve() {
	c.mailWake, c.pusherDone = make(chan struct{}, 1), make(chan struct{})
	defer func() {
		c.nc.Close()
		// The pusher stands aside (it writes only while the client is not
		// busy, deciding under wmu): the subscription state it reads
		// (obufFor's PubSub) is about to change.
		c.setBusy(true)
		// Out of the hub first: no publisher wakes the pusher after this.
		c.unsubscribeAll()
		c.endMonitor()
		c.pushOnce.Do(func() { close(c.pusherDone) }) // none was started
		c.mbox.mu.Lock()
		c.mbox.closed = true
		close(c.mailWake)
		c.mbox.mu.Unlock()
		<-c.pusherDone
		c.finish()
	}()
	rd := newRequestReader(countingReader{c.nc, &c.netIn},
		c.srv.cfg.protoMaxBulkLen,
		// Redis's !authRequired: a client that never authenticated stops
		// needing to once requirepass is cleared.
		func() bool { return c.sess.Authenticated || c.srv.db.RequirePass() == "" })
	rd.queryBufLimit = c.srv.cfg.queryBufLimit
	c.ls.rd = rd
	// A big request arriving shows in tot-mem before it is whole; only
	// what the reading goroutine owns is read (clientpub.go's qgrow).
	rd.grew = func() { c.pub.qgrow.Store(int64(cap(rd.buf))) }
	for {
		// Only the first request of a batch may wait for the network, so
		// the idle timeout is armed once per batch.
		// A subscriber or a monitor waits for messages, not requests:
		// Redis exempts them.
		if t := c.srv.cfg.timeout(); t > 0 && !c.sess.PubSub && !c.sess.Monitor {
			c.nc.SetReadDeadline(time.Now().Add(time.Duration(t) * time.Second))
		} else if t > 0 {
			c.nc.SetReadDeadline(time.Time{})
		}
		// A batch (rule 1): every request already buffered, in order, then
		// one durability wait and one write. A protocol error is answered
		// after the replies of the requests before it (processInputBuffer
		// executes them first), then the connection closes.
		args, err := rd.Next()
		c.setBusy(true)
		if c.mbox.pending.Load() {
			// Mail published before these requests arrived (messages,
			// MONITOR lines, tracking invalidations) goes before their
			// replies, as Redis would have written it already.
			c.takeMail()
		}
		for err == nil {
			c.exec(args)
			for c.sess.Postponed {
				// CLIENT PAUSE: the replies before it go out, the client
				// waits for the pause's end, and the command runs again.
				c.sess.Postponed = false
				args = keel.CloneArgs(args)
				if !c.flush() || !c.waitPause() || c.killed.Load() {
					return
				}
				c.exec(args)
			}
			if lim := c.srv.cfg.obufFor(c); lim.set() && c.overObufLimit(lim, int64(len(c.w.buf)), time.Now()) {
				c.logObufClose()
				return // the replies are dropped with the connection
			}
			if c.sess.Blocked() {
				c.blockedArgv = argvMem(args)
				if !c.waitBlocked(rd) {
					return
				}
			}
			// Large replies go out as they accumulate, not at the end of
			// the batch: a pipeline of big reads (XRANGE, HGETALL of
			// large values) must not hold every reply in memory at once.
			if len(c.w.buf) > replyFlushBytes && !c.flush() {
				return
			}
			if c.quit || !rd.Pending() {
				break
			}
			args, err = rd.Next()
		}
		var perr *protocolError
		if errors.As(err, &perr) {
			c.w.Error("ERR " + perr.Error())
		} else if errors.Is(err, errQueryBufLimit) {
			c.srv.log.Warn("closing client that reached max query buffer length", "addr", c.addr)
		}
		// Rule 1: replies wait for durability of what they depend on.
		// The mail that came during the batch goes after its replies.
		c.takeMail()
		if !c.flush() {
			return
		}
		if !c.setBusy(false) {
			return
		}
		if err != nil || c.quit || c.killed.Load() {
			return
		}
	}
}

// setBusy marks the start (true) or the end of a batch for the pusher.
// Ending one, it sends the mail that came since the batch's replies were
// written; false when that write failed.
func (c *client) setBusy(on bool) bool {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.busy = on
	if on {
		return true
	}
	if c.takeMail() {
		return c.flush() // after the records its notifications announce
	}
	return true
}

// pusher writes the mail of a client served by a goroutine while that
// goroutine waits for requests (busy false): it has no batch whose
// replies the messages could overtake. It ends when mailWake is closed.
func (c *client) pusher() {
	defer close(c.pusherDone)
	for range c.mailWake {
		c.wmu.Lock()
		if !c.busy && c.takeMail() {
			if lim := c.srv.cfg.obufFor(c); lim.set() && c.overObufLimit(lim, int64(len(c.w.buf)), time.Now()) {
				c.wmu.Unlock()
				c.closeForObuf()
				continue
			}
			// Not through writeReplies: publish reads the request reader,
			// which the goroutine may be filling now.
			if c.srv.db.WaitDurable(c.sess.WaitLSN) != nil {
				c.wmu.Unlock()
				c.kill(nil) // rule 2: nothing may claim durability
				continue
			}
			n, _ := c.nc.Write(c.w.buf)
			c.netOut.Add(int64(n))
			c.w.sent()
		}
		c.wmu.Unlock()
	}
}

// writeReplies writes the reply buffer, by the client's goroutine (in a
// batch, or ending one with wmu held); false on an error.
func (c *client) writeReplies() bool {
	c.writing = true // events rw while the write may block
	c.publish()
	n, err := c.nc.Write(c.w.buf)
	c.netOut.Add(int64(n))
	c.w.sent()
	c.writing = false
	c.publish()
	return err == nil
}

// finish forgets a closed client: its session, its entry in the client
// list (its byte counts go to the server's totals).
func (c *client) finish() {
	c.unsubscribeAll()
	c.endMonitor()
	c.srv.db.CloseSession(c.sess)
	c.srv.mu.Lock()
	delete(c.srv.clients, c.sess.ID)
	c.srv.closedIn += c.netIn.Load()
	c.srv.closedOut += c.netOut.Load()
	c.srv.mu.Unlock()
	if c.ls.lp != nil {
		c.srv.wg.Done()
	}
}

// waitBlocked waits for the blocking command just executed (BLPOP, ...)
// to be served or to time out. The replies of the commands before it are
// sent first (they may not wait for it). Meanwhile the socket is read in
// the background, as Redis keeps reading a blocked client: the bytes are
// buffered for the commands after it, and a disconnect unblocks the
// command at once, so a client that is gone never takes an element. It
// returns false when the connection must close.
func (c *client) waitBlocked(rd *requestReader) bool {
	if !c.flush() {
		c.srv.db.WaitBlocked(c.sess, &c.w, closedChan)
		return false
	}
	gone := make(chan struct{})
	stopped := make(chan struct{})
	var stopping atomic.Bool
	c.nc.SetReadDeadline(time.Time{})
	go func() {
		defer close(stopped)
		for {
			err := rd.fill()
			if err == nil {
				continue
			}
			if stopping.Load() && isTimeout(err) {
				return // interrupted by the deadline below; not an error
			}
			if rd.rerr == nil {
				rd.rerr = err
			}
			close(gone)
			return
		}
	}()
	c.srv.db.WaitBlocked(c.sess, &c.w, gone)
	stopping.Store(true)
	c.nc.SetReadDeadline(time.Now())
	<-stopped
	c.nc.SetReadDeadline(time.Time{})
	if isTimeout(rd.rerr) {
		rd.rerr = nil // the interrupting deadline, caught with data
	}
	select {
	case <-gone:
		return false
	default:
		return !c.killed.Load()
	}
}

// closedChan is a closed channel: "the client is gone" for WaitBlocked.
var closedChan = func() chan struct{} { ch := make(chan struct{}); close(ch); return ch }()

// replyFlushBytes is how much reply a batch may hold before it is
// written (after the records it depends on are durable, as at the end of
// a batch).
const replyFlushBytes = 64 << 10

// maxIdleReplyBuf is the largest reply buffer a client keeps once its
// replies are sent: room for replyFlushBytes and the reply that crossed
// it. A pipeline of 10 KB replies (LRANGE of 100 values) rebuilt a
// buffer of hundreds of KB by doubling on every round when only 64 KiB
// were kept.
const maxIdleReplyBuf = 2 * replyFlushBytes

// flush waits until the replies buffered so far may be sent (rule 1) and
// sends them; false when the connection failed.
func (c *client) flush() bool {
	if err := c.srv.db.WaitDurable(c.sess.WaitLSN); err != nil {
		return false
	}
	if len(c.w.buf) == 0 {
		c.publish()
		return true
	}
	return c.writeReplies()
}

// sent empties the reply buffer once its replies are written, keeping
// its memory up to maxIdleReplyBuf.
func (w *respWriter) sent() {
	if cap(w.buf) > maxIdleReplyBuf {
		w.buf = nil
	} else {
		w.buf = w.buf[:0]
	}
}

// countingReader counts the bytes a connection reads (INFO's
// total_net_input_bytes).
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (cr countingReader) Read(p []byte) (int, error) {
	n, err := cr.r.Read(p)
	cr.n.Add(int64(n))
	return n, err
}

// replyMode is CLIENT REPLY's state.
type replyMode uint8

const (
	replyOn       replyMode = iota
	replyOff                // OFF: no replies until ON
	replySkipNext           // SKIP was run: the next command's replies go
	replySkip               // the command being run is the one skipped
)

func (c *client) exec(args [][]byte) {
	if len(args) == 0 {
		return
	}
	if c.reply == replyOn {
		c.srv.db.Exec(c.sess, args, &c.w)
	} else {
		c.execQuiet(args)
	}
	// After the reply: a CLIENT CACHING used up (not by a command a pause
	// holds: it runs later), the invalidations the command caused (keel's
	// tracking.go; each an atomic load when none).
	if c.sess.TrackingFlags()&keel.TrackingCaching != 0 && !c.sess.Postponed {
		c.srv.db.TrackingCommandDone(c.sess, args[0])
	}
	c.srv.db.TrackingDrain(c.sess)
	c.db.Store(int64(c.sess.DB))
	if cmd := c.sess.LastCommand; cmd != nil && c.lastCmd.Load() != &cmd.Name {
		// The command table's name, not a copy: clients that alternate
		// commands (BLPOP and LPUSH, XREADGROUP and XACK) allocated one
		// per command.
		c.lastCmd.Store(&cmd.Name)
	}
}

// execQuiet runs a command under CLIENT REPLY OFF or SKIP: what it
// replies is dropped (Redis's prepareClientToWrite refuses it), and the
// skip moves on as Redis's resetClient moves it, after any command, run or
// refused. Messages other clients publish to it still go out (pubsub.go
// writes them between commands); what differs from Redis: a message the
// quiet command itself publishes to the client is dropped with its
// replies, and a blocking command's reply, written when it is served or
// times out, is sent.
func (c *client) execQuiet(args [][]byte) {
	if c.reply == replySkipNext {
		c.reply = replySkip
	}
	mark := len(c.w.buf)
	c.srv.db.Exec(c.sess, args, &c.w)
	switch c.reply {
	case replyOff, replySkip:
		c.w.buf = c.w.buf[:mark]
		if c.reply == replySkip {
			c.reply = replyOn
		}
	}
}
