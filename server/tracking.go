package server

import (
	"strconv"
	"strings"

	"github.com/keeldb/keel"
)

// Client-side caching: CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO,
// and the delivery of the invalidations keel's DB decides on (the table
// and its rules: tracking.go in package keel).
//
// A note for a session goes to the client it redirects to, when it does,
// else to itself, as a Pub/Sub delivery (pubsub.go: at once into a reply
// buffer its owner owns, else through its mailbox), so that it follows
// the replies already queued for the receiver. Its form is chosen when
// written, by the receiver's owner, from the receiver's protocol then, as
// Redis's sendTrackingMessage: a RESP3 receiver gets the push
// ["invalidate", keys]; a RESP2 receiver that is the redirection of
// another client and is in Pub/Sub mode gets a message on
// __redis__:invalidate whose payload is the array of keys; any other RESP2
// receiver gets nothing (RESP2 has no pushes on a command connection).
// A redirection whose client is gone marks the session broken (CLIENT
// LIST flag R) and, under RESP3, sends it ["tracking-redir-broken", id].

// invalidationChannel is the channel RESP2 redirections read.
const invalidationChannel = "__redis__:invalidate"

// invalidation is one note as delivered.
type invalidation struct {
	keys [][]byte
	// null is the RESP null a flush sends instead of keys: Redis writes
	// the one of the tracking client's protocol, even when a client of
	// the other protocol receives it (a RESP2 subscriber then reads "_").
	null       string
	redirected bool  // the receiver is another client's redirection
	broken     int64 // a tracking-redir-broken notice for this redirection
}

// deliverTracking is keel's tracking sink.
func (s *Server) deliverTracking(n keel.TrackingNote, from *keel.Session) {
	tc, _ := n.Target.Ext.(*client)
	if tc == nil {
		return
	}
	var fromC *client
	if from != nil {
		fromC, _ = from.Ext.(*client)
	}
	inv := &invalidation{keys: n.Keys}
	if n.Flush {
		inv.null = "$-1\r\n"
		if tc.proto.Load() == 3 {
			inv.null = "_\r\n"
		}
	}
	dst := tc
	if id := n.Target.TrackingRedirect(); id != 0 {
		rc := s.clientByID(id)
		if rc == nil {
			n.Target.SetTrackingBroken()
			tc.deliver(delivery{m: &message{inval: &invalidation{broken: id}}}, fromC)
			return
		}
		dst, inv.redirected = rc, true
	}
	dst.deliver(delivery{m: &message{inval: inv, lsn: n.LSN}}, fromC)
}

// clientByID returns the connected client with that id, or nil.
func (s *Server) clientByID(id int64) *client {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.clients[id]
	if c != nil && c.killed.Load() {
		return nil
	}
	return c
}

// writeInvalidation appends inv to c's replies in the form c takes (see
// above); its owner's call.
func (c *client) writeInvalidation(inv *invalidation) {
	w := &c.w
	if inv.broken != 0 {
		if w.proto == 3 {
			w.push(2)
			w.BulkString("tracking-redir-broken")
			w.Int(inv.broken)
		}
		return
	}
	switch {
	case w.proto == 3:
		w.push(2)
		w.BulkString("invalidate")
	case inv.redirected && c.subscribed():
		w.Array(3)
		w.BulkString("message")
		w.BulkString(invalidationChannel)
	default:
		return
	}
	if inv.keys == nil {
		w.buf = append(w.buf, inv.null...)
		return
	}
	w.Array(len(inv.keys))
	for _, k := range inv.keys {
		w.Bulk(k)
	}
}

// cmdClientTracking is CLIENT TRACKING ON|OFF [REDIRECT id] [BCAST]
// [PREFIX p ...] [OPTIN] [OPTOUT] [NOLOOP], its options checked in
// Redis's order: each as parsed (the redirection's client must exist now,
// even to turn tracking off), then ON or OFF, then their combinations.
func cmdClientTracking(c *keel.Ctx) {
	x := cl(c)
	var redirect int64
	var modes uint32
	var prefixes [][]byte
	for j := 3; j < len(c.Args); j++ {
		more := j < len(c.Args)-1
		switch opt := strings.ToLower(string(c.Args[j])); {
		case opt == "redirect" && more:
			j++
			if redirect != 0 {
				c.R.Error("ERR A client can only redirect to a single other client")
				return
			}
			id, err := strconv.ParseInt(string(c.Args[j]), 10, 64)
			if err != nil {
				c.R.Error("ERR value is not an integer or out of range")
				return
			}
			if x.srv.clientByID(id) == nil {
				c.R.Error("ERR The client ID you want redirect to does not exist")
				return
			}
			redirect = id
		case opt == "bcast":
			modes |= keel.TrackingBcast
		case opt == "optin":
			modes |= keel.TrackingOptIn
		case opt == "optout":
			modes |= keel.TrackingOptOut
		case opt == "noloop":
			modes |= keel.TrackingNoLoop
		case opt == "prefix" && more:
			j++
			prefixes = append(prefixes, c.Args[j])
		default:
			c.R.Error(keel.ErrSyntax)
			return
		}
	}
	switch strings.ToLower(string(c.Args[2])) {
	case "on":
		if msg := c.DB.TrackingOn(c.S, redirect, modes, prefixes); msg != "" {
			c.R.Error(msg)
			return
		}
	case "off":
		c.DB.TrackingOff(c.S)
	default:
		c.R.Error(keel.ErrSyntax)
		return
	}
	c.R.Simple("OK")
}

// cmdClientCaching is CLIENT CACHING YES|NO.
func cmdClientCaching(c *keel.Ctx) {
	if c.S.TrackingFlags()&keel.TrackingOn == 0 {
		c.R.Error("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled")
		return
	}
	var msg string
	switch strings.ToLower(string(c.Args[2])) {
	case "yes":
		msg = c.DB.TrackingCaching(c.S, true)
	case "no":
		msg = c.DB.TrackingCaching(c.S, false)
	default:
		msg = keel.ErrSyntax
	}
	if msg != "" {
		c.R.Error(msg)
		return
	}
	c.R.Simple("OK")
}

// cmdClientGetRedir is CLIENT GETREDIR: the redirection, 0 for none, -1
// when tracking is off.
func cmdClientGetRedir(c *keel.Ctx) {
	if c.S.TrackingFlags()&keel.TrackingOn == 0 {
		c.R.Int(-1)
		return
	}
	c.R.Int(c.S.TrackingRedirect())
}

// cmdClientTrackingInfo is CLIENT TRACKINGINFO: flags (a set under RESP3),
// redirect and prefixes.
func cmdClientTrackingInfo(c *keel.Ctx) {
	flags, redirect, prefixes := c.DB.TrackingInfo(c.S)
	c.R.Map(3)
	c.R.BulkString("flags")
	c.R.Set(len(flags))
	for _, f := range flags {
		c.R.BulkString(f)
	}
	c.R.BulkString("redirect")
	c.R.Int(redirect)
	c.R.BulkString("prefixes")
	c.R.Array(len(prefixes))
	for _, p := range prefixes {
		c.R.BulkString(p)
	}
}

// trackingFlags is CLIENT LIST's t, R and B for a session's tracking.
func trackingFlags(f uint32) string {
	s := ""
	if f&keel.TrackingOn != 0 {
		s += "t"
	}
	if f&keel.TrackingBrokenRedir != 0 {
		s += "R"
	}
	if f&keel.TrackingBcast != 0 {
		s += "B"
	}
	return s
}

// trackingRedir is CLIENT LIST's redir: the redirection, -1 when off.
func trackingRedir(s *keel.Session) int64 {
	if s.TrackingFlags()&keel.TrackingOn == 0 {
		return -1
	}
	return s.TrackingRedirect()
}
