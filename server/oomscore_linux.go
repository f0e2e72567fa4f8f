package server

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"sync"
)

// oomScore is the process's oom_score_adj as oom-score-adj manages it,
// Redis's setOOMScoreAdj: the value it had before keel first changed it is
// kept, so that "relative" adds to it and "no" puts it back.
var oomScore struct {
	mu       sync.Mutex
	adjusted bool // keel has changed the process's value
	base     int  // the value before keel changed it
}

const oomScoreAdjPath = "/proc/self/oom_score_adj"

// applyOOMScoreAdj sets /proc/self/oom_score_adj from oom-score-adj and
// the first of oom-score-adj-values (the master's), clamped to
// [-1000, 1000]. Lowering the value below the one the process started
// with needs CAP_SYS_RESOURCE; the error is the write's.
func (s *Server) applyOOMScoreAdj() error {
	oomScore.mu.Lock()
	defer oomScore.mu.Unlock()
	mode := s.cfg.Get("oom-score-adj")
	var val int
	switch {
	case mode != "no":
		if !oomScore.adjusted {
			b, err := os.ReadFile(oomScoreAdjPath)
			if err != nil {
				return err
			}
			if oomScore.base, err = strconv.Atoi(strings.TrimSpace(string(b))); err != nil {
				return err
			}
			oomScore.adjusted = true
		}
		val, _ = strconv.Atoi(strings.Fields(s.cfg.Get("oom-score-adj-values"))[0])
		if mode == "yes" { // relative
			val += oomScore.base
		}
		val = min(max(val, -1000), 1000)
	case oomScore.adjusted:
		oomScore.adjusted = false
		val = oomScore.base
	default:
		return nil
	}
	if err := os.WriteFile(oomScoreAdjPath, []byte(strconv.Itoa(val)), 0); err != nil {
		return errors.Join(errors.New("writing oom_score_adj"), err)
	}
	return nil
}
