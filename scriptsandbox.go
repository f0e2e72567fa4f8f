package keel

// The Lua state scripts run in, made as Redis 7.0 makes its own
// (scriptingInit, luaRegisterRedisAPI, luaSetTableProtectionRecursively).
//
// Read-only tables: Redis patches Lua with a read-only flag on tables.
// gopher-lua has none, so each protected table (the globals and every
// library table) is an empty proxy whose metatable reads through to the
// real table and refuses every assignment ("Attempt to modify a readonly
// table"); a read of a global never set fails ("Script attempted to
// access nonexistent global variable"). rawset, setmetatable, next and
// pairs see through the proxies as Redis's do through its flag: rawset
// and setmetatable refuse them, next and pairs list the real table.

import (
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/keeldb/keel/internal/lauxlib"
	"github.com/keeldb/keel/internal/luabit"
	"github.com/keeldb/keel/internal/luacjson"
	"github.com/keeldb/keel/internal/luamsgpack"
	"github.com/keeldb/keel/internal/luastruct"
)

// sandbox is the protected environment of a Lua state.
type sandbox struct {
	db         *DB
	globals    *lua.LTable // the proxy scripts see as their globals
	backing    *lua.LTable // the real globals
	real       map[*lua.LTable]*lua.LTable
	errHandler *lua.LFunction
	// loadEnv: the functions' state only, what a library sees while it
	// loads (functionLoadEnv).
	loadEnv *lua.LTable
}

const (
	errReadonly      = "Attempt to modify a readonly table"
	redisVersionNum  = 7<<16 | 0<<8 | 15 // RedisVersion as a number
	scriptLogDebug   = 0
	scriptLogWarning = 3
)

func init() {
	// No `arg` table for a vararg function (LUA_COMPAT_VARARG): Redis's
	// scripts have none ("nonexistent global variable 'arg'"), and
	// gopher-lua made one, with a map, at every call of a script's main
	// function: 16% of the server's CPU under EVALSHA at pipeline 16.
	lua.CompatVarArg = false
}

// newScriptVM makes a Lua state with Redis's libraries and sandbox.
func newScriptVM(db *DB, functions bool) (*lua.LState, *sandbox) {
	// A registry that grows: Redis lets a script return thousands of
	// values (its C stack holds ~8000), gopher-lua's fixed default fails
	// with "registry overflow".
	L := lua.NewState(lua.Options{SkipOpenLibs: true, RegistrySize: 1024, RegistryMaxSize: 80 * 1024, RegistryGrowStep: 1024})
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.BaseLibName, lua.OpenBase}, {lua.TabLibName, lua.OpenTable}, {lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath}, {lua.CoroutineLibName, lua.OpenCoroutine},
	} {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	luacjson.Open(L)
	luamsgpack.Open(L)
	luabit.Open(L)
	luastruct.Open(L)
	sb := &sandbox{db: db, backing: L.G.Global, real: map[*lua.LTable]*lua.LTable{}}
	g := sb.backing
	// Redis 7.0's globals: no file access, no printing to the server's
	// stdout, no environments or modules.
	for _, name := range []string{"dofile", "loadfile", "print", "_printregs", "getfenv", "setfenv", "module", "require", "newproxy", "_GOPHER_LUA_VERSION", "package"} {
		g.RawSetString(name, lua.LNil)
	}
	g.RawSetString("gcinfo", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LNumber(8)) // KB in use: gopher-lua's memory is Go's
		return 1
	}))
	g.RawSetString("tostring", L.NewFunction(luaToString))
	g.RawSetString("tonumber", L.NewFunction(luaToNumber))
	g.RawSetString("error", L.NewFunction(luaError))
	// Strings' methods come from a metatable of their own, not from an
	// __index field of the string table (gopher-lua's), which pairs
	// would list.
	str := g.RawGetString("string").(*lua.LTable)
	str.RawSetString("__index", lua.LNil)
	strMeta := L.NewTable()
	strMeta.RawSetString("__index", str)
	L.SetMetatable(lua.LString(""), strMeta)
	g.RawSetString("pcall", L.NewFunction(sb.pcall))
	g.RawSetString("xpcall", L.NewFunction(sb.xpcall))
	g.RawSetString("rawset", L.NewFunction(sb.rawset))
	g.RawSetString("rawget", L.NewFunction(sb.rawget))
	g.RawSetString("setmetatable", L.NewFunction(sb.setmetatable))
	g.RawSetString("next", L.NewFunction(sb.next))
	g.RawSetString("pairs", L.NewFunction(sb.pairs))
	tbl := g.RawGetString("table").(*lua.LTable)
	tbl.RawSetString("foreach", L.NewFunction(tableForeach))
	tbl.RawSetString("foreachi", L.NewFunction(tableForeachi))
	tbl.RawSetString("setn", L.NewFunction(func(L *lua.LState) int {
		L.RaiseError("'setn' is obsolete")
		return 0
	}))
	m := g.RawGetString("math").(*lua.LTable)
	m.RawSetString("random", L.NewFunction(sb.random))
	m.RawSetString("randomseed", L.NewFunction(sb.randomseed))
	m.RawSetString("huge", lua.LNumber(math.Inf(1))) // gopher-lua's is the largest finite double
	g.RawSetString("redis", sb.redisLib(L, functions))
	sb.errHandler = L.NewFunction(sb.handleError)
	if !functions {
		g.RawSetString("__redis__err__handler", sb.errHandler)
	}
	for _, name := range []string{"redis", "string", "table", "math", "coroutine", "cjson", "cmsgpack", "bit", "struct"} {
		if t, ok := g.RawGetString(name).(*lua.LTable); ok {
			g.RawSetString(name, sb.protect(L, t))
		}
	}
	L.SetMetatable(g, sb.missingMeta(L))
	sb.globals = sb.protect(L, g)
	g.RawSetString("_G", sb.globals)
	L.Env = sb.globals
	if functions {
		sb.loadEnv = sb.functionLoadEnv(L)
	}
	return L, sb
}

// missingMeta is the metatable of a table whose missing keys are an
// error, as Redis's globals are.
func (sb *sandbox) missingMeta(L *lua.LState) *lua.LTable {
	missing := L.NewTable()
	missing.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		L.RaiseError("Script attempted to access nonexistent global variable '%s'", lua.LVAsString(L.Get(2)))
		return 0
	}))
	return missing
}

// functionLoadEnv is what a function library's code sees while it loads
// (Redis's LIBRARY_API): a redis table with register_function, log, the
// LOG_ levels and the version, and nothing else, not even the standard
// libraries; any other name is an error.
func (sb *sandbox) functionLoadEnv(L *lua.LState) *lua.LTable {
	full := sb.real[sb.real[sb.globals].RawGetString("redis").(*lua.LTable)]
	r := L.NewTable()
	for _, name := range []string{"log", "LOG_DEBUG", "LOG_VERBOSE", "LOG_NOTICE", "LOG_WARNING", "REDIS_VERSION", "REDIS_VERSION_NUM"} {
		r.RawSetString(name, full.RawGetString(name))
	}
	r.RawSetString("register_function", L.NewFunction(sb.db.registerFunction))
	L.SetMetatable(r, sb.missingMeta(L))
	env := L.NewTable()
	env.RawSetString("redis", sb.protect(L, r))
	L.SetMetatable(env, sb.missingMeta(L))
	return env
}

// setLoading points the globals at the load environment (on) or back
// at the whole API.
func (sb *sandbox) setLoading(L *lua.LState, on bool) {
	mt := L.GetMetatable(sb.globals).(*lua.LTable)
	if on {
		mt.RawSetString("__index", sb.loadEnv)
	} else {
		mt.RawSetString("__index", sb.backing)
	}
}

// luaStrings is a Lua array of vals (a function's keys and args).
func luaStrings(L *lua.LState, vals [][]byte) *lua.LTable {
	t := L.CreateTable(len(vals), 0)
	for i, v := range vals {
		t.RawSetInt(i+1, lua.LString(v))
	}
	return t
}

// protect returns a read-only proxy of t.
func (sb *sandbox) protect(L *lua.LState, t *lua.LTable) *lua.LTable {
	proxy := L.NewTable()
	mt := L.NewTable()
	mt.RawSetString("__index", t)
	mt.RawSetString("__newindex", L.NewFunction(func(L *lua.LState) int {
		L.RaiseError(errReadonly)
		return 0
	}))
	L.SetMetatable(proxy, mt)
	sb.real[proxy] = t
	return proxy
}

// setArgs sets the KEYS and ARGV globals of the next script.
func (sb *sandbox) setArgs(L *lua.LState, keys, argv [][]byte) {
	sb.backing.RawSetString("KEYS", luaStrings(L, keys))
	sb.backing.RawSetString("ARGV", luaStrings(L, argv))
}

// handleError is Redis's __redis__err__handler: it turns the error into
// {err=, source=, line=}, a string error into "ERR <string>", with the
// place of the Lua code that raised it (the caller of a Go function that
// raised it, like error or redis.call).
func (sb *sandbox) handleError(L *lua.LState) int {
	e := L.Get(1)
	t, ok := e.(*lua.LTable)
	if !ok {
		t = L.NewTable()
		t.RawSetString("err", lua.LString("ERR "+luaToStringValue(e)))
	}
	for level := 1; level <= 2; level++ {
		dbg, ok := L.GetStack(level)
		if !ok {
			break
		}
		if _, err := L.GetInfo("Sl", dbg, lua.LNil); err != nil {
			break
		}
		if dbg.What == "G" {
			continue
		}
		t.RawSetString("source", lua.LString("@"+dbg.Source))
		t.RawSetString("line", lua.LNumber(dbg.CurrentLine))
		break
	}
	L.Push(t)
	return 1
}

// pcall is Redis 7.0's: an error that is a table with a string err field
// (redis.call's) is caught as that string. A killed script's error is not
// caught.
func (sb *sandbox) pcall(L *lua.LState) int {
	L.CheckAny(1)
	nargs := L.GetTop() - 1
	if err := L.PCall(nargs, lua.MultRet, nil); err != nil {
		sb.rethrowKill(L)
		L.Push(lua.LFalse)
		L.Push(caughtError(err))
		return 2
	}
	L.Insert(lua.LTrue, 1)
	return L.GetTop()
}

func (sb *sandbox) xpcall(L *lua.LState) int {
	fn := L.CheckFunction(1)
	errfunc := L.CheckFunction(2)
	top := L.GetTop()
	L.Push(fn)
	if err := L.PCall(0, lua.MultRet, errfunc); err != nil {
		sb.rethrowKill(L)
		L.Push(lua.LFalse)
		L.Push(caughtError(err))
		return 2
	}
	L.Insert(lua.LTrue, top+1)
	return L.GetTop() - top
}

// rethrowKill raises again the error of a script SCRIPT KILL stopped, so
// that no pcall inside it goes on.
func (sb *sandbox) rethrowKill(L *lua.LState) {
	if r := sb.db.scripts.run; r != nil && r.killed.Load() {
		L.Error(lua.LString("Script killed by user with SCRIPT KILL..."), 0)
	}
}

func caughtError(err error) lua.LValue {
	ae, ok := err.(*lua.ApiError)
	if !ok {
		return lua.LString(err.Error())
	}
	if t, ok := ae.Object.(*lua.LTable); ok {
		if s, ok := t.RawGetString("err").(lua.LString); ok {
			return s
		}
	}
	return ae.Object
}

func (sb *sandbox) rawset(L *lua.LState) int {
	t := L.CheckTable(1)
	if _, ok := sb.real[t]; ok {
		L.Error(lua.LString(errReadonly), 0)
	}
	L.CheckAny(2)
	L.CheckAny(3)
	t.RawSet(L.Get(2), L.Get(3))
	L.Push(t)
	return 1
}

func (sb *sandbox) rawget(L *lua.LState) int {
	t := L.CheckTable(1)
	if r, ok := sb.real[t]; ok {
		t = r
	}
	L.Push(t.RawGet(L.CheckAny(2)))
	return 1
}

func (sb *sandbox) setmetatable(L *lua.LState) int {
	t := L.CheckTable(1)
	if _, ok := sb.real[t]; ok {
		L.Error(lua.LString(errReadonly), 0)
	}
	mt := L.Get(2)
	if m := L.GetMetatable(t); m != lua.LNil {
		if p, ok := m.(*lua.LTable); ok && p.RawGetString("__metatable") != lua.LNil {
			L.RaiseError("cannot change a protected metatable")
		}
	}
	if mt.Type() != lua.LTNil && mt.Type() != lua.LTTable {
		L.TypeError(2, lua.LTTable)
	}
	L.SetMetatable(t, mt)
	L.SetTop(1)
	return 1
}

func (sb *sandbox) next(L *lua.LState) int {
	t := L.CheckTable(1)
	if r, ok := sb.real[t]; ok {
		t = r
	}
	k, v := t.Next(L.Get(2))
	if k == lua.LNil {
		L.Push(lua.LNil)
		return 1
	}
	L.Push(k)
	L.Push(v)
	return 2
}

func (sb *sandbox) pairs(L *lua.LState) int {
	t := L.CheckTable(1)
	L.Push(L.Get(lua.GlobalsIndex).(*lua.LTable).RawGetString("next"))
	if r, ok := sb.real[t]; ok {
		t = r
	}
	L.Push(t)
	L.Push(lua.LNil)
	return 3
}

// random and randomseed are Redis's math.random (redis_math_random): the
// rand48 generator, from one state that runs on from script to script.
func (sb *sandbox) random(L *lua.LState) int {
	st := &sb.db.scripts
	st.rand = (0x5DEECE66D*st.rand + 0xB) & (1<<48 - 1)
	r := float64(int32(st.rand>>17)%0x7fffffff) / float64(0x7fffffff)
	switch L.GetTop() {
	case 0:
		L.Push(lua.LNumber(r))
	case 1:
		u := L.CheckInt(1)
		if u < 1 {
			lauxlib.ArgError(L, 1, "interval is empty")
		}
		L.Push(lua.LNumber(float64(int64(r*float64(u))) + 1))
	case 2:
		l, u := L.CheckInt(1), L.CheckInt(2)
		if l > u {
			lauxlib.ArgError(L, 2, "interval is empty")
		}
		L.Push(lua.LNumber(float64(int64(r*float64(u-l+1))) + float64(l)))
	default:
		L.RaiseError("wrong number of arguments")
	}
	return 1
}

func (sb *sandbox) randomseed(L *lua.LState) int {
	seed := uint64(uint32(int32(L.CheckInt(1))))
	sb.db.scripts.rand = seed<<16 | 0x330E
	return 0
}

// luaToString is Lua 5.1's tostring, numbers formatted as "%.14g".
func luaToString(L *lua.LState) int {
	v := L.CheckAny(1)
	if n, ok := v.(lua.LNumber); ok {
		L.Push(lua.LString(formatLuaNumber(float64(n))))
		return 1
	}
	L.Push(L.ToStringMeta(v))
	return 1
}

// luaToNumber is Lua 5.1's tonumber (luaB_tonumber): in base 10 a number,
// or a string as the language converts it (luaO_str2d: strtod, so hex
// floats, inf and nan); in another base, 2 to 36, a string read by C's
// strtoul, after which only spaces may follow. Anything else is nil.
func luaToNumber(L *lua.LState) int {
	base := lauxlib.OptInteger(L, 2, 10)
	if int32(base) == 10 { // luaL_optint: an int
		if L.GetTop() < 1 { // luaL_checkany
			lauxlib.ArgError(L, 1, "value expected")
		}
		if f, ok := lauxlib.ToNumber(L.Get(1)); ok {
			L.Push(lua.LNumber(f))
			return 1
		}
		L.Push(lua.LNil)
		return 1
	}
	s := lauxlib.CheckCString(L, 1)
	if b := int32(base); b < 2 || b > 36 {
		lauxlib.ArgError(L, 2, "base out of range")
	}
	n, end := lauxlib.Strtoul(s, int(int32(base)))
	if end > 0 && strings.TrimLeft(s[end:], " \t\n\v\f\r") == "" {
		L.Push(lua.LNumber(float64(n)))
		return 1
	}
	L.Push(lua.LNil)
	return 1
}

// luaError is Lua 5.1's error: a string or number message gets the
// position of the level-th caller (1: the function calling error).
func luaError(L *lua.LState) int {
	v := L.Get(1)
	level := L.OptInt(2, 1)
	if n, ok := v.(lua.LNumber); ok {
		v = lua.LString(formatLuaNumber(float64(n)))
	}
	L.Error(v, level)
	return 0
}

// luaStringish is v as lua_tostring sees it: a string, or a number
// ("%.14g").
func luaStringish(v lua.LValue) (string, bool) {
	switch v := v.(type) {
	case lua.LString:
		return string(v), true
	case lua.LNumber:
		return formatLuaNumber(float64(v)), true
	}
	return "", false
}

// luaToStringValue is tostring of v without metamethods.
func luaToStringValue(v lua.LValue) string {
	if s, ok := luaStringish(v); ok {
		return s
	}
	return v.String()
}

// formatLuaNumber is Lua 5.1's number to string: "%.14g".
func formatLuaNumber(f float64) string { return lauxlib.NumberToString(f) }

func tableForeach(L *lua.LState) int {
	t := L.CheckTable(1)
	f := L.CheckFunction(2)
	for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
		L.Push(f)
		L.Push(k)
		L.Push(v)
		L.Call(2, 1)
		if r := L.Get(-1); r != lua.LNil {
			return 1
		}
		L.Pop(1)
	}
	return 0
}

func tableForeachi(L *lua.LState) int {
	t := L.CheckTable(1)
	f := L.CheckFunction(2)
	n := t.Len()
	for i := 1; i <= n; i++ {
		L.Push(f)
		L.Push(lua.LNumber(i))
		L.Push(t.RawGetInt(i))
		L.Call(2, 1)
		if r := L.Get(-1); r != lua.LNil {
			return 1
		}
		L.Pop(1)
	}
	return 0
}

// redisLib is the redis table (Redis's luaRegisterRedisAPI).
func (sb *sandbox) redisLib(L *lua.LState, functions bool) *lua.LTable {
	db := sb.db
	t := L.NewTable()
	fn := func(name string, f lua.LGFunction) { t.RawSetString(name, L.NewFunction(f)) }
	fn("call", func(L *lua.LState) int { return db.scriptCall(L, true) })
	fn("pcall", func(L *lua.LState) int { return db.scriptCall(L, false) })
	fn("error_reply", func(L *lua.LState) int {
		s, ok := L.Get(1).(lua.LString)
		if L.GetTop() != 1 || !ok {
			L.Push(errorTable(L, "ERR wrong number or type of arguments"))
			return 1
		}
		msg := string(s)
		if len(msg) > 0 && msg[0] == '-' {
			msg = msg[1:]
		} else {
			msg = "ERR " + msg
		}
		L.Push(errorTable(L, msg))
		return 1
	})
	fn("status_reply", func(L *lua.LState) int {
		s, ok := L.Get(1).(lua.LString)
		if L.GetTop() != 1 || !ok {
			L.Push(errorTable(L, "ERR wrong number or type of arguments"))
			return 1
		}
		r := L.NewTable()
		r.RawSetString("ok", s)
		L.Push(r)
		return 1
	})
	fn("sha1hex", func(L *lua.LState) int {
		if L.GetTop() != 1 {
			L.Error(errorTable(L, "ERR wrong number of arguments"), 0)
		}
		L.Push(lua.LString(sha1Hex(luaArgString(L.Get(1)))))
		return 1
	})
	fn("log", func(L *lua.LState) int {
		if L.GetTop() < 2 {
			L.Error(errorTable(L, "ERR redis.log() requires two arguments or more."), 0)
		}
		lvl, ok := L.Get(1).(lua.LNumber)
		if !ok {
			L.Error(errorTable(L, "ERR First argument must be a number (log level)."), 0)
		}
		if lvl < scriptLogDebug || lvl > scriptLogWarning {
			L.Error(errorTable(L, "ERR Invalid debug level."), 0)
		}
		msg := ""
		for i := 2; i <= L.GetTop(); i++ {
			if i > 2 {
				msg += " "
			}
			msg += luaArgString(L.Get(i))
		}
		switch {
		case lvl >= scriptLogWarning:
			db.opts.Logger.Warn(msg, "source", "script")
		case lvl >= 2:
			db.opts.Logger.Info(msg, "source", "script")
		default:
			db.opts.Logger.Debug(msg, "source", "script")
		}
		return 0
	})
	fn("setresp", func(L *lua.LState) int {
		if L.GetTop() != 1 {
			L.Error(errorTable(L, "ERR redis.setresp() requires one argument."), 0)
		}
		n, _ := L.Get(1).(lua.LNumber)
		if n != 2 && n != 3 {
			L.Error(errorTable(L, "ERR RESP version must be 2 or 3."), 0)
		}
		if r := db.scripts.run; r != nil {
			r.resp = int(n)
		}
		return 0
	})
	fn("set_repl", func(L *lua.LState) int {
		if L.GetTop() != 1 {
			L.Error(errorTable(L, "ERR redis.set_repl() requires one argument."), 0)
		}
		n, _ := L.Get(1).(lua.LNumber)
		if n < 0 || n > 3 || n != lua.LNumber(int(n)) {
			L.Error(errorTable(L, "ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE."), 0)
		}
		// keel logs a script's effects in one record, which is both its
		// AOF and what a replica reads: there is nothing to choose.
		return 0
	})
	if !functions { // the debugger's and the old replication API: EVAL's only
		fn("replicate_commands", func(L *lua.LState) int {
			L.Push(lua.LTrue)
			return 1
		})
		fn("breakpoint", func(L *lua.LState) int {
			L.Push(lua.LFalse)
			return 1
		})
		fn("debug", func(L *lua.LState) int { return 0 })
	}
	fn("acl_check_cmd", func(L *lua.LState) int {
		if L.GetTop() < 1 {
			L.Error(errorTable(L, "ERR Please specify at least one argument for this redis lib call"), 0)
		}
		name, ok := L.Get(1).(lua.LString)
		if !ok || Lookup([]byte(name)) == nil {
			L.Error(errorTable(L, "ERR Invalid command passed to redis.acl_check_cmd()"), 0)
		}
		// One user, with every permission: keel has no ACL.
		L.Push(lua.LTrue)
		return 1
	})
	for name, v := range map[string]int{
		"LOG_DEBUG": 0, "LOG_VERBOSE": 1, "LOG_NOTICE": 2, "LOG_WARNING": 3,
		"REPL_NONE": 0, "REPL_AOF": 1, "REPL_SLAVE": 2, "REPL_REPLICA": 2, "REPL_ALL": 3,
		"REDIS_VERSION_NUM": redisVersionNum,
	} {
		t.RawSetString(name, lua.LNumber(v))
	}
	t.RawSetString("REDIS_VERSION", lua.LString(RedisVersion))
	return t
}

// luaArgString is a string or number argument as Lua's lua_tostring
// makes it ("%.14g" for numbers); anything else, quoted.
func luaArgString(v lua.LValue) string {
	if s, ok := luaStringish(v); ok {
		return s
	}
	return strconv.Quote(v.String())
}
