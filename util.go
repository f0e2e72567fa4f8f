package keel

import (
	"bytes"
	"math"
	"strconv"
	"strings"
)

// parseInt parses b as Redis's string2ll does: an optional '-', digits, no
// leading zeros (except "0"), no '+', no spaces, within int64.
func parseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := false
	i := 0
	if b[0] == '-' {
		neg = true
		i = 1
		if len(b) == 1 {
			return 0, false
		}
	}
	if b[i] < '1' || b[i] > '9' {
		return 0, false
	}
	var v uint64
	for ; i < len(b); i++ {
		d := b[i] - '0'
		if d > 9 {
			return 0, false
		}
		if v > (math.MaxUint64-uint64(d))/10 {
			return 0, false
		}
		v = v*10 + uint64(d)
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// parseFloat parses b like Redis's getDoubleFromObject/strtod: no leading
// or trailing spaces, not NaN; "inf", "-inf", "+inf" accepted.
func parseFloat(b []byte) (float64, bool) {
	if len(b) == 0 || b[0] == ' ' || b[len(b)-1] == ' ' || b[0] == '\t' {
		return 0, false
	}
	s := string(b)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		// strconv rejects what strtod accepts in a few spellings ("infinity",
		// hex floats are accepted by both); out of range reports ErrRange.
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f, true
		}
		switch strings.ToLower(s) {
		case "infinity", "+infinity":
			return math.Inf(1), true
		case "-infinity":
			return math.Inf(-1), true
		}
		return 0, false
	}
	if math.IsNaN(f) {
		return 0, false
	}
	if strings.ContainsAny(s, "_") { // Go accepts digit separators; strtod does not
		return 0, false
	}
	return f, true
}

// formatFloat formats f as Redis 7.0's addReplyDouble does in RESP2
// ("%.17g", with "inf"/"-inf").
func formatFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	return strconv.FormatFloat(f, 'g', 17, 64)
}

// eqFold reports whether b equals the lower-case ASCII word w, ignoring case.
func eqFold(b []byte, w string) bool {
	if len(b) != len(w) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != w[i] {
			return false
		}
	}
	return true
}

// intArg parses b as Redis's getIntFromObjectOrReply does: string2ll, then
// the int32 range. On failure it returns the error reply: msg when given
// (as "ERR "+msg), else Redis's generic texts.
func intArg(b []byte, msg string) (int, string) {
	v, ok := parseInt(b)
	if !ok {
		if msg != "" {
			return 0, "ERR " + msg
		}
		return 0, errNotInt
	}
	if v < math.MinInt32 || v > math.MaxInt32 {
		if msg != "" {
			return 0, "ERR " + msg
		}
		return 0, "ERR value is out of range, value must between -2147483648 and 2147483647"
	}
	return int(v), ""
}

// parseScanCursor parses a SCAN cursor as Redis's parseScanCursorOrReply
// does with strtoul(3): an optional sign ("-1" is 2^64-1), base-10 digits;
// a leading space, trailing garbage or overflow is an invalid cursor, and
// the empty string is cursor 0. The argument ends at a NUL byte, as the C
// string does.
func parseScanCursor(b []byte) (uint64, bool) {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	if len(b) == 0 {
		return 0, true
	}
	switch b[0] {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return 0, false
	}
	neg := false
	i := 0
	if b[0] == '+' || b[0] == '-' {
		neg = b[0] == '-'
		i++
	}
	if i == len(b) { // no digits: strtoul leaves the end pointer at the sign
		return 0, false
	}
	var v uint64
	for ; i < len(b); i++ {
		d := b[i] - '0'
		if d > 9 {
			return 0, false
		}
		if v > (math.MaxUint64-uint64(d))/10 {
			return 0, false // ERANGE, with or without the sign
		}
		v = v*10 + uint64(d)
	}
	if neg {
		v = -v
	}
	return v, true
}

// atoi is C's atoi(3) as Redis uses it for flags: leading spaces, an
// optional sign, then as many digits as there are; 0 when there are none.
func atoi(b []byte) int64 {
	i := 0
	for i < len(b) && (b[i] == ' ' || (b[i] >= '\t' && b[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	var v int64
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		v = v*10 + int64(b[i]-'0')
	}
	if neg {
		return -v
	}
	return v
}
