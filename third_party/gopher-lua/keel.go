package lua

// NumberToString, when set, turns a number into a string wherever Lua
// does (LNumber.String: concatenation, table.concat, string functions
// given a number, LVAsString). keel's patch to gopher-lua v1.1.2 (see
// README.keel.md): Lua 5.1 formats numbers with "%.14g" (1e+14, 0.3,
// -nan), gopher-lua with Go's shortest form (100000000000000,
// 0.30000000000000004, NaN), and Redis scripts are Lua 5.1. Set it
// before any state runs; it is read without synchronization.
var NumberToString func(float64) string
