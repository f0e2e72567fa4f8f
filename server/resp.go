package server

import (
	"math"
	"strconv"
)

// respWriter encodes replies for one connection in RESP2 or RESP3 into a
// buffer the connection flushes once per pipeline. It implements keel.Reply.
// Not safe for concurrent use.
type respWriter struct {
	buf   []byte
	proto int
	// errs counts the error replies written (the session's
	// keel.Session.ReplyErrors: a command that answered one failed);
	// errTab, when set, counts them by code for INFO errorstats.
	errs   int64
	errTab *errorTable
}

func (w *respWriter) Proto() int { return w.proto }

// Mark and Rewind make respWriter a keel.Rewinder: within one command the
// buffer only grows (replies go out between commands).
func (w *respWriter) Mark() int       { return len(w.buf) }
func (w *respWriter) Rewind(mark int) { w.buf = w.buf[:mark] }

func (w *respWriter) line(prefix byte, s string) {
	w.buf = append(w.buf, prefix)
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\r', '\n')
}

func (w *respWriter) count(prefix byte, n int) {
	if uint(n) < 10 { // most fields, members and small arrays
		w.buf = append(w.buf, prefix, byte('0'+n), '\r', '\n')
		return
	}
	w.buf = append(w.buf, prefix)
	w.buf = strconv.AppendInt(w.buf, int64(n), 10)
	w.buf = append(w.buf, '\r', '\n')
}

func (w *respWriter) Simple(s string) { w.line('+', s) }

// Error writes an error; newlines would break the protocol, so they become
// spaces as Redis does.
func (w *respWriter) Error(msg string) {
	w.errs++
	if w.errTab != nil {
		w.errTab.add(msg)
	}
	b := []byte(msg)
	for i, c := range b {
		if c == '\r' || c == '\n' {
			b[i] = ' '
		}
	}
	w.line('-', string(b))
}

func (w *respWriter) Int(n int64) {
	w.buf = append(w.buf, ':')
	w.buf = strconv.AppendInt(w.buf, n, 10)
	w.buf = append(w.buf, '\r', '\n')
}

func (w *respWriter) Bulk(b []byte) {
	w.count('$', len(b))
	w.buf = append(w.buf, b...)
	w.buf = append(w.buf, '\r', '\n')
}

func (w *respWriter) BulkString(s string) {
	w.count('$', len(s))
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\r', '\n')
}

func (w *respWriter) Null() {
	if w.proto == 3 {
		w.buf = append(w.buf, "_\r\n"...)
		return
	}
	w.buf = append(w.buf, "$-1\r\n"...)
}

func (w *respWriter) NullArray() {
	if w.proto == 3 {
		w.buf = append(w.buf, "_\r\n"...)
		return
	}
	w.buf = append(w.buf, "*-1\r\n"...)
}

func (w *respWriter) Array(n int) { w.count('*', n) }

// push starts an out-of-band message of n elements (Pub/Sub): a RESP3
// push, or under RESP2 an array.
func (w *respWriter) push(n int) {
	if w.proto >= 3 {
		w.count('>', n)
	} else {
		w.count('*', n)
	}
}

func (w *respWriter) Map(n int) {
	if w.proto == 3 {
		w.count('%', n)
		return
	}
	w.count('*', 2*n)
}

func (w *respWriter) Set(n int) {
	if w.proto == 3 {
		w.count('~', n)
		return
	}
	w.count('*', n)
}

// Double writes f as RESP3 ',' or, in RESP2, as a bulk string formatted like
// Redis 7.0 (%.17g, inf, -inf).
func (w *respWriter) Double(f float64) {
	// Formatted on the stack: a score per element of a ZRANGE WITHSCORES
	// allocated a string each.
	var text [32]byte
	var s []byte
	switch {
	case math.IsInf(f, 1):
		s = append(text[:0], "inf"...)
	case math.IsInf(f, -1):
		s = append(text[:0], "-inf"...)
	case math.IsNaN(f):
		s = append(text[:0], "nan"...)
	default:
		s = strconv.AppendFloat(text[:0], f, 'g', 17, 64)
	}
	if w.proto == 3 {
		w.buf = append(w.buf, ',')
		w.buf = append(w.buf, s...)
		w.buf = append(w.buf, '\r', '\n')
		return
	}
	w.Bulk(s)
}

func (w *respWriter) Bool(b bool) {
	if w.proto == 3 {
		if b {
			w.buf = append(w.buf, "#t\r\n"...)
		} else {
			w.buf = append(w.buf, "#f\r\n"...)
		}
		return
	}
	if b {
		w.Int(1)
	} else {
		w.Int(0)
	}
}

func (w *respWriter) Verbatim(s string) {
	if w.proto == 3 {
		w.count('=', len(s)+4)
		w.buf = append(w.buf, "txt:"...)
		w.buf = append(w.buf, s...)
		w.buf = append(w.buf, '\r', '\n')
		return
	}
	w.BulkString(s)
}
