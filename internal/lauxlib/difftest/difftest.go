// Package difftest runs Lua snippets both in a real redis-server (EVAL) and
// in a gopher-lua state, and reports where the results differ. It is the
// differential harness of the Lua library packages' tests.
//
// Each case is the body of a Lua function. The harness wraps it so that it
// runs under pcall and the whole script returns one string: "ok " followed
// by tostring of the first result, or "err " followed by the error message.
// The wrapper and its helpers occupy line 1 with the case's first line, so
// positions in error messages ("user_script:1:") agree. Snippets should
// return strings: tostring of a non-integral number differs between Lua
// 5.1 ("%.14g") and gopher-lua. The helpers hex(s) (lower-case hex of a
// string) and dump(v) (a canonical rendering of any value: numbers as
// "%.17g", strings in hex, tables with sorted entries) are in scope.
package difftest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
	lua "github.com/yuin/gopher-lua"

	"github.com/keeldb/keel/internal/oracle"
)

// prelude defines hex and dump; it must stay on one line.
const prelude = `local function hex(s) return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end)) end ` +
	`local function num(v) if v ~= v then return 'nan' elseif v == 1/0 then return 'inf' elseif v == -1/0 then return '-inf' end return string.format('%.17g', v) end ` +
	`local function dump(v, depth) depth = depth or 0 local t = type(v) if t == 'number' then return num(v) elseif t == 'string' then return 's:' .. hex(v) ` +
	`elseif t == 'table' then if depth > 40 then return '{...}' end local parts = {} for k, x in pairs(v) do parts[#parts + 1] = '[' .. dump(k, depth + 1) .. ']=' .. dump(x, depth + 1) end table.sort(parts) return '{' .. table.concat(parts, ',') .. '}' ` +
	`else return tostring(v) end end ` +
	`local ok, r = pcall(function() `

const postlude = "\nend) if ok then return 'ok ' .. tostring(r) else return 'err ' .. tostring(r) end"

// Script is the full script a case runs as.
func Script(body string) string { return prelude + body + postlude }

// newState is the gopher-lua side: standard libraries, the library under
// test, and a registry large enough for Lua 5.1's 8000-value results.
func newState(open func(*lua.LState)) *lua.LState {
	L := lua.NewState(lua.Options{RegistrySize: 1024 * 20, RegistryMaxSize: 1024 * 80})
	open(L)
	return L
}

// Local runs a case in a fresh gopher-lua state prepared by open.
func Local(open func(*lua.LState), body string) string {
	L := newState(open)
	defer L.Close()
	return runIn(L, body)
}

// runIn runs a case in L. Cases only use locals, so one state can serve
// many of them.
func runIn(L *lua.LState, body string) string {
	defer L.SetTop(0)
	fn, err := L.Load(strings.NewReader(Script(body)), "user_script")
	if err != nil {
		return "compile error: " + err.Error()
	}
	L.Push(fn)
	if err := L.PCall(0, 1, nil); err != nil {
		return "uncaught: " + err.Error()
	}
	return L.ToString(-1)
}

// Run runs every case in Redis and locally and fails t for each mismatch.
// It returns the number of cases compared.
func Run(t *testing.T, open func(*lua.LState), cases []string) int {
	t.Helper()
	addr := oracle.Start(t)
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()
	ctx := context.Background()
	L := newState(open)
	defer L.Close()
	const batch = 256
	failures := 0
	for start := 0; start < len(cases); start += batch {
		end := min(start+batch, len(cases))
		pipe := rdb.Pipeline()
		cmds := make([]*redis.Cmd, 0, end-start)
		for _, c := range cases[start:end] {
			cmds = append(cmds, pipe.Eval(ctx, Script(c), nil))
		}
		_, _ = pipe.Exec(ctx) // per-command errors are inspected below
		for i, cmd := range cmds {
			body := cases[start+i]
			want, err := cmd.Text()
			if err != nil {
				want = "redis error: " + err.Error()
			}
			got := runIn(L, body)
			if got != want {
				failures++
				if failures <= 25 {
					t.Errorf("case %s\n redis: %s\n local: %s", shorten(body), shorten(want), shorten(got))
				}
			}
		}
	}
	if failures > 25 {
		t.Errorf("%d mismatches in all (first 25 shown)", failures)
	}
	return len(cases)
}

func shorten(s string) string {
	if len(s) > 400 {
		return fmt.Sprintf("%s...(%d bytes)", s[:400], len(s))
	}
	return s
}

// LuaEqual reports whether two Lua values are deeply equal: tables by
// their entries, NaN equal to NaN, anything else by value (null
// sentinels by identity). The libraries' round-trip property tests use it.
func LuaEqual(a, b lua.LValue) bool {
	ta, ok1 := a.(*lua.LTable)
	tb, ok2 := b.(*lua.LTable)
	if !ok1 || !ok2 {
		if x, ok := a.(lua.LNumber); ok && x != x {
			y, ok := b.(lua.LNumber)
			return ok && y != y
		}
		return a == b
	}
	n := 0
	same := true
	ta.ForEach(func(k, v lua.LValue) {
		n++
		if !LuaEqual(v, tb.RawGet(k)) {
			same = false
		}
	})
	tb.ForEach(func(lua.LValue, lua.LValue) { n-- })
	return same && n == 0
}
