package server

// A minimal raw RESP2/RESP3 client for the differential and integration
// tests. It is deliberately dumb: it sends argv as a RESP array and reads
// one reply into a tree that keeps every type distinction the wire makes
// (simple vs bulk string, $-1 vs *-1 vs _, map vs array, error text), so
// that keel's replies can be compared with redis-server's byte for byte.
// go-redis cannot serve here: it normalizes replies (every null is nil,
// simple and bulk strings are both string, errors lose their type).
//
// A respConn is used by one goroutine at a time.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// respValue is one decoded reply.
type respValue struct {
	// Kind is the RESP type byte: + - : $ * _ % ~ , # = ( > .
	Kind byte
	// Str holds simple strings, error texts (code included, no '-'), bulk
	// strings, verbatim strings (with their "txt:" prefix), doubles and
	// big numbers as sent.
	Str string
	// Int holds integers and booleans (1, 0).
	Int int64
	// Null marks RESP2's $-1 (Kind '$') and *-1 (Kind '*').
	Null bool
	// Elems holds arrays, sets, pushes, and maps as k1, v1, k2, v2, ...
	Elems []respValue
}

func (v respValue) isErr() bool { return v.Kind == '-' }

// isNil reports any null: $-1, *-1 or RESP3 _.
func (v respValue) isNil() bool { return v.Null || v.Kind == '_' }

// equal reports whether a and b are the same reply, type included.
func (a respValue) equal(b respValue) bool {
	if a.Kind != b.Kind || a.Str != b.Str || a.Int != b.Int || a.Null != b.Null || len(a.Elems) != len(b.Elems) {
		return false
	}
	for i := range a.Elems {
		if !a.Elems[i].equal(b.Elems[i]) {
			return false
		}
	}
	return true
}

// String renders v compactly and unambiguously for failure messages.
func (v respValue) String() string {
	var sb strings.Builder
	v.format(&sb)
	return sb.String()
}

func (v respValue) format(sb *strings.Builder) {
	const maxShown = 300
	q := func(s string) string {
		if len(s) > maxShown {
			return strconv.Quote(s[:maxShown]) + fmt.Sprintf("...(%d bytes)", len(s))
		}
		return strconv.Quote(s)
	}
	switch v.Kind {
	case '+':
		sb.WriteString("+" + q(v.Str))
	case '-':
		sb.WriteString("(error) " + q(v.Str))
	case ':':
		sb.WriteString("(integer) " + strconv.FormatInt(v.Int, 10))
	case '$':
		if v.Null {
			sb.WriteString("(nil $-1)")
		} else {
			sb.WriteString(q(v.Str))
		}
	case '_':
		sb.WriteString("(nil _)")
	case ',':
		sb.WriteString("(double) " + v.Str)
	case '(':
		sb.WriteString("(bignum) " + v.Str)
	case '#':
		sb.WriteString(fmt.Sprintf("(bool) %v", v.Int == 1))
	case '=':
		sb.WriteString("(verbatim) " + q(v.Str))
	case '*', '~', '>', '%':
		if v.Null {
			sb.WriteString("(nil *-1)")
			return
		}
		brackets := map[byte][2]string{'*': {"[", "]"}, '~': {"set{", "}"}, '>': {"push[", "]"}, '%': {"map{", "}"}}[v.Kind]
		sb.WriteString(brackets[0])
		for i, e := range v.Elems {
			if i > 0 {
				if v.Kind == '%' && i%2 == 1 {
					sb.WriteString(": ")
				} else {
					sb.WriteString(", ")
				}
			}
			e.format(sb)
		}
		sb.WriteString(brackets[1])
	default:
		sb.WriteString(fmt.Sprintf("(kind %q) %q", v.Kind, v.Str))
	}
}

// respConn is one raw connection.
type respConn struct {
	nc      net.Conn
	br      *bufio.Reader
	timeout time.Duration
}

func dialRESP(addr string) (*respConn, error) {
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	return &respConn{nc: nc, br: bufio.NewReaderSize(nc, 64<<10), timeout: 20 * time.Second}, nil
}

// mustDialRESP dials addr, fails the test if it cannot, and closes the
// connection when the test ends (closing it earlier as well is harmless).
func mustDialRESP(t testing.TB, addr string) *respConn {
	t.Helper()
	c, err := dialRESP(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func (c *respConn) Close() error { return c.nc.Close() }

// encodeCommand renders argv as a RESP array of bulk strings.
func encodeCommand(args []string) []byte {
	b := make([]byte, 0, 16+16*len(args))
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(args)), 10)
	b = append(b, "\r\n"...)
	for _, a := range args {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(a)), 10)
		b = append(b, "\r\n"...)
		b = append(b, a...)
		b = append(b, "\r\n"...)
	}
	return b
}

// Send writes one command without reading its reply (pipelining).
func (c *respConn) Send(args ...string) error { return c.WriteRaw(encodeCommand(args)) }

// WriteRaw writes bytes as they are (malformed requests, inline commands).
func (c *respConn) WriteRaw(b []byte) error {
	c.nc.SetWriteDeadline(time.Now().Add(c.timeout))
	_, err := c.nc.Write(b)
	return err
}

// Do sends one command and reads its reply. A server error reply is a
// respValue of Kind '-', not an error; err is for I/O and protocol trouble.
func (c *respConn) Do(args ...string) (respValue, error) {
	if err := c.Send(args...); err != nil {
		return respValue{}, err
	}
	return c.Read()
}

// Read reads one reply (attributes are skipped, as clients do).
func (c *respConn) Read() (respValue, error) {
	c.nc.SetReadDeadline(time.Now().Add(c.timeout))
	for {
		v, err := c.read(0)
		if err != nil || v.Kind != '|' {
			return v, err
		}
	}
}

// ReadUntilClosed reads replies until the server closes the connection
// (or wait passes); it returns the replies and whether the connection was
// closed.
func (c *respConn) ReadUntilClosed(wait time.Duration) ([]respValue, bool) {
	var out []respValue
	c.nc.SetReadDeadline(time.Now().Add(wait))
	for {
		v, err := c.read(0)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return out, false
			}
			return out, true // EOF, reset: closed
		}
		out = append(out, v)
	}
}

var errRESP = errors.New("resp: malformed reply")

func (c *respConn) line() (string, error) {
	s, err := c.br.ReadString('\n')
	if err != nil {
		if err == io.EOF && s != "" {
			err = io.ErrUnexpectedEOF
		}
		return "", err
	}
	if len(s) < 2 || s[len(s)-2] != '\r' {
		return "", fmt.Errorf("%w: line %q lacks CRLF", errRESP, s)
	}
	return s[:len(s)-2], nil
}

func (c *respConn) read(depth int) (respValue, error) {
	if depth > 64 {
		return respValue{}, fmt.Errorf("%w: nested too deep", errRESP)
	}
	l, err := c.line()
	if err != nil {
		return respValue{}, err
	}
	if l == "" {
		return respValue{}, fmt.Errorf("%w: empty line", errRESP)
	}
	v := respValue{Kind: l[0]}
	body := l[1:]
	num := func() (int64, error) {
		n, err := strconv.ParseInt(body, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%w: bad number in %q", errRESP, l)
		}
		return n, nil
	}
	switch v.Kind {
	case '+', '-', ',', '(':
		v.Str = body
	case ':':
		if v.Int, err = num(); err != nil {
			return v, err
		}
	case '#':
		switch body {
		case "t":
			v.Int = 1
		case "f":
		default:
			return v, fmt.Errorf("%w: bad boolean %q", errRESP, l)
		}
	case '_':
	case '$', '=', '!':
		n, err := num()
		if err != nil {
			return v, err
		}
		if n < 0 {
			if v.Kind != '$' || n != -1 {
				return v, fmt.Errorf("%w: bad length in %q", errRESP, l)
			}
			v.Null = true
			return v, nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(c.br, buf); err != nil {
			return v, err
		}
		if buf[n] != '\r' || buf[n+1] != '\n' {
			return v, fmt.Errorf("%w: bulk of %d not followed by CRLF", errRESP, n)
		}
		v.Str = string(buf[:n])
		if v.Kind == '!' { // RESP3 blob error: an error like any other
			v.Kind = '-'
		}
	case '*', '~', '>', '%', '|':
		n, err := num()
		if err != nil {
			return v, err
		}
		if n < 0 {
			if v.Kind != '*' || n != -1 {
				return v, fmt.Errorf("%w: bad length in %q", errRESP, l)
			}
			v.Null = true
			return v, nil
		}
		if v.Kind == '%' || v.Kind == '|' {
			n *= 2
		}
		v.Elems = make([]respValue, 0, n)
		for i := int64(0); i < n; i++ {
			e, err := c.read(depth + 1)
			if err != nil {
				return v, err
			}
			v.Elems = append(v.Elems, e)
		}
	default:
		return v, fmt.Errorf("%w: unknown type in %q", errRESP, l)
	}
	return v, nil
}

// TestRESPClientDecode checks the decoder on every reply type, so that a
// difference the diff tests report is the servers', not the harness's.
func TestRESPClientDecode(t *testing.T) {
	cases := []struct {
		in   string
		want string
	}{
		{"+OK\r\n", `+"OK"`},
		{"-ERR bad thing\r\n", `(error) "ERR bad thing"`},
		{":-42\r\n", "(integer) -42"},
		{"$3\r\na\r\n\r\n", `"a\r\n"`},
		{"$0\r\n\r\n", `""`},
		{"$-1\r\n", "(nil $-1)"},
		{"*-1\r\n", "(nil *-1)"},
		{"_\r\n", "(nil _)"},
		{"*0\r\n", "[]"},
		{"*2\r\n:1\r\n*1\r\n$1\r\nx\r\n", `[(integer) 1, ["x"]]`},
		{"%1\r\n$2\r\nhz\r\n$2\r\n10\r\n", `map{"hz": "10"}`},
		{"~1\r\n+a\r\n", `set{+"a"}`},
		{",1.5\r\n", "(double) 1.5"},
		{"#t\r\n", "(bool) true"},
		{"=7\r\ntxt:abc\r\n", `(verbatim) "txt:abc"`},
		{"(123456789012345678901\r\n", "(bignum) 123456789012345678901"},
		{"!5\r\nERR x\r\n", `(error) "ERR x"`},
		{">2\r\n+a\r\n:1\r\n", `push[+"a", (integer) 1]`},
	}
	for _, tc := range cases {
		c := &respConn{br: bufio.NewReader(strings.NewReader(tc.in))}
		v, err := c.read(0)
		if err != nil || v.String() != tc.want {
			t.Errorf("decode %q = %s, %v; want %s", tc.in, v, err, tc.want)
		}
	}
	// The distinctions the comparison relies on.
	distinct := []string{"$-1\r\n", "*-1\r\n", "_\r\n", "+x\r\n", "$1\r\nx\r\n", "*0\r\n", "%0\r\n", ":1\r\n", "#t\r\n"}
	vals := make([]respValue, len(distinct))
	for i, in := range distinct {
		c := &respConn{br: bufio.NewReader(strings.NewReader(in))}
		vals[i], _ = c.read(0)
	}
	for i := range vals {
		for j := range vals {
			if (i == j) != vals[i].equal(vals[j]) {
				t.Errorf("equal(%s, %s) = %v", vals[i], vals[j], vals[i].equal(vals[j]))
			}
		}
	}
	for _, bad := range []string{"?x\r\n", ":x\r\n", "$5\r\nab\r\n", "+no crlf\n", "$2\r\nabcd"} {
		c := &respConn{br: bufio.NewReader(strings.NewReader(bad))}
		if v, err := c.read(0); err == nil {
			t.Errorf("decode %q = %s, want an error", bad, v)
		}
	}
}
