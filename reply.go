package keel

// Reply receives a command's reply. The server implements it for RESP2 and
// RESP3 (one implementation per protocol version of the connection); tests
// implement it to record replies. A handler writes exactly one top-level
// reply; aggregates announce their length first and then write that many
// elements (a map of n pairs is followed by 2n elements).
//
// A Reply is used by one goroutine at a time.
type Reply interface {
	Simple(s string)     // +OK
	Error(msg string)    // -ERR ... (msg includes the error code prefix)
	Int(n int64)         // :n
	Bulk(b []byte)       // $len b
	BulkString(s string) // $len s
	Null()               // RESP2 $-1, RESP3 _
	NullArray()          // RESP2 *-1, RESP3 _
	Array(n int)         // *n
	Map(n int)           // RESP3 %n, RESP2 *2n
	Set(n int)           // RESP3 ~n, RESP2 *n
	Double(f float64)    // RESP3 ,f, RESP2 bulk string in Redis's format
	Bool(b bool)         // RESP3 #t/#f, RESP2 :1/:0
	Verbatim(s string)   // RESP3 =len txt:s, RESP2 bulk string
	Proto() int          // 2 or 3
}

// Rewinder is a Reply that can take back what it was given since a mark,
// so that a command can stream a reply it can only check at its end (its
// length against the elements it announced) instead of building it first:
// Mark returns a mark, and Rewind(mark) drops what followed it. A command
// that finds its streamed reply wrong rewinds and replies otherwise. The
// server's writer is one; a Reply that is not one gets the built reply.
type Rewinder interface {
	Mark() int
	Rewind(mark int)
}

// Error replies shared by many commands, with Redis 7's exact texts.
const (
	errWrongType    = "WRONGTYPE Operation against a key holding the wrong kind of value"
	errSyntax       = "ERR syntax error"
	errNotInt       = "ERR value is not an integer or out of range"
	errNotFloat     = "ERR value is not a valid float"
	errOverflow     = "ERR increment or decrement would overflow"
	errNoSuchKey    = "ERR no such key"
	errDBIndex      = "ERR DB index is out of range"
	errInvalidExp   = "ERR invalid expire time in '%s' command"
	errStringTooBig = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
	errBitOffset    = "ERR bit offset is not an integer or out of range"
	errBitValue     = "ERR bit is not an integer or out of range"
	errOffsetRange  = "ERR offset is out of range"
	// SRANDMEMBER, ZRANDMEMBER and HRANDFIELD counts (getRangeLongFromObjectOrReply).
	errRandCount = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
	errRandRange = "ERR value is out of range"
)

// recorder is a Reply that builds a tree of values; used by EXEC to collect
// replies? No: EXEC streams replies directly. recorder serves tests and
// internal callers that need a command's reply as a value.
type recorder struct {
	proto int
	vals  []any
	stack []*agg
}

type agg struct {
	kind  byte
	want  int
	items []any
}

// Value kinds produced by recorder.
type (
	SimpleVal string
	ErrorVal  string
	NullVal   struct{}
)

func (r *recorder) push(v any) {
	for {
		if len(r.stack) == 0 {
			r.vals = append(r.vals, v)
			return
		}
		top := r.stack[len(r.stack)-1]
		top.items = append(top.items, v)
		if len(top.items) < top.want {
			return
		}
		r.stack = r.stack[:len(r.stack)-1]
		v = top.items
	}
}

func (r *recorder) open(kind byte, n int) {
	if n == 0 {
		r.push([]any{})
		return
	}
	r.stack = append(r.stack, &agg{kind: kind, want: n, items: make([]any, 0, n)})
}

func (r *recorder) Simple(s string)     { r.push(SimpleVal(s)) }
func (r *recorder) Error(msg string)    { r.push(ErrorVal(msg)) }
func (r *recorder) Int(n int64)         { r.push(n) }
func (r *recorder) Bulk(b []byte)       { r.push(string(b)) }
func (r *recorder) BulkString(s string) { r.push(s) }
func (r *recorder) Null()               { r.push(NullVal{}) }
func (r *recorder) NullArray()          { r.push(NullVal{}) }
func (r *recorder) Array(n int)         { r.open('*', n) }
func (r *recorder) Map(n int)           { r.open('%', 2*n) }
func (r *recorder) Set(n int)           { r.open('~', n) }
func (r *recorder) Double(f float64)    { r.push(formatFloat(f)) }
func (r *recorder) Bool(b bool) {
	if b {
		r.push(int64(1))
	} else {
		r.push(int64(0))
	}
}
func (r *recorder) Verbatim(s string) { r.push(s) }
func (r *recorder) Proto() int {
	if r.proto == 0 {
		return 2
	}
	return r.proto
}

// Exported error texts for packages that register commands.
const (
	ErrSyntax   = errSyntax
	ErrNotInt   = errNotInt
	ErrWrongTyp = errWrongType
)

// tape is a Reply that records the calls made to it and replays them to
// another Reply: a blocked command is served on the writer's goroutine
// while its own connection waits, so the reply is taped and replayed by
// the connection (WaitBlocked).
type tape struct {
	proto int
	ops   []tapeOp
}

type tapeOp struct {
	kind byte // the Reply method: see replay
	s    string
	n    int64
	f    float64
}

func (t *tape) Simple(s string)     { t.ops = append(t.ops, tapeOp{kind: '+', s: s}) }
func (t *tape) Error(msg string)    { t.ops = append(t.ops, tapeOp{kind: '-', s: msg}) }
func (t *tape) Int(n int64)         { t.ops = append(t.ops, tapeOp{kind: ':', n: n}) }
func (t *tape) Bulk(b []byte)       { t.ops = append(t.ops, tapeOp{kind: '$', s: string(b)}) }
func (t *tape) BulkString(s string) { t.ops = append(t.ops, tapeOp{kind: '$', s: s}) }
func (t *tape) Null()               { t.ops = append(t.ops, tapeOp{kind: '_'}) }
func (t *tape) NullArray()          { t.ops = append(t.ops, tapeOp{kind: '0'}) }
func (t *tape) Array(n int)         { t.ops = append(t.ops, tapeOp{kind: '*', n: int64(n)}) }
func (t *tape) Map(n int)           { t.ops = append(t.ops, tapeOp{kind: '%', n: int64(n)}) }
func (t *tape) Set(n int)           { t.ops = append(t.ops, tapeOp{kind: '~', n: int64(n)}) }
func (t *tape) Double(f float64)    { t.ops = append(t.ops, tapeOp{kind: ',', f: f}) }
func (t *tape) Verbatim(s string)   { t.ops = append(t.ops, tapeOp{kind: '=', s: s}) }
func (t *tape) Proto() int          { return t.proto }
func (t *tape) Mark() int           { return len(t.ops) }
func (t *tape) Rewind(mark int)     { t.ops = t.ops[:mark] }
func (t *tape) Bool(b bool) {
	op := tapeOp{kind: '#'}
	if b {
		op.n = 1
	}
	t.ops = append(t.ops, op)
}

// replay writes the recorded reply to r.
func (t *tape) replay(r Reply) {
	for _, op := range t.ops {
		switch op.kind {
		case '+':
			r.Simple(op.s)
		case '-':
			r.Error(op.s)
		case ':':
			r.Int(op.n)
		case '$':
			r.BulkString(op.s)
		case '_':
			r.Null()
		case '0':
			r.NullArray()
		case '*':
			r.Array(int(op.n))
		case '%':
			r.Map(int(op.n))
		case '~':
			r.Set(int(op.n))
		case ',':
			r.Double(op.f)
		case '=':
			r.Verbatim(op.s)
		case '#':
			r.Bool(op.n != 0)
		}
	}
}
