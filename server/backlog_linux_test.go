package server

import (
	"net"
	"strconv"
	"testing"
	"time"
)

// TestTCPBacklog: Listen gives its socket tcp-backlog's backlog. Nothing
// accepts here, so the kernel completes backlog+1 connections and then
// drops the SYNs of the next (Linux's accept queue is full past
// sk_max_ack_backlog), which time out.
func TestTCPBacklog(t *testing.T) {
	t.Parallel()
	for _, backlog := range []int{2, 5} {
		cfg := NewConfig()
		for name, v := range map[string]string{"port": "0", "tcp-backlog": strconv.Itoa(backlog)} {
			if err := cfg.Set(name, v, true); err != nil {
				t.Fatal(err)
			}
		}
		s := &Server{cfg: cfg, log: quietLogger()}
		if err := s.Listen(); err != nil {
			t.Fatal(err)
		}
		var conns []net.Conn
		for range backlog + 3 {
			c, err := net.DialTimeout("tcp", s.Addr().String(), time.Second)
			if err != nil {
				break
			}
			conns = append(conns, c)
		}
		for _, c := range conns {
			c.Close()
		}
		s.ln.Close()
		if len(conns) != backlog+1 {
			t.Fatalf("tcp-backlog %d: %d connections completed without an accept, want %d", backlog, len(conns), backlog+1)
		}
	}
}
