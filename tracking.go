package keel

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Client-side caching: CLIENT TRACKING as Redis 7.0 has it (tracking.c).
//
// A session that turns tracking on in the default mode has the keys of
// every read-only command it runs remembered in the tracking table (key
// name -> the ids of the sessions that read it; one table for all
// databases, as in Redis, where it holds names only). When a remembered
// key is modified, each of those sessions gets one invalidation naming
// it, and the key leaves the table until read again. In BCAST mode
// nothing is remembered: every modified key that starts with one of the
// session's prefixes is announced to it. OPTIN remembers only the keys of
// the command after CLIENT CACHING YES, OPTOUT all but those of the
// command after CLIENT CACHING NO; NOLOOP leaves out the keys the session
// itself modified. A flush (FLUSHDB, FLUSHALL) invalidates everything: a
// null instead of the key list, to every tracking session, and empties
// the table.
//
// # Contract with the server
//
// The DB decides who is told what; the server delivers (SetTrackingSink),
// since only it knows the connections: where a session redirects its
// invalidations (REDIRECT id, looked up when the note is delivered, a
// missing client making the redirection broken), and in which form each
// receiver takes them (a RESP3 push, a RESP2 Pub/Sub message on
// __redis__:invalidate, or nothing for a RESP2 client without one).
//
// Notes are queued while commands run and handed to the sink by
// TrackingDrain, which the server calls after each command, once its
// reply is written, from the goroutine that ran it and without db.mu: a
// session invalidated by its own command reads the reply first, as Redis
// 7.0 sends such a note after the reply (and after a whole EXEC's). BCAST
// keys are gathered per prefix and sent at the drain too, all the keys a
// command modified in one message per prefix, as Redis sends those of an
// event-loop cycle.
//
// Remembering a read's keys happens under db.mu (shared) before the read
// lets go of it, and invalidating under db.mu (exclusive) while the write
// runs: no write can slip between a read and its keys entering the table.
// tracking.mu guards the table itself, for the reads that run at once.
//
// Like Redis, the table forgets a session's ids lazily: a session that
// turns tracking off or disconnects leaves its ids under their keys until
// those keys are modified (INFO's tracking_total_items counts them).

// Tracking flags of a session (TrackingFlags).
const (
	TrackingOn          uint32 = 1 << iota // CLIENT TRACKING ON (CLIENT LIST flag t)
	TrackingBcast                          // BCAST (flag B)
	TrackingOptIn                          // OPTIN
	TrackingOptOut                         // OPTOUT
	TrackingCaching                        // CLIENT CACHING YES (OPTIN) or NO (OPTOUT) given for the next command
	TrackingNoLoop                         // NOLOOP
	TrackingBrokenRedir                    // the redirection's client is gone (flag R)
)

// trackingModes are the flags CLIENT TRACKING ON sets anew each time.
const trackingModes = TrackingBcast | TrackingOptIn | TrackingOptOut | TrackingNoLoop

// TrackingNote is one invalidation for the server to deliver to Target (or
// to the client it redirects to): Keys, or with Flush, every key.
type TrackingNote struct {
	Target *Session
	Keys   [][]byte
	Flush  bool
	// LSN is the log's last record when the note was handed over, which
	// holds the change it announces: the receiver sends it once durable,
	// as a keyspace notification.
	LSN uint64
}

// tracking is the DB's tracking table and the tracking sessions.
type tracking struct {
	// active is set while any session tracks, or the table holds keys:
	// the writes' look before anything else. pending is set while notes
	// or BCAST keys wait, or the table may be over its limit: the drain's.
	active, pending atomic.Bool
	// maxKeys is tracking-table-max-keys (0: no limit).
	maxKeys atomic.Int64

	mu       sync.Mutex
	sessions map[int64]*Session            // tracking on, by id
	keys     map[string]map[int64]struct{} // key -> ids of the sessions that read it
	items    int64                         // ids in keys, counted with repeats
	prefixes map[string]*bcastState        // BCAST prefixes in use
	notes    []TrackingNote                // waiting for TrackingDrain
	sink     func(n TrackingNote, from *Session)
}

// bcastState is one BCAST prefix: its sessions, and the keys modified
// since the last drain with the id of the session that modified each
// last (0: the server, as an expiry), for NOLOOP.
type bcastState struct {
	sessions map[int64]*Session
	keys     map[string]int64
}

// trackState is a session's part of tracking. flags and redirect are read
// by other goroutines (CLIENT LIST, the sink); they and prefixes change
// under tracking.mu.
type trackState struct {
	flags    atomic.Uint32
	redirect atomic.Int64
	prefixes []string // BCAST prefixes, sorted
	// hold, on the stand-in a blocked command is served through
	// (blocking.go), keeps the notes for the waiter itself, to follow the
	// reply its owner writes later.
	hold *[]TrackingNote
}

// TrackingFlags returns s's tracking flags (any goroutine).
func (s *Session) TrackingFlags() uint32 { return s.track.flags.Load() }

// TrackingRedirect returns the client id s's invalidations go to (0:
// itself); meaningful while tracking is on.
func (s *Session) TrackingRedirect() int64 { return s.track.redirect.Load() }

// SetTrackingBroken marks s's redirection broken: the server found its
// client gone while delivering.
func (s *Session) SetTrackingBroken() {
	for {
		f := s.track.flags.Load()
		if f&TrackingOn == 0 || f&TrackingBrokenRedir != 0 || s.track.flags.CompareAndSwap(f, f|TrackingBrokenRedir) {
			return
		}
	}
}

// SetTrackingSink sets the server's delivery of invalidations (see the
// contract above); from is the session whose command queued the note
// (nil: the server's own work, as the active expiry).
func (db *DB) SetTrackingSink(f func(n TrackingNote, from *Session)) {
	db.track.mu.Lock()
	db.track.sink = f
	db.track.mu.Unlock()
}

// SetTrackingMaxKeys sets tracking-table-max-keys: past it, keys leave the
// table (their sessions invalidated) at the next drain. 0: no limit.
func (db *DB) SetTrackingMaxKeys(n int64) {
	db.track.maxKeys.Store(n)
	db.track.pending.Store(true)
}

// TrackingOn turns tracking on for s (CLIENT TRACKING ON, its options
// parsed and its redirection's client checked by the server) and returns
// "" or the error reply, as Redis's clientCommand checks the options
// against each other and against the session's current mode.
func (db *DB) TrackingOn(s *Session, redirect int64, modes uint32, prefixes [][]byte) string {
	t := &db.track
	t.mu.Lock()
	defer t.mu.Unlock()
	cur := s.track.flags.Load()
	switch {
	case modes&TrackingBcast == 0 && len(prefixes) > 0:
		return "ERR PREFIX option requires BCAST mode to be enabled"
	case cur&TrackingOn != 0 && cur&TrackingBcast != modes&TrackingBcast:
		return "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode."
	case modes&TrackingBcast != 0 && modes&(TrackingOptIn|TrackingOptOut) != 0:
		return "ERR OPTIN and OPTOUT are not compatible with BCAST"
	case modes&TrackingOptIn != 0 && modes&TrackingOptOut != 0:
		return "ERR You can't specify both OPTIN mode and OPTOUT mode"
	case modes&TrackingOptIn != 0 && cur&TrackingOptOut != 0, modes&TrackingOptOut != 0 && cur&TrackingOptIn != 0:
		return "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode."
	}
	if modes&TrackingBcast != 0 {
		if msg := prefixCollision(s.track.prefixes, prefixes); msg != "" {
			return msg
		}
	}
	if t.sessions == nil {
		t.sessions = map[int64]*Session{}
		t.keys = map[string]map[int64]struct{}{}
		t.prefixes = map[string]*bcastState{}
	}
	t.sessions[s.ID] = s
	s.track.redirect.Store(redirect)
	// The modes and a broken redirection are set anew; a CACHING given
	// stays for the next command.
	s.track.flags.Store(cur&TrackingCaching | TrackingOn | modes&trackingModes)
	if modes&TrackingBcast != 0 {
		if len(prefixes) == 0 {
			t.addPrefix(s, "")
		}
		for _, p := range prefixes {
			t.addPrefix(s, string(p))
		}
	}
	t.active.Store(true)
	return ""
}

// prefixCollision is Redis's checkPrefixCollisionsOrReply: no two prefixes
// of a session may announce the same key (one starts the other, or they
// are equal, or one is empty). Unlike Redis 7.0, whose check of the new
// prefixes among themselves fails only when the first is involved and
// otherwise sends both the error and +OK (two replies for one command,
// which leaves any client a reply behind), every collision is refused.
func prefixCollision(have []string, add [][]byte) string {
	for i, p := range add {
		for _, h := range have {
			if overlap([]byte(h), p) {
				return fmt.Sprintf("ERR Prefix '%s' overlaps with an existing prefix '%s'. Prefixes for a single client must not overlap.", cstr(p), cstr([]byte(h)))
			}
		}
		for _, q := range add[i+1:] {
			if overlap(p, q) {
				return fmt.Sprintf("ERR Prefix '%s' overlaps with another provided prefix '%s'. Prefixes for a single client must not overlap.", cstr(p), cstr(q))
			}
		}
	}
	return ""
}

// overlap reports whether one of a and b starts the other.
func overlap(a, b []byte) bool {
	n := min(len(a), len(b))
	return bytes.Equal(a[:n], b[:n])
}

func (t *tracking) addPrefix(s *Session, p string) {
	bs := t.prefixes[p]
	if bs == nil {
		bs = &bcastState{sessions: map[int64]*Session{}, keys: map[string]int64{}}
		t.prefixes[p] = bs
	}
	if _, ok := bs.sessions[s.ID]; ok {
		return
	}
	bs.sessions[s.ID] = s
	i, _ := slices.BinarySearch(s.track.prefixes, p)
	s.track.prefixes = slices.Insert(s.track.prefixes, i, p)
}

// TrackingOff turns tracking off for s (CLIENT TRACKING OFF, RESET, and a
// closed connection): its prefixes go; its ids in the table stay until
// their keys change, as in Redis.
func (db *DB) TrackingOff(s *Session) {
	if s.track.flags.Load()&TrackingOn == 0 {
		return
	}
	t := &db.track
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, p := range s.track.prefixes {
		if bs := t.prefixes[p]; bs != nil {
			delete(bs.sessions, s.ID)
			if len(bs.sessions) == 0 {
				delete(t.prefixes, p)
			}
		}
	}
	s.track.prefixes = nil
	delete(t.sessions, s.ID)
	s.track.flags.Store(0)
	s.track.redirect.Store(0)
	t.setActive()
}

func (t *tracking) setActive() {
	t.active.Store(len(t.sessions) > 0 || len(t.keys) > 0 || len(t.notes) > 0)
}

// TrackingCaching is CLIENT CACHING YES|NO (yes: YES) for s; "" or the
// error reply.
func (db *DB) TrackingCaching(s *Session, yes bool) string {
	f := s.track.flags.Load()
	switch {
	case f&TrackingOn == 0:
		return "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled"
	case yes && f&TrackingOptIn == 0:
		return "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode."
	case !yes && f&TrackingOptOut == 0:
		return "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode."
	}
	db.track.mu.Lock()
	s.track.flags.Or(TrackingCaching)
	db.track.mu.Unlock()
	return ""
}

// TrackingCommandDone follows each command of s, run or refused, as
// Redis's resetClient: a CLIENT CACHING given applies to the next command
// only, or to the whole transaction it opens; other CLIENT subcommands
// leave it (name is the command's name as sent).
func (db *DB) TrackingCommandDone(s *Session, name []byte) {
	if s.track.flags.Load()&TrackingCaching == 0 || s.InMulti() || eqFold(name, "client") {
		return
	}
	db.track.mu.Lock()
	s.track.flags.And(^TrackingCaching)
	db.track.mu.Unlock()
}

// TrackingInfo is CLIENT TRACKINGINFO: the flags' names in Redis's order,
// the redirection (-1 when off) and the BCAST prefixes.
func (db *DB) TrackingInfo(s *Session) (flags []string, redirect int64, prefixes []string) {
	db.track.mu.Lock()
	defer db.track.mu.Unlock()
	f := s.track.flags.Load()
	if f&TrackingOn == 0 {
		return []string{"off"}, -1, nil
	}
	flags = []string{"on"}
	if f&TrackingBcast != 0 {
		flags = append(flags, "bcast")
	}
	if f&TrackingOptIn != 0 {
		flags = append(flags, "optin")
		if f&TrackingCaching != 0 {
			flags = append(flags, "caching-yes")
		}
	}
	if f&TrackingOptOut != 0 {
		flags = append(flags, "optout")
		if f&TrackingCaching != 0 {
			flags = append(flags, "caching-no")
		}
	}
	if f&TrackingNoLoop != 0 {
		flags = append(flags, "noloop")
	}
	if f&TrackingBrokenRedir != 0 {
		flags = append(flags, "broken_redirect")
	}
	return flags, s.track.redirect.Load(), slices.Clone(s.track.prefixes)
}

// TrackingStats are INFO's figures: sessions tracking, keys in the table,
// ids under them, BCAST prefixes.
type TrackingStats struct {
	Clients, Keys, Items, Prefixes int64
}

// TrackingStatsNow returns the tracking figures.
func (db *DB) TrackingStatsNow() TrackingStats {
	t := &db.track
	t.mu.Lock()
	defer t.mu.Unlock()
	return TrackingStats{Clients: int64(len(t.sessions)), Keys: int64(len(t.keys)), Items: t.items, Prefixes: int64(len(t.prefixes))}
}

// trackingExempt: the read-only commands whose keys are not remembered
// when they run. Redis leaves out the Pub/Sub commands, and the read-only
// scripts, whose keys are remembered when the script reads (see
// trackScriptRead) as the other scripts' are.
func trackingExempt(cmd *Command) bool {
	if cmd.Flags&FlagPubSub != 0 {
		return true
	}
	switch cmd.Name {
	case "eval_ro", "evalsha_ro", "fcall_ro":
		return true
	}
	return false
}

// trackRead remembers the keys of the read-only command c ran, when its
// session tracks them (Redis's call(): trackingRememberKeys). The caller
// holds db.mu.
func (c *Ctx) trackRead() {
	s := c.S
	if s.track.flags.Load()&TrackingOn == 0 || c.Cmd.Flags&FlagReadonly == 0 || trackingExempt(c.Cmd) {
		return
	}
	c.DB.trackRemember(s, c.Cmd, c.Args)
}

// trackScriptRead follows a read-only command a script ran: as Redis 7.0
// remembers the keys of the script's caller (its own command: EVAL's or
// FCALL's declared keys), not those of the command the script called.
func (c *Ctx) trackScriptRead(inner *Command) {
	s := c.S
	if s.track.flags.Load()&TrackingOn == 0 || inner.Flags&FlagReadonly == 0 || inner.Flags&FlagPubSub != 0 {
		return
	}
	c.DB.trackRemember(s, c.Cmd, c.Args)
}

func (db *DB) trackRemember(s *Session, cmd *Command, args [][]byte) {
	f := s.track.flags.Load()
	if f&TrackingBcast != 0 {
		return
	}
	caching := f&TrackingCaching != 0
	if f&TrackingOptIn != 0 && !caching || f&TrackingOptOut != 0 && caching {
		return
	}
	idx := cmd.Keys(args)
	if len(idx) == 0 {
		return
	}
	t := &db.track
	t.mu.Lock()
	for _, i := range idx {
		ids := t.keys[string(args[i])]
		if ids == nil {
			ids = map[int64]struct{}{}
			t.keys[string(args[i])] = ids
		}
		if _, ok := ids[s.ID]; !ok {
			ids[s.ID] = struct{}{}
			t.items++
		}
	}
	if max := t.maxKeys.Load(); max > 0 && int64(len(t.keys)) > max {
		t.pending.Store(true)
	}
	t.mu.Unlock()
}

// trackTouched follows the modification of key by c's command (Redis's
// trackingInvalidateKey from signalModifiedKey): the sessions that read
// it are noted, it leaves the table, and BCAST prefixes matching it note
// it with its modifier. The caller holds db.mu exclusively.
func (c *Ctx) trackTouched(key []byte) {
	t := &c.DB.track
	if !t.active.Load() {
		return
	}
	var self, modifier int64
	var hold *[]TrackingNote
	if c.S != nil {
		self, hold = c.S.ID, c.S.track.hold
	}
	if !c.byServer {
		modifier = self // an expiry has no client, for NOLOOP in BCAST
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for p, bs := range t.prefixes {
		if bytes.HasPrefix(key, []byte(p)) {
			bs.keys[string(key)] = modifier
			t.pending.Store(true)
		}
	}
	t.invalidate(key, self, hold)
}

// invalidate notes key for the sessions that read it, but the one with
// id self if it asked for NOLOOP, and drops it from the table; the note
// for self goes to hold if not nil. Called with t.mu held.
func (t *tracking) invalidate(key []byte, self int64, hold *[]TrackingNote) {
	ids, ok := t.keys[string(key)]
	if !ok {
		return
	}
	for id := range ids {
		s := t.sessions[id]
		if s == nil {
			continue
		}
		f := s.track.flags.Load()
		if f&TrackingBcast != 0 || f&TrackingNoLoop != 0 && id == self {
			// A session that went from the default mode to BCAST gets
			// none of its earlier keys' notes.
			continue
		}
		n := TrackingNote{Target: s, Keys: [][]byte{bytes.Clone(key)}}
		if hold != nil && id == self {
			*hold = append(*hold, n)
			continue
		}
		t.notes = append(t.notes, n)
		t.pending.Store(true)
	}
	t.items -= int64(len(ids))
	delete(t.keys, string(key))
	t.setActive()
}

// trackFlushed follows a flush (FLUSHDB, FLUSHALL: Redis's
// trackingInvalidateKeysOnFlush): every tracking session is told that
// every key is invalid, and the table empties.
func (c *Ctx) trackFlushed() {
	t := &c.DB.track
	if !t.active.Load() {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	ids := make([]int64, 0, len(t.sessions))
	for id := range t.sessions {
		ids = append(ids, id)
	}
	slices.Sort(ids) // Redis walks its clients in connection order
	for _, id := range ids {
		t.notes = append(t.notes, TrackingNote{Target: t.sessions[id], Flush: true})
		t.pending.Store(true)
	}
	clear(t.keys)
	t.items = 0
	t.setActive()
}

// TrackingDrain hands the invalidations queued so far to the sink: the
// table's keys beyond tracking-table-max-keys first (each leaves with a
// note to its sessions), then each BCAST prefix's modified keys, then the
// notes the commands made. The server calls it after each command, with
// the reply written, outside db.mu; from is the command's session.
func (db *DB) TrackingDrain(from *Session) {
	t := &db.track
	if !t.pending.Load() {
		return
	}
	t.mu.Lock()
	t.pending.Store(false)
	if max := t.maxKeys.Load(); max > 0 {
		// Any keys will do (Redis takes them by a random walk); a map's
		// order is random enough.
		for k := range t.keys {
			if int64(len(t.keys)) <= max {
				break
			}
			t.invalidate([]byte(k), 0, nil)
		}
	}
	for _, p := range sortedPrefixes(t.prefixes) {
		bs := t.prefixes[p]
		if len(bs.keys) == 0 {
			continue
		}
		keys := make([]string, 0, len(bs.keys))
		for k := range bs.keys {
			keys = append(keys, k)
		}
		slices.Sort(keys) // Redis's radix tree hands them sorted
		ids := make([]int64, 0, len(bs.sessions))
		for id := range bs.sessions {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			s := bs.sessions[id]
			noloop := s.track.flags.Load()&TrackingNoLoop != 0
			var list [][]byte
			for _, k := range keys {
				if noloop && bs.keys[k] == id {
					continue
				}
				list = append(list, []byte(k))
			}
			if len(list) > 0 {
				t.notes = append(t.notes, TrackingNote{Target: s, Keys: list})
			}
		}
		clear(bs.keys)
	}
	notes, sink := t.notes, t.sink
	t.notes = nil
	t.setActive()
	t.mu.Unlock()
	if sink == nil {
		return
	}
	// The commands that queued the notes have appended their records.
	lsn := uint64(db.log.LastLSN())
	for _, n := range notes {
		n.LSN = lsn
		sink(n, from)
	}
}

// sendTrackingNotes hands notes held for s (a served blocked command's)
// to the sink, from s's owner after its reply.
func (db *DB) sendTrackingNotes(s *Session, notes []TrackingNote, lsn uint64) {
	if len(notes) == 0 {
		return
	}
	db.track.mu.Lock()
	sink := db.track.sink
	db.track.mu.Unlock()
	for _, n := range notes {
		n.LSN = lsn
		if sink != nil {
			sink(n, s)
		}
	}
}

func sortedPrefixes(m map[string]*bcastState) []string {
	out := make([]string, 0, len(m))
	for p := range m {
		out = append(out, p)
	}
	slices.SortFunc(out, strings.Compare)
	return out
}
