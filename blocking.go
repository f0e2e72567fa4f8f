package keel

import (
	"math"
	"slices"
	"time"
)

// Blocking commands (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN,
// BZPOPMAX, BZMPOP).
//
// A blocking command that finds nothing to take registers a waiter on its
// keys (Ctx.block) and writes no reply; Exec returns and the server calls
// WaitBlocked, which waits for the waiter to be served, to time out, or for
// the client to go away. Writers signal keys: every key a write touches
// (touchKey) that has waiters is queued as ready, and after the write's
// record is committed, run serves the ready keys (serveReady) — still under
// db.mu, each served pop as its own record, logged as the pop that happened
// (DESIGN invariant 2). So, as in Redis:
//
//   - waiters on a key are served first come, first served;
//   - a push by any client, or by an EXEC, wakes them after the command (or
//     the whole transaction) is done;
//   - a key replaced by another type serves nobody; its waiters keep
//     waiting (Redis 7.0's handleClientsBlockedOnKeys);
//   - a waiter that timed out or whose client disconnected is removed under
//     db.mu before anything could be served to it, so it never takes an
//     element: serving and cancelling are decided under the same lock.

// waiter is one blocked command.
type waiter struct {
	s    *Session
	db   int
	keys []watchKey
	cmd  *Command
	// serve tries to serve the waiter from key, in a write context whose
	// reply is the waiter's tape; it reports whether it took something.
	serve     func(c *Ctx, key []byte) bool
	onTimeout func(r Reply)
	deadline  time.Time // zero: wait forever
	reply     tape
	// trackNotes are the invalidations for the waiter that its command
	// caused when served, sent after its reply (tracking.go).
	trackNotes []TrackingNote
	lsn        uint64        // the served pop's record; the reply waits for it
	done       chan struct{} // closed when served
	served     bool          // guarded by db.mu
	cancelled  bool          // guarded by db.mu
	// unblocked: CLIENT UNBLOCK ended the wait (guarded by db.mu); the
	// reply is the timeout's, or Redis's UNBLOCKED error with unblockErr.
	unblocked, unblockErr bool
	// notify, when set (NotifyBlocked), is called under db.mu once the
	// waiter is served.
	notify func()
}

// blockTable holds the waiters per key, in arrival order, and the keys
// signalled by the write in progress. Guarded by db.mu (exclusive).
type blockTable struct {
	waiters map[watchKey][]*waiter
	ready   []watchKey
	isReady map[watchKey]bool
	// streamReady: keys an XADD (or XGROUP DESTROY) signalled since the
	// last serveReady. Stream waiters are served only from those, as
	// Redis's signalKeyAsReady is called by those commands alone; any
	// other write to the key (XDEL, XSETID) wakes nobody.
	streamReady map[watchKey]bool
	// stand is the stand-in Session serveReady serves each waiter
	// through, kept: a Session is ~3.4 KB with its read hints, and a new
	// one per served waiter was over half the bytes a BLPOP/LPUSH round
	// trip allocated.
	stand Session
}

// parseTimeout parses a blocking command's timeout in seconds as Redis
// 7.0's getTimeoutFromObjectOrReply does: a long double, times 1000,
// truncated to whole milliseconds (so "0.0001" is 0, which waits forever,
// and a value too large for the conversion comes out negative), then made
// absolute. ok is false when the error was replied; a zero deadline means
// forever.
func (c *Ctx) parseTimeout(arg []byte) (deadline time.Time, ok bool) {
	f, valid := parseFloat(arg)
	if !valid {
		c.Error("ERR timeout is not a float or out of range")
		return time.Time{}, false
	}
	ms := f * 1000
	var tval int64
	if ms >= 9.223372036854775807e18 || ms < -9.223372036854775808e18 {
		tval = math.MinInt64 // x86's result for an out-of-range conversion
	} else {
		tval = int64(ms)
	}
	return c.deadlineAfter(tval)
}

// deadlineAfter makes a blocking timeout of ms milliseconds absolute, as
// Redis's getTimeoutFromObjectOrReply: negative and overflowing values are
// errors (replied; ok false), 0 is forever (a zero deadline).
func (c *Ctx) deadlineAfter(ms int64) (deadline time.Time, ok bool) {
	if ms < 0 {
		c.Error("ERR timeout is negative")
		return time.Time{}, false
	}
	if ms == 0 {
		return time.Time{}, true
	}
	if ms > math.MaxInt64-c.Now {
		c.Error("ERR timeout is out of range")
		return time.Time{}, false
	}
	return time.UnixMilli(c.Now + ms), true
}

// canBlock reports whether the command may block: not inside MULTI/EXEC,
// where Redis answers as if the timeout had expired.
func (c *Ctx) canBlock() bool { return !c.inTx && c.S.multi == nil }

// InTransaction reports whether the command runs inside EXEC (Redis's
// CLIENT_MULTI while EXEC runs the queue).
func (c *Ctx) InTransaction() bool { return c.inTx }

// block registers the session as waiting on keys. The handler has found
// nothing to serve and writes no reply; the server calls WaitBlocked.
func (c *Ctx) block(keys [][]byte, deadline time.Time, serve func(c *Ctx, key []byte) bool, onTimeout func(r Reply)) {
	w := &waiter{s: c.S, db: c.S.DB, cmd: c.Cmd, serve: serve, onTimeout: onTimeout,
		deadline: deadline, done: make(chan struct{})}
	w.reply.proto = c.R.Proto()
	bt := &c.DB.blocks
	if bt.waiters == nil {
		bt.waiters = map[watchKey][]*waiter{}
		bt.isReady = map[watchKey]bool{}
	}
	for _, k := range keys {
		wk := watchKey{c.S.DB, string(k)}
		if slices.Contains(w.keys, wk) {
			continue
		}
		w.keys = append(w.keys, wk)
		bt.waiters[wk] = append(bt.waiters[wk], w)
	}
	if len(keys) == 0 {
		// A wait on no key (WAIT) sits under a key no write signals, so
		// that CLIENT UNBLOCK finds it as it finds the others.
		w.keys = append(w.keys, noKey)
		bt.waiters[noKey] = append(bt.waiters[noKey], w)
	}
	c.S.blocked = w
	c.DB.stats.BlockedClients.Add(1)
}

// noKey is where a wait on no key is registered: database -1, which no
// write signals.
var noKey = watchKey{db: -1}

// signalKey queues (dbi, key) for serving if anyone waits on it. Called by
// touchKey for every key a write changes.
func (db *DB) signalKey(dbi int, key []byte) {
	bt := &db.blocks
	if len(bt.waiters) == 0 {
		return
	}
	wk := watchKey{dbi, string(key)}
	if _, ok := bt.waiters[wk]; ok && !bt.isReady[wk] {
		bt.isReady[wk] = true
		bt.ready = append(bt.ready, wk)
	}
}

// signalStream queues (dbi, key) for its stream waiters: XADD and XGROUP
// DESTROY.
func (db *DB) signalStream(dbi int, key []byte) {
	bt := &db.blocks
	if len(bt.waiters) == 0 {
		return // XADD's common case: no key built, nothing allocated
	}
	wk := watchKey{dbi, string(key)}
	if _, ok := bt.waiters[wk]; !ok {
		return
	}
	if bt.streamReady == nil {
		bt.streamReady = map[watchKey]bool{}
	}
	bt.streamReady[wk] = true
	db.signalKey(dbi, key)
}

// streamSignalled reports whether signalStream queued (dbi, key) in the
// serving round in progress.
func (db *DB) streamSignalled(dbi int, key []byte) bool {
	return db.blocks.streamReady[watchKey{dbi, string(key)}]
}

// signalDB queues every waited key of dbi (SWAPDB brings a whole database).
func (db *DB) signalDB(dbi int) {
	for wk := range db.blocks.waiters {
		if wk.db == dbi {
			// Stream waiters too: Redis's scanDatabaseForReadyKeys.
			db.signalStream(dbi, []byte(wk.key))
		}
	}
}

// serveReady serves the waiters of the keys signalled since the last
// call, in signal order, each key's waiters first come, first served,
// while the key has something for them. A served waiter's pop is its own
// record. Serving can signal more keys (BLMOVE pushes), which are served
// in the same loop. Caller holds db.mu exclusively, after committing the
// write that signalled.
func (db *DB) serveReady(now int64) {
	bt := &db.blocks
	for len(bt.ready) > 0 {
		wk := bt.ready[0]
		bt.ready = bt.ready[1:]
		delete(bt.isReady, wk)
		key := []byte(wk.key)
		// Waiters in arrival order. One whose command cannot take from
		// the key as it is now (another type) is skipped, not the end of
		// the queue: the next may be blocked on that type.
		for _, w := range slices.Clone(bt.waiters[wk]) {
			if w.served || w.cancelled {
				continue
			}
			// The waiter's own Session belongs to its connection's
			// goroutine, which may still be reading it: serve through a
			// stand-in and hand the LSN over in the waiter.
			stand := bt.standIn(w)
			c := Ctx{DB: db, S: stand, R: &w.reply, Cmd: w.cmd, Now: now, w: db.newBatch()}
			ok := w.serve(&c, key)
			db.commit(&c)
			w.lsn = max(w.lsn, stand.WaitLSN)
			if ok {
				db.unblock(w)
				w.served = true
				close(w.done)
				if w.notify != nil {
					w.notify()
				}
			}
		}
	}
	bt.ready = bt.ready[:0]
	clear(bt.streamReady)
}

// standIn returns bt.stand set up as w's session: its id, database and
// protocol, nothing of the waiter served before it but the scratch
// buffers (a command's, valid only during it).
func (bt *blockTable) standIn(w *waiter) *Session {
	s := &bt.stand
	sc := s.scratch
	*s = Session{ID: w.s.ID, DB: w.db, Proto: w.reply.proto, Authenticated: true}
	s.scratch = sc
	s.track.hold = &w.trackNotes
	return s
}

// unblock removes w from the queues of its keys.
func (db *DB) unblock(w *waiter) {
	bt := &db.blocks
	for _, wk := range w.keys {
		q := bt.waiters[wk]
		for i, x := range q {
			if x == w {
				q = append(q[:i:i], q[i+1:]...)
				break
			}
		}
		if len(q) == 0 {
			delete(bt.waiters, wk)
		} else {
			bt.waiters[wk] = q
		}
	}
	db.stats.BlockedClients.Add(-1)
}

// Blocked reports whether the last command left s waiting (the server
// then calls WaitBlocked before executing anything else for it).
func (s *Session) Blocked() bool { return s.blocked != nil }

// WaitBlocked waits for s's blocked command to be served, to time out, or
// for gone to be closed (the client disconnected or was killed; nothing is
// replied then), and writes the command's reply to r. It must be called
// without db.mu.
func (db *DB) WaitBlocked(s *Session, r Reply, gone <-chan struct{}) {
	w := s.blocked
	if w == nil {
		return
	}
	var timeout <-chan time.Time
	if !w.deadline.IsZero() {
		t := time.NewTimer(time.Until(w.deadline))
		defer t.Stop()
		timeout = t.C
	}
	disconnected := false
	select {
	case <-w.done:
	case <-timeout:
	case <-gone:
		disconnected = true
	case <-db.closing:
		disconnected = true
	}
	db.FinishBlocked(s, r, disconnected)
}

// The event loop's form of WaitBlocked, which must not wait: it learns
// that s's blocked command was served through NotifyBlocked, watches
// BlockedDeadline itself, and ends the wait with FinishBlocked.

// BlockedDeadline is when s's blocked command times out (zero: never).
func (s *Session) BlockedDeadline() time.Time {
	if s.blocked == nil {
		return time.Time{}
	}
	return s.blocked.deadline
}

// NotifyBlocked arranges for fn to be called once s's blocked command is
// served: at once (in this call) if it already was, else under db.mu by
// the command that serves it, so fn must not block or take db.mu.
func (db *DB) NotifyBlocked(s *Session, fn func()) {
	w := s.blocked
	if w == nil {
		return
	}
	db.mu.Lock()
	ended := w.served || w.unblocked
	if !ended {
		w.notify = fn
	}
	db.mu.Unlock()
	if ended {
		fn()
	}
}

// UnblockClient ends the wait of the blocked command of the session with
// id, as CLIENT UNBLOCK does: it replies as on its timeout, or with
// Redis's UNBLOCKED error when withError. It reports whether such a
// command was waiting. Its session's connection learns of it as of a
// served command (WaitBlocked returns, NotifyBlocked's fn is called).
func (db *DB) UnblockClient(id int64, withError bool) bool {
	db.mu.Lock()
	defer db.mu.Unlock()
	for _, q := range db.blocks.waiters {
		for _, w := range q {
			if w.s.ID != id || w.served || w.cancelled || w.unblocked {
				continue
			}
			w.unblocked, w.unblockErr = true, withError
			db.unblock(w)
			close(w.done)
			if w.notify != nil {
				w.notify()
			}
			return true
		}
	}
	return false
}

// cancelWait gives up w unless it was served or unblocked (db.mu held).
func (db *DB) cancelWait(w *waiter) {
	if !w.served && !w.unblocked {
		w.cancelled = true
		db.unblock(w)
	}
}

// FinishBlocked ends s's wait: it writes the blocked command's reply to r
// if it was served, its timeout reply if not (unless disconnected: then
// nothing, and an unserved command gives up for good), and makes s's
// WaitLSN cover the served pop. It must be called without db.mu.
func (db *DB) FinishBlocked(s *Session, r Reply, disconnected bool) {
	w := s.blocked
	s.blocked = nil
	if w == nil {
		return
	}
	// Once cancelled (or served), nothing changes w: its fields are read
	// after the lock.
	if db.mu.TryLock() {
		db.cancelWait(w)
		db.mu.Unlock()
	} else {
		db.lockedOrOnScript(func() { db.cancelWait(w) })
	}
	served, unblocked := w.served, w.unblocked
	s.WaitLSN = max(s.WaitLSN, w.lsn)
	switch {
	case served:
		w.reply.replay(r)
		// After its reply, as Redis: the invalidations its own command
		// caused (tracking.go).
		db.sendTrackingNotes(s, w.trackNotes, w.lsn)
	case disconnected:
	case unblocked && w.unblockErr:
		r.Error("UNBLOCKED client unblocked via CLIENT UNBLOCK")
	default:
		w.onTimeout(r)
	}
}
