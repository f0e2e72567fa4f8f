// Package luastruct is the "struct" library Redis 7.0 gives Lua scripts
// (Roberto Ierusalimschy's struct.c 1.4 with Redis's security fixes,
// deps/lua/src/lua_struct.c), implemented for gopher-lua with the sizes of
// Redis's x86-64 build.
//
// Open sets the global table struct with pack(fmt, ...), unpack(fmt, s[,
// i]) and size(fmt). Format characters: '>' big and '<' little endian
// (default little, the native order), '![n]' maximum alignment n (default
// 8; a power of 2), 'x' one zero byte, 'b'/'B' 1-byte, 'h'/'H' 2-byte,
// 'l'/'L' 8-byte, 'T' 8-byte (size_t), 'i[n]'/'I[n]' n-byte (default 4, at
// most 32) signed/unsigned integers, 'c[n]' n characters (pack: c0 is the
// whole string; unpack: c0 takes its length from the previous value), 's'
// a zero-terminated string, 'f' float, 'd' double, ' ' ignored. Integers
// travel as Lua numbers (doubles), converted exactly as the C's casts do
// on x86-64, including for sizes above 8 bytes and out-of-range values.
// Error texts are the C's, including its quirks: "string too short" names
// the argument after the short one, and size() accepts unknown letters.
//
// Known differences from Redis: an error from a method-style call
// (struct:pack()) is worded as for a plain call; and when pack runs out of
// arguments after producing more than 8 KiB, Redis's C reads its own
// luaL_Buffer chunks from the stack as the missing arguments ("got
// string"), where this reports "got no value".
package luastruct

import (
	"encoding/binary"
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/keeldb/keel/internal/lauxlib"
)

const (
	maxIntSize = 32 // MAXINTSIZE
	maxAlign   = 8  // MAXALIGN: alignment of double on x86-64
	intMax     = math.MaxInt32
)

// Open creates the struct table and sets it as the global "struct".
func Open(L *lua.LState) {
	t := L.NewTable()
	t.RawSetString("pack", L.NewFunction(bPack))
	t.RawSetString("unpack", L.NewFunction(bUnpack))
	t.RawSetString("size", L.NewFunction(bSize))
	L.SetGlobal("struct", t)
}

// header is the C's Header: current byte order and maximum alignment.
type header struct {
	little bool
	align  int
}

func defaultOptions() header { return header{little: true, align: 1} }

// format walks a format string as the C does with its char pointer.
type format struct {
	L   *lua.LState
	s   string
	pos int
}

func (f *format) more() bool { return f.pos < len(f.s) }

func (f *format) next() byte {
	c := f.s[f.pos]
	f.pos++
	return c
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// getnum reads an optional decimal count, refusing values past INT_MAX.
func (f *format) getnum(df int) int {
	if !f.more() || !isDigit(f.s[f.pos]) {
		return df
	}
	a := 0
	for f.more() && isDigit(f.s[f.pos]) {
		d := int(f.s[f.pos] - '0')
		if a > intMax/10 || a*10 > intMax-d {
			lauxlib.Errorf(f.L, "integral size overflow")
		}
		a = a*10 + d
		f.pos++
	}
	return a
}

// optsize is the C's optsize: the size of an option, consuming its count.
func (f *format) optsize(opt byte) uint64 {
	switch opt {
	case 'B', 'b':
		return 1
	case 'H', 'h':
		return 2
	case 'L', 'l', 'T', 'd':
		return 8
	case 'f':
		return 4
	case 'x':
		return 1
	case 'c':
		return uint64(f.getnum(1))
	case 'i', 'I':
		sz := f.getnum(4)
		if sz > maxIntSize {
			lauxlib.Errorf(f.L, "integral size %d is larger than limit of %d", sz, maxIntSize)
		}
		return uint64(sz)
	}
	return 0 // other options do not need alignment
}

// gettoalign is the padding before an item of the given size at offset n.
// Sizes that are not powers of 2 (i3) give the C's arithmetic, not a
// meaningful alignment.
func gettoalign(n uint64, h *header, opt byte, size uint64) uint64 {
	if size == 0 || opt == 'c' {
		return 0
	}
	if size > uint64(h.align) {
		size = uint64(h.align)
	}
	return (size - (n & (size - 1))) & (size - 1)
}

// controloptions handles ' ', '>', '<' and '!'; anything else is invalid.
func (f *format) controloptions(opt byte, h *header) {
	switch opt {
	case ' ':
	case '>':
		h.little = false
	case '<':
		h.little = true
	case '!':
		a := f.getnum(maxAlign)
		if a <= 0 || a&(a-1) != 0 {
			lauxlib.Errorf(f.L, "alignment %d is not a power of 2", a)
		}
		h.align = a
	default:
		lauxlib.ArgError(f.L, 1, "invalid format option '"+string([]byte{opt})+"'")
	}
}

// putInteger writes n as the C does: (unsigned long)(long)n for negative n,
// (unsigned long)n otherwise, then size bytes of it (zeros past 8).
func putInteger(buf []byte, n float64, little bool, size int) []byte {
	var value uint64
	if n < 0 {
		value = uint64(lauxlib.ToInteger(n))
	} else {
		value = lauxlib.ToUint64(n)
	}
	b := make([]byte, size)
	for i := 0; i < size; i++ {
		j := i
		if !little {
			j = size - 1 - i
		}
		b[j] = byte(value)
		value >>= 8
	}
	return append(buf, b...)
}

func bPack(L *lua.LState) int {
	f := format{L: L, s: lauxlib.CheckCString(L, 1)}
	h := defaultOptions()
	arg := 2
	// The C pushes a nil to separate the arguments from its string buffer,
	// so a missing argument just past the last is reported as "got nil".
	L.Push(lua.LNil)
	var buf []byte
	var totalsize uint64
	for f.more() {
		opt := f.next()
		size := f.optsize(opt)
		toalign := gettoalign(totalsize, &h, opt, size)
		totalsize += toalign
		for ; toalign > 0; toalign-- {
			buf = append(buf, 0)
		}
		switch opt {
		case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I':
			buf = putInteger(buf, lauxlib.CheckNumber(L, arg), h.little, int(size))
			arg++
		case 'x':
			buf = append(buf, 0)
		case 'f':
			bits := math.Float32bits(float32(lauxlib.CheckNumber(L, arg)))
			arg++
			if h.little {
				buf = binary.LittleEndian.AppendUint32(buf, bits)
			} else {
				buf = binary.BigEndian.AppendUint32(buf, bits)
			}
		case 'd':
			bits := math.Float64bits(lauxlib.CheckNumber(L, arg))
			arg++
			if h.little {
				buf = binary.LittleEndian.AppendUint64(buf, bits)
			} else {
				buf = binary.BigEndian.AppendUint64(buf, bits)
			}
		case 'c', 's':
			s := lauxlib.CheckLString(L, arg)
			arg++
			if size == 0 {
				size = uint64(len(s))
			}
			if uint64(len(s)) < size {
				// arg was already advanced in the C, so the message
				// names the following argument.
				lauxlib.ArgError(L, arg, "string too short")
			}
			buf = append(buf, s[:size]...)
			if opt == 's' {
				buf = append(buf, 0)
				size++
			}
		default:
			f.controloptions(opt, &h)
		}
		totalsize += size
	}
	L.Push(lua.LString(buf))
	return 1
}

// getInteger reads size bytes as the C does into an unsigned long (bytes
// beyond 8 shift out the high end) and sign-extends from bit size*8-1,
// with x86's shift-count masking for sizes 0 and above 8.
func getInteger(data string, little, signed bool, size int) float64 {
	var l uint64
	for i := 0; i < size; i++ {
		j := i
		if little {
			j = size - 1 - i
		}
		l = l<<8 | uint64(data[j])
	}
	if !signed {
		return float64(l)
	}
	mask := ^uint64(0) << (uint(size*8-1) & 63)
	if l&mask != 0 {
		l |= mask
	}
	return float64(int64(l))
}

func bUnpack(L *lua.LState) int {
	f := format{L: L, s: lauxlib.CheckCString(L, 1)}
	data := lauxlib.CheckLString(L, 2)
	ld := uint64(len(data))
	pos := uint64(lauxlib.OptInteger(L, 3, 1)) // size_t: negative offsets wrap
	if pos == 0 {
		lauxlib.ArgError(L, 3, "offset must be 1 or greater")
	}
	pos--
	h := defaultOptions()
	base := L.GetTop()
	var out []lua.LValue
	tooShort := func(size uint64) {
		if !(size <= ld && pos <= ld-size) {
			lauxlib.ArgError(L, 2, "data string too short")
		}
	}
	for f.more() {
		opt := f.next()
		size := f.optsize(opt)
		pos += gettoalign(pos, &h, opt, size)
		tooShort(size)
		lauxlib.CheckStack(L, base+len(out), 2, "too many results")
		switch opt {
		case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I':
			signed := opt >= 'a' && opt <= 'z'
			out = append(out, lua.LNumber(getInteger(data[pos:pos+size], h.little, signed, int(size))))
		case 'x':
		case 'f':
			b := []byte(data[pos : pos+4])
			bits := binary.LittleEndian.Uint32(b)
			if !h.little {
				bits = binary.BigEndian.Uint32(b)
			}
			out = append(out, lua.LNumber(math.Float32frombits(bits)))
		case 'd':
			b := []byte(data[pos : pos+8])
			bits := binary.LittleEndian.Uint64(b)
			if !h.little {
				bits = binary.BigEndian.Uint64(b)
			}
			out = append(out, lua.LNumber(math.Float64frombits(bits)))
		case 'c':
			if size == 0 {
				// The length is the previous result, if it is a number
				// or a numeric string; it is consumed.
				var n float64
				ok := false
				if len(out) > 0 {
					n, ok = lauxlib.ToNumber(out[len(out)-1])
				}
				if !ok {
					lauxlib.Errorf(L, "format 'c0' needs a previous size")
				}
				size = lauxlib.ToUint64(n)
				out = out[:len(out)-1]
				tooShort(size)
			}
			out = append(out, lua.LString(data[pos:pos+size]))
		case 's':
			e := strings.IndexByte(data[pos:], 0)
			if e < 0 {
				lauxlib.Errorf(L, "unfinished string in data")
			}
			size = uint64(e) + 1
			out = append(out, lua.LString(data[pos:pos+size-1]))
		default:
			f.controloptions(opt, &h)
		}
		pos += size
	}
	for _, v := range out {
		L.Push(v)
	}
	L.Push(lua.LNumber(int64(pos + 1)))
	return len(out) + 1
}

func isAlnum(c byte) bool {
	return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'z')
}

func bSize(L *lua.LState) int {
	f := format{L: L, s: lauxlib.CheckCString(L, 1)}
	h := defaultOptions()
	var pos uint64
	for f.more() {
		opt := f.next()
		size := f.optsize(opt)
		pos += gettoalign(pos, &h, opt, size)
		if opt == 's' {
			lauxlib.ArgError(L, 1, "option 's' has no fixed size")
		} else if opt == 'c' && size == 0 {
			lauxlib.ArgError(L, 1, "option 'c0' has no fixed size")
		}
		if !isAlnum(opt) {
			f.controloptions(opt, &h)
		}
		pos += size
	}
	L.Push(lua.LNumber(int64(pos)))
	return 1
}
