package server

import (
	"container/heap"
	"errors"
	"io"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/keeldb/keel"
	"golang.org/x/sys/unix"
)

// Event loops: the connection model of Redis, for the clients the loops
// serve (event-loops > 0, Linux).
//
// Why: with a goroutine per connection, every request of a client that
// waits for its reply (pipeline 1) costs a read that finds nothing, a
// park, a netpoller wake-up and a hand-off between threads. Measured on
// GET with 50 clients, that is ~14 µs of CPU per request against Redis's
// ~10, most of it the Go scheduler's (docs/bench.md). A loop instead waits
// for every connection it owns with one epoll_wait, reads what is ready,
// executes the requests inline, waits once for the durability of the
// whole round's writes (group commit across clients, as Redis's
// beforeSleep fsync) and writes the replies: one read and one write per
// request, no scheduler in between.
//
// A loop owns its clients: their reader, reply buffer and socket are
// touched only by the loop's goroutine. How the rest reaches it:
//
//   - A blocking command (BLPOP, XREAD BLOCK, ...) leaves its client
//     waiting in the loop: the command that serves it posts to the loop
//     (DB.NotifyBlocked), the loop keeps its deadline in a heap, and ends
//     the wait with DB.FinishBlocked. Meanwhile the loop keeps reading the
//     socket (into the reader, unparsed), as Redis does, so a disconnect
//     ends the wait at once and the command never takes an element.
//   - Other goroutines (CLIENT KILL, Server.Close, accepting, serving a
//     blocked client) post to the loop's inbox and wake it through an
//     eventfd.
//
// Ordering rules 1-3 of the package hold as in the goroutine model: a
// client's requests run in order, its replies go out after the records
// they depend on are durable, and QUIT discards the rest of its pipeline.
type eventLoop struct {
	srv     *Server
	epfd    int
	wakefd  int
	clients map[int32]*client // by socket fd

	mu    sync.Mutex
	inbox []loopMsg
	// inRound: the loop is between epoll_wait calls and drains the inbox
	// before the next one, so a post need not wake it (guarded by mu). A
	// BLPOP served by an LPUSH on the same loop then replies in the
	// LPUSH's round, as in Redis, instead of one eventfd write, one
	// epoll_wait and one read later.
	inRound bool
	wakes   atomic.Int64 // eventfd writes by post (tests)
	// roundAhead counts the requests prefetchRound prefetched (tests).
	roundAhead atomic.Int64

	// gate decides whether a round prefetches (prefetchGate); noPrefetch
	// is its answer for the current round, cmds counts the commands run.
	gate       prefetchGate
	noPrefetch bool
	cmds       int
	// prefetchRounds counts the rounds of two commands or more by whether
	// they prefetched (0: no, 1: yes), and prefetchSwitches is the gate's
	// count of changes of choice: INFO stats.
	prefetchRounds   [2]atomic.Int64
	prefetchSwitches atomic.Int64

	dirty  []*client // clients with replies to send at the end of the round
	held   []*client // clients a CLIENT PAUSE holds, in the order held (pause.go)
	spare  []*client // flushDirty's other list
	timers timerHeap // blocked clients with a deadline
	events []unix.EpollEvent
	// lastSweep is when idle clients were last looked for (timeout).
	lastSweep time.Time
	ahead     []keel.Ahead // prefetch's scratch
	ready     []*client    // the round's clients with requests to run
	// now is the round's time (see clock), read when nowOK is false;
	// clockCmds counts the commands that used it.
	now       time.Time
	nowOK     bool
	clockCmds int
	// helper serves the loop's other clients while its goroutine runs a
	// busy script (busyloop_linux.go); nil otherwise. later are the
	// clients whose command it postponed, for runLater.
	helper atomic.Pointer[loopHelper]
	later  []*client
}

type loopMsgKind int

const (
	msgAdd     loopMsgKind = iota // a new client
	msgServed                     // a blocked client's command was served
	msgKill                       // CLIENT KILL, or the server closing
	msgWake                       // nothing: look at the server's state
	msgMail                       // Pub/Sub messages wait in the client's mailbox
	msgUnpause                    // the CLIENT PAUSE ended: run the held clients
)

type loopMsg struct {
	kind loopMsgKind
	c    *client
	gen  uint64 // msgServed: the wait it ends (loopState.blockGen)
}

// loopState is a client's state in its loop.
type loopState struct {
	lp       *eventLoop
	fd       int
	rd       *requestReader // the client's (serve sets it for a goroutine's client too)
	wOff     int            // bytes of w.buf already written
	outWait  bool           // the socket is full: waiting for EPOLLOUT, requests not processed
	blockGen uint64         // counts the client's waits (sess.Blocked() while one runs): a late msgServed is ignored
	deadline time.Time      // while blocked: when the command times out (zero: never)
	timerIdx int            // position in the loop's timers; -1 when not there
	eof      bool           // the socket reported EOF or an error: close after the replies
	closed   bool
	// processing: process is running c's requests; a close that the
	// replies call for waits for the end of the pipeline.
	processing bool
	lastIO     time.Time // for timeout
	inDirty    bool
	// waitPause: a CLIENT PAUSE holds the client (pause.go); postponed is
	// the command it held, run first when the pause ends.
	waitPause bool
	postponed [][]byte
	// waitScript: the loop's helper postponed the command (in postponed)
	// for the loop's goroutine (busyloop_linux.go).
	waitScript bool
}

// errWouldBlock is a non-blocking read that found nothing.
var errWouldBlock = errors.New("would block")

// fdReader reads a non-blocking socket.
type fdReader struct{ fd int }

func (r fdReader) Read(p []byte) (int, error) {
	for {
		n, err := sockRead(r.fd, p)
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			return 0, errWouldBlock
		case err != nil:
			return 0, err
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

func newEventLoop(s *Server) (*eventLoop, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	wfd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		unix.Close(epfd)
		return nil, err
	}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wfd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(wfd)}); err != nil {
		unix.Close(epfd)
		unix.Close(wfd)
		return nil, err
	}
	return &eventLoop{srv: s, epfd: epfd, wakefd: wfd, clients: map[int32]*client{},
		events: make([]unix.EpollEvent, 256)}, nil
}

// release closes the loop's descriptors: when run ends, or for a loop
// that never ran.
func (l *eventLoop) release() {
	unix.Close(l.epfd)
	unix.Close(l.wakefd)
}

// post hands m to the loop and wakes it. Safe for any goroutine.
func (l *eventLoop) post(m loopMsg) {
	l.mu.Lock()
	l.inbox = append(l.inbox, m)
	wake := !l.inRound
	l.mu.Unlock()
	if wake {
		l.wakes.Add(1)
		var one = [8]byte{1}
		unix.Write(l.wakefd, one[:]) // EAGAIN only when the counter is huge: already awake
	}
}

// setInRound marks the loop awake (posts need not wake it) or about to
// sleep; going to sleep, it reports whether the inbox is empty, and stays
// awake if it is not.
func (l *eventLoop) setInRound(on bool) (empty bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !on && len(l.inbox) > 0 {
		return false
	}
	l.inRound = on
	return true
}

// detach takes nc's socket out of Go's netpoller: the loop owns a
// duplicate of it, non-blocking like the original.
func detach(nc net.Conn) (int, error) {
	sc, ok := nc.(interface {
		SyscallConn() (syscall.RawConn, error)
	})
	if !ok {
		return -1, errors.New("not a socket")
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return -1, err
	}
	fd := -1
	var derr error
	if err := rc.Control(func(f uintptr) { fd, derr = unix.FcntlInt(f, unix.F_DUPFD_CLOEXEC, 0) }); err != nil {
		return -1, err
	}
	if derr != nil {
		return -1, derr
	}
	nc.Close() // deregisters the original from the netpoller; the duplicate stays open
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

// add registers a new client (from the accepting goroutine).
func (l *eventLoop) add(c *client) { l.post(loopMsg{kind: msgAdd, c: c}) }

// run is the loop's goroutine: it returns when the server is closed and
// every client it owned is closed.
func (l *eventLoop) run() {
	// The loop's thread sleeps in epoll_wait; locking it keeps the
	// connections' memory warm in one core's cache and out of the
	// scheduler's run queues.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer l.release()
	closing := false
	for {
		if !closing {
			select {
			case <-l.srv.closed:
				closing = true
				for _, c := range l.clients {
					l.kill(c)
				}
			default:
			}
		}
		if closing && len(l.clients) == 0 && !l.pendingAdds() {
			return
		}
		n, err := unix.EpollWait(l.epfd, l.events, l.waitMillis())
		if err != nil && err != unix.EINTR {
			l.srv.log.Error("event loop: epoll_wait", "err", err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		l.setInRound(true)
		l.nowOK = false
		for i := 0; i < n; i++ {
			ev := l.events[i]
			if int(ev.Fd) == l.wakefd {
				var b [8]byte
				unix.Read(l.wakefd, b[:])
				l.drainInbox(closing)
				continue
			}
			c := l.clients[ev.Fd]
			if c == nil || c.ls.closed {
				continue
			}
			if ev.Events&unix.EPOLLOUT != 0 {
				l.writeOut(c)
			}
			if ev.Events&(unix.EPOLLIN|unix.EPOLLHUP|unix.EPOLLERR|unix.EPOLLRDHUP) != 0 && !c.ls.closed && l.readable(c) {
				l.ready = append(l.ready, c)
			}
		}
		l.runReady()
		clear(l.ready)
		l.ready = l.ready[:0]
		l.expireBlocked()
		// What this round's commands posted (blocked clients they served),
		// before the replies go out.
		for !l.setInRound(false) {
			l.drainInbox(closing)
		}
		// The sweep before the replies' durability wait, which may fsync:
		// it shares the round's clock read.
		l.sweepIdle()
		l.flushDirty()
	}
}

// waitMillis is how long epoll_wait may sleep: until the next blocked
// command's deadline, and at most a second (timeout, Close).
func (l *eventLoop) waitMillis() int {
	if len(l.timers) == 0 {
		return 1000
	}
	d := time.Until(l.timers[0].ls.deadline)
	if d <= 0 {
		return 0
	}
	return int(min(time.Second, d+time.Millisecond-1) / time.Millisecond)
}

// expireBlocked ends the waits whose deadline passed: their command
// replies its timeout reply.
func (l *eventLoop) expireBlocked() {
	if len(l.timers) == 0 {
		return
	}
	now := l.clock()
	for len(l.timers) > 0 && !l.timers[0].ls.deadline.After(now) {
		l.endBlock(l.timers[0], false)
	}
}

func (l *eventLoop) pendingAdds() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.inbox) > 0
}

func (l *eventLoop) drainInbox(closing bool) {
	l.mu.Lock()
	msgs := l.inbox
	l.inbox = nil
	l.mu.Unlock()
	for _, m := range msgs {
		c := m.c
		switch m.kind {
		case msgAdd:
			if closing {
				l.register(c)
				l.kill(c)
				continue
			}
			l.register(c)
		case msgServed:
			if c.sess.Blocked() && c.ls.blockGen == m.gen && !c.ls.closed {
				l.endBlock(c, false)
			}
		case msgKill:
			if !c.ls.closed {
				l.kill(c)
			}
		case msgMail:
			if !c.ls.closed && c.takeMail() {
				l.markDirty(c)
				c.checkPubSubLimit()
			}
		case msgUnpause:
			l.resumeHeld()
		}
	}
}

// register adds c's socket to the loop.
func (l *eventLoop) register(c *client) {
	c.ls.lastIO = time.Now()
	c.ls.timerIdx = -1
	l.clients[int32(c.ls.fd)] = c
	if err := unix.EpollCtl(l.epfd, unix.EPOLL_CTL_ADD, c.ls.fd, &unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP, Fd: int32(c.ls.fd)}); err != nil {
		l.srv.log.Warn("event loop: epoll_ctl add", "err", err)
		l.close(c)
	}
}

// interest sets the events the loop waits for on c's socket.
func (l *eventLoop) interest(c *client, events uint32) {
	if err := unix.EpollCtl(l.epfd, unix.EPOLL_CTL_MOD, c.ls.fd, &unix.EpollEvent{Events: events, Fd: int32(c.ls.fd)}); err != nil {
		l.close(c)
	}
}

// readable reads what c sent; true when its requests are to run
// (process).
func (l *eventLoop) readable(c *client) bool {
	err := c.ls.rd.fill()
	if err == errWouldBlock {
		return false
	}
	c.ls.lastIO = l.clock()
	if err != nil {
		// Redis closes such a client without a reply; the requests
		// before it are answered first (as in serve).
		if errors.Is(err, errQueryBufLimit) {
			l.srv.log.Warn("closing client that reached max query buffer length", "addr", c.addr)
		}
		c.ls.eof = true
		if c.sess.Blocked() {
			// Redis's blocked client that disconnects: the command never
			// takes an element.
			l.close(c)
			return false
		}
	}
	// A blocked client's requests stay buffered for the commands after
	// the blocking one.
	return !c.sess.Blocked()
}

// runReady runs the round's ready clients' requests, prefetching them or
// not as the gate says, and times the round for the gate when it asks.
func (l *eventLoop) runReady() {
	if len(l.ready) == 0 {
		return
	}
	prefetch, timed := l.gate.arm()
	var t0 time.Time
	if timed {
		t0 = time.Now()
	}
	l.noPrefetch, l.cmds = !prefetch, 0
	// Every ready client's socket is read before any request runs, so
	// that the round's requests are prefetched together.
	if prefetch {
		l.prefetchRound()
	}
	for _, c := range l.ready {
		if !c.ls.closed {
			l.process(c)
		}
	}
	var ns int64
	if timed {
		ns = int64(time.Since(t0))
	}
	if l.gate.done(prefetch, ns, l.cmds) {
		l.prefetchRounds[b2i(prefetch)].Add(1)
	}
	l.prefetchSwitches.Store(l.gate.switches)
}

// prefetchStats returns the loop's rounds of two commands or more without
// and with a prefetch, and its gate's changes of choice (INFO).
func (l *eventLoop) prefetchStats() (off, on, switches int64) {
	return l.prefetchRounds[0].Load(), l.prefetchRounds[1].Load(), l.prefetchSwitches.Load()
}

// process runs c's buffered requests until none is complete, the client
// blocks, quits, or its socket is full.
func (l *eventLoop) process(c *client) {
	if c.ls.waitPause || c.ls.waitScript {
		return // its requests wait for the pause's end (resumeHeld), or the script's (runLater)
	}
	rd := c.ls.rd
	c.ls.processing = true
	defer func() {
		c.ls.processing = false
		c.sess.SetClock(0)
	}()
	if c.mbox.pending.Load() {
		c.takeMail() // before the replies of requests that came after it (see serve)
	}
	if rd.Pending() && !l.noPrefetch {
		l.prefetch(c)
	}
	for n := 0; !c.ls.outWait && !c.ls.closed && !c.sess.Blocked() && !c.quit && (c.ls.postponed != nil || rd.Pending()); n++ {
		args, err := c.ls.postponed, error(nil)
		if args != nil {
			c.ls.postponed = nil
		} else {
			args, err = rd.Next()
		}
		if err != nil {
			var perr *protocolError
			if errors.As(err, &perr) {
				c.w.Error("ERR " + perr.Error())
			}
			c.ls.eof = true
			break
		}
		if l.clockCmds >= clockEvery {
			l.nowOK = false
		}
		c.sess.SetClock(l.clock().UnixMilli())
		l.clockCmds++
		l.cmds++
		c.exec(args)
		if h := l.helper.Load(); h != nil && h.stuck == c {
			// It ran a script that turned busy: take the loop back.
			l.takeBack(h)
		}
		if l.later != nil && l.helper.Load() == nil {
			// (Not on a helper: the postponed run where they wait.)
			l.runLater()
		}
		if c.sess.Clock() == 0 {
			l.nowOK = false // it was not a fast command: the next one reads the clock
		}
		if c.sess.Blocked() {
			c.blockedArgv = argvMem(args)
			l.block(c)
			return
		}
		if c.sess.Postponed {
			c.sess.Postponed = false
			c.ls.postponed = keel.CloneArgs(args)
			if c.sess.BusyOnly {
				c.ls.waitScript = true
			} else {
				c.ls.waitPause = true
				l.held = append(l.held, c)
				l.srv.holding(1)
			}
			break // its replies so far go out with the round (markDirty)
		}
		if lim := l.srv.cfg.obufFor(c); lim.set() && c.overObufLimit(lim, int64(len(c.w.buf)-c.ls.wOff), l.clock()) {
			c.logObufClose()
			c.w.buf, c.ls.wOff = c.w.buf[:0], 0
			l.close(c)
			return
		}
		if c.killed.Load() {
			break
		}
		// Large replies go out as they accumulate (see serve).
		if len(c.w.buf)-c.ls.wOff > replyFlushBytes {
			if !l.sendNow(c) {
				return
			}
		}
	}
	if rd.err != nil && !errors.Is(rd.err, errWouldBlock) {
		c.ls.eof = true
	}
	l.markDirty(c)
}

// prefetch warms what the client's buffered requests will read first (their
// keyspace entries, and the engine entries of their point reads), when
// there are several (a pipeline): see keel.DB.Prefetch.
func (l *eventLoop) prefetch(c *client) {
	l.ahead = c.ls.rd.ahead(l.ahead[:0], keel.PrefetchMax)
	if len(l.ahead) > 1 {
		l.srv.db.Prefetch(c.sess, l.ahead)
	}
	clear(l.ahead) // they alias the client's buffer
}

// clock returns the round's time: read by the first use after epoll_wait
// returns, and again after clockEvery commands or a command that may have
// run long. A command's time (keel.Session.SetClock: expiry, its WAL
// record's timestamp) is then at most clockEvery fast commands old, as
// within one pipeline before; the clients of a round share it. At
// pipeline 1 a round serves a few clients, and the clock was read twice
// per request (the idle timer and the command's time), 2% of SET's CPU
// (perf, 50 clients); a clock read is ~100 ns on a VM.
func (l *eventLoop) clock() time.Time {
	if !l.nowOK {
		l.now, l.nowOK, l.clockCmds = time.Now(), true, 0
	}
	return l.now
}

// prefetchRound prefetches, together, the first request of each client
// of the round that has only one buffered (a client with several
// prefetches its own pipeline: process): at pipeline 1 a round serves a
// few clients, one request each, and their lookups are each a chain of
// cache misses that would otherwise run one after the other (see
// keel.DB.Prefetch). Clients of the first such client's database only.
func (l *eventLoop) prefetchRound() {
	if len(l.ready) < 2 {
		return
	}
	var s *keel.Session
	l.ahead = l.ahead[:0]
	for _, c := range l.ready {
		if len(l.ahead) == keel.PrefetchMax {
			break
		}
		if s != nil && c.sess.DB != s.DB {
			continue
		}
		n := len(l.ahead)
		if l.ahead = c.ls.rd.ahead(l.ahead, 2); len(l.ahead)-n != 1 {
			l.ahead = l.ahead[:n] // none, or a pipeline
			continue
		}
		if s == nil {
			s = c.sess
		}
	}
	if len(l.ahead) > 1 {
		l.srv.db.Prefetch(s, l.ahead)
		l.roundAhead.Add(int64(len(l.ahead)))
	}
	clear(l.ahead) // they alias the clients' buffers
	l.ahead = l.ahead[:0]
}

// clockEvery is how many fast commands of a round share a clock read:
// 16 commands run in ~20-40 µs.
const clockEvery = 16

func (l *eventLoop) markDirty(c *client) {
	if !c.ls.inDirty {
		c.ls.inDirty = true
		l.dirty = append(l.dirty, c)
	}
}

// flushDirty ends a round: one wait for the durability of every reply's
// records (one fsync for all the round's writes under always), then the
// writes.
//
// A write that drains a full socket runs the client's waiting requests,
// which mark it dirty again: those replies are flushed by the next pass
// here, not left for a round that may be a second away.
func (l *eventLoop) flushDirty() {
	for len(l.dirty) > 0 {
		batch := l.dirty
		l.dirty = l.spare[:0]
		var lsn uint64
		for _, c := range batch {
			lsn = max(lsn, c.sess.WaitLSN)
		}
		err := l.srv.db.WaitDurable(lsn)
		l.nowOK = false // an fsync may have taken milliseconds
		l.writeBatch(batch, err, l.writeOut)
		clear(batch)
		l.spare = batch[:0]
	}
}

// writeBatch writes the replies of batch's clients with write, once
// they waited for durability: err, that wait's failure, closes them
// instead (rule 2: no reply may claim durability).
func (l *eventLoop) writeBatch(batch []*client, err error, write func(*client)) {
	for _, c := range batch {
		c.ls.inDirty = false
		if c.ls.closed {
			continue
		}
		if err != nil {
			l.close(c)
			continue
		}
		write(c)
	}
}

// sendNow sends c's replies in the middle of a pipeline (a large reply);
// false when the socket is full (processing resumes when it drains) or
// the client was closed.
func (l *eventLoop) sendNow(c *client) bool {
	err := l.srv.db.WaitDurable(c.sess.WaitLSN)
	l.nowOK = false
	if err != nil {
		l.close(c)
		return false
	}
	l.writeOut(c)
	return !c.ls.closed && !c.ls.outWait
}

// writeOut writes c's pending replies; when the socket is full it waits
// for EPOLLOUT and stops reading c. Once everything is written a client
// that quit, was killed or hung up is closed, and one that was waiting
// goes back to its requests.
func (l *eventLoop) writeOut(c *client) {
	switch err := c.writePending(); {
	case err == unix.EAGAIN:
		if !c.ls.outWait {
			c.ls.outWait = true
			l.interest(c, unix.EPOLLOUT)
		}
		c.publish()
		return
	case err != nil:
		l.close(c)
		return
	}
	if c.quit || c.killed.Load() || c.ls.eof {
		if !c.ls.processing { // else at the end of the round (markDirty)
			l.close(c)
		}
		return
	}
	if c.ls.outWait {
		c.ls.outWait = false
		l.interest(c, unix.EPOLLIN|unix.EPOLLRDHUP)
		l.process(c) // the requests read before the socket filled up
	}
	c.publish()
}

// block leaves c, whose last command blocked, waiting in the loop (see
// eventLoop). The replies before the blocking command go out with the
// round.
func (l *eventLoop) block(c *client) {
	c.ls.blockGen++
	if d := c.sess.BlockedDeadline(); !d.IsZero() {
		c.ls.deadline = d
		heap.Push(&l.timers, c)
	}
	l.markDirty(c)
	gen := c.ls.blockGen
	l.srv.db.NotifyBlocked(c.sess, func() { l.post(loopMsg{kind: msgServed, c: c, gen: gen}) })
}

// endBlock ends c's wait: its command replies (served, or timed out) unless
// the client is gone, and the requests that arrived meanwhile run.
func (l *eventLoop) endBlock(c *client, gone bool) {
	if c.ls.timerIdx >= 0 {
		heap.Remove(&l.timers, c.ls.timerIdx)
	}
	l.srv.db.FinishBlocked(c.sess, &c.w, gone)
	if gone {
		return
	}
	l.markDirty(c)
	l.process(c)
}

// writePending writes c's pending replies to its socket until they are
// all written (nil: the buffer is reset), the socket is full (EAGAIN) or
// the write fails.
func (c *client) writePending() error {
	for c.ls.wOff < len(c.w.buf) {
		n, err := sockWrite(c.ls.fd, c.w.buf[c.ls.wOff:])
		if n > 0 {
			c.ls.wOff += n
			c.netOut.Add(int64(n))
		}
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
	}
	c.w.sent()
	c.ls.wOff = 0
	return nil
}

// kill closes c (a blocked command gives up).
func (l *eventLoop) kill(c *client) {
	c.killed.Store(true)
	l.close(c)
}

// close closes c's socket and forgets it; a blocked command gives up.
func (l *eventLoop) close(c *client) {
	if c.ls.closed {
		return
	}
	if c.ls.waitPause {
		c.ls.waitPause = false
		l.srv.holding(-1)
	}
	if c.sess.Blocked() {
		l.endBlock(c, true)
	}
	c.ls.closed = true
	unix.EpollCtl(l.epfd, unix.EPOLL_CTL_DEL, c.ls.fd, nil)
	delete(l.clients, int32(c.ls.fd))
	unix.Close(c.ls.fd)
	c.finish()
}

// sweepIdle looks at the loop's clients at most once a second: it closes
// those idle for longer than timeout (Redis's clientsCronHandleTimeout;
// blocked clients are exempt, their command has its own timeout), and
// releases the reply buffer of a client idle for idleReplyRelease (one
// that once pipelined big replies keeps up to maxIdleReplyBuf while
// active, but 10,000 idle ones must not hold 1.3 GB).
func (l *eventLoop) sweepIdle() {
	now := l.clock()
	if now.Sub(l.lastSweep) < time.Second {
		return
	}
	l.lastSweep = now
	limit := time.Duration(l.srv.cfg.timeout()) * time.Second
	for _, c := range l.clients {
		idle := now.Sub(c.ls.lastIO)
		switch {
		case limit > 0 && !c.sess.Blocked() && !c.ls.waitPause && !c.sess.PubSub && !c.sess.Monitor && idle > limit:
			l.close(c)
		case idle > idleReplyRelease && len(c.w.buf) == 0 && cap(c.w.buf) > idleReplyKeep:
			c.w.buf = nil
		}
	}
}

// A reply buffer larger than idleReplyKeep is released once its client
// was idle for idleReplyRelease.
const (
	idleReplyRelease = 5 * time.Second
	idleReplyKeep    = 16 << 10
)

// newLoopState is c's state in loop lp, which will own socket fd.
func newLoopState(lp *eventLoop, fd int, c *client) loopState {
	s := c.srv
	rd := newRequestReader(countingReader{fdReader{fd}, &c.netIn}, s.cfg.protoMaxBulkLen,
		func() bool { return c.sess.Authenticated || s.db.RequirePass() == "" })
	rd.queryBufLimit = s.cfg.queryBufLimit
	return loopState{lp: lp, fd: fd, rd: rd}
}

// timerHeap orders blocked clients by deadline.
type timerHeap []*client

func (h timerHeap) Len() int           { return len(h) }
func (h timerHeap) Less(i, j int) bool { return h[i].ls.deadline.Before(h[j].ls.deadline) }
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].ls.timerIdx, h[j].ls.timerIdx = i, j
}
func (h *timerHeap) Push(x any) {
	c := x.(*client)
	c.ls.timerIdx = len(*h)
	*h = append(*h, c)
}
func (h *timerHeap) Pop() any {
	old := *h
	c := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	c.ls.timerIdx = -1
	return c
}

// resumeHeld runs the clients the CLIENT PAUSE held, in the order held:
// each its held command, then the rest of its pipeline (which a new pause
// may hold again).
func (l *eventLoop) resumeHeld() {
	held := l.held
	l.held = nil
	for _, c := range held {
		if !c.ls.waitPause || c.ls.closed {
			continue
		}
		c.ls.waitPause = false
		l.srv.holding(-1)
		l.process(c)
	}
}
