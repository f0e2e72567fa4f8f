package luasyntax

import (
	"math/rand/v2"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// seedSnippets are valid Lua 5.1 programs the mutation test damages.
var seedSnippets = []string{
	"local t = {1, 2, x = 3, [4] = 'y'}\nfor i, v in ipairs(t) do\n  if v > 1 then break end\nend\nreturn t.x",
	"local function fib(n)\n  if n < 2 then return n end\n  return fib(n - 1) + fib(n - 2)\nend\nreturn fib(10)",
	"local s = 0\nfor i = 1, 10, 2 do s = s + i * 2 ^ 3 % 4 end\nwhile s > 0 do s = s - 1 end\nrepeat s = s + 1 until s >= 3\nreturn s",
	"local a, b = redis.call('get', KEYS[1]), ARGV[1]\nif not a then return nil elseif a == b then return 1 else return {a, b} end",
	"function M.f(self, ...)\n  local n = select('#', ...)\n  return n .. ':' .. #self\nend\nreturn M:f('x')",
	"local obj = {}\nfunction obj:get(k) return self[k] end\nobj.x = obj:get('y') or [[long\nstring]]\ndo local z = -obj.x end",
	"local f = function(a, b) return a and b or not a end\nlocal x = (f)(1, 2)\nx = f{1} .. f'x' .. f[[y]]\nreturn x ~= nil, x <= 2",
	"-- comment\nlocal x = 0x1F + 1e3 + .5 -- trailing\n--[[ long\ncomment ]]\nreturn x, \"a\\tb\\65\"",
	"local t = setmetatable({}, {__index = function(t, k) return k end})\nreturn t.a, t['b'], t[1][2]",
	"local i = 0\nlocal function inc() i = i + 1 return i end\ninc() inc()\nreturn i",
}

// tokenRE splits a snippet into rough tokens: the mutations need not
// agree with llex, only produce plausible damage.
var tokenRE = regexp.MustCompile(`\[\[(?s:.*?)\]\]|--\[\[(?s:.*?)\]\]|--[^\n]*|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|[A-Za-z_][A-Za-z0-9_]*|0x[0-9A-Fa-f]+|[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?|\.\.\.|\.\.|==|~=|<=|>=|\n|\s+|.`)

// extraTokens are inserted by the mutations, to reach every message.
var extraTokens = []string{
	"(", ")", "{", "}", "[", "]", "=", ",", ";", ":", ".", "..", "...", "+", "-", "#", "not", "and",
	"end", "do", "then", "else", "elseif", "if", "for", "in", "while", "repeat", "until", "function",
	"local", "return", "break", "nil", "true", "x", "goto", "::", "1", "0x", "1e", "3..4", "'s", "\"s",
	"'ok'", "[[", "]]", "[=[", "[==", "--[[", "\n", "\r", " ", "@", "$", "\x01", "\\300", "'\\300'", "f",
}

func mutate(r *rand.Rand, src string) string {
	toks := tokenRE.FindAllString(src, -1)
	for n := 1 + r.IntN(3); n > 0 && len(toks) > 0; n-- {
		i := r.IntN(len(toks))
		switch r.IntN(4) {
		case 0: // delete
			toks = append(toks[:i], toks[i+1:]...)
		case 1: // insert
			t := extraTokens[r.IntN(len(extraTokens))]
			toks = append(toks[:i], append([]string{" " + t + " "}, toks[i:]...)...)
		case 2: // duplicate
			toks = append(toks[:i], append([]string{toks[i]}, toks[i:]...)...)
		case 3: // replace
			toks[i] = extraTokens[r.IntN(len(extraTokens))]
		}
	}
	return strings.Join(toks, "")
}

func TestMutations(t *testing.T) {
	rdb := newOracleClient(t)
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("LUASYNTAX_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	r := rand.New(rand.NewPCG(seed, 0))
	const cases = 3000
	mismatches, compiled := 0, 0
	for i := range cases {
		src := mutate(r, seedSnippets[r.IntN(len(seedSnippets))])
		want := redisCompile(t, rdb, src)
		got := localCompile(src)
		if want == "" {
			compiled++
		}
		if got != want {
			mismatches++
			if mismatches <= 20 {
				t.Errorf("seed %d case %d: %q:\nredis: %q\nkeel:  %q", seed, i, src, want, got)
			}
		}
		if i%500 == 499 {
			rdb.ScriptFlush(t.Context())
		}
	}
	if mismatches > 0 {
		t.Errorf("seed %d (rerun with LUASYNTAX_SEED=%d): %d of %d mutations differ", seed, seed, mismatches, cases)
	}
	t.Logf("seed %d: %d mutations (%d compile), %d mismatches", seed, cases, compiled, mismatches)
}
