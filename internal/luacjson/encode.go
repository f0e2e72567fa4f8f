package luacjson

import (
	"math"

	lua "github.com/yuin/gopher-lua"

	"github.com/keeldb/keel/internal/lauxlib"
)

// char2escape is lua-cjson's encoding table: control characters, '"',
// '\\', '/' and DEL are escaped; every other byte (including >= 0x80)
// is copied untouched.
var char2escape = func() [256]string {
	var t [256]string
	for i := 0; i < 32; i++ {
		t[i] = string([]byte{'\\', 'u', '0', '0', "0123456789abcdef"[i>>4], "0123456789abcdef"[i&15]})
	}
	t['\b'], t['\t'], t['\n'], t['\f'], t['\r'] = `\b`, `\t`, `\n`, `\f`, `\r`
	t['"'], t['\\'], t['/'], t[0x7f] = `\"`, `\\`, `\/`, `\u007f`
	return t
}()

type encoder struct {
	L   *lua.LState
	m   *module
	buf []byte
}

func (m *module) encode(L *lua.LState) int {
	if L.GetTop() != 1 {
		lauxlib.ArgError(L, 1, "expected 1 argument")
	}
	e := &encoder{L: L, m: m}
	// One stack slot holds the argument (the C function's frame base).
	e.appendData(L.Get(1), 0, 1)
	L.Push(lua.LString(e.buf))
	return 1
}

func (e *encoder) fail(v lua.LValue, reason string) {
	lauxlib.Errorf(e.L, "Cannot serialise %s: %s", typeName(v), reason)
}

func (e *encoder) appendString(s string) {
	e.buf = append(e.buf, '"')
	for i := 0; i < len(s); i++ {
		if esc := char2escape[s[i]]; esc != "" {
			e.buf = append(e.buf, esc...)
		} else {
			e.buf = append(e.buf, s[i])
		}
	}
	e.buf = append(e.buf, '"')
}

func (e *encoder) appendNumber(v lua.LNumber) {
	num := float64(v)
	switch e.m.cfg.encodeInvalid {
	case 0:
		if math.IsInf(num, 0) || math.IsNaN(num) {
			e.fail(v, "must not be NaN or Inf")
		}
	case 1:
		// lua-cjson writes "nan" itself: printf could say "-nan".
		if math.IsNaN(num) {
			e.buf = append(e.buf, "nan"...)
			return
		}
	default:
		if math.IsInf(num, 0) || math.IsNaN(num) {
			e.buf = append(e.buf, "null"...)
			return
		}
	}
	e.buf = append(e.buf, lauxlib.FormatG(num, e.m.cfg.numberPrecision)...)
}

// toCInt converts a double to a C int the way x86-64's cvttsd2si does
// for lua_array_length's "max = k": truncation, INT_MIN when out of range.
func toCInt(k float64) int32 {
	if k >= -2147483648 && k < 2147483648 {
		return int32(k)
	}
	return math.MinInt32
}

// arrayLength is lua_array_length: -1 for an object, else the array
// length (its maximum index), raising for a too-sparse array unless
// conversion to an object is enabled.
func (e *encoder) arrayLength(t *lua.LTable) int {
	var max, items int32
	for k, _ := t.Next(lua.LNil); k != lua.LNil; k, _ = t.Next(k) {
		n, ok := k.(lua.LNumber)
		if !ok || n == 0 {
			return -1
		}
		f := float64(n)
		if math.Floor(f) != f || f < 1 {
			return -1
		}
		if f > float64(max) {
			max = toCInt(f)
		}
		items++
	}
	cfg := e.m.cfg
	// C int arithmetic, wrapping as the compiled code does.
	if cfg.sparseRatio > 0 && max > items*int32(cfg.sparseRatio) && int(max) > cfg.sparseSafe {
		if cfg.sparseConvert == 0 {
			e.fail(t, "excessively sparse array")
		}
		return -1
	}
	return int(max)
}

// appendData is json_append_data; slots counts the Lua stack slots the C
// code would hold, for lua_checkstack's limit.
func (e *encoder) appendData(v lua.LValue, depth, slots int) {
	switch v := v.(type) {
	case lua.LString:
		e.appendString(string(v))
	case lua.LNumber:
		e.appendNumber(v)
	case lua.LBool:
		if v {
			e.buf = append(e.buf, "true"...)
		} else {
			e.buf = append(e.buf, "false"...)
		}
	case *lua.LTable:
		depth++
		if depth > e.m.cfg.encodeMaxDepth || slots+3 > luaMaxCStack {
			lauxlib.Errorf(e.L, "Cannot serialise, excessive nesting (%d)", depth)
		}
		if n := e.arrayLength(v); n > 0 {
			e.appendArray(v, n, depth, slots)
		} else {
			e.appendObject(v, depth, slots)
		}
	case *lua.LNilType:
		e.buf = append(e.buf, "null"...)
	case *lua.LUserData:
		if _, ok := v.Value.(nullMarker); ok {
			e.buf = append(e.buf, "null"...)
			return
		}
		e.fail(v, "type not supported")
	default:
		e.fail(v, "type not supported")
	}
}

func (e *encoder) appendArray(t *lua.LTable, n, depth, slots int) {
	e.buf = append(e.buf, '[')
	for i := 1; i <= n; i++ {
		if i > 1 {
			e.buf = append(e.buf, ',')
		}
		e.appendData(t.RawGetInt(i), depth, slots+1)
	}
	e.buf = append(e.buf, ']')
}

func (e *encoder) appendObject(t *lua.LTable, depth, slots int) {
	e.buf = append(e.buf, '{')
	first := true
	for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
		if !first {
			e.buf = append(e.buf, ',')
		}
		first = false
		switch k := k.(type) {
		case lua.LNumber:
			e.buf = append(e.buf, '"')
			e.appendNumber(k)
			e.buf = append(e.buf, '"', ':')
		case lua.LString:
			e.appendString(string(k))
			e.buf = append(e.buf, ':')
		default:
			e.fail(k, "table key must be a number or string")
		}
		e.appendData(v, depth, slots+2)
	}
	e.buf = append(e.buf, '}')
}
