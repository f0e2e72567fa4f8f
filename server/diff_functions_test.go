package server

// Differential tests of Redis 7.0 functions (FUNCTION, FCALL, FCALL_RO)
// against redis-server.

import (
	"slices"
	"strings"
	"testing"
)

func init() {
	replyComparers = append(replyComparers, functionListCmp)
}

// functionListCmp compares FUNCTION LIST with its libraries in name
// order: Redis lists them in its hash table's order, keel by name.
func functionListCmp(args []string, k, o respValue) (string, bool) {
	if len(args) < 2 || !strings.EqualFold(args[0], "function") || !strings.EqualFold(args[1], "list") || k.Kind != '*' || o.Kind != '*' {
		return "", false
	}
	byName := func(v respValue) respValue {
		v.Elems = slices.Clone(v.Elems)
		slices.SortFunc(v.Elems, func(a, b respValue) int { return strings.Compare(libName(a), libName(b)) })
		return v
	}
	return exactCmp(byName(k), byName(o)), true
}

// libName is a FUNCTION LIST entry's library_name.
func libName(v respValue) string {
	for i := 0; i+1 < len(v.Elems); i += 2 {
		if v.Elems[i].Str == "library_name" {
			return v.Elems[i+1].Str
		}
	}
	return ""
}

func TestDiffFunctions(t *testing.T) {
	t.Parallel()
	p := newPair(t)
	// Functions outlive FLUSHALL, which runCases uses between cases: each
	// case starts by flushing them.
	for i := range functionCases {
		functionCases[i].cmds = append([]string{"FUNCTION FLUSH"}, functionCases[i].cmds...)
	}
	runCases(t, p, functionCases)
}

var functionCases = []diffCase{
	dc("load and call",
		"FUNCTION LOAD \"#!lua name=mylib\\nredis.register_function('myfunc', function(keys, args) return args[1] end)\"",
		"FUNCTION LOAD \"#!lua name=mylib\\nredis.register_function('myfunc', function(keys, args) return args[1] end)\"",
		"FUNCTION LOAD REPLACE \"#!lua name=mylib\\nredis.register_function('myfunc', function(keys, args) return 'v2' end)\"",
		"FUNCTION LOAD BOGUS \"#!lua name=mylib\\nredis.register_function('myfunc', function() end)\"",
		`FCALL myfunc 0 hello`, `FCALL MYFUNC 1 k hello`, `FCALL nosuch 0`, `FCALL myfunc -1`, `FCALL myfunc x`, `FCALL myfunc 3 a`,
		`FCALL_RO myfunc 0`,
		"FUNCTION LOAD \"#!lua name=lib2\\nredis.register_function{function_name='ro', callback=function(keys, args) return redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads'}\"",
		`SET k v`, `FCALL_RO ro 1 k`, `FCALL ro 1 k`,
		"FUNCTION LOAD \"#!lua name=lib3\\nredis.register_function('myfunc', function() return 1 end)\"",
		"FUNCTION LOAD \"#!lua name=lib9\\nredis.register_function('a9', function(keys, args) return {#keys, #args, keys[1], args[1], type(KEYS)} end)\"",
		`FCALL a9 2 k1 k2 a1`,
		"FUNCTION LOAD \"#!lua name=w\\nredis.register_function('w', function(keys, args) return redis.call('set', keys[1], args[1]) end)\\nredis.register_function('boom', function() error('boom') end)\\nredis.register_function('nosuch', function() return redis.call('nosuch') end)\\nredis.register_function('glob', function() x = 1 end)\\nredis.register_function('ro_write', function() return redis.call('fcall', 'w', 0) end)\"",
		`FCALL w 1 wk wv`, `GET wk`, `FCALL boom 0`, `FCALL nosuch 0`, `FCALL glob 0`, `FCALL ro_write 0`,
		"FUNCTION LOAD \"#!lua name=rw\\nredis.register_function{function_name='rw', callback=function(keys) return redis.call('set', keys[1], 'x') end, flags={'no-writes'}}\"",
		`FCALL rw 1 k`, `FUNCTION STATS`),
	dc("load errors",
		"FUNCTION LOAD \"#!lua name=lib4\\nreturn 1\"", `FUNCTION LOAD "return 1"`, "FUNCTION LOAD \"#!lua\\nreturn 1\"",
		`FUNCTION LOAD "#!lua name=x"`, "FUNCTION LOAD \"#!lua name=bad-name\\nreturn 1\"",
		"FUNCTION LOAD \"#!lua name=lib5 foo=bar\\nreturn 1\"", "FUNCTION LOAD \"#!lua name=a name=b\\nreturn 1\"",
		"FUNCTION LOAD \"#!luax name=a\\nreturn 1\"", "FUNCTION LOAD \"#!LUA name=upper\\nredis.register_function('up', function() return 1 end)\"",
		"FUNCTION LOAD \"#!lua name=lib6\\nredis.call('ping')\"", "FUNCTION LOAD \"#!lua name=lib7\\nredis.register_function('f7', 5)\"",
		"FUNCTION LOAD \"#!lua name=lib8\\nredis.register_function('bad name', function() end)\"",
		"FUNCTION LOAD \"#!lua name=lib9\\nredis.register_function{function_name='f9', callback=function() end, flags={'bogus'}}\"",
		"FUNCTION LOAD \"#!lua name=lib10\\nredis.register_function{function_name='f10', callback=function() end, foo=1}\"",
		"FUNCTION LOAD \"#!lua name=lib11\\nx = 1\"", "FUNCTION LOAD \"#!lua name=lib12\\nlocal x = redis.setresp\"",
		"FUNCTION LOAD \"#!lua name=lib13\\nreturn (\"",
		"FUNCTION LOAD \"#!lua name=lib14\\nredis.register_function{function_name='o'}\"",
		"FUNCTION LOAD \"#!lua name=lib15\\nredis.register_function{callback=function() end}\"",
		"FUNCTION LOAD \"#!lua name=lib16\\nredis.register_function()\"",
		"FUNCTION LOAD \"#!lua name=lib17\\nredis.register_function('p', function() end, 3)\"",
		"FUNCTION LOAD \"#!lua name=lib18\\nredis.register_function('q', function() end)\\nredis.register_function('q', function() end)\"",
		"FUNCTION LOAD \"#!lua name=lib19\\nredis.register_function{function_name='r', callback=function() end, description=5}\"",
		"FUNCTION LOAD \"#!lua name=lib20\\nredis.register_function{function_name='s', callback=function() end, flags='no-writes'}\"",
		"FUNCTION LOAD \"#!lua name=e1\\nredis.register_function{function_name=5, callback=function() end}\"",
		"FUNCTION LOAD \"#!lua name=e2\\nredis.register_function{function_name='x', callback=function() end, description={}}\"",
		"FUNCTION LOAD \"#!lua name=e3\\nredis.register_function(5, function() end)\"",
		"FUNCTION LOAD \"#!lua name=e4\\nredis.register_function('', function() end)\"",
		"FUNCTION LOAD \"#!lua name=e4b\\nredis.register_function{function_name='', callback=function() end}\"",
		"FUNCTION LOAD \"#!lua name=e5\\nredis.register_function('a', function() end)\\nerror('after')\"",
		"FUNCTION LOAD \"#!lua name=e7\\nlocal s = string.len('x')\"",
		"FUNCTION LOAD \"#!lua name=e8\\nredis.log(redis.LOG_NOTICE, 'x') redis.register_function('a8', function() return redis.REDIS_VERSION end)\"",
		`FCALL a8 0`, `FUNCTION LOAD`, `FUNCTION LOAD REPLACE`,
		"FUNCTION LOAD \"#!lua name=loop\\nwhile true do end\"", `FUNCTION LIST`),
	dc("list, delete, stats, flush",
		"FUNCTION LOAD \"#!lua name=mylib\\nredis.register_function('myfunc', function(keys, args) return 1 end)\"",
		"FUNCTION LOAD \"#!lua name=lib2\\nredis.register_function{function_name='ro', callback=function() return 1 end, flags={'no-writes', 'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys'}, description='reads'}\"",
		`FUNCTION LIST`, `FUNCTION LIST WITHCODE`, `FUNCTION LIST LIBRARYNAME my*`, `FUNCTION LIST libraryname MY*`,
		`FUNCTION LIST LIBRARYNAME`, `FUNCTION LIST bogus`, `FUNCTION LIST WITHCODE LIBRARYNAME lib2`,
		`FUNCTION STATS`, `FUNCTION DELETE nosuch`, `FUNCTION DELETE lib2`, `FUNCTION LIST`, `FCALL ro 0`,
		`FUNCTION FLUSH bogus`, `FUNCTION FLUSH SYNC x`, `FUNCTION FLUSH ASYNC`, `FUNCTION LIST`, `FUNCTION STATS`,
		`FUNCTION KILL`, `FUNCTION HELP`, `FUNCTION bogus`, `FUNCTION`,
		"FUNCTION LOAD \"#!lua name=keep\\nredis.register_function('keep', function() return 'kept' end)\"",
		`FLUSHALL`, `FCALL keep 0`),
	dc("dump and restore",
		"FUNCTION LOAD \"#!lua name=mylib\\nredis.register_function('myfunc', function(keys, args) return 'v2' end)\"",
		`FUNCTION DUMP`,
		"FUNCTION RESTORE \"\\xf5@X#!lua name=mylib\\nredis.register_function('myfunc', function(keys, args) return 'v2' end)\\n\\x00A>%\\x93\\xc3\\xd7\\x0c\\x10\"",
		"FUNCTION RESTORE \"\\xf5@X#!lua name=mylib\\nredis.register_function('myfunc', function(keys, args) return 'v2' end)\\n\\x00A>%\\x93\\xc3\\xd7\\x0c\\x10\" REPLACE",
		"FUNCTION RESTORE \"\\xf5@X#!lua name=mylib\\nredis.register_function('myfunc', function(keys, args) return 'v2' end)\\n\\x00A>%\\x93\\xc3\\xd7\\x0c\\x10\" FLUSH",
		`FUNCTION FLUSH`,
		"FUNCTION RESTORE \"\\xf5@X#!lua name=mylib\\nredis.register_function('myfunc', function(keys, args) return 'v2' end)\\n\\x00A>%\\x93\\xc3\\xd7\\x0c\\x10\"",
		`FCALL myfunc 0`, `FUNCTION RESTORE "\xf5" APPEND`, `FUNCTION RESTORE x bogus`, `FUNCTION RESTORE x`,
		"FUNCTION RESTORE \"\\xf5@X#!lua name=mylib\\nredis.register_function('myfunc', function(keys, args) return 'v2' end)\\n\\x00A>%\\x93\\xc3\\xd7\\x0c\\x11\"",
		"FUNCTION LOAD \"#!lua name=other\\nredis.register_function('myfunc2', function() return 1 end)\"",
		"FUNCTION RESTORE \"\\xf5@X#!lua name=mylib\\nredis.register_function('myfunc', function(keys, args) return 'v2' end)\\n\\x00A>%\\x93\\xc3\\xd7\\x0c\\x10\" FLUSH",
		`FUNCTION LIST`),
	dc("inside scripts and transactions",
		"FUNCTION LOAD \"#!lua name=mylib\\nredis.register_function('myfunc', function(keys, args) return redis.call('incr', keys[1]) end)\"",
		`EVAL "return redis.call('fcall', 'myfunc', 1, 'n')" 0`, `EVAL "return redis.call('function', 'list')" 0`,
		`MULTI`, `FCALL myfunc 1 n`, `FCALL myfunc 1 n`, `EXEC`, `GET n`,
		`MULTI`, "FUNCTION LOAD \"#!lua name=tx\\nredis.register_function('txf', function() return 'tx' end)\"", `FCALL txf 0`, `EXEC`),
}
