package keel

// SLOWLOG: the commands that took at least slowlog-log-slower-than
// microseconds (0: every command; -1: none), newest first, at most
// slowlog-max-len of them, as Redis 7.0 keeps them: id, unix time,
// microseconds, the arguments (at most 32, the last then saying how many
// more; each cut to 128 bytes, saying how many more), the client's
// address and name. AUTH's and HELLO's secrets show as "(redacted)";
// EXEC is not logged (skip_slowlog), the commands it ran are; a script's
// commands are, from "?:0" with no name, as Redis's script client.
//
// Timing: a command is timed when INFO commandstats times it (every call
// of a command that is not fast, one call in 16 of a fast one, whose
// timing costs 3-4% of the server's CPU), and every call while
// slowlog-log-slower-than is below 10000 µs (Redis's default): at the
// default a fast command (GET, HSET, ...) slower than 10 ms is seen one
// time in 16.

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

const (
	slowlogMaxArgc   = 32
	slowlogMaxString = 128
	// slowlogTimeAllBelow: a threshold below it times every command.
	slowlogTimeAllBelow = 10000
)

// slowlogEntry is one logged command.
type slowlogEntry struct {
	id       int64
	unix     int64
	duration int64 // µs
	args     [][]byte
	peer     string
	name     string
}

// SlowlogPeer tells the slowlog a session's client address and which of
// a command's arguments to hide (the server's; nil: "?:0", none hidden).
type SlowlogPeer func(s *Session, cmd *Command, args [][]byte) (addr string, hidden func(i int) bool)

type slowlogState struct {
	slowerThan atomic.Int64 // µs; < 0: off
	maxLen     atomic.Int64
	peer       atomic.Pointer[SlowlogPeer]

	mu      sync.Mutex
	entries []slowlogEntry // oldest first
	nextID  int64
}

// SetSlowlog sets slowlog-log-slower-than (µs) and slowlog-max-len.
func (db *DB) SetSlowlog(slowerThan, maxLen int64) {
	db.slowlog.slowerThan.Store(slowerThan)
	db.slowlog.maxLen.Store(maxLen)
	db.slowlog.mu.Lock()
	db.slowlog.trimLocked()
	db.slowlog.mu.Unlock()
}

// SetSlowlogPeer sets how the slowlog names clients and hides secrets.
func (db *DB) SetSlowlogPeer(f SlowlogPeer) { db.slowlog.peer.Store(&f) }

// startTiming is the start of s's call of cmd when it is timed (for
// commandstats, or for the slowlog), else 0.
func (db *DB) startTiming(s *Session, cmd *Command) int64 {
	if db.timesEveryCall() {
		return max(monoNanos(), 1)
	}
	return s.startTiming(cmd)
}

// timesEveryCall reports whether every call is timed, fast ones too: the
// slowlog's threshold is low enough to catch fast commands, or the
// latency monitor is on (latency.go).
func (db *DB) timesEveryCall() bool {
	t := db.slowlog.slowerThan.Load()
	return t >= 0 && t < slowlogTimeAllBelow || db.latency.threshold.Load() > 0
}

// slowlogPush logs s's call of cmd with args, which took nanos (-1: not
// timed), if it took long enough; script: a script's call.
func (db *DB) slowlogPush(s *Session, cmd *Command, args [][]byte, nanos int64, script bool) {
	if nanos < 0 {
		return
	}
	sl := &db.slowlog
	threshold := sl.slowerThan.Load()
	duration := nanos / 1000
	if threshold < 0 || duration < threshold || cmd.Flags&FlagSkipSlowlog != 0 {
		return
	}
	peer, name := "?:0", ""
	var hidden func(int) bool
	if !script {
		name = s.Name
		if f := sl.peer.Load(); f != nil {
			peer, hidden = (*f)(s, cmd, args)
		}
	}
	e := slowlogEntry{unix: time.Now().Unix(), duration: duration, peer: peer, name: name}
	argc := min(len(args), slowlogMaxArgc)
	e.args = make([][]byte, argc)
	for j := range argc {
		switch {
		case argc != len(args) && j == argc-1:
			e.args[j] = fmt.Appendf(nil, "... (%d more arguments)", len(args)-argc+1)
		case hidden != nil && hidden(j):
			e.args[j] = []byte("(redacted)")
		case len(args[j]) > slowlogMaxString:
			e.args[j] = fmt.Appendf(append([]byte(nil), args[j][:slowlogMaxString]...), "... (%d more bytes)", len(args[j])-slowlogMaxString)
		default:
			e.args[j] = append([]byte{}, args[j]...)
		}
	}
	sl.mu.Lock()
	defer sl.mu.Unlock()
	e.id = sl.nextID
	sl.nextID++
	sl.entries = append(sl.entries, e)
	sl.trimLocked()
}

// trimLocked drops the oldest entries past slowlog-max-len; sl.mu held.
func (sl *slowlogState) trimLocked() {
	if n := int64(len(sl.entries)) - sl.maxLen.Load(); n > 0 {
		sl.entries = append(sl.entries[:0], sl.entries[n:]...)
	}
}

func cmdSlowlogGet(c *Ctx) {
	sl := &c.DB.slowlog
	count := int64(10)
	if len(c.Args) > 3 {
		c.Error(subcommandSyntaxError(c))
		return
	}
	if len(c.Args) == 3 {
		n, ok := parseInt(c.Args[2])
		if !ok || n < -1 {
			c.Error("ERR count should be greater than or equal to -1")
			return
		}
		count = n
	}
	sl.mu.Lock()
	defer sl.mu.Unlock()
	if count == -1 || count > int64(len(sl.entries)) {
		count = int64(len(sl.entries))
	}
	c.R.Array(int(count))
	for i := len(sl.entries) - 1; i >= len(sl.entries)-int(count); i-- {
		e := &sl.entries[i]
		c.R.Array(6)
		c.R.Int(e.id)
		c.R.Int(e.unix)
		c.R.Int(e.duration)
		c.R.Array(len(e.args))
		for _, a := range e.args {
			c.R.Bulk(a)
		}
		c.R.BulkString(e.peer)
		c.R.BulkString(e.name)
	}
}

func cmdSlowlogLen(c *Ctx) {
	sl := &c.DB.slowlog
	sl.mu.Lock()
	n := len(sl.entries)
	sl.mu.Unlock()
	c.R.Int(int64(n))
}

func cmdSlowlogReset(c *Ctx) {
	sl := &c.DB.slowlog
	sl.mu.Lock()
	sl.entries = nil
	sl.mu.Unlock()
	c.OK()
}

func cmdSlowlogHelp(c *Ctx) {
	ReplyHelp(c, "SLOWLOG", []string{
		"GET [<count>]",
		"    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
		"    Entries are made of:",
		"    id, timestamp, time in microseconds, arguments array, client IP and port,",
		"    client name",
		"LEN",
		"    Return the length of the slowlog.",
		"RESET",
		"    Reset the slowlog.",
	})
}

func init() {
	sub := func(arity int, flags Flags, summary, since string, h func(*Ctx)) *Command {
		return &Command{Arity: arity, Flags: flags | FlagNoLock, ACL: []string{"admin", "slow", "dangerous"}, Group: "server", Summary: summary, Since: since, Handler: h}
	}
	Register(&Command{Name: "slowlog", Arity: -2, ACL: []string{"slow"}, Group: "server", Summary: "A container for slow log commands.", Since: "2.2.12", Subs: map[string]*Command{
		"get":   sub(-2, FlagAdmin|FlagLoading|FlagStale, "Returns the slow log's entries.", "2.2.12", cmdSlowlogGet),
		"len":   sub(2, FlagAdmin|FlagLoading|FlagStale, "Returns the number of entries in the slow log.", "2.2.12", cmdSlowlogLen),
		"reset": sub(2, FlagAdmin|FlagLoading|FlagStale, "Clears all entries from the slow log.", "2.2.12", cmdSlowlogReset),
		"help":  {Arity: 2, Flags: FlagLoading | FlagStale | FlagNoLock, ACL: []string{"slow"}, Group: "server", Summary: "Show helpful text about the different subcommands", Since: "6.2.0", Handler: cmdSlowlogHelp},
	}})
}
