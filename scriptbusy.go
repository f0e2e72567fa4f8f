package keel

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// A busy script, and the rest of the server meanwhile.
//
// A script runs as one command: its goroutine holds db.mu (exclusive)
// from its first instruction to its reply. Once it has run for
// busy-reply-threshold, Redis serves its other clients from the Lua
// hook (processEventsWhileBlocked): BUSY for most commands, while the
// few flagged allow_busy run. keel does the same without a second
// writer ever touching the data:
//
//   - Exec refuses what is not allow_busy with BUSY without taking
//     db.mu, so any goroutine may answer those.
//   - What needs db.mu while a busy script holds it (the allow_busy
//     commands DISCARD, WATCH and UNWATCH, and the session work of a
//     connection that closes, resets or gives up a blocking command) is
//     handed to the script's goroutine, which runs it between two of the
//     script's Lua instructions, where Redis runs it: runOnScript. The
//     script's data is then between two of its commands.
//   - The goroutine that runs the script cannot serve anything else: a
//     server whose event loop ran the script learns from the busy hook
//     (SetScriptBusyHooks) that the script turned busy, serves the loop's
//     other connections from another goroutine until the script's command
//     returns, and runs their commands with Session.BusyOnly, so that
//     nothing but the above runs there.

// scriptWork is what other goroutines hand the running script's
// goroutine (runOnScript).
type scriptWork struct {
	mu sync.Mutex
	// open: a script runs and will run what is queued, between two of
	// its instructions or when it ends (guarded by mu).
	open  bool
	queue []func()
	// pending: the queue is not empty (read by the instruction hook
	// without mu).
	pending atomic.Bool
}

// run runs what is queued, on the script's goroutine.
func (w *scriptWork) run() {
	w.mu.Lock()
	q := w.queue
	w.queue = nil
	w.pending.Store(false)
	w.mu.Unlock()
	for _, f := range q {
		f()
	}
}

// hookEvery is how many Lua instructions pass between two looks at the
// queue (a power of two): a few tens of microseconds of a busy loop.
const hookEvery = 1024

// scriptCtx is a Lua state's context and its instruction hook. gopher-lua
// has no debug hooks, but it asks the state's context for Done before
// every instruction (SCRIPT KILL cancels the context): every hookEvery
// calls, Done runs what other goroutines queued for the script.
// Coroutines run under the same context (ThreadContext, a hook of keel's
// gopher-lua), hook included.
type scriptCtx struct {
	context.Context
	done <-chan struct{}
	work *scriptWork
	n    uint32
}

func newScriptCtx(work *scriptWork) (*scriptCtx, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	return &scriptCtx{Context: ctx, done: ctx.Done(), work: work}, cancel
}

// ThreadContext gives a coroutine the script's own context: SCRIPT KILL
// stops it, and the hook runs in it. A coroutine is not cancelled on its
// own.
func (x *scriptCtx) ThreadContext() (context.Context, context.CancelFunc) {
	return x, func() {}
}

func (x *scriptCtx) Done() <-chan struct{} {
	if x.n++; x.n&(hookEvery-1) == 0 && x.work.pending.Load() {
		x.work.run()
	}
	return x.done
}

// runOnScript runs fn on the goroutine of the script that holds db.mu,
// between two of its instructions or at its end, and waits for it. It
// reports false, without running fn, when no script runs: the caller then
// takes db.mu itself.
func (db *DB) runOnScript(fn func()) bool {
	w := &db.scripts.work
	done := make(chan struct{})
	w.mu.Lock()
	if !w.open {
		w.mu.Unlock()
		return false
	}
	w.queue = append(w.queue, func() { fn(); close(done) })
	w.pending.Store(true)
	w.mu.Unlock()
	<-done
	return true
}

// lockedOrOnScript runs fn holding db.mu exclusively: it takes the lock,
// or, once the script that holds it is busy, has the script's goroutine
// run fn (runOnScript) instead of waiting for the script's end. It never
// waits in Lock(), where a script that started just after a look would
// hold it for the script's whole run; its callers (a closing connection
// that watches keys, a blocked client giving up while the lock is taken)
// are rare, so polling costs nothing that matters.
func (db *DB) lockedOrOnScript(fn func()) {
	for {
		if db.mu.TryLock() {
			fn()
			db.mu.Unlock()
			return
		}
		if db.ScriptBusy() && db.runOnScript(fn) {
			return
		}
		time.Sleep(50 * time.Microsecond)
	}
}

// lockWaiters are the sessions waiting for db.mu with no bound
// (waitLock), each with whether the busy hook was called for it.
type lockWaiters struct {
	mu  sync.Mutex
	set map[*Session]bool
}

// waitLock takes db.mu (exclusive: for a write) for s unless a script
// runs (false: the caller waits the bounded way, lockPastScript's). It
// waits as a registered waiter: a script that starts between the look
// and the lock holds it up past the script's busy threshold, so when the
// script turns busy, the busy hook is called for s too, and a server
// serves around s as around the script's session. Once the lock is free
// again, the resume hook hands s's goroutine back what was served around
// it, without the lock (what served around s may need it to finish), and
// waitLock waits again.
func (db *DB) waitLock(s *Session, exclusive bool) bool {
	st := &db.scripts
	w := &st.waiters
	for {
		w.mu.Lock()
		if w.set == nil {
			w.set = map[*Session]bool{}
		}
		w.set[s] = false
		w.mu.Unlock()
		// Registered before the look: a waiter that saw no script is in
		// the set before any script that holds it up started.
		free := st.running.Load() == nil
		if free {
			if exclusive {
				db.mu.Lock()
			} else {
				db.mu.RLock()
			}
		}
		w.mu.Lock()
		hooked := w.set[s]
		delete(w.set, s)
		w.mu.Unlock()
		if !hooked {
			return free
		}
		if exclusive {
			db.mu.Unlock()
		} else {
			db.mu.RUnlock()
		}
		st.resumeHook(s)
	}
}

// SetScriptBusyHooks sets what the DB calls when a script has run for
// busy-reply-threshold: busy, with the session that runs it and with each
// session whose command waits for db.mu behind it (waitLock), so that a
// server whose goroutine runs such a session's command serves its other
// connections from elsewhere until the command returns; busy runs on a
// goroutine of its own, before the script can end, and must not wait for
// it. resume is called on a waiter's own goroutine when the lock it
// waited for is free, before its command runs: the server takes back
// what it served around it. Set them before serving.
func (db *DB) SetScriptBusyHooks(busy, resume func(s *Session)) {
	db.scripts.busyHook, db.scripts.resumeHook = busy, resume
}

// scriptStarts and scriptEnds open and close the script's work queue;
// scriptStarts arms the busy timer unless it is armed. On the script's
// goroutine, under db.mu.
//
// The timer is not stopped when a script ends (a Reset and a Stop per
// script were 3-5% of a short EVAL's CPU): when it fires it finds the
// script that runs then, if any, and waits for that one's threshold.
func (db *DB) scriptStarts() {
	st := &db.scripts
	st.work.mu.Lock()
	defer st.work.mu.Unlock()
	st.work.open = true
	if st.busyHook == nil || st.busyArmed {
		return
	}
	st.busyArmed = true
	d := time.Duration(st.busyAfter.Load()) * time.Millisecond
	if st.busyTimer == nil {
		st.busyTimer = time.AfterFunc(d, db.scriptTurnedBusy)
	} else {
		st.busyTimer.Reset(d)
	}
}

func (db *DB) scriptEnds() {
	st := &db.scripts
	st.work.mu.Lock()
	st.work.open = false
	st.work.mu.Unlock()
	if st.work.pending.Load() {
		st.work.run() // what was queued after the last look
	}
}

// scriptTurnedBusy is the busy timer's function. Under work.mu, which a
// script's end takes, so that the hook runs before the script's command
// can return: a script that is busy gets the hook; one that is not yet
// (it started after the timer was armed) gets the timer again for the
// rest of its threshold; with none, the timer rests until the next
// script arms it.
func (db *DB) scriptTurnedBusy() {
	st := &db.scripts
	st.work.mu.Lock()
	defer st.work.mu.Unlock()
	r := st.running.Load()
	if !st.work.open || r == nil {
		st.busyArmed = false
		return
	}
	if left := time.Duration(st.busyAfter.Load())*time.Millisecond - time.Since(r.start); left > 0 {
		st.busyTimer.Reset(left)
		return
	}
	st.busyArmed = false
	st.busyHook(r.c.S)
	st.waiters.mu.Lock()
	defer st.waiters.mu.Unlock()
	for s, hooked := range st.waiters.set {
		if !hooked {
			st.waiters.set[s] = true
			st.busyHook(s)
		}
	}
}

// ScriptBusyError is the BUSY error while a script is busy, "" when none
// is (SHUTDOWN without NOSAVE is refused then, as in Redis).
func (db *DB) ScriptBusyError() string {
	if !db.ScriptBusy() {
		return ""
	}
	return db.busyError()
}
