package luacjson

import (
	"math"
	"strconv"
	"strings"
)

// strtod parses the longest prefix of s that glibc's strtod would accept
// (without leading white space, which lua-cjson never passes it): an
// optional sign, then a decimal number, a hexadecimal number (with
// optional binary exponent), "inf"/"infinity" or "nan"/"nan(chars)",
// case-insensitively. It returns the value and the number of bytes
// consumed; 0 bytes means no conversion. Overflow yields ±Inf and
// underflow the nearest denormal or zero, as strtod does (errno ignored,
// as lua-cjson ignores it).
func strtod(s []byte) (float64, int) {
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	rest := s[i:]
	signed := func(v float64) float64 {
		if neg {
			return -v
		}
		return v
	}
	if hasPrefixFold(rest, "inf") {
		n := 3
		if hasPrefixFold(rest, "infinity") {
			n = 8
		}
		return signed(math.Inf(1)), i + n
	}
	if hasPrefixFold(rest, "nan") {
		n := 3
		if len(rest) > 3 && rest[3] == '(' {
			j := 4
			for j < len(rest) && (isAlnum(rest[j]) || rest[j] == '_') {
				j++
			}
			if j < len(rest) && rest[j] == ')' {
				n = j + 1
			}
		}
		return math.Copysign(math.NaN(), signed(1)), i + n
	}
	if len(rest) >= 2 && rest[0] == '0' && rest[1]|0x20 == 'x' {
		j, digits := 2, 0
		for j < len(rest) && isHex(rest[j]) {
			j++
			digits++
		}
		if j < len(rest) && rest[j] == '.' {
			j++
			for j < len(rest) && isHex(rest[j]) {
				j++
				digits++
			}
		}
		if digits > 0 {
			mant := string(rest[:j])
			exp := "p0"
			if j < len(rest) && rest[j]|0x20 == 'p' {
				k := j + 1
				if k < len(rest) && (rest[k] == '+' || rest[k] == '-') {
					k++
				}
				d := k
				for d < len(rest) && isDigit(rest[d]) {
					d++
				}
				if d > k {
					exp = string(rest[j:d])
					j = d
				}
			}
			v, err := strconv.ParseFloat(mant+exp, 64)
			if err != nil && !isRangeErr(err) {
				v = 0
			}
			return signed(v), i + j
		}
		// "0x" without hex digits: strtod converts just the "0".
	}
	j, digits := 0, 0
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
	if j < len(rest) && rest[j]|0x20 == 'e' {
		k := j + 1
		if k < len(rest) && (rest[k] == '+' || rest[k] == '-') {
			k++
		}
		d := k
		for d < len(rest) && isDigit(rest[d]) {
			d++
		}
		if d > k {
			j = d
		}
	}
	v, err := strconv.ParseFloat(string(rest[:j]), 64)
	if err != nil && !isRangeErr(err) {
		v = 0
	}
	return signed(v), i + j
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

func hasPrefixFold(s []byte, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(string(s[:len(prefix)]), prefix)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isHex(c byte) bool { return isDigit(c) || ('a' <= c|0x20 && c|0x20 <= 'f') }

func isAlnum(c byte) bool { return isDigit(c) || ('a' <= c|0x20 && c|0x20 <= 'z') }

// luaStr2Number converts a string as Lua 5.1's lua_tonumber does
// (luaO_str2d): C white space around a strtod number (glibc strtod also
// takes hexadecimal), nothing else.
func luaStr2Number(s string) (float64, bool) {
	b := []byte(s)
	if z := strings.IndexByte(s, 0); z >= 0 {
		b = b[:z] // C sees the string end at its first NUL
	}
	i := 0
	for i < len(b) && isCSpace(b[i]) {
		i++
	}
	v, n := strtod(b[i:])
	if n == 0 {
		return 0, false
	}
	for j := i + n; j < len(b); j++ {
		if !isCSpace(b[j]) {
			return 0, false
		}
	}
	return v, true
}

func isCSpace(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}
