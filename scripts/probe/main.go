// Command probe measures what redis-benchmark cannot, for scripts/bench.sh,
// against any RESP server (keel or redis-server):
//
//	probe pingpong -addr A -n N
//	    BLPOP/LPUSH ping-pong between two connections: one client blocks in
//	    BLPOP, the other pushes; each round trip hands one element over.
//	    Prints round trips per second.
//	probe ckptpause -addr A -d DURATION
//	    Sends one small write at a time (to the keys list, set and zset and
//	    a side key) on one connection while another runs BGSAVE and polls
//	    INFO persistence
//	    until the background save has finished. Prints the latencies seen
//	    by writes issued during the save: count, p50, p99.9 and max, and
//	    the save's wall time.
//	probe load -addr A -type list|set|zset -key K -n N
//	    Fills one key with N elements (batches of 1000 per command).
//	probe xgroup -addr A -n N -clients C
//	    Prefills the stream probe:xg with N entries (field value), creates
//	    the group g at 0, then runs C consumers, one connection each, each
//	    looping XREADGROUP GROUP g c<i> COUNT 10 STREAMS probe:xg > and
//	    XACK of the ids it read, until the group has nothing new. Prints
//	    entries consumed (read and acknowledged) per second.
//	probe bigload -addr A [layout flags] -clients C
//	    Writes the larger-than-memory dataset: -hashes hashes big:h:<i> of
//	    -fields fields f<j>, and -streams streams big:s:<k> of -entries
//	    entries with ids <e>-0 (e from 1) and one field v; every value is
//	    -value bytes of pseudo-random text. C connections, pipelined.
//	probe bigread -addr A [layout flags] -op xadd|xrange|hget|hgetall -d D -clients C -pipe P
//	    For D, C connections each send P commands at a time, at random
//	    keys and offsets over the bigload layout: XADD big:s:<k> * v <value>,
//	    XRANGE big:s:<k> <e> + COUNT 100, HGET big:h:<i> f<j>, HGETALL
//	    big:h:<i>. Replies are checked for shape (an XRANGE returns 100
//	    entries, an HGET -value bytes, an HGETALL 2*fields items). Prints
//	    operations per second.
//
// Output is one line of key=value pairs.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: probe pingpong|ckptpause|load|xgroup|bigload|bigread [flags]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:6379", "server address")
	n := fs.Int("n", 100000, "round trips (pingpong), elements (load) or stream entries (xgroup)")
	d := fs.Duration("d", 0, "ckptpause: extra time to keep probing after the save; bigread: how long to run")
	typ := fs.String("type", "list", "load: list, set or zset")
	key := fs.String("key", "k", "load: the key")
	clients := fs.Int("clients", 50, "xgroup: consumers; bigload, bigread: connections")
	pipe := fs.Int("pipe", 1, "bigread: commands in flight per connection")
	op := fs.String("op", "hget", "bigread: xadd, xrange, hget or hgetall")
	var lay bigLayout
	fs.IntVar(&lay.hashes, "hashes", 1000, "bigload, bigread: hashes")
	fs.IntVar(&lay.fields, "fields", 100, "bigload, bigread: fields per hash")
	fs.IntVar(&lay.streams, "streams", 8, "bigload, bigread: streams")
	fs.IntVar(&lay.entries, "entries", 10000, "bigload, bigread: entries per stream")
	fs.IntVar(&lay.value, "value", 1000, "bigload, bigread: bytes per value")
	fs.Parse(os.Args[2:])
	var err error
	switch os.Args[1] {
	case "pingpong":
		err = pingpong(*addr, *n)
	case "ckptpause":
		err = ckptpause(*addr, *d)
	case "load":
		err = load(*addr, *typ, *key, *n)
	case "xgroup":
		err = xgroup(*addr, *n, *clients)
	case "bigload":
		err = bigload(*addr, lay, *clients)
	case "bigread":
		err = bigread(*addr, lay, *op, *d, *clients, *pipe)
	default:
		err = fmt.Errorf("unknown mode %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "probe:", err)
		os.Exit(1)
	}
}

// conn is a minimal RESP2 client: one command, one reply.
type conn struct {
	nc net.Conn
	r  *bufio.Reader
	w  *bufio.Writer
}

func dial(addr string) (*conn, error) {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &conn{nc: nc, r: bufio.NewReaderSize(nc, 1<<16), w: bufio.NewWriterSize(nc, 1<<16)}, nil
}

func (c *conn) send(args ...string) {
	fmt.Fprintf(c.w, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(c.w, "$%d\r\n%s\r\n", len(a), a)
	}
}

func (c *conn) do(args ...string) (string, error) {
	c.send(args...)
	if err := c.w.Flush(); err != nil {
		return "", err
	}
	return c.read()
}

// read returns a reply flattened to text (arrays joined by spaces).
func (c *conn) read() (string, error) {
	line, err := c.r.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	switch line[0] {
	case '+', ':':
		return line[1:], nil
	case '-':
		return "", fmt.Errorf("server error: %s", line[1:])
	case '$':
		n, _ := strconv.Atoi(line[1:])
		if n < 0 {
			return "", nil
		}
		b := make([]byte, n+2)
		if _, err := readFull(c.r, b); err != nil {
			return "", err
		}
		return string(b[:n]), nil
	case '*':
		n, _ := strconv.Atoi(line[1:])
		parts := make([]string, 0, max(n, 0))
		for range n {
			p, err := c.read()
			if err != nil {
				return "", err
			}
			parts = append(parts, p)
		}
		return strings.Join(parts, " "), nil
	}
	return "", fmt.Errorf("unexpected reply %q", line)
}

func readFull(r *bufio.Reader, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := r.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func pingpong(addr string, n int) error {
	a, err := dial(addr)
	if err != nil {
		return err
	}
	b, err := dial(addr)
	if err != nil {
		return err
	}
	if _, err := a.do("DEL", "probe:pp"); err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() {
		for range n {
			if _, err := a.do("BLPOP", "probe:pp", "0"); err != nil {
				errc <- err
				return
			}
			if _, err := a.do("LPUSH", "probe:ack", "x"); err != nil {
				errc <- err
				return
			}
		}
		errc <- nil
	}()
	t0 := time.Now()
	for range n {
		if _, err := b.do("LPUSH", "probe:pp", "x"); err != nil {
			return err
		}
		if _, err := b.do("BLPOP", "probe:ack", "0"); err != nil {
			return err
		}
	}
	if err := <-errc; err != nil {
		return err
	}
	el := time.Since(t0)
	fmt.Printf("round_trips=%d seconds=%.3f rtps=%.0f\n", n, el.Seconds(), float64(n)/el.Seconds())
	return nil
}

func ckptpause(addr string, extra time.Duration) error {
	w, err := dial(addr)
	if err != nil {
		return err
	}
	ctl, err := dial(addr)
	if err != nil {
		return err
	}
	type sample struct {
		at  time.Time
		lat time.Duration
	}
	stop := make(chan struct{})
	res := make(chan []sample, 1)
	go func() {
		var ss []sample
		for i := 0; ; i++ {
			select {
			case <-stop:
				res <- ss
				return
			default:
			}
			t := time.Now()
			cmd := probeWrites[i%len(probeWrites)]
			if _, err := w.do(cmd...); err != nil {
				fmt.Fprintln(os.Stderr, "probe: write:", err)
				res <- ss
				return
			}
			ss = append(ss, sample{t, time.Since(t)})
		}
	}()
	time.Sleep(500 * time.Millisecond) // writes before the save, for contrast
	start := time.Now()
	if _, err := ctl.do("BGSAVE"); err != nil {
		return err
	}
	for {
		info, err := ctl.do("INFO", "persistence")
		if err != nil {
			return err
		}
		if !strings.Contains(info, "rdb_bgsave_in_progress:1") && !strings.Contains(info, "checkpoint_in_progress:1") {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	end := time.Now()
	time.Sleep(extra)
	close(stop)
	ss := <-res
	var during []time.Duration
	var worst sample
	for _, s := range ss {
		if !s.at.Before(start) && s.at.Before(end) {
			during = append(during, s.lat)
			if s.lat > worst.lat {
				worst = s
			}
		}
	}
	if len(during) == 0 {
		return fmt.Errorf("no write was issued during the save (%v)", end.Sub(start))
	}
	slices.Sort(during)
	q := func(p float64) time.Duration { return during[min(len(during)-1, int(p*float64(len(during))))] }
	fork := ""
	if info, err := ctl.do("INFO", "stats"); err == nil {
		for _, l := range strings.Fields(info) {
			if strings.HasPrefix(l, "latest_fork_usec:") {
				fork = " latest_fork_usec=" + strings.TrimPrefix(l, "latest_fork_usec:")
			}
		}
	}
	fmt.Printf("save_ms=%.1f writes=%d p50_ms=%.3f p999_ms=%.3f max_ms=%.3f max_at_ms=%.1f%s\n",
		float64(end.Sub(start).Microseconds())/1000, len(during),
		ms(q(0.5)), ms(q(0.999)), ms(during[len(during)-1]), float64(worst.at.Sub(start).Microseconds())/1000, fork)
	return nil
}

// probeWrites are the writes ckptpause cycles through: each pair leaves
// the data as it was, and they hit the large values the bench loads
// (keys list, set and zset), so a write pays whatever copy-on-write a
// checkpoint costs it.
var probeWrites = [][]string{
	{"RPUSH", "list", "probe"}, {"RPOP", "list"},
	{"SADD", "set", "probe"}, {"SREM", "set", "probe"},
	{"ZADD", "zset", "1", "probe"}, {"ZREM", "zset", "probe"},
	{"RPUSH", "probe:lat", "x"}, {"LPOP", "probe:lat"},
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func load(addr, typ, key string, n int) error {
	c, err := dial(addr)
	if err != nil {
		return err
	}
	const batch = 1000
	pending := 0
	for i := 0; i < n; i += batch {
		var args []string
		switch typ {
		case "list":
			args = []string{"RPUSH", key}
		case "set":
			args = []string{"SADD", key}
		case "zset":
			args = []string{"ZADD", key}
		default:
			return fmt.Errorf("unknown type %q", typ)
		}
		for j := i; j < min(i+batch, n); j++ {
			m := fmt.Sprintf("element:%09d", j)
			if typ == "zset" {
				args = append(args, strconv.Itoa(j*7919%n))
			}
			args = append(args, m)
		}
		c.send(args...)
		if pending++; pending == 16 {
			if err := c.drain(pending); err != nil {
				return err
			}
			pending = 0
		}
	}
	if err := c.drain(pending); err != nil {
		return err
	}
	fmt.Printf("loaded=%d type=%s key=%s\n", n, typ, key)
	return nil
}

func (c *conn) drain(k int) error {
	if err := c.w.Flush(); err != nil {
		return err
	}
	for range k {
		if _, err := c.read(); err != nil {
			return err
		}
	}
	return nil
}
