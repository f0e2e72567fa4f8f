package luasyntax

import "strconv"

// Lua 5.1's limits (luaconf.h, llimits.h) that the parser checks.
const (
	maxVars     = 200 // LUAI_MAXVARS
	maxUpvalues = 60  // LUAI_MAXUPVALUES
	maxCCalls   = 200 // LUAI_MAXCCALLS
)

// Error is a Lua 5.1 compile error.
type Error struct {
	Chunk string // the chunk name, as luaO_chunkid shows it
	Line  int
	Msg   string // the message, with its "near" part
}

func (e *Error) Error() string { return e.Chunk + ":" + strconv.Itoa(e.Line) + ": " + e.Msg }

// Check parses src as a Lua 5.1 chunk named chunk and returns its first
// compile error (an *Error), or nil when Lua 5.1 would compile it (up to
// the code-generation limits the package doc lists).
func Check(src, chunk string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			se, ok := r.(syntaxError)
			if !ok {
				panic(r)
			}
			err = se.err
		}
	}()
	p := &parser{lexer: newLexer(src, chunk)}
	p.mainFunc()
	return nil
}

// expKind is the part of expdesc's kind the checks need: whether an
// expression can be assigned to, and whether it is a call.
type expKind int

const (
	expOther expKind = iota
	expLocal
	expUpval
	expGlobal
	expIndexed
	expCall
)

// assignable is lparser's VLOCAL <= k <= VINDEXED.
func (k expKind) assignable() bool { return k >= expLocal && k <= expIndexed }

// upvalDesc identifies an upvalue as indexupvalue does: the kind (local
// or upvalue) and index of the variable in the enclosing function.
type upvalDesc struct {
	kind  expKind
	index int
}

// blockCnt is lparser's BlockCnt, without its jump lists.
type blockCnt struct {
	prev        *blockCnt
	nactvar     int
	isbreakable bool
}

// funcState is FuncState, without its code.
type funcState struct {
	prev        *funcState
	linedefined int
	isVararg    bool
	actvar      [maxVars]string // declared locals; the first nactvar are active
	nactvar     int
	bl          *blockCnt
	upvals      []upvalDesc
}

// parser is the state of lparser.c's functions.
type parser struct {
	*lexer
	fs      *funcState
	nCcalls int
}

// mainFunc is luaY_parser: the main function is always vararg.
func (p *parser) mainFunc() {
	p.openFunc(0)
	p.fs.isVararg = true
	p.advance()
	p.chunk()
	p.check(tkEOS)
	p.closeFunc()
}

func (p *parser) openFunc(line int) {
	p.fs = &funcState{prev: p.fs, linedefined: line}
}

func (p *parser) closeFunc() {
	p.removeVars(0)
	p.fs = p.fs.prev
}

// errorExpected is error_expected.
func (p *parser) errorExpected(t token) {
	p.syntaxError("'" + token2str(t) + "' expected")
}

// errorLimit is errorlimit: no "near" part, the main function or the
// line where the function was defined.
func (p *parser) errorLimit(fs *funcState, limit int, what string) {
	msg := "main function has more than " + strconv.Itoa(limit) + " " + what
	if fs.linedefined != 0 {
		msg = "function at line " + strconv.Itoa(fs.linedefined) + " has more than " + strconv.Itoa(limit) + " " + what
	}
	p.lexError(msg, 0)
}

// checkLimit is luaY_checklimit.
func (p *parser) checkLimit(fs *funcState, v, limit int, what string) {
	if v > limit {
		p.errorLimit(fs, limit, what)
	}
}

func (p *parser) testNext(t token) bool {
	if p.t.tok == t {
		p.advance()
		return true
	}
	return false
}

func (p *parser) check(t token) {
	if p.t.tok != t {
		p.errorExpected(t)
	}
}

func (p *parser) checkNext(t token) {
	p.check(t)
	p.advance()
}

func (p *parser) checkCondition(ok bool, msg string) {
	if !ok {
		p.syntaxError(msg)
	}
}

// checkMatch is check_match: the opening token is named only when it is
// on another line.
func (p *parser) checkMatch(what, who token, where int) {
	if p.testNext(what) {
		return
	}
	if where == p.line {
		p.errorExpected(what)
	}
	p.syntaxError("'" + token2str(what) + "' expected (to close '" + token2str(who) + "' at line " + strconv.Itoa(where) + ")")
}

// strCheckName is str_checkname.
func (p *parser) strCheckName() string {
	p.check(tkName)
	name := p.t.name
	p.advance()
	return name
}

// ---- variables ----

// newLocalVar is new_localvar: the n-th of the locals being declared.
func (p *parser) newLocalVar(name string, n int) {
	fs := p.fs
	p.checkLimit(fs, fs.nactvar+n+1, maxVars, "local variables")
	fs.actvar[fs.nactvar+n] = name
}

// adjustLocalVars is adjustlocalvars: the next n declared locals enter
// scope.
func (p *parser) adjustLocalVars(n int) { p.fs.nactvar += n }

func (p *parser) removeVars(tolevel int) { p.fs.nactvar = tolevel }

// indexUpvalue is indexupvalue: an upvalue of fs is found by what it
// refers to in the enclosing function, or added.
func (p *parser) indexUpvalue(fs *funcState, d upvalDesc) int {
	for i, u := range fs.upvals {
		if u == d {
			return i
		}
	}
	p.checkLimit(fs, len(fs.upvals)+1, maxUpvalues, "upvalues")
	fs.upvals = append(fs.upvals, d)
	return len(fs.upvals) - 1
}

func searchVar(fs *funcState, name string) int {
	for i := fs.nactvar - 1; i >= 0; i-- {
		if fs.actvar[i] == name {
			return i
		}
	}
	return -1
}

// singleVarAux is singlevaraux: a name is a local of fs, an upvalue of
// fs (and of every function between fs and the one declaring it), or a
// global.
func (p *parser) singleVarAux(fs *funcState, name string) upvalDesc {
	if fs == nil {
		return upvalDesc{kind: expGlobal}
	}
	if v := searchVar(fs, name); v >= 0 {
		return upvalDesc{kind: expLocal, index: v}
	}
	d := p.singleVarAux(fs.prev, name)
	if d.kind == expGlobal {
		return d
	}
	return upvalDesc{kind: expUpval, index: p.indexUpvalue(fs, d)}
}

// singleVar is singlevar.
func (p *parser) singleVar() expKind {
	name := p.strCheckName()
	return p.singleVarAux(p.fs, name).kind
}

// ---- blocks ----

func (p *parser) enterBlock(isbreakable bool) {
	p.fs.bl = &blockCnt{prev: p.fs.bl, nactvar: p.fs.nactvar, isbreakable: isbreakable}
}

func (p *parser) leaveBlock() {
	bl := p.fs.bl
	p.fs.bl = bl.prev
	p.removeVars(bl.nactvar)
}

// enterLevel is enterlevel: nesting of chunks and subexpressions is
// bounded by LUAI_MAXCCALLS (C recursion in the real parser).
func (p *parser) enterLevel() {
	p.nCcalls++
	if p.nCcalls > maxCCalls {
		p.lexError("chunk has too many syntax levels", 0)
	}
}

func (p *parser) leaveLevel() { p.nCcalls-- }

func blockFollow(t token) bool {
	switch t {
	case tkElse, tkElseif, tkEnd, tkUntil, tkEOS:
		return true
	}
	return false
}

// chunk is chunk: statements until a block ends; return and break must
// be last.
func (p *parser) chunk() {
	p.enterLevel()
	for islast := false; !islast && !blockFollow(p.t.tok); {
		islast = p.statement()
		p.testNext(';')
	}
	p.leaveLevel()
}

func (p *parser) block() {
	p.enterBlock(false)
	p.chunk()
	p.leaveBlock()
}

// ---- expressions ----

// field is field: '.' or ':' NAME.
func (p *parser) field() {
	p.advance()
	p.strCheckName()
}

// yindex is yindex: '[' expr ']'.
func (p *parser) yindex() {
	p.advance()
	p.expr()
	p.checkNext(']')
}

// recField is recfield: (NAME | '[' exp ']') '=' exp.
func (p *parser) recField() {
	if p.t.tok == tkName {
		p.strCheckName()
	} else {
		p.yindex()
	}
	p.checkNext('=')
	p.expr()
}

// constructor is constructor. A NAME item needs the lookahead to tell
// a record field from an expression.
func (p *parser) constructor() {
	line := p.line
	p.checkNext('{')
	for {
		if p.t.tok == '}' {
			break
		}
		switch p.t.tok {
		case tkName:
			p.lookahead()
			if p.ahead.tok != '=' {
				p.expr()
			} else {
				p.recField()
			}
		case '[':
			p.recField()
		default:
			p.expr()
		}
		if !p.testNext(',') && !p.testNext(';') {
			break
		}
	}
	p.checkMatch('}', '{', line)
}

// parList is parlist. A vararg function gets the local "arg"
// (LUA_COMPAT_VARARG).
func (p *parser) parList() {
	fs := p.fs
	nparams := 0
	fs.isVararg = false
	if p.t.tok != ')' {
		for {
			switch p.t.tok {
			case tkName:
				p.newLocalVar(p.strCheckName(), nparams)
				nparams++
			case tkDots:
				p.advance()
				p.newLocalVar("arg", nparams)
				nparams++
				fs.isVararg = true
			default:
				p.syntaxError("<name> or '...' expected")
			}
			if fs.isVararg || !p.testNext(',') {
				break
			}
		}
	}
	p.adjustLocalVars(nparams)
}

// body is body: '(' parlist ')' chunk END, in a new function defined at
// line.
func (p *parser) body(needself bool, line int) {
	p.openFunc(line)
	p.checkNext('(')
	if needself {
		p.newLocalVar("self", 0)
		p.adjustLocalVars(1)
	}
	p.parList()
	p.checkNext(')')
	p.chunk()
	p.checkMatch(tkEnd, tkFunction, line)
	p.closeFunc()
}

// expList1 is explist1: expr { ',' expr }.
func (p *parser) expList1() {
	p.expr()
	for p.testNext(',') {
		p.expr()
	}
}

// funcArgs is funcargs. A '(' on a later line than the function
// expression is refused: Lua 5.1 cannot tell a call from a new statement.
func (p *parser) funcArgs() {
	line := p.line
	switch p.t.tok {
	case '(':
		if line != p.lastline {
			p.syntaxError("ambiguous syntax (function call x new statement)")
		}
		p.advance()
		if p.t.tok != ')' {
			p.expList1()
		}
		p.checkMatch(')', '(', line)
	case '{':
		p.constructor()
	case tkString:
		p.advance()
	default:
		p.syntaxError("function arguments expected")
	}
}

// prefixExp is prefixexp: NAME | '(' expr ')'. A parenthesized
// expression is a value, never a variable or a call.
func (p *parser) prefixExp() expKind {
	switch p.t.tok {
	case '(':
		line := p.line
		p.advance()
		p.expr()
		p.checkMatch(')', '(', line)
		return expOther
	case tkName:
		return p.singleVar()
	}
	p.syntaxError("unexpected symbol")
	return expOther
}

// primaryExp is primaryexp: prefixexp { '.' NAME | '[' exp ']' |
// ':' NAME funcargs | funcargs }.
func (p *parser) primaryExp() expKind {
	k := p.prefixExp()
	for {
		switch p.t.tok {
		case '.':
			p.field()
			k = expIndexed
		case '[':
			p.yindex()
			k = expIndexed
		case ':':
			p.advance()
			p.strCheckName()
			p.funcArgs()
			k = expCall
		case '(', tkString, '{':
			p.funcArgs()
			k = expCall
		default:
			return k
		}
	}
}

// simpleExp is simpleexp.
func (p *parser) simpleExp() {
	switch p.t.tok {
	case tkNumber, tkString, tkNil, tkTrue, tkFalse:
	case tkDots:
		p.checkCondition(p.fs.isVararg, "cannot use '...' outside a vararg function")
	case '{':
		p.constructor()
		return
	case tkFunction:
		p.advance()
		p.body(false, p.line)
		return
	default:
		p.primaryExp()
		return
	}
	p.advance()
}

// binOpr is BinOpr; opNone is OPR_NOBINOPR.
type binOpr int

const (
	opNone binOpr = iota
	opAdd
	opSub
	opMul
	opDiv
	opMod
	opPow
	opConcat
	opNe
	opEq
	opLt
	opLe
	opGt
	opGe
	opAnd
	opOr
)

// priority is lparser's priority table, indexed by binOpr.
var priority = [...]struct{ left, right int }{
	opAdd: {6, 6}, opSub: {6, 6}, opMul: {7, 7}, opDiv: {7, 7}, opMod: {7, 7},
	opPow: {10, 9}, opConcat: {5, 4},
	opNe: {3, 3}, opEq: {3, 3}, opLt: {3, 3}, opLe: {3, 3}, opGt: {3, 3}, opGe: {3, 3},
	opAnd: {2, 2}, opOr: {1, 1},
}

const unaryPriority = 8

func getBinOpr(t token) binOpr {
	switch t {
	case '+':
		return opAdd
	case '-':
		return opSub
	case '*':
		return opMul
	case '/':
		return opDiv
	case '%':
		return opMod
	case '^':
		return opPow
	case tkConcat:
		return opConcat
	case tkNe:
		return opNe
	case tkEq:
		return opEq
	case '<':
		return opLt
	case tkLe:
		return opLe
	case '>':
		return opGt
	case tkGe:
		return opGe
	case tkAnd:
		return opAnd
	case tkOr:
		return opOr
	}
	return opNone
}

func isUnOpr(t token) bool { return t == tkNot || t == '-' || t == '#' }

// subExpr is subexpr: (simpleexp | unop subexpr) { binop subexpr },
// taking operators whose left priority exceeds limit.
func (p *parser) subExpr(limit int) binOpr {
	p.enterLevel()
	if isUnOpr(p.t.tok) {
		p.advance()
		p.subExpr(unaryPriority)
	} else {
		p.simpleExp()
	}
	op := getBinOpr(p.t.tok)
	for op != opNone && priority[op].left > limit {
		p.advance()
		op = p.subExpr(priority[op].right)
	}
	p.leaveLevel()
	return op
}

func (p *parser) expr() { p.subExpr(0) }

// ---- statements ----

// cond is cond.
func (p *parser) cond() { p.expr() }

// breakStat is breakstat: break leaves the innermost loop of the
// function.
func (p *parser) breakStat() {
	bl := p.fs.bl
	for bl != nil && !bl.isbreakable {
		bl = bl.prev
	}
	if bl == nil {
		p.syntaxError("no loop to break")
	}
}

func (p *parser) whileStat(line int) {
	p.advance() // skip WHILE
	p.cond()
	p.enterBlock(true)
	p.checkNext(tkDo)
	p.block()
	p.checkMatch(tkEnd, tkWhile, line)
	p.leaveBlock()
}

// repeatStat is repeatstat: the condition sees the body's locals.
func (p *parser) repeatStat(line int) {
	p.enterBlock(true)  // loop block
	p.enterBlock(false) // scope block
	p.advance()         // skip REPEAT
	p.chunk()
	p.checkMatch(tkUntil, tkRepeat, line)
	p.cond()
	p.leaveBlock()
	p.leaveBlock()
}

// forBody is forbody: the three control variables, then the declared
// ones in the body's scope.
func (p *parser) forBody(nvars int) {
	p.adjustLocalVars(3)
	p.checkNext(tkDo)
	p.enterBlock(false)
	p.adjustLocalVars(nvars)
	p.block()
	p.leaveBlock()
}

// forNum is fornum: NAME = exp1, exp1 [, exp1] forbody.
func (p *parser) forNum(varname string) {
	p.newLocalVar("(for index)", 0)
	p.newLocalVar("(for limit)", 1)
	p.newLocalVar("(for step)", 2)
	p.newLocalVar(varname, 3)
	p.checkNext('=')
	p.expr()
	p.checkNext(',')
	p.expr()
	if p.testNext(',') {
		p.expr()
	}
	p.forBody(1)
}

// forList is forlist: NAME {, NAME} IN explist1 forbody.
func (p *parser) forList(indexname string) {
	p.newLocalVar("(for generator)", 0)
	p.newLocalVar("(for state)", 1)
	p.newLocalVar("(for control)", 2)
	p.newLocalVar(indexname, 3)
	nvars := 4
	for p.testNext(',') {
		p.newLocalVar(p.strCheckName(), nvars)
		nvars++
	}
	p.checkNext(tkIn)
	p.expList1()
	p.forBody(nvars - 3)
}

func (p *parser) forStat(line int) {
	p.enterBlock(true) // scope for loop and control variables
	p.advance()        // skip FOR
	varname := p.strCheckName()
	switch p.t.tok {
	case '=':
		p.forNum(varname)
	case ',', tkIn:
		p.forList(varname)
	default:
		p.syntaxError("'=' or 'in' expected")
	}
	p.checkMatch(tkEnd, tkFor, line)
	p.leaveBlock()
}

// testThenBlock is test_then_block: [IF | ELSEIF] cond THEN block.
func (p *parser) testThenBlock() {
	p.advance()
	p.cond()
	p.checkNext(tkThen)
	p.block()
}

func (p *parser) ifStat(line int) {
	p.testThenBlock()
	for p.t.tok == tkElseif {
		p.testThenBlock()
	}
	if p.t.tok == tkElse {
		p.advance()
		p.block()
	}
	p.checkMatch(tkEnd, tkIf, line)
}

// localFunc is localfunc: the name is in scope in the body (recursion).
func (p *parser) localFunc() {
	p.newLocalVar(p.strCheckName(), 0)
	p.adjustLocalVars(1)
	p.body(false, p.line)
}

// localStat is localstat: the names enter scope after the expressions.
func (p *parser) localStat() {
	nvars := 0
	for {
		p.newLocalVar(p.strCheckName(), nvars)
		nvars++
		if !p.testNext(',') {
			break
		}
	}
	if p.testNext('=') {
		p.expList1()
	}
	p.adjustLocalVars(nvars)
}

// funcName is funcname: NAME {'.' NAME} [':' NAME]; it reports whether
// the function is a method (needs self).
func (p *parser) funcName() bool {
	p.singleVar()
	for p.t.tok == '.' {
		p.field()
	}
	if p.t.tok == ':' {
		p.field()
		return true
	}
	return false
}

func (p *parser) funcStat(line int) {
	p.advance() // skip FUNCTION
	needself := p.funcName()
	p.body(needself, line)
}

// exprStat is exprstat: a call, or the first target of an assignment.
func (p *parser) exprStat() {
	k := p.primaryExp()
	if k != expCall {
		p.assignment(k, 1)
	}
}

// assignment is assignment: every target must be a variable, and their
// number is bounded by the C recursion left (LUAI_MAXCCALLS - nCcalls).
func (p *parser) assignment(k expKind, nvars int) {
	p.checkCondition(k.assignable(), "syntax error")
	if p.testNext(',') {
		nk := p.primaryExp()
		p.checkLimit(p.fs, nvars, maxCCalls-p.nCcalls, "variables in assignment")
		p.assignment(nk, nvars+1)
		return
	}
	p.checkNext('=')
	p.expList1()
}

func (p *parser) retStat() {
	p.advance() // skip RETURN
	if !blockFollow(p.t.tok) && p.t.tok != ';' {
		p.expList1()
	}
}

// statement is statement; it reports whether the statement must be the
// last of its block (return, break).
func (p *parser) statement() bool {
	line := p.line
	switch p.t.tok {
	case tkIf:
		p.ifStat(line)
	case tkWhile:
		p.whileStat(line)
	case tkDo:
		p.advance()
		p.block()
		p.checkMatch(tkEnd, tkDo, line)
	case tkFor:
		p.forStat(line)
	case tkRepeat:
		p.repeatStat(line)
	case tkFunction:
		p.funcStat(line)
	case tkLocal:
		p.advance()
		if p.testNext(tkFunction) {
			p.localFunc()
		} else {
			p.localStat()
		}
	case tkReturn:
		p.retStat()
		return true
	case tkBreak:
		p.advance()
		p.breakStat()
		return true
	default:
		p.exprStat()
	}
	return false
}
