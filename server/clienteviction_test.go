package server

import (
	"bufio"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestClientEviction: under maxmemory-clients, keel disconnects a client
// whose unfinished request grows past the limit, as redis-server does
// (both counting it in evicted_clients), and spares it when it set
// CLIENT NO-EVICT on; the other clients stay.
func TestClientEviction(t *testing.T) {
	p := newPair(t)
	for _, srv := range []struct{ name, addr string }{{"keel", p.keel.addr}, {"redis-server", p.oracle}} {
		ctl := mustDialRESP(t, srv.addr)
		for _, args := range [][]string{{"CONFIG", "RESETSTAT"}, {"CLIENT", "NO-EVICT", "ON"}, {"CONFIG", "SET", "maxmemory-clients", "1mb"}} {
			if v, err := ctl.Do(args...); err != nil || v.Str != "OK" {
				t.Fatalf("%s %q: %v %v", srv.name, args, v, err)
			}
		}
		t.Cleanup(func() { ctl.Do("CONFIG", "SET", "maxmemory-clients", "0") })
		if v, err := ctl.Do("CLIENT", "INFO"); err != nil || !strings.Contains(v.Str, " flags=e ") {
			t.Errorf("%s: CLIENT INFO of a NO-EVICT client: %v %v", srv.name, v.Str, err)
		}
		// big sends the start of a 4 MB argument and no more.
		big := func(noEvict bool) net.Conn {
			nc, err := net.Dial("tcp", srv.addr)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { nc.Close() })
			if noEvict {
				c := &respConn{nc: nc, br: bufio.NewReader(nc), timeout: 5 * time.Second}
				if v, err := c.Do("CLIENT", "NO-EVICT", "ON"); err != nil || v.Str != "OK" {
					t.Fatalf("%s: NO-EVICT: %v %v", srv.name, v, err)
				}
			}
			nc.Write([]byte("*2\r\n$4\r\nECHO\r\n$" + strconv.Itoa(4<<20) + "\r\n"))
			nc.Write([]byte(strings.Repeat("x", 2<<20)))
			return nc
		}
		// closed reports whether the server closed nc within d.
		closed := func(nc net.Conn, d time.Duration) bool {
			nc.SetReadDeadline(time.Now().Add(d))
			var b [1]byte
			_, err := nc.Read(b[:])
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				return false
			}
			return err != nil
		}
		evicted := func() string {
			v, err := ctl.Do("INFO", "stats")
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range strings.Split(v.Str, "\r\n") {
				if strings.HasPrefix(l, "evicted_clients:") {
					return strings.TrimPrefix(l, "evicted_clients:")
				}
			}
			return ""
		}
		spared := big(true)
		if closed(spared, 500*time.Millisecond) {
			t.Errorf("%s: a NO-EVICT client was disconnected", srv.name)
		}
		if got := evicted(); got != "0" {
			t.Errorf("%s: evicted_clients %s with NO-EVICT clients only", srv.name, got)
		}
		spared.Close()
		time.Sleep(100 * time.Millisecond) // its memory gone
		victim := big(false)
		if !closed(victim, 5*time.Second) {
			t.Errorf("%s: a client past maxmemory-clients was not disconnected", srv.name)
		}
		if got := evicted(); got != "1" {
			t.Errorf("%s: evicted_clients %s, want 1", srv.name, got)
		}
		if v, err := ctl.Do("PING"); err != nil || v.Str != "PONG" {
			t.Errorf("%s: the other client after the eviction: %v %v", srv.name, v, err)
		}
	}
}
