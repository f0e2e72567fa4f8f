//go:build !linux

package server

import "runtime"

// applyOOMScoreAdj does nothing where there is no /proc/self/oom_score_adj,
// as Redis built without HAVE_PROC_OOM_SCORE_ADJ.
func (s *Server) applyOOMScoreAdj() error { return nil }

// osName is INFO server's os: the OS and architecture Go reports.
func osName() string { return runtime.GOOS + " " + runtime.GOARCH }

// multiplexingAPI is INFO server's multiplexing_api: Go's netpoller's
// (kqueue on the BSDs and macOS).
const multiplexingAPI = "kqueue"
