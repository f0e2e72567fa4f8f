package lua

import (
	"context"
	"errors"
)

// NumberToString, when set, turns a number into a string wherever Lua
// does (LNumber.String: concatenation, table.concat, string functions
// given a number, LVAsString). keel's patch to gopher-lua v1.1.2 (see
// README.keel.md): Lua 5.1 formats numbers with "%.14g" (1e+14, 0.3,
// -nan), gopher-lua with Go's shortest form (100000000000000,
// 0.30000000000000004, NaN), and Redis scripts are Lua 5.1. Set it
// before any state runs; it is read without synchronization.
var NumberToString func(float64) string

// StringToNumber, when set, converts a string to a number wherever Lua
// does (number literals, arithmetic on strings, LVAsNumber, ...): ok is
// false when it is not one. keel's patch: Lua 5.1's luaO_str2d (strtod:
// hex floats, inf and nan spellings, an out-of-range literal is inf),
// where gopher-lua used Go's ParseInt and ParseFloat (0b101 and 1_000 were
// numbers, 1e309 was NaN, 0x1p4 none). Set it before any state runs.
var StringToNumber func(string) (float64, bool)

var errNotANumber = errors.New("not a number")

// ThreadContexter is a state's context that gives its threads
// (coroutines) their context: keel's patch, so that a context whose Done
// is an instruction hook stays the hook inside coroutines (NewThread made
// each thread a child context of its own).
type ThreadContexter interface {
	ThreadContext() (context.Context, context.CancelFunc)
}
