package keel

import (
	"sync/atomic"
	"time"
)

// CLIENT PAUSE, keel's side: while a pause is on, Exec postpones the
// commands it covers instead of running them (Session.Postponed; the
// server holds the client and runs the command again when the pause
// ends), and expired keys stay (Redis's PAUSE_ACTION_EXPIRE): the active
// expiry skips its ticks, and a read that finds an expired key answers as
// if it were gone without deleting or signalling it.
//
// A pause covers, as Redis 7.0's processCommand: with ALL, every command
// that gets past the checks that refuse it (arity, NOAUTH, OOM, ...), of
// every client but a monitor (a replica to Redis), CLIENT UNPAUSE
// included: an ALL pause ends at its time; with WRITE, the commands that
// write or may replicate (PUBLISH, SPUBLISH), and EXEC when it queued one,
// and queueing one into MULTI.

// PauseMode is what a pause covers.
type PauseMode int32

const (
	PauseNone  PauseMode = iota
	PauseWrite           // CLIENT PAUSE ... WRITE
	PauseAll             // CLIENT PAUSE ... ALL
)

// pauseState is the DB's pause: its mode, and its end (unix ns).
type pauseState struct {
	mode atomic.Int32
	end  atomic.Int64
}

// Pause starts a pause of mode until end, or extends the current one: the
// stricter mode and the later end win, as in Redis's pauseClients.
func (db *DB) Pause(mode PauseMode, end time.Time) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if cur := db.pausing(); cur == PauseNone {
		db.pause.end.Store(end.UnixNano())
		db.pause.mode.Store(int32(mode))
		return
	}
	if int32(mode) > db.pause.mode.Load() {
		db.pause.mode.Store(int32(mode))
	}
	if end.UnixNano() > db.pause.end.Load() {
		db.pause.end.Store(end.UnixNano())
	}
}

// Unpause ends the pause (CLIENT UNPAUSE, or its end reached).
func (db *DB) Unpause() { db.pause.mode.Store(int32(PauseNone)) }

// PauseEnd returns when the current pause ends, and false when none is on.
func (db *DB) PauseEnd() (time.Time, bool) {
	if db.pausing() == PauseNone {
		return time.Time{}, false
	}
	return time.Unix(0, db.pause.end.Load()), true
}

// pausing returns the mode of the pause on now (a pause past its end is
// over, whether or not the server has ended it yet).
func (db *DB) pausing() PauseMode {
	m := PauseMode(db.pause.mode.Load())
	if m == PauseNone || time.Now().UnixNano() >= db.pause.end.Load() {
		return PauseNone
	}
	return m
}

// postpones reports whether the pause on now covers cmd run by s with
// args.
func (db *DB) postpones(s *Session, cmd *Command, args [][]byte) bool {
	if db.pause.mode.Load() == int32(PauseNone) || s.Monitor {
		return false
	}
	switch db.pausing() {
	case PauseAll:
		return true
	case PauseWrite:
		if cmd.Flags&FlagMayReplicate != 0 && len(args) >= 2 {
			return db.scriptMayWrite(cmd, args[1])
		}
		return mayReplicate(cmd) || cmd.Name == "exec" && s.multi != nil && s.multi.writes
	}
	return false
}

// mayReplicate reports whether cmd writes or may replicate (Redis's
// CMD_WRITE | CMD_MAY_REPLICATE: keel's table flags EVAL, EVALSHA and
// FCALL with FlagMayReplicate; PUBLISH and SPUBLISH are named here).
func mayReplicate(cmd *Command) bool {
	if cmd.Flags&(FlagWrite|FlagMayReplicate) != 0 {
		return true
	}
	switch cmd.Name {
	case "publish", "spublish":
		return true
	}
	return false
}
