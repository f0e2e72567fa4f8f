package server

import (
	"maps"
	"net"
	"os"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// TestTCPKeepAlive: an accepted connection's keep-alive is Redis's
// anetKeepAlive for tcp-keepalive N (first probe after N idle seconds,
// then every N/3, dead after 3 unanswered), and tcp-keepalive 0 leaves
// the socket without keep-alive rather than with Go's 15 s default. The
// server's end of each connection is found among this process's sockets
// by its address pair.
func TestTCPKeepAlive(t *testing.T) {
	t.Parallel()
	k := startKeel(t, "tcp-keepalive", "120")
	want := map[string]int{"SO_KEEPALIVE": 1, "TCP_KEEPIDLE": 120, "TCP_KEEPINTVL": 40, "TCP_KEEPCNT": 3}
	if got := keepAliveOf(t, k.addr); !maps.Equal(got, want) {
		t.Fatalf("tcp-keepalive 120: server socket has %v, want %v", got, want)
	}
	if v, err := mustDialRESP(t, k.addr).Do("CONFIG", "SET", "tcp-keepalive", "0"); err != nil || v.Str != "OK" {
		t.Fatalf("CONFIG SET tcp-keepalive 0: %v %v", v, err)
	}
	if got := keepAliveOf(t, k.addr); got["SO_KEEPALIVE"] != 0 {
		t.Fatalf("tcp-keepalive 0: server socket has %v, want SO_KEEPALIVE 0", got)
	}
	// A setting below 3 still probes every second, as Redis's interval
	// of at least 1.
	if v, err := mustDialRESP(t, k.addr).Do("CONFIG", "SET", "tcp-keepalive", "2"); err != nil || v.Str != "OK" {
		t.Fatalf("CONFIG SET tcp-keepalive 2: %v %v", v, err)
	}
	want = map[string]int{"SO_KEEPALIVE": 1, "TCP_KEEPIDLE": 2, "TCP_KEEPINTVL": 1, "TCP_KEEPCNT": 3}
	if got := keepAliveOf(t, k.addr); !maps.Equal(got, want) {
		t.Fatalf("tcp-keepalive 2: server socket has %v, want %v", got, want)
	}
}

// keepAliveOf connects to addr, waits for a reply (the server has then
// set the connection up) and returns the keep-alive options of the
// server's end, read from this process's descriptors.
func keepAliveOf(t *testing.T, addr string) map[string]int {
	t.Helper()
	c := mustDialRESP(t, addr)
	if v, err := c.Do("PING"); err != nil || v.Str != "PONG" {
		t.Fatalf("PING: %v %v", v, err)
	}
	srvAddr := c.nc.RemoteAddr().(*net.TCPAddr)
	cliAddr := c.nc.LocalAddr().(*net.TCPAddr)
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		fd, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		local, err1 := unix.Getsockname(fd)
		peer, err2 := unix.Getpeername(fd)
		if err1 != nil || err2 != nil || !sameInet4(local, srvAddr) || !sameInet4(peer, cliAddr) {
			continue
		}
		got := map[string]int{}
		for name, opt := range map[string][2]int{
			"SO_KEEPALIVE":  {unix.SOL_SOCKET, unix.SO_KEEPALIVE},
			"TCP_KEEPIDLE":  {unix.IPPROTO_TCP, unix.TCP_KEEPIDLE},
			"TCP_KEEPINTVL": {unix.IPPROTO_TCP, unix.TCP_KEEPINTVL},
			"TCP_KEEPCNT":   {unix.IPPROTO_TCP, unix.TCP_KEEPCNT},
		} {
			v, err := unix.GetsockoptInt(fd, opt[0], opt[1])
			if err != nil {
				t.Fatalf("getsockopt %s: %v", name, err)
			}
			got[name] = v
		}
		return got
	}
	t.Fatalf("no socket of this process is the server's end of %v -> %v", cliAddr, srvAddr)
	return nil
}

func sameInet4(sa unix.Sockaddr, a *net.TCPAddr) bool {
	s4, ok := sa.(*unix.SockaddrInet4)
	return ok && s4.Port == a.Port && net.IP(s4.Addr[:]).Equal(a.IP)
}
