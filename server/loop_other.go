//go:build !linux

package server

import "net"

// Event loops exist on Linux only (loop_linux.go); elsewhere event-loops
// is accepted and every client is served by a goroutine of its own.

type eventLoop struct{}

// loopState has, besides lp (always nil here), the fields of the Linux
// loop's that code shared by both connection models reads (CLIENT LIST's
// state): their zero values, as for a client served by a goroutine.
type loopState struct {
	lp      *eventLoop
	rd      *requestReader
	wOff    int
	outWait bool
}

type loopMsgKind int

const (
	msgKill loopMsgKind = iota
	msgWake
	msgMail
	msgUnpause
)

type loopMsg struct {
	kind loopMsgKind
	c    *client
	gen  uint64
}

func newEventLoop(*Server) (*eventLoop, error)              { return nil, nil }
func (*eventLoop) run()                                     {}
func (*eventLoop) release()                                 {}
func (*eventLoop) post(loopMsg)                             {}
func (*eventLoop) add(*client)                              {}
func (*eventLoop) markDirty(*client)                        {}
func detach(net.Conn) (int, error)                          { panic("no event loops here") }
func newLoopState(*eventLoop, int, *client) loopState       { panic("no event loops here") }
func (*eventLoop) prefetchStats() (off, on, switches int64) { return 0, 0, 0 }
func (*eventLoop) startHelper(*client)                      {}
func (*eventLoop) resume(*client)                           {}
