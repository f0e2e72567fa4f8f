package luacjson

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/keeldb/keel/internal/lauxlib"
	"github.com/keeldb/keel/internal/oracle"
	"github.com/redis/go-redis/v9"
	lua "github.com/yuin/gopher-lua"
)

// prelude is prepended to every differential snippet. canon renders any
// value deterministically (sorted keys, exact numbers) so results can be
// compared although object member order differs; show renders several
// values, P renders the results of a pcall.
const prelude = `
local function canon(v)
  local t = type(v)
  if t == 'table' then
    local keys = {}
    for k in pairs(v) do keys[#keys+1] = k end
    table.sort(keys, function(a, b)
      local ta, tb = type(a), type(b)
      if ta ~= tb then return ta < tb end
      if ta == 'number' or ta == 'string' then return a < b end
      return tostring(a) < tostring(b)
    end)
    local parts = {}
    for _, k in ipairs(keys) do parts[#parts+1] = canon(k) .. '=' .. canon(v[k]) end
    return '{' .. table.concat(parts, ',') .. '}'
  elseif t == 'number' then
    if v ~= v then return 'nan' end
    if v == 1/0 then return 'inf' end
    if v == -1/0 then return '-inf' end
    return 'n' .. string.format('%.17g', v)
  elseif t == 'string' then
    return 's' .. #v .. ':' .. v
  elseif v == cjson.null then
    return 'null'
  end
  return t .. ':' .. tostring(v)
end
local function show(...)
  local out = {}
  for i = 1, select('#', ...) do out[i] = canon((select(i, ...))) end
  return table.concat(out, ' | ')
end
local function P(f, ...) return show(pcall(f, ...)) end
local function RT(v) return canon(cjson.decode(cjson.encode(v))) end
`

// luaQuote renders s as a Lua 5.1 string literal that survives any bytes.
func luaQuote(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '\'' && c != '\\' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "\\%03d", c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

func runGopher(t *testing.T, snippet string) (string, error) {
	t.Helper()
	L := lua.NewState()
	defer L.Close()
	Open(L)
	// Redis names its chunk "@user_script": positions read "user_script:N:".
	fn, err := L.Load(strings.NewReader(prelude+snippet), "user_script")
	if err != nil {
		return "", err
	}
	L.Push(fn)
	if err := L.PCall(0, 1, nil); err != nil {
		return "", err
	}
	v, ok := L.Get(-1).(lua.LString)
	if !ok {
		return "", fmt.Errorf("snippet returned %s, not a string", L.Get(-1).Type())
	}
	return string(v), nil
}

func differentialCases() []string {
	var c []string
	add := func(s ...string) { c = append(c, s...) }

	// Module fields and types.
	add(
		`return show(cjson._NAME, cjson._VERSION, type(cjson.null), tostring(cjson.null))`,
		`return show(cjson.new().null == cjson.null, type(cjson.new), cjson.new()._VERSION)`,
		`return show(cjson.decode('null') == cjson.null, cjson.decode('[null]')[1] == cjson.null)`,
	)

	// Every encodable type, and the unsupported ones.
	add(
		`return cjson.encode(nil)`, `return cjson.encode(true)`, `return cjson.encode(false)`,
		`return cjson.encode(cjson.null)`, `return cjson.encode({})`, `return cjson.encode('')`,
		`return cjson.encode(42)`, `return cjson.encode({{}, {{}}, {a={}}})`,
		`return P(cjson.encode, tostring)`,
		`return P(cjson.encode, coroutine.create(function() end))`,
		`return P(cjson.encode, {1, 2, tostring})`,
		`return P(cjson.encode, {a = coroutine.create(function() end)})`,
		`return cjson.encode({cjson.null, true, false, 'x', 1.5})`,
		`return cjson.encode({a = {b = {c = {1, {d = 'e'}}}}})`,
		`return RT({a = 1, b = {1, 2, 3}, c = {d = cjson.null, e = false}, f = 'g'})`,
		`return cjson.encode('h\195\169llo \226\130\172 \240\159\152\128')`,
		`return cjson.encode('a/b"c\\d')`,
	)
	// Escapes of every byte, one by one and all in one string.
	add(
		`local t = {} for i = 0, 255 do t[#t+1] = cjson.encode(string.char(i)) end return table.concat(t, ' ')`,
		`local t = {} for i = 0, 255 do t[#t+1] = string.char(i) end return cjson.encode(table.concat(t))`,
		`local t = {} for i = 0, 255 do t[#t+1] = string.char(i) end local s = table.concat(t) return show(cjson.decode(cjson.encode(s)) == s)`,
		`local t = {} for i = 0, 255 do t[string.char(i)] = i end return RT(t)`,
	)

	// Numbers.
	nums := []string{"0", "1", "-1", "42", "2^31", "2^53", "2^53+1", "2^63", "2^64", "1e14", "1e15", "1e16",
		"123456789012345", "12345678901234", "1e20", "1e21", "0.1", "0.5", "1/3", "-1/3", "2/3", "1e300", "-1e300",
		"1e-300", "1e-5", "1e-4", "0.0001234", "0.00001234", "123.456", "99999999999999.5", "999999999999995",
		"3.14159265358979", "math.pi", "-math.pi", "1.7976931348623157e308", "4.9e-324", "2.2250738585072014e-308",
		"100", "1e5", "123456", "1234567", "0.30000000000000004", "-2.5", "2.5", "0.125", "1e-320", "5e-324*3"}
	add(`return cjson.encode({` + strings.Join(nums, ", ") + `})`)
	add(`local z = 0 return cjson.encode({-z, z})`)
	for p := 1; p <= 14; p++ {
		add(fmt.Sprintf(`local c = cjson.new() local r = c.encode_number_precision(%d) return r .. ' ' .. c.encode({%s})`, p, strings.Join(nums, ", ")))
		add(fmt.Sprintf(`local c = cjson.new() c.encode_number_precision(%d) return c.encode({[math.pi] = 1})`, p))
	}
	// Invalid numbers under each encode_invalid_numbers setting, as values and keys.
	for _, set := range []string{"", "false", "true", "'off'", "'on'", "'null'"} {
		cfg := "local c = cjson.new() "
		if set != "" {
			cfg += "local r = c.encode_invalid_numbers(" + set + ") "
		} else {
			cfg += "local r = c.encode_invalid_numbers() "
		}
		for _, v := range []string{"1/0", "-1/0", "0/0", "{1, 1/0}", "{a = 0/0}", "{[1/0] = 1}", "{[-1/0] = 'x'}", "1.5"} {
			add(cfg + "return show(r, pcall(c.encode, " + v + "))")
		}
	}
	add(`return P(cjson.encode_invalid_numbers, 'foo')`, `return P(cjson.encode_invalid_numbers, 1)`,
		`return P(cjson.encode_invalid_numbers, {})`, `return P(cjson.encode_invalid_numbers, true, 1)`,
		`local c = cjson.new() return show(c.encode_invalid_numbers('on'), c.encode_invalid_numbers())`)

	// Arrays, sparse arrays and mixed tables.
	tables := []string{
		"{1, 2, 3}", "{[1] = 1, [2] = 2, [4] = 4}", "{[10] = 'x'}", "{[11] = 'x'}", "{[1] = 1, [3] = 3}",
		"{[2] = 2}", "{[3] = 3}", "{[1] = 1, [5] = 5, [9] = 9, [20] = 20}", "{[20] = 1, [1] = 1, [2] = 2, [3] = 3, [4] = 4, [5] = 5, [6] = 6, [7] = 7, [8] = 8, [9] = 9, [10] = 10}",
		"{[0] = 'z'}", "{[-1] = 'm'}", "{[1.5] = 'h'}", "{[2^31] = 1}", "{[2^40] = 1}", "{1, 2, [2^40] = 3}",
		"{1, nil, 3}", "{nil, nil, 3}", "{n = 1}", "{1, 2, a = 3}", "{[1] = 1, ['2'] = 2}",
		"{['1'] = 1}", "{[1e100] = 1}", "{[100] = 1}",
	}
	sparse := []string{"", "true", "false", "'on'", "'off'", "false, 0", "false, 1", "false, 1, 0", "false, 3", "true, 1, 0", "false, 2, 0", "nil, nil, 20", "true, 0, 0"}
	for _, s := range sparse {
		for _, tb := range tables {
			add(fmt.Sprintf(`local c = cjson.new() local r = show(c.encode_sparse_array(%s)) local ok, e = pcall(c.encode, %s) if ok and e:sub(1, 1) == '{' then e = canon(cjson.decode(e)) end return r .. ' / ' .. tostring(ok) .. ' ' .. e`, s, tb))
		}
	}
	add(
		`return P(cjson.encode_sparse_array, 'x')`, `return P(cjson.encode_sparse_array, 1)`,
		`return P(cjson.encode_sparse_array, true, -1)`, `return P(cjson.encode_sparse_array, true, 'a')`,
		`return P(cjson.encode_sparse_array, true, 2, -5)`, `return P(cjson.encode_sparse_array, true, 2, 3, 4)`,
		`local c = cjson.new() pcall(c.encode_sparse_array, true, 5, -1) return show(c.encode_sparse_array())`,
		`local c = cjson.new() return show(c.encode_sparse_array(nil, '7', 2.9))`,
		`local c = cjson.new() return P(c.encode_sparse_array, true, 2^31, 1)`,
		`local c = cjson.new() return show(c.encode_sparse_array(true, 2^32 + 5, 1))`,
	)
	// Key types.
	for _, tb := range []string{"{[true] = 1}", "{[false] = 1}", "{[{}] = 1}", "{[tostring] = 1}", "{a = 1, [true] = 2}", "{[coroutine.create(function() end)] = 1}"} {
		add(`return P(cjson.encode, ` + tb + `)`)
	}

	// Nesting depth.
	nest := func(n int, open string) string {
		return fmt.Sprintf(`local t = {} local cur = t for i = 2, %d do local n = {} cur[%s] = n cur = n end`, n, open)
	}
	for _, n := range []int{999, 1000, 1001, 1500} {
		add(nest(n, "1")+` local ok, e = pcall(cjson.encode, t) return tostring(ok) .. ' ' .. #e .. ' ' .. e:sub(1, 60)`,
			nest(n, "'k'")+` local ok, e = pcall(cjson.encode, t) return tostring(ok) .. ' ' .. #e .. ' ' .. e:sub(1, 60)`)
		add(fmt.Sprintf(`local ok, e = pcall(cjson.decode, string.rep('[', %d) .. string.rep(']', %d)) return tostring(ok) .. ' ' .. (ok and 'table' or e)`, n, n))
		add(fmt.Sprintf(`local ok, e = pcall(cjson.decode, string.rep('{"a":', %d) .. '1' .. string.rep('}', %d)) return tostring(ok) .. ' ' .. (ok and 'table' or e)`, n, n))
		add(fmt.Sprintf(`local ok, e = pcall(cjson.decode, string.rep('[{"a":', %d) .. '1' .. string.rep('}]', %d)) return tostring(ok) .. ' ' .. (ok and 'table' or e)`, n, n))
	}
	add(
		`local c = cjson.new() local r = c.encode_max_depth(3) return show(r, pcall(c.encode, {{{1}}}))`,
		`local c = cjson.new() c.encode_max_depth(3) return show(pcall(c.encode, {{{{1}}}}))`,
		`local c = cjson.new() c.encode_max_depth(1) return show(pcall(c.encode, {a = {}}))`,
		`local c = cjson.new() local r = c.decode_max_depth(2) return show(r, pcall(c.decode, '[[1]]'))`,
		`local c = cjson.new() c.decode_max_depth(2) return show(pcall(c.decode, '  [ [ [1]]]'))`,
		`local c = cjson.new() c.decode_max_depth(1) return show(pcall(c.decode, '{"a": {"b": 1}}'))`,
		`local c = cjson.new() c.decode_max_depth(1) return show(pcall(c.decode, '"abc"'))`,
		`return P(cjson.encode_max_depth, 0)`, `return P(cjson.decode_max_depth, -1)`,
		`return P(cjson.decode_max_depth, 2^31)`, `return P(cjson.encode_max_depth, 'x')`,
		`return P(cjson.encode_max_depth, 1, 2)`, `local c = cjson.new() return show(c.decode_max_depth('0x10'), c.encode_max_depth(' 12 '))`,
		`local c = cjson.new() return show(c.encode_max_depth(nil), c.decode_max_depth())`,
		// Lua's C stack (LUAI_MAXCSTACK) limits nesting once the depth limits are lifted.
		`local c = cjson.new() c.decode_max_depth(100000) return P(c.decode, string.rep('[', 9000))`,
		`local c = cjson.new() c.decode_max_depth(100000) return P(c.decode, string.rep('{"k":', 9000))`,
		`local c = cjson.new() c.decode_max_depth(100000) return P(c.decode, string.rep('[{"k":', 9000))`,
		`local c = cjson.new() c.encode_max_depth(100000) `+nest(9000, "1")+` local ok, e = pcall(c.encode, t) return tostring(ok) .. ' ' .. e:sub(1, 80)`,
		`local c = cjson.new() c.encode_max_depth(100000) `+nest(9000, "'k'")+` local ok, e = pcall(c.encode, t) return tostring(ok) .. ' ' .. e:sub(1, 80)`,
	)

	// encode_number_precision and encode_keep_buffer settings.
	add(
		`local c = cjson.new() return show(c.encode_number_precision(), c.encode_keep_buffer())`,
		`return P(cjson.encode_number_precision, 0)`, `return P(cjson.encode_number_precision, 15)`,
		`return P(cjson.encode_number_precision, 'a')`, `return P(cjson.encode_number_precision, {})`,
		`local c = cjson.new() return show(c.encode_number_precision('5'), c.encode({1/3}))`,
		`local c = cjson.new() return show(c.encode_number_precision(3.9), c.encode({1/3}))`,
		`local c = cjson.new() return show(c.encode_keep_buffer(false), c.encode({1}), c.encode_keep_buffer('on'), c.encode_keep_buffer('off'), c.encode({2}))`,
		`return P(cjson.encode_keep_buffer, 1)`, `return P(cjson.encode_keep_buffer, 'yes')`,
		`return P(cjson.encode_keep_buffer, true, true)`,
		`local c = cjson.new() return show(c.decode_invalid_numbers(), c.decode_invalid_numbers(false), c.decode_invalid_numbers('on'))`,
		`return P(cjson.decode_invalid_numbers, 'null')`, `return P(cjson.decode_invalid_numbers, 0)`,
	)

	// cjson.new independence (and global settings, reset by SCRIPT FLUSH).
	add(
		`local c = cjson.new() c.encode_sparse_array(true, 3, 4) c.encode_number_precision(3) c.decode_max_depth(7) return show(cjson.encode_sparse_array()) .. ' / ' .. show(c.encode_sparse_array()) .. ' ' .. cjson.encode({1/3}) .. c.encode({1/3}) .. show(cjson.decode_max_depth(), c.decode_max_depth())`,
		`local c = cjson.new() local d = c.new() c.encode_number_precision(2) return c.encode({1/3}) .. d.encode({1/3}) .. cjson.encode({1/3})`,
		`cjson.encode_number_precision(4) return cjson.encode({1/3}) .. cjson.new().encode({1/3})`,
		`cjson.encode_invalid_numbers(true) return cjson.encode({1/0, -1/0})`,
		`local c = cjson.new() return canon(c.decode('[1, null, {"a": null}]')) .. show(c.decode('null') == cjson.null)`,
	)

	// Argument checking.
	add(
		`return P(cjson.encode)`, `return P(cjson.encode, 1, 2)`, `return P(cjson.decode)`,
		`return P(cjson.decode, 'a', 'b')`, `return P(cjson.decode, {})`, `return P(cjson.decode, nil)`,
		`return P(cjson.decode, true)`, `return P(cjson.decode, 123)`, `return P(cjson.decode, 1.5)`,
		`return P(cjson.decode, 1e300)`, `return P(cjson.decode, -1/0)`,
		`return P(function() local r = cjson.encode() return r end)`,
		`return P(function() local r = cjson.decode({}) return r end)`,
		`return P(function() local r = cjson.encode_max_depth(0) return r end)`,
		`return P(function() local r = cjson.encode_sparse_array(true, 1, 2, 3) return r end)`,
		`return P(function() local r = cjson.encode_invalid_numbers('bad') return r end)`,
		`return P(function() local enc = cjson.encode local r = enc(1, 2) return r end)`,
	)

	// Decoding valid documents.
	valid := []string{
		`1`, ` 1 `, "\t\r\n 1\n", `-1`, `0`, `-0`, `1.5`, `1e5`, `1E-5`, `1e+5`, `123456789012345678901234567890`,
		`1.7976931348623157e308`, `1e400`, `-1e400`, `1e-400`, `4.9e-324`, `0.1`, `"abc"`, `""`, `true`, `false`, `null`,
		`[]`, `{}`, `[1,2,3]`, ` [ 1 , 2 , 3 ] `, `{"a":1}`, `{"a":1,"b":[1,2,{"c":null}],"d":{}}`, `[[],[[]],{}]`,
		`{"a":1,"a":2}`, `{"1":"x","2":"y"}`, `[null,null]`, `[1,null,3]`, `{"":""}`,
		`"\"\\\/\b\f\n\r\t"`, `"\u0041\u00e9\u20ac\ud83d\ude00\u0000x"`, `"\u00E9\uD83D\uDE00"`, `"\u007f\u0080\u07ff\u0800\uffff"`,
		`"\udbff\udfff"`, `"h\u00e9llo"`, "\"raw \xc3\xa9 \xff bytes\"", "\"tab\tinside\"", "\"nl\ninside\"",
		`[1]` + "\x00" + `junk`, `"ab` + "\x00" + `"`, `0x10`, `0X1p4`, `-0x10`, `0x.8`, `0xFF.8p1`, `+1`, `01`, `-01`,
		`inf`, `-inf`, `Infinity`, `-Infinity`, `INF`, `nan`, `NaN`, `-nan`, `nan(123)`, `nan(abc_1)`, `nan(`,
		`1.`, `1.e5`, `-.5`, `[1e5,2E5]`, `[0x1p-2]`, `{"a":inf}`, `[nan,+2]`, `1e`, `1e+`, `0x`, `0xg`, `0x1p`, `00`,
		`[-0, 0]`, `1.0000000000000002`, `9007199254740993`, `0.30000000000000004`, `2.2250738585072011e-308`,
	}
	for _, d := range valid {
		add(`return P(cjson.decode, ` + luaQuote(d) + `)`)
		add(`local c = cjson.new() c.decode_invalid_numbers(false) return P(c.decode, ` + luaQuote(d) + `)`)
	}
	// Decoding invalid documents: each error path and position.
	invalid := []string{
		``, ` `, "\n\t", `{`, `}`, `[`, `]`, `[1,]`, `[1 2]`, `[1,,2]`, `[,]`, `{,}`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{1:2}`,
		`{"a" 1}`, `{"a":1 "b":2}`, `{"a":1:2}`, `{"a":1]`, `[1}`, `"abc`, `"\x"`, `"\`, `"\u12"`, `"\u12G4"`, `"\ud800"`,
		`"\ud800\u0041"`, `"\udc00"`, `"\ud800x"`, `"\ud800\ud800"`, `"\ud800\u"`, `"\ud800\`, `"\u"`, `[1]x`, `[1] [2]`,
		`true false`, "\x00", "a\x00", "\x00a", "1\x00", `:`, `,`, `nulll`, `truee`, `tru`, `fals`, `nul`, `True`, `FALSE`,
		`Null`, `undefined`, `'a'`, `.5`, `-`, `+`, `-a`, `+a`, `--1`, `- 1`, `infinit`, `in`, `na`, `[.5]`, `{"a":.5}`,
		"\f1", "\v1", `[1, 2, 3`, `{"a": [1, 2}`, `[{"a": 1]`, `"abc"x`, `123abc`, `1.5.5`, `[1e]`, `{"a":tru}`,
		"\xef\xbb\xbf1", `{"a":1}}`, `[[]]]`, `/* c */ 1`, `[0x]`, `"\u00e9`, "\"\x01\"",
	}
	for _, d := range invalid {
		add(`return P(cjson.decode, ` + luaQuote(d) + `)`)
		add(`local c = cjson.new() c.decode_invalid_numbers(false) return P(c.decode, ` + luaQuote(d) + `)`)
	}
	// Round trips through both implementations.
	add(
		`return RT({1, 'two', {three = 3}, {4, {5}}, cjson.null, false})`,
		`return cjson.encode(cjson.decode('[1,2.5,-3e-7,"x\\/y",{"k":[true,false,null]}]'))`,
		`return cjson.encode(cjson.decode('"\\u00e9\\ud83d\\ude00\\u0000\\u001f\\u007f\\u2028"'))`,
	)
	return c
}

func TestDifferential(t *testing.T) {
	addr := oracle.Start(t)
	rdb := redis.NewClient(&redis.Options{Addr: addr, ReadTimeout: 10 * time.Second})
	defer rdb.Close()
	ctx := context.Background()
	cases := differentialCases()
	fails := 0
	for i, snippet := range cases {
		// Lua state (and with it the global cjson's settings) is recreated
		// by SCRIPT FLUSH, so no case sees another's configuration.
		if touchesGlobalConfig.MatchString(snippet) {
			if err := rdb.ScriptFlush(ctx).Err(); err != nil {
				t.Fatal(err)
			}
		}
		want, err := rdb.Eval(ctx, prelude+snippet, nil).Text()
		if err != nil {
			t.Errorf("case %d: redis: %v\n%s", i, err, snippet)
			continue
		}
		got, err := runGopher(t, snippet)
		if err != nil {
			t.Errorf("case %d: gopher-lua: %v\n%s", i, err, snippet)
			continue
		}
		if got != want {
			fails++
			if fails <= 40 {
				t.Errorf("case %d differs\nsnippet: %s\nredis:  %q\ngopher: %q", i, snippet, trunc(want), trunc(got))
			}
		}
	}
	t.Logf("%d differential cases, %d differ", len(cases), fails)
}

// touchesGlobalConfig spots snippets that may change the global cjson's
// settings in Redis's long-lived Lua state.
var touchesGlobalConfig = regexp.MustCompile(`cjson\.(encode|decode)_`)

func trunc(s string) string {
	if len(s) > 600 {
		return s[:600] + "..."
	}
	return s
}

// TestFormatG pins formatG against known C tostringf output.
func TestFormatG(t *testing.T) {
	for _, tc := range []struct {
		x    float64
		prec int
		want string
	}{
		{1e20, 14, "1e+20"}, {0.1, 14, "0.1"}, {123456789012345, 14, "1.2345678901234e+14"},
		{math.Copysign(0, -1), 14, "-0"}, {math.Inf(1), 14, "inf"}, {math.Inf(-1), 14, "-inf"},
		{100, 1, "1e+02"}, {0.0001, 14, "0.0001"}, {0.00001, 14, "1e-05"}, {1e300, 14, "1e+300"},
		{99999.5, 5, "1e+05"}, {2.5, 1, "2"}, {1.0 / 3, 17, "0.33333333333333331"}, {5e-324, 14, "4.9406564584125e-324"},
	} {
		if got := lauxlib.FormatG(tc.x, tc.prec); got != tc.want {
			t.Errorf("lauxlib.FormatG(%v, %d) = %q, want %q", tc.x, tc.prec, got, tc.want)
		}
	}
}
