//go:build !linux

package server

// applyOOMScoreAdj does nothing where there is no /proc/self/oom_score_adj,
// as Redis built without HAVE_PROC_OOM_SCORE_ADJ.
func (s *Server) applyOOMScoreAdj() error { return nil }
