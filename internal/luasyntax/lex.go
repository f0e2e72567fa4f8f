package luasyntax

import (
	"strconv"

	"github.com/keeldb/keel/internal/lauxlib"
)

// token is a lexical token: a single-character token is its byte value,
// the others are numbered from firstReserved, in llex.h's RESERVED order.
type token int

// eoz is the "character" past the end of input (llex's EOZ).
const eoz = -1

const firstReserved token = 257

const (
	tkAnd token = firstReserved + iota
	tkBreak
	tkDo
	tkElse
	tkElseif
	tkEnd
	tkFalse
	tkFor
	tkFunction
	tkIf
	tkIn
	tkLocal
	tkNil
	tkNot
	tkOr
	tkRepeat
	tkReturn
	tkThen
	tkTrue
	tkUntil
	tkWhile
	tkConcat
	tkDots
	tkEq
	tkGe
	tkLe
	tkNe
	tkNumber
	tkName
	tkString
	tkEOS
)

// tokenNames is luaX_tokens: the text of each token from firstReserved.
var tokenNames = [...]string{
	"and", "break", "do", "else", "elseif",
	"end", "false", "for", "function", "if",
	"in", "local", "nil", "not", "or", "repeat",
	"return", "then", "true", "until", "while",
	"..", "...", "==", ">=", "<=", "~=",
	"<number>", "<name>", "<string>", "<eof>",
}

// reserved maps each reserved word to its token (luaX_init marks the
// interned strings; a map serves the same lookup).
var reserved = func() map[string]token {
	m := make(map[string]token, tkWhile-firstReserved+1)
	for t := tkAnd; t <= tkWhile; t++ {
		m[tokenNames[t-firstReserved]] = t
	}
	return m
}()

// tokenInfo is a token with its semantic value (SemInfo): the name of a
// TK_NAME, which the parser needs to resolve locals and upvalues.
type tokenInfo struct {
	tok  token
	name string
}

// syntaxError is what the lexer and parser panic with, as Lua longjmps
// out of luaX_lexerror; Check recovers it.
type syntaxError struct{ err *Error }

// lexer is LexState without the parser's fields.
type lexer struct {
	src      string
	pos      int // index of the character after current
	current  int // current character, or eoz
	line     int // linenumber
	lastline int // line of the last token consumed
	t        tokenInfo
	ahead    tokenInfo // lookahead; tkEOS when there is none
	buf      []byte    // the lexeme being read (Mbuffer)
	chunk    string
}

func newLexer(src, chunk string) *lexer {
	ls := &lexer{src: src, line: 1, lastline: 1, chunk: chunk}
	ls.ahead.tok = tkEOS
	ls.next() // luaX_setinput reads the first character
	return ls
}

// next is llex.c's next macro.
func (ls *lexer) next() {
	if ls.pos < len(ls.src) {
		ls.current = int(ls.src[ls.pos])
		ls.pos++
	} else {
		ls.current = eoz
	}
}

func (ls *lexer) save(c int) { ls.buf = append(ls.buf, byte(c)) }

func (ls *lexer) saveAndNext() {
	ls.save(ls.current)
	ls.next()
}

func (ls *lexer) currIsNewline() bool { return ls.current == '\n' || ls.current == '\r' }

// checkNext is llex's check_next, strchr included: strchr finds the
// terminating NUL of set, so a NUL byte in the source matches any set.
func (ls *lexer) checkNext(set string) bool {
	if ls.current == eoz || (ls.current != 0 && !containsByte(set, byte(ls.current))) {
		return false
	}
	ls.saveAndNext()
	return true
}

func containsByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}

// The C-locale ctype classes llex uses (Redis does not set LC_CTYPE).
func isDigit(c int) bool { return c >= '0' && c <= '9' }
func isAlpha(c int) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isAlnum(c int) bool { return isAlpha(c) || isDigit(c) }
func isSpace(c int) bool { return c == ' ' || c >= '\t' && c <= '\r' }
func isCntrl(c int) bool { return c >= 0 && c < 32 || c == 127 }

// inclinenumber skips one end of line: \n, \r, \n\r or \r\n.
func (ls *lexer) inclinenumber() {
	old := ls.current
	ls.next()
	if ls.currIsNewline() && ls.current != old {
		ls.next()
	}
	ls.line++
}

// token2str is luaX_token2str.
func token2str(t token) string {
	if t < firstReserved {
		if isCntrl(int(t)) {
			return "char(" + strconv.Itoa(int(t)) + ")"
		}
		return string([]byte{byte(t)})
	}
	return tokenNames[t-firstReserved]
}

// txtToken is the token an error message shows: the lexeme saved so far
// for names, strings and numbers (read as a C string, so up to its first
// NUL), luaX_token2str for the others.
func (ls *lexer) txtToken(t token) string {
	switch t {
	case tkName, tkString, tkNumber:
		b := ls.buf
		for i, c := range b {
			if c == 0 {
				b = b[:i]
				break
			}
		}
		return string(b)
	}
	return token2str(t)
}

// lexError is luaX_lexerror; token 0 means no "near" part.
func (ls *lexer) lexError(msg string, t token) {
	if t != 0 {
		msg += " near '" + ls.txtToken(t) + "'"
	}
	panic(syntaxError{&Error{Chunk: ls.chunk, Line: ls.line, Msg: msg}})
}

// syntaxError is luaX_syntaxerror: an error near the current token.
func (ls *lexer) syntaxError(msg string) { ls.lexError(msg, ls.t.tok) }

// advance is luaX_next.
func (ls *lexer) advance() {
	ls.lastline = ls.line
	if ls.ahead.tok != tkEOS {
		ls.t = ls.ahead
		ls.ahead.tok = tkEOS
	} else {
		ls.t = ls.llex()
	}
}

// lookahead is luaX_lookahead.
func (ls *lexer) lookahead() { ls.ahead = ls.llex() }

// readNumeral is read_numeral, with luaO_str2d judging the lexeme (the
// locale retry of trydecpoint changes nothing in the C locale).
func (ls *lexer) readNumeral() {
	for {
		ls.saveAndNext()
		if !isDigit(ls.current) && ls.current != '.' {
			break
		}
	}
	if ls.checkNext("Ee") {
		ls.checkNext("+-")
	}
	for isAlnum(ls.current) || ls.current == '_' {
		ls.saveAndNext()
	}
	if _, ok := lauxlib.StrToNumber(string(ls.buf)); !ok {
		ls.lexError("malformed number", tkNumber)
	}
}

// skipSep is skip_sep: the level of a long bracket, or -(count)-1 when
// the '='s are not followed by a second bracket.
func (ls *lexer) skipSep() int {
	count := 0
	s := ls.current
	ls.saveAndNext()
	for ls.current == '=' {
		ls.saveAndNext()
		count++
	}
	if ls.current == s {
		return count
	}
	return -count - 1
}

// readLongString is read_long_string; isString is false for a comment
// (seminfo == NULL). Without LUA_COMPAT_LSTR, an inner "[[" is text.
func (ls *lexer) readLongString(isString bool, sep int) {
	ls.saveAndNext() // skip 2nd '['
	if ls.currIsNewline() {
		ls.inclinenumber()
	}
	for {
		switch ls.current {
		case eoz:
			if isString {
				ls.lexError("unfinished long string", tkEOS)
			}
			ls.lexError("unfinished long comment", tkEOS)
		case ']':
			if ls.skipSep() == sep {
				ls.saveAndNext() // skip 2nd ']'
				return
			}
		case '\n', '\r':
			ls.save('\n')
			ls.inclinenumber()
			if !isString {
				ls.buf = ls.buf[:0]
			}
		default:
			if isString {
				ls.saveAndNext()
			} else {
				ls.next()
			}
		}
	}
}

// readString is read_string: the buffer keeps the opening quote and the
// escapes' values, which is what an error near the string shows.
func (ls *lexer) readString(del int) {
	ls.saveAndNext()
	for ls.current != del {
		switch ls.current {
		case eoz:
			ls.lexError("unfinished string", tkEOS)
		case '\n', '\r':
			ls.lexError("unfinished string", tkString)
		case '\\':
			ls.readEscape()
		default:
			ls.saveAndNext()
		}
	}
	ls.saveAndNext() // skip delimiter
}

// readEscape is read_string's backslash case.
func (ls *lexer) readEscape() {
	ls.next() // the backslash is not saved
	var c int
	switch ls.current {
	case 'a':
		c = '\a'
	case 'b':
		c = '\b'
	case 'f':
		c = '\f'
	case 'n':
		c = '\n'
	case 'r':
		c = '\r'
	case 't':
		c = '\t'
	case 'v':
		c = '\v'
	case '\n', '\r':
		ls.save('\n')
		ls.inclinenumber()
		return
	case eoz:
		return // the loop raises "unfinished string"
	default:
		if !isDigit(ls.current) {
			ls.saveAndNext() // \\, \", \' and any other character
			return
		}
		c = 0
		for i := 0; ; {
			c = 10*c + (ls.current - '0')
			ls.next()
			if i++; i >= 3 || !isDigit(ls.current) {
				break
			}
		}
		if c > 255 {
			ls.lexError("escape sequence too large", tkString)
		}
		ls.save(c)
		return
	}
	ls.save(c)
	ls.next()
}

// llex reads the next token.
func (ls *lexer) llex() tokenInfo {
	ls.buf = ls.buf[:0]
	for {
		switch c := ls.current; c {
		case '\n', '\r':
			ls.inclinenumber()
		case '-':
			ls.next()
			if ls.current != '-' {
				return tokenInfo{tok: '-'}
			}
			ls.skipComment()
		case '[':
			sep := ls.skipSep()
			if sep >= 0 {
				ls.readLongString(true, sep)
				return tokenInfo{tok: tkString}
			}
			if sep == -1 {
				return tokenInfo{tok: '['}
			}
			ls.lexError("invalid long string delimiter", tkString)
		case '=', '<', '>', '~':
			ls.next()
			if ls.current != '=' {
				return tokenInfo{tok: token(c)}
			}
			ls.next()
			return tokenInfo{tok: withEquals(c)}
		case '"', '\'':
			ls.readString(c)
			return tokenInfo{tok: tkString}
		case '.':
			ls.saveAndNext()
			if ls.checkNext(".") {
				if ls.checkNext(".") {
					return tokenInfo{tok: tkDots}
				}
				return tokenInfo{tok: tkConcat}
			}
			if !isDigit(ls.current) {
				return tokenInfo{tok: '.'}
			}
			ls.readNumeral()
			return tokenInfo{tok: tkNumber}
		case eoz:
			return tokenInfo{tok: tkEOS}
		default:
			switch {
			case isSpace(c):
				ls.next()
			case isDigit(c):
				ls.readNumeral()
				return tokenInfo{tok: tkNumber}
			case isAlpha(c) || c == '_':
				return ls.readName()
			default:
				ls.next()
				return tokenInfo{tok: token(c)} // single-character token
			}
		}
	}
}

// withEquals is the two-character token c followed by '='.
func withEquals(c int) token {
	switch c {
	case '=':
		return tkEq
	case '<':
		return tkLe
	case '>':
		return tkGe
	}
	return tkNe
}

// skipComment skips a comment after its "--": a long one when a long
// bracket opens it, otherwise the rest of the line.
func (ls *lexer) skipComment() {
	ls.next()
	if ls.current == '[' {
		sep := ls.skipSep()
		ls.buf = ls.buf[:0] // skip_sep may dirty the buffer
		if sep >= 0 {
			ls.readLongString(false, sep)
			ls.buf = ls.buf[:0]
			return
		}
	}
	for !ls.currIsNewline() && ls.current != eoz {
		ls.next()
	}
}

// readName reads an identifier or a reserved word.
func (ls *lexer) readName() tokenInfo {
	for {
		ls.saveAndNext()
		if !isAlnum(ls.current) && ls.current != '_' {
			break
		}
	}
	name := string(ls.buf)
	if t, ok := reserved[name]; ok {
		return tokenInfo{tok: t}
	}
	return tokenInfo{tok: tkName, name: name}
}
