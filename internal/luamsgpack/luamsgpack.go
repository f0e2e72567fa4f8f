// Package luamsgpack is the "cmsgpack" library Redis 7.0 gives Lua scripts
// (lua-cmsgpack 0.4.0, deps/lua/src/lua_cmsgpack.c), implemented for
// gopher-lua.
//
// Open sets the global table cmsgpack with pack, unpack, unpack_one,
// unpack_limit and the fields _NAME, _VERSION, _COPYRIGHT, _DESCRIPTION.
//
// Encoding, as the C does it for Lua 5.1's doubles: a number that is
// integral and within int64 becomes the shortest msgpack integer (positive
// or negative fixint, uint 8..64, int 8..64); any other number becomes a
// float 32 when converting it to float32 and back is exact (this includes
// ±inf), else a float 64. Strings become fixstr, str 8, str 16 or str 32.
// A table whose keys are exactly the integers 1..n becomes an array (the
// empty table an empty array), any other table a map. Booleans and nil
// encode as themselves and every other type as nil, as does a table nested
// 16 levels deep (LUACMSGPACK_MAX_NESTING), which also stops cycles.
//
// Decoding accepts every msgpack type the C accepts: nil, booleans, all
// integer and float forms, str (fixstr, 8, 16, 32), arrays and maps. Like
// the C it rejects bin, ext and 0xc1 with "Bad data format in input.", and
// truncated input with "Missing bytes in input.". uint 64 values of 2^63
// and above decode as negative numbers, as in Redis. Argument errors and
// Lua 5.1's stack limit (8000 slots, "stack overflow (too many return
// values at once; ...)") are reproduced with the C library's texts.
//
// Known differences from Redis: a map's entries are encoded in gopher-lua's
// table iteration order, which generally differs from Redis's hash order
// (the bytes differ, the decoded table does not); an error from a
// method-style call (cmsgpack:pack()) is worded as for a plain call; and
// returning thousands of values needs a gopher-lua state whose registry
// can grow that far (Redis allows up to about 8000).
package luamsgpack

import (
	"encoding/binary"
	"math"

	lua "github.com/yuin/gopher-lua"

	"github.com/keeldb/keel/internal/lauxlib"
)

// maxNesting is LUACMSGPACK_MAX_NESTING.
const maxNesting = 16

// Open creates the cmsgpack table and sets it as the global "cmsgpack".
func Open(L *lua.LState) {
	t := L.NewTable()
	t.RawSetString("pack", L.NewFunction(pack))
	t.RawSetString("unpack", L.NewFunction(unpack))
	t.RawSetString("unpack_one", L.NewFunction(unpackOne))
	t.RawSetString("unpack_limit", L.NewFunction(unpackLimit))
	t.RawSetString("_NAME", lua.LString("cmsgpack"))
	t.RawSetString("_VERSION", lua.LString("lua-cmsgpack 0.4.0"))
	t.RawSetString("_COPYRIGHT", lua.LString("Copyright (C) 2012, Salvatore Sanfilippo"))
	t.RawSetString("_DESCRIPTION", lua.LString("MessagePack C implementation for Lua"))
	L.SetGlobal("cmsgpack", t)
}

// encoder appends to buf. top tracks how many slots the C implementation
// would be using on the Lua stack at this point, so that its stack-limit
// errors fire at the same depth.
type encoder struct {
	L   *lua.LState
	buf []byte
}

func pack(L *lua.LState) int {
	nargs := L.GetTop()
	if nargs == 0 {
		lauxlib.ArgError(L, 0, "MessagePack pack needs input.")
	}
	if 2*nargs > lauxlib.MaxCStack { // lua_checkstack(L, nargs)
		lauxlib.ArgError(L, 0, "Too many arguments for MessagePack pack.")
	}
	e := encoder{L: L}
	for i := 1; i <= nargs; i++ {
		// The C pushes each argument's encoding as a string before the
		// next one: nargs + (i-1) slots are in use.
		top := nargs + i - 1
		lauxlib.CheckStack(L, top, 1, "in function mp_check")
		e.encode(L.Get(i), 0, top+1)
	}
	L.Push(lua.LString(e.buf))
	return 1
}

// encode is mp_encode_lua_type; top counts v itself.
func (e *encoder) encode(v lua.LValue, level, top int) {
	switch x := v.(type) {
	case lua.LString:
		e.encodeBytes(string(x))
	case lua.LBool:
		if x {
			e.buf = append(e.buf, 0xc3)
		} else {
			e.buf = append(e.buf, 0xc2)
		}
	case lua.LNumber:
		e.encodeNumber(float64(x))
	case *lua.LTable:
		if level == maxNesting {
			e.buf = append(e.buf, 0xc0)
			return
		}
		if n, ok := e.arrayLen(x, top); ok {
			e.encodeArray(x, n, level, top)
		} else {
			e.encodeMap(x, level, top)
		}
	default:
		e.buf = append(e.buf, 0xc0)
	}
}

func (e *encoder) encodeBytes(s string) {
	n := len(s)
	switch {
	case n < 32:
		e.buf = append(e.buf, 0xa0|byte(n))
	case n <= 0xff:
		e.buf = append(e.buf, 0xd9, byte(n))
	case n <= 0xffff:
		e.buf = binary.BigEndian.AppendUint16(append(e.buf, 0xda), uint16(n))
	default:
		e.buf = binary.BigEndian.AppendUint32(append(e.buf, 0xdb), uint32(n))
	}
	e.buf = append(e.buf, s...)
}

// encodeNumber: IS_INT64_EQUIVALENT(n) is "(int64_t)n == n" with x86's
// conversion, true exactly for integral values in [-2^63, 2^63).
func (e *encoder) encodeNumber(n float64) {
	if n >= -0x1p63 && n < 0x1p63 && math.Trunc(n) == n {
		e.encodeInt(int64(n))
		return
	}
	if f := float32(n); float64(f) == n {
		e.buf = binary.BigEndian.AppendUint32(append(e.buf, 0xca), math.Float32bits(f))
		return
	}
	e.buf = binary.BigEndian.AppendUint64(append(e.buf, 0xcb), math.Float64bits(n))
}

func (e *encoder) encodeInt(n int64) {
	b := e.buf
	switch {
	case n >= 0 && n <= 127:
		b = append(b, byte(n))
	case n >= 0 && n <= 0xff:
		b = append(b, 0xcc, byte(n))
	case n >= 0 && n <= 0xffff:
		b = binary.BigEndian.AppendUint16(append(b, 0xcd), uint16(n))
	case n >= 0 && n <= 0xffffffff:
		b = binary.BigEndian.AppendUint32(append(b, 0xce), uint32(n))
	case n >= 0:
		b = binary.BigEndian.AppendUint64(append(b, 0xcf), uint64(n))
	case n >= -32:
		b = append(b, byte(int8(n)))
	case n >= -128:
		b = append(b, 0xd0, byte(n))
	case n >= -32768:
		b = binary.BigEndian.AppendUint16(append(b, 0xd1), uint16(n))
	case n >= -2147483648:
		b = binary.BigEndian.AppendUint32(append(b, 0xd2), uint32(n))
	default:
		b = binary.BigEndian.AppendUint64(append(b, 0xd3), uint64(n))
	}
	e.buf = b
}

// arrayLen is table_is_an_array: every key is a number that is a positive
// C int, and the largest equals the count, so the keys are exactly 1..n.
// n is then also what lua_objlen returns for the table (gopher-lua's Len
// can be smaller when the keys were set out of order, so it is not used).
func (e *encoder) arrayLen(t *lua.LTable, top int) (int, bool) {
	lauxlib.CheckStack(e.L, top, 2, "in function table_is_an_array")
	count, max := 0, 0
	for k, _ := t.Next(lua.LNil); k != lua.LNil; k, _ = t.Next(k) {
		kn, ok := k.(lua.LNumber)
		n := float64(kn)
		// IS_INT_EQUIVALENT: !isinf(n) && (int)n == n, with (int)
		// producing INT_MIN for anything out of range.
		if !ok || n <= 0 || n > math.MaxInt32 || math.Trunc(n) != n {
			return 0, false
		}
		if int(n) > max {
			max = int(n)
		}
		count++
	}
	return count, max == count
}

func (e *encoder) encodeArray(t *lua.LTable, n, level, top int) {
	switch {
	case n <= 15:
		e.buf = append(e.buf, 0x90|byte(n))
	case n <= 0xffff:
		e.buf = binary.BigEndian.AppendUint16(append(e.buf, 0xdc), uint16(n))
	default:
		e.buf = binary.BigEndian.AppendUint32(append(e.buf, 0xdd), uint32(n))
	}
	lauxlib.CheckStack(e.L, top, 1, "in function mp_encode_lua_table_as_array")
	for j := 1; j <= n; j++ {
		e.encode(t.RawGetInt(j), level+1, top+1)
	}
}

func (e *encoder) encodeMap(t *lua.LTable, level, top int) {
	lauxlib.CheckStack(e.L, top, 3, "in function mp_encode_lua_table_as_map")
	n := 0
	for k, _ := t.Next(lua.LNil); k != lua.LNil; k, _ = t.Next(k) {
		n++
	}
	switch {
	case n <= 15:
		e.buf = append(e.buf, 0x80|byte(n))
	case n <= 0xffff:
		e.buf = binary.BigEndian.AppendUint16(append(e.buf, 0xde), uint16(n))
	default:
		e.buf = binary.BigEndian.AppendUint32(append(e.buf, 0xdf), uint32(n))
	}
	// Stack while encoding: key, value, then a copy of the key on top.
	for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
		e.encode(k, level+1, top+3)
		e.encode(v, level+1, top+2)
	}
}

func unpack(L *lua.LState) int {
	return unpackFull(L, 0, 0)
}

func unpackOne(L *lua.LState) int {
	offset := lauxlib.OptInteger(L, 2, 0)
	keepFirst(L)
	return unpackFull(L, 1, offset)
}

func unpackLimit(L *lua.LState) int {
	limit := lauxlib.CheckInteger(L, 2)
	offset := lauxlib.OptInteger(L, 3, 0)
	keepFirst(L)
	return unpackFull(L, limit, offset)
}

// keepFirst is the C's lua_pop(L, lua_gettop(L)-1): drop all arguments
// but the first, without creating one when there is none (so a missing
// string is still reported as "no value").
func keepFirst(L *lua.LState) {
	if L.GetTop() > 1 {
		L.SetTop(1)
	}
}

// Cursor errors, as in the C.
const (
	errNone = iota
	errEOF
	errBadFmt
)

type decoder struct {
	L   *lua.LState
	s   string
	pos int
	err int
}

func (d *decoder) left() int { return len(d.s) - d.pos }

// need is mp_cur_need.
func (d *decoder) need(n int) bool {
	if d.left() < n {
		d.err = errEOF
		return false
	}
	return true
}

// unpackFull is mp_unpack_full: decode up to limit values starting at
// offset (everything when both are 0); unless decoding everything, the
// next offset (or -1 at the end of the input) comes first.
func unpackFull(L *lua.LState, limit, offset int64) int {
	s := lauxlib.CheckLString(L, 1)
	if offset < 0 || limit < 0 {
		// The C prints the input length where it says "limit".
		lauxlib.Errorf(L, "Invalid request to unpack with offset of %d and limit of %d.", int32(offset), int32(len(s)))
	}
	if offset > int64(len(s)) {
		lauxlib.Errorf(L, "Start offset %d greater than input length %d.", int32(offset), int32(len(s)))
	}
	decodeAll := limit == 0 && offset == 0
	if decodeAll {
		limit = math.MaxInt32
	}
	d := decoder{L: L, s: s, pos: int(offset)}
	base := L.GetTop()
	var out []lua.LValue
	for cnt := int64(0); d.left() > 0 && cnt < limit; cnt++ {
		v := d.decode(base + len(out))
		switch d.err {
		case errEOF:
			lauxlib.Errorf(L, "Missing bytes in input.")
		case errBadFmt:
			lauxlib.Errorf(L, "Bad data format in input.")
		}
		out = append(out, v)
	}
	if !decodeAll {
		lauxlib.CheckStack(L, base+len(out), 1, "in function mp_unpack_full")
		next := int64(d.pos)
		if d.left() == 0 {
			next = -1
		}
		L.Push(lua.LNumber(next))
	}
	for _, v := range out {
		L.Push(v)
	}
	if decodeAll {
		return len(out)
	}
	return len(out) + 1
}

// decode is mp_decode_to_lua_type. top is how many stack slots the C would
// be using before pushing this value; on error d.err is set and the value
// is meaningless.
func (d *decoder) decode(top int) lua.LValue {
	if !d.need(1) {
		return lua.LNil
	}
	lauxlib.CheckStack(d.L, top, 1, "too many return values at once; use unpack_one or unpack_limit instead.")
	p := d.s[d.pos:]
	u16 := func() uint64 { return uint64(binary.BigEndian.Uint16([]byte(p[1:3]))) }
	u32 := func() uint64 { return uint64(binary.BigEndian.Uint32([]byte(p[1:5]))) }
	u64 := func() uint64 { return binary.BigEndian.Uint64([]byte(p[1:9])) }
	// fixed consumes n bytes for a value whose size is known from its tag.
	fixed := func(n int, v func() lua.LValue) lua.LValue {
		if !d.need(n) {
			return lua.LNil
		}
		r := v()
		d.pos += n
		return r
	}
	str := func(hdr int, n uint64) lua.LValue {
		if uint64(d.left()-hdr) < n {
			d.err = errEOF
			return lua.LNil
		}
		start := d.pos + hdr
		d.pos = start + int(n)
		return lua.LString(d.s[start:d.pos])
	}
	switch c := p[0]; c {
	case 0xcc: // uint 8
		return fixed(2, func() lua.LValue { return lua.LNumber(p[1]) })
	case 0xd0: // int 8
		return fixed(2, func() lua.LValue { return lua.LNumber(int8(p[1])) })
	case 0xcd: // uint 16
		return fixed(3, func() lua.LValue { return lua.LNumber(u16()) })
	case 0xd1: // int 16
		return fixed(3, func() lua.LValue { return lua.LNumber(int16(u16())) })
	case 0xce: // uint 32
		return fixed(5, func() lua.LValue { return lua.LNumber(u32()) })
	case 0xd2: // int 32
		return fixed(5, func() lua.LValue { return lua.LNumber(int32(u32())) })
	case 0xcf: // uint 64, pushed through a signed lua_Integer
		return fixed(9, func() lua.LValue { return lua.LNumber(int64(u64())) })
	case 0xd3: // int 64
		return fixed(9, func() lua.LValue { return lua.LNumber(int64(u64())) })
	case 0xc0:
		d.pos++
		return lua.LNil
	case 0xc3:
		d.pos++
		return lua.LTrue
	case 0xc2:
		d.pos++
		return lua.LFalse
	case 0xca: // float 32
		return fixed(5, func() lua.LValue { return lua.LNumber(math.Float32frombits(uint32(u32()))) })
	case 0xcb: // float 64
		return fixed(9, func() lua.LValue { return lua.LNumber(math.Float64frombits(u64())) })
	case 0xd9: // str 8
		if !d.need(2) {
			return lua.LNil
		}
		return str(2, uint64(p[1]))
	case 0xda: // str 16
		if !d.need(3) {
			return lua.LNil
		}
		return str(3, u16())
	case 0xdb: // str 32
		if !d.need(5) {
			return lua.LNil
		}
		return str(5, u32())
	case 0xdc: // array 16
		if !d.need(3) {
			return lua.LNil
		}
		d.pos += 3
		return d.array(u16(), top)
	case 0xdd: // array 32
		if !d.need(5) {
			return lua.LNil
		}
		d.pos += 5
		return d.array(u32(), top)
	case 0xde: // map 16
		if !d.need(3) {
			return lua.LNil
		}
		d.pos += 3
		return d.hash(u16(), top)
	case 0xdf: // map 32
		if !d.need(5) {
			return lua.LNil
		}
		d.pos += 5
		return d.hash(u32(), top)
	default:
		switch {
		case c&0x80 == 0: // positive fixint
			d.pos++
			return lua.LNumber(c)
		case c&0xe0 == 0xe0: // negative fixint
			d.pos++
			return lua.LNumber(int8(c))
		case c&0xe0 == 0xa0: // fixstr
			return str(1, uint64(c&0x1f))
		case c&0xf0 == 0x90: // fixarray
			d.pos++
			return d.array(uint64(c&0xf), top)
		case c&0xf0 == 0x80: // fixmap
			d.pos++
			return d.hash(uint64(c&0xf), top)
		}
		d.err = errBadFmt // bin, ext, 0xc1
		return lua.LNil
	}
}

// array is mp_decode_to_lua_array: the C keeps the table and the index on
// the stack while decoding each element.
func (d *decoder) array(n uint64, top int) lua.LValue {
	t := d.L.NewTable()
	lauxlib.CheckStack(d.L, top+1, 1, "in function mp_decode_to_lua_array")
	for i := uint64(1); i <= n; i++ {
		v := d.decode(top + 2)
		if d.err != errNone {
			return lua.LNil
		}
		t.RawSetInt(int(i), v)
	}
	return t
}

// hash is mp_decode_to_lua_hash: the table, then the key, stay on the
// stack while decoding. Keys Lua cannot store raise lua_settable's errors.
func (d *decoder) hash(n uint64, top int) lua.LValue {
	t := d.L.NewTable()
	for ; n > 0; n-- {
		k := d.decode(top + 1)
		if d.err != errNone {
			return lua.LNil
		}
		v := d.decode(top + 2)
		if d.err != errNone {
			return lua.LNil
		}
		switch kk := k.(type) {
		case *lua.LNilType:
			lauxlib.Raise(d.L, "table index is nil")
		case lua.LNumber:
			if kk != kk {
				lauxlib.Raise(d.L, "table index is NaN")
			}
		}
		t.RawSet(k, v)
	}
	return t
}
