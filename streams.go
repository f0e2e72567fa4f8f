package keel

// Stream commands without consumer groups (Redis t_stream.c): XADD XLEN
// XRANGE XREVRANGE XDEL XTRIM XSETID XREAD (with BLOCK). Consumer groups
// are in streams_groups.go, XINFO in streams_info.go, the storage layout
// in streams_store.go.
//
// A stream is a keyspace entry (type, expiry, version) plus its records in
// the streams engine. Writes log the records they change, computed here
// (XADD `*` logs the concrete id; trimming logs the entries and nodes it
// removes), so applying them reads nothing (invariant 2).

import (
	"bytes"
	"math"
	"time"
	"unsafe"

	"github.com/keeldb/keel/memtables"
)

const (
	errStreamID        = "ERR Invalid stream ID specified as stream command argument"
	errStreamIDZero    = "ERR The ID specified in XADD must be greater than 0-0"
	errStreamIDSmaller = "ERR The ID specified in XADD is equal or smaller than the target stream top item"
	errStreamExhausted = "ERR The stream has exhausted the last possible ID, unable to add more items"
	errStreamStartID   = "ERR invalid start ID for the interval"
	errStreamEndID     = "ERR invalid end ID for the interval"
)

// xreadBlockedDefaultCount is the COUNT of a blocked XREAD given none
// (Redis's XREAD_BLOCKED_DEFAULT_COUNT).
const xreadBlockedDefaultCount = 1000

func init() {
	const g = "stream"
	Register(
		&Command{Name: "xadd", Arity: -5, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: []string{"write", "stream", "fast"}, Group: g, Summary: "Appends a new entry to a stream", Since: "5.0.0", Handler: cmdXAdd},
		&Command{Name: "xlen", Arity: 2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: []string{"read", "stream", "fast"}, Group: g, Summary: "Return the number of entries in a stream", Since: "5.0.0", Handler: cmdXLen},
		&Command{Name: "xrange", Arity: -4, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, ACL: []string{"read", "stream", "slow"}, Group: g, Summary: "Return a range of elements in a stream, with IDs matching the specified IDs interval", Since: "5.0.0", Handler: cmdXRange},
		&Command{Name: "xrevrange", Arity: -4, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, ACL: []string{"read", "stream", "slow"}, Group: g, Summary: "Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE", Since: "5.0.0", Handler: cmdXRevRange},
		&Command{Name: "xdel", Arity: -3, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: []string{"write", "stream", "fast"}, Group: g, Summary: "Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist.", Since: "5.0.0", Handler: cmdXDel},
		&Command{Name: "xtrim", Arity: -4, Flags: FlagWrite, FirstKey: 1, LastKey: 1, Step: 1, ACL: []string{"write", "stream", "slow"}, Group: g, Summary: "Trims the stream to (approximately if '~' is passed) a certain size", Since: "5.0.0", Handler: cmdXTrim},
		&Command{Name: "xsetid", Arity: -3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: []string{"write", "stream", "fast"}, Group: g, Summary: "An internal command for replicating stream values", Since: "5.0.0", Handler: cmdXSetID},
		&Command{Name: "xread", Arity: -4, Flags: FlagReadonly | FlagBlocking | FlagMovableKeys, ACL: []string{"read", "stream", "slow", "blocking"}, Group: g, Summary: "Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.", Since: "5.0.0", Handler: cmdXRead, KeysFunc: streamsKeys(1)},
	)
}

// streamsKeys returns XREAD's (from 1) or XREADGROUP's (from 4) key
// finder, as Redis 7.0's key specification: the first "STREAMS" at or
// after argument from, then the first half of the arguments after it.
func streamsKeys(from int) func(argv [][]byte) []int {
	return func(argv [][]byte) []int {
		for i := from; i < len(argv); i++ {
			if !eqFold(argv[i], "streams") {
				continue
			}
			first := i + 1
			n := (len(argv) - first) / 2
			keys := make([]int, 0, n)
			for k := first; k < first+n; k++ {
				keys = append(keys, k)
			}
			return keys
		}
		return nil
	}
}

// ---- id arguments ----

// string2ull is Redis's string2ull: string2ll's strict form, else
// strtoull's (leading spaces, a sign — a minus wraps — and digits).
func string2ull(b []byte) (uint64, bool) {
	if v, ok := parseInt(b); ok {
		if v < 0 {
			return 0, false
		}
		return uint64(v), true
	}
	i := 0
	for i < len(b) && (b[i] == ' ' || (b[i] >= '\t' && b[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	if i == len(b) {
		return 0, false
	}
	var v uint64
	for ; i < len(b); i++ {
		d := b[i] - '0'
		if d > 9 {
			return 0, false
		}
		if v > (math.MaxUint64-uint64(d))/10 {
			return 0, false // ERANGE
		}
		v = v*10 + uint64(d)
	}
	if neg {
		v = -v
	}
	return v, true
}

// parseStreamID parses an id argument as Redis's
// streamGenericParseIDOrReply: "-" and "+" (unless strict), "ms" (seq =
// missingSeq), "ms-seq", and with seqStar "ms-*" (seqGiven false). ok is
// false when the argument is invalid (nothing is replied).
func parseStreamID(b []byte, missingSeq uint64, strict, seqStar bool) (id streamID, seqGiven, ok bool) {
	if len(b) > 127 {
		return id, false, false
	}
	if len(b) == 1 && (b[0] == '-' || b[0] == '+') {
		if strict {
			return id, false, false
		}
		if b[0] == '-' {
			return minStreamID, true, true
		}
		return maxStreamID, true, true
	}
	// The argument is cut at its first NUL, as C reads it.
	for i, ch := range b {
		if ch == 0 {
			b = b[:i]
			break
		}
	}
	msPart, seqPart, hasSeq := bytes.Cut(b, []byte{'-'})
	ms, ok := string2ull(msPart)
	if !ok {
		return id, false, false
	}
	id.ms, seqGiven = ms, true
	switch {
	case !hasSeq:
		id.seq = missingSeq
	case seqStar && len(seqPart) == 1 && seqPart[0] == '*':
		seqGiven = false
	default:
		if id.seq, ok = string2ull(seqPart); !ok {
			return id, false, false
		}
	}
	return id, seqGiven, true
}

// streamIDArg parses a strict id argument (no "-" or "+"), replying the
// error when invalid.
func (c *Ctx) streamIDArg(b []byte) (streamID, bool) {
	id, _, ok := parseStreamID(b, 0, true, false)
	if !ok {
		c.Error(errStreamID)
	}
	return id, ok
}

// streamIDArgs parses strict id arguments (XDEL, XACK): all or, at the
// first invalid one, the error replied and ok false.
func (c *Ctx) streamIDArgs(args [][]byte) ([]streamID, bool) {
	ids := make([]streamID, 0, len(args))
	for _, a := range args {
		id, ok := c.streamIDArg(a)
		if !ok {
			return nil, false
		}
		ids = append(ids, id)
	}
	return ids, true
}

// intervalID parses an XRANGE/XPENDING/XAUTOCLAIM bound: "(" makes it
// exclusive (then strict); an exclusive start moves up one id, an
// exclusive end down one.
func (c *Ctx) intervalID(b []byte, missingSeq uint64, end bool) (streamID, bool) {
	if len(b) > 1 && b[0] == '(' {
		id, _, ok := parseStreamID(b[1:], missingSeq, true, false)
		if !ok {
			c.Error(errStreamID)
			return id, false
		}
		if end {
			if id, ok = id.prev(); !ok {
				c.Error(errStreamEndID)
			}
		} else if id, ok = id.next(); !ok {
			c.Error(errStreamStartID)
		}
		return id, ok
	}
	id, _, ok := parseStreamID(b, missingSeq, false, false)
	if !ok {
		c.Error(errStreamID)
	}
	return id, ok
}

// ---- replies ----

func replyStreamID(r Reply, id streamID) {
	var b [41]byte
	r.Bulk(id.appendText(b[:0]))
}

// replyEntry writes [id, [field, value, ...]]; nil fields (a pending
// entry no longer in the stream) are a null array.
func replyEntry(r Reply, e streamEntry) {
	var b [41]byte
	replyEntryText(r, e.id.appendText(b[:0]), e)
}

// replyEntryText is replyEntry with the id's text already formatted.
func replyEntryText(r Reply, idText []byte, e streamEntry) {
	r.Array(2)
	r.Bulk(idText)
	if e.fields == nil {
		r.NullArray()
		return
	}
	r.Array(len(e.fields))
	for _, f := range e.fields {
		r.Bulk(f)
	}
}

func replyEntries(r Reply, es []streamEntry) {
	r.Array(len(es))
	// The ids' text goes to one buffer: passed through the Reply
	// interface, each would be a heap allocation of its own.
	buf := make([]byte, 0, 24*len(es))
	for _, e := range es {
		if cap(buf)-len(buf) < 41 {
			buf = make([]byte, 0, 41*4)
		}
		n := len(buf)
		buf = e.id.appendText(buf)
		replyEntryText(r, buf[n:len(buf):len(buf)], e)
	}
}

// rangeEntries reads up to count (0: all) entries of s in [lo, hi].
func (s *stream) rangeEntries(lo, hi streamID, count int64, rev bool) ([]streamEntry, error) {
	return s.rangeEntriesIn(nil, &entryArena{}, lo, hi, count, rev)
}

// rangeEntriesIn is rangeEntries appending to out and decoding into a.
func (s *stream) rangeEntriesIn(out []streamEntry, a *entryArena, lo, hi streamID, count int64, rev bool) ([]streamEntry, error) {
	if count > 0 && cap(out) == 0 {
		out = make([]streamEntry, 0, min(count, 128))
	}
	err := s.entriesIn(a, lo, hi, rev, func(e streamEntry) bool {
		out = append(out, e)
		return count == 0 || int64(len(out)) < count
	})
	return out, err
}

// ---- XADD ----

// parseTrimArgs parses XADD's (xadd true: from argument 2 up to the id)
// and XTRIM's options, as Redis 7.0's streamParseAddOrTrimArgsOrReply. For
// XADD it returns the index of the id argument; noMkStream is XADD's
// NOMKSTREAM.
func (c *Ctx) parseTrimArgs(xadd bool) (a trimArgs, idx int, noMkStream, ok bool) {
	args := c.Args
	limitGiven := false
	i := 2
	for ; i < len(args); i++ {
		more := len(args) - 1 - i
		opt := args[i]
		switch {
		case xadd && len(opt) == 1 && opt[0] == '*':
			goto parsed
		case (eqFold(opt, "maxlen") || eqFold(opt, "minid")) && more > 0:
			if a.strategy != trimNone {
				c.Error("ERR syntax error, MAXLEN and MINID options at the same time are not compatible")
				return a, 0, false, false
			}
			a.approx = false
			if next := args[i+1]; more >= 2 && len(next) == 1 && (next[0] == '~' || next[0] == '=') {
				a.approx = next[0] == '~'
				i++
			}
			if eqFold(opt, "maxlen") {
				n, valid := parseInt(args[i+1])
				if !valid {
					c.Error(errNotInt)
					return a, 0, false, false
				}
				if n < 0 {
					c.Error("ERR The MAXLEN argument must be >= 0.")
					return a, 0, false, false
				}
				a.strategy, a.maxLen = trimMaxLen, n
			} else {
				id, valid := c.streamIDArg(args[i+1])
				if !valid {
					return a, 0, false, false
				}
				a.strategy, a.minID = trimMinID, id
			}
			i++
		case eqFold(opt, "limit") && more > 0:
			n, valid := parseInt(args[i+1])
			if !valid {
				c.Error(errNotInt)
				return a, 0, false, false
			}
			if n < 0 {
				c.Error("ERR The LIMIT argument must be >= 0.")
				return a, 0, false, false
			}
			a.limit, limitGiven = n, true
			i++
		case xadd && eqFold(opt, "nomkstream"):
			noMkStream = true
		case xadd:
			goto parsed // the id (validated by the caller)
		default:
			c.Error(errSyntax)
			return a, 0, false, false
		}
	}
parsed:
	if a.limit != 0 && a.strategy == trimNone {
		c.Error("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy")
		return a, 0, false, false
	}
	if !xadd && a.strategy == trimNone {
		c.Error("ERR syntax error, XTRIM must be called with a trimming strategy")
		return a, 0, false, false
	}
	if limitGiven {
		if !a.approx {
			c.Error("ERR syntax error, LIMIT cannot be used without the special ~ option")
			return a, 0, false, false
		}
	} else if a.approx {
		a.limit = 100 * c.DB.tuning.StreamNodeMaxEntries.Load()
		if a.limit <= 0 || a.limit > 10000 {
			a.limit = 10000
		}
	}
	return a, i, noMkStream, true
}

func cmdXAdd(c *Ctx) {
	trim, idx, noMk, ok := c.parseTrimArgs(true)
	if !ok {
		return
	}
	// The id argument (Redis parses it inside the option loop: an invalid
	// one is an id error even when the field count is wrong).
	var id streamID
	auto, seqGiven := true, true
	if idx < len(c.Args) && !(len(c.Args[idx]) == 1 && c.Args[idx][0] == '*') {
		var valid bool
		if id, seqGiven, valid = parseStreamID(c.Args[idx], 0, true, true); !valid {
			c.Error(errStreamID)
			return
		}
		auto = false
	}
	pairs := c.Args[min(idx+1, len(c.Args)):]
	if len(pairs) < 2 || len(pairs)%2 != 0 {
		c.Error("ERR wrong number of arguments for 'xadd' command")
		return
	}
	if !auto && seqGiven && id.isZero() {
		c.Error(errStreamIDZero)
		return
	}
	s, ok := c.writeStream(c.Args[1])
	if !ok {
		return
	}
	if s == nil {
		if noMk {
			c.R.Null()
			return
		}
		s = c.createStream(c.Args[1])
	}
	if s.meta.lastID == maxStreamID {
		c.Error(errStreamExhausted)
		return
	}
	switch {
	case auto:
		ms := uint64(max(c.Now, 0))
		if ms > s.meta.lastID.ms {
			id = streamID{ms, 0}
		} else {
			id, _ = s.meta.lastID.next()
		}
	case !seqGiven:
		if s.meta.lastID.ms == id.ms {
			if s.meta.lastID.seq == math.MaxUint64 {
				c.Error("ERR Elements are too large to be stored")
				return
			}
			id = streamID{id.ms, s.meta.lastID.seq + 1}
		}
	}
	if id.cmp(s.meta.lastID) <= 0 {
		c.Error(errStreamIDSmaller)
		return
	}
	if err := s.appendEntry(id, pairs); err != nil {
		streamEngineError(c, err)
		return
	}
	trimmed, err := s.trim(&trim)
	if err != nil {
		streamEngineError(c, err)
		return
	}
	s.save()
	s.modified()
	// Redis appends, signals xadd, then trims (xtrim when that removed
	// entries); keel logs the trim first, the events keep Redis's order.
	c.notify(NotifyStream, "xadd", s.key)
	if trimmed > 0 {
		c.notify(NotifyStream, "xtrim", s.key)
	}
	c.DB.signalStream(c.S.DB, s.key)
	// The id's text in the handle's scratch (a local array escapes into
	// the reply interface: an allocation per XADD); remember keeps the
	// scratch for the stream's next command, which cannot run before
	// this reply is written.
	idText := id.appendText(s.scratch(41))
	s.remember()
	c.R.Bulk(idText)
}

// ---- XLEN XRANGE XREVRANGE ----

func cmdXLen(c *Ctx) {
	s, ok := c.readStream(c.Args[1])
	if !ok {
		return
	}
	if s == nil {
		c.R.Int(0)
		return
	}
	c.R.Int(int64(s.meta.length))
}

func cmdXRange(c *Ctx)    { xrangeCommand(c, false) }
func cmdXRevRange(c *Ctx) { xrangeCommand(c, true) }

func xrangeCommand(c *Ctx, rev bool) {
	startArg, endArg := c.Args[2], c.Args[3]
	if rev {
		startArg, endArg = endArg, startArg
	}
	start, ok := c.intervalID(startArg, 0, false)
	if !ok {
		return
	}
	end, ok := c.intervalID(endArg, math.MaxUint64, true)
	if !ok {
		return
	}
	count := int64(-1)
	for j := 4; j < len(c.Args); j++ {
		if eqFold(c.Args[j], "count") && j+1 < len(c.Args) {
			n, valid := parseInt(c.Args[j+1])
			if !valid {
				c.Error(errNotInt)
				return
			}
			count = max(n, 0)
			j++
			continue
		}
		c.Error(errSyntax)
		return
	}
	s, ok := c.readStream(c.Args[1])
	if !ok {
		return
	}
	if s == nil {
		c.R.Array(0)
		return
	}
	if count == 0 {
		c.R.NullArray()
		return
	}
	// The entries are replied at once: the session's scratch serves them,
	// and a range costs no allocation once the scratch has grown.
	sc := &c.S.scratch
	sc.xarena.reuse()
	es, err := s.rangeEntriesIn(sc.xentries[:0], &sc.xarena, start, end, max(count, 0), rev)
	if err != nil {
		streamEngineError(c, err)
		return
	}
	replyEntries(c.R, es)
	clear(es) // no pointers into the arena's old chunks are kept
	if cap(es)*int(unsafe.Sizeof(streamEntry{})) <= maxScratch {
		sc.xentries = es[:0]
	} else {
		sc.xentries = nil
	}
}

// ---- XDEL XTRIM ----

func cmdXDel(c *Ctx) {
	s, ok := c.writeStream(c.Args[1])
	if !ok {
		return
	}
	if s == nil {
		c.R.Int(0)
		return
	}
	ids, ok := c.streamIDArgs(c.Args[2:])
	if !ok {
		return
	}
	deleted, firstGone := 0, false
	for _, id := range ids {
		gone, err := s.deleteEntry(id)
		if err != nil {
			s.save()
			streamEngineError(c, err)
			return
		}
		if !gone {
			continue
		}
		deleted++
		if id == s.meta.firstID {
			firstGone = true
		}
		if id.cmp(s.meta.maxDeleted) > 0 {
			s.meta.maxDeleted = id
		}
	}
	if deleted > 0 {
		switch {
		case s.meta.length == 0:
			s.meta.firstID = minStreamID
		case firstGone:
			first, err := s.firstEntryID()
			if err != nil {
				s.save()
				streamEngineError(c, err)
				return
			}
			s.meta.firstID = first
		}
		s.dirty = true
		s.save()
		s.modified()
		c.notify(NotifyStream, "xdel", s.key)
	}
	s.remember()
	c.R.Int(int64(deleted))
}

func cmdXTrim(c *Ctx) {
	trim, _, _, ok := c.parseTrimArgs(false)
	if !ok {
		return
	}
	s, ok := c.writeStream(c.Args[1])
	if !ok {
		return
	}
	if s == nil {
		c.R.Int(0)
		return
	}
	n, err := s.trim(&trim)
	if err != nil {
		s.save()
		streamEngineError(c, err)
		return
	}
	if n > 0 {
		s.save()
		s.modified()
		c.notify(NotifyStream, "xtrim", s.key)
	}
	s.remember()
	c.R.Int(n)
}

// ---- XSETID ----

func cmdXSetID(c *Ctx) {
	id, ok := c.streamIDArg(c.Args[2])
	if !ok {
		return
	}
	entriesAdded := int64(-1)
	var maxDeleted streamID
	for i := 3; i < len(c.Args); i++ {
		more := len(c.Args) - 1 - i
		switch {
		case eqFold(c.Args[i], "entriesadded") && more > 0:
			n, valid := parseInt(c.Args[i+1])
			if !valid {
				c.Error(errNotInt)
				return
			}
			if n < 0 {
				c.Error("ERR entries_added must be positive")
				return
			}
			entriesAdded = n
			i++
		case eqFold(c.Args[i], "maxdeletedid") && more > 0:
			if maxDeleted, ok = c.streamIDArg(c.Args[i+1]); !ok {
				return
			}
			if id.cmp(maxDeleted) < 0 {
				c.Error("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id")
				return
			}
			i++
		default:
			c.Error(errSyntax)
			return
		}
	}
	s, ok := c.writeStream(c.Args[1])
	if !ok {
		return
	}
	if s == nil {
		c.Error(errNoSuchKey)
		return
	}
	// Redis 7.0 does not compare the id with the current
	// max_deleted_entry_id (7.2 does).
	if s.meta.length > 0 {
		last, err := s.lastEntryID()
		if err != nil {
			streamEngineError(c, err)
			return
		}
		if id.cmp(last) < 0 {
			c.Error("ERR The ID specified in XSETID is smaller than the target stream top item")
			return
		}
		if entriesAdded != -1 && int64(s.meta.length) > entriesAdded {
			c.Error("ERR The entries_added specified in XSETID is smaller than the target stream length")
			return
		}
	}
	s.meta.lastID = id
	s.dropReadAhead()
	if entriesAdded != -1 {
		s.meta.entriesAdded = uint64(entriesAdded)
	}
	if !maxDeleted.isZero() {
		s.meta.maxDeleted = maxDeleted
	}
	s.dirty = true
	s.save()
	c.notify(NotifyStream, "xsetid", s.key)
	s.remember()
	c.OK()
}

// lastEntryID is the last live entry's id (Redis's streamLastValidID);
// 0-0 when the stream has none.
func (s *stream) lastEntryID() (streamID, error) {
	id := minStreamID
	err := s.scanReverse([]byte{subEntry}, []byte{subEntry + 1}, func(sub, _ []byte) bool {
		id = decodeStreamID(sub[1:])
		return false
	})
	return id, err
}

// ---- XREAD (and the argument parsing XREADGROUP shares) ----

// xreadArgs are XREAD's and XREADGROUP's arguments.
type xreadArgs struct {
	block    bool
	deadline time.Time
	count    int64
	keys     [][]byte
	idArgs   [][]byte
	group    []byte
	consumer []byte
	noack    bool
}

// parseXRead parses the options of XREAD (group false) or XREADGROUP up to
// the ids, as Redis 7.0's xreadCommand.
func (c *Ctx) parseXRead(group bool) (a xreadArgs, ok bool) {
	args := c.Args
	streamsAt := 0
	for i := 1; i < len(args); i++ {
		more := len(args) - 1 - i
		o := args[i]
		switch {
		case eqFold(o, "block") && more > 0:
			if c.S.InScript {
				// Redis refuses BLOCK in a script outright (the command
				// name as the script spelt it), where MULTI only
				// does not block.
				c.Error("ERR " + string(cstr(args[0])) + " command is not allowed with BLOCK option from scripts")
				return a, false
			}
			i++
			d, valid := c.parseTimeoutMS(args[i])
			if !valid {
				return a, false
			}
			a.block, a.deadline = true, d
		case eqFold(o, "count") && more > 0:
			i++
			n, valid := parseInt(args[i])
			if !valid {
				c.Error(errNotInt)
				return a, false
			}
			a.count = max(n, 0)
		case eqFold(o, "streams") && more > 0:
			streamsAt = i + 1
			n := len(args) - streamsAt
			if n%2 != 0 {
				// Redis 7.0 names XREAD and '$' for XREADGROUP too.
				c.Error("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.")
				return a, false
			}
			a.keys = args[streamsAt : streamsAt+n/2]
			a.idArgs = args[streamsAt+n/2:]
			i = len(args)
		case eqFold(o, "group") && more >= 2:
			if !group {
				c.Error("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.")
				return a, false
			}
			a.group, a.consumer = args[i+1], args[i+2]
			i += 2
		case eqFold(o, "noack"):
			if !group {
				c.Error("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.")
				return a, false
			}
			a.noack = true
		default:
			c.Error(errSyntax)
			return a, false
		}
	}
	if streamsAt == 0 {
		c.Error(errSyntax)
		return a, false
	}
	if group && a.group == nil {
		c.Error("ERR Missing GROUP option for XREADGROUP")
		return a, false
	}
	return a, true
}

// parseTimeoutMS parses a BLOCK argument in milliseconds (Redis's
// getTimeoutFromObjectOrReply with UNIT_MILLISECONDS): an integer.
func (c *Ctx) parseTimeoutMS(arg []byte) (deadline time.Time, ok bool) {
	n, valid := parseInt(arg)
	if !valid {
		c.Error("ERR timeout is not an integer or out of range")
		return time.Time{}, false
	}
	return c.deadlineAfter(n)
}

func cmdXRead(c *Ctx) {
	a, ok := c.parseXRead(false)
	if !ok {
		return
	}
	ids := make([]streamID, len(a.keys))
	for i, key := range a.keys {
		s, ok := c.readStream(key)
		if !ok {
			return
		}
		if len(a.idArgs[i]) == 1 && a.idArgs[i][0] == '$' {
			if s != nil {
				ids[i] = s.meta.lastID
			}
			continue
		}
		if len(a.idArgs[i]) == 1 && a.idArgs[i][0] == '>' {
			c.Error("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.")
			return
		}
		if ids[i], ok = c.streamIDArg(a.idArgs[i]); !ok {
			return
		}
	}
	var out []streamRead
	for i, key := range a.keys {
		s, ok := c.readStream(key)
		if !ok || s == nil || s.meta.length == 0 || s.meta.lastID.cmp(ids[i]) <= 0 {
			continue
		}
		// Served when an entry follows the id (Redis: the last live
		// entry's id is greater).
		start, _ := ids[i].next()
		es, err := s.rangeEntries(start, maxStreamID, a.count, false)
		if err != nil {
			streamEngineError(c, err)
			return
		}
		if len(es) > 0 {
			out = append(out, streamRead{key, es})
		}
	}
	if a.replyNow(c, out) {
		return
	}
	count := a.blockedCount()
	keys := CloneArgs(a.keys)
	after := map[string]streamID{}
	for i, k := range keys {
		if _, dup := after[string(k)]; !dup {
			after[string(k)] = ids[i]
		}
	}
	c.block(keys, a.deadline, func(c *Ctx, key []byte) bool {
		// Only an XADD wakes an XREAD (Redis's signalKeyAsReady).
		if !c.DB.streamSignalled(c.S.DB, key) {
			return false
		}
		s, ok := c.streamQuiet(key)
		if !ok {
			return false
		}
		// Served with a write context: the stream came from the write
		// cache, and goes back unchanged.
		defer s.remember()
		gt := after[string(key)]
		if s.meta.lastID.cmp(gt) <= 0 {
			return false
		}
		start, _ := gt.next()
		es, err := s.rangeEntries(start, maxStreamID, count, false)
		if err != nil {
			c.Error("ERR " + err.Error())
			return true
		}
		replyReadHeader(c.R, 1)
		replyReadKey(c.R, key, es)
		return true
	}, Reply.NullArray)
}

// streamRead is what XREAD or XREADGROUP serves from one key.
type streamRead struct {
	key     []byte
	entries []streamEntry // nil fields: a pending entry deleted from the stream
}

// replyNow replies what XREAD or XREADGROUP read, or the timeout reply when
// nothing was read and the command does not block (no BLOCK, or inside
// MULTI/EXEC); false when the command is to block.
func (a *xreadArgs) replyNow(c *Ctx, out []streamRead) bool {
	if len(out) > 0 {
		replyReadHeader(c.R, len(out))
		for _, r := range out {
			replyReadKey(c.R, r.key, r.entries)
		}
		return true
	}
	if !a.block || !c.canBlock() {
		c.R.NullArray()
		return true
	}
	return false
}

// blockedCount is the COUNT a blocked read serves with.
func (a *xreadArgs) blockedCount() int64 {
	if a.count == 0 {
		return xreadBlockedDefaultCount
	}
	return a.count
}

// replyReadHeader starts XREAD's reply of n keys: an array of [key,
// entries] pairs in RESP2, a map in RESP3.
func replyReadHeader(r Reply, n int) {
	if r.Proto() == 2 {
		r.Array(n)
	} else {
		r.Map(n)
	}
}

func replyReadKey(r Reply, key []byte, es []streamEntry) {
	if r.Proto() == 2 {
		r.Array(2)
	}
	r.Bulk(key)
	replyEntries(r, es)
}

// streamQuiet loads key for a served waiter: ok is false (nothing
// replied) unless it is a stream.
func (c *Ctx) streamQuiet(key []byte) (*stream, bool) {
	if !c.holds(key, memtables.TypeStream) {
		return nil, false
	}
	p, found := c.DB.ks.Get(c.S.DB, key)
	if !found {
		return nil, false
	}
	s, err := c.loadStream(key, p)
	if err != nil {
		return nil, false
	}
	return s, true
}
