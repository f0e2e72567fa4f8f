package server

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/keeldb/keel"
)

// MONITOR: a client that runs it gets, for every command any client runs
// afterwards (keel's monitor feed: what Redis's call() feeds, see
// monitor.go in package keel), a status line
//
//	+<unix seconds>.<microseconds> [<db> <client address>] "ARG" "ARG" ...
//
// with each argument quoted as sdscatrepr quotes it and the secrets of
// AUTH and HELLO ... AUTH shown as "(redacted)", as Redis 7.0 does. The
// lines reach the monitors as Pub/Sub messages do (pubsub.go's delivery:
// at once to a monitor the issuing client's owner owns, else through its
// mailbox), so a monitor's own PING is answered, then fed to it.
//
// A monitor is a replica to Redis: it may not run commands that touch the
// keyspace (keel's Exec refuses them), it is exempt from timeout, CLIENT
// LIST flags it O, and RESET or QUIT ends it.

func cmdMonitor(x *keel.Ctx) {
	if x.InTransaction() {
		x.R.Error("ERR MONITOR isn't allowed for DENY BLOCKING client")
		return
	}
	c := cl(x)
	if c.sess.Monitor {
		return // Redis ignores it, and replies nothing
	}
	c.sess.Monitor = true
	c.srv.pubsub.addMonitor(c, c.srv.db)
	x.R.Simple("OK")
}

// addMonitor adds c to the monitors, turning the feed on.
func (h *pubsubHub) addMonitor(c *client, db *keel.DB) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.monitors == nil {
		h.monitors = map[*client]struct{}{}
	}
	h.monitors[c] = struct{}{}
	c.monitoring.Store(true)
	db.SetMonitoring(true)
}

// removeMonitor takes c out of the monitors, turning the feed off after
// the last one.
func (h *pubsubHub) removeMonitor(c *client, db *keel.DB) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.monitors, c)
	c.monitoring.Store(false)
	db.SetMonitoring(len(h.monitors) > 0)
}

// endMonitor ends c's monitoring: RESET, and a closing connection.
func (c *client) endMonitor() {
	if c.sess.Monitor {
		c.sess.Monitor = false
		c.srv.pubsub.removeMonitor(c, c.srv.db)
	}
}

// feedMonitors is keel's MonitorFeed: the line for cmd, run by s with
// args, to every monitor.
func (s *Server) feedMonitors(sess *keel.Session, cmd *keel.Command, args [][]byte) {
	from, _ := sess.Ext.(*client)
	if from == nil {
		return
	}
	now := time.Now()
	line := make([]byte, 0, 64)
	line = strconv.AppendInt(line, now.Unix(), 10)
	line = append(line, '.')
	us := strconv.AppendInt(nil, int64(now.Nanosecond()/1000), 10)
	line = append(line, "000000"[len(us):]...)
	line = append(line, us...)
	line = append(line, " ["...)
	line = strconv.AppendInt(line, int64(sess.DB), 10)
	line = append(line, ' ')
	if sess.InScript {
		line = append(line, "lua"...)
	} else {
		line = append(line, from.addr...)
	}
	line = append(line, ']')
	hidden := redacted(s.db, cmd, args)
	for i, a := range args {
		line = append(line, ' ')
		if hidden(i) {
			line = append(line, `"(redacted)"`...)
			continue
		}
		line = appendRepr(line, a)
	}
	s.pubsub.feed(&message{monitor: true, payload: line}, from)
}

// redacted reports which of args Redis shows as "(redacted)": AUTH's
// arguments, and the username and password of each AUTH option of HELLO,
// found as helloCommand parses its options (AUTH takes two, SETNAME one;
// an option it does not know, or an AUTH that fails, ends the parse, and
// the command fails).
func redacted(db *keel.DB, cmd *keel.Command, args [][]byte) func(i int) bool {
	switch cmd.Name {
	case "auth":
		return func(i int) bool { return i >= 1 }
	case "hello":
		var secret []int
	parse:
		for j := 2; j < len(args); j++ {
			more := len(args) - 1 - j
			switch opt := string(args[j]); {
			case strings.EqualFold(opt, "auth") && more >= 2:
				secret = append(secret, j+1, j+2)
				if !helloAuth(db, string(args[j+1]), string(args[j+2])) {
					break parse
				}
				j += 2
			case strings.EqualFold(opt, "setname") && more >= 1:
				j++
			default:
				break parse
			}
		}
		return func(i int) bool { return slices.Contains(secret, i) }
	}
	return func(int) bool { return false }
}

// feed delivers a monitor line to every monitor.
func (h *pubsubHub) feed(m *message, from *client) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for c := range h.monitors {
		c.deliver(delivery{m: m}, from)
	}
}
