package server

import (
	"errors"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// A loop whose goroutine runs a busy script.
//
// A script runs on the goroutine of the loop that read it, inside
// process, and holds the DB until it returns. Redis, meanwhile, keeps
// answering its other clients once the script is busy (BUSY, SCRIPT KILL,
// SHUTDOWN NOSAVE, ...); a loop's other clients would instead wait for
// the script, and a script that never ends could be stopped only by
// killing the process. So when the DB says a script turned busy
// (keel.DB.SetScriptBusyHook), a helper goroutine serves the loop's other
// clients until the script's command returns:
//
//   - The loop's goroutine is then inside the script's command, where it
//     touches only the script's client and what is safe for any goroutine
//     (the DB, other clients' mailboxes, the loop's inbox). The helper
//     owns the rest of the loop, and the loop's goroutine takes it back
//     (takeBack) before it touches anything else: after the command, in
//     process, or, for a command that waited for the lock behind the
//     script, before it runs (resume). The script's own Pub/Sub messages
//     and MONITOR lines reach the loop's other clients through their
//     mailboxes meanwhile (client.owns).
//   - The helper leaves the script's client alone: its socket is out of
//     the epoll set meanwhile, and its replies are written after the
//     script's.
//   - The helper runs commands with Session.BusyOnly: BUSY for most, the
//     few a busy script allows, and any command that comes once the
//     script has ended is postponed, for the loop's goroutine to run when
//     it takes the loop back. So no script starts on the helper, and each
//     client's commands still run in order.
//   - It reads the inbox for new clients and Pub/Sub mail; the rest
//     (blocked clients served, kills, the pause's end) waits in the inbox
//     for the loop's goroutine.
type loopHelper struct {
	stuck *client // the client whose command keeps the loop's goroutine: the busy script's, or one waiting for it
	stop  atomic.Bool
	done  chan struct{}
	// later: clients whose command was postponed (the script had ended),
	// for the loop's goroutine to run.
	later []*client
}

// startHelper starts serving l's clients but stuck from another
// goroutine: the DB's busy hook, while stuck's command holds l's
// goroutine (a busy script, or a wait for the lock behind one).
func (l *eventLoop) startHelper(stuck *client) {
	if l.helper.Load() != nil {
		return
	}
	h := &loopHelper{stuck: stuck, done: make(chan struct{})}
	l.helper.Store(h)
	go l.serveWhileBusy(h)
}

// takeBack takes the loop back from h, once stuck's command returned or
// may go on (resume); the commands h postponed wait in l.later for
// runLater, after the command.
func (l *eventLoop) takeBack(h *loopHelper) {
	h.stop.Store(true)
	var one = [8]byte{1}
	unix.Write(l.wakefd, one[:])
	<-h.done
	l.helper.Store(nil)
	l.nowOK = false // the helper may have run for seconds
	l.later = append(l.later, h.later...)
}

// resume is the DB's resume hook for c, on the loop's goroutine: c's
// command waited for the lock behind a busy script and goes on now, so
// the loop takes itself back first (the command may write to the loop's
// other clients).
func (l *eventLoop) resume(c *client) {
	if h := l.helper.Load(); h != nil && h.stuck == c {
		l.takeBack(h)
	}
}

// runLater runs the commands the helper postponed (the script had
// ended), each client's then the rest of its pipeline.
func (l *eventLoop) runLater() {
	later := l.later
	l.later = nil
	for _, c := range later {
		if c.ls.waitScript && !c.ls.closed {
			c.ls.waitScript = false
			l.process(c)
		}
	}
}

// serveWhileBusy is the helper's goroutine (see loopHelper).
func (l *eventLoop) serveWhileBusy(h *loopHelper) {
	defer close(h.done)
	// The clients the loop's goroutine is processing (the stuck one, and
	// one whose pipeline a nested process interrupted) are its own: their
	// sockets leave the epoll set meanwhile.
	var aside []*client
	for _, c := range l.clients {
		if c.ls.processing {
			aside = append(aside, c)
			unix.EpollCtl(l.epfd, unix.EPOLL_CTL_DEL, c.ls.fd, nil)
		}
	}
	noPrefetch := l.noPrefetch
	l.noPrefetch = true // a BUSY reply reads nothing
	// Posts wake the helper's epoll_wait (the loop's goroutine was in a
	// round, where they need not); what was posted before is taken now.
	l.mu.Lock()
	l.inRound = false
	l.mu.Unlock()
	deferred := l.drainWhileBusy(nil)
	// Requests read in the round that ran the script, which the loop's
	// goroutine has yet to process: their sockets are empty now.
	for _, c := range l.clients {
		if !c.ls.processing && !c.ls.closed && c.ls.rd.Pending() {
			l.asHelper(h, c, l.process)
		}
	}
	l.flushWhileBusy(h)
	events := make([]unix.EpollEvent, 64)
	var ready []*client
	for !h.stop.Load() {
		n, err := unix.EpollWait(l.epfd, events, 1000)
		if err != nil && !errors.Is(err, unix.EINTR) {
			l.srv.log.Error("event loop helper: epoll_wait", "err", err)
			break
		}
		l.nowOK = false
		for i := 0; i < n; i++ {
			ev := events[i]
			if int(ev.Fd) == l.wakefd {
				var b [8]byte
				unix.Read(l.wakefd, b[:])
				deferred = l.drainWhileBusy(deferred)
				continue
			}
			c := l.clients[ev.Fd]
			if c == nil || c.ls.closed || c.ls.processing {
				continue
			}
			if ev.Events&unix.EPOLLOUT != 0 {
				l.asHelper(h, c, l.writeOut)
			}
			if ev.Events&(unix.EPOLLIN|unix.EPOLLHUP|unix.EPOLLERR|unix.EPOLLRDHUP) != 0 && !c.ls.closed && l.readable(c) {
				ready = append(ready, c)
			}
		}
		for _, c := range ready {
			if !c.ls.closed {
				l.asHelper(h, c, l.process)
			}
		}
		clear(ready)
		ready = ready[:0]
		l.flushWhileBusy(h)
	}
	for _, c := range aside {
		if c.ls.closed {
			continue
		}
		if err := unix.EpollCtl(l.epfd, unix.EPOLL_CTL_ADD, c.ls.fd, &unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP, Fd: int32(c.ls.fd)}); err != nil {
			c.ls.eof = true // closed when its replies are written
		}
	}
	l.noPrefetch = noPrefetch
	l.mu.Lock()
	l.inbox = append(deferred, l.inbox...)
	l.inRound = true
	l.mu.Unlock()
}

// asHelper runs step for c as the helper: process, or writeOut (which
// runs the requests a full socket held back), with BusyOnly; a command
// postponed meanwhile waits for the loop's goroutine.
func (l *eventLoop) asHelper(h *loopHelper, c *client, step func(*client)) {
	c.sess.BusyOnly = true
	step(c)
	c.sess.BusyOnly = false
	if c.ls.waitScript {
		h.later = append(h.later, c)
	}
}

// drainWhileBusy takes what the helper handles from the inbox (new
// clients, mail for clients the loop's goroutine is not processing) and
// returns the rest appended to deferred, in order.
func (l *eventLoop) drainWhileBusy(deferred []loopMsg) []loopMsg {
	l.mu.Lock()
	msgs := l.inbox
	l.inbox = nil
	l.mu.Unlock()
	closing := false
	select {
	case <-l.srv.closed:
		closing = true
	default:
	}
	for _, m := range msgs {
		c := m.c
		switch {
		case m.kind == msgAdd && !closing:
			l.register(c)
		case m.kind == msgMail && !c.ls.processing:
			if !c.ls.closed && c.takeMail() {
				l.markDirty(c)
				c.checkPubSubLimit()
			}
		default:
			deferred = append(deferred, m)
		}
	}
	return deferred
}

// flushWhileBusy is flushDirty for the helper: the clients the loop's
// goroutine is processing stay dirty for it (their reply buffers are its
// own meanwhile), and the loop's spare list, which flushDirty may be
// using on the loop's goroutine, is left alone.
func (l *eventLoop) flushWhileBusy(h *loopHelper) {
	var theirs []*client
	for len(l.dirty) > 0 {
		var mine []*client
		for _, c := range l.dirty {
			if c.ls.processing {
				theirs = append(theirs, c)
			} else {
				mine = append(mine, c)
			}
		}
		l.dirty = nil
		var lsn uint64
		for _, c := range mine {
			lsn = max(lsn, c.sess.WaitLSN)
		}
		l.writeBatch(mine, l.srv.db.WaitDurable(lsn), func(c *client) { l.asHelper(h, c, l.writeOut) })
	}
	l.dirty = append(l.dirty, theirs...)
}
