// Package lauxlib reproduces, for gopher-lua, the parts of Lua 5.1's C API
// and auxiliary library (lapi.c, lauxlib.c, lobject.c) whose observable
// behaviour the Redis-bundled C libraries (cmsgpack, bit, struct) depend on:
// argument checking and its error texts, string<->number coercion, and the
// x86-64 results of C's double->integer conversions.
//
// gopher-lua's own helpers (CheckNumber, ArgError, RaiseError, tostring)
// differ from Lua 5.1 in ways a script can see: they print function names
// without quotes, call a function called from pcall "(anonymous)" instead
// of "?", add a position prefix even when the caller is a Go function,
// and parse numeric strings with Go's rules rather than strtod's. Libraries
// that must match Redis byte for byte (cjson, cmsgpack, bit, struct, and
// keel's sandbox) use these helpers instead.
//
// gopher-lua also turned numbers into strings with Go's shortest
// representation rather than "%.14g" (0.1+0.2 concatenated was
// 0.30000000000000004, 1e14 was 100000000000000), and strings into
// numbers with Go's parsers rather than strtod (0b101 was a number, 0x1p4
// none): keel builds it from third_party/gopher-lua, patched with two
// hooks that this package sets to NumberToString and StrToNumber when it
// is loaded, so every state any of keel's packages makes converts as Lua
// 5.1 does.
package lauxlib

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// MaxCStack is Lua 5.1's LUAI_MAXCSTACK: lua_checkstack refuses to grow a
// C function's frame beyond this many slots, which is where Redis's
// libraries report "stack overflow (...)".
const MaxCStack = 8000

// Where is luaL_where(L, 1): "chunk:line: " when the function that called
// the running Go function is a Lua function, "" otherwise (for example when
// it was called directly by pcall).
func Where(L *lua.LState) string {
	dbg, ok := L.GetStack(1)
	if !ok {
		return ""
	}
	if _, err := L.GetInfo("Sl", dbg, lua.LNil); err != nil {
		return ""
	}
	if dbg.What == "G" || dbg.CurrentLine <= 0 {
		return ""
	}
	return fmt.Sprintf("%s:%d: ", dbg.Source, dbg.CurrentLine)
}

// FuncName is the name Lua 5.1's getfuncname would give the running Go
// function: the name at the Lua call site, or "?" when the caller is not a
// Lua function or the callee expression has no name.
func FuncName(L *lua.LState) string {
	caller, ok := L.GetStack(1)
	if !ok {
		return "?"
	}
	if _, err := L.GetInfo("S", caller, lua.LNil); err != nil || caller.What == "G" {
		return "?"
	}
	self, ok := L.GetStack(0)
	if !ok {
		return "?"
	}
	if _, err := L.GetInfo("n", self, lua.LNil); err != nil {
		return "?"
	}
	switch self.Name {
	case "", "(anonymous)", "main chunk", "corountine":
		return "?"
	}
	if strings.HasPrefix(self.Name, "<") { // gopher-lua's "<chunk:line>" for unnamed Lua functions
		return "?"
	}
	return self.Name
}

// Raise raises msg as the error value, with no position added (lua_error).
func Raise(L *lua.LState, msg string) {
	L.Error(lua.LString(msg), 0)
}

// Errorf is luaL_error: the caller's position, then the message.
func Errorf(L *lua.LState, format string, args ...any) {
	Raise(L, Where(L)+fmt.Sprintf(format, args...))
}

// ArgError is luaL_argerror.
func ArgError(L *lua.LState, narg int, extramsg string) {
	Errorf(L, "bad argument #%d to '%s' (%s)", narg, FuncName(L), extramsg)
}

// TypeError is luaL_typerror.
func TypeError(L *lua.LState, narg int, tname string) {
	ArgError(L, narg, tname+" expected, got "+TypeName(L, narg))
}

// TypeName is luaL_typename: Lua 5.1's name for the type at idx, "no value"
// past the top of the stack.
func TypeName(L *lua.LState, idx int) string {
	if idx > L.GetTop() {
		return "no value"
	}
	switch L.Get(idx).Type() {
	case lua.LTNil:
		return "nil"
	case lua.LTBool:
		return "boolean"
	case lua.LTNumber:
		return "number"
	case lua.LTString:
		return "string"
	case lua.LTTable:
		return "table"
	case lua.LTFunction:
		return "function"
	case lua.LTThread:
		return "thread"
	default: // userdata and gopher-lua's channels
		return "userdata"
	}
}

// CheckStack is luaL_checkstack for a Go function whose frame would hold
// top+space values: Lua 5.1 refuses past MaxCStack.
func CheckStack(L *lua.LState, top, space int, msg string) {
	if top+space > MaxCStack {
		Errorf(L, "stack overflow (%s)", msg)
	}
}

// ToNumber is lua_tonumber: numbers, and strings that Lua 5.1 converts.
func ToNumber(v lua.LValue) (float64, bool) {
	switch x := v.(type) {
	case lua.LNumber:
		return float64(x), true
	case lua.LString:
		return StrToNumber(string(x))
	}
	return 0, false
}

// IsNumber is lua_isnumber.
func IsNumber(v lua.LValue) bool {
	_, ok := ToNumber(v)
	return ok
}

// CheckNumber is luaL_checknumber.
func CheckNumber(L *lua.LState, narg int) float64 {
	n, ok := ToNumber(L.Get(narg))
	if !ok {
		TypeError(L, narg, "number")
	}
	return n
}

// CheckInteger is luaL_checkinteger: the number truncated as C's
// (ptrdiff_t) cast does on x86-64.
func CheckInteger(L *lua.LState, narg int) int64 {
	return ToInteger(CheckNumber(L, narg))
}

// OptInteger is luaL_optinteger.
func OptInteger(L *lua.LState, narg int, def int64) int64 {
	if L.Get(narg) == lua.LNil { // none or nil
		return def
	}
	return CheckInteger(L, narg)
}

// CheckLString is luaL_checklstring: strings, and numbers formatted as
// Lua 5.1 formats them ("%.14g").
func CheckLString(L *lua.LState, narg int) string {
	switch x := L.Get(narg).(type) {
	case lua.LString:
		return string(x)
	case lua.LNumber:
		return NumberToString(float64(x))
	}
	TypeError(L, narg, "string")
	return ""
}

// CheckCString is luaL_checkstring as a C caller sees it: the string up to
// its first NUL byte.
func CheckCString(L *lua.LState, narg int) string {
	s := CheckLString(L, narg)
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	return s
}

// NumberToString is Lua 5.1's lua_number2str ("%.14g" with glibc's inf and
// nan spellings).
func NumberToString(f float64) string {
	return FormatG(f, 14)
}

// gopher-lua's conversions between numbers and strings are Lua 5.1's (see
// the package documentation).
func init() {
	lua.NumberToString = NumberToString
	lua.StringToNumber = StrToNumber
}

// ToInteger converts like x86-64's cvttsd2si, which C's double->int64
// casts compile to: truncation, and math.MinInt64 for NaN and anything out
// of range (where Go's own conversion is implementation-defined).
func ToInteger(f float64) int64 {
	if f != f || f >= 0x1p63 || f < -0x1p63 {
		return math.MinInt64
	}
	return int64(f)
}

// ToUint64 converts like GCC's double->uint64 cast on x86-64: values below
// 2^63 (and NaN) through cvttsd2si, larger ones by subtracting 2^63 first
// and setting the top bit back.
func ToUint64(f float64) uint64 {
	if !(f >= 0x1p63) {
		return uint64(ToInteger(f))
	}
	return uint64(ToInteger(f-0x1p63)) ^ (1 << 63)
}

// StrToNumber is Lua 5.1's luaO_str2d on glibc: strtod (decimal, hex
// floats, inf/infinity/nan), then only whitespace may follow. The string is seen as C sees
// it, up to its first NUL.
func StrToNumber(s string) (float64, bool) {
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	v, end := Strtod(s)
	if end == 0 {
		return 0, false
	}
	// luaO_str2d retries with strtoul(s, 16) when strtod stopped at an
	// 'x'; glibc's strtod already consumes every "0x<hex>" prefix, so that
	// retry also stops at the 'x' and the trailing check below rejects it.
	for end < len(s) && isSpace(s[end]) {
		end++
	}
	if end != len(s) {
		return 0, false
	}
	return v, true
}

// Strtoul is glibc's strtoul(s, &end, base) for base 2 to 36: leading
// space, a sign ('-' negates the result modulo 2^64), a "0x" prefix in
// base 16, then the digits of base (letters in either case); past 2^64-1
// the result is ULONG_MAX. end is the count of bytes read, 0 when there
// is no digit.
func Strtoul(s string, base int) (n uint64, end int) {
	i, neg := spaceSign(s)
	if base == 16 && i+2 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') && digitValue(s[i+2]) < 16 {
		i += 2
	}
	start, over := i, false
	for ; i < len(s); i++ {
		d := digitValue(s[i])
		if d >= base {
			break
		}
		if n > (math.MaxUint64-uint64(d))/uint64(base) {
			over = true
		}
		n = n*uint64(base) + uint64(d)
	}
	if i == start {
		return 0, 0
	}
	if over {
		return math.MaxUint64, i
	}
	if neg {
		n = -n
	}
	return n, i
}

// digitValue is c's value as a digit of a base up to 36, 36 for none.
func digitValue(c byte) int {
	switch {
	case isDigit(c):
		return int(c - '0')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	}
	return 36
}

// spaceSign skips the leading white space and sign strtod and strtoul
// accept: i is where the number starts, neg whether it had a '-'.
func spaceSign(s string) (i int, neg bool) {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	return i, neg
}

func isSpace(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool {
	return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'f')
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// cNaN is the NaN glibc's strtod returns (quiet, payload 0). Go's
// math.NaN() sets the payload's low bit, which LuaBitOp's conversion would
// expose as bit 0.
var cNaN = math.Float64frombits(0x7ff8000000000000)

// Strtod returns the value of the longest prefix of s that glibc's strtod
// accepts (leading white space, decimal and hexadecimal numbers,
// inf/infinity, nan and nan(chars)), and its length (0 when there is
// none).
func Strtod(s string) (float64, int) {
	i, neg := spaceSign(s)
	sign := func(v float64) float64 {
		if neg {
			return -v
		}
		return v
	}
	rest := s[i:]
	switch {
	case hasPrefixFold(rest, "infinity"):
		return sign(math.Inf(1)), i + 8
	case hasPrefixFold(rest, "inf"):
		return sign(math.Inf(1)), i + 3
	case hasPrefixFold(rest, "nan"):
		j := i + 3
		if j < len(s) && s[j] == '(' { // nan(n-char-sequence)
			k := j + 1
			for k < len(s) && (isDigit(s[k]) || s[k]|0x20 >= 'a' && s[k]|0x20 <= 'z' || s[k] == '_') {
				k++
			}
			if k < len(s) && s[k] == ')' {
				j = k + 1
			}
		}
		return sign(cNaN), j
	}
	if len(rest) >= 3 && rest[0] == '0' && rest[1]|0x20 == 'x' && (isHex(rest[2]) || rest[2] == '.' && len(rest) > 3 && isHex(rest[3])) {
		j := i + 2
		var mant strings.Builder
		digits := 0
		for j < len(s) && isHex(s[j]) {
			mant.WriteByte(s[j])
			j++
			digits++
		}
		if j < len(s) && s[j] == '.' {
			mant.WriteByte('.')
			j++
			for j < len(s) && isHex(s[j]) {
				mant.WriteByte(s[j])
				j++
				digits++
			}
		}
		if digits == 0 {
			return 0, 0
		}
		exp := "0"
		if k := exponentEnd(s, j, 'p'); k > j {
			exp, j = s[j+1:k], k
		}
		v, _ := strconv.ParseFloat("0x"+mant.String()+"p"+exp, 64) // ErrRange still yields ±Inf or 0, as strtod does
		return sign(v), j
	}
	j := i
	digits := 0
	for j < len(s) && isDigit(s[j]) {
		j++
		digits++
	}
	if j < len(s) && s[j] == '.' {
		j++
		for j < len(s) && isDigit(s[j]) {
			j++
			digits++
		}
	}
	if digits == 0 {
		return 0, 0
	}
	j = exponentEnd(s, j, 'e')
	v, _ := strconv.ParseFloat(s[i:j], 64) // ErrRange still yields ±Inf or 0, as strtod does
	return sign(v), j
}

// exponentEnd returns the end of the exponent that starts at s[j] with
// marker (lower case; either case matches), an optional sign and at least
// one digit, or j when there is none: strtod leaves a bare "e" or "e+"
// unconsumed.
func exponentEnd(s string, j int, marker byte) int {
	if j >= len(s) || s[j]|0x20 != marker {
		return j
	}
	k := j + 1
	if k < len(s) && (s[k] == '+' || s[k] == '-') {
		k++
	}
	if k >= len(s) || !isDigit(s[k]) {
		return j
	}
	for k < len(s) && isDigit(s[k]) {
		k++
	}
	return k
}
