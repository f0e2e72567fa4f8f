package luastruct

import (
	"fmt"
	"math"
	"testing"

	lua "github.com/yuin/gopher-lua"
	"pgregory.net/rapid"

	"github.com/keeldb/keel/internal/lauxlib/difftest"
)

// ints are values at the edges of every integer width, out of range, and
// the conversions C does for fractions, huge values, inf and NaN.
var ints = []string{
	"0", "1", "-1", "127", "128", "-128", "-129", "255", "256", "32767", "32768", "-32768", "-32769", "65535", "65536",
	"2^31-1", "2^31", "-2^31", "-2^31-1", "2^32-1", "2^32", "2^53", "-2^53", "2^63", "-2^63", "2^64", "2^65", "-2^65",
	"1.5", "-1.5", "2.7", "-2.7", "1e300", "-1e300", "1/0", "-1/0", "0/0", "'42'", "' 0x10 '",
}

func diffCases() []string {
	var cs []string
	sizes := []string{"b", "B", "h", "H", "l", "L", "T", "i", "I", "i1", "I1", "i2", "I2", "i3", "I3", "i4", "I4", "i5", "i7", "I7",
		"i8", "I8", "i9", "I9", "i12", "I16", "i16", "i32", "I32", "i0", "I0"}
	for _, endian := range []string{"<", ">"} {
		for _, sz := range sizes {
			for _, v := range ints {
				f := endian + sz
				cs = append(cs, fmt.Sprintf("local s = struct.pack('%s', %s) local a, n = struct.unpack('%s', s) return hex(s) .. ' ' .. dump(a) .. ' ' .. dump(n)", f, v, f))
			}
		}
	}
	for _, v := range []string{"0", "1.5", "-0.1", "0.1", "1e300", "-1e-300", "2^-149", "3.4028235677973366e38", "1/0", "-1/0", "0/0", "123456789", "'2.5'"} {
		for _, f := range []string{"f", "d", ">f", ">d", "<f", "<d"} {
			cs = append(cs, fmt.Sprintf("local s = struct.pack('%s', %s) local a, n = struct.unpack('%s', s) return hex(s) .. ' ' .. dump(a) .. ' ' .. dump(n)", f, v, f))
		}
	}
	// Strings, alignment, padding and mixed formats.
	for _, c := range []string{
		"struct.pack('c0', 'hello')", "struct.pack('c3', 'hello')", "struct.pack('c5', 'hello')", "struct.pack('c', 'hello')",
		"struct.pack('s', 'hi')", "struct.pack('s', '')", "struct.pack('s', 'a\\0b')", "struct.pack('c0', '')", "struct.pack('c2c0', 'ab', 'cd')",
		"struct.pack('c', 42)", "struct.pack('c0', 1.5)", "struct.pack('s', 1e100)",
		"struct.pack('xbx', 1)", "struct.pack('bxh', 1, 2)", "struct.pack('!bh', 1, 2)", "struct.pack('!4bd', 1, 2)", "struct.pack('!bd', 1, 2)",
		"struct.pack('!2bibd', 1, 2, 3, 4)", "struct.pack('!8bibdhc3l', 1, 2, 3, 4, 5, 'xyz', 6)", "struct.pack('!1bi', 1, 2)",
		"struct.pack('!16bi8', 1, 2)", "struct.pack('!4bi3', 1, 2)", "struct.pack('!4bi3bi3', 1, 2, 3, 4)", "struct.pack('!4b i3  i5', 1, 2, 3)",
		"struct.pack('!bi', 1, 2)", "struct.pack('!4bs i', 1, 'ab', 2)", "struct.pack('!4bc3i', 1, 'abc', 2)",
		"struct.pack('>i<i', 1, 1)", "struct.pack('  ', 1)", "struct.pack('')", "struct.pack('b\\0b', 1, 2)", "struct.pack(7)",
		"struct.pack('>!4bI2T', 255, 65535, 2^40)", "struct.pack('i20', -1)", "struct.pack('<i32', -2)", "struct.pack('>I32', 2^64)",
	} {
		cs = append(cs, fmt.Sprintf("return hex(%s)", c))
	}
	for _, c := range []string{
		"struct.unpack('b', '\\255')", "struct.unpack('B', '\\255')", "struct.unpack('<h', '\\1\\128')", "struct.unpack('>H', '\\1\\128')",
		"struct.unpack('c3', 'abcdef')", "struct.unpack('c3', 'abcdef', 2)", "struct.unpack('c3', 'abcdef', 4)", "struct.unpack('c3', 'abcdef', 5)",
		"struct.unpack('c0', 'abc')", "struct.unpack('bc0', '\\3abcde')", "struct.unpack('bc0', '\\9abcde')", "struct.unpack('c1c0', '3abcde')",
		"struct.unpack('c1c0', 'xabcde')", "struct.unpack('dc0', struct.pack('d', 2.9) .. 'abc')", "struct.unpack('bc0b', '\\2ab\\7')",
		"struct.unpack('b c0', '\\0rest')", "struct.unpack('bbc0', '\\1\\2abc')",
		"struct.unpack('s', 'ab\\0cd')", "struct.unpack('ss', 'ab\\0cd\\0')", "struct.unpack('s', 'abc')", "struct.unpack('s', '')",
		"struct.unpack('s', 'abc', 4)", "struct.unpack('s', 'ab\\0', 3)", "struct.unpack('xb', '\\1\\2')", "struct.unpack('x', '')",
		"struct.unpack('!4bi', '\\1\\0\\0\\0\\2\\0\\0\\0')", "struct.unpack('!4bi', '\\1\\0\\0\\0\\2\\0\\0')", "struct.unpack('!bd', string.rep('\\0', 16))",
		"struct.unpack('', 'abc')", "struct.unpack('', 'abc', 3)", "struct.unpack('', 'abc', 4)", "struct.unpack('', 'abc', 5)",
		"struct.unpack('', 'abc', -5)", "struct.unpack('b', 'abc', -1)", "struct.unpack('b', 'abc', 0)", "struct.unpack('b', 'abc', 2.9)",
		"struct.unpack('b', 'abc', '2')", "struct.unpack('b', 'abc', nil)", "struct.unpack('b', 'abc', {})", "struct.unpack('b', 'abc', 4)",
		"struct.unpack('bbb', 'abc')", "struct.unpack('bbbb', 'abc')", "struct.unpack('i9', string.rep('\\255', 9))",
		"struct.unpack('>i16', string.rep('\\255', 16))", "struct.unpack('<i16', '\\1' .. string.rep('\\0', 15))",
		"struct.unpack('>I16', string.rep('\\1', 16))", "struct.unpack('i0', 'x')", "struct.unpack('>i3', '\\255\\255\\254')",
		"struct.unpack('<I5', '\\1\\2\\3\\4\\5')", "struct.unpack('l', string.rep('\\255', 8))", "struct.unpack('L', string.rep('\\255', 8))",
		"struct.unpack('T', '\\1\\0\\0\\0\\0\\0\\0\\128')", "struct.unpack(' < > ', 'a')", "struct.unpack(12, 'a')", "struct.unpack('b', 65)",
		"struct.unpack('c0', 'abc', 4)",
	} {
		cs = append(cs, fmt.Sprintf("return dump({%s})", c))
	}
	for _, c := range []string{
		"'b'", "'bhilT'", "'!bhilT'", "'!4bd'", "'!2bd'", "'c10'", "'c'", "'x'", "'f d'", "'i3i5'", "'!4i3i5'", "'<>'", "''",
		"'y'", "'Z'", "'9'", "'bzb'", "'s'", "'c0'", "'@'", "'!3'", "'b!'", "'i33'", "'i32'", "'c2147483647'", "'c2147483648'", "'!2147483648'",
		"'i99999999999'", "'\\200'", "5", "nil", "{}",
	} {
		cs = append(cs, fmt.Sprintf("return dump(struct.size(%s))", c))
	}
	// Errors, direct and through pcall.
	for _, c := range []string{
		"struct.pack('y')", "struct.pack('b@', 1)", "struct.pack('\\200')", "struct.pack('9')", "struct.pack('i33', 1)", "struct.pack('i0', 1)",
		"struct.pack('i99999999999')", "struct.pack('c99999999999', 'a')", "struct.pack('!3b', 1)", "struct.pack('!0b', 1)", "struct.pack('!16b', 1)",
		"struct.pack('b')", "struct.pack('b', 'x')", "struct.pack('b', {})", "struct.pack('bb', 1)", "struct.pack('f', nil)", "struct.pack('d', 'x')",
		"struct.pack('c5', 'ab')", "struct.pack('bc5', 1, 'ab')", "struct.pack('c', {})", "struct.pack('s')", "struct.pack()", "struct.pack({})",
		"struct.unpack()", "struct.unpack('b')", "struct.unpack('b', {})", "struct.unpack('y', 'a')", "struct.unpack('i33', 'a')",
		"struct.unpack('c0', 'a')", "struct.unpack('s', 'a')", "struct.unpack('!5b', 'a')", "struct.unpack('b', 'a', 0)",
		"struct.unpack('b', 'a', 'x')", "struct.unpack('b', '')", "struct.unpack('c2147483647', 'a')",
		"struct.size()", "struct.size('s')", "struct.size('c0')", "struct.size('bc0')", "struct.size('!3')", "struct.size('@')", "struct.size('i40')",
	} {
		cs = append(cs,
			fmt.Sprintf("local x = %s return x", c),
			fmt.Sprintf("local ok, e = pcall(function() return %s end) return tostring(ok) .. ' ' .. tostring(e)", c),
		)
	}
	cs = append(cs,
		"local ok, e = pcall(struct.pack, 'y') return e", "local ok, e = pcall(struct.unpack, 'b', 'a', 0) return e",
		"local ok, e = pcall(struct.size, 's') return e", "local p = struct.pack local x = p('b') return x",
		"local n = 0 for k in pairs(struct) do n = n + 1 end return tostring(n)",
		// Lua 5.1's stack limit on the number of results.
		"local ok, e = pcall(struct.unpack, string.rep('b', 7996), string.rep('\\1', 8000)) return tostring(ok) .. ' ' .. tostring(e)",
		"local ok, e = pcall(struct.unpack, string.rep('b', 7997), string.rep('\\1', 8000)) return tostring(ok) .. ' ' .. tostring(e)",
		"local ok, e = pcall(struct.unpack, string.rep('b', 7996), string.rep('\\1', 8000), 1) return tostring(ok) .. ' ' .. tostring(e)",
		"return tostring(select('#', struct.unpack(string.rep('x', 9000) .. 'b', string.rep('\\1', 9001))))",
	)
	return cs
}

func TestDifferential(t *testing.T) {
	n := difftest.Run(t, Open, diffCases())
	t.Logf("%d differential cases", n)
}

// TestRoundTrip: struct.unpack(fmt, struct.pack(fmt, v)) gives v back for
// values each format represents exactly.
func TestRoundTrip(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	Open(L)
	tbl := L.GetGlobal("struct").(*lua.LTable)
	type item struct {
		opt string
		gen *rapid.Generator[lua.LValue]
	}
	num := func(g *rapid.Generator[int64]) *rapid.Generator[lua.LValue] {
		return rapid.Map(g, func(v int64) lua.LValue { return lua.LNumber(v) })
	}
	items := []item{
		{"b", num(rapid.Int64Range(-128, 127))}, {"B", num(rapid.Int64Range(0, 255))},
		{"h", num(rapid.Int64Range(-32768, 32767))}, {"H", num(rapid.Int64Range(0, 65535))},
		{"i", num(rapid.Int64Range(math.MinInt32, math.MaxInt32))}, {"I", num(rapid.Int64Range(0, math.MaxUint32))},
		{"i3", num(rapid.Int64Range(-1<<23, 1<<23-1))}, {"I5", num(rapid.Int64Range(0, 1<<40-1))},
		{"l", num(rapid.Int64Range(-1<<53, 1<<53))}, {"L", num(rapid.Int64Range(0, 1<<53))}, {"T", num(rapid.Int64Range(0, 1<<53))},
		{"i16", num(rapid.Int64Range(-1<<53, 1<<53))},
		{"d", rapid.Map(rapid.Float64(), func(f float64) lua.LValue { return lua.LNumber(f) })},
		{"f", rapid.Map(rapid.Float32(), func(f float32) lua.LValue { return lua.LNumber(f) })},
		{"s", rapid.Map(rapid.StringMatching("[^\x00]*"), func(s string) lua.LValue { return lua.LString(s) })},
		{"c0", rapid.Map(rapid.String(), func(s string) lua.LValue { return lua.LString(s) })},
	}
	rapid.Check(t, func(t *rapid.T) {
		format := rapid.SampledFrom([]string{"", "<", ">", "!", "!2", "!4", ">!"}).Draw(t, "prefix")
		var vals, want []lua.LValue
		for i, n := 0, rapid.IntRange(1, 6).Draw(t, "n"); i < n; i++ {
			it := rapid.SampledFrom(items).Draw(t, "item")
			v := it.gen.Draw(t, "v")
			if it.opt == "c0" {
				// Unpacking c0 takes the length from the previous value
				// and consumes it, so an 'i' length goes first.
				format += "i"
				vals = append(vals, lua.LNumber(len(string(v.(lua.LString)))))
			}
			format += it.opt
			vals = append(vals, v)
			want = append(want, v)
		}
		L.SetTop(0)
		L.Push(tbl.RawGetString("pack"))
		L.Push(lua.LString(format))
		for _, v := range vals {
			L.Push(v)
		}
		if err := L.PCall(len(vals)+1, 1, nil); err != nil {
			t.Fatalf("pack(%q): %v", format, err)
		}
		packed := string(L.Get(-1).(lua.LString))
		L.SetTop(0)
		L.Push(tbl.RawGetString("unpack"))
		L.Push(lua.LString(format))
		L.Push(lua.LString(packed))
		if err := L.PCall(2, lua.MultRet, nil); err != nil {
			t.Fatalf("unpack(%q): %v", format, err)
		}
		if got := L.GetTop(); got != len(want)+1 {
			t.Fatalf("unpack(%q) returned %d values, want %d", format, got, len(want)+1)
		}
		for i, w := range want {
			g := L.Get(i + 1)
			wn, ok1 := w.(lua.LNumber)
			gn, ok2 := g.(lua.LNumber)
			if ok1 && ok2 && wn != wn && gn != gn {
				continue // NaN
			}
			if g != w {
				t.Fatalf("unpack(%q) value %d = %v, want %v", format, i+1, g, w)
			}
		}
		if next := L.Get(-1); next != lua.LNumber(len(packed)+1) {
			t.Fatalf("next position %v for %d bytes", next, len(packed))
		}
	})
}
