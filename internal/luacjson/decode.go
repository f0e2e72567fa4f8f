package luacjson

import (
	"bytes"

	lua "github.com/yuin/gopher-lua"

	"github.com/keeldb/keel/internal/lauxlib"
)

type tokenType int

const (
	tObjBegin tokenType = iota
	tObjEnd
	tArrBegin
	tArrEnd
	tString
	tNumber
	tBoolean
	tNull
	tColon
	tComma
	tEnd
	tWhitespace
	tError
	tUnknown
)

var tokenNames = [...]string{
	"T_OBJ_BEGIN", "T_OBJ_END", "T_ARR_BEGIN", "T_ARR_END", "T_STRING",
	"T_NUMBER", "T_BOOLEAN", "T_NULL", "T_COLON", "T_COMMA", "T_END",
	"T_WHITESPACE", "T_ERROR", "T_UNKNOWN",
}

// ch2token classifies a token's first byte, as lua-cjson's table does.
var ch2token = func() [256]tokenType {
	var t [256]tokenType
	for i := range t {
		t[i] = tError
	}
	t['{'], t['}'], t['['], t[']'] = tObjBegin, tObjEnd, tArrBegin, tArrEnd
	t[','], t[':'], t[0] = tComma, tColon, tEnd
	t[' '], t['\t'], t['\n'], t['\r'] = tWhitespace, tWhitespace, tWhitespace, tWhitespace
	for _, c := range []byte("fiInNt\"+-0123456789") {
		t[c] = tUnknown
	}
	return t
}()

var escape2char = func() [256]byte {
	var t [256]byte
	t['"'], t['\\'], t['/'] = '"', '\\', '/'
	t['b'], t['t'], t['n'], t['f'], t['r'] = '\b', '\t', '\n', '\f', '\r'
	t['u'] = 'u'
	return t
}()

type token struct {
	typ   tokenType
	index int // 0-based byte offset
	str   string
	num   float64
	b     bool
	err   string // for tError: what was wrong
}

type parser struct {
	L     *lua.LState
	m     *module
	data  []byte // the text up to its first NUL: C sees it end there
	ptr   int
	depth int
	tmp   []byte
}

// at reads like the C code reads its NUL-terminated buffer.
func (p *parser) at(i int) byte {
	if i < len(p.data) {
		return p.data[i]
	}
	return 0
}

func (m *module) decode(L *lua.LState) int {
	if L.GetTop() != 1 {
		lauxlib.ArgError(L, 1, "expected 1 argument")
	}
	text := lauxlib.CheckLString(L, 1)
	// Detect UTF-16/32 (RFC 4627 sec. 3): a NUL among the first two bytes.
	if len(text) >= 2 && (text[0] == 0 || text[1] == 0) {
		lauxlib.Errorf(L, "JSON parser does not support UTF-16 or UTF-32")
	}
	data := []byte(text)
	if z := bytes.IndexByte(data, 0); z >= 0 {
		data = data[:z]
	}
	p := &parser{L: L, m: m, data: data}
	var tok token
	p.nextToken(&tok)
	// One stack slot holds the argument (the C function's frame base).
	v := p.processValue(&tok, 1)
	p.nextToken(&tok)
	if tok.typ != tEnd {
		p.throwParseError("the end", &tok)
	}
	L.Push(v)
	return 1
}

func (p *parser) setTokenError(tok *token, msg string) {
	tok.typ = tError
	tok.index = p.ptr
	tok.err = msg
}

func (p *parser) throwParseError(expected string, tok *token) {
	found := tokenNames[tok.typ]
	if tok.typ == tError {
		found = tok.err
	}
	lauxlib.Errorf(p.L, "Expected %s but found %s at character %d", expected, found, tok.index+1)
}

func (p *parser) nextToken(tok *token) {
	for ch2token[p.at(p.ptr)] == tWhitespace {
		p.ptr++
	}
	ch := p.at(p.ptr)
	tok.typ = ch2token[ch]
	tok.index = p.ptr
	switch tok.typ {
	case tError:
		p.setTokenError(tok, "invalid token")
		return
	case tEnd:
		return
	case tUnknown:
	default:
		p.ptr++
		return
	}
	rest := p.data[p.ptr:]
	switch {
	case ch == '"':
		p.nextStringToken(tok)
	case ch == '-' || isDigit(ch):
		if p.m.cfg.decodeInvalid == 0 && p.isInvalidNumber() {
			p.setTokenError(tok, "invalid number")
			return
		}
		p.nextNumberToken(tok)
	case bytes.HasPrefix(rest, []byte("true")):
		tok.typ, tok.b = tBoolean, true
		p.ptr += 4
	case bytes.HasPrefix(rest, []byte("false")):
		tok.typ, tok.b = tBoolean, false
		p.ptr += 5
	case bytes.HasPrefix(rest, []byte("null")):
		tok.typ = tNull
		p.ptr += 4
	case p.m.cfg.decodeInvalid != 0 && p.isInvalidNumber():
		// Only "numbers" known to be invalid JSON (Inf, NaN, hex, '+')
		// go to strtod, so other bad tokens say "invalid token".
		p.nextNumberToken(tok)
	default:
		p.setTokenError(tok, "invalid token")
	}
}

// isInvalidNumber is json_is_invalid_number: a number strtod accepts but
// strict JSON does not ('+', hex, leading zeros, inf, nan).
func (p *parser) isInvalidNumber() bool {
	i := p.ptr
	if p.at(i) == '+' {
		return true
	}
	if p.at(i) == '-' {
		i++
	}
	c := p.at(i)
	if c == '0' {
		c2 := p.at(i + 1)
		return c2|0x20 == 'x' || isDigit(c2)
	} else if c <= '9' {
		return false
	}
	rest := p.data[i:]
	return hasPrefixFold(rest, "inf") || hasPrefixFold(rest, "nan")
}

func (p *parser) nextNumberToken(tok *token) {
	tok.typ = tNumber
	v, n := lauxlib.Strtod(string(p.data[p.ptr:]))
	if n == 0 {
		p.setTokenError(tok, "invalid number")
		return
	}
	tok.num = v
	p.ptr += n
}

func (p *parser) nextStringToken(tok *token) {
	p.ptr++ // the opening quote
	p.tmp = p.tmp[:0]
	for {
		ch := p.at(p.ptr)
		if ch == '"' {
			break
		}
		if ch == 0 {
			p.setTokenError(tok, "unexpected end of string")
			return
		}
		if ch == '\\' {
			ch = escape2char[p.at(p.ptr+1)]
			if ch == 'u' {
				if p.appendUnicodeEscape() {
					continue
				}
				p.setTokenError(tok, "invalid unicode escape code")
				return
			}
			if ch == 0 {
				p.setTokenError(tok, "invalid escape code")
				return
			}
			p.ptr++
		}
		p.tmp = append(p.tmp, ch)
		p.ptr++
	}
	p.ptr++ // the closing quote
	tok.typ = tString
	tok.str = string(p.tmp)
}

func hexDigit(c byte) int {
	if isDigit(c) {
		return int(c - '0')
	}
	c |= 0x20
	if 'a' <= c && c <= 'f' {
		return int(c-'a') + 10
	}
	return -1
}

func (p *parser) decodeHex4(i int) int {
	v := 0
	for j := 0; j < 4; j++ {
		d := hexDigit(p.at(i + j))
		if d < 0 {
			return -1
		}
		v = v<<4 | d
	}
	return v
}

// appendUnicodeEscape is json_append_unicode_escape: \uXXXX, or a UTF-16
// surrogate pair of two, appended as UTF-8; false on a bad escape.
func (p *parser) appendUnicodeEscape() bool {
	escLen := 6
	cp := p.decodeHex4(p.ptr + 2)
	if cp < 0 {
		return false
	}
	if cp&0xF800 == 0xD800 {
		if cp&0x400 != 0 {
			return false // a low surrogate first
		}
		if p.at(p.ptr+escLen) != '\\' || p.at(p.ptr+escLen+1) != 'u' {
			return false
		}
		low := p.decodeHex4(p.ptr + escLen + 2)
		if low < 0 || low&0xFC00 != 0xDC00 {
			return false
		}
		cp = ((cp&0x3FF)<<10 | low&0x3FF) + 0x10000
		escLen = 12
	}
	switch {
	case cp <= 0x7F:
		p.tmp = append(p.tmp, byte(cp))
	case cp <= 0x7FF:
		p.tmp = append(p.tmp, byte(cp>>6|0xC0), byte(cp&0x3F|0x80))
	case cp <= 0xFFFF:
		p.tmp = append(p.tmp, byte(cp>>12|0xE0), byte(cp>>6&0x3F|0x80), byte(cp&0x3F|0x80))
	default:
		p.tmp = append(p.tmp, byte(cp>>18|0xF0), byte(cp>>12&0x3F|0x80), byte(cp>>6&0x3F|0x80), byte(cp&0x3F|0x80))
	}
	p.ptr += escLen
	return true
}

// descend is json_decode_descend: the depth limit, and lua_checkstack's
// limit on the slots the C code would hold.
func (p *parser) descend(slots, need int) {
	p.depth++
	if p.depth <= p.m.cfg.decodeMaxDepth && slots+need <= luaMaxCStack {
		return
	}
	lauxlib.Errorf(p.L, "Found too many nested data structures (%d) at character %d", p.depth, p.ptr)
}

// processValue is json_process_value; slots is the stack height the C
// code would have before pushing this value.
func (p *parser) processValue(tok *token, slots int) lua.LValue {
	switch tok.typ {
	case tString:
		return lua.LString(tok.str)
	case tNumber:
		return lua.LNumber(tok.num)
	case tBoolean:
		return lua.LBool(tok.b)
	case tObjBegin:
		return p.parseObject(slots)
	case tArrBegin:
		return p.parseArray(slots)
	case tNull:
		return p.m.null
	}
	p.throwParseError("value", tok)
	return nil
}

func (p *parser) parseObject(slots int) lua.LValue {
	p.descend(slots, 3) // table, key, value
	t := p.L.NewTable()
	var tok token
	p.nextToken(&tok)
	if tok.typ == tObjEnd {
		p.depth--
		return t
	}
	for {
		if tok.typ != tString {
			p.throwParseError("object key string", &tok)
		}
		key := lua.LString(tok.str)
		p.nextToken(&tok)
		if tok.typ != tColon {
			p.throwParseError("colon", &tok)
		}
		p.nextToken(&tok)
		t.RawSetString(string(key), p.processValue(&tok, slots+2))
		p.nextToken(&tok)
		if tok.typ == tObjEnd {
			p.depth--
			return t
		}
		if tok.typ != tComma {
			p.throwParseError("comma or object end", &tok)
		}
		p.nextToken(&tok)
	}
}

func (p *parser) parseArray(slots int) lua.LValue {
	p.descend(slots, 2) // table, value
	t := p.L.NewTable()
	var tok token
	p.nextToken(&tok)
	if tok.typ == tArrEnd {
		p.depth--
		return t
	}
	for i := 1; ; i++ {
		t.RawSetInt(i, p.processValue(&tok, slots+1))
		p.nextToken(&tok)
		if tok.typ == tArrEnd {
			p.depth--
			return t
		}
		if tok.typ != tComma {
			p.throwParseError("comma or array end", &tok)
		}
		p.nextToken(&tok)
	}
}
