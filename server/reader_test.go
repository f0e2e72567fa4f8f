package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/keeldb/keel"
)

// Tests of requestReader against Redis 7.0's request parsing. The texts
// and behaviours were checked against redis-server 7.0.15; TestDiffProtocol
// compares the wired-up server with a live one.

// ---- readers that deliver input in pieces ----

// chunkReader returns data in pieces of 1..max bytes (random if rng is
// set, else always max).
type chunkReader struct {
	data  []byte
	max   int
	rng   *rand.Rand
	err   error // returned once data is exhausted (io.EOF if nil)
	reads int
}

func (cr *chunkReader) Read(p []byte) (int, error) {
	if len(cr.data) == 0 {
		if cr.err != nil {
			return 0, cr.err
		}
		return 0, io.EOF
	}
	cr.reads++
	n := cr.max
	if cr.rng != nil {
		n = 1 + cr.rng.Intn(cr.max)
	}
	n = min(n, len(p), len(cr.data))
	copy(p, cr.data[:n])
	cr.data = cr.data[n:]
	return n, nil
}

const testMaxBulk = 512 << 20

func newTestReader(r io.Reader, authed bool) *requestReader {
	return newRequestReader(r, func() int64 { return testMaxBulk }, func() bool { return authed })
}

// result is everything a reader produced: the requests, then the error
// that ended the stream (io.EOF for a clean end).
type result struct {
	reqs [][]string
	err  string
}

func (r result) String() string {
	var sb strings.Builder
	for _, q := range r.reqs {
		fmt.Fprintf(&sb, "%q ", q)
	}
	return sb.String() + "err=" + r.err
}

func drain(rd *requestReader) result {
	var res result
	for {
		args, err := rd.Next()
		if err != nil {
			res.err = err.Error()
			var perr *protocolError
			if !errors.As(err, &perr) && err != io.EOF && err != errQueryBufLimit {
				res.err = "unexpected error type: " + res.err
			}
			return res
		}
		if len(args) == 0 {
			res.err = "empty request returned"
			return res
		}
		q := make([]string, len(args))
		for i, a := range args {
			q[i] = string(a)
		}
		res.reqs = append(res.reqs, q)
	}
}

func parseAll(data []byte, authed bool) result {
	return drain(newTestReader(bytes.NewReader(data), authed))
}

// parseSlow is parseAll with parseWhole turned off.
func parseSlow(data []byte, authed bool) result {
	rd := newTestReader(bytes.NewReader(data), authed)
	rd.slowOnly = true
	return drain(rd)
}

func parseChunked(data []byte, authed bool, max int, rng *rand.Rand) result {
	return drain(newTestReader(&chunkReader{data: data, max: max, rng: rng}, authed))
}

func reqs(r ...[]string) [][]string { return r }
func req(a ...string) []string      { return a }

const (
	eof = "EOF"
	pe  = "Protocol error: "
)

type readerCase struct {
	name   string
	in     string
	unauth bool // the client must still AUTH
	want   [][]string
	err    string // exact Error() of what ends the stream
}

var readerCases = []readerCase{
	// multibulk
	{name: "multibulk", in: "*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n", want: reqs(req("ECHO", "hi")), err: eof},
	{name: "empty_bulk", in: "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", want: reqs(req("ECHO", "")), err: eof},
	{name: "binary_bulk", in: "*1\r\n$5\r\na\x00\r\nb\r\n", want: reqs(req("a\x00\r\nb")), err: eof},
	{name: "count_zero_and_negative_ignored", in: "*0\r\n*-1\r\n*-99999999\r\nPING\r\n", want: reqs(req("PING")), err: eof},
	{name: "count_int_max_accepted", in: "*2147483647\r\n$4\r\nPING\r\n", err: eof},
	{name: "count_3000000_accepted", in: "*3000000\r\n", err: eof},
	{name: "count_over_int_max", in: "*2147483648\r\n", err: pe + "invalid multibulk length"},
	{name: "count_not_number", in: "*abc\r\n", err: pe + "invalid multibulk length"},
	{name: "count_empty", in: "*\r\nPING\r\n", err: pe + "invalid multibulk length"},
	{name: "count_leading_zero", in: "*01\r\n$4\r\nPING\r\n", err: pe + "invalid multibulk length"},
	{name: "count_plus_sign", in: "*+1\r\n", err: pe + "invalid multibulk length"},
	{name: "count_minus_zero", in: "*-0\r\n", err: pe + "invalid multibulk length"},
	{name: "count_space", in: "* 1\r\n", err: pe + "invalid multibulk length"},
	{name: "count_overflow", in: "*-99999999999999999999\r\n", err: pe + "invalid multibulk length"},
	{name: "count_lf_only", in: "*1\n$4\r\nPING\r\n", err: pe + "invalid multibulk length"},
	{name: "count_cr_then_any_byte", in: "*1\rx$4\r\nPING\r\n", want: reqs(req("PING")), err: eof},
	{name: "count_waits_for_byte_after_cr", in: "*1\r", err: eof},
	{name: "count_line_too_long", in: "*" + strings.Repeat("1", 70000), err: pe + "too big mbulk count string"},
	{name: "count_line_long_but_ended", in: "*" + strings.Repeat("1", 65000) + "\r\n", err: pe + "invalid multibulk length"},
	{name: "bulk_crlf_not_checked", in: "*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n", want: reqs(req("PING"), req("PING")), err: eof},
	{name: "bulk_waits_for_2_bytes", in: "*1\r\n$4\r\nPING\r", err: eof},
	{name: "bulk_too_big", in: "*1\r\n$600000000\r\n", err: pe + "invalid bulk length"},
	{name: "bulk_max_accepted", in: "*1\r\n$536870912\r\n", err: eof},
	{name: "bulk_too_big_second_arg", in: "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$600000000\r\n", err: pe + "invalid bulk length"},
	{name: "bulk_negative", in: "*1\r\n$-5\r\n", err: pe + "invalid bulk length"},
	{name: "bulk_not_number", in: "*1\r\n$abc\r\n", err: pe + "invalid bulk length"},
	{name: "bulk_empty_length", in: "*1\r\n$\r\n", err: pe + "invalid bulk length"},
	{name: "bulk_leading_zero", in: "*1\r\n$04\r\nPING\r\n", err: pe + "invalid bulk length"},
	{name: "bulk_missing_dollar", in: "*1\r\nfoo\r\n", err: pe + "expected '$', got 'f'"},
	{name: "bulk_empty_line", in: "*1\r\n\r\n", err: pe + "expected '$', got ' '"},
	{name: "bulk_cr_line", in: "*1\r\n\rx", err: pe + "expected '$', got ' '"},
	{name: "bulk_high_byte", in: "*1\r\n\xff\r\n", err: pe + "expected '$', got '\xff'"},
	{name: "bulk_dollar_waits_for_line", in: "*1\r\nfoo", err: eof},
	{name: "bulk_line_too_long", in: "*1\r\n$" + strings.Repeat("1", 70000), err: pe + "too big bulk count string"},
	{name: "bulk_line_too_long_not_dollar", in: "*1\r\n" + strings.Repeat("x", 70000), err: pe + "too big bulk count string"},
	{name: "nul_in_count_line_never_ends", in: "*1\x00\r\n$4\r\nPING\r\n", err: eof},
	{name: "nul_in_bulk_line_never_ends", in: "*1\r\n$\x004\r\nPING\r\n", err: eof},
	{name: "nul_in_bulk_line_too_big", in: "*1\r\n$\x004\r\n" + strings.Repeat("PING\r\n", 11000), err: pe + "too big bulk count string"},
	// inline
	{name: "inline_basic", in: "SET k v\r\nGET k\r\n", want: reqs(req("SET", "k", "v"), req("GET", "k")), err: eof},
	{name: "inline_lf_only", in: "PING\n", want: reqs(req("PING")), err: eof},
	{name: "inline_empty_lines", in: "\r\n\n  \t \r\nPING\r\n", want: reqs(req("PING")), err: eof},
	{name: "inline_spaces", in: "  SET \t k    v  \r\n", want: reqs(req("SET", "k", "v")), err: eof},
	{name: "inline_cr_inside", in: "PI\rNG\n\r\r\n", want: reqs(req("PI", "NG")), err: eof},
	{name: "inline_vt_ff", in: "\x0bECHO \x0cb a\x0bc\r\n", want: reqs(req("ECHO", "b", "a\x0bc")), err: eof},
	{name: "inline_quotes", in: "SET k \"a b\\x41\"\r\n", want: reqs(req("SET", "k", "a bA")), err: eof},
	{name: "inline_escapes", in: `ECHO "\n\r\t\b\a\z\"\\" "\x00\xfF"` + "\r\n", want: reqs(req("ECHO", "\n\r\t\b\az\"\\", "\x00\xff")), err: eof},
	{name: "inline_bad_hex", in: `ECHO "a\x4g"` + "\n", want: reqs(req("ECHO", "ax4g")), err: eof},
	{name: "inline_single_quotes", in: `ECHO 'it\'s' 'a\nb' ''` + "\n", want: reqs(req("ECHO", "it's", `a\nb`, "")), err: eof},
	{name: "inline_empty_quoted", in: `ECHO ""` + "\n", want: reqs(req("ECHO", "")), err: eof},
	{name: "inline_quote_mid_token", in: `ECHO x"b c"` + "\n", want: reqs(req("ECHO", "xb c")), err: eof},
	{name: "inline_quote_then_tab", in: "ECHO \"a\"\tb\n", want: reqs(req("ECHO", "a", "b")), err: eof},
	{name: "inline_high_bytes", in: "ECHO \"\xff\" \xfe\r\n", want: reqs(req("ECHO", "\xff", "\xfe")), err: eof},
	{name: "inline_unbalanced", in: "SET k \"abc\r\n", err: pe + "unbalanced quotes in request"},
	{name: "inline_unbalanced_single", in: "SET k 'abc\r\n", err: pe + "unbalanced quotes in request"},
	{name: "inline_quote_followed", in: "ECHO \"a\"b\r\n", err: pe + "unbalanced quotes in request"},
	{name: "inline_single_quote_followed", in: "ECHO 'a'b\r\n", err: pe + "unbalanced quotes in request"},
	{name: "inline_trailing_backslash", in: "ECHO \"a\\\r\n", err: pe + "unbalanced quotes in request"},
	{name: "inline_requests_before_error", in: "PING\r\nECHO \"x\r\nPING\r\n", want: reqs(req("PING")), err: pe + "unbalanced quotes in request"},
	{name: "inline_too_big", in: strings.Repeat("a", 70000), err: pe + "too big inline request"},
	{name: "inline_64k_ok", in: strings.Repeat("a", 65536) + "\n", want: reqs(req(strings.Repeat("a", 65536))), err: eof},
	{name: "inline_nul_never_ends", in: "PING\x00\r\nPING\r\n", err: eof},
	{name: "inline_nul_too_big", in: "PING\x00\r\n" + strings.Repeat("PING\r\n", 11000), err: pe + "too big inline request"},
	{name: "inline_incomplete", in: "PING", err: eof},
	// mixed and ordering
	{name: "pipeline_mixed", in: "*1\r\n$4\r\nPING\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n", want: reqs(req("PING"), req("PING"), req("ECHO", "hi")), err: eof},
	{name: "requests_before_error", in: "*1\r\n$4\r\nPING\r\nPING\r\n*1\r\nfoo\r\n*1\r\n$4\r\nPING\r\n", want: reqs(req("PING"), req("PING")), err: pe + "expected '$', got 'f'"},
	{name: "star_inside_inline", in: "PING *1\r\n", want: reqs(req("PING", "*1")), err: eof},
	// unauthenticated clients (requirepass set, no AUTH yet)
	{name: "unauth_count_10", unauth: true, in: "*10\r\n", err: eof},
	{name: "unauth_count_11", unauth: true, in: "*11\r\n", err: pe + "unauthenticated multibulk length"},
	{name: "unauth_count_invalid_first", unauth: true, in: "*2147483648\r\n", err: pe + "invalid multibulk length"},
	{name: "unauth_negative_count", unauth: true, in: "*-5\r\nPING\r\n", want: reqs(req("PING")), err: eof},
	{name: "unauth_bulk_16384", unauth: true, in: "*1\r\n$16384\r\n", err: eof},
	{name: "unauth_bulk_16385", unauth: true, in: "*1\r\n$16385\r\n", err: pe + "unauthenticated bulk length"},
	{name: "unauth_bulk_invalid_first", unauth: true, in: "*1\r\n$600000000\r\n", err: pe + "invalid bulk length"},
	{name: "unauth_inline_unlimited", unauth: true, in: "a b c d e f g h i j k l\r\n", want: reqs(req("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l")), err: eof},
}

// TestRequestReader runs every case with the whole input in one read, one
// byte per read, and random pieces: all must give the same result.
func TestRequestReader(t *testing.T) {
	names := map[string]bool{}
	for _, tc := range readerCases {
		if names[tc.name] {
			t.Fatalf("duplicate case %q", tc.name)
		}
		names[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			want := result{reqs: tc.want, err: tc.err}
			check := func(how string, got result) {
				t.Helper()
				if !slices.EqualFunc(got.reqs, want.reqs, slices.Equal) || got.err != want.err {
					t.Errorf("%s:\n got  %s\n want %s", how, trunc(got.String()), trunc(want.String()))
				}
			}
			in := []byte(tc.in)
			check("one read", parseAll(slices.Clone(in), !tc.unauth))
			check("one read, general parser only", parseSlow(slices.Clone(in), !tc.unauth))
			check("1 byte per read", parseChunked(slices.Clone(in), !tc.unauth, 1, nil))
			seed := int64(len(tc.name))
			for i := 0; i < 5; i++ {
				rng := rand.New(rand.NewSource(seed + int64(i)))
				check(fmt.Sprintf("random pieces (seed %d)", seed+int64(i)), parseChunked(slices.Clone(in), !tc.unauth, 1+rng.Intn(40), rng))
			}
		})
	}
}

// TestRequestReaderEveryBoundary splits a pipeline of every request shape
// in two at every byte.
func TestRequestReaderEveryBoundary(t *testing.T) {
	in := "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\na\r\nbc\r\n" +
		"SET k \"a b\\x41\" 'c d'\r\n" +
		"*0\r\n\r\n" +
		"*1\r\n$4\r\nPINGxx" +
		"*2\r\n$4\r\nECHO\r\n$0\r\n\r\n"
	want := reqs(req("SET", "k", "a\r\nbc"), req("SET", "k", "a bA", "c d"), req("PING"), req("ECHO", ""))
	for cut := 0; cut <= len(in); cut++ {
		r := io.MultiReader(strings.NewReader(in[:cut]), strings.NewReader(in[cut:]))
		got := drain(newTestReader(r, true))
		if !slices.EqualFunc(got.reqs, want, slices.Equal) || got.err != eof {
			t.Fatalf("cut at %d: got %s", cut, got)
		}
	}
}

// TestRequestReaderPending checks that Pending tells a complete buffered
// request from a partial one without reading, so a connection flushes
// replies before it waits for the rest of a request.
func TestRequestReaderPending(t *testing.T) {
	cr := &chunkReader{data: []byte("PING\r\n*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nEC"), max: 1 << 20}
	rd := newTestReader(cr, true)
	for i := 0; i < 2; i++ {
		args, err := rd.Next()
		if err != nil || len(args) != 1 || string(args[0]) != "PING" {
			t.Fatalf("request %d: %q, %v", i, args, err)
		}
		if p := rd.Pending(); p != (i == 0) {
			t.Fatalf("Pending after request %d = %v", i, p)
		}
	}
	if cr.reads != 1 {
		t.Fatalf("%d reads, want 1", cr.reads)
	}
	// An error is pending too: it is answered in the same batch.
	rd = newTestReader(strings.NewReader("PING\r\n*1\r\nx\r\n"), true)
	rd.Next()
	if !rd.Pending() {
		t.Fatal("protocol error not pending")
	}
	if _, err := rd.Next(); err == nil || err.Error() != pe+"expected '$', got 'x'" {
		t.Fatalf("got %v", err)
	}
	if _, err := rd.Next(); err == nil {
		t.Fatal("error not sticky")
	}
}

// TestRequestReaderReadError: data that comes with a read error is parsed
// first; the error is returned after it.
func TestRequestReaderReadError(t *testing.T) {
	boom := errors.New("boom")
	rd := newTestReader(&chunkReader{data: []byte("PING\r\nPI"), max: 100, err: boom}, true)
	if args, err := rd.Next(); err != nil || string(args[0]) != "PING" {
		t.Fatalf("%q %v", args, err)
	}
	if _, err := rd.Next(); err != boom {
		t.Fatalf("got %v, want boom", err)
	}
}

// TestRequestReaderPipeline parses thousands of requests of every shape
// from one buffer, and from random pieces.
func TestRequestReaderPipeline(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	var in []byte
	var want [][]string
	for i := 0; i < 5000; i++ {
		n := 1 + rng.Intn(5)
		args := make([][]byte, n)
		for j := range args {
			args[j] = make([]byte, rng.Intn(200))
			rng.Read(args[j])
		}
		if rng.Intn(3) == 0 {
			in = appendInline(in, args)
		} else {
			in = appendMultibulk(in, args)
		}
		q := make([]string, n)
		for j, a := range args {
			q[j] = string(a)
		}
		want = append(want, q)
	}
	for _, how := range []string{"one read", "random pieces"} {
		var r io.Reader = bytes.NewReader(in)
		if how != "one read" {
			r = &chunkReader{data: in, max: 3000, rng: rng}
		}
		got := drain(newTestReader(r, true))
		if got.err != eof || !slices.EqualFunc(got.reqs, want, slices.Equal) {
			t.Fatalf("%s: %d requests, err %s; want %d", how, len(got.reqs), got.err, len(want))
		}
	}
}

// TestRequestReaderBigBulk: a 10 MB bulk arriving 1000 bytes at a time is
// parsed in linear work (no rescanning of the received part, geometric
// growth), and the buffer is released once consumed.
func TestRequestReaderBigBulk(t *testing.T) {
	const size = 10 << 20
	val := bytes.Repeat([]byte("0123456789abcdef"), size/16)
	in := appendMultibulk(nil, [][]byte{[]byte("SET"), []byte("k"), val})
	in = append(in, "PING\r\n"...)
	cr := &chunkReader{data: in, max: 1000}
	rd := newTestReader(cr, true)
	args, err := rd.Next()
	if err != nil || len(args) != 3 || !bytes.Equal(args[2], val) {
		t.Fatalf("bulk: %d args, %v", len(args), err)
	}
	t.Logf("parse work %d bytes for %d bytes received in %d reads", rd.work, len(in), cr.reads)
	if rd.work > 3*size {
		t.Errorf("parse work %d bytes for a %d-byte request: not linear", rd.work, size)
	}
	if c := cap(rd.buf); c > 2*size+protoIOBufLen {
		t.Errorf("buffer grew to %d for a %d-byte request", c, size)
	}
	if args, err := rd.Next(); err != nil || string(args[0]) != "PING" {
		t.Fatalf("after bulk: %q %v", args, err)
	}
	if _, err := rd.Next(); err != io.EOF {
		t.Fatalf("got %v", err)
	}
	if c := cap(rd.buf); c > maxIdleReadBuf {
		t.Errorf("buffer of %d bytes kept after the big request", c)
	}
}

// TestRequestReaderLongLine: a count line arriving one byte at a time up to
// the 64 KiB limit is searched once, not once per read.
func TestRequestReaderLongLine(t *testing.T) {
	in := "*" + strings.Repeat("1", 70000)
	rd := newTestReader(&chunkReader{data: []byte(in), max: 7}, true)
	_, err := rd.Next()
	if err == nil || err.Error() != pe+"too big mbulk count string" {
		t.Fatalf("got %v", err)
	}
	if rd.work > 3*int64(len(in)) {
		t.Errorf("work %d for a %d-byte line", rd.work, len(in))
	}
}

// TestRequestReaderHugeBulkAnnounced: a client announcing a 512 MB bulk and
// sending a little of it does not make the reader allocate 512 MB.
func TestRequestReaderHugeBulkAnnounced(t *testing.T) {
	rd := newTestReader(strings.NewReader("*1\r\n$536870912\r\n"+strings.Repeat("x", 100000)), true)
	if _, err := rd.Next(); err != io.EOF {
		t.Fatalf("got %v", err)
	}
	if c := cap(rd.buf); c > 1<<20 {
		t.Errorf("buffer of %d bytes for 100 KB received", c)
	}
}

// TestRequestReaderQueryBufLimit: more unparsed bytes than
// client-query-buffer-limit close the client (Redis's
// readQueryFromClient), with no reply.
func TestRequestReaderQueryBufLimit(t *testing.T) {
	in := "PING\r\n*1\r\n$2000000\r\n" + strings.Repeat("x", 1500000)
	rd := newTestReader(&chunkReader{data: []byte(in), max: 64 << 10}, true)
	rd.queryBufLimit = func() int64 { return 1 << 20 }
	got := drain(rd)
	if !slices.EqualFunc(got.reqs, reqs(req("PING")), slices.Equal) || got.err != errQueryBufLimit.Error() {
		t.Fatalf("got %s", got)
	}
}

// TestRequestReaderNoAllocs: the steady state allocates nothing per
// request.
func TestRequestReaderNoAllocs(t *testing.T) {
	in := benchPipeline()
	rd := newTestReader(&repeatReader{data: in}, true)
	for i := 0; i < 100; i++ { // warm up: buffers reach their size
		rd.Next()
	}
	allocs := testing.AllocsPerRun(1000, func() {
		if _, err := rd.Next(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%.2f allocations per request", allocs)
	}
}

func TestString2ll(t *testing.T) {
	cases := []struct {
		in string
		n  int64
		ok bool
	}{
		{"0", 0, true}, {"1", 1, true}, {"-1", -1, true}, {"123", 123, true},
		{"9223372036854775807", 1<<63 - 1, true}, {"-9223372036854775808", -1 << 63, true},
		{"9223372036854775808", 0, false}, {"-9223372036854775809", 0, false},
		{"18446744073709551616", 0, false}, {"00", 0, false}, {"01", 0, false}, {"-0", 0, false},
		{"-", 0, false}, {"", 0, false}, {"+1", 0, false}, {" 1", 0, false}, {"1 ", 0, false},
		{"1a", 0, false}, {"000000000000000000001", 0, false},
	}
	for _, c := range cases {
		n, ok := string2ll([]byte(c.in))
		if n != c.n || ok != c.ok {
			t.Errorf("string2ll(%q) = %d, %v; want %d, %v", c.in, n, ok, c.n, c.ok)
		}
	}
}

// ---- encoders ----

func appendMultibulk(b []byte, args [][]byte) []byte {
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(args)), 10)
	b = append(b, '\r', '\n')
	for _, a := range args {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(a)), 10)
		b = append(b, '\r', '\n')
		b = append(b, a...)
		b = append(b, '\r', '\n')
	}
	return b
}

// appendInline writes args as an inline request that sdssplitargs
// decodes back: each argument double-quoted, bytes outside printable
// ASCII and the quote and backslash as \xHH.
func appendInline(b []byte, args [][]byte) []byte {
	for i, a := range args {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, '"')
		for _, c := range a {
			if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
				b = append(b, c)
			} else {
				b = append(b, fmt.Sprintf(`\x%02x`, c)...)
			}
		}
		b = append(b, '"')
	}
	return append(b, '\r', '\n')
}

// ---- fuzzing ----

// FuzzRequestReader checks on any input that the reader never panics and
// gives the same result whatever the read sizes; and, reading the input
// as arguments (split at 0xfe), that their multibulk and inline encodings
// parse back to the same arguments.
func FuzzRequestReader(f *testing.F) {
	for _, tc := range readerCases {
		if len(tc.in) < 1000 {
			f.Add([]byte(tc.in), uint8(1))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		max := 1 + int(chunk)%64
		whole := parseAll(slices.Clone(data), true)
		if len(data) < protoInlineMaxSize {
			// Beyond the line limit, results depend on read sizes, as in Redis.
			if got := parseChunked(slices.Clone(data), true, max, nil); !slices.EqualFunc(got.reqs, whole.reqs, slices.Equal) || got.err != whole.err {
				t.Fatalf("chunks of %d: %s\nwhole: %s", max, got, whole)
			}
		}
		for _, authed := range []bool{true, false} {
			fast, slow := parseAll(slices.Clone(data), authed), parseSlow(slices.Clone(data), authed)
			if !slices.EqualFunc(fast.reqs, slow.reqs, slices.Equal) || fast.err != slow.err {
				t.Fatalf("authed %v: with parseWhole: %s\ngeneral parser only: %s", authed, fast, slow)
			}
		}
		checkAhead(t, slices.Clone(data), max, 16)

		args := bytes.Split(data, []byte{0xfe})
		want := make([]string, len(args))
		for i, a := range args {
			want[i] = string(a)
		}
		in := appendMultibulk(nil, args)
		in = appendInline(in, args)
		in = appendMultibulk(in, args)
		got := parseChunked(in, true, max, nil)
		if got.err != eof || !slices.EqualFunc(got.reqs, reqs(want, want, want), slices.Equal) {
			t.Fatalf("round trip of %q: %s", want, got)
		}
	})
}

// checkAhead reads data in chunks of max bytes and, before each run of
// requests it executes, asks ahead (at most limit requests): each request
// it describes must be the one Next then returns, in order (name and first
// two arguments, nil when absent). ahead checks the syntax, not Redis's
// limits (bulk and count sizes, AUTH), so requests it described past one
// that fails those are not checked.
func checkAhead(t *testing.T, data []byte, max, limit int) {
	t.Helper()
	rd := newTestReader(&chunkReader{data: data, max: max}, true)
	for {
		if _, err := rd.Next(); err != nil {
			return
		}
		// The request Next returned was executed before ahead: the
		// requests described are the buffered ones after it.
		reqs := rd.ahead(nil, limit)
		if len(reqs) > limit {
			t.Fatalf("%d requests, limit %d", len(reqs), limit)
		}
		got := make([]string, len(reqs))
		for i, r := range reqs {
			got[i] = describeAhead(r)
		}
		for j := range got {
			next, err := rd.Next()
			var perr *protocolError
			if errors.As(err, &perr) && strings.Contains(perr.msg, "invalid") {
				return // a limit: "invalid multibulk length", "invalid bulk length"
			}
			if err != nil {
				t.Fatalf("ahead described %q of requests that do not parse: %v", got[j:], err)
			}
			var want keel.Ahead
			want.Name = next[0]
			if len(next) > 1 {
				want.Key = next[1]
			}
			if len(next) > 2 {
				want.Arg = next[2]
			}
			if w := describeAhead(want); got[j] != w {
				t.Fatalf("ahead described %s, the next request is %s", got[j], w)
			}
		}
	}
}

// describeAhead shows r, telling an absent argument from an empty one.
func describeAhead(r keel.Ahead) string {
	show := func(b []byte) string {
		if b == nil {
			return "-"
		}
		return strconv.Quote(string(b))
	}
	return show(r.Name) + " " + show(r.Key) + " " + show(r.Arg)
}

// TestAhead: the requests of a pipeline's buffered requests, up to the
// limit, stopping at what is incomplete or not plain RESP, and after four
// that repeat one key and argument.
func TestAhead(t *testing.T) {
	mb := func(args ...string) string {
		bs := make([][]byte, len(args))
		for i, a := range args {
			bs[i] = []byte(a)
		}
		return string(appendMultibulk(nil, bs))
	}
	for _, tc := range []struct {
		name, in string
		want     []string // describeAhead
	}{
		{"pipeline", mb("GET", "a") + mb("GET", "b") + mb("SET", "c", "v", "EX", "1"),
			[]string{`"GET" "a" -`, `"GET" "b" -`, `"SET" "c" "v"`}},
		{"fields", mb("HSET", "h", "f", "v") + mb("HSET", "h", "g", "v") + mb("HGET", "h", "f") + mb("GET", "h"),
			[]string{`"HSET" "h" "f"`, `"HSET" "h" "g"`, `"HGET" "h" "f"`, `"GET" "h" -`}},
		{"no_key", mb("PING") + mb("GET", "") + mb("ECHO", "x"), []string{`"PING" - -`, `"GET" "" -`, `"ECHO" "x" -`}},
		{"partial", mb("GET", "a") + mb("GET", "b") + "*2\r\n$3\r\nGET\r\n$5\r\nab", []string{`"GET" "a" -`, `"GET" "b" -`}},
		{"inline_stops", mb("GET", "a") + "GET b\r\n" + mb("GET", "c"), []string{`"GET" "a" -`}},
		{"odd_crlf_stops", mb("GET", "a") + "*2\rx$3\r\nGET\r\n$1\r\nb\r\n", []string{`"GET" "a" -`}},
		{"limit", strings.Repeat(mb("GET", "a")+mb("GET", "b"), 20),
			[]string{`"GET" "a" -`, `"GET" "b" -`, `"GET" "a" -`, `"GET" "b" -`, `"GET" "a" -`}},
		{"one_key_stops", strings.Repeat(mb("LPUSH", "l", "x"), 20), slices.Repeat([]string{`"LPUSH" "l" "x"`}, 4)},
		{"huge_length", mb("GET", "a") + "*2\r\n$3\r\nGET\r\n$99999999999999999999\r\n", []string{`"GET" "a" -`}},
		{"overflowing_length", mb("GET", "a") + "*2\r\n$3\r\nGET\r\n$18446744073709551615\r\nx\r\n", []string{`"GET" "a" -`}},
		{"leading_zero", mb("GET", "a") + "*2\r\n$03\r\nGET\r\n$1\r\nb\r\n", []string{`"GET" "a" -`}},
		{"payload_without_crlf", mb("GET", "a") + "*2\r\n$3\r\nGET\r\n$1\r\nbxx", []string{`"GET" "a" -`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			unauthed := newTestReader(strings.NewReader(tc.in), false)
			if err := unauthed.fill(); err != nil || !unauthed.Pending() || len(unauthed.ahead(nil, 5)) != 0 {
				t.Fatalf("requests prefetched for a client that must AUTH (%v)", err)
			}
			rd := newTestReader(strings.NewReader(tc.in), true)
			if err := rd.fill(); err != nil || !rd.Pending() {
				t.Fatalf("nothing buffered: %v", err)
			}
			var got []string
			for _, r := range rd.ahead(nil, 5) {
				got = append(got, describeAhead(r))
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("requests %q, want %q", got, tc.want)
			}
			checkAhead(t, []byte(tc.in), len(tc.in), 16)
			checkAhead(t, []byte(tc.in), 7, 16)
		})
	}
}

// ---- benchmarks ----

// repeatReader returns data on every Read, like a client that keeps
// sending the same pipeline.
type repeatReader struct{ data []byte }

func (r *repeatReader) Read(p []byte) (int, error) {
	return copy(p, r.data), nil
}

// benchPipeline is 16 SETs of 100-byte values, as one client write.
func benchPipeline() []byte {
	var b []byte
	val := bytes.Repeat([]byte("v"), 100)
	for i := 0; i < 16; i++ {
		b = appendMultibulk(b, [][]byte{[]byte("SET"), []byte("key:" + strconv.Itoa(i)), val})
	}
	return b
}

// BenchmarkRequestReader: one op is one read of a 16-SET pipeline parsed
// into its 16 requests.
func BenchmarkRequestReader(b *testing.B) {
	b.Run("pipeline16xSET100", func(b *testing.B) {
		in := benchPipeline()
		rd := newTestReader(&repeatReader{data: in}, true)
		b.SetBytes(int64(len(in)))
		b.ReportAllocs()
		for b.Loop() {
			for i := 0; i < 16; i++ {
				if _, err := rd.Next(); err != nil {
					b.Fatal(err)
				}
			}
			if rd.Pending() {
				b.Fatal("partial pipeline")
			}
		}
	})
	b.Run("inline16xSET100", func(b *testing.B) {
		var in []byte
		for i := 0; i < 16; i++ {
			in = append(in, "SET key:"+strconv.Itoa(i)+" \""+strings.Repeat("v", 100)+"\"\r\n"...)
		}
		rd := newTestReader(&repeatReader{data: in}, true)
		b.SetBytes(int64(len(in)))
		b.ReportAllocs()
		for b.Loop() {
			for i := 0; i < 16; i++ {
				if _, err := rd.Next(); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// TestRespIntFastPath checks respInt, whose lines of plain digits skip
// the search for their end and string2ll, against that general reading
// (respIntLine) on every line shape near the fast path's edges: 0 to 22
// characters of digits, leading zeros, signs and other bytes, ended by
// "\r\n", a lone "\r", "\n" or nothing, and cut short anywhere.
func TestRespIntFastPath(t *testing.T) {
	general := func(b []byte) (int64, []byte, bool) {
		if len(b) == 0 || b[0] != '$' {
			return 0, nil, false
		}
		return respIntLine(b)
	}
	check := func(b []byte) {
		t.Helper()
		n, rest, ok := respInt(b, '$')
		wn, wrest, wok := general(b)
		if ok != wok || ok && (n != wn || !bytes.Equal(rest, wrest)) {
			t.Fatalf("respInt(%q) = %d, %q, %v; the general reading gives %d, %q, %v", b, n, rest, ok, wn, wrest, wok)
		}
	}
	rng := rand.New(rand.NewSource(1))
	alphabet := []byte("0123456789-+ a\r\n\x00")
	for _, line := range []string{"0", "00", "01", "7", "10", "999999999999999999", "1000000000000000000",
		"9223372036854775807", "9223372036854775808", "-1", "-0", "", "1\n", "12\r", "1 2"} {
		for _, end := range []string{"\r\n", "\r", "\n", "", "\r\nX", "\r\r\n"} {
			b := []byte("$" + line + end)
			for cut := 0; cut <= len(b); cut++ {
				check(b[:cut])
			}
		}
	}
	for range 200000 {
		b := []byte{'$'}
		for range rng.Intn(23) {
			if rng.Intn(4) == 0 {
				b = append(b, alphabet[rng.Intn(len(alphabet))])
			} else {
				b = append(b, '0'+byte(rng.Intn(10)))
			}
		}
		if rng.Intn(3) > 0 {
			b = append(b, '\r', '\n', 'x')
		}
		check(b)
	}
}
