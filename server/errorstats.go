package server

import (
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// errorTable counts the error replies sent, all of them (INFO stats'
// total_error_replies) and by error code, the reply's first word (INFO
// errorstats: errorstat_ERR, errorstat_WRONGTYPE, ...), as Redis's
// afterErrorReply does. Error replies are rare, so one mutex serves every
// connection. Like Redis, it tracks at most maxErrorCodes codes: a code
// first seen after that is counted in the total only.
type errorTable struct {
	total atomic.Int64
	mu    sync.Mutex
	codes map[string]int64
}

// maxErrorCodes is Redis's ERROR_STATS_NUMBER.
const maxErrorCodes = 128

func (t *errorTable) add(msg string) {
	t.total.Add(1)
	code := strings.TrimPrefix(msg, "-")
	if i := strings.IndexByte(code, ' '); i >= 0 {
		code = code[:i]
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.codes == nil {
		t.codes = map[string]int64{}
	}
	if _, ok := t.codes[code]; ok || len(t.codes) < maxErrorCodes {
		t.codes[code]++
	}
}

// counts returns the codes seen and their counts, sorted by code.
func (t *errorTable) counts() (codes []string, n []int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for c := range t.codes {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		n = append(n, t.codes[c])
	}
	return codes, n
}

// reset zeroes the table (CONFIG RESETSTAT).
func (t *errorTable) reset() {
	t.mu.Lock()
	t.codes = nil
	t.mu.Unlock()
	t.total.Store(0)
}
