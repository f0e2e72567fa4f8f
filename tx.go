package keel

// MULTI/EXEC/DISCARD/WATCH/UNWATCH. An EXEC runs its whole queue under the
// exclusive lock and produces one WAL record (DESIGN invariant 4), so after
// any crash a transaction is wholly applied or absent, on every engine.

type queued struct {
	cmd  *Command
	args [][]byte
}

type multiState struct {
	queue   []queued
	aborted bool // a command was rejected while queueing: EXEC aborts
	denyOOM bool // a denyoom command is queued: EXEC is refused over maxmemory
	writes  bool // a command that writes or may replicate is queued: a WRITE pause covers EXEC
}

// MultiQueued returns how many commands the open MULTI has queued and
// the bytes of their arguments (CLIENT LIST's multi and multi-mem); 0, 0
// outside MULTI. The session's connection only.
func (s *Session) MultiQueued() (n int, bytes int64) {
	if s.multi == nil {
		return 0, 0
	}
	for _, q := range s.multi.queue {
		for _, a := range q.args {
			bytes += int64(len(a))
		}
	}
	return len(s.multi.queue), bytes
}

type watchKey struct {
	db  int
	key string
}

// watchTable maps watched keys to the sessions watching them. Guarded by
// db.mu (exclusive).
type watchTable struct {
	keys map[watchKey][]*Session
}

func (w *watchTable) init() { w.keys = map[watchKey][]*Session{} }

// touchKey follows the modification of key in database dbi by c's
// command (Redis's signalModifiedKey): watchers, blocked clients, and
// the sessions tracking it (tracking.go).
func (c *Ctx) touchKey(dbi int, key []byte) {
	c.DB.touchKey(dbi, key)
	c.trackTouched(key)
}

// touchKey marks every session watching (dbi, key) dirty. Caller holds db.mu
// exclusively.
func (db *DB) touchKey(dbi int, key []byte) {
	db.signalKey(dbi, key)
	if len(db.watch.keys) == 0 {
		return
	}
	wk := watchKey{dbi, string(key)}
	for _, s := range db.watch.keys[wk] {
		if s.watchedExpired[wk] {
			// Redis 7's touchWatchedKey: the key was already expired when
			// watched; its deletion is no logical change (the flag is
			// cleared, a later write does count).
			if _, ok := db.ks.Get(dbi, key); !ok {
				delete(s.watchedExpired, wk)
				continue
			}
		}
		s.watchDirty = true
	}
}

// watchedKeyExpired reports whether a key s watches has logically expired
// since WATCH (Redis 7's isWatchedKeyExpired): the key still exists but is
// past its expiry, and was not already expired when watched.
func (db *DB) watchedKeyExpired(s *Session, now int64) bool {
	for _, wk := range s.watched {
		if s.watchedExpired[wk] {
			continue
		}
		if e, ok := db.ks.Get(wk.db, []byte(wk.key)); ok && e.ExpireAt != 0 && e.ExpireAt <= now {
			return true
		}
	}
	return false
}

// touchDB marks dirty every session watching a key of dbi that exists.
func (db *DB) touchDB(dbi int) {
	for wk, ss := range db.watch.keys {
		if wk.db != dbi {
			continue
		}
		if _, ok := db.ks.Get(dbi, []byte(wk.key)); !ok {
			continue
		}
		for _, s := range ss {
			if s.watchedExpired[wk] {
				// An expired key flushed away: no logical change.
				delete(s.watchedExpired, wk)
				continue
			}
			s.watchDirty = true
		}
	}
}

func (db *DB) unwatchAll(s *Session) {
	for _, wk := range s.watched {
		ss := db.watch.keys[wk]
		for i, x := range ss {
			if x == s {
				ss = append(ss[:i], ss[i+1:]...)
				break
			}
		}
		if len(ss) == 0 {
			delete(db.watch.keys, wk)
		} else {
			db.watch.keys[wk] = ss
		}
	}
	s.watched = nil
	s.watchedExpired = nil
	s.watchDirty = false
}

// CloseSession releases what a disconnected client held (its watches).
func (db *DB) CloseSession(s *Session) {
	s.multi = nil
	db.unwatchSession(s)
	db.TrackingOff(s)
}

// unwatchSession forgets s's watched keys (db.mu not held). Only s's own
// goroutine changes s.watched, so a session that watches nothing takes
// no lock: a connection that closes or resets while a busy script runs
// does not wait for it, nor does one that does watch (lockedOrOnScript).
func (db *DB) unwatchSession(s *Session) {
	if len(s.watched) == 0 {
		return
	}
	db.lockedOrOnScript(func() { db.unwatchAll(s) })
}

// ResetSession implements RESET's part in the command layer: discard MULTI,
// unwatch, select db 0.
func (db *DB) ResetSession(s *Session) {
	db.CloseSession(s)
	s.DB = 0
}

// rejectInMulti flags an open MULTI block as aborted after a queue-time error.
func (db *DB) rejectInMulti(s *Session) {
	if s.multi != nil {
		s.multi.aborted = true
	}
}

func cmdMulti(c *Ctx) {
	if c.S.multi != nil {
		c.Error("ERR MULTI calls can not be nested")
		return
	}
	c.S.multi = &multiState{}
	c.OK()
}

func cmdDiscard(c *Ctx) {
	if c.S.multi == nil {
		c.Error("ERR DISCARD without MULTI")
		return
	}
	c.S.multi = nil
	c.DB.unwatchAll(c.S)
	c.OK()
}

func cmdExec(c *Ctx) {
	s := c.S
	if s.multi == nil {
		c.Error("ERR EXEC without MULTI")
		return
	}
	m := s.multi
	s.multi = nil
	if m.aborted {
		c.DB.unwatchAll(s)
		c.Error("EXECABORT Transaction discarded because of previous errors.")
		return
	}
	if s.watchDirty || c.DB.watchedKeyExpired(s, c.Now) {
		c.DB.unwatchAll(s)
		c.R.NullArray()
		return
	}
	c.DB.unwatchAll(s)
	c.R.Array(len(m.queue))
	for _, q := range m.queue {
		c.errMark = c.runInside(q.cmd, q.args, c.R, false)
	}
}

// runInside runs cmd with args inside c's command — EXEC's queued
// commands, a script's redis.call — in c's record and clock, as a command
// of its own for commandstats, the slowlog (script: from the script's
// "?:0") and MONITOR, the keys it found expired (a SCAN's) deleted after
// it. It returns the session's error count after it.
func (c *Ctx) runInside(cmd *Command, args [][]byte, r Reply, script bool) (errsAfter int64) {
	s, db := c.S, c.DB
	sub := Ctx{DB: db, S: s, Args: args, R: r, Cmd: cmd, Now: c.Now, w: c.w, inTx: true}
	errs, t0 := s.errorsNow(), db.startTiming(s, cmd)
	cmd.Handler(&sub)
	if script {
		c.trackScriptRead(cmd)
	} else {
		sub.trackRead()
	}
	errsAfter = s.errorsNow()
	db.slowlogPush(s, cmd, args, db.ranCommand(cmd, s.ID, t0, errs, errsAfter), script)
	db.feedMonitors(s, cmd, args)
	for _, k := range sub.expired {
		sub.lookupWrite(k)
	}
	return errsAfter
}

func cmdWatch(c *Ctx) {
	if c.S.multi != nil {
		c.Error("ERR WATCH inside MULTI is not allowed")
		return
	}
	for _, k := range c.Args[1:] {
		wk := watchKey{c.S.DB, string(k)}
		already := false
		for _, x := range c.S.watched {
			if x == wk {
				already = true
				break
			}
		}
		if already {
			continue
		}
		c.S.watched = append(c.S.watched, wk)
		c.DB.watch.keys[wk] = append(c.DB.watch.keys[wk], c.S)
		if e, ok := c.DB.ks.Get(wk.db, k); ok && e.ExpireAt != 0 && e.ExpireAt <= c.Now {
			if c.S.watchedExpired == nil {
				c.S.watchedExpired = map[watchKey]bool{}
			}
			c.S.watchedExpired[wk] = true
		}
	}
	c.OK()
}

func cmdUnwatch(c *Ctx) {
	c.DB.unwatchAll(c.S)
	c.OK()
}

func init() {
	Register(
		&Command{Name: "multi", Arity: 1, Flags: FlagNoScript | FlagLoading | FlagStale | FlagFast | FlagAllowBusy | FlagNoLock, ACL: []string{"fast", "transaction"}, Group: "transactions", Summary: "Starts a transaction.", Since: "1.2.0", Handler: cmdMulti},
		&Command{Name: "exec", Arity: 1, Flags: FlagNoScript | FlagLoading | FlagStale | FlagSkipSlowlog | FlagExclusive, ACL: []string{"slow", "transaction"}, Group: "transactions", Summary: "Executes all commands in a transaction.", Since: "1.2.0", Handler: cmdExec},
		&Command{Name: "discard", Arity: 1, Flags: FlagNoScript | FlagLoading | FlagStale | FlagFast | FlagAllowBusy | FlagExclusive, ACL: []string{"fast", "transaction"}, Group: "transactions", Summary: "Discards a transaction.", Since: "2.0.0", Handler: cmdDiscard},
		&Command{Name: "watch", Arity: -2, Flags: FlagNoScript | FlagLoading | FlagStale | FlagFast | FlagAllowBusy | FlagExclusive, FirstKey: 1, LastKey: -1, Step: 1, ACL: []string{"fast", "transaction"}, Group: "transactions", Summary: "Monitors changes to keys to determine the execution of a transaction.", Since: "2.2.0", Handler: cmdWatch},
		&Command{Name: "unwatch", Arity: 1, Flags: FlagNoScript | FlagLoading | FlagStale | FlagFast | FlagAllowBusy | FlagExclusive, ACL: []string{"fast", "transaction"}, Group: "transactions", Summary: "Forgets about watched keys of a transaction.", Since: "2.2.0", Handler: cmdUnwatch},
	)
}
