package server

import (
	"bytes"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Connection handling, in both models: event loops (event-loops 1, the
// default on small machines) and a goroutine per connection (0). The rest
// of the package's tests run with the default; these cover what differs
// between the models: sockets that fill up, requests that trickle in,
// half-closed connections, idle timeouts, blocked clients that are killed
// or hang up.

func forEachModel(t *testing.T, fn func(t *testing.T, ks *keelServer)) {
	for _, loops := range []string{"0", "1", "2"} {
		t.Run("event-loops="+loops, func(t *testing.T) {
			t.Parallel()
			fn(t, startKeel(t, "event-loops", loops))
		})
	}
}

// TestConnSlowReader: a client that pipelines far more reply than a socket
// holds and reads it late gets every reply, in order, and meanwhile the
// server keeps serving others promptly (a full socket parks its client,
// not the loop).
func TestConnSlowReader(t *testing.T) {
	forEachModel(t, func(t *testing.T, ks *keelServer) {
		c := mustDialRESP(t, ks.addr)
		val := strings.Repeat("v", 256<<10)
		if v, err := c.Do("SET", "big", val); err != nil || v.Str != "OK" {
			t.Fatalf("SET: %v %v", v, err)
		}
		const n = 128 // 32 MiB of replies
		var req bytes.Buffer
		for i := range n {
			req.Write(encodeCommand([]string{"GETRANGE", "big", strconv.Itoa(i), "-1"}))
		}
		if err := c.WriteRaw(req.Bytes()); err != nil {
			t.Fatal(err)
		}
		// The server cannot write all that until c reads: another client
		// must not wait for it.
		other := mustDialRESP(t, ks.addr)
		for range 20 {
			start := time.Now()
			if v, err := other.Do("PING"); err != nil || v.Str != "PONG" {
				t.Fatalf("PING while a reader is slow: %v %v", v, err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("PING took %v while another client's socket was full", d)
			}
			time.Sleep(10 * time.Millisecond)
		}
		for i := range n {
			v, err := c.Read()
			if err != nil {
				t.Fatalf("reply %d: %v", i, err)
			}
			if len(v.Str) != len(val)-i {
				t.Fatalf("reply %d: %d bytes, want %d", i, len(v.Str), len(val)-i)
			}
		}
	})
}

// TestConnTrickle: a request sent a byte at a time, and a pipeline split at
// every position, are parsed as if sent at once.
func TestConnTrickle(t *testing.T) {
	forEachModel(t, func(t *testing.T, ks *keelServer) {
		c := mustDialRESP(t, ks.addr)
		req := append(encodeCommand([]string{"SET", "k", "hello"}), "GET k\r\n"...)
		for i := range req {
			if err := c.WriteRaw(req[i : i+1]); err != nil {
				t.Fatal(err)
			}
			if i%7 == 0 {
				time.Sleep(time.Millisecond)
			}
		}
		if v, err := c.Read(); err != nil || v.Str != "OK" {
			t.Fatalf("SET sent a byte at a time: %v %v", v, err)
		}
		if v, err := c.Read(); err != nil || v.Str != "hello" {
			t.Fatalf("inline GET sent a byte at a time: %v %v", v, err)
		}
	})
}

// TestConnHalfClose: requests followed by the client's FIN are executed
// and answered before the server closes.
func TestConnHalfClose(t *testing.T) {
	forEachModel(t, func(t *testing.T, ks *keelServer) {
		c := mustDialRESP(t, ks.addr)
		if err := c.WriteRaw([]byte("SET a 1\r\nINCR a\r\n")); err != nil {
			t.Fatal(err)
		}
		if err := c.nc.(*net.TCPConn).CloseWrite(); err != nil {
			t.Fatal(err)
		}
		replies, closed := c.ReadUntilClosed(5 * time.Second)
		if len(replies) != 2 || replies[0].Str != "OK" || replies[1].Int != 2 || !closed {
			t.Fatalf("replies %v, closed %v; want [OK 2], closed", replies, closed)
		}
	})
}

// TestConnIdleTimeout: with timeout set, an idle client is closed, a busy
// one and a blocked one (whose command has its own timeout) are not.
func TestConnIdleTimeout(t *testing.T) {
	forEachModel(t, func(t *testing.T, ks *keelServer) {
		admin := mustDialRESP(t, ks.addr)
		idle := mustDialRESP(t, ks.addr)
		blocked := mustDialRESP(t, ks.addr)
		if v, err := idle.Do("PING"); err != nil || v.Str != "PONG" {
			t.Fatalf("PING: %v %v", v, err)
		}
		if err := blocked.Send("BLPOP", "nothing", "0"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond) // BLPOP is waiting
		if v, err := admin.Do("CONFIG", "SET", "timeout", "1"); err != nil || v.Str != "OK" {
			t.Fatalf("CONFIG SET timeout: %v %v", v, err)
		}
		// A connection's goroutine (event-loops 0) arms the timeout when it
		// starts waiting for a request: the idle client's next wait counts.
		if v, err := idle.Do("PING"); err != nil || v.Str != "PONG" {
			t.Fatalf("PING: %v %v", v, err)
		}
		deadline := time.Now().Add(4 * time.Second)
		for time.Now().Before(deadline) {
			if v, err := admin.Do("PING"); err != nil || v.Str != "PONG" {
				t.Fatalf("a busy client was closed: %v %v", v, err)
			}
			time.Sleep(200 * time.Millisecond)
		}
		if replies, closed := idle.ReadUntilClosed(3 * time.Second); !closed || len(replies) != 0 {
			t.Fatalf("idle client: replies %v, closed %v; want closed", replies, closed)
		}
		if v, err := admin.Do("CONFIG", "SET", "timeout", "0"); err != nil || v.Str != "OK" {
			t.Fatalf("CONFIG SET timeout: %v %v", v, err)
		}
		if v, err := admin.Do("RPUSH", "nothing", "x"); err != nil || v.Int != 0 && v.Int != 1 {
			t.Fatalf("RPUSH: %v %v", v, err)
		}
		v, err := blocked.Read()
		if err != nil || len(v.Elems) != 2 || v.Elems[1].Str != "x" {
			t.Fatalf("blocked client after the timeout: %v %v; want [nothing x]", v, err)
		}
	})
}

// TestConnKillBlocked: CLIENT KILL of a blocked client closes it without
// serving it, and the element stays for the next client; a blocked client
// that hangs up is likewise never served.
func TestConnKillBlocked(t *testing.T) {
	forEachModel(t, func(t *testing.T, ks *keelServer) {
		admin := mustDialRESP(t, ks.addr)
		victim := mustDialRESP(t, ks.addr)
		leaver := mustDialRESP(t, ks.addr)
		id, err := victim.Do("CLIENT", "ID")
		if err != nil {
			t.Fatal(err)
		}
		victim.Send("BLPOP", "q", "0")
		leaver.Send("BLPOP", "q", "0")
		time.Sleep(50 * time.Millisecond)
		leaver.Close()
		if v, err := admin.Do("CLIENT", "KILL", "ID", strconv.FormatInt(id.Int, 10)); err != nil || v.Int != 1 {
			t.Fatalf("CLIENT KILL: %v %v", v, err)
		}
		if replies, closed := victim.ReadUntilClosed(3 * time.Second); !closed || len(replies) != 0 {
			t.Fatalf("killed blocked client: replies %v, closed %v", replies, closed)
		}
		// Both are gone: the element stays.
		time.Sleep(50 * time.Millisecond)
		admin.Do("RPUSH", "q", "e")
		if v, err := admin.Do("LLEN", "q"); err != nil || v.Int != 1 {
			t.Fatalf("LLEN q after the blocked clients left: %v %v; want 1", v, err)
		}
		if v, err := admin.Do("INFO", "clients"); err != nil || !strings.Contains(v.Str, "connected_clients:1\r\n") || !strings.Contains(v.Str, "blocked_clients:0\r\n") {
			t.Fatalf("INFO clients: %v %v", v, err)
		}
	})
}
