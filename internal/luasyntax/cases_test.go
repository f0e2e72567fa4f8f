package luasyntax

import "strings"

// malformedCases are scripts Lua 5.1 refuses, one or more per message of
// llex.c and lparser.c.
var malformedCases = []string{
	// unexpected symbol
	"return (", "return 1 +", "\nlocal x = = 1", "::lbl::", "x = }", "return )", "local x = ,", "return *1",
	"f(,)", "return {,}", "@", "return $", "x = 1 = 2", "return #", "return not", "return -", "if then end",
	"return \x01", "\x7f", "return \x80", "x = \x1b", "return [=", "= 1", ". x = 1", "return a..", "return a or",
	"return {[1}", "return f(1,)", "return function", "local x <const> = 1", "x = 1 // 2", "x = 1 & 2",
	"return 1 ~ 2", "x = ~1", "return !x",
	// '%s' expected and check_match
	"for i=1 do end", "if x then", "return 1 2", "local function() end", "a.b:c = 1", "local t = {1,2",
	"goto x", "if x then else", "while true do", "do", "do x = 1", "for i = 1, 2 do", "repeat x = 1",
	"repeat", "function f()", "function f(a, b", "function f(a b) end", "function f end", "local t = {\n1,\n2",
	"if x\nthen\nelse\n", "while x\ndo\n", "f(\n1,\n2", "x = (\n1\n", "return t[1", "return t[\n1\n",
	"local = 1", "local 1 = 2", "function 1() end", "function a.1() end", "function a:b.c() end",
	"return a.1", "return a:1", "return a:b", "return a:b.c", "x = a.b:c", "local function f\n() end end",
	"if x then return 1 x = 2 end", "return return", "break", "while true do break x = 1 end",
	"for i in x", "for i, j in x do", "for i, 1 in x do end", "for 1 = 1, 2 do end", "for i in do end",
	"for i = 1, 2, 3, 4 do end", "if x then elseif then end", "if x then elseif y end", "local x, = 1",
	"return {a = }", "return {a = 1 b = 2}", "return {[1] 2}", "local t = {f\n(1)", "x, y",
	"f() g() h(", "return 1;;", "return;;", "return 1 end", "end", "until x", "else", "elseif x then",
	"x = 1 end", "local function f() end end", "do end end", ";", "local a <= b", "x = 1;;", "for i=1,2\ndo x = 1\n",
	"while x do\nx = 1\nrepeat\nuntil", "if a then\nif b then\nend\n",
	// ambiguous syntax
	"f\n(1)", "local x = f\n(g)()", "x = a.b\n(1)", "x = (f)\n(1)", "f\r(1)", "f\r\n(1)\nx(",
	// cannot use '...'
	"function f() return ... end", "local f = function(a) return {...} end", "function f(a) local t = ... end",
	"function f(...) return function() return ... end end",
	// no loop to break
	"if x then break end", "do break end", "function f() break end", "while true do local f = function() break end end",
	"break\n", "repeat local function g() break end until true",
	// function arguments expected
	"a:b = 1", "a:b.c()", "return a:b + 1", "x = a:b", "local y = t:m[1]",
	// '=' or 'in' expected
	"for i do end", "for i; do end", "for i = 1 in x do end", "for x.y = 1, 2 do end", "for i\n",
	// syntax error (assignment to a non-variable)
	"(a) = 1", "f() = 1", "a, f() = 1, 2", "a.b, (c) = 1, 2", "x:y() = 1", "1 = 2", "'s' = 1", "f'x' = 1",
	"(f()) = 1", "a, b", "a", "a.b", "a[1]", "(a)", "(f())",
	// lexer errors
	"return 'abc", "return \"abc", "return 'abc\ndef'", "return \"a\\\"", "return 'a\\\nb", "return [[x",
	"return [==[x]]", "return [==[x]=]", "--[[ x", "--[==[ x ]]", "x = 1 --[[\n\n", "return [==x", "return [=x",
	"return [===", "return 0x", "x = 1e", "x = 1e+", "x = 1..2", "x = 1.2.3", "x = 3x", "x = 0x1p", "x = 0xg",
	"x = 1.5e-", "x = 12abc", "x = 0x.8", "x = .5e", "return 1_000", "return \"ab\\300\"", "return '\\256'",
	"return '\\999'", "return '\\0", "return 'a\\\r\nb\n", "return \"a\x00b\" x", "return 'a\\\n\rb\rc",
	"x = 1e309e", "return 'a\rb'", "return [[a\r\nb\n\rc", "x = 1 -- comment\ny = 'z",
	"return [[\na]] .. 'b", "return \"\\q\" .. 'x", "return 1 .. 2 ..",
	// long brackets: Redis's Lua has no LUA_COMPAT_LSTR, so these are fine
	// or fail for other reasons
	"return [[a [[ b]] ]]", "--[[ [[ ]] ]] x",
	// line counting
	"\n\n\nreturn (", "\r\rreturn (", "\r\n\r\nreturn (", "\n\r\n\rreturn (", "\n\n\r\rreturn (",
	"x = 1\r\ny = \r\n", "local s = [[\n\n\n]] return (", "local s = 'a\\\n\\\n' return (",
	"-- c\n-- d\nreturn (", "--[[\n\n]] return (", "return {\n\n1\n\n",
	// shebang (blanked by the caller): line numbers continue
	"#!lua\nreturn (", "#!lua flags=no-writes\n\nx = ",
	// NUL bytes
	"x = .\x00", "return \x00", "return 1\x00 2",
}

// validCases are scripts Lua 5.1 compiles.
var validCases = []string{
	"return 1", "", "return", "return\n", "return 'x\\1000'", "return 1\x00", "return 1\x00\x00 + 2", "return a .\x00 b", "return;", "local x = 1 return x", "x = 1; y = 2;",
	"return [[a [[ b]]", "--[[ [[ ]] return 1", "return [==[ ]] ]=] ]==]", "return 0x1p4", "return 0x10",
	"return 1e10, .5, 3., 1E-3, 0XfF", "return 'a\\\nb', \"\\65\\066\\0677\"", "return '\\255'",
	"local t = {1, 2, 3; a = 1, [2] = 3, f = function() end,}", "f{1} f'x' f[[y]] f\"z\"",
	"local t = {f\n(1)}", "f(\n1)", "a.b.c = 1 a[1], b.c = 2, 3", "a:b() a.b:c'x' a:b{1}",
	"for i = 1, 10 do if i > 5 then break end end", "for k, v in pairs({}) do end",
	"while true do break end", "repeat local x = 1 until x", "do local x end",
	"if a then elseif b then else end", "local function f(...) return ..., arg end",
	"function a.b.c:d(x, y, ...) return self end", "return function(...) return select('#', ...) end",
	"return not not nil, -(-1), #'abc', 2^3^2, 1 .. 2 .. 3", "return 1 < 2 and 2 <= 3 or 3 ~= 4 == (5 >= 6)",
	"goto = 1 return goto", "local goto = 2", "return (...)", "return ...",
	"x = 1 -- comment", "x = 1 --[==[ long\ncomment ]==] y = 2", "#!lua\nreturn 1",
	"return \"\\a\\b\\f\\n\\r\\t\\v\\\\\\\"\\'\"", "return 1 --", "return 1 --[", "return 1 --[=",
	"local a, b, c = f() return a", "return {...}", "local x = {} x.y = x",
	"return 1.5e+3, 0x7fffffff", "return 12 .. 34", "local s = 'a\\z'", "return {[[x]]}",
	"f()\n;(g)()", "local f = f\n;(f)()", "return a.b.c.d.e[1][2]:f()", "return (f())",
	"x, y = y, x", "local _ = 1", "return _G", "return 0x", // the last one is not valid; overwritten below
}

func init() {
	validCases = validCases[:len(validCases)-1]
	malformedCases = append(malformedCases, limitCases()...)
	validCases = append(validCases, limitValidCases()...)
}

// names returns n distinct local names.
func names(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = prefix + strings.Repeat("x", i/26) + string(rune('a'+i%26))
	}
	return out
}

// limitCases are scripts that exceed the parser's limits.
func limitCases() []string {
	return []string{
		"local " + strings.Join(names("v", 201), ", "),
		strings.Repeat("local a\n", 201),
		"local " + strings.Join(names("v", 199), ", ") + "\nfor i = 1, 2 do end",
		"local " + strings.Join(names("v", 196), ", ") + "\nfor k, v in x do end",
		"local " + strings.Join(names("v", 199), ", ") + "\nlocal function f(...) local " + strings.Join(names("w", 200), ",") + " end",
		"x = 1\nfunction f(...)\nlocal " + strings.Join(names("v", 200), ", ") + "\nend",
		"function f(self)\n local " + strings.Join(names("v", 200), ",") + " end",
		"function t:m()\n local " + strings.Join(names("v", 200), ",") + " end",
		"local " + strings.Join(names("u", 61), ", ") + "\nreturn function()\nreturn " + strings.Join(names("u", 61), " + ") + " end",
		"local " + strings.Join(names("u", 61), ", ") + "\nlocal function f() local function g()\nreturn " + strings.Join(names("u", 61), " + ") + " end end",
		strings.Join(names("g", 201), ", ") + " = 1",
		"function f()\n" + strings.Join(names("g", 200), ", ") + " = 1 end",
		"return " + strings.Repeat("(", 199) + "1" + strings.Repeat(")", 199),
		"return " + strings.Repeat("{", 200) + strings.Repeat("}", 200),
		"return " + strings.Repeat("- ", 199) + "1",
		"return 1" + strings.Repeat(" .. 1", 199),
		"return 1" + strings.Repeat(" ^ 1", 199),
		strings.Repeat("do ", 200) + strings.Repeat("end ", 200),
		strings.Repeat("if x then ", 100) + strings.Repeat("end ", 100) + " return (",
		strings.Repeat("f(function() ", 100) + strings.Repeat("end) ", 100),
	}
}

// limitValidCases are scripts at the parser's limits.
func limitValidCases() []string {
	return []string{
		"local " + strings.Join(names("v", 200), ", "),
		strings.Repeat("do local a end\n", 300),
		"local " + strings.Join(names("u", 60), ", ") + "\nreturn function()\nreturn " + strings.Join(names("u", 60), " + ") + " end",
		strings.Join(names("g", 199), ", ") + " = 1",
		"return " + strings.Repeat("(", 198) + "1" + strings.Repeat(")", 198),
		"return 1" + strings.Repeat(" + 1", 300),
		strings.Repeat("do ", 198) + strings.Repeat("end ", 198),
	}
}
