package server

import (
	"strconv"
	"sync/atomic"
)

// clientPub is what CLIENT LIST shows of a client's own state (its
// transaction, its wait, its buffers), which only the client's goroutine
// or loop may touch: the owner publishes it after each batch of requests
// and each write of its replies (publish), and any connection reads it.
// A client reading itself (CLIENT INFO, or its own CLIENT LIST line) is
// on the owner's goroutine and reads the live state instead.
type clientPub struct {
	flags    atomic.Uint32 // pubMulti, pubBlocked, pubOutWait
	multi    atomic.Int64  // commands queued in MULTI; -1 outside
	multiMem atomic.Int64  // bytes of their arguments
	argvMem  atomic.Int64  // bytes of the arguments of the command it waits in
	qbuf     atomic.Int64  // request bytes read and not yet run
	qbufFree atomic.Int64  // free room in the request buffer
	obuf     atomic.Int64  // reply bytes not yet written to the socket
	rbs      atomic.Int64  // the reply buffer's capacity
	// qgrow is the request buffer's capacity as a read that grew it left
	// it (a big request arriving), stored by whichever goroutine reads
	// the connection (a blocked goroutine client's helper too), until the
	// owner publishes again: maxmemory-clients sees a request that has
	// not arrived whole (clienteviction.go).
	qgrow atomic.Int64

	// last holds the values published, so that publish stores only what
	// changed (a round touches every ready client: mostly nothing).
	last pubValues
}

type pubValues struct {
	flags                                                      uint32
	multi, multiMem, argvMem, qbuf, qbufFree, obuf, rbs, qgrow int64
}

const (
	pubMulti   = 1 << iota // in MULTI (flags x)
	pubBlocked             // waiting in a blocking command (flags b)
	pubOutWait             // its socket is full: waiting to write (events rw)
)

// liveState is c's state now; its owner's call only.
func (c *client) liveState() pubValues {
	// Replies not yet written: a goroutine's client writes them whole
	// (ls.wOff stays 0).
	pending := len(c.w.buf) - c.ls.wOff
	v := pubValues{multi: -1, obuf: int64(pending), rbs: int64(cap(c.w.buf))}
	if c.sess.InMulti() {
		v.flags |= pubMulti
		n, mem := c.sess.MultiQueued()
		v.multi, v.multiMem = int64(n), mem
	}
	if c.sess.Blocked() {
		v.flags |= pubBlocked
		v.argvMem = c.blockedArgv
	}
	if c.ls.outWait || c.writing {
		v.flags |= pubOutWait
	}
	if rd := c.ls.rd; rd != nil {
		v.qbuf = int64(len(rd.buf) - rd.start)
		v.qbufFree = int64(cap(rd.buf) - len(rd.buf))
	}
	return v
}

// publish makes c's state visible to CLIENT LIST; its owner's call only.
func (c *client) publish() {
	v := c.liveState()
	p := &c.pub
	if v == p.last {
		return
	}
	if v.flags != p.last.flags {
		p.flags.Store(v.flags)
	}
	storeIfChanged(&p.multi, v.multi, p.last.multi)
	storeIfChanged(&p.multiMem, v.multiMem, p.last.multiMem)
	storeIfChanged(&p.argvMem, v.argvMem, p.last.argvMem)
	storeIfChanged(&p.qbuf, v.qbuf, p.last.qbuf)
	storeIfChanged(&p.qbufFree, v.qbufFree, p.last.qbufFree)
	storeIfChanged(&p.obuf, v.obuf, p.last.obuf)
	storeIfChanged(&p.rbs, v.rbs, p.last.rbs)
	if p.qgrow.Load() != 0 {
		p.qgrow.Store(0) // the buffer is in qbuf and qbufFree now
	}
	p.last = v
}

func storeIfChanged(a *atomic.Int64, v, old int64) {
	if v != old {
		a.Store(v)
	}
}

// published is c's state as last published (any goroutine).
func (c *client) published() pubValues {
	p := &c.pub
	return pubValues{flags: p.flags.Load(), multi: p.multi.Load(), multiMem: p.multiMem.Load(), argvMem: p.argvMem.Load(),
		qbuf: p.qbuf.Load(), qbufFree: p.qbufFree.Load(), obuf: p.obuf.Load(), rbs: p.rbs.Load(), qgrow: p.qgrow.Load()}
}

// obufFields renders pending reply bytes as Redis's obl, oll and omem:
// its first 16 KiB are the static reply buffer (obl), the rest a list of
// 16 KiB nodes (oll) holding omem bytes.
func obufFields(pending int64) (obl, oll, omem int64) {
	obl = min(pending, obufUncounted)
	omem = pending - obl
	oll = (omem + obufUncounted - 1) / obufUncounted
	return obl, oll, omem
}

// flagsString is CLIENT LIST's flags for the published bits.
func flagsString(bits uint32) string {
	s := ""
	if bits&pubMulti != 0 {
		s += "x"
	}
	if bits&pubBlocked != 0 {
		s += "b"
	}
	if s == "" {
		return "N"
	}
	return s
}

// respLen is the length of args sent as a RESP array of bulk strings.
func respLen(args [][]byte) int64 {
	n := int64(1 + len(strconv.Itoa(len(args))) + 2)
	for _, a := range args {
		n += int64(1+len(strconv.Itoa(len(a)))+2) + int64(len(a)) + 2
	}
	return n
}

// argvMem is the bytes of args, as Redis's argv-mem counts them.
func argvMem(args [][]byte) int64 {
	n := int64(0)
	for _, a := range args {
		n += int64(len(a))
	}
	return n
}
