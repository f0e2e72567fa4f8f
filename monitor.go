package keel

import "sync/atomic"

// The MONITOR feed: every command a client runs, as Redis's call() feeds
// it to its monitors (replicationFeedMonitors), after it ran, with the
// database it left the client in. Commands refused before they ran
// (unknown, wrong arity, NOAUTH, OOM, ...) and commands queued by MULTI
// are not fed; EXEC feeds its queued commands as they run, then itself.
// Admin commands (CONFIG, CLIENT LIST, DEBUG, ...) are never fed, as in
// Redis; the server redacts AUTH's and HELLO's secrets.

// MonitorFeed receives one command that ran: args is the session's, valid
// only during the call.
type MonitorFeed func(s *Session, cmd *Command, args [][]byte)

// monitorState is the DB's feed: on while any monitor is connected.
type monitorState struct {
	on   atomic.Bool
	feed atomic.Pointer[MonitorFeed]
}

// SetMonitorFeed sets where commands are fed while monitoring is on.
func (db *DB) SetMonitorFeed(f MonitorFeed) { db.monitor.feed.Store(&f) }

// SetMonitoring turns the feed on (a monitor is connected) or off.
func (db *DB) SetMonitoring(on bool) { db.monitor.on.Store(on) }

// feedMonitors feeds cmd, which s just ran with args, when monitoring is
// on and the command is one Redis shows its monitors.
func (db *DB) feedMonitors(s *Session, cmd *Command, args [][]byte) {
	if cmd.Flags&(FlagAdmin|FlagSkipMonitor) != 0 {
		return
	}
	db.feedMonitorsAlways(s, cmd, args)
}

// feedMonitorsAlways feeds cmd even if it is skip_monitor: EVAL, which
// Redis feeds itself before its script's commands.
func (db *DB) feedMonitorsAlways(s *Session, cmd *Command, args [][]byte) {
	if !db.monitor.on.Load() {
		return
	}
	if f := db.monitor.feed.Load(); f != nil {
		(*f)(s, cmd, args)
	}
}
