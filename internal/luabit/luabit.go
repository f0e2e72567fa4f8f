// Package luabit is the "bit" library Redis 7.0 gives Lua scripts
// (LuaBitOp 1.0.2, deps/lua/src/lua_bit.c), implemented for gopher-lua.
//
// Open sets the global table bit with tobit, tohex, bnot, band, bor, bxor,
// lshift, rshift, arshift, rol, ror and bswap. Every argument is
// normalised to a signed 32-bit integer the way LuaBitOp does it for
// doubles: add 2^52+2^51 and keep the low 32 bits of the result's IEEE
// representation (so fractions round to nearest-even and huge values wrap
// modulo 2^32); results are returned as signed 32-bit numbers. Arguments
// are coerced and checked as Lua 5.1's lua_tonumber does (numeric strings
// are accepted) and errors carry Lua 5.1's texts, e.g. "bad argument #1 to
// 'band' (number expected, got no value)".
//
// Known difference from Redis: an error from a method-style call
// (bit:band()) is worded as for a plain call, where Lua 5.1 discounts the
// self argument.
package luabit

import (
	"math"

	lua "github.com/yuin/gopher-lua"

	"github.com/keeldb/keel/internal/lauxlib"
)

// Open creates the bit table and sets it as the global "bit".
func Open(L *lua.LState) {
	t := L.NewTable()
	for name, fn := range map[string]lua.LGFunction{
		"tobit":   bitTobit,
		"bnot":    bitBnot,
		"band":    bitOp(func(a, b uint32) uint32 { return a & b }),
		"bor":     bitOp(func(a, b uint32) uint32 { return a | b }),
		"bxor":    bitOp(func(a, b uint32) uint32 { return a ^ b }),
		"lshift":  bitShift(func(b, n uint32) uint32 { return b << n }),
		"rshift":  bitShift(func(b, n uint32) uint32 { return b >> n }),
		"arshift": bitShift(func(b, n uint32) uint32 { return uint32(int32(b) >> n) }),
		"rol":     bitShift(func(b, n uint32) uint32 { return b<<n | b>>((32-n)&31) }),
		"ror":     bitShift(func(b, n uint32) uint32 { return b<<((32-n)&31) | b>>n }),
		"bswap":   bitBswap,
		"tohex":   bitTohex,
	} {
		t.RawSetString(name, L.NewFunction(fn))
	}
	L.SetGlobal("bit", t)
}

// ToBit is LuaBitOp's conversion of a double to 32 bits: adding 2^52+2^51
// puts the integer part, rounded to nearest-even, in the low mantissa bits.
func ToBit(n float64) uint32 {
	return uint32(math.Float64bits(n + 6755399441055744.0))
}

// barg is LuaBitOp's barg: lua_tonumber, converted, and an error only when
// the result is 0 and the argument is not a number (a non-number converts
// to 0).
func barg(L *lua.LState, idx int) uint32 {
	n, ok := lauxlib.ToNumber(L.Get(idx))
	b := ToBit(n)
	if b == 0 && !ok {
		lauxlib.TypeError(L, idx, "number")
	}
	return b
}

func bret(L *lua.LState, b uint32) int {
	L.Push(lua.LNumber(int32(b)))
	return 1
}

func bitTobit(L *lua.LState) int { return bret(L, barg(L, 1)) }
func bitBnot(L *lua.LState) int  { return bret(L, ^barg(L, 1)) }

// bitOp folds op over all arguments; like the C it converts argument 1
// first and then the others from the last one down, which decides which
// bad argument is reported.
func bitOp(op func(a, b uint32) uint32) lua.LGFunction {
	return func(L *lua.LState) int {
		b := barg(L, 1)
		for i := L.GetTop(); i > 1; i-- {
			b = op(b, barg(L, i))
		}
		return bret(L, b)
	}
}

// bitShift uses only the low five bits of the count, as the C does.
// Go defines shifts by 32 (which rol/ror by 0 would do), so (32-n)&31
// keeps the C's result for n = 0 on x86, where the count is also masked.
func bitShift(fn func(b, n uint32) uint32) lua.LGFunction {
	return func(L *lua.LState) int {
		b := barg(L, 1)
		n := barg(L, 2) & 31
		return bret(L, fn(b, n))
	}
}

func bitBswap(L *lua.LState) int {
	b := barg(L, 1)
	return bret(L, b>>24|(b>>8)&0xff00|(b&0xff00)<<8|b<<24)
}

// bitTohex prints the low |n| hex digits (at most 8, default 8);
// a negative n selects upper case.
func bitTohex(L *lua.LState) int {
	b := barg(L, 1)
	n := int32(8)
	if L.GetTop() >= 2 {
		n = int32(barg(L, 2))
	}
	digits := "0123456789abcdef"
	if n < 0 {
		n = -n
		digits = "0123456789ABCDEF"
		if n < 0 { // -2^31 negates to itself; Redis's build prints 8 digits
			n = 8
		}
	}
	if n > 8 {
		n = 8
	}
	buf := make([]byte, n)
	for i := int(n) - 1; i >= 0; i-- {
		buf[i] = digits[b&15]
		b >>= 4
	}
	L.Push(lua.LString(buf))
	return 1
}
