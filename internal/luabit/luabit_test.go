package luabit

import (
	"fmt"
	"math"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
	"pgregory.net/rapid"

	"github.com/keeldb/keel/internal/lauxlib/difftest"
)

// values are Lua expressions covering LuaBitOp's normalisation: the
// 32-bit edges, wrap-around, rounding of fractions (to nearest even),
// beyond 2^53, infinities, NaN and numeric strings.
var values = []string{
	"0", "1", "-1", "2", "7", "255", "-255", "0x7fffffff", "0x80000000", "-0x80000000",
	"2^31", "2^31-1", "-2^31", "-2^31-1", "2^32", "2^32-1", "2^32+1", "-2^32", "2^33+5",
	"1.5", "-1.5", "2.5", "-2.5", "0.5", "-0.5", "0.49999999999999994", "3.7", "-3.7", "1e-300",
	"2^52", "2^52+1", "2^53", "2^53+2", "-2^53", "2^60", "2^63", "-2^63", "2^64", "1e300", "-1e300",
	"1/0", "-1/0", "0/0", "0xdeadbeef", "0x12345678", "1234567890123",
	"'10'", "' 0x10 '", "'1e3'", "'-7.5'", "'inf'", "'nan'", "'0x1p4'",
}

// bad are arguments that are not numbers.
var bad = []string{"nil", "'x'", "''", "'0x'", "{}", "true", "tostring", "'1 2'", "'10x'"}

func diffCases() []string {
	var cs []string
	ret := func(expr string) string {
		return fmt.Sprintf("local v = %s return type(v) .. ' ' .. string.format('%%.17g', v)", expr)
	}
	// Each case covers one value against a whole range, so that the
	// ~20000 computations take a few hundred EVALs.
	loop := func(over, expr string) string {
		return fmt.Sprintf("local out = {} for _, w in ipairs({%s}) do local v = %s out[#out + 1] = type(v) .. ' ' .. string.format('%%.17g', v) end return table.concat(out, ',')", over, expr)
	}
	counts := "0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, -1, -5, -31, -32, -33, 2^32+3, 1.5, 2.5, -2^31"
	all := strings.Join(values, ", ")
	for _, v := range values {
		for _, f := range []string{"tobit", "bnot", "bswap"} {
			cs = append(cs, ret(fmt.Sprintf("bit.%s(%s)", f, v)))
		}
		cs = append(cs, fmt.Sprintf("return bit.tohex(%s)", v))
		for _, f := range []string{"band", "bor", "bxor"} {
			cs = append(cs, loop(all, fmt.Sprintf("bit.%s(%s, w)", f, v)))
		}
		for _, f := range []string{"lshift", "rshift", "arshift", "rol", "ror"} {
			cs = append(cs, loop(counts, fmt.Sprintf("bit.%s(%s, w)", f, v)))
		}
		cs = append(cs, fmt.Sprintf("local out = {} for _, n in ipairs({0, 1, 2, 7, 8, 9, 100, -1, -2, -8, -9, -100, 2^31, -2^31, 2^32+4, '3', 0.5, -0.5, 1.5}) do out[#out + 1] = bit.tohex(%s, n) end return table.concat(out, ',')", v))
	}
	// Many arguments and argument-count edges.
	cs = append(cs,
		ret("bit.band(0xff, 0x0f, 0x3c, 0xfff)"), ret("bit.bor(1, 2, 4, 8, 16, 32, 2^31)"),
		ret("bit.bxor(1, 3, 7, 15, 31)"), ret("bit.band(-1)"), ret("bit.bor(5)"), ret("bit.bxor(-7)"),
		"return bit.tohex(255, nil)",
	)
	// Errors: missing and non-numeric arguments, direct and through pcall,
	// local aliases, and which argument is reported first.
	for _, f := range []string{"tobit", "bnot", "bswap", "tohex", "band", "bor", "bxor", "lshift", "rshift", "arshift", "rol", "ror"} {
		cs = append(cs,
			fmt.Sprintf("local ok, e = pcall(bit.%s) return tostring(ok) .. ' ' .. e", f),
			fmt.Sprintf("return bit.%s()", f),
			fmt.Sprintf("local f = bit.%s return f()", f),
			fmt.Sprintf("local x = bit.%s() return x", f),
		)
		for _, b := range bad {
			cs = append(cs,
				fmt.Sprintf("local x = bit.%s(%s) return x", f, b),
				fmt.Sprintf("local x = bit.%s(1, %s) return tostring(x)", f, b),
				fmt.Sprintf("local ok, e = pcall(bit.%s, 3, %s) return tostring(ok) .. ' ' .. tostring(e)", f, b),
			)
		}
	}
	cs = append(cs,
		"local x = bit.band(1, 2, 'x', {}) return x",
		"local x = bit.bor('a', 2, {}) return x",
		"local x = bit.lshift({}, 'x') return x",
		"local x = bit.tohex('x', {}) return x",
		"local t = {f = bit.band} local x = t.f(nil) return x",
		"local x = bit['band'](nil) return x",
		"local n = 0 for k, v in pairs(bit) do n = n + 1 end return tostring(n)",
		"return tostring(bit._VERSION)",
	)
	return cs
}

func TestDifferential(t *testing.T) {
	n := difftest.Run(t, Open, diffCases())
	t.Logf("%d differential cases", n)
}

// TestToBit pins the normalisation to values computed by hand.
func TestToBit(t *testing.T) {
	for _, c := range []struct {
		in   float64
		want int32
	}{
		{0, 0}, {1, 1}, {-1, -1}, {1 << 31, math.MinInt32}, {1 << 32, 0}, {1.5, 2}, {2.5, 2},
		{-1.5, -2}, {0x123456789, 0x23456789}, {math.Inf(1), 0},
	} {
		if got := int32(ToBit(c.in)); got != c.want {
			t.Errorf("ToBit(%v) = %d, want %d", c.in, got, c.want)
		}
	}
}

func call(t *rapid.T, L *lua.LState, name string, args ...float64) int32 {
	L.Push(L.GetGlobal("bit").(*lua.LTable).RawGetString(name))
	for _, a := range args {
		L.Push(lua.LNumber(a))
	}
	if err := L.PCall(len(args), 1, nil); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	v := L.Get(-1)
	L.Pop(1)
	n, ok := v.(lua.LNumber)
	if !ok || float64(n) != math.Trunc(float64(n)) || n < math.MinInt32 || n > math.MaxInt32 {
		t.Fatalf("%s returned %v, not a signed 32-bit number", name, v)
	}
	return int32(n)
}

// TestProperties checks the functions against Go's own 32-bit arithmetic
// for inputs that are already 32-bit integers.
func TestProperties(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	Open(L)
	rapid.Check(t, func(t *rapid.T) {
		a := rapid.Int32().Draw(t, "a")
		b := rapid.Int32().Draw(t, "b")
		n := rapid.IntRange(0, 31).Draw(t, "n")
		fa, fb, fn := float64(a), float64(b), float64(n)
		ua := uint32(a)
		checks := []struct {
			name string
			got  int32
			want int32
		}{
			{"tobit", call(t, L, "tobit", fa), a},
			{"bnot", call(t, L, "bnot", fa), ^a},
			{"band", call(t, L, "band", fa, fb), a & b},
			{"bor", call(t, L, "bor", fa, fb), a | b},
			{"bxor", call(t, L, "bxor", fa, fb), a ^ b},
			{"lshift", call(t, L, "lshift", fa, fn), int32(ua << n)},
			{"rshift", call(t, L, "rshift", fa, fn), int32(ua >> n)},
			{"arshift", call(t, L, "arshift", fa, fn), a >> n},
			{"rol", call(t, L, "rol", fa, fn), int32(ua<<n | ua>>(32-n))},
			{"ror", call(t, L, "ror", fa, fn), int32(ua>>n | ua<<(32-n))},
			{"bswap", call(t, L, "bswap", float64(call(t, L, "bswap", fa))), a},
			{"tobit(a+2^32)", call(t, L, "tobit", fa+(1<<32)), a},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Fatalf("%s(%d, %d, %d) = %d, want %d", c.name, a, b, n, c.got, c.want)
			}
		}
	})
}
