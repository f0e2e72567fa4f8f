package lauxlib

import (
	"math"
	"strconv"
	"strings"
)

// FormatG reproduces C's printf("%.<prec>g", x) as glibc prints it.
// Go's %g differs from C's (exponent threshold, trailing zeros, "+Inf"),
// and Redis's Lua output (tostring, lua-cjson, redis.call's number
// arguments) is defined by C's, so it is rebuilt here from
// the correctly rounded 'e' and 'f' conversions, which round exactly as
// glibc does (both convert the exact binary value, ties to even).
func FormatG(x float64, prec int) string {
	switch {
	case math.IsNaN(x):
		if math.Signbit(x) {
			return "-nan"
		}
		return "nan"
	case math.IsInf(x, 1):
		return "inf"
	case math.IsInf(x, -1):
		return "-inf"
	case x == 0:
		if math.Signbit(x) {
			return "-0"
		}
		return "0"
	}
	if prec == 0 {
		prec = 1 // C: a precision of zero is taken as 1
	}
	e := strconv.FormatFloat(x, 'e', prec-1, 64)
	epos := strings.LastIndexByte(e, 'e')
	exp, _ := strconv.Atoi(e[epos+1:])
	if exp < -4 || exp >= prec {
		mant := trimZeros(e[:epos])
		sign := byte('+')
		if exp < 0 {
			sign = '-'
			exp = -exp
		}
		digits := strconv.Itoa(exp)
		if len(digits) < 2 {
			digits = "0" + digits
		}
		return mant + "e" + string(sign) + digits
	}
	return trimZeros(strconv.FormatFloat(x, 'f', prec-1-exp, 64))
}

// trimZeros drops trailing fractional zeros and a then-bare decimal
// point, as %g does without the '#' flag.
func trimZeros(s string) string {
	if !strings.ContainsRune(s, '.') {
		return s
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}
