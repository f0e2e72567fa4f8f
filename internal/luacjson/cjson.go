// Package luacjson is the "cjson" Lua library as Redis 7.0 ships it
// (lua-cjson 2.1.0 with Redis's patches, deps/lua/src/lua_cjson.c),
// reimplemented in Go for gopher-lua.
//
// Open(L) sets the global "cjson" to a module table with encode, decode,
// the configuration functions (encode_sparse_array, encode_max_depth,
// decode_max_depth, encode_number_precision, encode_keep_buffer,
// encode_invalid_numbers, decode_invalid_numbers), new, null, _NAME and
// _VERSION. Configuration lives in the module table's closures, so each
// Open and each cjson.new() has its own, starting from Redis's defaults
// (sparse false/2/10, both depths 1000, precision 14, keep buffer on,
// encode_invalid_numbers off, decode_invalid_numbers on).
//
// Output and error texts follow the C code byte for byte: numbers are
// printed as C's "%.14g", numbers are read as glibc's strtod reads them,
// errors carry no "file:line:" prefix (luaL_error from a C function has
// none), JSON text ends at its first NUL byte as a C string does, and
// Lua's C-stack limit (LUAI_MAXCSTACK, 8000 slots) is modelled so very deep
// nesting fails where Redis fails when the depth limits are raised.
//
// Known differences from Redis:
//   - Object members are written in gopher-lua's table iteration order
//     (array part, then insertion order), not Lua 5.1's hash order, so a
//     multi-key object's text may list its members in another order.
//     Which of several bad keys or values is reported first, and the
//     encoding of tables mixing keys 1..n with integer keys beyond 2^31
//     (lua-cjson truncates those to INT_MIN, an order-dependent quirk),
//     can differ for the same reason.
//   - cjson.null is one full userdata per Open (shared by its cjson.new()
//     tables) instead of a NULL lightuserdata; it has a metatable whose
//     __tostring gives Redis's "userdata: (nil)", so getmetatable on it
//     returns a table rather than nil.
//   - Errors are prefixed, as luaL_error does, with the calling Lua
//     function's "source:line: " (none when called from pcall directly).
//     gopher-lua uses the chunk name verbatim where Lua 5.1 strips a
//     leading '@', so to read "user_script:1:" as Redis does, load scripts
//     under the name "user_script". "bad argument" texts name the function
//     from gopher-lua's call-site debug info, which agrees with Lua 5.1 in
//     the tested forms (field, local alias, via pcall: '?').
package luacjson

import (
	"fmt"
	"math"

	lua "github.com/yuin/gopher-lua"

	"github.com/keeldb/keel/internal/lauxlib"
)

// Redis 7.0's defaults (DEFAULT_* in its lua_cjson.c). Redis 5 and older
// shipped lua-cjson 1.0.3 with a depth limit of 20; 7.0 has 1000 for both
// directions and decodes Inf/NaN/hex by default. The tests pin each value
// against the server.
const (
	defaultSparseConvert   = 0
	defaultSparseRatio     = 2
	defaultSparseSafe      = 10
	defaultEncodeMaxDepth  = 1000
	defaultDecodeMaxDepth  = 1000
	defaultEncodeInvalid   = 0
	defaultDecodeInvalid   = 1
	defaultEncodeKeepBuf   = 1
	defaultNumberPrecision = 14

	// luaMaxCStack is Lua 5.1's LUAI_MAXCSTACK: lua_checkstack fails when
	// a C function would hold more stack slots than this.
	luaMaxCStack = 8000

	intMax = math.MaxInt32
)

type config struct {
	sparseConvert   int
	sparseRatio     int
	sparseSafe      int
	encodeMaxDepth  int
	decodeMaxDepth  int
	encodeInvalid   int // 0 off, 1 on, 2 "null"
	decodeInvalid   int
	encodeKeepBuf   int // no observable effect beyond its own getter
	numberPrecision int
}

func newConfig() *config {
	return &config{
		sparseConvert:   defaultSparseConvert,
		sparseRatio:     defaultSparseRatio,
		sparseSafe:      defaultSparseSafe,
		encodeMaxDepth:  defaultEncodeMaxDepth,
		decodeMaxDepth:  defaultDecodeMaxDepth,
		encodeInvalid:   defaultEncodeInvalid,
		decodeInvalid:   defaultDecodeInvalid,
		encodeKeepBuf:   defaultEncodeKeepBuf,
		numberPrecision: defaultNumberPrecision,
	}
}

// nullMarker tags the userdata standing for JSON null, so encode
// recognises the sentinel of any Open on the state, as lua-cjson
// recognises every NULL lightuserdata.
type nullMarker struct{}

// Open creates the cjson module table and sets it as the global "cjson".
func Open(L *lua.LState) {
	null := L.NewUserData()
	null.Value = nullMarker{}
	mt := L.NewTable()
	mt.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString("userdata: (nil)"))
		return 1
	}))
	null.Metatable = mt
	L.SetGlobal("cjson", newModule(L, null))
}

func newModule(L *lua.LState, null *lua.LUserData) *lua.LTable {
	cfg := newConfig()
	m := &module{cfg: cfg, null: null}
	t := L.NewTable()
	reg := func(name string, fn lua.LGFunction) { t.RawSetString(name, L.NewFunction(fn)) }
	reg("encode", m.encode)
	reg("decode", m.decode)
	reg("encode_sparse_array", m.encodeSparseArray)
	reg("encode_max_depth", func(L *lua.LState) int {
		argInit(L, 1)
		return integerOption(L, 1, &cfg.encodeMaxDepth, 1, intMax)
	})
	reg("decode_max_depth", func(L *lua.LState) int {
		argInit(L, 1)
		return integerOption(L, 1, &cfg.decodeMaxDepth, 1, intMax)
	})
	reg("encode_number_precision", func(L *lua.LState) int {
		argInit(L, 1)
		return integerOption(L, 1, &cfg.numberPrecision, 1, 14)
	})
	reg("encode_keep_buffer", func(L *lua.LState) int {
		argInit(L, 1)
		return enumOption(L, 1, &cfg.encodeKeepBuf, nil, 1)
	})
	reg("encode_invalid_numbers", func(L *lua.LState) int {
		argInit(L, 1)
		return enumOption(L, 1, &cfg.encodeInvalid, []string{"off", "on", "null"}, 1)
	})
	reg("decode_invalid_numbers", func(L *lua.LState) int {
		argInit(L, 1)
		return enumOption(L, 1, &cfg.decodeInvalid, nil, 1)
	})
	reg("new", func(L *lua.LState) int {
		L.Push(newModule(L, null))
		return 1
	})
	t.RawSetString("null", null)
	t.RawSetString("_NAME", lua.LString("cjson"))
	t.RawSetString("_VERSION", lua.LString("2.1.0"))
	return t
}

type module struct {
	cfg  *config
	null *lua.LUserData
}

// ===== errors and argument checks (lauxlib semantics) =====

// The argument checks and errors are lauxlib's (luaL_error, luaL_argerror,
// luaL_checklstring, ...), shared with the other libraries.

// typeName is Lua 5.1's name of v's type ("Cannot serialise <type>").
func typeName(v lua.LValue) string { return v.Type().String() }

// argInit is json_arg_init: at most n arguments, missing ones read as nil.
func argInit(L *lua.LState, n int) {
	if L.GetTop() > n {
		lauxlib.ArgError(L, n+1, "found too many arguments")
	}
	// Pad as the C code does, so results pushed later land above the
	// arguments rather than in the place of a missing one.
	for L.GetTop() < n {
		L.Push(lua.LNil)
	}
}

// checkInteger is luaL_checkinteger assigned to a C int on x86-64:
// truncation to a 64-bit lua_Integer (out of range gives INT64_MIN, as
// cvttsd2si does), then the low 32 bits.
func checkInteger(L *lua.LState, n int) int {
	return int(int32(uint32(uint64(lauxlib.CheckInteger(L, n)))))
}

func integerOption(L *lua.LState, idx int, setting *int, lo, hi int) int {
	if L.Get(idx) != lua.LNil {
		v := checkInteger(L, idx)
		if v < lo || v > hi {
			// lua-cjson reports argument 1 whatever idx is.
			lauxlib.ArgError(L, 1, fmt.Sprintf("expected integer between %d and %d", lo, hi))
		}
		*setting = v
	}
	L.Push(lua.LNumber(*setting))
	return 1
}

var boolOptions = []string{"off", "on"}

func enumOption(L *lua.LState, idx int, setting *int, options []string, boolTrue int) int {
	if options == nil {
		options = boolOptions
		boolTrue = 1
	}
	if v := L.Get(idx); v != lua.LNil {
		if b, ok := v.(lua.LBool); ok && boolTrue != 0 {
			*setting = 0
			if b {
				*setting = boolTrue
			}
		} else {
			name := lauxlib.CheckLString(L, idx)
			found := -1
			for i, o := range options {
				if o == name {
					found = i
					break
				}
			}
			if found < 0 {
				lauxlib.ArgError(L, idx, fmt.Sprintf("invalid option '%s'", name))
			}
			*setting = found
		}
	}
	if boolTrue != 0 && (*setting == 0 || *setting == boolTrue) {
		L.Push(lua.LBool(*setting != 0))
	} else {
		L.Push(lua.LString(options[*setting]))
	}
	return 1
}

func (m *module) encodeSparseArray(L *lua.LState) int {
	argInit(L, 3)
	enumOption(L, 1, &m.cfg.sparseConvert, nil, 1)
	integerOption(L, 2, &m.cfg.sparseRatio, 0, intMax)
	integerOption(L, 3, &m.cfg.sparseSafe, 0, intMax)
	return 3
}
