package server

// Request parsing. A requestReader turns the bytes a client sends into
// requests exactly as Redis 7.0's networking.c does (processInputBuffer,
// processInlineBuffer, processMultibulkBuffer, sdssplitargs, string2ll),
// including its quirks, because clients and the differential tests see
// them:
//
//   - A request starting with '*' is a multibulk; anything else is an
//     inline line, split like sdssplitargs (quotes, \xHH and \n \r \t \b \a
//     escapes). Empty lines and multibulk counts <= 0 are ignored.
//   - Count and bulk length lines end at the first '\r'; the byte after it
//     is skipped unchecked, and so are the two bytes after a bulk payload
//     (Redis never checks the CRLF: "*1\r\n$4\r\nPINGxx" is PING).
//   - Redis finds line ends with strchr, which stops at a NUL byte: a line
//     with a NUL before its end never ends, and the client waits until the
//     64 KiB line limit closes it ("too big ... string"/"request").
//   - Numbers are string2ll's: no sign but '-', no leading zeros, no
//     spaces, at most 20 characters.
//   - Limits: a count above INT_MAX, a bulk length above proto-max-bulk-len,
//     and for a client that must still AUTH, more than 10 elements or a bulk
//     longer than 16384 bytes, are protocol errors; more than
//     client-query-buffer-limit unparsed bytes close the connection.
//
// Every protocol error is final: the connection replies
// "-ERR Protocol error: ..." after the replies of the requests before it,
// and closes.
//
// Performance contract: in the steady state Next allocates nothing (the
// argument slice is reused and arguments alias the read buffer, inline
// escapes are decoded in place), and no byte is parsed twice: a request
// that arrives over many reads keeps its parse state (elements done, bulk
// length, how far a line was searched), so a large bulk costs O(size).

import (
	"bytes"
	"errors"
	"io"
	"math"

	"github.com/keeldb/keel"
)

// Redis's request limits (server.h, networking.c). They are part of the
// protocol contract that clients observe and must not change.
const (
	protoInlineMaxSize = 64 * 1024 // PROTO_INLINE_MAX_SIZE: inline line, count or bulk length line
	protoIOBufLen      = 16 * 1024 // PROTO_IOBUF_LEN: the usual read size
	unauthMaxMultibulk = 10        // elements a client that must AUTH may announce
	unauthMaxBulk      = 16384     // bulk length a client that must AUTH may announce
	maxMultibulk       = math.MaxInt32
	longStrSize        = 21 // LONG_STR_SIZE: string2ll refuses longer numbers
)

const (
	// defaultQueryBufLimit is client-query-buffer-limit's default, used
	// when the reader has no configuration.
	defaultQueryBufLimit = 1 << 30
	// maxIdleReadBuf: a read buffer grown beyond this for a big request is
	// released once it has been consumed.
	maxIdleReadBuf = 64 << 10
)

// Request types (Redis's c->reqtype).
const (
	reqNone = iota
	reqInline
	reqMultibulk
)

// protocolError is a malformed request. Its text is Redis's, after the
// "Protocol error: " prefix; the connection replies it with "ERR " and
// closes.
type protocolError struct{ msg string }

func (e *protocolError) Error() string { return "Protocol error: " + e.msg }

// errQueryBufLimit: the client sent more than client-query-buffer-limit
// bytes that do not form complete requests. Redis closes such a client
// without a reply.
var errQueryBufLimit = errors.New("client reached max query buffer length")

// requestReader reads requests from one connection. Not safe for
// concurrent use; a connection's goroutine owns it.
type requestReader struct {
	r       io.Reader
	maxBulk func() int64 // proto-max-bulk-len, read at each bulk length
	authed  func() bool  // false while the client must AUTH (Redis's !authRequired)
	// queryBufLimit is client-query-buffer-limit (nil: 1 GiB).
	queryBufLimit func() int64

	// buf[:len(buf)] holds the bytes read; [0,start) is consumed,
	// [start,pos) is the parsed part of the request in progress and pos is
	// Redis's qb_pos. Reads append into buf[len(buf):cap(buf)].
	buf        []byte
	start, pos int

	// Parse state of the request in progress (Redis's reqtype,
	// multibulklen and bulklen), kept across reads.
	reqType   int
	multibulk int64 // elements still to read; 0 while the count line is unread
	bulk      int64 // length of the element being read; -1 while its length line is unread
	offs      []int // [lo, hi) of each element read, relative to start (survives compaction)

	// Line search memo, so that a line arriving over many reads is
	// searched once: buf[pos:pos+scanned] holds neither the terminator nor
	// a NUL. nul: a NUL came first, so strchr never finds the line's end.
	scanned int
	nul     bool

	// slowOnly turns parseWhole off, so tests can compare it with the
	// general parser.
	slowOnly bool

	// grew, when set, is called by the reading goroutine after it made
	// the buffer larger (a big request arriving): a goroutine's client
	// shows its query buffer then, for maxmemory-clients, while it waits
	// for the rest.
	grew func()

	args  [][]byte // the request Next returns; reused
	ready bool     // args holds a request Pending parsed and Next has not returned
	err   error    // sticky: the first protocol or read error
	rerr  error    // a read error that came with data, returned once the data is parsed

	// work counts bytes searched for line ends and moved to make room,
	// so tests can check that parsing stays linear in the input.
	work int64
}

func newRequestReader(r io.Reader, maxBulk func() int64, authed func() bool) *requestReader {
	return &requestReader{r: r, maxBulk: maxBulk, authed: authed, bulk: -1}
}

// Next returns the arguments of the next request, reading as needed. It
// never returns an empty request: those Redis ignores are skipped.
//
// The returned slices alias the reader's buffer: they are valid only
// until the next call to Next or Pending. Anything kept longer must be
// copied.
//
// A malformed request yields a *protocolError; a read error (io.EOF when
// the client closes) or errQueryBufLimit is returned as is. Errors are
// sticky.
func (rd *requestReader) Next() ([][]byte, error) {
	if rd.ready {
		rd.ready = false
		return rd.args, nil
	}
	for rd.err == nil {
		ok, err := rd.parse()
		if err != nil {
			rd.err = err
			break
		}
		if ok {
			return rd.args, nil
		}
		if err := rd.fill(); err != nil {
			rd.err = err
		}
	}
	return nil, rd.err
}

// Pending reports whether Next would return without reading: a complete
// request, or an error, is buffered. A connection executes requests while
// Pending is true and then flushes their replies at once (a pipeline).
// Pending parses ahead, so it invalidates the slices Next returned.
func (rd *requestReader) Pending() bool {
	if rd.ready || rd.err != nil {
		return true
	}
	ok, err := rd.parse()
	if err != nil {
		rd.err = err
		return true
	}
	rd.ready = ok
	return ok
}

// ahead appends to reqs the command name and first two arguments of the
// buffered requests Next will return, up to max of them, without parsing
// them for Next: for a prefetch (keel.DB.Prefetch), so it is best effort.
// It stops at the first request that is incomplete, inline, or not plain
// RESP (the parser reports those), and after four requests that name the
// same key and argument (LPUSH l x, ...: nothing more to load). A client
// that must still AUTH gets nothing prefetched. The slices alias the
// reader's buffer: valid until the next read.
func (rd *requestReader) ahead(reqs []keel.Ahead, max int) []keel.Ahead {
	if rd.authed != nil && !rd.authed() {
		return reqs
	}
	start := len(reqs)
	if rd.ready {
		var r keel.Ahead
		r.Name = rd.args[0]
		if len(rd.args) >= 2 {
			r.Key = rd.args[1]
		}
		if len(rd.args) >= 3 {
			r.Arg = rd.args[2]
		}
		reqs = append(reqs, r)
	} else if rd.reqType != reqNone {
		return reqs // a request in progress
	}
	b := rd.buf[rd.pos:]
	for len(reqs)-start < max {
		if n := len(reqs) - start; n == 4 && sameAhead(reqs[start:]) {
			break
		}
		elems, rest, ok := respInt(b, '*')
		if !ok || elems < 1 {
			break
		}
		b = rest
		var r keel.Ahead
		for i := int64(0); i < elems; i++ {
			l, rest, ok := respInt(b, '$')
			if !ok || l < 0 || l > int64(len(rest))-2 || rest[l] != '\r' || rest[l+1] != '\n' {
				return reqs
			}
			switch i {
			case 0:
				r.Name = rest[:l]
			case 1:
				r.Key = rest[:l]
			case 2:
				r.Arg = rest[:l]
			}
			b = rest[l+2:]
		}
		reqs = append(reqs, r)
	}
	return reqs
}

// sameAhead reports whether the requests all name the first one's key and
// argument.
func sameAhead(reqs []keel.Ahead) bool {
	for _, r := range reqs[1:] {
		if !bytes.Equal(r.Key, reqs[0].Key) || !bytes.Equal(r.Arg, reqs[0].Arg) {
			return false
		}
	}
	return true
}

// respInt reads a "<prefix><integer>\r\n" line at the start of b: the
// integer, parsed as the parser does (string2ll), and what follows the
// line; ok=false when b does not start with one.
func respInt(b []byte, prefix byte) (n int64, rest []byte, ok bool) {
	if len(b) == 0 || b[0] != prefix {
		return 0, nil, false
	}
	// Nearly every line is a few digits: read them as they come. A line
	// of at most 18 digits, no leading zero, then "\r\n" is a number
	// string2ll takes as is (no overflow); anything else is the general
	// path's. Searching for the line's end and then parsing it, two calls
	// per line, twice per element (the prefetch's look ahead and the
	// parse), were 6.6% of the server's CPU under GET at pipeline 16.
	i := 1
	for ; i < len(b) && i <= 18; i++ {
		d := b[i] - '0'
		if d > 9 {
			break
		}
		n = n*10 + int64(d)
	}
	if i > 1 && i+1 < len(b) && b[i] == '\r' && b[i+1] == '\n' && (b[1] != '0' || i == 2) {
		return n, b[i+2:], true
	}
	return respIntLine(b)
}

// respIntLine is respInt's general reading of a line whose prefix was
// checked: its end searched for within longStrSize bytes, then the number
// parsed by string2ll.
func respIntLine(b []byte) (n int64, rest []byte, ok bool) {
	nl := bytes.IndexByte(b[:min(len(b), longStrSize+1)], '\r')
	if nl < 0 || nl+1 >= len(b) || b[nl+1] != '\n' {
		return 0, nil, false
	}
	n, ok = string2ll(b[1:nl])
	return n, b[nl+2:], ok
}

// parse continues parsing the buffered bytes without reading. ok reports
// a complete, non-empty request in rd.args.
func (rd *requestReader) parse() (ok bool, err error) {
	for rd.pos < len(rd.buf) {
		if rd.reqType == reqNone {
			rd.start = rd.pos
			if rd.buf[rd.pos] == '*' {
				if !rd.slowOnly && rd.parseWhole() {
					rd.start = rd.pos
					return true, nil
				}
				rd.reqType, rd.multibulk, rd.bulk = reqMultibulk, 0, -1
			} else {
				rd.reqType = reqInline
			}
		}
		var done bool
		if rd.reqType == reqInline {
			done, err = rd.parseInline()
		} else {
			done, err = rd.parseMultibulk()
		}
		if err != nil || !done {
			return false, err
		}
		rd.reqType, rd.start = reqNone, rd.pos
		if len(rd.args) > 0 {
			return true, nil
		}
	}
	return false, nil
}

// parseWhole parses, in one pass and with no parse state, a multibulk
// request that is buffered whole and plain: the count and every length a
// line of digits string2ll takes, ended by "\r\n", within Redis's limits,
// and a count above 0. That is a pipeline's every request, which the
// general parser (parseMultibulk) would take apart line by line, searching
// each line twice (for its end, then for a NUL) and keeping its progress
// between them. Anything else, and a request not yet complete, returns
// false having changed nothing, and parseMultibulk parses it from its
// start: its rules decide every case this one leaves (a NUL in a line, a
// bad number, a limit, CR without LF). A request that arrives in many
// reads is tried here once, when its first bytes are at the cursor; after
// that parseMultibulk keeps its progress, so the work stays linear.
func (rd *requestReader) parseWhole() bool {
	n, b, ok := respInt(rd.buf[rd.pos:], '*')
	// Each element takes at least 6 bytes ("$0\r\n\r\n").
	if !ok || n <= 0 || n > int64(len(b))/6 || n > unauthMaxMultibulk && !rd.authed() {
		return false
	}
	maxBulk := rd.maxBulk()
	args := rd.args[:0]
	for range n {
		l, rest, ok := respInt(b, '$')
		if !ok || l < 0 || l > maxBulk || l+2 > int64(len(rest)) || l > unauthMaxBulk && !rd.authed() {
			return false
		}
		args = append(args, rest[:l:l]) // the 2 bytes after it are not checked
		b = rest[l+2:]
	}
	rd.args, rd.offs = args, rd.offs[:0]
	rd.advance(len(rd.buf) - len(b))
	return true
}

// advance moves the parse cursor past a line or element.
func (rd *requestReader) advance(pos int) {
	rd.pos, rd.scanned, rd.nul = pos, 0, false
}

// findLine returns the index of the first term at or after pos, or -1 if
// it is not buffered yet or a NUL precedes it (Redis's strchr).
func (rd *requestReader) findLine(term byte) int {
	if rd.nul {
		return -1
	}
	from := rd.pos + rd.scanned
	b := rd.buf[from:]
	i := bytes.IndexByte(b, term)
	seg := b
	if i >= 0 {
		seg = b[:i]
	}
	rd.work += int64(len(seg))
	if bytes.IndexByte(seg, 0) >= 0 {
		rd.nul = true
		return -1
	}
	if i < 0 {
		rd.scanned = len(rd.buf) - rd.pos
		return -1
	}
	// Remember the hit: a count line may still wait for the byte after it.
	rd.scanned = from + i - rd.pos
	return from + i
}

// parseInline is processInlineBuffer: one line, ended by "\n" or "\r\n".
func (rd *requestReader) parseInline() (bool, error) {
	nl := rd.findLine('\n')
	if nl < 0 {
		if len(rd.buf)-rd.pos > protoInlineMaxSize {
			return false, &protocolError{"too big inline request"}
		}
		return false, nil
	}
	end := nl
	if end > rd.pos && rd.buf[end-1] == '\r' {
		end--
	}
	line := rd.buf[rd.pos:end]
	rd.advance(nl + 1)
	if !rd.splitArgs(line) {
		return false, &protocolError{"unbalanced quotes in request"}
	}
	return true, nil
}

// parseMultibulk is processMultibulkBuffer: "*<count>\r" then count times
// "$<len>\r" + 1 byte, <len> bytes, 2 bytes. It returns false while the
// request is incomplete, keeping its progress.
func (rd *requestReader) parseMultibulk() (bool, error) {
	if rd.multibulk == 0 {
		nl := rd.findLine('\r')
		if nl < 0 {
			if len(rd.buf)-rd.pos > protoInlineMaxSize {
				return false, &protocolError{"too big mbulk count string"}
			}
			return false, nil
		}
		if nl+2 > len(rd.buf) { // the byte after '\r' is needed (and skipped)
			return false, nil
		}
		n, ok := string2ll(rd.buf[rd.pos+1 : nl])
		if !ok || n > maxMultibulk {
			return false, &protocolError{"invalid multibulk length"}
		}
		if n > unauthMaxMultibulk && !rd.authed() {
			return false, &protocolError{"unauthenticated multibulk length"}
		}
		rd.advance(nl + 2)
		rd.args, rd.offs = rd.args[:0], rd.offs[:0]
		if n <= 0 {
			return true, nil // ignored, like Redis
		}
		rd.multibulk, rd.bulk = n, -1
	}
	for rd.multibulk > 0 {
		if rd.bulk < 0 {
			nl := rd.findLine('\r')
			if nl < 0 {
				if len(rd.buf)-rd.pos > protoInlineMaxSize {
					return false, &protocolError{"too big bulk count string"}
				}
				return false, nil
			}
			if nl+2 > len(rd.buf) {
				return false, nil
			}
			if c := rd.buf[rd.pos]; c != '$' {
				// addReplyErrorFormat turns CR and LF into spaces.
				if c == '\r' || c == '\n' {
					c = ' '
				}
				return false, &protocolError{"expected '$', got '" + string([]byte{c}) + "'"}
			}
			n, ok := string2ll(rd.buf[rd.pos+1 : nl])
			if !ok || n < 0 || n > rd.maxBulk() {
				return false, &protocolError{"invalid bulk length"}
			}
			if n > unauthMaxBulk && !rd.authed() {
				return false, &protocolError{"unauthenticated bulk length"}
			}
			rd.advance(nl + 2)
			rd.bulk = n
		}
		if int64(len(rd.buf)-rd.pos) < rd.bulk+2 {
			return false, nil
		}
		lo := rd.pos - rd.start
		rd.offs = append(rd.offs, lo, lo+int(rd.bulk))
		rd.advance(rd.pos + int(rd.bulk) + 2) // the 2 bytes are not checked
		rd.bulk = -1
		rd.multibulk--
	}
	base := rd.buf[rd.start:]
	for i := 0; i < len(rd.offs); i += 2 {
		lo, hi := rd.offs[i], rd.offs[i+1]
		rd.args = append(rd.args, base[lo:hi:hi])
	}
	return true, nil
}

// splitArgs splits an inline line into rd.args like sdssplitargs and
// reports false for unbalanced quotes. The line contains no NUL (see
// findLine); past its end reads as NUL, as in C. Quoted arguments are
// decoded in place: an argument is never longer than its source text.
func (rd *requestReader) splitArgs(line []byte) bool {
	rd.args = rd.args[:0]
	at := func(i int) byte { // C's view: the line ends with a NUL
		if i < len(line) {
			return line[i]
		}
		return 0
	}
	p := 0
	for {
		for p < len(line) && isCSpace(line[p]) {
			p++
		}
		if p == len(line) {
			return true
		}
		tok, w := p, p // the argument is line[tok:w]
		inq, insq := false, false
		for done := false; !done; {
			c := at(p)
			switch {
			case inq:
				switch {
				case c == '\\' && at(p+1) == 'x' && isHex(at(p+2)) && isHex(at(p+3)):
					line[w] = unhex(at(p+2))<<4 | unhex(at(p+3))
					w++
					p += 3
				case c == '\\' && at(p+1) != 0:
					p++
					line[w] = unescape(line[p])
					w++
				case c == '"':
					// A closing quote must be followed by a space or the end.
					if n := at(p + 1); n != 0 && !isCSpace(n) {
						return false
					}
					done = true
				case c == 0:
					return false // unterminated quotes
				default:
					e := p + 1
					for e < len(line) && line[e] != '\\' && line[e] != '"' {
						e++
					}
					w += copy(line[w:], line[p:e])
					p = e - 1
				}
			case insq:
				switch {
				case c == '\\' && at(p+1) == '\'':
					p++
					line[w] = '\''
					w++
				case c == '\'':
					if n := at(p + 1); n != 0 && !isCSpace(n) {
						return false
					}
					done = true
				case c == 0:
					return false
				default:
					line[w] = c
					w++
				}
			default:
				switch c {
				case ' ', '\n', '\r', '\t', 0:
					done = true
				case '"':
					inq = true
				case '\'':
					insq = true
				default:
					// Plain bytes: a run of them is consumed at once.
					e := p + 1
					for e < len(line) && !endsPlain[line[e]] {
						e++
					}
					w += copy(line[w:], line[p:e])
					p = e - 1
				}
			}
			if p < len(line) {
				p++
			}
		}
		rd.args = append(rd.args, line[tok:w:w])
	}
}

// endsPlain marks the bytes that end a run of plain bytes in an unquoted
// inline argument: separators, quotes and NUL.
var endsPlain = [256]bool{' ': true, '\n': true, '\r': true, '\t': true, 0: true, '"': true, '\'': true}

// isCSpace is C's isspace in the C locale.
func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// unescape maps the character after a backslash inside double quotes.
func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'b':
		return '\b'
	case 'a':
		return '\a'
	}
	return c
}

// string2ll is Redis's strict integer parser (util.c): optional '-', no
// leading zeros ("0" itself aside), digits only, no overflow, fewer than
// 21 bytes.
func string2ll(s []byte) (int64, bool) {
	if len(s) == 0 || len(s) >= longStrSize {
		return 0, false
	}
	if len(s) == 1 && s[0] == '0' {
		return 0, true
	}
	neg := s[0] == '-'
	if neg {
		s = s[1:]
		if len(s) == 0 {
			return 0, false
		}
	}
	if s[0] < '1' || s[0] > '9' {
		return 0, false
	}
	var v uint64
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		if v > math.MaxUint64/10 {
			return 0, false
		}
		v *= 10
		if v > math.MaxUint64-uint64(c-'0') {
			return 0, false
		}
		v += uint64(c - '0')
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true // -(1<<63) wraps to MinInt64, as intended
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// fill reads more bytes after making room for them. It returns
// errQueryBufLimit when the unparsed bytes exceed the query buffer limit,
// checked after the read and before parsing, as readQueryFromClient does.
func (rd *requestReader) fill() error {
	if rd.rerr != nil {
		return rd.rerr
	}
	if rd.start == len(rd.buf) {
		// Everything is consumed: start over at the front, and release a
		// buffer a big request grew.
		if cap(rd.buf) > maxIdleReadBuf {
			rd.buf = nil
		}
		rd.buf, rd.start, rd.pos = rd.buf[:0], 0, 0
	}
	if cap(rd.buf)-len(rd.buf) < protoIOBufLen {
		rd.makeRoom()
	}
	limit := int64(defaultQueryBufLimit)
	if rd.queryBufLimit != nil {
		limit = rd.queryBufLimit()
	}
	for empty := 0; ; empty++ {
		n, err := rd.r.Read(rd.buf[len(rd.buf):cap(rd.buf)])
		rd.buf = rd.buf[:len(rd.buf)+n]
		if n > 0 {
			rd.rerr = err
			if int64(len(rd.buf)-rd.pos) > limit {
				return errQueryBufLimit
			}
			return nil
		}
		if err != nil {
			return err
		}
		if empty == 100 {
			return io.ErrNoProgress
		}
	}
}

func (rd *requestReader) grown() {
	if rd.grew != nil {
		rd.grew()
	}
}

// makeRoom makes at least protoIOBufLen bytes of room after the buffered
// bytes. It first moves the request in progress to the front (element
// offsets are relative to start, so they stay valid); if that is not
// enough it moves it into a buffer twice as large, but no larger than the
// element being read still needs (plus a read), so that a client announcing a huge bulk
// and sending nothing costs nothing.
func (rd *requestReader) makeRoom() {
	live := len(rd.buf) - rd.start
	if cap(rd.buf)-live >= protoIOBufLen {
		copy(rd.buf, rd.buf[rd.start:])
	} else {
		size := max(2*cap(rd.buf), live+protoIOBufLen)
		if rd.reqType == reqMultibulk && rd.bulk >= 0 {
			// The request up to the end of this element, and room for a
			// full read after it (else the last reads would grow it again).
			need := int64(rd.pos-rd.start) + rd.bulk + 2 + protoIOBufLen
			size = int(min(int64(size), max(need, int64(live+protoIOBufLen))))
		}
		nb := make([]byte, live, size)
		copy(nb, rd.buf[rd.start:])
		rd.buf = nb
		defer rd.grown()
	}
	rd.work += int64(live)
	rd.buf = rd.buf[:live]
	rd.pos -= rd.start
	rd.start = 0
}
