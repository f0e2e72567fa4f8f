package keel

// Lua scripting: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT, as Redis
// 7.0 has them, on gopher-lua (a Lua 5.1 virtual machine in Go; Redis
// embeds Lua 5.1).
//
// A script runs as one command: EVAL holds db.mu exclusively from the
// script's start to its end, the commands it calls through redis.call
// run in the script's context (its Ctx's record, its clock), and
// everything they change goes into EVAL's one WAL record. So after a
// crash a script is wholly applied or absent, on every engine (DESIGN
// invariant 4) — which Redis, replicating a script's effects as
// MULTI/EXEC, promises only to its replicas. As in Redis, a script that
// fails half-way keeps what it did before the failure (nothing is rolled
// back), and that is what the record holds.
//
// The Lua state is one per DB, made at the first script and again after
// SCRIPT FLUSH, used only under db.mu (exclusive). Its sandbox is Redis
// 7.0's: the libraries base (without dofile, loadfile, print, the
// environment functions, module and require), table, string, math,
// coroutine, cjson, cmsgpack, bit and struct; math.random is Redis's
// rand48 sequence, which carries on from script to script; and the
// global table and every library table are read-only, a global that was
// never set is an error (scriptsandbox.go).
//
// Known differences from Redis, all of the VM: a compile error's text is
// gopher-lua's after the "user_script:<line>:" prefix; a number turned
// into a string by concatenation ("x" .. n) is formatted by Go (0.1+0.2
// gives 0.30000000000000004, not Lua's 0.3; integers below 2^53 print
// alike), while tostring, string.format("%s") through tostring, and
// redis.call's arguments format as Redis does; table traversal order
// (pairs, next, a {map=...} reply) follows gopher-lua's hash tables.

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"math"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/keeldb/keel/internal/lauxlib"
	"github.com/keeldb/keel/internal/luasyntax"
)

// RedisVersion is the Redis version keel reports (INFO, HELLO,
// redis.REDIS_VERSION): the Redis 7 behaviour it implements.
const RedisVersion = "7.0.15"

// luaScript is one compiled script of the cache.
type luaScript struct {
	body  string
	sha   string // lower-case SHA1 hex of body
	fn    *lua.LFunction
	flags scriptFlags
}

// scriptFlags are a script's shebang flags (Redis's SCRIPT_FLAG_*).
type scriptFlags uint8

const (
	scriptNoWrites scriptFlags = 1 << iota
	scriptAllowOOM
	scriptAllowStale
	scriptNoCluster
	scriptAllowCrossSlot
	// scriptCompat: no shebang (Redis's SCRIPT_FLAG_EVAL_COMPAT_MODE): the
	// script may write unless run by EVAL_RO, and maxmemory is checked
	// at its first write instead of at its start.
	scriptCompat
)

var scriptFlagNames = []struct {
	name string
	f    scriptFlags
}{
	{"no-writes", scriptNoWrites}, {"allow-oom", scriptAllowOOM}, {"allow-stale", scriptAllowStale},
	{"no-cluster", scriptNoCluster}, {"allow-cross-slot-keys", scriptAllowCrossSlot},
}

// scriptFlagNamed is the flag of a shebang's (or register_function's)
// name.
func scriptFlagNamed(name string) (scriptFlags, bool) {
	for _, n := range scriptFlagNames {
		if name == n.name {
			return n.f, true
		}
	}
	return 0, false
}

// luaVM is a Lua state and its sandbox: EVAL's, and the functions'
// (functions.go), each made at first use. Used only under db.mu
// (exclusive).
type luaVM struct {
	L       *lua.LState
	sandbox *sandbox
	// ctx is the state's context (SCRIPT KILL cancels it, and the next
	// script gets a new one): gopher-lua checks it between instructions,
	// which makes it the instruction hook too (scriptCtx).
	ctx    context.Context
	cancel context.CancelFunc
}

// close drops the state (SCRIPT FLUSH, FUNCTION FLUSH): the next use
// makes a new one.
func (vm *luaVM) close() {
	if vm.L != nil {
		vm.L.Close()
	}
	*vm = luaVM{}
}

// scriptState is the DB's scripting engine.
type scriptState struct {
	// vm is EVAL's Lua state; guarded by db.mu (exclusive), as are
	// scripts, rand and run.
	vm      luaVM
	scripts map[string]*luaScript // by lower-case SHA1 hex
	// byBody holds the same scripts by body: EVAL of a cached script
	// finds it without hashing its body (SHA1 and its hex were 7% of EVAL
	// p16's CPU, perf) or copying it.
	byBody map[string]*luaScript
	// cached and bodies count the cached scripts and their bytes (INFO,
	// which reads them without db.mu).
	cached, bodies atomic.Int64
	// rand is Redis's redisLrand48 state: math.random's sequence runs on
	// from script to script, from Redis's initial state.
	rand uint64
	// The buffers of redis.call, kept from call to call: its arguments
	// and its reply's builder.
	callArgs [][]byte
	callBuf  []byte
	reply    luaReply
	// run is the script running, nil between scripts.
	run *scriptRun
	// running is run, for SCRIPT KILL and the BUSY check, which do not
	// take db.mu.
	running atomic.Pointer[scriptRun]
	// busyAfter is busy-reply-threshold (lua-time-limit) in ms: a script
	// running longer makes other clients' commands fail with BUSY.
	busyAfter atomic.Int64
	// work is what other goroutines hand the running script's goroutine,
	// busyHook what tells the server a script turned busy, on busyTimer
	// while busyArmed (guarded by work.mu), and resumeHook what tells it a
	// waiter can go on (scriptbusy.go).
	work       scriptWork
	waiters    lockWaiters
	busyHook   func(*Session)
	resumeHook func(*Session)
	busyTimer  *time.Timer
	busyArmed  bool
}

// rand48Init is redisLrand48's state before any seeding.
const rand48Init = 0x1234ABCD330E

// scriptRun is the context of the script running.
type scriptRun struct {
	c        *Ctx     // EVAL's context: its record, its clock
	name     string   // the script's SHA1, or the function's name
	function bool     // FCALL's (FUNCTION KILL stops it, not SCRIPT KILL)
	args     [][]byte // FCALL's arguments (FUNCTION STATS): the request's, unchanged while it runs
	flags    scriptFlags
	readOnly bool // EVAL_RO, EVALSHA_RO or no-writes
	oom      bool // over maxmemory when the script started
	resp     int  // redis.setresp: the protocol of redis.call's replies
	// wrote: a write command ran, so SCRIPT KILL may not stop the
	// script; set under db.mu, read by SCRIPT KILL without it.
	wrote  atomic.Bool
	start  time.Time
	killed atomic.Bool
	cancel context.CancelFunc
}

// StopScript stops the running script, if any, even one that wrote
// (shutdown: SHUTDOWN NOSAVE is how Redis ends an unkillable script).
func (db *DB) StopScript() {
	if r := db.scripts.running.Load(); r != nil {
		r.killed.Store(true)
		r.cancel()
	}
}

// SetBusyReplyThreshold sets busy-reply-threshold (lua-time-limit), in ms.
func (db *DB) SetBusyReplyThreshold(ms int64) { db.scripts.busyAfter.Store(ms) }

// ScriptBusy reports whether a script has been running longer than
// busy-reply-threshold: commands but those flagged allow_busy are then
// refused with BUSY, as Redis refuses them while a script is busy.
func (db *DB) ScriptBusy() bool {
	r := db.scripts.running.Load()
	return r != nil && time.Since(r.start) >= time.Duration(db.scripts.busyAfter.Load())*time.Millisecond
}

const (
	errBusy         = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
	errBusyFunction = "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."
)

// busyError is the BUSY reply while a script runs: it names the KILL
// that stops it (FUNCTION KILL for a function).
func (db *DB) busyError() string {
	if r := db.scripts.running.Load(); r != nil && r.function {
		return errBusyFunction
	}
	return errBusy
}

// bySHA returns the cached script whose SHA1 hex is sha in any case, nil
// when there is none. A lower-case sha (what SCRIPT LOAD replies) is
// looked up without a copy.
func (st *scriptState) bySHA(sha []byte) *luaScript {
	if s := st.scripts[string(sha)]; s != nil {
		return s
	}
	return st.scripts[strings.ToLower(string(sha))]
}

// sha1Hex is the lower-case hex SHA1 of s (script ids, redis.sha1hex).
func sha1Hex(s string) string {
	h := sha1.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

// vm returns the Lua state, making it at first use.
func (db *DB) vm() *lua.LState {
	st := &db.scripts
	if st.vm.L == nil {
		st.vm.L, st.vm.sandbox = newScriptVM(db, false)
	}
	return st.vm.L
}

// parseShebang splits a script into its flags and its Lua code. The
// shebang line is blanked, not cut, so that the code's line numbers stay
// the script's.
func parseShebang(body string) (scriptFlags, string, string) {
	if !strings.HasPrefix(body, "#!") {
		return scriptCompat, body, ""
	}
	nl := strings.IndexByte(body, '\n')
	if nl < 0 {
		return 0, "", "ERR Invalid script shebang"
	}
	parts := strings.Fields(body[:nl])
	if parts[0] != "#!lua" {
		return 0, "", "ERR Unexpected engine in script shebang: " + parts[0]
	}
	var flags scriptFlags
	for _, p := range parts[1:] {
		list, ok := strings.CutPrefix(p, "flags=")
		if !ok {
			return 0, "", "ERR Unknown lua shebang option: " + p
		}
		if list == "" {
			continue
		}
		for name := range strings.SplitSeq(list, ",") {
			f, ok := scriptFlagNamed(name)
			if !ok {
				return 0, "", "ERR Unexpected flag in script shebang: " + name
			}
			flags |= f
		}
	}
	return flags, body[nl:], ""
}

// loadScript returns the cached script of body, compiling and caching it
// if it is new; errMsg is the error reply when it does not compile.
func (db *DB) loadScript(body string) (s *luaScript, sha, errMsg string) {
	sha = sha1Hex(body)
	L := db.vm()
	if s := db.scripts.scripts[sha]; s != nil {
		return s, sha, ""
	}
	flags, code, errMsg := parseShebang(body)
	if errMsg != "" {
		return nil, sha, errMsg
	}
	// Lua 5.1's parser words the error (and refuses what gopher-lua
	// accepts beyond 5.1); gopher-lua's own error is the fallback.
	if err := luasyntax.Check(code, "user_script"); err != nil {
		return nil, sha, "ERR Error compiling script (new function): " + err.Error()
	}
	fn, err := L.Load(strings.NewReader(code), "user_script")
	if err != nil {
		return nil, sha, "ERR Error compiling script (new function): " + compileError(err, "user_script", strings.Count(code, "\n")+1)
	}
	fn.Env = db.scripts.vm.sandbox.globals
	s = &luaScript{body: body, sha: sha, fn: fn, flags: flags}
	db.scripts.scripts[sha] = s
	db.scripts.byBody[body] = s
	db.scripts.cached.Add(1)
	db.scripts.bodies.Add(int64(len(body)))
	return s, sha, ""
}

// compileError rewrites gopher-lua's syntax error ("user_script line:1(column:9)
// near 'x':   syntax error") in Lua's form ("user_script:1: syntax error
// near 'x'"), so that clients matching the prefix find the line. It is
// reached only for code that luasyntax (Lua 5.1's parser) accepts.
func compileError(err error, chunk string, lines int) string {
	msg := err.Error()
	if ae, ok := err.(*lua.ApiError); ok {
		msg = ae.Object.String()
	}
	msg = strings.TrimPrefix(msg, "<string>: ")
	if rest, ok := strings.CutPrefix(msg, chunk+" at EOF:"); ok {
		return chunk + ":" + strconv.Itoa(lines) + ": " + strings.TrimSpace(rest) + " near '<eof>'"
	}
	rest, ok := strings.CutPrefix(msg, chunk+" line:")
	if !ok {
		return msg
	}
	end := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
	if end <= 0 {
		return msg
	}
	line := rest[:end]
	rest = rest[end:]
	if i := strings.IndexByte(rest, ')'); i >= 0 && strings.HasPrefix(rest, "(column:") {
		rest = rest[i+1:]
	}
	near := ""
	if r, ok := strings.CutPrefix(rest, " near "); ok {
		if i := strings.Index(r, ":"); i >= 0 {
			near, rest = r[:i], r[i+1:]
		}
	} else {
		rest = strings.TrimPrefix(rest, ":")
	}
	out := chunk + ":" + line + ": " + strings.TrimSpace(rest)
	if near != "" {
		out += " near " + strings.ReplaceAll(near, "'EOF'", "'<eof>'")
	}
	return out
}

// ---- EVAL and EVALSHA ----

func cmdEval(c *Ctx)    { c.eval(false) }
func cmdEvalSha(c *Ctx) { c.eval(true) }

// eval runs EVAL, EVALSHA and their _RO forms (Redis's evalGenericCommand).
func (c *Ctx) eval(bySHA bool) {
	db := c.DB
	// MONITOR shows EVAL before the commands its script runs, and when it
	// fails (EVAL is skip_monitor: the feed after it is skipped).
	db.feedMonitorsAlways(c.S, c.Cmd, c.Args)
	numkeys, ok := parseInt(c.Args[2])
	if !ok {
		c.Error(errNotInt)
		return
	}
	if numkeys > int64(len(c.Args)-3) {
		c.Error("ERR Number of keys can't be greater than number of args")
		return
	}
	if numkeys < 0 {
		c.Error("ERR Number of keys can't be negative")
		return
	}
	var s *luaScript
	if bySHA {
		if s = db.scripts.bySHA(c.Args[1]); s == nil {
			c.Error("NOSCRIPT No matching script. Please use EVAL.")
			return
		}
	} else if s = db.scripts.byBody[string(c.Args[1])]; s == nil {
		var errMsg string
		if s, _, errMsg = db.loadScript(string(c.Args[1])); errMsg != "" {
			c.Error(errMsg)
			return
		}
	}
	sha := s.sha
	ro := strings.HasSuffix(c.Cmd.Name, "_ro")
	if s.flags&scriptCompat == 0 && c.refusedByFlags(s.flags, ro) {
		return
	}
	keys := c.Args[3 : 3+numkeys]
	argv := c.Args[3+numkeys:]
	run := &scriptRun{c: c, name: sha, flags: s.flags, readOnly: ro || s.flags&scriptNoWrites != 0}
	db.runScript(&db.scripts.vm, run, s.fn, keys, argv)
}

// refusedByFlags checks declared flags before a script or function runs
// (Redis's scriptPrepareForRun): a _RO command runs only no-writes ones,
// and one that may write and did not allow OOM is refused over
// maxmemory. It reports whether it refused (the error is replied).
func (c *Ctx) refusedByFlags(flags scriptFlags, ro bool) bool {
	if ro && flags&scriptNoWrites == 0 {
		c.Error("ERR Can not execute a script with write flag using *_ro command.")
		return true
	}
	if flags&(scriptNoWrites|scriptAllowOOM) == 0 && c.DB.overMemory() {
		c.Error(oomError)
		return true
	}
	return false
}

// scriptMayWrite reports whether EVAL, EVALSHA or FCALL of arg (the
// body, SHA1 or function name) may write, as Redis's evalGetCommandFlags
// and fcallGetCommandFlags tell a WRITE pause: a script or function that
// declared no-writes may not; one without flags, or unknown, may.
func (db *DB) scriptMayWrite(cmd *Command, arg []byte) bool {
	var flags scriptFlags
	switch cmd.Name {
	case "eval":
		flags, _, _ = parseShebang(string(arg))
	case "evalsha":
		db.mu.RLock()
		s := db.scripts.bySHA(arg)
		db.mu.RUnlock()
		if s == nil {
			return true
		}
		flags = s.flags
	case "fcall":
		db.mu.RLock()
		fn := db.funcs.funcs[strings.ToLower(string(arg))]
		db.mu.RUnlock()
		if fn == nil {
			return true
		}
		flags = fn.flags
	}
	return flags&scriptCompat != 0 || flags&scriptNoWrites == 0
}

// runScript runs fn in vm for run: an EVAL script with the KEYS and ARGV
// globals, a function (run.function) with keys and args as its
// arguments; it writes the reply.
func (db *DB) runScript(vm *luaVM, run *scriptRun, fn *lua.LFunction, keys, argv [][]byte) {
	st := &db.scripts
	c := run.c
	L := vm.L
	if vm.ctx == nil || vm.ctx.Err() != nil {
		// The first script, or the one after a SCRIPT KILL.
		vm.ctx, vm.cancel = newScriptCtx(&st.work)
		L.SetContext(vm.ctx)
	}
	run.oom, run.resp, run.start, run.cancel = db.overMemory(), 2, time.Now(), vm.cancel
	st.run = run
	st.running.Store(run)
	db.scriptStarts()
	savedDB := c.S.DB
	c.S.InScript = true
	defer func() {
		db.scriptEnds()
		st.running.Store(nil)
		st.run = nil
		c.S.DB = savedDB
		c.S.InScript = false
	}()
	nargs := 0
	L.Push(fn)
	if run.function {
		L.Push(luaStrings(L, keys))
		L.Push(luaStrings(L, argv))
		nargs = 2
	} else {
		vm.sandbox.setArgs(L, keys, argv)
	}
	err := L.PCall(nargs, 1, vm.sandbox.errHandler)
	if err != nil {
		if run.killed.Load() {
			// Where it was stopped: the error handler's source and line.
			c.Error(killedError(err, run.name))
			return
		}
		c.Error(scriptError(err, run.name))
		return
	}
	ret := L.Get(-1)
	L.Pop(1)
	luaToReply(ret, c.R, run.resp, 0)
}

// killedError is the reply of a script SCRIPT KILL or FUNCTION KILL
// stopped, with the place the error handler found it at.
func killedError(err error, name string) string {
	_, where := scriptErrorParts(err)
	return "ERR Script killed by user with SCRIPT KILL... script: " + name + where
}

// scriptError formats a script's uncaught error as Redis does: "<err>
// script: <sha or function>, on <source>:<line>.".
func scriptError(err error, name string) string {
	msg, where := scriptErrorParts(err)
	return msg + " script: " + name + where
}

// scriptErrorParts splits a script's uncaught error, which the error
// handler made a table {err=, source=, line=} (a string error became
// "ERR <message>"), into its message and where it was raised (", on
// <source>:<line>.", or "").
func scriptErrorParts(err error) (msg, where string) {
	ae, ok := err.(*lua.ApiError)
	if !ok {
		return "ERR " + err.Error(), ""
	}
	t, ok := ae.Object.(*lua.LTable)
	if !ok {
		return "ERR " + lua.LVAsString(ae.Object), ""
	}
	e, ok := t.RawGetString("err").(lua.LString)
	if !ok {
		// Redis 7.0.15 crashes on error({}); 7.2 answers this.
		e = "ERR unknown error"
	}
	if src, ok := t.RawGetString("source").(lua.LString); ok {
		where = ", on " + string(src) + ":" + lua.LVAsString(t.RawGetString("line")) + "."
	}
	return string(e), where
}

// ---- redis.call and redis.pcall ----

// scriptCall runs a command for the running script (Redis's
// luaRedisGenericCommand and scriptCall): raise makes an error reply a
// Lua error (redis.call), else it is returned as {err=...} (redis.pcall).
func (db *DB) scriptCall(L *lua.LState, raise bool) int {
	run := db.scripts.run
	fail := func(msg string) int {
		t := errorTable(L, msg)
		if raise {
			L.Error(t, 0)
		}
		L.Push(t)
		return 1
	}
	n := L.GetTop()
	if n == 0 {
		return fail("ERR Please specify at least one argument for this redis lib call")
	}
	// The arguments go into the run's buffers, reused from call to call:
	// a handler keeps nothing of its arguments past its return (the
	// server reuses its request buffer alike).
	st := &db.scripts
	if st.callBuf == nil {
		st.callBuf = make([]byte, 0, 256) // an empty argument stays non-nil
	}
	args, buf := st.callArgs[:0], st.callBuf[:0]
	for i := 1; i <= n; i++ {
		start := len(buf)
		switch v := L.Get(i).(type) {
		case lua.LString:
			buf = append(buf, v...)
		case lua.LNumber:
			buf = append(buf, formatLuaArg(float64(v))...)
		default:
			return fail("ERR Lua redis lib command arguments must be strings or integers")
		}
		args = append(args, buf[start:len(buf):len(buf)])
	}
	st.callArgs, st.callBuf = args, buf
	cmd, known := Lookup(args[0]), false
	if cmd != nil {
		cmd, known = cmd.Resolve(args)
	}
	if !known {
		return fail("ERR Unknown Redis command called from script")
	}
	if !cmd.ArityOK(len(args)) {
		return fail("ERR Wrong number of args calling Redis command from script")
	}
	if cmd.Flags&FlagNoScript != 0 {
		return fail("ERR This Redis command is not allowed from script")
	}
	if cmd.Flags&FlagWrite != 0 {
		if run.readOnly {
			return fail("ERR Write commands are not allowed from read-only scripts.")
		}
	}
	if cmd.Flags&FlagDenyOOM != 0 && run.flags&scriptAllowOOM == 0 && run.oom && !run.wrote.Load() {
		// Only before the script's first write: past it, stopping would
		// leave the script half done.
		return fail(oomError)
	}
	if cmd.Flags&FlagWrite != 0 {
		run.wrote.Store(true)
	}
	lr := &st.reply
	*lr = luaReply{L: L, proto: run.resp, stack: lr.stack[:0]}
	run.c.runInside(cmd, args, lr, true)
	v := lr.result()
	if t, ok := v.(*lua.LTable); ok && raise {
		if _, isErr := t.RawGetString("err").(lua.LString); isErr && lr.isError {
			L.Error(t, 0)
		}
	}
	L.Push(v)
	return 1
}

// errorTable is the Lua form of an error reply, {err=msg}.
func errorTable(L *lua.LState, msg string) *lua.LTable {
	t := L.NewTable()
	t.RawSetString("err", lua.LString(msg))
	return t
}

// formatLuaArg formats a number argument of redis.call as Redis 7.0 does
// (C's "%.17g"): 0.1+0.2 is "0.30000000000000004", 1e20 "1e+20".
func formatLuaArg(f float64) string { return lauxlib.FormatG(f, 17) }

// ---- conversions ----

// luaReply is the Reply of a command a script calls: it builds the Lua
// value of the reply (Redis's redisProtocolToLuaType) in the protocol
// the script chose with redis.setresp.
type luaReply struct {
	L       *lua.LState
	proto   int
	stack   []luaAgg
	top     lua.LValue
	isError bool // the reply is an error reply
}

type luaAgg struct {
	t     *lua.LTable // where elements go: the array, or map's / set's inner table
	outer lua.LValue  // the value the aggregate becomes
	kind  byte        // '*' array, '%' map, '~' set
	left  int         // elements still to come
	n     int         // array elements so far
	key   lua.LValue  // a map's pending key
}

func (r *luaReply) result() lua.LValue {
	if r.top == nil {
		return lua.LNil
	}
	return r.top
}

func (r *luaReply) push(v lua.LValue) {
	for {
		if len(r.stack) == 0 {
			r.top = v
			return
		}
		a := &r.stack[len(r.stack)-1]
		switch a.kind {
		case '*':
			a.n++
			a.t.RawSetInt(a.n, v)
		case '~':
			a.t.RawSet(v, lua.LTrue)
		case '%':
			if a.key == nil {
				a.key = v
				a.left--
				if a.left > 0 {
					return
				}
				v = nil
			} else {
				a.t.RawSet(a.key, v)
				a.key = nil
			}
		}
		if a.kind != '%' || v != nil {
			a.left--
		}
		if a.left > 0 {
			return
		}
		v = a.outer
		r.stack = r.stack[:len(r.stack)-1]
	}
}

func (r *luaReply) open(kind byte, n int) {
	t := r.L.NewTable()
	outer := lua.LValue(t)
	switch kind {
	case '%':
		outer = r.wrap("map", t)
		n *= 2
	case '~':
		outer = r.wrap("set", t)
	}
	if n <= 0 {
		r.push(outer)
		return
	}
	r.stack = append(r.stack, luaAgg{t: t, outer: outer, kind: kind, left: n})
}

func (r *luaReply) wrap(field string, v lua.LValue) *lua.LTable {
	t := r.L.NewTable()
	t.RawSetString(field, v)
	return t
}

func (r *luaReply) Simple(s string) { r.push(r.wrap("ok", lua.LString(s))) }
func (r *luaReply) Error(msg string) {
	if len(r.stack) == 0 {
		r.isError = true
	}
	r.push(r.wrap("err", lua.LString(msg)))
}
func (r *luaReply) Int(n int64)         { r.push(lua.LNumber(n)) }
func (r *luaReply) Bulk(b []byte)       { r.push(lua.LString(b)) }
func (r *luaReply) BulkString(s string) { r.push(lua.LString(s)) }
func (r *luaReply) Null() {
	if r.proto == 2 {
		r.push(lua.LFalse)
	} else {
		r.push(lua.LNil)
	}
}
func (r *luaReply) NullArray() { r.Null() }
func (r *luaReply) Array(n int) {
	r.open('*', n)
}
func (r *luaReply) Map(n int) {
	if r.proto == 2 {
		r.open('*', 2*n)
		return
	}
	r.open('%', n)
}
func (r *luaReply) Set(n int) {
	if r.proto == 2 {
		r.open('*', n)
		return
	}
	r.open('~', n)
}
func (r *luaReply) Double(f float64) {
	if r.proto == 2 {
		r.push(lua.LString(formatFloat(f)))
		return
	}
	r.push(r.wrap("double", lua.LNumber(f)))
}
func (r *luaReply) Bool(b bool) {
	if r.proto == 2 {
		if b {
			r.push(lua.LNumber(1))
		} else {
			r.push(lua.LNumber(0))
		}
		return
	}
	r.push(lua.LBool(b))
}
func (r *luaReply) Verbatim(s string) {
	if r.proto == 2 {
		r.push(lua.LString(s))
		return
	}
	t := r.L.NewTable()
	t.RawSetString("format", lua.LString("txt"))
	t.RawSetString("string", lua.LString(s))
	r.push(r.wrap("verbatim_string", t))
}
func (r *luaReply) Proto() int { return r.proto }

// luaToReply writes a script's Lua value as a reply (Redis's
// luaReplyToRedisReply): a number is an integer (C's truncation), a
// boolean 1 or null (RESP3 scripts: a boolean), a table with a string
// err or ok field an error or a status, double, map, set and
// verbatim_string tables their RESP3 types, any other table an array up
// to its first nil; anything else is null.
// resp is the protocol the script chose (redis.setresp).
func luaToReply(v lua.LValue, r Reply, resp, depth int) {
	if depth >= maxReplyDepth {
		// A table that holds itself, or nests deeper than Redis's Lua
		// stack lets it convert.
		r.Error("ERR reached lua stack limit")
		return
	}
	switch v := v.(type) {
	case lua.LString:
		r.Bulk([]byte(v))
	case lua.LNumber:
		r.Int(luaInt(float64(v)))
	case lua.LBool:
		if resp == 3 {
			r.Bool(bool(v))
		} else if v {
			r.Int(1)
		} else {
			r.Null()
		}
	case *lua.LTable:
		if e, ok := v.RawGetString("err").(lua.LString); ok {
			r.Error(sanitizeLine(string(e)))
			return
		}
		if s, ok := v.RawGetString("ok").(lua.LString); ok {
			r.Simple(sanitizeLine(string(s)))
			return
		}
		if d, ok := v.RawGetString("double").(lua.LNumber); ok {
			r.Double(float64(d))
			return
		}
		if m, ok := v.RawGetString("map").(*lua.LTable); ok {
			var keys, vals []lua.LValue
			m.ForEach(func(k, val lua.LValue) {
				keys = append(keys, k)
				vals = append(vals, val)
			})
			r.Map(len(keys))
			for i := range keys {
				luaToReply(keys[i], r, resp, depth+1)
				luaToReply(vals[i], r, resp, depth+1)
			}
			return
		}
		if s, ok := v.RawGetString("set").(*lua.LTable); ok {
			var keys []lua.LValue
			s.ForEach(func(k, _ lua.LValue) { keys = append(keys, k) })
			r.Set(len(keys))
			for _, k := range keys {
				luaToReply(k, r, resp, depth+1)
			}
			return
		}
		if vs, ok := v.RawGetString("verbatim_string").(*lua.LTable); ok {
			if s, ok := vs.RawGetString("string").(lua.LString); ok {
				r.Verbatim(string(s))
				return
			}
		}
		n := 0
		for v.RawGetInt(n+1) != lua.LNil {
			n++
		}
		r.Array(n)
		for i := 1; i <= n; i++ {
			luaToReply(v.RawGetInt(i), r, resp, depth+1)
		}
	default:
		r.Null()
	}
}

// maxReplyDepth is how deep luaToReply goes (the script's reply is depth
// 0): where Redis's conversion runs out of Lua stack (8000 slots) for
// nested arrays, after 7995 levels (TestDiffScriptNestedReply).
const maxReplyDepth = 7995

// luaInt converts a Lua number to an integer reply as C's (long long)
// cast does on x86-64: toward zero, and the minimum for NaN or out of
// range.
func luaInt(f float64) int64 {
	if math.IsNaN(f) || f >= 9223372036854775807 || f < -9223372036854775808 {
		return math.MinInt64
	}
	return int64(f)
}

// sanitizeLine replaces CR and LF with spaces, as Redis does to a
// script's status and error texts.
func sanitizeLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, s)
}

// ---- SCRIPT ----

func cmdScriptLoad(c *Ctx) {
	_, sha, errMsg := c.DB.loadScript(string(c.Args[2]))
	if errMsg != "" {
		c.Error(errMsg)
		return
	}
	c.R.BulkString(sha)
}

func cmdScriptExists(c *Ctx) {
	c.R.Array(len(c.Args) - 2)
	for _, a := range c.Args[2:] {
		if c.DB.scripts.bySHA(a) != nil {
			c.R.Int(1)
		} else {
			c.R.Int(0)
		}
	}
}

func cmdScriptFlush(c *Ctx) {
	if len(c.Args) > 3 {
		c.Error("ERR SCRIPT FLUSH only support SYNC|ASYNC option")
		return
	}
	if len(c.Args) == 3 {
		switch strings.ToLower(string(c.Args[2])) {
		case "sync", "async":
		default:
			c.Error("ERR SCRIPT FLUSH only support SYNC|ASYNC option")
			return
		}
	}
	// Redis makes a new Lua state; the rand48 sequence is the process's
	// and carries on.
	st := &c.DB.scripts
	st.vm.close()
	st.scripts, st.byBody = map[string]*luaScript{}, map[string]*luaScript{}
	st.cached.Store(0)
	st.bodies.Store(0)
	c.OK()
}

func cmdScriptKill(c *Ctx) { c.killScript(false) }

// killScript is SCRIPT KILL (function false) and FUNCTION KILL: it stops
// the running script or function, unless it wrote; each KILL stops only
// its own kind, answering the other's BUSY as Redis does. It runs
// without db.mu, which the script holds.
func (c *Ctx) killScript(function bool) {
	r := c.DB.scripts.running.Load()
	if r == nil {
		c.Error("NOTBUSY No scripts in execution right now.")
		return
	}
	if r.function != function {
		c.Error(c.DB.busyError())
		return
	}
	if r.wrote.Load() {
		c.Error("UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.")
		return
	}
	r.killed.Store(true)
	r.cancel()
	c.OK()
}

func cmdScriptDebug(c *Ctx) {
	switch strings.ToLower(string(c.Args[2])) {
	case "no":
		c.OK()
	case "yes", "sync":
		// The Lua debugger (LDB) speaks to redis-cli --ldb over its own
		// protocol; keel does not have it.
		c.Error("ERR keel does not support the Lua debugger (SCRIPT DEBUG YES|SYNC)")
	default:
		c.Error("ERR Use SCRIPT DEBUG YES/SYNC/NO")
	}
}

var scriptHelp = []string{
	"DEBUG (YES|SYNC|NO)",
	"    Set the debug mode for subsequent scripts executed.",
	"EXISTS <sha1> [<sha1> ...]",
	"    Return information about the existence of the scripts in the script cache.",
	"FLUSH [ASYNC|SYNC]",
	"    Flush the Lua scripts cache. Very dangerous on replicas.",
	"    When called without the optional mode argument, the behavior is determined by the",
	"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
	"    * ASYNC: Asynchronously flush the scripts cache.",
	"    * SYNC: Synchronously flush the scripts cache.",
	"KILL",
	"    Kill the currently executing Lua script.",
	"LOAD <script>",
	"    Load a script into the scripts cache without executing it.",
}

func cmdScriptHelp(c *Ctx) { ReplyHelp(c, "SCRIPT", scriptHelp) }

// ScriptStats returns the number of cached scripts and their bytes (INFO
// memory's number_of_cached_scripts and used_memory_scripts_eval).
func (db *DB) ScriptStats() (n, bytes int64) {
	return db.scripts.cached.Load(), db.scripts.bodies.Load()
}

func init() {
	scriptACL := []string{"slow", "scripting"}
	evalFlags := FlagNoScript | FlagSkipMonitor | FlagMayReplicate | FlagNoMandatoryKeys | FlagStale | FlagExclusive
	roFlags := FlagNoScript | FlagSkipMonitor | FlagNoMandatoryKeys | FlagStale | FlagReadonly | FlagExclusive
	Register(
		&Command{Name: "eval", Arity: -3, Flags: evalFlags, KeyNum: 2, ACL: scriptACL, Group: "scripting", Summary: "Executes a server-side Lua script.", Since: "2.6.0", Handler: cmdEval},
		&Command{Name: "evalsha", Arity: -3, Flags: evalFlags, KeyNum: 2, ACL: scriptACL, Group: "scripting", Summary: "Executes a server-side Lua script by SHA1 digest.", Since: "2.6.0", Handler: cmdEvalSha},
		&Command{Name: "eval_ro", Arity: -3, Flags: roFlags, KeyNum: 2, ACL: scriptACL, Group: "scripting", Summary: "Executes a read-only server-side Lua script.", Since: "7.0.0", Handler: cmdEval},
		&Command{Name: "evalsha_ro", Arity: -3, Flags: roFlags, KeyNum: 2, ACL: scriptACL, Group: "scripting", Summary: "Executes a read-only server-side Lua script by SHA1 digest.", Since: "7.0.0", Handler: cmdEvalSha},
		&Command{Name: "script", Arity: -2, ACL: []string{"slow"}, Group: "scripting", Summary: "A container for Lua scripts management commands.", Since: "2.6.0", Subs: map[string]*Command{
			"load":   {Arity: 3, Flags: FlagNoScript | FlagStale | FlagExclusive, ACL: scriptACL, Group: "scripting", Summary: "Loads a server-side Lua script to the script cache.", Since: "2.6.0", Handler: cmdScriptLoad},
			"exists": {Arity: -3, Flags: FlagNoScript | FlagExclusive, ACL: scriptACL, Group: "scripting", Summary: "Determines whether server-side Lua scripts exist in the script cache.", Since: "2.6.0", Handler: cmdScriptExists},
			"flush":  {Arity: -2, Flags: FlagNoScript | FlagExclusive, ACL: scriptACL, Group: "scripting", Summary: "Removes all server-side Lua scripts from the script cache.", Since: "2.6.0", Handler: cmdScriptFlush},
			"kill":   {Arity: 2, Flags: FlagNoScript | FlagAllowBusy | FlagNoLock, ACL: scriptACL, Group: "scripting", Summary: "Terminates a server-side Lua script during execution.", Since: "2.6.0", Handler: cmdScriptKill},
			"debug":  {Arity: 3, Flags: FlagNoScript | FlagNoLock, ACL: scriptACL, Group: "scripting", Summary: "Sets the debug mode of server-side Lua scripts.", Since: "3.2.0", Handler: cmdScriptDebug},
			"help":   {Arity: 2, Flags: FlagLoading | FlagStale | FlagNoLock, ACL: []string{"slow", "scripting"}, Group: "scripting", Summary: "Returns helpful text about the different subcommands.", Since: "5.0.0", Handler: cmdScriptHelp},
		}},
	)
}
