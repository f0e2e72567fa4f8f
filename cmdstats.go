package keel

import (
	"sort"
	"sync/atomic"
	"time"
)

// Per-command statistics, INFO commandstats: how often each command (each
// subcommand on its own, "client|list") ran, the time it ran for, and how
// often it was refused before running (rejected: arity, NOAUTH, OOM, ...)
// or ran and answered an error (failed), as Redis 7 counts them. A command
// run by EXEC counts as a call of its own, and its time is in EXEC's too.
// A blocking command counts when it runs, with the time of that run; the
// wait is not in it.
//
// The time is estimated for the fast commands (GET, HGET, INCR, ...,
// Redis's "fast" flag): a clock read costs 30-45 ns on this VM, and the
// two per command were 6% of an in-process GET's CPU (BenchmarkExecGet's
// profile) and 3-4% of the server's under GET at pipeline 16. Each
// connection times every
// fastTimingEvery-th fast command, and a command's usec is the mean of
// its timed calls times its calls; every other command is timed on each
// call, as in Redis.
//
// The counters are the DB's (DB.cmdStats), indexed by Command.idx, which
// Register gives each command and subcommand: several DBs in a process
// (tests) count apart.
type cmdStats struct {
	stripes [8]struct { // by client id, as stripedCounter
		calls, timed, nanos, rejected, failed atomic.Int64
		_                                     [24]byte
	}
}

const fastTimingEvery = 16

// timed reports whether s times this call of cmd, and counts it.
func (s *Session) timed(cmd *Command) bool {
	if cmd.Flags&FlagFast == 0 {
		return true
	}
	s.fastCalls++
	return s.fastCalls%fastTimingEvery == 0
}

// CommandStat is one command's counters (INFO commandstats).
type CommandStat struct {
	Name                                    string // "get", "client|list"
	Calls, Usec, RejectedCalls, FailedCalls int64
}

// monoStart anchors monotonic nanosecond readings (time.Since reads the
// monotonic clock only).
var monoStart = time.Now()

func monoNanos() int64 { return int64(time.Since(monoStart)) }

// errorsNow is s's error replies so far (Session.ReplyErrors), -1 when
// they are not counted.
func (s *Session) errorsNow() int64 {
	if s.ReplyErrors == nil {
		return -1
	}
	return *s.ReplyErrors
}

// ranCommand records a call of cmd (when t0 is not 0, the start of a
// timed call) that failed if the error count went from errsBefore to
// errsAfter (-1: not counted), and returns how long it took in ns (-1:
// not timed), for the slowlog.
func (db *DB) ranCommand(cmd *Command, id, t0, errsBefore, errsAfter int64) (nanos int64) {
	st := &db.cmdStats[cmd.idx].stripes[uint64(id)%8]
	st.calls.Add(1)
	nanos = -1
	if t0 != 0 {
		nanos = monoNanos() - t0
		st.timed.Add(1)
		st.nanos.Add(nanos)
		db.recordLatency(cmd, nanos, db.latencyWeight(cmd))
	}
	if errsAfter > errsBefore {
		st.failed.Add(1)
	}
	return nanos
}

// startTiming is the start of s's call of cmd when it is timed, else 0.
func (s *Session) startTiming(cmd *Command) int64 {
	if s.timed(cmd) {
		return max(monoNanos(), 1)
	}
	return 0
}

func (db *DB) rejectedCommand(cmd *Command, id int64) {
	db.cmdStats[cmd.idx].stripes[uint64(id)%8].rejected.Add(1)
}

// CommandStats returns the counters of every command that was called,
// refused or failed since the start or ResetCommandStats, sorted by name.
func (db *DB) CommandStats() []CommandStat {
	var out []CommandStat
	eachCommand(func(c *Command) {
		var s CommandStat
		var timed, nanos int64
		for i := range db.cmdStats[c.idx].stripes {
			st := &db.cmdStats[c.idx].stripes[i]
			s.Calls += st.calls.Load()
			timed += st.timed.Load()
			nanos += st.nanos.Load()
			s.RejectedCalls += st.rejected.Load()
			s.FailedCalls += st.failed.Load()
		}
		if timed > 0 {
			s.Usec = int64(float64(nanos) / float64(timed) * float64(s.Calls) / 1000)
		}
		if s.Calls+s.RejectedCalls+s.FailedCalls > 0 {
			s.Name = c.Name
			out = append(out, s)
		}
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// TotalCalls is the calls of every command (INFO stats'
// total_commands_processed: what ran, as Redis's call() counts, not what
// was refused or queued).
func (db *DB) TotalCalls() int64 {
	var n int64
	eachCommand(func(c *Command) {
		for i := range db.cmdStats[c.idx].stripes {
			n += db.cmdStats[c.idx].stripes[i].calls.Load()
		}
	})
	return n
}

// ResetCommandStats zeroes every command's counters (CONFIG RESETSTAT).
func (db *DB) ResetCommandStats() {
	eachCommand(func(c *Command) {
		for i := range db.cmdStats[c.idx].stripes {
			st := &db.cmdStats[c.idx].stripes[i]
			st.calls.Store(0)
			st.timed.Store(0)
			st.nanos.Store(0)
			st.rejected.Store(0)
			st.failed.Store(0)
		}
	})
}

// eachCommand calls fn for every command of the table and every
// subcommand.
func eachCommand(fn func(c *Command)) {
	for _, c := range table() {
		fn(c)
		for _, s := range c.Subs {
			fn(s)
		}
	}
}

// maxCommandIdx bounds the commands and subcommands Register may index
// (DB.cmdStats has one cmdStats each: 512 B).
const maxCommandIdx = 512

// nextCommandIdx is the next Command.idx Register gives (under
// registerMu).
var nextCommandIdx int
