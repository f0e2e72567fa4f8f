package main

import (
	"log/slog"
	"net"
	"os"
	"syscall"
)

// supervised is redis.conf's supervised: how keel tells a supervisor it
// is ready, as Redis does. systemd: the datagram "STATUS=Ready to accept
// connections\nREADY=1\n" to $NOTIFY_SOCKET once keel serves, and
// "STOPPING=1\n" when it stops (sd_notify's protocol, a Unix datagram; a
// leading @ names an abstract socket). upstart: keel stops itself
// (SIGSTOP) once it serves, which upstart's "expect stop" waits for, and
// goes on when continued. auto: systemd when NOTIFY_SOCKET is set,
// upstart when UPSTART_JOB is, else nothing. no: nothing.
type supervisor struct {
	mode string // "systemd", "upstart" or ""
	log  *slog.Logger
}

func newSupervisor(setting string, log *slog.Logger) supervisor {
	mode := setting
	if setting == "auto" {
		switch {
		case os.Getenv("NOTIFY_SOCKET") != "":
			mode = "systemd"
		case os.Getenv("UPSTART_JOB") != "":
			mode = "upstart"
		default:
			mode = ""
		}
	}
	if mode == "no" {
		mode = ""
	}
	if mode == "systemd" && os.Getenv("NOTIFY_SOCKET") == "" {
		log.Warn("systemd supervision requested or auto-detected, but NOTIFY_SOCKET not found")
		mode = ""
	}
	return supervisor{mode: mode, log: log}
}

// ready tells the supervisor keel serves.
func (s supervisor) ready() {
	switch s.mode {
	case "systemd":
		s.notify("STATUS=Ready to accept connections\nREADY=1\n")
	case "upstart":
		s.log.Info("supervised by upstart, will stop to signal readiness")
		if err := syscall.Kill(os.Getpid(), syscall.SIGSTOP); err != nil {
			s.log.Warn("upstart: SIGSTOP", "err", err)
		}
		os.Unsetenv("UPSTART_JOB") // as Redis: children are not supervised
	}
}

// stopping tells the supervisor keel is shutting down.
func (s supervisor) stopping() {
	if s.mode == "systemd" {
		s.notify("STOPPING=1\n")
	}
}

// notify sends one sd_notify datagram.
func (s supervisor) notify(msg string) {
	path := os.Getenv("NOTIFY_SOCKET")
	if len(path) > 0 && path[0] == '@' {
		path = "\x00" + path[1:] // an abstract socket
	}
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		s.log.Warn("systemd notify", "socket", os.Getenv("NOTIFY_SOCKET"), "err", err)
		return
	}
	defer c.Close()
	if _, err := c.Write([]byte(msg)); err != nil {
		s.log.Warn("systemd notify", "err", err)
	}
}
