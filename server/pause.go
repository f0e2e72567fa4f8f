package server

import (
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/keeldb/keel"
)

// CLIENT PAUSE and CLIENT UNPAUSE. keel's Exec decides what a pause covers
// and postpones it (keel's pause.go); the server holds the client that got
// a postponed command and runs that command again once the pause ends,
// then the rest of its pipeline, in the order the clients were held:
//
//   - a loop's client waits in the loop (loopState.waitPause, its command
//     kept in loopState.postponed): the loop neither reads nor runs it
//     until msgUnpause;
//   - a goroutine's client waits for the pause's channel (pauser.ch).
//
// A pause ends at its time (a timer, re-armed when a pause extends it) or
// at CLIENT UNPAUSE. Held clients count in INFO's blocked_clients, as
// Redis counts its postponed clients.

// pauser is the server's pause: the channel that a goroutine's held
// client waits on (closed when the pause ends, then replaced), and the
// timer of its end.
type pauser struct {
	mu    sync.Mutex
	ch    chan struct{}
	timer *time.Timer
	held  int64 // clients held, for INFO (guarded by mu)
}

func cmdClientPause(c *keel.Ctx) {
	if len(c.Args) > 4 {
		c.SubcommandSyntaxError()
		return
	}
	mode := keel.PauseAll
	if len(c.Args) == 4 {
		switch strings.ToLower(string(c.Args[3])) {
		case "write":
			mode = keel.PauseWrite
		case "all":
		default:
			c.R.Error("ERR CLIENT PAUSE mode must be WRITE or ALL")
			return
		}
	}
	ms, err := strconv.ParseInt(string(c.Args[2]), 10, 64)
	switch {
	case err != nil:
		c.R.Error("ERR timeout is not an integer or out of range")
		return
	case ms < 0:
		c.R.Error("ERR timeout is negative")
		return
	}
	// The end wraps past the largest time as Redis's mstime()+timeout
	// does (a pause that ends at once), and stops at 2262, the last time
	// in nanoseconds (a pause that does not end).
	now := time.Now().UnixMilli()
	end := now + ms
	if end >= 0 {
		end = min(end, math.MaxInt64/int64(time.Millisecond))
	}
	cl(c).srv.startPause(mode, time.UnixMilli(end))
	c.R.Simple("OK")
}

func cmdClientUnpause(c *keel.Ctx) {
	cl(c).srv.endPause(true)
	c.R.Simple("OK")
}

// startPause starts or extends the pause and arms its end.
func (s *Server) startPause(mode keel.PauseMode, end time.Time) {
	s.db.Pause(mode, end)
	p := &s.pause
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ch == nil {
		p.ch = make(chan struct{})
	}
	until, _ := s.db.PauseEnd()
	if p.timer != nil {
		p.timer.Stop()
	}
	p.timer = time.AfterFunc(time.Until(until), func() { s.endPause(false) })
}

// endPause ends the pause (now: CLIENT UNPAUSE; else its timer, which
// re-arms when the pause was extended past it) and lets the held clients
// go.
func (s *Server) endPause(now bool) {
	p := &s.pause
	p.mu.Lock()
	if !now {
		if until, on := s.db.PauseEnd(); on && time.Now().Before(until) {
			p.timer = time.AfterFunc(time.Until(until), func() { s.endPause(false) })
			p.mu.Unlock()
			return
		}
	} else if p.timer != nil {
		p.timer.Stop()
	}
	s.db.Unpause()
	if p.ch != nil {
		close(p.ch)
		p.ch = make(chan struct{})
	}
	// p.mu is let go before s.mu is taken: Close takes s.mu, then p.mu
	// (stopPause).
	p.mu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.closed:
		return // the loops are going: nothing to resume
	default:
	}
	for _, lp := range s.loops {
		lp.post(loopMsg{kind: msgUnpause})
	}
}

// stopPause stops the pause's timer (Server.Close).
func (s *Server) stopPause() {
	p := &s.pause
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.timer != nil {
		p.timer.Stop()
	}
}

// holding counts a client held by the pause in (n 1) or out (-1).
func (s *Server) holding(n int64) {
	s.pause.mu.Lock()
	s.pause.held += n
	s.pause.mu.Unlock()
}

// heldClients is how many clients the pause holds (INFO).
func (s *Server) heldClients() int64 {
	s.pause.mu.Lock()
	defer s.pause.mu.Unlock()
	return s.pause.held
}

// waitPause holds a goroutine's client until the pause ends; false when
// the server closes meanwhile.
func (c *client) waitPause() bool {
	s := c.srv
	s.pause.mu.Lock()
	ch := s.pause.ch
	s.pause.mu.Unlock()
	s.holding(1)
	defer s.holding(-1)
	if _, on := s.db.PauseEnd(); !on || ch == nil {
		return true // it ended before the client got its channel
	}
	select {
	case <-ch:
		return true
	case <-s.closed:
		return false
	}
}
