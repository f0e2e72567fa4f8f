package luamsgpack

import (
	"fmt"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
	"pgregory.net/rapid"

	"github.com/keeldb/keel/internal/lauxlib/difftest"
)

// numbers are Lua expressions at every integer width edge, positive and
// negative, and floats that do and do not survive float32.
var numbers = []string{
	"0", "1", "127", "128", "255", "256", "65535", "65536", "2^32-1", "2^32", "2^53", "2^63-1024", "2^63", "2^64",
	"-1", "-32", "-33", "-128", "-129", "-32768", "-32769", "-2^31", "-2^31-1", "-2^53", "-2^63", "-2^63-2048", "-2^64",
	"0.5", "-0.5", "1.5", "0.1", "-0.1", "3.14", "1e300", "-1e300", "1e-300", "2^-149", "2^-150", "3.4028234663852886e38",
	"3.4028235677973366e38", "1/0", "-1/0", "-0.0", "16777217", "16777217.5", "2^31+0.5",
}

var strLens = []int{0, 1, 31, 32, 33, 255, 256, 65535, 65536, 70000}

// raw are msgpack inputs written byte by byte: every tag, truncations,
// and the types lua-cmsgpack rejects.
var raw = []string{
	"", "0x00", "0x7f", "0x80", "0x8f", "0x90", "0x9f", "0xa0", "0xbf", "0xc0", "0xc1", "0xc2", "0xc3",
	"0xc4, 0x01, 0x41", "0xc5, 0x00, 0x01, 0x41", "0xc6, 0, 0, 0, 1, 0x41", "0xc7, 1, 1, 0x41", "0xc8, 0, 1, 1, 0x41",
	"0xc9, 0, 0, 0, 1, 1, 0x41", "0xd4, 1, 1", "0xd5, 1, 1, 2", "0xd6, 1, 1, 2, 3, 4", "0xd7, 1", "0xd8, 1",
	"0xca, 0x3f, 0xc0, 0, 0", "0xca, 0x7f, 0x80, 0, 0", "0xca, 0xff, 0xc0, 0, 0", "0xca, 0x3f", "0xca",
	"0xcb, 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a", "0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0", "0xcb, 0, 0, 0",
	"0xcc, 0xff", "0xcc", "0xcd, 0xff, 0xfe", "0xcd, 0xff", "0xce, 0xff, 0xff, 0xff, 0xff", "0xce, 1, 2, 3",
	"0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff", "0xcf, 0x80, 0, 0, 0, 0, 0, 0, 0", "0xcf, 0, 0, 0, 0, 0, 0x20, 0, 1",
	"0xcf, 1, 2", "0xd0, 0x80", "0xd0, 0x7f", "0xd0", "0xd1, 0x80, 0x00", "0xd1, 0xff, 0x7f", "0xd1, 1",
	"0xd2, 0x80, 0, 0, 0", "0xd2, 0xff, 0xff, 0xff, 0xfe", "0xd2, 1, 2", "0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0",
	"0xd3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff", "0xd3, 1",
	"0xd9, 3, 0x61, 0x62, 0x63", "0xd9, 3, 0x61", "0xd9", "0xda, 0, 2, 0x61, 0x62", "0xda, 0, 2, 0x61", "0xda, 0",
	"0xdb, 0, 0, 0, 1, 0x61", "0xdb, 0, 0, 0, 2, 0x61", "0xdb, 0, 0", "0xdb, 0xff, 0xff, 0xff, 0xff, 0x61",
	"0xdc, 0, 2, 1, 2", "0xdc, 0, 2, 1", "0xdc, 0", "0xdd, 0, 0, 0, 1, 0xc0", "0xdd, 0, 0, 0, 3, 1, 0xc0, 3", "0xdd, 0xff, 0xff, 0xff, 0xff",
	"0xde, 0, 1, 0xa1, 0x61, 1", "0xde, 0, 1, 0xa1, 0x61", "0xde", "0xdf, 0, 0, 0, 1, 1, 2", "0xdf, 0, 0, 0, 2, 1, 2",
	"0xe0", "0xff", "0xa3, 0x61, 0x62", "0x92, 1", "0x92, 1, 0xc1", "0x81, 1", "0x82, 1, 2, 1, 3", "0x81, 0xc0, 1", "0x81, 0xc0, 0xc1",
	"0x81, 0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0, 1", "0x81, 0xcb, 0xff, 0xf8, 0, 0, 0, 0, 0, 0, 0xc0", "0x81, 1, 0xc0",
	"0x93, 1, 0xc0, 3", "0x91, 0x91, 0x91, 0x91, 0x90", "1, 2, 3", "1, 0xc1, 3", "0x81, 0x90, 1", "0x81, 0x80, 1",
}

func diffCases() []string {
	var cs []string
	for _, n := range numbers {
		cs = append(cs,
			fmt.Sprintf("return hex(cmsgpack.pack(%s))", n),
			fmt.Sprintf("return dump(cmsgpack.unpack(cmsgpack.pack(%s)))", n),
			fmt.Sprintf("return hex(cmsgpack.pack({%s, -(%s)}))", n, n),
		)
	}
	cs = append(cs, "return hex(cmsgpack.pack(0/0)):sub(1, 2)", "return hex(cmsgpack.pack(1/0, -1/0))")
	for _, n := range strLens {
		cs = append(cs, fmt.Sprintf("local s = cmsgpack.pack(string.rep('a', %d)) local u = cmsgpack.unpack(s) "+
			"return hex(s:sub(1, 8)) .. ' ' .. #s .. ' ' .. hex(s:sub(-2)) .. ' ' .. #u .. tostring(u == string.rep('a', %d))", n, n))
	}
	cs = append(cs, `return hex(cmsgpack.pack('\0\1\255', 'é'))`)
	// Arrays, maps and what decides between them.
	for _, t := range []string{
		"{}", "{1, 2, 3}", "{1, nil, 3}", "{nil, 2}", "{[1] = 'a', [2] = 'b'}", "{[2] = 'b'}", "{[1] = 1, [3] = 3}",
		"{a = 1}", "{[1.5] = 1}", "{[0] = 1}", "{[-1] = 1}", "{['1'] = 1}", "{[2^31] = 1}", "{[2^31-1] = 1}", "{[true] = 1}",
		"{[1] = 1, [2] = 2, [2^31] = 3}", "{1, 2, x = 3}", "{{}}", "{{1}, {2, {3}}}", "{[{}] = 1}",
		"{true, false}", "{tostring}", "(function() local t = {} t[3] = 'c' t[2] = 'b' t[1] = 'a' return t end)()",
		"(function() local t = {} for i = 1, 15 do t[i] = i end return t end)()",
		"(function() local t = {} for i = 1, 16 do t[i] = i end return t end)()",
		"(function() local t = {} for i = 1, 300 do t[i] = i end return t end)()",
		"(function() local t = {} for i = 1, 65535 do t[i] = 0 end return t end)()",
		"(function() local t = {} for i = 1, 65536 do t[i] = 0 end return t end)()",
		"(function() local t = {} for i = 1, 15 do t['k' .. i] = i end return t end)()",
		"(function() local t = {} for i = 1, 16 do t['k' .. i] = i end return t end)()",
		"(function() local t = {} for i = 1, 65536 do t['k' .. i] = 0 end return t end)()",
	} {
		cs = append(cs,
			// A map's entry order is gopher-lua's, so only its header is compared
			// byte for byte; the decoded result is compared in full, or by size
			// for the huge tables.
			fmt.Sprintf("local s = cmsgpack.pack(%s) local b = s:byte(1) local h = s:sub(1, 5) "+
				"if b == 0xde then h = s:sub(1, 3) elseif b == 0xdf then h = s:sub(1, 5) elseif b >= 0x80 and b <= 0x8f then h = s:sub(1, 1) end "+
				"local u = cmsgpack.unpack(s) local n = 0 for _ in pairs(u) do n = n + 1 end "+
				"return hex(h) .. ' ' .. #s .. ' ' .. n .. ' ' .. (n < 1000 and dump(u) or '')", t),
		)
	}
	// Single-key maps, whose bytes do not depend on iteration order.
	cs = append(cs, "return hex(cmsgpack.pack({a = 1}))", "return hex(cmsgpack.pack({[0] = {x = {1}}}))",
		"return hex(cmsgpack.pack({[1.5] = 0.5}))", "return hex(cmsgpack.pack({[{1}] = {[{}] = 2}}))")
	// Nesting: 15 levels below the top encode, the 16th is nil; cycles stop.
	for _, depth := range []int{14, 15, 16, 17, 30} {
		cs = append(cs,
			fmt.Sprintf("local t = 'leaf' for i = 1, %d do t = {t} end return hex(cmsgpack.pack(t))", depth),
			fmt.Sprintf("local t = 'leaf' for i = 1, %d do t = {k = t} end return hex(cmsgpack.pack(t))", depth),
			fmt.Sprintf("local t = 'leaf' for i = 1, %d do t = {[t] = 1} end return hex(cmsgpack.pack(t))", depth),
			fmt.Sprintf("local t = 'leaf' for i = 1, %d do t = {t} end return dump(cmsgpack.unpack(cmsgpack.pack(t)))", depth),
		)
	}
	cs = append(cs,
		"local t = {} t[1] = t return hex(cmsgpack.pack(t))",
		"local t = {} t.x = t return hex(cmsgpack.pack(t))",
		// Multiple values, other types.
		"return hex(cmsgpack.pack(1, 'a', {2}, nil, true, false))",
		"return hex(cmsgpack.pack(nil))", "return hex(cmsgpack.pack(tostring))", "return hex(cmsgpack.pack(coroutine.create(function() end)))",
		"return dump({cmsgpack.unpack(cmsgpack.pack(1, 'a', {2}, nil, true, false))})",
		"return tostring(select('#', cmsgpack.unpack(cmsgpack.pack(1, nil, 2))))",
		"return tostring(select('#', cmsgpack.unpack('')))",
		"return dump({cmsgpack._NAME, cmsgpack._VERSION, cmsgpack._COPYRIGHT, cmsgpack._DESCRIPTION})",
		"local n = 0 for k in pairs(cmsgpack) do n = n + 1 end return tostring(n)",
		// Argument errors.
		"local ok, e = pcall(cmsgpack.pack) return e", "return cmsgpack.pack()", "local p = cmsgpack.pack local x = p() return x",
		"local ok, e = pcall(cmsgpack.unpack) return e", "return cmsgpack.unpack({})", "return cmsgpack.unpack(nil)",
		"return dump({cmsgpack.unpack(123)})", "return dump({cmsgpack.unpack(1.5)})", "return dump({cmsgpack.unpack(-7)})",
		"return cmsgpack.unpack_one()", "return cmsgpack.unpack_one(nil, 'x')", "return cmsgpack.unpack_one('', {})",
		"return cmsgpack.unpack_limit('')", "return cmsgpack.unpack_limit('', 'x')", "return cmsgpack.unpack_limit('\\1', 1, {})",
		"return cmsgpack.unpack_limit(nil, 1)", "local ok, e = pcall(cmsgpack.unpack_limit, '\\1') return e",
	)
	for _, r := range raw {
		cs = append(cs,
			fmt.Sprintf("return dump({cmsgpack.unpack(string.char(%s))})", r),
			fmt.Sprintf("local ok, e = pcall(cmsgpack.unpack, string.char(%s)) return tostring(ok) .. ' ' .. dump(e)", r),
			fmt.Sprintf("return dump({cmsgpack.unpack_one(string.char(%s))})", r),
		)
	}
	// Offsets and limits over a stream of five values.
	stream := "cmsgpack.pack(1, 'abc', {1, 2}, nil, 300)"
	for _, off := range []string{"nil", "0", "1", "2", "5", "6", "9", "10", "12", "13", "14", "15", "-1", "2.7", "'3'", "2^40", "-2^40", "1e30", "0/0"} {
		cs = append(cs, fmt.Sprintf("return dump({cmsgpack.unpack_one(%s, %s)})", stream, off))
		for _, lim := range []string{"0", "1", "2", "5", "6", "100", "-1", "1.9", "'2'"} {
			cs = append(cs, fmt.Sprintf("return dump({cmsgpack.unpack_limit(%s, %s, %s)})", stream, lim, off))
		}
	}
	cs = append(cs,
		"local s = "+stream+" local out, off = {}, 0 while off ~= -1 do local v off, v = cmsgpack.unpack_one(s, off) out[#out + 1] = dump(v) .. '@' .. off end return table.concat(out, ' ')",
		"local s = "+stream+" local out, off = {}, 0 while off ~= -1 do local a, b off, a, b = cmsgpack.unpack_limit(s, 2, off) out[#out + 1] = dump(a) .. dump(b) .. '@' .. off end return table.concat(out, ' ')",
	)
	// Lua 5.1's 8000-slot stack limit on results and nesting.
	for _, n := range []int{7990, 7998, 7999, 8000, 9000} {
		cs = append(cs,
			fmt.Sprintf("local ok, e = pcall(cmsgpack.unpack, string.rep('\\1', %d)) return tostring(ok) .. ' ' .. tostring(e)", n),
			fmt.Sprintf("return tostring(select('#', cmsgpack.unpack(string.rep('\\1', %d))))", n),
			fmt.Sprintf("local ok, e = pcall(cmsgpack.unpack_limit, string.rep('\\1', %d), %d) return tostring(ok) .. ' ' .. tostring(e)", n, n),
			fmt.Sprintf("local ok, e = pcall(cmsgpack.unpack, string.rep('\\145', %d) .. '\\1') return tostring(ok) .. ' ' .. (type(e) == 'string' and e or type(e))", n/2),
			fmt.Sprintf("local ok, e = pcall(cmsgpack.unpack, string.rep('\\129\\1', %d) .. '\\1') return tostring(ok) .. ' ' .. (type(e) == 'string' and e or type(e))", n/2),
		)
	}
	cs = append(cs, "return tostring(select('#', cmsgpack.unpack(string.rep('\\1', 7990), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)))")
	return cs
}

func TestDifferential(t *testing.T) {
	n := difftest.Run(t, Open, diffCases())
	t.Logf("%d differential cases", n)
}

// genValue draws a Lua value that cmsgpack round-trips exactly: integers,
// floats, strings, booleans, arrays and string-keyed maps, nested.
func genValue(depth int) *rapid.Generator[lua.LValue] {
	return rapid.Custom(func(t *rapid.T) lua.LValue {
		kinds := 5
		if depth < 4 {
			kinds = 7
		}
		switch rapid.IntRange(0, kinds-1).Draw(t, "kind") {
		case 0:
			return lua.LNumber(rapid.Int64().Draw(t, "int"))
		case 1:
			return lua.LNumber(rapid.Float64().Draw(t, "float"))
		case 2:
			return lua.LString(rapid.String().Draw(t, "str"))
		case 3:
			return lua.LString(strings.Repeat("x", rapid.IntRange(0, 70000).Draw(t, "len")))
		case 4:
			return lua.LBool(rapid.Bool().Draw(t, "bool"))
		case 5:
			tb := &lua.LTable{}
			for i, n := 1, rapid.IntRange(0, 20).Draw(t, "n"); i <= n; i++ {
				tb.RawSetInt(i, genValue(depth+1).Draw(t, "elem"))
			}
			return tb
		default:
			tb := &lua.LTable{}
			for i, n := 0, rapid.IntRange(1, 20).Draw(t, "n"); i < n; i++ {
				tb.RawSetString("k"+rapid.StringN(0, 5, -1).Draw(t, "key"), genValue(depth+1).Draw(t, "val"))
			}
			return tb
		}
	})
}

// TestRoundTrip: unpack(pack(v...)) gives back v... in gopher-lua.
func TestRoundTrip(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	Open(L)
	tbl := L.GetGlobal("cmsgpack").(*lua.LTable)
	rapid.Check(t, func(t *rapid.T) {
		vals := rapid.SliceOfN(genValue(0), 1, 4).Draw(t, "vals")
		L.Push(tbl.RawGetString("pack"))
		for _, v := range vals {
			L.Push(v)
		}
		if err := L.PCall(len(vals), 1, nil); err != nil {
			t.Fatal(err)
		}
		packed := L.Get(-1)
		L.Pop(1)
		L.Push(tbl.RawGetString("unpack"))
		L.Push(packed)
		if err := L.PCall(1, lua.MultRet, nil); err != nil {
			t.Fatal(err)
		}
		if got := L.GetTop(); got != len(vals) {
			t.Fatalf("unpack returned %d values, want %d", got, len(vals))
		}
		for i, v := range vals {
			if !difftest.LuaEqual(v, L.Get(i+1)) {
				t.Fatalf("value %d: got %v, want %v", i, L.Get(i+1), v)
			}
		}
		L.SetTop(0)
	})
}
