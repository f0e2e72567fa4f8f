package server

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/keeldb/keel"
)

// Pub/Sub: SUBSCRIBE, PSUBSCRIBE and SSUBSCRIBE, their UNSUBSCRIBEs,
// PUBLISH, SPUBLISH and PUBSUB, as Redis 7.0 has them (pubsub.c). Nothing
// here touches the WAL: a message goes to the clients subscribed when it
// is published and to nobody else, as in Redis, where it is not persisted
// either. Shard channels (SSUBSCRIBE) are a namespace of their own that
// patterns do not see; keel is one shard, so no slot check applies.
//
// A client is in Pub/Sub mode (keel.Session.PubSub, CLIENT LIST flag P)
// while it holds any subscription; under RESP2 it may then run only
// (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PING, QUIT and RESET (keel's Exec
// refuses the rest), and the idle timeout does not apply to it.
//
// # Delivery
//
// A message is written into each receiver's reply buffer, which only the
// receiver's owner (its event loop, or its goroutine) touches:
//
//   - a receiver the publisher's owner owns (the publisher itself, or a
//     client of the same loop) gets it at once, as Redis's addReply does:
//     a RESP3 client publishing to itself reads the message before
//     PUBLISH's reply, as from Redis;
//   - any other receiver gets it through its mailbox (client.mbox): the
//     publisher appends it there and, when the mailbox was empty, wakes
//     the owner (a loop message, or the client's pusher goroutine), which
//     moves it into the reply buffer.
//
// A subscription enters the hub while SUBSCRIBE runs, before its reply is
// written, and a mailbox is emptied into the reply buffer after the
// replies already there: no message precedes the confirmation of its
// subscription, and a client's messages keep their publishing order.
//
// Reply buffers holding messages count against the pubsub class of
// client-output-buffer-limit (32mb hard, 8mb for 60 s soft, by default);
// a subscriber over it is disconnected, as Redis does.

// pubsubHub is the server's subscriptions: for each channel, pattern and
// shard channel, the clients subscribed to it.
type pubsubHub struct {
	mu       sync.RWMutex
	channels map[string]map[*client]struct{}
	patterns map[string]map[*client]struct{}
	shard    map[string]map[*client]struct{}
	monitors map[*client]struct{} // MONITOR (monitor.go)
}

// subKind is one of the three kinds of subscription.
type subKind int

const (
	subChannel subKind = iota // SUBSCRIBE
	subPattern                // PSUBSCRIBE
	subShard                  // SSUBSCRIBE
)

// Reply words per kind: confirmations and messages.
var (
	subscribeWord   = [3]string{"subscribe", "psubscribe", "ssubscribe"}
	unsubscribeWord = [3]string{"unsubscribe", "punsubscribe", "sunsubscribe"}
)

func (h *pubsubHub) table(k subKind) *map[string]map[*client]struct{} {
	switch k {
	case subPattern:
		return &h.patterns
	case subShard:
		return &h.shard
	}
	return &h.channels
}

// add subscribes c to name (the caller knows it was not).
func (h *pubsubHub) add(k subKind, name string, c *client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	t := h.table(k)
	if *t == nil {
		*t = map[string]map[*client]struct{}{}
	}
	set := (*t)[name]
	if set == nil {
		set = map[*client]struct{}{}
		(*t)[name] = set
	}
	set[c] = struct{}{}
}

func (h *pubsubHub) remove(k subKind, name string, c *client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	t := *h.table(k)
	if set := t[name]; set != nil {
		delete(set, c)
		if len(set) == 0 {
			// As Redis frees the entry of a channel nobody listens to,
			// so that millions of channels once used cost nothing.
			delete(t, name)
		}
	}
}

// count is PUBSUB NUMPAT (patterns) and INFO's pubsub_* figures.
func (h *pubsubHub) count(k subKind) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(*h.table(k))
}

// subscribers is PUBSUB NUMSUB and SHARDNUMSUB for one channel.
func (h *pubsubHub) subscribers(k subKind, name string) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len((*h.table(k))[name])
}

// names is PUBSUB CHANNELS and SHARDCHANNELS: the channels with a
// subscriber, matching pat when it is not nil.
func (h *pubsubHub) names(k subKind, pat []byte) []string {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var out []string
	for name := range *h.table(k) {
		if pat == nil || keel.GlobMatch(string(pat), name) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// message is one published message, shared by its receivers. lsn, for a
// keyspace notification, is the record whose change it announces: a
// receiver sends it only once that record is durable.
type message struct {
	shard            bool
	monitor          bool // a MONITOR line (payload), not a message
	channel, payload []byte
	lsn              uint64
	// inval, when set, makes the message an invalidation of client-side
	// caching (tracking.go) instead.
	inval *invalidation
}

// publishNotification is keel's Publisher: a keyspace notification from
// the command s runs (s is nil-safe: the active expiry has no client).
func (s *Server) publishNotification(sess *keel.Session, lsn uint64, channel, payload []byte) {
	from, _ := sess.Ext.(*client)
	s.pubsub.publish(&message{channel: channel, payload: payload, lsn: lsn}, from)
}

// delivery is a message for one receiver: pattern is the pattern it
// matched ("" for a channel subscription).
type delivery struct {
	m       *message
	pattern string
}

// publish sends m to the subscribers of its channel, and unless it is a
// shard message to those of the patterns it matches, and returns how many
// deliveries it made (a client subscribed twice counts twice, as in
// Redis). from is the publishing client.
func (h *pubsubHub) publish(m *message, from *client) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	n := 0
	k := subChannel
	if m.shard {
		k = subShard
	}
	for c := range (*h.table(k))[string(m.channel)] {
		c.deliver(delivery{m: m}, from)
		n++
	}
	if m.shard {
		return n
	}
	ch := string(m.channel)
	for pat, set := range h.patterns {
		if !keel.GlobMatch(pat, ch) {
			continue
		}
		for c := range set {
			c.deliver(delivery{m: m, pattern: pat}, from)
			n++
		}
	}
	return n
}

// subs is a client's subscriptions, in the order made (a mass
// unsubscribe confirms them in that order; Redis's follows its hash
// table). Only the client's owner changes them; counts are published for
// CLIENT LIST.
type subs struct {
	names  [3][]string
	counts [3]atomic.Int64
}

// subscribed reports whether c holds a subscription (Pub/Sub mode), for
// any goroutine.
func (c *client) subscribed() bool {
	return c.subs.counts[0].Load()+c.subs.counts[1].Load()+c.subs.counts[2].Load() > 0
}

func (s *subs) has(k subKind, name string) bool { return slices.Contains(s.names[k], name) }

func (s *subs) total() int { return len(s.names[0]) + len(s.names[1]) + len(s.names[2]) }

// mailbox holds the messages for a client published by goroutines that
// do not own it, until its owner moves them into its reply buffer.
type mailbox struct {
	mu    sync.Mutex
	queue []delivery
	bytes int64 // their payloads and channels, for the output limit
	// pending: queue is not empty (set under mu, read without it by the
	// owner, whose direct deliveries must not overtake the mail).
	pending atomic.Bool
	// closed: a goroutine-served client's mailWake is closed (under mu).
	closed bool
}

// owns reports whether the goroutine running from's command owns c's
// reply buffer: c is from, or both are clients of the same event loop,
// unless from runs a script: a helper may own the loop's other clients
// once the script is busy (busyloop_linux.go), so what a script publishes
// goes through their mailboxes.
func (from *client) owns(c *client) bool {
	return c == from || (from != nil && from.ls.lp != nil && from.ls.lp == c.ls.lp && !from.sess.InScript)
}

// deliver gives c the delivery d, published by from (see Delivery).
func (c *client) deliver(d delivery, from *client) {
	if from.owns(c) {
		if c.mbox.pending.Load() {
			// Mail came first (a script's, while it ran): it goes first.
			c.takeMail()
		}
		c.sess.WaitLSN = max(c.sess.WaitLSN, d.m.lsn)
		c.writeDelivery(d)
		if lp := c.ls.lp; lp != nil && c != from {
			lp.markDirty(c)
		}
		c.checkPubSubLimit()
		return
	}
	c.mbox.mu.Lock()
	wake := len(c.mbox.queue) == 0
	c.mbox.queue = append(c.mbox.queue, d)
	c.mbox.pending.Store(true)
	c.mbox.bytes += d.m.size() + int64(len(d.pattern))
	over := c.mboxOverLimit()
	c.mbox.mu.Unlock()
	if over {
		c.closeForObuf()
		return
	}
	if wake {
		c.wakeForMail()
	}
}

// mboxOverLimit reports whether the mail waiting for c alone reaches the
// pubsub class's hard limit (its soft limit is checked once the mail is
// in the reply buffer, where the time it stays is known). Called with
// c.mbox.mu held.
func (c *client) mboxOverLimit() bool {
	lim := c.srv.cfg.obufPubSub()
	return lim.hard > 0 && c.mbox.bytes >= lim.hard+obufUncounted
}

// wakeForMail tells c's owner that its mailbox is not empty.
func (c *client) wakeForMail() {
	if lp := c.ls.lp; lp != nil {
		lp.post(loopMsg{kind: msgMail, c: c})
		return
	}
	c.pushOnce.Do(func() { go c.pusher() })
	// Under mbox.mu, which the closing connection takes to close
	// mailWake: a client's tracking invalidations may be delivered by
	// any command's goroutine, also while the client closes (Pub/Sub
	// deliveries stop when it leaves the hub, before).
	c.mbox.mu.Lock()
	if !c.mbox.closed {
		select {
		case c.mailWake <- struct{}{}:
		default:
		}
	}
	c.mbox.mu.Unlock()
}

// takeMail moves c's mailbox into its reply buffer, and makes the replies
// wait for the records the notifications among it announce; its owner's
// call.
func (c *client) takeMail() bool {
	c.mbox.mu.Lock()
	q := c.mbox.queue
	c.mbox.queue, c.mbox.bytes = nil, 0
	c.mbox.pending.Store(false)
	c.mbox.mu.Unlock()
	for _, d := range q {
		c.sess.WaitLSN = max(c.sess.WaitLSN, d.m.lsn)
		c.writeDelivery(d)
	}
	return len(q) > 0
}

// writeDelivery appends d to c's replies as Redis's
// addReplyPubsubMessage or addReplyPubsubPatMessage does: a push under
// RESP3, an array under RESP2.
func (c *client) writeDelivery(d delivery) {
	if c.quit {
		return // nothing follows QUIT's +OK (Redis's CLIENT_CLOSE_AFTER_REPLY)
	}
	w := &c.w
	switch {
	case d.m.inval != nil:
		c.writeInvalidation(d.m.inval)
		return
	case d.m.monitor:
		w.line('+', string(d.m.payload))
		return
	case d.m.shard:
		w.push(3)
		w.BulkString("smessage")
	case d.pattern != "":
		w.push(4)
		w.BulkString("pmessage")
		w.BulkString(d.pattern)
	default:
		w.push(3)
		w.BulkString("message")
	}
	w.Bulk(d.m.channel)
	w.Bulk(d.m.payload)
}

// size is what m holds for the output limit.
func (m *message) size() int64 {
	n := int64(len(m.channel) + len(m.payload))
	if m.inval != nil {
		for _, k := range m.inval.keys {
			n += int64(len(k))
		}
	}
	return n
}

// checkPubSubLimit disconnects c when the replies it has not read reach
// its class's output buffer limits; for a client that got a message
// from another client's command (Redis checks on every addReply).
func (c *client) checkPubSubLimit() {
	lim := c.srv.cfg.obufFor(c)
	if !lim.set() {
		return
	}
	if c.overObufLimit(lim, int64(len(c.w.buf)-c.ls.wOff), time.Now()) {
		c.closeForObuf()
	}
}

// closeForObuf disconnects c for its output buffer limit, from any
// goroutine: as CLIENT KILL does, its owner closes it.
func (c *client) closeForObuf() {
	if c.killed.Load() {
		return
	}
	c.logObufClose()
	c.kill(nil)
}

// subscribe is SUBSCRIBE, PSUBSCRIBE and SSUBSCRIBE for the names in
// args, each confirmed with the client's count of subscriptions.
func (c *client) subscribe(x *keel.Ctx, k subKind) {
	for _, a := range x.Args[1:] {
		name := string(a)
		if !c.subs.has(k, name) {
			c.subs.names[k] = append(c.subs.names[k], name)
			c.subs.counts[k].Store(int64(len(c.subs.names[k])))
			c.srv.pubsub.add(k, name, c)
		}
		c.confirm(x.R, subscribeWord[k], a, k)
	}
	c.sess.PubSub = true
}

// unsubscribe is UNSUBSCRIBE, PUNSUBSCRIBE and SUNSUBSCRIBE: of the names
// in args, or of every subscription of the kind when there are none (a
// nil confirmation when there was none either).
func (c *client) unsubscribe(x *keel.Ctx, k subKind) {
	if len(x.Args) == 1 {
		if len(c.subs.names[k]) == 0 {
			c.confirm(x.R, unsubscribeWord[k], nil, k)
		}
		for len(c.subs.names[k]) > 0 {
			name := c.subs.names[k][0]
			c.drop(k, name)
			c.confirm(x.R, unsubscribeWord[k], []byte(name), k)
		}
	} else {
		for _, a := range x.Args[1:] {
			if c.subs.has(k, string(a)) {
				c.drop(k, string(a))
			}
			c.confirm(x.R, unsubscribeWord[k], a, k)
		}
	}
	c.sess.PubSub = c.subs.total() > 0
}

// drop removes one subscription c holds.
func (c *client) drop(k subKind, name string) {
	i := slices.Index(c.subs.names[k], name)
	c.subs.names[k] = slices.Delete(c.subs.names[k], i, i+1)
	c.subs.counts[k].Store(int64(len(c.subs.names[k])))
	c.srv.pubsub.remove(k, name, c)
}

// unsubscribeAll drops every subscription without a confirmation: RESET,
// and a closing connection.
func (c *client) unsubscribeAll() {
	for k := range c.subs.names {
		for len(c.subs.names[k]) > 0 {
			c.drop(subKind(k), c.subs.names[k][0])
		}
	}
	c.sess.PubSub = false
}

// confirm writes a (un)subscription's confirmation: the word, the name
// (nil: none) and the count Redis reports, channels and patterns
// together, shard channels apart.
func (c *client) confirm(r keel.Reply, word string, name []byte, k subKind) {
	n := len(c.subs.names[subChannel]) + len(c.subs.names[subPattern])
	if k == subShard {
		n = len(c.subs.names[subShard])
	}
	if w, ok := r.(*respWriter); ok {
		w.push(3)
	} else {
		r.Array(3)
	}
	r.BulkString(word)
	if name == nil {
		r.Null()
	} else {
		r.Bulk(name)
	}
	r.Int(int64(n))
}

func cmdSubscribe(x *keel.Ctx) { cl(x).subscribe(x, subChannel) }

func cmdPSubscribe(x *keel.Ctx) { cl(x).subscribe(x, subPattern) }

func cmdSSubscribe(x *keel.Ctx) {
	// Redis refuses it to a client that may not block (inside EXEC),
	// where SUBSCRIBE and PSUBSCRIBE are let through for backward
	// compatibility.
	if x.InTransaction() {
		x.R.Error("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client")
		return
	}
	cl(x).subscribe(x, subShard)
}

func cmdUnsubscribe(x *keel.Ctx)  { cl(x).unsubscribe(x, subChannel) }
func cmdPUnsubscribe(x *keel.Ctx) { cl(x).unsubscribe(x, subPattern) }
func cmdSUnsubscribe(x *keel.Ctx) { cl(x).unsubscribe(x, subShard) }

func cmdPublish(x *keel.Ctx) {
	m := &message{channel: clone(x.Args[1]), payload: clone(x.Args[2])}
	x.R.Int(int64(cl(x).srv.pubsub.publish(m, cl(x))))
}

func cmdSPublish(x *keel.Ctx) {
	m := &message{shard: true, channel: clone(x.Args[1]), payload: clone(x.Args[2])}
	x.R.Int(int64(cl(x).srv.pubsub.publish(m, cl(x))))
}

// clone copies an argument that outlives the command (the request
// buffer is reused).
func clone(b []byte) []byte { return append([]byte{}, b...) }

func cmdPubSubChannels(x *keel.Ctx) { listChannels(x, subChannel) }

func cmdPubSubShardChannels(x *keel.Ctx) { listChannels(x, subShard) }

func listChannels(x *keel.Ctx, k subKind) {
	if len(x.Args) > 3 {
		x.SubcommandSyntaxError()
		return
	}
	var pat []byte
	if len(x.Args) == 3 {
		pat = x.Args[2]
	}
	names := cl(x).srv.pubsub.names(k, pat)
	x.R.Array(len(names))
	for _, n := range names {
		x.R.BulkString(n)
	}
}

func cmdPubSubNumSub(x *keel.Ctx) { numSub(x, subChannel) }

func cmdPubSubShardNumSub(x *keel.Ctx) { numSub(x, subShard) }

func numSub(x *keel.Ctx, k subKind) {
	hub := &cl(x).srv.pubsub
	x.R.Array(2 * (len(x.Args) - 2))
	for _, a := range x.Args[2:] {
		x.R.Bulk(a)
		x.R.Int(int64(hub.subscribers(k, string(a))))
	}
}

func cmdPubSubNumPat(x *keel.Ctx) { x.R.Int(int64(cl(x).srv.pubsub.count(subPattern))) }

func cmdPubSubHelp(x *keel.Ctx) {
	lines := []string{
		"CHANNELS [<pattern>]",
		"    Return the currently active channels matching a <pattern> (default: '*').",
		"NUMPAT",
		"    Return number of subscriptions to patterns.",
		"NUMSUB [<channel> ...]",
		"    Return the number of subscribers for the specified channels, excluding",
		"    pattern subscriptions(default: no channels).",
		"SHARDCHANNELS [<pattern>]",
		"    Return the currently active shard level channels matching a <pattern> (default: '*').",
		"SHARDNUMSUB [<shardchannel> ...]",
		"    Return the number of subscribers for the specified shard level channel(s)",
	}
	keel.ReplyHelp(x, "PUBSUB", lines)
}

// pubsubCommands are the Pub/Sub family's commands, with Redis 7.0's
// arity, flags and key positions (a shard channel is a key to a cluster).
func pubsubCommands() []*keel.Command {
	ps := keel.FlagPubSub | keel.FlagNoLock
	sub := func(name string, arity int, summary, since string, h func(*keel.Ctx)) *keel.Command {
		return &keel.Command{Name: name, Arity: arity, Flags: ps | keel.FlagNoScript | keel.FlagLoading | keel.FlagStale,
			ACL: []string{"pubsub", "slow"}, Group: "pubsub", Summary: summary, Since: since, Handler: h}
	}
	shardKeys := func(c *keel.Command, last int) *keel.Command {
		c.FirstKey, c.LastKey, c.Step = 1, last, 1
		return c
	}
	pub := func(name, summary, since string, h func(*keel.Ctx)) *keel.Command {
		return &keel.Command{Name: name, Arity: 3, Flags: ps | keel.FlagLoading | keel.FlagStale | keel.FlagFast,
			ACL: []string{"pubsub", "fast"}, Group: "pubsub", Summary: summary, Since: since, Handler: h}
	}
	intro := func(name string, arity int, summary, since string, h func(*keel.Ctx)) *keel.Command {
		return &keel.Command{Name: "pubsub|" + name, Arity: arity, Flags: ps | keel.FlagLoading | keel.FlagStale,
			ACL: []string{"pubsub", "slow"}, Group: "pubsub", Summary: summary, Since: since, Handler: h}
	}
	help := intro("help", 2, "Returns helpful text about the different subcommands.", "6.2.0", cmdPubSubHelp)
	help.Flags &^= keel.FlagPubSub
	help.ACL = []string{"slow"}
	return []*keel.Command{
		sub("subscribe", -2, "Listens for messages published to channels.", "2.0.0", cmdSubscribe),
		sub("unsubscribe", -1, "Stops listening to messages posted to channels.", "2.0.0", cmdUnsubscribe),
		sub("psubscribe", -2, "Listens for messages published to channels that match one or more patterns.", "2.0.0", cmdPSubscribe),
		sub("punsubscribe", -1, "Stops listening to messages published to channels that match one or more patterns.", "2.0.0", cmdPUnsubscribe),
		shardKeys(sub("ssubscribe", -2, "Listens for messages published to shard channels.", "7.0.0", cmdSSubscribe), -1),
		shardKeys(sub("sunsubscribe", -1, "Stops listening to messages posted to shard channels.", "7.0.0", cmdSUnsubscribe), -1),
		pub("publish", "Posts a message to a channel.", "2.0.0", cmdPublish),
		shardKeys(pub("spublish", "Post a message to a shard channel", "7.0.0", cmdSPublish), 1),
		{Name: "pubsub", Arity: -2, Flags: keel.FlagNoLock, ACL: []string{"slow"}, Group: "pubsub", Summary: "A container for Pub/Sub commands.", Since: "2.8.0", Subs: map[string]*keel.Command{
			"channels":      intro("channels", -2, "Returns the active channels.", "2.8.0", cmdPubSubChannels),
			"numsub":        intro("numsub", -2, "Returns a count of subscribers to channels.", "2.8.0", cmdPubSubNumSub),
			"numpat":        intro("numpat", 2, "Returns a count of unique pattern subscriptions.", "2.8.0", cmdPubSubNumPat),
			"shardchannels": intro("shardchannels", -2, "Returns the active shard channels.", "7.0.0", cmdPubSubShardChannels),
			"shardnumsub":   intro("shardnumsub", -2, "Returns the count of subscribers of shard channels.", "7.0.0", cmdPubSubShardNumSub),
			"help":          help,
		}},
	}
}
