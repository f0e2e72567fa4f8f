package rdb

import (
	"math"
	"strconv"
)

// string2ll is Redis's string2ll (util.c) and lpStringToInt64 (listpack.c):
// it accepts exactly the canonical decimal form of an int64, so that
// formatting the result gives back the same bytes. "-0", "007", "+1",
// " 1" and "" are not integers. Every encoding decision that asks "is this
// string an integer" (int-encoded strings, intsets, listpack integers)
// uses this test.
func string2ll(s []byte) (int64, bool) {
	n := len(s)
	if n == 0 || n >= 21 { // LONG_STR_SIZE
		return 0, false
	}
	if n == 1 && s[0] == '0' {
		return 0, true
	}
	i := 0
	neg := false
	if s[0] == '-' {
		neg = true
		i++
		if i == n {
			return 0, false
		}
	}
	if s[i] < '1' || s[i] > '9' {
		return 0, false
	}
	v := uint64(s[i] - '0')
	for i++; i < n; i++ {
		c := s[i]
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
		return int64(-v), true // -(1<<63) wraps to math.MinInt64, as intended
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// double2ll is Redis's double2ll (util.h): an integral double within
// ±LLONG_MAX/2 as an int64. zzlInsertAt stores such scores as listpack
// integers; -0 is integral and becomes 0.
func double2ll(d float64) (int64, bool) {
	const lim = float64(math.MaxInt64 / 2)
	if d < -lim || d > lim || math.IsNaN(d) {
		return 0, false
	}
	n := int64(d)
	if float64(n) != d {
		return 0, false
	}
	return n, true
}

// d2string is Redis 7.0's d2string (util.c), which zzlInsertAt uses for a
// score double2ll does not take: integral values in (-2^52, 2^52) as
// integers, signed zero as "-0"/"0", infinities as "inf"/"-inf",
// everything else as %.17g.
func d2string(dst []byte, v float64) []byte {
	switch {
	case math.IsNaN(v):
		return append(dst, "nan"...)
	case math.IsInf(v, 1):
		return append(dst, "inf"...)
	case math.IsInf(v, -1):
		return append(dst, "-inf"...)
	case v == 0:
		if math.Signbit(v) {
			return append(dst, "-0"...)
		}
		return append(dst, '0')
	case v > -4503599627370495 && v < 4503599627370496 && v == float64(int64(v)):
		return strconv.AppendInt(dst, int64(v), 10)
	}
	return strconv.AppendFloat(dst, v, 'g', 17, 64)
}

// strtod parses the longest prefix of s that C's strtod accepts and reports
// how many bytes it used (0: no conversion). Redis reads scores stored as
// strings with strtod (zzlStrtod) or sscanf("%lg") and ignores what follows
// the number, so "1.5abc" is 1.5.
func strtod(s []byte) (float64, int) {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	start := i
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	neg := start < len(s) && s[start] == '-'
	rest := s[i:]
	if n := prefixFold(rest, "infinity"); n == 8 || n >= 3 {
		used := 3
		if n == 8 {
			used = 8
		}
		if neg {
			return math.Inf(-1), i + used
		}
		return math.Inf(1), i + used
	}
	if prefixFold(rest, "nan") >= 3 {
		used := i + 3
		// nan(n-char-sequence)
		if used < len(s) && s[used] == '(' {
			j := used + 1
			for j < len(s) && (isAlnum(s[j]) || s[j] == '_') {
				j++
			}
			if j < len(s) && s[j] == ')' {
				used = j + 1
			}
		}
		return math.NaN(), used
	}
	if len(rest) >= 2 && rest[0] == '0' && (rest[1] == 'x' || rest[1] == 'X') {
		if v, n, ok := parseHexFloat(s[start:i], rest[2:]); ok {
			return v, i + 2 + n
		}
		// "0x" without hex digits: strtod reads the "0".
		if neg {
			return math.Copysign(0, -1), i + 1
		}
		return 0, i + 1
	}
	j := 0
	digits := 0
	for j < len(rest) && isDigit(rest[j]) {
		j++
		digits++
	}
	if j < len(rest) && rest[j] == '.' {
		j++
		for j < len(rest) && isDigit(rest[j]) {
			j++
			digits++
		}
	}
	if digits == 0 {
		return 0, 0
	}
	if j < len(rest) && (rest[j] == 'e' || rest[j] == 'E') {
		k := j + 1
		if k < len(rest) && (rest[k] == '+' || rest[k] == '-') {
			k++
		}
		if k < len(rest) && isDigit(rest[k]) {
			for k < len(rest) && isDigit(rest[k]) {
				k++
			}
			j = k
		}
	}
	text := string(s[start : i+j])
	v, err := strconv.ParseFloat(text, 64)
	if err != nil {
		// Out of range: strtod returns ±HUGE_VAL or a (signed) zero, and
		// ParseFloat returns ±Inf or 0 with ErrRange; anything else cannot
		// happen for the digits matched above.
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
			return 0, 0
		}
	}
	return v, i + j
}

// parseHexFloat parses hex digits [. hex digits] [p exponent] after "0x".
func parseHexFloat(sign, s []byte) (float64, int, bool) {
	j, digits := 0, 0
	for j < len(s) && isHex(s[j]) {
		j++
		digits++
	}
	if j < len(s) && s[j] == '.' {
		j++
		for j < len(s) && isHex(s[j]) {
			j++
			digits++
		}
	}
	if digits == 0 {
		return 0, 0, false
	}
	mant := s[:j]
	exp := "p0"
	if j < len(s) && (s[j] == 'p' || s[j] == 'P') {
		k := j + 1
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		if k < len(s) && isDigit(s[k]) {
			for k < len(s) && isDigit(s[k]) {
				k++
			}
			exp = string(s[j:k])
			j = k
		}
	}
	v, err := strconv.ParseFloat(string(sign)+"0x"+string(mant)+exp, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
			return 0, 0, false
		}
	}
	return v, j, true
}

// prefixFold returns how many leading bytes of s match word, ignoring ASCII
// case.
func prefixFold(s []byte, word string) int {
	n := 0
	for n < len(s) && n < len(word) && lower(s[n]) == word[n] {
		n++
	}
	return n
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isHex(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}
func isAlnum(c byte) bool { return isDigit(c) || (lower(c) >= 'a' && lower(c) <= 'z') }
