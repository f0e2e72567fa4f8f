// Package luasyntax is a syntax checker for Lua 5.1.5 source, the dialect
// of the interpreter Redis embeds. It is a port of llex.c's lexer and of
// lparser.c's recursive-descent parser without their code generation: its
// only output is the first error Lua 5.1 would raise while compiling the
// chunk, formatted exactly as luaX_lexerror formats it,
//
//	<chunk>:<line>: <msg> near '<token>'
//
// so that a server built on another Lua implementation (keel runs
// gopher-lua, whose LALR parser words every error "syntax error" and
// accepts Lua 5.2+ syntax such as goto and labels) can answer a
// malformed script with Redis's words.
//
// What it checks: every lexical error of llex.c (unfinished string, long
// string and long comment; malformed number, judged by luaO_str2d's
// strtod semantics; escape sequence too large; invalid long string
// delimiter) and every grammar error of lparser.c ('%s' expected,
// check_match's "(to close '%s' at line %d)", unexpected symbol, ambiguous
// syntax, '...' outside a vararg function, no loop to break, function
// arguments expected, '=' or 'in' expected, "syntax error" for an
// assignment to a non-variable, chunk has too many syntax levels), and
// the limits that need no register allocation: LUAI_MAXVARS (200 active
// locals per function, counting the hidden locals of for loops and the
// implicit "arg" of a vararg function, as LUA_COMPAT_VARARG does),
// LUAI_MAXUPVALUES (60 per function) and the "variables in assignment"
// limit (LUAI_MAXCCALLS minus the current nesting). Line counting is
// llex's: \n, \r, \r\n and \n\r each end one line.
//
// Redis 7's Lua is built without LUA_COMPAT_LSTR, so "[[" inside a long
// string or comment is plain text, as here; and it does not load
// precompiled chunks, so a script starting with ESC is parsed as text.
//
// What it leaves to the compiler that runs the code (gopher-lua): the
// limits that depend on code generation, namely "function or expression
// too complex" (MAXSTACK registers), "control structure too long" (jump
// offsets), "constant table overflow", "code size overflow", and the
// memory-bound "too many local variables"/"lexical element too long"
// (SHRT_MAX declarations, MAX_SIZET lexemes) and "chunk has too many
// lines". A chunk this package accepts is valid Lua 5.1 syntax; one that
// it rejects is rejected by Lua 5.1 with the same message.
package luasyntax
