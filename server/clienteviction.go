package server

import (
	"errors"
	"slices"
	"strconv"
	"strings"
)

// Client eviction, Redis 7.0's maxmemory-clients: when the clients
// together hold more memory than the limit (their request and reply
// buffers, queued transactions and arguments: CLIENT LIST's tot-mem),
// the ones holding the most are disconnected until the rest fit, but for
// those that set CLIENT NO-EVICT on. Each counts in INFO's
// evicted_clients. The limit is maxmemory-clients in bytes, or a
// percentage of maxmemory (none while maxmemory is 0), and at least
// clientEvictMin. keel checks every instSampleEvery (sampleLoop), as a
// client's memory is published after each batch it runs (clientpub.go);
// Redis checks before it sleeps, so a client over the limit goes within
// 100 ms here rather than within a round.

// clientEvictMin is the least limit, Redis's: a smaller one would leave
// no room to talk to the server at all.
const clientEvictMin = 128 << 10

// clientEvictionLimit is the clients' memory limit in bytes (0: none).
func (s *Server) clientEvictionLimit() int64 {
	v := s.cfg.Get("maxmemory-clients")
	var n int64
	if p, ok := strings.CutSuffix(v, "%"); ok {
		pct, _ := strconv.ParseInt(p, 10, 64)
		mm := s.cfg.Int("maxmemory")
		n = mm/100*pct + mm%100*pct/100 // without overflow
	} else {
		n, _ = strconv.ParseInt(v, 10, 64)
	}
	if n <= 0 {
		return 0
	}
	return max(n, clientEvictMin)
}

// totMem is CLIENT LIST's tot-mem of a client in state v whose current
// command's arguments take argv bytes.
func (v pubValues) totMem(argv int64) int64 {
	return max(v.qbuf+v.qbufFree, v.qgrow) + v.rbs + v.multiMem + argv
}

// evictClients disconnects the clients holding the most memory, CLIENT
// NO-EVICT ones aside, while all of them together hold more than the
// limit.
func (s *Server) evictClients() {
	limit := s.clientEvictionLimit()
	if limit == 0 {
		return
	}
	clients := s.clientList()
	mem := make([]int64, len(clients))
	var total int64
	for i, y := range clients {
		st := y.published()
		mem[i] = st.totMem(st.argvMem)
		total += mem[i]
	}
	if total <= limit {
		return
	}
	order := make([]int, len(clients))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return int(mem[b] - mem[a]) })
	for _, i := range order {
		if total <= limit {
			break
		}
		y := clients[i]
		if y.noEvict.Load() || y.killed.Load() {
			continue
		}
		s.log.Debug("client evicted: maxmemory-clients", "id", y.sess.ID, "addr", y.addr, "tot-mem", mem[i])
		s.evictedClients.Add(1) // first: the client may see its end at once
		y.kill(nil)
		total -= mem[i]
	}
}

// memOrPercentParam is maxmemory-clients's value: a memory value, or a
// whole percentage up to 100 (of maxmemory), as Redis reads it.
func memOrPercentParam(v string) (string, error) {
	const bad = "argument must be a memory or percent value"
	if p, ok := strings.CutSuffix(v, "%"); ok {
		n, err := strconv.ParseInt(p, 10, 64)
		switch {
		case err != nil || n < 0:
			return "", errors.New(bad)
		case n > 100:
			return "", errors.New("percentage argument must be less or equal to 100")
		case n == 0:
			return "0", nil
		}
		return strconv.FormatInt(n, 10) + "%", nil
	}
	n, err := parseMemory(v)
	if err != nil || n < 0 {
		return "", errors.New(bad)
	}
	return strconv.FormatInt(n, 10), nil
}
