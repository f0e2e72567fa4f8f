// Package resp3 parses RESP3 values from bytes into a tree: what keel
// keeps of redis-server's own replies (server/commanddocs.resp, COMMAND
// DOCS as redis-server 7.0.15 answers it) and replays through its own
// reply writer, in either protocol.
//
// It reads the types such replies use: simple strings, errors, integers,
// doubles, booleans, null, bulk and verbatim strings, arrays, sets, maps
// and pushes; attributes and streamed types are refused.
package resp3

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
)

// Value is one RESP3 value.
type Value struct {
	// Kind is the type byte: + - : , # _ $ = * ~ % >.
	Kind byte
	// Str is a simple string, error, double, verbatim or bulk string, as
	// sent (a verbatim string keeps its "txt:" prefix).
	Str string
	// Int is an integer; a boolean is 1 or 0.
	Int int64
	// Elems are an aggregate's elements; a map's are key, value, key, ...
	Elems []Value
}

// ErrIncomplete: the bytes end before the value does.
var ErrIncomplete = errors.New("resp3: incomplete value")

// Parse parses the value at the start of b and returns it and the bytes
// after it.
func Parse(b []byte) (Value, []byte, error) {
	return parse(b, 0)
}

// maxDepth bounds nesting (COMMAND DOCS nests five deep).
const maxDepth = 64

func parse(b []byte, depth int) (Value, []byte, error) {
	if depth > maxDepth {
		return Value{}, nil, errors.New("resp3: nested too deep")
	}
	i := bytes.Index(b, []byte("\r\n"))
	if i < 1 {
		return Value{}, nil, ErrIncomplete
	}
	kind, line, rest := b[0], string(b[1:i]), b[i+2:]
	v := Value{Kind: kind}
	switch kind {
	case '+', '-', ',':
		v.Str = line
	case '_':
	case '#':
		v.Int = int64(len(line))
		if line == "t" {
			v.Int = 1
		} else if line == "f" {
			v.Int = 0
		} else {
			return Value{}, nil, fmt.Errorf("resp3: bad boolean %q", line)
		}
	case ':':
		n, err := strconv.ParseInt(line, 10, 64)
		if err != nil {
			return Value{}, nil, fmt.Errorf("resp3: bad integer %q", line)
		}
		v.Int = n
	case '$', '=', '*', '~', '%', '>':
		n, err := length(line)
		if err != nil {
			return Value{}, nil, err
		}
		switch {
		case n == -1:
			v.Kind = '_' // RESP2's null bulk string or array
		case kind == '$' || kind == '=':
			if len(rest) < n+2 {
				return Value{}, nil, ErrIncomplete
			}
			v.Str, rest = string(rest[:n]), rest[n+2:]
		default:
			if kind == '%' {
				n *= 2
			}
			v.Elems = make([]Value, 0, min(n, 1024))
			for range n {
				var e Value
				if e, rest, err = parse(rest, depth+1); err != nil {
					return Value{}, nil, err
				}
				v.Elems = append(v.Elems, e)
			}
		}
	default:
		return Value{}, nil, fmt.Errorf("resp3: type %q not read", kind)
	}
	return v, rest, nil
}

// length reads a length line: -1 (null) or more.
func length(line string) (int, error) {
	n, err := strconv.Atoi(line)
	if err != nil || n < -1 {
		return 0, fmt.Errorf("resp3: bad length %q", line)
	}
	return n, nil
}

// MapGet returns the value of key in map v.
func (v Value) MapGet(key string) (Value, bool) {
	if v.Kind != '%' {
		return Value{}, false
	}
	for i := 0; i+1 < len(v.Elems); i += 2 {
		if v.Elems[i].Str == key {
			return v.Elems[i+1], true
		}
	}
	return Value{}, false
}
