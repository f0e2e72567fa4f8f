package main

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// readAny returns one reply with its structure: a string (simple, integer
// or bulk), nil (null bulk or array), []any (array), or an error for an
// error reply.
func (c *conn) readAny() (any, error) {
	line, err := c.r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return nil, fmt.Errorf("empty reply line")
	}
	switch line[0] {
	case '+', ':':
		return line[1:], nil
	case '-':
		return nil, fmt.Errorf("server error: %s", line[1:])
	case '$':
		n, _ := strconv.Atoi(line[1:])
		if n < 0 {
			return nil, nil
		}
		b := make([]byte, n+2)
		if _, err := readFull(c.r, b); err != nil {
			return nil, err
		}
		return string(b[:n]), nil
	case '*':
		n, _ := strconv.Atoi(line[1:])
		if n < 0 {
			return nil, nil
		}
		items := make([]any, 0, n)
		for range n {
			v, err := c.readAny()
			if err != nil {
				return nil, err
			}
			items = append(items, v)
		}
		return items, nil
	}
	return nil, fmt.Errorf("unexpected reply %q", line)
}

func (c *conn) doAny(args ...string) (any, error) {
	c.send(args...)
	if err := c.w.Flush(); err != nil {
		return nil, err
	}
	return c.readAny()
}

// xgroup: N entries prefilled, then C consumers of one group, each
// reading COUNT 10 new entries at a time and acknowledging them.
func xgroup(addr string, n, clients int) error {
	const key, group = "probe:xg", "g"
	c, err := dial(addr)
	if err != nil {
		return err
	}
	if _, err := c.do("DEL", key); err != nil {
		return err
	}
	const batch = 1000
	for i := 0; i < n; i += batch {
		k := min(batch, n-i)
		for range k {
			c.send("XADD", key, "*", "field", "value")
		}
		if err := c.drain(k); err != nil {
			return err
		}
	}
	if _, err := c.do("XGROUP", "CREATE", key, group, "0"); err != nil {
		return err
	}
	conns := make([]*conn, clients)
	for i := range conns {
		if conns[i], err = dial(addr); err != nil {
			return err
		}
	}
	var consumed atomic.Int64
	errs := make([]error, clients)
	var wg sync.WaitGroup
	t0 := time.Now()
	for i, cc := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = consume(cc, key, group, "c"+strconv.Itoa(i), &consumed)
		}()
	}
	wg.Wait()
	el := time.Since(t0)
	if err := errors.Join(errs...); err != nil {
		return err
	}
	// Every entry read once and acknowledged: nothing pending.
	p, err := c.doAny("XPENDING", key, group)
	if err != nil {
		return err
	}
	if got := consumed.Load(); got != int64(n) {
		return fmt.Errorf("consumed %d entries, prefilled %d", got, n)
	}
	if ps, ok := p.([]any); !ok || len(ps) == 0 || ps[0] != "0" {
		return fmt.Errorf("XPENDING after the run: %v, want 0 pending", p)
	}
	fmt.Printf("entries=%d consumers=%d seconds=%.3f eps=%.0f\n", n, clients, el.Seconds(), float64(n)/el.Seconds())
	return nil
}

func consume(c *conn, key, group, name string, consumed *atomic.Int64) error {
	for {
		r, err := c.doAny("XREADGROUP", "GROUP", group, name, "COUNT", "10", "STREAMS", key, ">")
		if err != nil {
			return err
		}
		if r == nil {
			return nil // nothing new: the prefilled entries are all taken
		}
		// [[key, [[id, [field, value]], ...]]]
		streams, _ := r.([]any)
		if len(streams) != 1 {
			return fmt.Errorf("XREADGROUP reply %v", r)
		}
		kv, _ := streams[0].([]any)
		if len(kv) != 2 {
			return fmt.Errorf("XREADGROUP reply %v", r)
		}
		entries, _ := kv[1].([]any)
		if len(entries) == 0 {
			return nil
		}
		args := []string{"XACK", key, group}
		for _, e := range entries {
			ev, _ := e.([]any)
			if len(ev) != 2 {
				return fmt.Errorf("XREADGROUP entry %v", e)
			}
			id, _ := ev[0].(string)
			args = append(args, id)
		}
		a, err := c.do(args...)
		if err != nil {
			return err
		}
		if a != strconv.Itoa(len(entries)) {
			return fmt.Errorf("XACK of %d ids acknowledged %s", len(entries), a)
		}
		consumed.Add(int64(len(entries)))
	}
}

// bigLayout is the dataset bigload writes and bigread reads at random.
type bigLayout struct {
	hashes, fields, streams, entries, value int
}

// bigText is a fixed pseudo-random text values are cut from, so values
// are neither equal nor compressible.
var bigText = func() string {
	const a = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	r := rand.New(rand.NewPCG(42, 42))
	b := make([]byte, 1<<16)
	for i := range b {
		b[i] = a[r.IntN(len(a))]
	}
	return string(b)
}()

func (l bigLayout) val(seed int) string {
	off := (seed * 7919) % (len(bigText) - l.value)
	return bigText[off : off+l.value]
}

func bigload(addr string, l bigLayout, clients int) error {
	if l.value >= len(bigText) {
		return fmt.Errorf("-value must be under %d", len(bigText))
	}
	errs := make([]error, clients)
	var wg sync.WaitGroup
	t0 := time.Now()
	for w := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[w] = bigloadPart(addr, l, w, clients)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	el := time.Since(t0)
	mb := float64(l.hashes*l.fields+l.streams*l.entries) * float64(l.value) / (1 << 20)
	fmt.Printf("hashes=%d fields=%d streams=%d entries=%d value=%d data_mib=%.0f seconds=%.1f mibps=%.1f\n",
		l.hashes, l.fields, l.streams, l.entries, l.value, mb, el.Seconds(), mb/el.Seconds())
	return nil
}

// bigloadPart writes the hashes and streams whose index is w modulo n.
func bigloadPart(addr string, l bigLayout, w, n int) error {
	c, err := dial(addr)
	if err != nil {
		return err
	}
	pending := 0
	flush := func(limit int) error {
		if pending < limit {
			return nil
		}
		err := c.drain(pending)
		pending = 0
		return err
	}
	for h := w; h < l.hashes; h += n {
		args := []string{"HSET", "big:h:" + strconv.Itoa(h)}
		for f := range l.fields {
			args = append(args, "f"+strconv.Itoa(f), l.val(h*l.fields+f))
		}
		c.send(args...)
		pending++
		if err := flush(16); err != nil {
			return err
		}
	}
	for s := w; s < l.streams; s += n {
		key := "big:s:" + strconv.Itoa(s)
		for e := 1; e <= l.entries; e++ {
			c.send("XADD", key, strconv.Itoa(e)+"-0", "v", l.val(s*l.entries+e))
			pending++
			if err := flush(256); err != nil {
				return err
			}
		}
	}
	return flush(1)
}

func bigread(addr string, l bigLayout, op string, d time.Duration, clients, pipe int) error {
	if d <= 0 {
		return fmt.Errorf("bigread needs -d")
	}
	switch op {
	case "xadd", "xrange", "hget", "hgetall":
	default:
		return fmt.Errorf("unknown -op %q", op)
	}
	if op == "xrange" && l.entries < 100 {
		return fmt.Errorf("xrange needs -entries >= 100")
	}
	conns := make([]*conn, clients)
	for i := range conns {
		var err error
		if conns[i], err = dial(addr); err != nil {
			return err
		}
	}
	var ops atomic.Int64
	errs := make([]error, clients)
	var wg sync.WaitGroup
	t0 := time.Now()
	deadline := t0.Add(d)
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), uint64(t0.UnixNano())))
			for time.Now().Before(deadline) {
				for range pipe {
					c.send(bigCommand(l, op, r)...)
				}
				if err := c.w.Flush(); err != nil {
					errs[i] = err
					return
				}
				for range pipe {
					v, err := c.readAny()
					if err == nil {
						err = bigCheck(l, op, v)
					}
					if err != nil {
						errs[i] = err
						return
					}
				}
				ops.Add(int64(pipe))
			}
		}()
	}
	wg.Wait()
	el := time.Since(t0)
	if err := errors.Join(errs...); err != nil {
		return err
	}
	fmt.Printf("op=%s clients=%d pipe=%d ops=%d seconds=%.2f ops_per_sec=%.0f\n",
		op, clients, pipe, ops.Load(), el.Seconds(), float64(ops.Load())/el.Seconds())
	return nil
}

func bigCommand(l bigLayout, op string, r *rand.Rand) []string {
	switch op {
	case "xadd":
		s := r.IntN(l.streams)
		return []string{"XADD", "big:s:" + strconv.Itoa(s), "*", "v", l.val(r.IntN(1 << 20))}
	case "xrange":
		s := r.IntN(l.streams)
		e := 1 + r.IntN(l.entries-99) // 100 of the prefilled entries from e
		return []string{"XRANGE", "big:s:" + strconv.Itoa(s), strconv.Itoa(e), "+", "COUNT", "100"}
	case "hget":
		h, f := r.IntN(l.hashes), r.IntN(l.fields)
		return []string{"HGET", "big:h:" + strconv.Itoa(h), "f" + strconv.Itoa(f)}
	default: // hgetall
		return []string{"HGETALL", "big:h:" + strconv.Itoa(r.IntN(l.hashes))}
	}
}

func bigCheck(l bigLayout, op string, v any) error {
	switch op {
	case "xadd":
		if s, ok := v.(string); !ok || !strings.Contains(s, "-") {
			return fmt.Errorf("XADD replied %v", v)
		}
	case "xrange":
		if es, ok := v.([]any); !ok || len(es) != 100 {
			return fmt.Errorf("XRANGE COUNT 100 replied %d entries", len(es))
		}
	case "hget":
		if s, ok := v.(string); !ok || len(s) != l.value {
			return fmt.Errorf("HGET replied %d bytes, want %d", len(s), l.value)
		}
	case "hgetall":
		if fs, ok := v.([]any); !ok || len(fs) != 2*l.fields {
			return fmt.Errorf("HGETALL replied %d items, want %d", len(fs), 2*l.fields)
		}
	}
	return nil
}
