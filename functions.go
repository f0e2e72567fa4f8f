package keel

// Redis 7.0 functions: FUNCTION LOAD/DELETE/FLUSH/LIST/STATS/DUMP/
// RESTORE/KILL/HELP, FCALL and FCALL_RO.
//
// The functions engine holds the libraries (name -> code) and the
// functions they registered. It is an engine like the others: a library
// loaded, deleted or flushed is an op in the WAL (opFSet, opFDel,
// opFFlush, in a global record), applying it compiles and runs the
// library's code in the engine's own Lua state, and its checkpoint is the
// libraries' code (docs/format/functions.md). So functions survive a
// restart, and a point in time is still one LSN. FLUSHALL leaves them, as
// in Redis.
//
// A library's code runs at load time with only the load API in sight
// (redis.register_function, redis.log, the LOG_ levels and the version:
// Redis's LIBRARY_API); the functions it registers run later like EVAL
// scripts, with every library and the redis API but its debugger calls,
// and get their keys and arguments as their two arguments (no KEYS or
// ARGV).

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc64"
	"io"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cespare/xxhash/v2"
	lua "github.com/yuin/gopher-lua"

	"github.com/keeldb/keel/internal/luasyntax"
	"github.com/keeldb/keel/memtables"
)

// luaFunction is a function a library registered.
type luaFunction struct {
	name  string
	lib   *library
	fn    *lua.LFunction
	flags scriptFlags
	desc  *string
}

// library is a loaded library.
type library struct {
	name  string
	code  string
	funcs []*luaFunction // in registration order
}

// functionsEngine holds the libraries; guarded by db.mu (exclusive),
// but for the counts, which INFO and FUNCTION STATS read without it.
type functionsEngine struct {
	vm      luaVM
	libs    map[string]*library
	funcs   map[string]*luaFunction // by lower-case name (FCALL's lookup is case-insensitive)
	loading *library                // the library whose code is running (register_function)
	nlibs   atomic.Int64
	nfuncs  atomic.Int64
}

func newFunctions() *functionsEngine {
	return &functionsEngine{libs: map[string]*library{}, funcs: map[string]*luaFunction{}}
}

// fvm returns the functions' Lua state, made at first use.
func (db *DB) fvm() *lua.LState {
	f := db.funcs
	if f.vm.L == nil {
		f.vm.L, f.vm.sandbox = newScriptVM(db, true)
	}
	return f.vm.L
}

// funcError is a FUNCTION command's error: its text after "ERR ".
type funcError string

func (e funcError) Error() string { return string(e) }

// validName reports whether s may name a library or a function: letters,
// digits and underscores, at least one.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

const errBadName = funcError("Library names can only contain letters, numbers, or underscores(_) and must be at least one character long")

// libraryMeta parses a library's first line, "#!lua name=<name>"
// (Redis's functionExtractLibMetaData), and returns the name and the
// code with that line blanked (line numbers stay the library's).
func libraryMeta(code string) (name, body string, err error) {
	if !strings.HasPrefix(code, "#!") {
		return "", "", funcError("Missing library metadata")
	}
	nl := strings.IndexByte(code, '\n')
	if nl < 0 {
		return "", "", funcError("Invalid library metadata")
	}
	parts := strings.Fields(code[:nl])
	if len(parts) == 0 {
		return "", "", funcError("Invalid library metadata")
	}
	engine := parts[0][2:]
	named := false
	for _, p := range parts[1:] {
		if len(p) >= 5 && strings.EqualFold(p[:5], "name=") {
			if named {
				return "", "", funcError("Invalid metadata value, name argument was given multiple times")
			}
			name, named = p[5:], true
			continue
		}
		return "", "", funcError("Invalid metadata value given: " + p)
	}
	if !named {
		return "", "", funcError("Library name was not given")
	}
	if !strings.EqualFold(engine, "lua") {
		return "", "", funcError(fmt.Sprintf("Engine '%s' not found", engine))
	}
	if !validName(name) {
		return "", "", errBadName
	}
	return name, code[nl:], nil
}

// functionLoadTimeout bounds a library's load by a command, as Redis's
// (its code only registers functions: a loop there would hold the server).
const functionLoadTimeout = 500 * time.Millisecond

// buildLibrary compiles code and runs it in the functions' state with the
// load API, returning the library and the functions it registered, not
// yet installed. limit, if not 0, bounds the run: a command's load is
// bounded, a replay's is not (the load succeeded once; a slower start
// must not lose it).
func (db *DB) buildLibrary(code string, limit time.Duration) (*library, error) {
	name, body, err := libraryMeta(code)
	if err != nil {
		return nil, err
	}
	L := db.fvm()
	f := db.funcs
	if cerr := luasyntax.Check(body, "user_function"); cerr != nil {
		return nil, funcError("Error compiling function: " + cerr.Error())
	}
	fn, cerr := L.Load(strings.NewReader(body), "user_function")
	if cerr != nil {
		return nil, funcError("Error compiling function: " + compileError(cerr, "user_function", strings.Count(body, "\n")+1))
	}
	sb := f.vm.sandbox
	fn.Env = sb.globals
	lib := &library{name: name, code: code}
	f.loading = lib
	sb.setLoading(L, true)
	var ctx context.Context
	if limit > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.Background(), limit)
		defer cancel()
		L.SetContext(ctx)
	}
	L.Push(fn)
	perr := L.PCall(0, 0, sb.errHandler)
	if limit > 0 {
		L.RemoveContext()
		if f.vm.ctx != nil {
			L.SetContext(f.vm.ctx)
		}
	}
	sb.setLoading(L, false)
	f.loading = nil
	if perr != nil && ctx != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return nil, funcError("Error registering functions: ERR FUNCTION LOAD timeout")
	}
	if perr != nil {
		msg, _ := scriptErrorParts(perr)
		return nil, funcError("Error registering functions: " + msg)
	}
	if len(lib.funcs) == 0 {
		return nil, funcError("No functions registered")
	}
	return lib, nil
}

// checkCollisions reports a function of libs whose name another library
// than the ones replaced (by name) already has.
func (f *functionsEngine) checkCollisions(libs []*library, replaced map[string]bool) error {
	seen := map[string]bool{}
	for _, lib := range libs {
		for _, fn := range lib.funcs {
			low := strings.ToLower(fn.name)
			if old, ok := f.funcs[low]; (ok && !replaced[old.lib.name]) || seen[low] {
				return funcError(fmt.Sprintf("Function %s already exists", fn.name))
			}
			seen[low] = true
		}
	}
	return nil
}

// install makes lib current, replacing a library of its name.
func (f *functionsEngine) install(lib *library) {
	f.remove(lib.name)
	f.libs[lib.name] = lib
	for _, fn := range lib.funcs {
		f.funcs[strings.ToLower(fn.name)] = fn
	}
	f.nlibs.Add(1)
	f.nfuncs.Add(int64(len(lib.funcs)))
}

// remove deletes the library name and its functions (if it exists).
func (f *functionsEngine) remove(name string) bool {
	old := f.libs[name]
	if old == nil {
		return false
	}
	for _, fn := range old.funcs {
		delete(f.funcs, strings.ToLower(fn.name))
	}
	delete(f.libs, name)
	f.nlibs.Add(-1)
	f.nfuncs.Add(-int64(len(old.funcs)))
	return true
}

// flush deletes every library, and with them the functions' Lua state.
func (f *functionsEngine) flush() {
	f.vm.close()
	f.libs, f.funcs = map[string]*library{}, map[string]*luaFunction{}
	f.nlibs.Store(0)
	f.nfuncs.Store(0)
}

// applyFunctions applies a functions op (replay, or a command's own).
func (db *DB) applyFunctions(o *op) error {
	f := db.funcs
	switch o.code {
	case opFSet:
		lib, err := db.buildLibrary(string(o.val), 0)
		if err != nil {
			return fmt.Errorf("loading library %q: %w", o.key, err)
		}
		f.install(lib)
	case opFDel:
		f.remove(string(o.key))
	case opFFlush:
		f.flush()
	}
	return nil
}

// registerFunction is redis.register_function, at load time: (name,
// callback), or one table {function_name=, callback=, flags=,
// description=}.
func (db *DB) registerFunction(L *lua.LState) int {
	f := db.funcs
	fail := func(msg string) int {
		L.Error(errorTable(L, "ERR "+msg), 0)
		return 0
	}
	if f.loading == nil {
		return fail("redis.register_function can only be called on FUNCTION LOAD command")
	}
	var name string
	named := false
	var cb *lua.LFunction
	var flags scriptFlags
	var desc *string
	switch L.GetTop() {
	case 1:
		t, ok := L.Get(1).(*lua.LTable)
		if !ok {
			return fail("calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).")
		}
		var bad string
		t.ForEach(func(k, v lua.LValue) {
			if bad != "" {
				return
			}
			switch lua.LVAsString(k) {
			case "function_name":
				if s, ok := luaStringish(v); ok {
					name, named = s, true
				} else {
					bad = "function_name argument given to redis.register_function must be a string"
				}
			case "description":
				if s, ok := luaStringish(v); ok {
					desc = &s
				} else {
					bad = "description argument given to redis.register_function must be a string"
				}
			case "callback":
				if fn, ok := v.(*lua.LFunction); ok {
					cb = fn
				} else {
					bad = "callback argument given to redis.register_function must be a function"
				}
			case "flags":
				ft, ok := v.(*lua.LTable)
				if !ok {
					bad = "flags argument to redis.register_function must be a table representing function flags"
					return
				}
				ft.ForEach(func(_, fv lua.LValue) {
					s, isString := fv.(lua.LString)
					f, known := scriptFlagNamed(string(s))
					if !isString || !known {
						bad = "unknown flag given"
						return
					}
					flags |= f
				})
			default:
				bad = "unknown argument given to redis.register_function"
			}
		})
		if bad != "" {
			return fail(bad)
		}
		if !named {
			return fail("redis.register_function must get a function name argument")
		}
		if cb == nil {
			return fail("redis.register_function must get a callback argument")
		}
	case 2:
		s, ok := luaStringish(L.Get(1))
		if !ok {
			return fail("first argument to redis.register_function must be a string")
		}
		fn, ok := L.Get(2).(*lua.LFunction)
		if !ok {
			return fail("second argument to redis.register_function must be a function")
		}
		name, cb = s, fn
	default:
		return fail("wrong number of arguments to redis.register_function")
	}
	if !validName(name) {
		return fail(string(errBadName))
	}
	for _, fn := range f.loading.funcs {
		if strings.EqualFold(fn.name, name) {
			return fail("Function already exists in the library")
		}
	}
	f.loading.funcs = append(f.loading.funcs, &luaFunction{name: name, lib: f.loading, fn: cb, flags: flags, desc: desc})
	return 0
}

// ---- FCALL ----

func cmdFCall(c *Ctx) {
	db := c.DB
	db.feedMonitorsAlways(c.S, c.Cmd, c.Args)
	fn := db.funcs.funcs[strings.ToLower(string(c.Args[1]))]
	if fn == nil {
		c.Error("ERR Function not found")
		return
	}
	numkeys, ok := parseInt(c.Args[2])
	if !ok {
		c.Error("ERR Bad number of keys provided")
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
	ro := c.Cmd.Name == "fcall_ro"
	if c.refusedByFlags(fn.flags, ro) {
		return
	}
	run := &scriptRun{c: c, name: fn.name, function: true, args: c.Args, flags: fn.flags, readOnly: ro || fn.flags&scriptNoWrites != 0}
	db.runScript(&db.funcs.vm, run, fn.fn, c.Args[3:3+numkeys], c.Args[3+numkeys:])
}

// ---- FUNCTION ----

func cmdFunctionLoad(c *Ctx) {
	// Options up to the last argument, which is the code (Redis's
	// functionLoadCommand).
	replace := false
	for _, a := range c.Args[2 : len(c.Args)-1] {
		if !eqFold(a, "replace") {
			c.Error(fmt.Sprintf("ERR Unknown option given: %s", a))
			return
		}
		replace = true
	}
	lib, err := c.DB.buildLibrary(string(c.Args[len(c.Args)-1]), functionLoadTimeout)
	if err == nil {
		err = c.checkLibraries([]*library{lib}, replace, false)
	}
	if err != nil {
		c.Error("ERR " + err.Error())
		return
	}
	c.emit(&op{code: opFSet, key: []byte(lib.name), val: []byte(lib.code)})
	c.R.BulkString(lib.name)
}

// checkLibraries checks that libs may be added: a library of the same
// name only with replace, and no function another library has.
// (RESTORE's message names the library unquoted.)
func (c *Ctx) checkLibraries(libs []*library, replace, restore bool) error {
	f := c.DB.funcs
	replaced := map[string]bool{}
	for _, lib := range libs {
		if f.libs[lib.name] != nil {
			if !replace {
				if restore {
					return funcError(fmt.Sprintf("Library %s already exists", lib.name))
				}
				return funcError(fmt.Sprintf("Library '%s' already exists", lib.name))
			}
			replaced[lib.name] = true
		}
	}
	return f.checkCollisions(libs, replaced)
}

func cmdFunctionDelete(c *Ctx) {
	name := string(c.Args[2])
	if c.DB.funcs.libs[name] == nil {
		c.Error("ERR Library not found")
		return
	}
	c.emit(&op{code: opFDel, key: []byte(name)})
	c.OK()
}

func cmdFunctionFlush(c *Ctx) {
	if len(c.Args) > 3 {
		c.Error(subcommandSyntaxError(c))
		return
	}
	if len(c.Args) == 3 && !eqFold(c.Args[2], "sync") && !eqFold(c.Args[2], "async") {
		c.Error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option")
		return
	}
	c.emit(&op{code: opFFlush})
	c.OK()
}

// sortedLibraries returns the libraries by name (Redis lists them in its
// hash table's order).
func (f *functionsEngine) sortedLibraries() []*library {
	out := make([]*library, 0, len(f.libs))
	for _, lib := range f.libs {
		out = append(out, lib)
	}
	slices.SortFunc(out, func(a, b *library) int { return strings.Compare(a.name, b.name) })
	return out
}

func cmdFunctionList(c *Ctx) {
	var pattern []byte
	withCode := false
	for i := 2; i < len(c.Args); i++ {
		switch {
		case eqFold(c.Args[i], "withcode"):
			withCode = true
		case eqFold(c.Args[i], "libraryname"):
			if i+1 >= len(c.Args) {
				c.Error("ERR library name argument was not given")
				return
			}
			i++
			pattern = c.Args[i]
		default:
			c.Error(fmt.Sprintf("ERR Unknown argument %s", c.Args[i]))
			return
		}
	}
	var libs []*library
	for _, lib := range c.DB.funcs.sortedLibraries() {
		if pattern == nil || globMatchNoCase(pattern, lib.name) {
			libs = append(libs, lib)
		}
	}
	r := c.R
	r.Array(len(libs))
	for _, lib := range libs {
		fields := 3
		if withCode {
			fields = 4
		}
		r.Map(fields)
		r.BulkString("library_name")
		r.BulkString(lib.name)
		r.BulkString("engine")
		r.BulkString("LUA")
		r.BulkString("functions")
		r.Array(len(lib.funcs))
		for _, fn := range lib.funcs {
			r.Map(3)
			r.BulkString("name")
			r.BulkString(fn.name)
			r.BulkString("description")
			if fn.desc == nil {
				r.Null()
			} else {
				r.BulkString(*fn.desc)
			}
			r.BulkString("flags")
			var names []string
			for _, n := range scriptFlagNames {
				if fn.flags&n.f != 0 {
					names = append(names, n.name)
				}
			}
			r.Set(len(names))
			for _, n := range names {
				r.Simple(n)
			}
		}
		if withCode {
			r.BulkString("library_code")
			r.BulkString(lib.code)
		}
	}
}

// cmdFunctionStats answers without db.mu (allow_busy): the running
// function, and the counts.
func cmdFunctionStats(c *Ctx) {
	db := c.DB
	r := c.R
	r.Map(2)
	r.BulkString("running_script")
	if run := db.scripts.running.Load(); run != nil && run.function {
		r.Map(3)
		r.BulkString("name")
		r.BulkString(run.name)
		r.BulkString("command")
		r.Array(len(run.args))
		for _, a := range run.args {
			r.Bulk(a)
		}
		r.BulkString("duration_ms")
		r.Int(time.Since(run.start).Milliseconds())
	} else {
		r.Null()
	}
	r.BulkString("engines")
	r.Map(1)
	r.BulkString("LUA")
	r.Map(2)
	r.BulkString("libraries_count")
	r.Int(db.funcs.nlibs.Load())
	r.BulkString("functions_count")
	r.Int(db.funcs.nfuncs.Load())
}

func cmdFunctionKill(c *Ctx) { c.killScript(true) }

// The DUMP payload of functions, as Redis 7.0's: for each library the
// RDB opcode FUNCTION2 and its code as an RDB string, then the RDB
// version (2 bytes, little-endian) and the CRC64 (Jones, reflected, no
// inversion; 8 bytes, little-endian) of everything before it.
const (
	rdbOpcodeFunction2 = 245
	rdbVersion         = 10
)

var crc64Jones = crc64.MakeTable(0x95AC9329AC4BC9B5)

// redisCRC64 is Redis's crc64 (Go's crc64 inverts before and after).
func redisCRC64(b []byte) uint64 { return ^crc64.Update(^uint64(0), crc64Jones, b) }

func cmdFunctionDump(c *Ctx) {
	var out []byte
	for _, lib := range c.DB.funcs.sortedLibraries() {
		out = append(out, rdbOpcodeFunction2)
		out = appendRDBString(out, lib.code)
	}
	out = binary.LittleEndian.AppendUint16(out, rdbVersion)
	out = binary.LittleEndian.AppendUint64(out, redisCRC64(out))
	c.R.Bulk(out)
}

// appendRDBString appends s with RDB's length encoding, uncompressed.
func appendRDBString(b []byte, s string) []byte {
	n := len(s)
	switch {
	case n < 1<<6:
		b = append(b, byte(n))
	case n < 1<<14:
		b = append(b, byte(n>>8)|0x40, byte(n))
	case uint64(n) <= 0xffffffff:
		b = append(b, 0x80)
		b = binary.BigEndian.AppendUint32(b, uint32(n))
	default:
		b = append(b, 0x81)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	return append(b, s...)
}

var errBadPayload = funcError("DUMP payload version or checksum are wrong")

// readRDBString reads an RDB string (plain, integer-encoded or LZF)
// from b, returning it and the rest.
func readRDBString(b []byte) (string, []byte, error) {
	if len(b) > 0 && b[0]>>6 == 3 {
		return readRDBEncoded(b)
	}
	n, rest, err := readRDBLen(b)
	if err != nil || n > uint64(len(rest)) {
		return "", nil, io.ErrUnexpectedEOF
	}
	return string(rest[:n]), rest[n:], nil
}

// readRDBEncoded reads an RDB string of a special encoding (first byte
// 11xxxxxx): an 8, 16 or 32-bit integer, or LZF-compressed.
func readRDBEncoded(b []byte) (string, []byte, error) {
	switch b[0] & 0x3f {
	case 0: // 8-bit integer
		if len(b) < 2 {
			return "", nil, io.ErrUnexpectedEOF
		}
		return fmt.Sprint(int8(b[1])), b[2:], nil
	case 1:
		if len(b) < 3 {
			return "", nil, io.ErrUnexpectedEOF
		}
		return fmt.Sprint(int16(binary.LittleEndian.Uint16(b[1:]))), b[3:], nil
	case 2:
		if len(b) < 5 {
			return "", nil, io.ErrUnexpectedEOF
		}
		return fmt.Sprint(int32(binary.LittleEndian.Uint32(b[1:]))), b[5:], nil
	case 3: // LZF: compressed length, plain length, data
		clen, rest, err := readRDBLen(b[1:])
		if err != nil {
			return "", nil, err
		}
		plen, rest, err := readRDBLen(rest)
		// LZF makes at most 264 bytes of 3 (a back reference): a plain
		// length past that is a lie, and would be allocated.
		if err != nil || clen > uint64(len(rest)) || plen > 88*clen {
			return "", nil, io.ErrUnexpectedEOF
		}
		out, err := lzfDecompress(rest[:clen], int(plen))
		if err != nil {
			return "", nil, err
		}
		return string(out), rest[clen:], nil
	}
	return "", nil, funcError("unknown RDB string encoding")
}

// readRDBLen reads an RDB length (not a special encoding).
func readRDBLen(b []byte) (uint64, []byte, error) {
	if len(b) == 0 {
		return 0, nil, io.ErrUnexpectedEOF
	}
	h := b[0]
	switch {
	case h>>6 == 0:
		return uint64(h & 0x3f), b[1:], nil
	case h>>6 == 1 && len(b) >= 2:
		return uint64(h&0x3f)<<8 | uint64(b[1]), b[2:], nil
	case h == 0x80 && len(b) >= 5:
		return uint64(binary.BigEndian.Uint32(b[1:])), b[5:], nil
	case h == 0x81 && len(b) >= 9:
		return binary.BigEndian.Uint64(b[1:]), b[9:], nil
	}
	return 0, nil, io.ErrUnexpectedEOF
}

// lzfDecompress is liblzf's lzf_decompress, into exactly n bytes.
func lzfDecompress(in []byte, n int) ([]byte, error) {
	out := make([]byte, 0, n)
	for i := 0; i < len(in); {
		ctrl := int(in[i])
		i++
		if ctrl < 1<<5 { // a literal run of ctrl+1 bytes
			l := ctrl + 1
			if i+l > len(in) || len(out)+l > n {
				return nil, errors.New("lzf: corrupt literal run")
			}
			out = append(out, in[i:i+l]...)
			i += l
			continue
		}
		l := ctrl >> 5
		if l == 7 {
			if i >= len(in) {
				return nil, errors.New("lzf: corrupt back reference")
			}
			l += int(in[i])
			i++
		}
		if i >= len(in) {
			return nil, errors.New("lzf: corrupt back reference")
		}
		ref := len(out) - ((ctrl & 0x1f) << 8) - 1 - int(in[i])
		i++
		l += 2
		if ref < 0 || len(out)+l > n {
			return nil, errors.New("lzf: corrupt back reference")
		}
		for k := 0; k < l; k++ { // may overlap what it appends
			out = append(out, out[ref+k])
		}
	}
	if len(out) != n {
		return nil, errors.New("lzf: wrong length")
	}
	return out, nil
}

// parseFunctionDump returns the libraries' code in a DUMP payload.
func parseFunctionDump(p []byte) ([]string, error) {
	if len(p) < 10 {
		return nil, errBadPayload
	}
	body := p[:len(p)-8]
	if binary.LittleEndian.Uint16(p[len(p)-10:]) > rdbVersion || binary.LittleEndian.Uint64(p[len(p)-8:]) != redisCRC64(body) {
		return nil, errBadPayload
	}
	body = body[:len(body)-2]
	var codes []string
	for len(body) > 0 {
		if body[0] != rdbOpcodeFunction2 {
			return nil, funcError("given type is not a function")
		}
		code, rest, err := readRDBString(body[1:])
		if err != nil {
			return nil, funcError("payload is corrupt")
		}
		codes = append(codes, code)
		body = rest
	}
	return codes, nil
}

func cmdFunctionRestore(c *Ctx) {
	policy := "append"
	if len(c.Args) > 4 {
		c.Error(subcommandSyntaxError(c))
		return
	}
	if len(c.Args) == 4 {
		policy = strings.ToLower(string(c.Args[3]))
		if policy != "flush" && policy != "append" && policy != "replace" {
			c.Error("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.")
			return
		}
	}
	codes, err := parseFunctionDump(c.Args[2])
	if err != nil {
		c.Error("ERR " + err.Error())
		return
	}
	var libs []*library
	names := map[string]bool{}
	for _, code := range codes {
		lib, err := c.DB.buildLibrary(code, functionLoadTimeout)
		if err != nil {
			c.Error("ERR " + err.Error())
			return
		}
		if names[lib.name] {
			c.Error(fmt.Sprintf("ERR Library '%s' already exists", lib.name))
			return
		}
		names[lib.name] = true
		libs = append(libs, lib)
	}
	switch policy {
	case "flush":
		err = (&functionsEngine{libs: map[string]*library{}, funcs: map[string]*luaFunction{}}).checkCollisions(libs, nil)
	default:
		err = c.checkLibraries(libs, policy == "replace", true)
	}
	if err != nil {
		c.Error("ERR " + err.Error())
		return
	}
	if policy == "flush" {
		c.emit(&op{code: opFFlush})
	}
	for _, lib := range libs {
		c.emit(&op{code: opFSet, key: []byte(lib.name), val: []byte(lib.code)})
	}
	c.OK()
}

// subcommandSyntaxError is Redis's addReplySubcommandSyntaxError.
func subcommandSyntaxError(c *Ctx) string {
	return fmt.Sprintf("ERR unknown subcommand or wrong number of arguments for '%s'. Try %s HELP.",
		truncArg(cstr(c.Args[1])), strings.ToUpper(string(c.Args[0])))
}

var functionHelp = []string{
	"LOAD [REPLACE] <FUNCTION CODE>",
	"    Create a new library with the given library name and code.",
	"DELETE <LIBRARY NAME>",
	"    Delete the given library.",
	"LIST [LIBRARYNAME PATTERN] [WITHCODE]",
	"    Return general information on all the libraries:",
	"    * Library name",
	"    * The engine used to run the Library",
	"    * Library description",
	"    * Functions list",
	"    * Library code (if WITHCODE is given)",
	"    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
	"STATS",
	"    Return information about the current function running:",
	"    * Function name",
	"    * Command used to run the function",
	"    * Duration in MS that the function is running",
	"    If no function is running, return nil",
	"    In addition, returns a list of available engines.",
	"KILL",
	"    Kill the current running function.",
	"FLUSH [ASYNC|SYNC]",
	"    Delete all the libraries.",
	"    When called without the optional mode argument, the behavior is determined by the",
	"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
	"    * ASYNC: Asynchronously flush the libraries.",
	"    * SYNC: Synchronously flush the libraries.",
	"DUMP",
	"    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
	"RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
	"    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
	"    control how to handle existing libraries (default APPEND):",
	"    * FLUSH: delete all existing libraries.",
	"    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
	"    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
	"      libraries with the new libraries (notice that even on this option there is a chance of failure",
	"      in case of functions name collision with another library).",
}

func cmdFunctionHelp(c *Ctx) { ReplyHelp(c, "FUNCTION", functionHelp) }

// FunctionStats returns the number of libraries and of functions (INFO
// memory's number_of_libraries and number_of_functions).
func (db *DB) FunctionStats() (libraries, functions int64) {
	return db.funcs.nlibs.Load(), db.funcs.nfuncs.Load()
}

// ---- checkpoint (docs/format/functions.md) ----

const functionsMagic = "KEELFN01"

// functionsSnapshot is the libraries' code at a checkpoint.
type functionsSnapshot struct{ libs [][2]string }

func (f *functionsEngine) snapshot() *functionsSnapshot {
	s := &functionsSnapshot{}
	for _, lib := range f.sortedLibraries() {
		s.libs = append(s.libs, [2]string{lib.name, lib.code})
	}
	return s
}

// WriteTo writes the checkpoint: magic, LSN, count, (name, code)..., and
// the xxhash64 of all of it.
func (s *functionsSnapshot) WriteTo(w io.Writer, lsn memtables.LSN) error {
	b := []byte(functionsMagic)
	b = binary.LittleEndian.AppendUint64(b, uint64(lsn))
	b = binary.AppendUvarint(b, uint64(len(s.libs)))
	for _, l := range s.libs {
		b = appendBytes(b, []byte(l[0]))
		b = appendBytes(b, []byte(l[1]))
	}
	b = binary.LittleEndian.AppendUint64(b, xxhash.Sum64(b))
	_, err := w.Write(b)
	return err
}

// functionsCorruption is a damaged functions checkpoint, at an offset.
type functionsCorruption struct {
	Offset int64
	Err    string
}

func (e *functionsCorruption) Error() string {
	return fmt.Sprintf("corrupt functions checkpoint at offset %d: %s", e.Offset, e.Err)
}

// readFunctionsCheckpoint verifies and decodes a functions checkpoint,
// returning its LSN and the libraries' code.
func readFunctionsCheckpoint(r io.Reader) (uint64, []string, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return 0, nil, err
	}
	if len(b) < len(functionsMagic)+16 || string(b[:len(functionsMagic)]) != functionsMagic {
		return 0, nil, &functionsCorruption{0, "bad magic or truncated"}
	}
	body := b[:len(b)-8]
	if xxhash.Sum64(body) != binary.LittleEndian.Uint64(b[len(b)-8:]) {
		return 0, nil, &functionsCorruption{int64(len(b) - 8), fmt.Sprintf("the checksum of bytes 0-%d does not match", len(b)-8)}
	}
	lsn := binary.LittleEndian.Uint64(body[len(functionsMagic):])
	d := bytes.NewReader(body[len(functionsMagic)+8:])
	n, err := binary.ReadUvarint(d)
	if err != nil {
		return 0, nil, &functionsCorruption{int64(len(functionsMagic) + 8), "bad count"}
	}
	var codes []string
	for range n {
		for k := 0; k < 2; k++ {
			off := int64(len(body)) - int64(d.Len())
			l, err := binary.ReadUvarint(d)
			if err != nil || l > uint64(d.Len()) {
				return 0, nil, &functionsCorruption{off, "bad length"}
			}
			v := make([]byte, l)
			io.ReadFull(d, v)
			if k == 1 {
				codes = append(codes, string(v))
			}
		}
	}
	return lsn, codes, nil
}

// loadFunctions loads the libraries of a functions checkpoint (Open).
func (db *DB) loadFunctions(r io.Reader) (memtables.LSN, error) {
	lsn, codes, err := readFunctionsCheckpoint(r)
	if err != nil {
		return 0, err
	}
	db.funcs = newFunctions()
	for _, code := range codes {
		lib, err := db.buildLibrary(code, 0)
		if err != nil {
			return 0, fmt.Errorf("loading a library: %w", err)
		}
		db.funcs.install(lib)
	}
	return memtables.LSN(lsn), nil
}

func init() {
	scriptACL := []string{"slow", "scripting"}
	fflags := FlagNoScript | FlagSkipMonitor | FlagMayReplicate | FlagNoMandatoryKeys | FlagStale | FlagExclusive
	roFlags := FlagNoScript | FlagSkipMonitor | FlagNoMandatoryKeys | FlagStale | FlagReadonly | FlagExclusive
	sub := func(arity int, flags Flags, summary, since string, h func(*Ctx)) *Command {
		acl := scriptACL
		if flags&FlagWrite != 0 {
			acl = append([]string{"write"}, scriptACL...)
		}
		return &Command{Arity: arity, Flags: flags, ACL: acl, Group: "scripting", Summary: summary, Since: since, Handler: h}
	}
	Register(
		&Command{Name: "fcall", Arity: -3, Flags: fflags, KeyNum: 2, ACL: scriptACL, Group: "scripting", Summary: "Invokes a function.", Since: "7.0.0", Handler: cmdFCall},
		&Command{Name: "fcall_ro", Arity: -3, Flags: roFlags, KeyNum: 2, ACL: scriptACL, Group: "scripting", Summary: "Invokes a read-only function.", Since: "7.0.0", Handler: cmdFCall},
		&Command{Name: "function", Arity: -2, ACL: []string{"slow"}, Group: "scripting", Summary: "A container for function commands.", Since: "7.0.0", Subs: map[string]*Command{
			"load":    sub(-3, FlagWrite|FlagDenyOOM|FlagNoScript, "Creates a library.", "7.0.0", cmdFunctionLoad),
			"delete":  sub(3, FlagWrite|FlagNoScript, "Deletes a library and its functions.", "7.0.0", cmdFunctionDelete),
			"flush":   sub(-2, FlagWrite|FlagNoScript, "Deletes all libraries and functions.", "7.0.0", cmdFunctionFlush),
			"restore": sub(-3, FlagWrite|FlagDenyOOM|FlagNoScript, "Restores all libraries from a payload.", "7.0.0", cmdFunctionRestore),
			"dump":    sub(2, FlagNoScript|FlagExclusive, "Dumps all libraries into a serialized binary payload.", "7.0.0", cmdFunctionDump),
			"list":    sub(-2, FlagNoScript|FlagExclusive, "Returns information about all libraries.", "7.0.0", cmdFunctionList),
			"stats":   sub(2, FlagNoScript|FlagAllowBusy|FlagNoLock, "Returns information about a function during execution.", "7.0.0", cmdFunctionStats),
			"kill":    sub(2, FlagNoScript|FlagAllowBusy|FlagNoLock, "Terminates a function during execution.", "7.0.0", cmdFunctionKill),
			"help":    sub(2, FlagLoading|FlagStale|FlagNoLock, "Returns helpful text about the different subcommands.", "7.0.0", cmdFunctionHelp),
		}},
	)
}
