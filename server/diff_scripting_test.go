package server

// Differential tests of Lua scripting (EVAL, EVALSHA, EVAL_RO,
// EVALSHA_RO, SCRIPT) against redis-server: replies, error texts (with
// the script's SHA1 and line), the sandbox, conversions both ways in
// RESP2 and RESP3, and the data each script leaves.

import (
	"bufio"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keeldb/keel"
	"github.com/keeldb/keel/internal/oracle"
)

func init() {
	replyComparers = append(replyComparers, compileErrorCmp)
}

// compileErrRE matches a compile error up to its line: the text after it
// is the Lua compiler's, gopher-lua's in keel (scripting.go).
var compileErrRE = regexp.MustCompile(`^ERR Error compiling (script \(new function\)|function): user_(script|function):\d+:`)

// compileErrorCmp compares two compile errors by their prefix and line.
func compileErrorCmp(_ []string, k, o respValue) (string, bool) {
	if k.Kind != '-' || o.Kind != '-' {
		return "", false
	}
	om := compileErrRE.FindString(o.Str)
	if om == "" {
		return "", false
	}
	if km := compileErrRE.FindString(k.Str); km != om {
		return "compile errors differ before the compiler's text", true
	}
	return "", true
}

func TestDiffScripting(t *testing.T) {
	t.Parallel()
	runCases(t, newPair(t), scriptingCases)
}

var scriptingCases = []diffCase{
	dc("EVAL/return_types",
		`EVAL "return 1" 0`, `EVAL "return 'x'" 0`, `EVAL "return {1,2,{3,'x'},nil,5}" 0`,
		`EVAL "return 3.99" 0`, `EVAL "return -3.99" 0`, `EVAL "return -0.5" 0`, `EVAL "return 1e30" 0`, `EVAL "return -1e30" 0`,
		`EVAL "return 0/0" 0`, `EVAL "return 2^53" 0`,
		`EVAL "return {ok='fine'}" 0`, `EVAL "return {ok=''}" 0`, `EVAL "return {ok='a\\r\\nb'}" 0`,
		`EVAL "return {err='bad thing'}" 0`, `EVAL "return {err='MYERR bad thing'}" 0`, `EVAL "return {err=''}" 0`,
		`EVAL "return {err='a\\nb'}" 0`, `EVAL "return {err=3}" 0`, `EVAL "return {ok=3}" 0`, `EVAL "return {err='x', ok='y'}" 0`,
		`EVAL "return true" 0`, `EVAL "return false" 0`, `EVAL "return nil" 0`, `EVAL "return" 0`,
		`EVAL "return {1.5, 'a', true, false}" 0`, `EVAL "return {double=3.5}" 0`, `EVAL "return {double='x'}" 0`,
		`EVAL "return {}" 0`, `EVAL "return {{}, {{}}}" 0`, `EVAL "return {a=1, b=2}" 0`, `EVAL "return {1, 2, a=3}" 0`,
		`EVAL "return cjson.null" 0`, `EVAL "return function() end" 0`, `EVAL "return 1, 2" 0`,
		`EVAL "return {map={a=1}}" 0`, `EVAL "return {set={a=true}}" 0`, `EVAL "return string.rep('x', 3)" 0`),
	// Lua 5.1 turns numbers into strings with "%.14g" (gopher-lua, before
	// keel's patch, with Go's shortest form): concatenation, string
	// functions given numbers, table.concat, keys and error values.
	dc("EVAL/number_strings",
		`EVAL "return 1e14 .. ''" 0`, `EVAL "return 123456789012345 .. ''" 0`, `EVAL "return 99999999999999 .. ''" 0`,
		`EVAL "return 0.1 + 0.2 .. ''" 0`, `EVAL "return (1/3) .. ''" 0`, `EVAL "return -(2/3) .. ''" 0`,
		`EVAL "return 2^53 .. ''" 0`, `EVAL "return 2^63 .. ''" 0`, `EVAL "return 1e-5 .. ''" 0`, `EVAL "return 1e-4 .. ''" 0`,
		`EVAL "return 5e-324 .. ''" 0`, `EVAL "return 1.7976931348623157e308 .. ''" 0`,
		`EVAL "return (1/0) .. ''" 0`, `EVAL "return (-1/0) .. ''" 0`, `EVAL "return (0/0) .. ''" 0`, `EVAL "return -0.0 .. ''" 0`,
		`EVAL "return string.len(1/3)" 0`, `EVAL "return string.upper(1e20)" 0`, `EVAL "return ('x'):rep(2) .. 3.0" 0`,
		`EVAL "return table.concat({1.5, 2^60, 7, 0.1 + 0.2}, ',')" 0`, `EVAL "return string.format('%s|%s', 0.1 + 0.2, 1e15)" 0`,
		`EVAL "local t = {} t[1/3] = 1 for k in pairs(t) do return k .. '' end" 0`,
		`EVAL "error(0.1 + 0.2)" 0`, `EVAL "return redis.call('set', 'numstr', 1e14 .. '|' .. 2.5)" 0`, `GET numstr`,
		`EVAL "return string.find('a0.3b', 0.1 + 0.2, 1, true)" 0`, `EVAL "return #(1e100 .. '')" 0`),
	// Strings turn into numbers as Lua 5.1's luaO_str2d (strtod) turns
	// them, in literals, arithmetic and tonumber; tonumber with a base is
	// C's strtoul (gopher-lua, before keel's patch, used Go's parsers).
	dc("EVAL/number_parsing",
		`EVAL "return 0x1p4" 0`, `EVAL "return tonumber('0x1p4')" 0`, `EVAL "return 1e309 .. ''" 0`, `EVAL "return -1e309 .. ''" 0`,
		`EVAL "return tostring(tonumber('0b101'))" 0`, `EVAL "return tostring(tonumber('1_000'))" 0`, `EVAL "return tostring(tonumber('0o17'))" 0`,
		`EVAL "return tonumber('  12  ')" 0`, `EVAL "return tonumber(' 0x1A ')" 0`, `EVAL "return tostring(tonumber('1e'))" 0`,
		`EVAL "return tostring(tonumber('inf'))" 0`, `EVAL "return tostring(tonumber('-INFINITY'))" 0`, `EVAL "return tostring(tonumber('nan'))" 0`,
		`EVAL "return tostring(tonumber(''))" 0`, `EVAL "return tostring(tonumber('.5'))" 0`, `EVAL "return tostring(tonumber('5.'))" 0`,
		`EVAL "return tostring(tonumber('0x'))" 0`, `EVAL "return tostring(tonumber('1e+'))" 0`, `EVAL "return tostring(tonumber('12abc'))" 0`,
		`EVAL "return '0x10' + 0" 0`, `EVAL "return ' 10	' * 2" 0`, `EVAL "return '1e2' + 0" 0`, `EVAL "return tostring('0x1p-2' + 0)" 0`,
		`EVAL "return tostring(pcall(function() return '0b1' + 0 end))" 0`, `EVAL "return tostring(pcall(function() return '1_0' + 0 end))" 0`,
		`EVAL "return tonumber('ff', 16)" 0`, `EVAL "return tonumber('FF', 16)" 0`, `EVAL "return tonumber('0xff', 16)" 0`,
		`EVAL "return tonumber('  zz  ', 36)" 0`, `EVAL "return tonumber('101', 2)" 0`, `EVAL "return tostring(tonumber('102', 2))" 0`,
		`EVAL "return tostring(tonumber('-1', 16))" 0`, `EVAL "return tostring(tonumber('ffffffffffffffffff', 16))" 0`,
		`EVAL "return tostring(tonumber('', 16))" 0`, `EVAL "return tostring(tonumber(' ', 10))" 0`, `EVAL "return tonumber(10, 16)" 0`,
		`EVAL "return tonumber('10', 1)" 0`, `EVAL "return tonumber('10', 37)" 0`, `EVAL "return tonumber('z', 36.9)" 0`,
		`EVAL "return tostring(tonumber({}))" 0`, `EVAL "return tonumber()" 0`, `EVAL "return tonumber({}, 16)" 0`,
		`EVAL "return 010" 0`, `EVAL "return .5e1" 0`, `EVAL "return 3e0" 0`, `EVAL "return tostring(0xA.8p0)" 0`),
	dc("EVAL/numkeys",
		`EVAL "return 1" -1`, `EVAL "return 1" 2 a`, `EVAL "return 1" x`, `EVAL "return 1" 99999999999999999999`,
		`EVAL "return 1" 1.5`, `EVAL "return {#KEYS, #ARGV}" 0`, `EVAL "return {#KEYS, #ARGV}" 0 a b`,
		`EVAL "return {KEYS[1], ARGV[1], ARGV[2], #KEYS, #ARGV}" 1 k1 a1 a2`, `EVAL "return KEYS" 3 a b c`,
		`EVAL "KEYS[5] = 'x' return KEYS[5]" 0`, `EVAL "return ARGV" 0 "" "a b"`,
		`EVAL "return type(arg)" 0`, `EVAL "return select('#', ...)" 0`, `EVAL "return {...}" 0 a`),
	dc("EVAL/errors",
		`EVAL "return x" 0`, `EVAL "x = 1" 0`, `EVAL "error('boom')" 0`, `EVAL "error('x', 0)" 0`, `EVAL "error('ERR x', 0)" 0`,
		`EVAL "error(12)" 0`, `EVAL "error(true)" 0`, `EVAL "error({err='E1 x'})" 0`, `EVAL "error({err='x y'})" 0`,
		`EVAL "\n\nerror('x')" 0`, `EVAL "local function f() error('deep') end\nf()" 0`,
		`EVAL "local function f()\n  error('deep')\nend\nf()" 0`, `EVAL "assert(false)" 0`, `EVAL "assert(false, 'why')" 0`),
	dc("EVAL/compile_errors", `EVAL "return (" 0`, `EVAL "return 1 +" 0`, `EVAL "\nlocal x = = 1" 0`,
		`SCRIPT LOAD "return (("`, `EVAL "\n#!lua\nreturn 1" 0`,
		`EVAL "for i=1 do end" 0`, `EVAL "if x then" 0`, `EVAL "return 1 2" 0`, `EVAL "local function() end" 0`,
		`EVAL "return 'abc" 0`, `EVAL "return [[x" 0`, `EVAL "return 0x" 0`, `EVAL "a.b:c = 1" 0`,
		`EVAL "local t = {1,2" 0`, `EVAL "goto x" 0`, `EVAL "x = 1e" 0`, `EVAL "::lbl::" 0`,
		`EVAL "local t = {\n1,\n2" 0`, `EVAL "f\n(1)" 0`, `EVAL "break" 0`, `EVAL "(a) = 1" 0`,
		`EVAL "function f() return ... end" 0`, `EVAL "for i do end" 0`, `EVAL "return 'ab\\300'" 0`,
		`EVAL "return [==x" 0`, `EVAL "--[[ x" 0`, `EVAL "while true do break; x = 1 end" 0`,
		`EVAL "#!lua\n\nreturn (" 0`, `EVAL "return 'a\nb'" 0`, `EVAL "return \x01" 0`, `EVAL ";" 0`,
		`EVAL "return [[a [[ b]]" 0`,
		`FUNCTION LOAD "#!lua name=lib\nreturn ("`, `FUNCTION LOAD "#!lua name=lib\n\nredis.register_function('f', function() goto x end)"`),
	dc("redis.call/errors",
		`EVAL "return redis.call('nosuch')" 0`, `EVAL "return redis.call('get')" 0`, `EVAL "return redis.call('set','a')" 0`,
		`EVAL "return redis.call()" 0`, `EVAL "return redis.call({})" 0`, `EVAL "return redis.call('set', 'a', {})" 0`,
		`EVAL "return redis.call('set', 'a', true)" 0`, `EVAL "return redis.call('set', 'a', nil)" 0`,
		`EVAL "return redis.call('multi')" 0`, `EVAL "return redis.call('eval', 'return 1', 0)" 0`,
		`EVAL "return redis.call('subscribe', 'x')" 0`, `EVAL "return redis.call('blpop', 'nol', 0)" 0`,
		`EVAL "return redis.call('watch', 'x')" 0`, `EVAL "return redis.call('client', 'id')" 0`,
		`EVAL "return redis.call('script', 'load', 'return 1')" 0`, `EVAL "return redis.call('object', 'nosuch')" 0`,
		`SET str abc`, `EVAL "return redis.call('incr', KEYS[1])" 1 str`, `EVAL "return redis.call('lpush', KEYS[1], 'x')" 1 str`,
		`EVAL "return redis.call('incr', 'k', 'x')" 0`, `GET str`),
	dc("redis.pcall",
		`EVAL "return redis.pcall('nosuch')" 0`, `EVAL "return redis.pcall('get')" 0`, `EVAL "return redis.pcall()" 0`,
		`EVAL "local t = redis.pcall('nosuch'); return t['err']" 0`, `SET s abc`,
		`EVAL "return redis.pcall('incr', KEYS[1])" 1 s`, `EVAL "local e = redis.pcall('incr', 's') return type(e)" 0`,
		`EVAL "local e = redis.pcall('incr', 's') error(e)" 0`, `EVAL "local e = redis.pcall('incr', 's') return e.err" 0`,
		`EVAL "return redis.pcall('incr', 'n')" 0`,
		`EVAL "local ok, e = pcall(redis.call, 'nosuch') return {tostring(ok), e}" 0`,
		`EVAL "local ok, e = pcall(redis.call, 'incr', 's') return e" 0`,
		`EVAL "local ok, e = pcall(redis.call, 'incr', 's') error(e)" 0`,
		`EVAL "local ok, e = pcall(function() error('x') end) return e" 0`,
		`EVAL "local ok, e = pcall(function() error({err='x'}) end) return e" 0`,
		`EVAL "local ok, e = pcall(function() error({1}) end) return e" 0`,
		`EVAL "return {pcall(function(a, b) return a + b end, 1, 2)}" 0`,
		`EVAL "return {xpcall(function() error('x') end, function(e) return 'handled ' .. e end)}" 0`),
	dc("redis.helpers",
		`EVAL "return redis.error_reply('x')" 0`, `EVAL "return redis.error_reply('-X y')" 0`, `EVAL "return redis.error_reply('')" 0`,
		`EVAL "return redis.error_reply(3)" 0`, `EVAL "return redis.error_reply()" 0`, `EVAL "return redis.status_reply('x')" 0`,
		`EVAL "return redis.status_reply()" 0`, `EVAL "return redis.sha1hex('')" 0`, `EVAL "return redis.sha1hex(12)" 0`,
		`EVAL "return redis.sha1hex()" 0`, `EVAL "return redis.setresp()" 0`, `EVAL "return redis.setresp(4)" 0`,
		`EVAL "return redis.setresp(3)" 0`, `EVAL "return redis.log()" 0`, `EVAL "return redis.log(99, 'x')" 0`,
		`EVAL "return redis.log(redis.LOG_DEBUG)" 0`, `EVAL "return redis.log(redis.LOG_DEBUG, 'x', 1)" 0`,
		`EVAL "return {redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING, redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL}" 0`,
		`EVAL "return redis.REDIS_VERSION" 0`, `EVAL "return redis.REDIS_VERSION_NUM" 0`,
		`EVAL "return redis.replicate_commands()" 0`, `EVAL "return redis.set_repl(redis.REPL_ALL)" 0`,
		`EVAL "return redis.set_repl(99)" 0`, `EVAL "return redis.breakpoint()" 0`, `EVAL "return redis.debug('x')" 0`,
		`EVAL "return redis.acl_check_cmd('get','x')" 0`, `EVAL "return redis.acl_check_cmd('nosuch')" 0`),
	dc("EVAL/number_arguments",
		`EVAL "redis.call('set', 'a', 0.1+0.2) return redis.call('get','a')" 0`,
		`EVAL "redis.call('set', 'a', 123456789012345) return redis.call('get','a')" 0`,
		`EVAL "redis.call('set', 'a', 1e20) return redis.call('get','a')" 0`,
		`EVAL "redis.call('set', 'a', 1e15) return redis.call('get','a')" 0`,
		`EVAL "redis.call('set', 'a', 1/3) return redis.call('get','a')" 0`,
		`EVAL "redis.call('set', 'a', 1e-7) return redis.call('get','a')" 0`,
		`EVAL "redis.call('set', 'a', -0.0) return redis.call('get','a')" 0`,
		`EVAL "redis.call('set', 'a', 1/0) return redis.call('get','a')" 0`,
		`EVAL "redis.call('set', 'a', -1/0) return redis.call('get','a')" 0`,
		`EVAL "redis.call('set', 'a', 123456.5) return redis.call('get','a')" 0`,
		`EVAL "redis.call('set', 'a', 2^63) return redis.call('get','a')" 0`,
		`EVAL "redis.call('set', 'a', 0.000001) return redis.call('get','a')" 0`,
		`EVAL "redis.call('set', 'a', 12345678901234567890123) return redis.call('get','a')" 0`,
		`EVAL "return redis.call('incrby', 'n', 5)" 0`, `EVAL "return redis.call('incrbyfloat', 'f', 1.5)" 0`),
	dc("EVAL/tostring",
		`EVAL "return tostring(0.1+0.2) .. ' ' .. tostring(123456789012345) .. ' ' .. tostring(1/3)" 0`,
		`EVAL "return {tostring(1e15), tostring(-0.0), tostring(1e300), tostring(12), tostring(-7.25), tostring(nil), tostring(true)}" 0`,
		`EVAL "return tostring(2^63) .. ' ' .. tostring(1e-5)" 0`, `EVAL "return tonumber('0x10') + tonumber('  12  ')" 0`,
		`EVAL "return type(tostring({}))" 0`),
	dc("EVAL/sandbox",
		`EVAL "string.x = 1" 0`, `EVAL "redis.x = 1" 0`, `EVAL "redis.call = nil" 0`, `EVAL "cjson.x = 1" 0`,
		`EVAL "math.random = nil" 0`, `EVAL "table.insert = nil" 0`, `EVAL "bit.x = 1" 0`, `EVAL "ARGV = 1" 0`,
		`EVAL "function foo() end" 0`, `EVAL "local function foo() return 1 end return foo()" 0`,
		`EVAL "setmetatable(_G, nil)" 0`, `EVAL "return rawget(_G, 'nosuch')" 0`, `EVAL "return rawget(_G, 'redis') == redis" 0`,
		`EVAL "rawset(_G, 'x', 1) return x" 0`, `EVAL "rawset(redis, 'x', 1)" 0`, `EVAL "return getmetatable(_G) == nil" 0`,
		`EVAL "return _VERSION" 0`, `EVAL "return _G == _G._G" 0`,
		`EVAL "local t = {} for k in pairs(_G) do t[#t+1] = k end table.sort(t) return t" 0`,
		`EVAL "local t = {} for k in pairs(redis) do t[#t+1] = k end table.sort(t) return t" 0`,
		`EVAL "local t = {} for k in pairs(string) do t[#t+1] = k end table.sort(t) return t" 0`,
		`EVAL "local t = {} for k in pairs(table) do t[#t+1] = k end table.sort(t) return t" 0`,
		`EVAL "local t = {} for k in pairs(math) do t[#t+1] = k end table.sort(t) return t" 0`,
		`EVAL "local t = {} for k in pairs(bit) do t[#t+1] = k end table.sort(t) return t" 0`,
		`EVAL "local t = {} for k in pairs(cjson) do t[#t+1] = k end table.sort(t) return t" 0`,
		`EVAL "local t = {} for k in pairs(cmsgpack) do t[#t+1] = k end table.sort(t) return t" 0`,
		`EVAL "local t = {} for k in pairs(struct) do t[#t+1] = k end table.sort(t) return t" 0`,
		`EVAL "local n = 0 for k, v in next, redis do n = n + 1 end return n" 0`,
		`EVAL "return type(os)" 0`, `EVAL "return type(print)" 0`, `EVAL "return type(dofile)" 0`,
		`EVAL "return type(loadfile)" 0`, `EVAL "return type(debug)" 0`, `EVAL "return type(require)" 0`,
		`EVAL "return type(setfenv)" 0`, `EVAL "return type(loadstring)" 0`, `EVAL "return gcinfo() > 0" 0`,
		`EVAL "return table.setn({}, 1)" 0`, `EVAL "local n = 0 table.foreach({5, 6}, function(k, v) n = n + v end) return n" 0`,
		`EVAL "return table.foreachi({5, 6}, function(i, v) if v == 6 then return i end end)" 0`,
		`EVAL "return table.getn({1, 2, 3})" 0`, `EVAL "return math.mod(7, 3)" 0`,
		`EVAL "return string.gfind ~= nil" 0`, `EVAL "local t = {} for w in string.gfind('a b', '%a') do t[#t+1] = w end return t" 0`),
	dc("EVAL/globals_do_not_leak",
		`EVAL "local x = 1 return x" 0`, `EVAL "return KEYS[1]" 1 a`, `EVAL "return KEYS[1]" 0`, `EVAL "return #ARGV" 0 a b`,
		`EVAL "return #ARGV" 0`),
	dc("EVAL/random",
		`EVAL "return {tostring(math.random()), tostring(math.random())}" 0`,
		`EVAL "return {math.random(10), math.random(5, 9), math.random(1), math.random(100, 100)}" 0`,
		`EVAL "return math.random(0)" 0`, `EVAL "return math.random(3, 2)" 0`, `EVAL "return math.random(1, 2, 3)" 0`,
		`EVAL "math.randomseed(42) return tostring(math.random())" 0`, `EVAL "return tostring(math.random())" 0`,
		`EVAL "math.randomseed(-5) return tostring(math.random())" 0`),
	dc("EVAL/writes",
		`EVAL "redis.call('set', KEYS[1], ARGV[1]) redis.call('rpush', KEYS[2], ARGV[1], ARGV[2]) redis.call('hset', KEYS[3], 'f', ARGV[2]) redis.call('sadd', 's', 1, 2) redis.call('zadd', 'z', 1, 'm') redis.call('xadd', 'x', '1-1', 'f', 'v') return redis.call('dbsize')" 3 a l h v w`,
		`GET a`, `LRANGE l 0 -1`, `HGETALL h`, `XRANGE x - +`,
		`EVAL "redis.call('set', 'b', '1') error('x')" 0`, `GET b`,
		`EVAL "redis.call('del', 'a') return redis.call('exists', 'a')" 0`,
		`EVAL "return redis.call('expire', 'l', 100)" 0`, `TTL l`,
		`EVAL "redis.call('set', 'k', 'v', 'EX', 100) return redis.call('ttl', 'k')" 0`,
		`EVAL "return redis.call('mset', 'a', 1, 'b', 2)" 0`, `MGET a b`,
		`EVAL "return redis.call('incr', 'counter') + redis.call('incr', 'counter')" 0`,
		`EVAL "redis.call('set', '', 'empty key') return redis.call('get', '')" 0`, `EVAL "return redis.call('hset', 'h2', '', '')" 0`,
		`HGETALL h2`, `EVAL "local n = 0 for i = 1, 100 do n = n + redis.call('rpush', 'big', string.rep('x', i)) end return n" 0`,
		`LRANGE big 98 -1`),
	dc("EVAL/select_inside",
		`EVAL "redis.call('select', 5); return redis.call('set','indb5','v')" 0`, `GET indb5`, `SELECT 5`, `GET indb5`,
		`EVAL "return redis.call('get', 'indb5')" 0`, `EVAL "redis.call('select', 0) return redis.call('get', 'indb5')" 0`,
		`GET indb5`, `EVAL "return redis.call('select', 99)" 0`),
	dc("EVAL/readonly",
		`EVAL_RO "return redis.call('set','x','y')" 0`, `EVAL_RO "return redis.call('get','x')" 0`,
		`SET x 1`, `EVAL_RO "return redis.call('get', KEYS[1])" 1 x`, `EVAL_RO "return redis.pcall('incr', 'x')" 0`,
		`SCRIPT LOAD "return redis.call('incr', 'x')"`, `EVALSHA_RO 4a2267357833227dd98abdedb8cf24b15a986445 0`,
		`EVALSHA 4a2267357833227dd98abdedb8cf24b15a986445 0`, `GET x`, `EVAL_RO "return 1" -1`),
	dc("EVAL/shebang",
		"EVAL \"#!lua flags=no-writes\\nreturn redis.call('set','x','y')\" 0",
		"EVAL \"#!lua\\nreturn redis.call('set','x','y')\" 0", `GET x`,
		"EVAL \"#!lua flags=bogus\\nreturn 1\" 0", "EVAL \"#!lua name=x\\nreturn 1\" 0",
		"EVAL \"#!lua flags=no-writes,allow-oom\\nreturn 1\" 0", "EVAL \"#!luax\\nreturn 1\" 0",
		"EVAL \"#!lua flags=\\nreturn 1\" 0", "EVAL \"#!lua  flags=no-writes\\nreturn 1\" 0",
		"EVAL \"#!lua flags=no-writes extra\\nreturn 1\" 0",
		"EVAL \"#!lua flags=allow-stale,no-cluster,allow-cross-slot-keys,allow-oom,no-writes\\nreturn 1\" 0",
		`EVAL "#!lua" 0`, "EVAL \"#!lua flags=no-writes\\nreturn redis.call('get','x')\" 0",
		"EVAL \"#!lua flags=no-writes\\nreturn x\" 0", "EVAL_RO \"#!lua\\nreturn 1\" 0",
		"EVAL_RO \"#!lua flags=no-writes\\nreturn redis.call('get', 'x')\" 0", "EVAL \"#!lua\\n\\nerror('line3')\" 0"),
	dc("EVALSHA/cache",
		`SCRIPT LOAD "return 'hi'"`, `EVALSHA 2f31ba2bb6d6a0f42cc159d2e2dad55440778de3 0`,
		`EVALSHA 2F31BA2BB6D6A0F42CC159D2E2DAD55440778DE3 0`, `EVALSHA abc 0`,
		`EVALSHA 0000000000000000000000000000000000000000 0`, `EVALSHA 2f31ba2bb6d6a0f42cc159d2e2dad55440778de3 x`,
		`SCRIPT EXISTS 2f31ba2bb6d6a0f42cc159d2e2dad55440778de3 2F31BA2BB6D6A0F42CC159D2E2DAD55440778DE3 ffff`,
		`EVAL "return 'other'" 0`, `SCRIPT EXISTS 3e75a4b4b1c7b8bc4e7a1fb37b7a2ea41bba8c0e`,
		`SCRIPT FLUSH`, `EVALSHA 2f31ba2bb6d6a0f42cc159d2e2dad55440778de3 0`,
		`SCRIPT EXISTS 2f31ba2bb6d6a0f42cc159d2e2dad55440778de3`,
		// EVAL of a body cached before the flush caches it again.
		`EVAL "return 'other'" 0`, `SCRIPT EXISTS 3fa0e42c54527adfc42c9fe8b53d5243d1412adf`,
		`EVALSHA 3fa0e42c54527adfc42c9fe8b53d5243d1412adf 0`, `EVAL "return 'other'" 0`,
		`SCRIPT LOAD "return 'hi'"`, `SCRIPT FLUSH ASYNC`,
		`SCRIPT FLUSH SYNC`, `SCRIPT FLUSH bogus`, `SCRIPT FLUSH SYNC x`, `SCRIPT KILL`, `SCRIPT HELP`, `SCRIPT DEBUG NO`,
		`SCRIPT DEBUG maybe`, `SCRIPT bogus`, `SCRIPT`, `SCRIPT EXISTS`, `SCRIPT LOAD`, `SCRIPT LOAD a b`),
	dc("EVAL/in_multi",
		`MULTI`, `EVAL "return redis.call('incr', 'n')" 0`, `EVAL "return redis.call('incr', 'n')" 0`, `EXEC`,
		`WATCH n`, `2> EVAL "return redis.call('incr', 'n')" 0`, `MULTI`, `GET n`, `EXEC`),
	dc("EVAL/expired_keys",
		`SET k v PX 1`, `@SLEEP 20`, `EVAL "return redis.call('get', 'k')" 0`, `EXISTS k`,
		`SET k2 v PX 1`, `@SLEEP 20`, `EVAL "return redis.call('exists', 'k2')" 0`, `DBSIZE`),
	dc("EVAL/resp3",
		`HELLO 3`, `HSET h a 1`, `SADD s x`, `ZADD z 1.5 m`,
		`EVAL "redis.setresp(3); return redis.call('hgetall', 'h')" 0`,
		`EVAL "redis.setresp(3); return redis.call('hgetall', 'nokey')" 0`,
		`EVAL "redis.setresp(3); local t = redis.call('hgetall', 'h'); return t['map']['a']" 0`,
		`EVAL "redis.setresp(3); return redis.call('get', 'nokey')" 0`,
		`EVAL "redis.setresp(3); return type(redis.call('get', 'nokey'))" 0`,
		`EVAL "return type(redis.call('get', 'nokey'))" 0`,
		`EVAL "redis.setresp(3); return redis.call('smembers', 's')" 0`,
		`EVAL "redis.setresp(3); local t = redis.call('smembers', 's'); return t['set']['x']" 0`,
		`EVAL "redis.setresp(3); return redis.call('zscore', 'z', 'm')" 0`,
		`EVAL "redis.setresp(3); local t = redis.call('zscore', 'z', 'm'); return tostring(t['double'])" 0`,
		`EVAL "return redis.call('zscore', 'z', 'm')" 0`,
		`EVAL "redis.setresp(3); return redis.call('zrange', 'z', 0, -1, 'withscores')" 0`,
		`EVAL "return redis.call('zrange', 'z', 0, -1, 'withscores')" 0`,
		`EVAL "redis.setresp(3); return true" 0`, `EVAL "redis.setresp(3); return false" 0`,
		`EVAL "return true" 0`, `EVAL "return false" 0`, `EVAL "return nil" 0`, `EVAL "return {double=3.5}" 0`,
		`EVAL "return {map={a=1}}" 0`, `EVAL "return {set={a=true}}" 0`, `EVAL "return {1, nil, 2}" 0`,
		`EVAL "redis.setresp(3); local t = redis.call('info', 'keyspace'); return t['verbatim_string']['format']" 0`,
		`EVAL "redis.setresp(3); return redis.call('hello')" 0`),
	dc("EVAL/resp2_aggregates",
		`HSET h a 1`, `EVAL "return redis.call('hgetall', 'h')" 0`, `EVAL "return redis.call('zrange', 'nokey', 0, -1)" 0`,
		`EVAL "return redis.call('blpop', 'nol', 1)" 0`, `EVAL "return redis.call('lmpop', 1, 'nol', 'left')" 0`,
		`EVAL "return type(redis.call('lmpop', 1, 'nol', 'left'))" 0`, `EVAL "return redis.call('blmpop', 1, 1, 'nol', 'left')" 0`,
		`EVAL "return redis.call('xread', 'block', 1000, 'streams', 'nos', '$')" 0`,
		`EVAL "return redis.call('XREAD', 'BLOCK', 1000, 'streams', 'nos', '$')" 0`, `XGROUP CREATE st g $ MKSTREAM`,
		`EVAL "return redis.call('xreadgroup', 'group', 'g', 'c', 'block', 10, 'streams', 'st', '>')" 0`,
		`EVAL "return redis.call('xreadgroup', 'group', 'g', 'c', 'streams', 'st', '>')" 0`,
		`EVAL "return redis.call('ping')" 0`, `EVAL "return redis.call('echo', 'x')" 0`, `EVAL "return redis.call('type', 'h')" 0`),
}

// TestDiffScriptCommandFlags compares which commands a script may not
// call (noscript in COMMAND INFO) with Redis, for every command keel has.
func TestDiffScriptCommandFlags(t *testing.T) {
	t.Parallel()
	p := newPair(t)
	s := newSession(t, p, 1)
	for _, c := range keel.Commands() {
		names := []string{c.Name}
		for _, sub := range c.Subs {
			names = append(names, sub.Name)
		}
		for _, name := range names {
			o, err := s.o[0].Do("COMMAND", "INFO", name)
			if err != nil {
				t.Fatal(err)
			}
			if o.Kind != '*' || len(o.Elems) != 1 || o.Elems[0].isNil() {
				continue // not in redis-server 7.0
			}
			k, err := s.k[0].Do("COMMAND", "INFO", name)
			if err != nil {
				t.Fatal(err)
			}
			flags := func(v respValue) []string {
				var out []string
				for _, f := range v.Elems[0].Elems[2].Elems {
					out = append(out, f.Str)
				}
				return out
			}
			if ko, oo := slices.Contains(flags(k), "noscript"), slices.Contains(flags(o), "noscript"); ko != oo {
				t.Errorf("MISMATCH noscript flag of %s: keel %v, redis %v", name, ko, oo)
			}
		}
	}
}

// TestScriptBusyAndKill runs a script that loops: past
// busy-reply-threshold other clients get BUSY (and may run SCRIPT KILL,
// which stops it); a script that wrote cannot be killed. keel only:
// redis-server's replies are the same texts, which TestDiffScripting
// checks where they can be compared in sequence (and TestScriptBusyAllowed
// those of the commands a busy script allows). In each connection model:
// a goroutine per connection, one event loop (the other client is served
// by the loop's helper while the loop's goroutine runs the script), two
// (each client on its own loop).
func TestScriptBusyAndKill(t *testing.T) {
	t.Parallel()
	for _, loops := range []string{"0", "1", "2"} {
		t.Run("event-loops="+loops, func(t *testing.T) {
			t.Parallel()
			testScriptBusyAndKill(t, startKeel(t, "event-loops", loops, "lua-time-limit", "100"))
		})
	}
}

// waitBusy sends cmd on b until it is refused with busy (within 10 s) and
// fails t if it gets another error.
func waitBusy(t *testing.T, b *respConn, busy string, cmd ...string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		v, err := b.Do(cmd...)
		if err != nil {
			t.Fatal(err)
		}
		if v.Kind == '-' {
			if v.Str != busy {
				t.Fatalf("%s during a busy script: %s", cmd, v)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no BUSY within 10 s of a looping script (%s)", cmd)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

const (
	busyScript   = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
	busyFunction = "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."
	spinScript   = "local i = 0 while true do i = i + 1 end"
)

func testScriptBusyAndKill(t *testing.T, srv *keelServer) {
	a, b := mustDialRESP(t, srv.addr), mustDialRESP(t, srv.addr)
	// a pipelines a command after its script: answered after the script.
	if err := a.Send("EVAL", spinScript, "0"); err != nil {
		t.Fatal(err)
	}
	if err := a.Send("ECHO", "after"); err != nil {
		t.Fatal(err)
	}
	// The script starts before b's commands (one that waited for the
	// lock before it started would wait for its end).
	time.Sleep(50 * time.Millisecond)
	waitBusy(t, b, busyScript, "GET", "x")
	if v, _ := b.Do("PING"); v.Str != busyScript {
		t.Fatalf("PING during a busy script: %s", v)
	}
	// A connection made while the script is busy is served too.
	c := mustDialRESP(t, srv.addr)
	if v, _ := c.Do("SET", "k", "v"); v.Str != busyScript {
		t.Fatalf("SET on a new connection during a busy script: %s", v)
	}
	if v, _ := b.Do("SCRIPT", "KILL"); v.Str != "OK" {
		t.Fatalf("SCRIPT KILL: %s", v)
	}
	v, err := a.Read()
	if err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum([]byte(spinScript))
	if want := "ERR Script killed by user with SCRIPT KILL... script: " + hex.EncodeToString(sum[:]) + ", on @user_script:1."; v.Str != want {
		t.Fatalf("the killed script's reply: %s, want %s", v, want)
	}
	if v, err := a.Read(); err != nil || v.Str != "after" {
		t.Fatalf("the command after the killed script: %s %v", v, err)
	}
	if v, _ := b.Do("SCRIPT", "KILL"); v.Str != "NOTBUSY No scripts in execution right now." {
		t.Fatalf("SCRIPT KILL with no script: %s", v)
	}
	if v, _ := c.Do("SET", "k", "v"); v.Str != "OK" {
		t.Fatalf("SET after the script: %s", v)
	}
	// A script that wrote runs to its end.
	if err := a.Send("EVAL", "redis.call('set', 'w', '1') local t = redis.call('time') while true do local n = redis.call('time') if (n[1] - t[1]) * 1e6 + (n[2] - t[2]) >= 1.5e6 then break end end return 'done'", "0"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		v, _ := b.Do("SCRIPT", "KILL")
		if v.Kind == '-' && strings.HasPrefix(v.Str, "UNKILLABLE") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("SCRIPT KILL of a script that wrote: %s", v)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if v, err := a.Read(); err != nil || v.Str != "done" {
		t.Fatalf("the unkillable script's reply: %s %v", v, err)
	}
	if v, _ := b.Do("GET", "w"); v.Str != "1" {
		t.Fatalf("GET w after the script: %s", v)
	}
	// A function: FUNCTION KILL stops it, SCRIPT KILL is refused as
	// BUSY, FUNCTION STATS shows it (the texts are redis-server 7.0.15's).
	if v, _ := b.Do("FUNCTION", "LOAD", "REPLACE", "#!lua name=busy\nredis.register_function('spin', function() local i = 0 while true do i = i + 1 end end)"); v.Str != "busy" {
		t.Fatalf("FUNCTION LOAD: %s", v)
	}
	if err := a.Send("FCALL", "spin", "0"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	waitBusy(t, b, busyFunction, "PING")
	if v, _ := b.Do("SCRIPT", "KILL"); v.Str != busyFunction {
		t.Fatalf("SCRIPT KILL during a function: %s", v)
	}
	if v, _ := b.Do("FUNCTION", "STATS"); len(v.Elems) != 4 || len(v.Elems[1].Elems) != 6 || v.Elems[1].Elems[1].Str != "spin" {
		t.Fatalf("FUNCTION STATS during a function: %s", v)
	}
	if v, _ := b.Do("FUNCTION", "KILL"); v.Str != "OK" {
		t.Fatalf("FUNCTION KILL: %s", v)
	}
	if v, err := a.Read(); err != nil || v.Str != "ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:2." {
		t.Fatalf("the killed function's reply: %s %v", v, err)
	}
	if v, _ := b.Do("FUNCTION", "KILL"); v.Str != "NOTBUSY No scripts in execution right now." {
		t.Fatalf("FUNCTION KILL with nothing running: %s", v)
	}
}

// TestScriptBusyAllowed: what a client may still do while a script is
// busy, against redis-server 7.0.15: the allow_busy commands (WATCH,
// UNWATCH, MULTI, DISCARD, RESET, AUTH, and SHUTDOWN without NOSAVE,
// which is refused) get the oracle's replies, in each connection model;
// a Pub/Sub message the script published reaches its subscriber while the
// script still runs, and clients that close meanwhile (one watching a
// key, one blocked in BLPOP) are let go. The oracle is killed with SCRIPT
// KILL like keel.
func TestScriptBusyAllowed(t *testing.T) {
	t.Parallel()
	addr := oracle.Start(t)
	o := mustDialRESP(t, addr)
	if v, _ := o.Do("CONFIG", "SET", "lua-time-limit", "100"); v.Str != "OK" {
		t.Fatalf("redis-server: CONFIG SET lua-time-limit: %s", v)
	}
	for _, loops := range []string{"0", "1", "2"} {
		t.Run("event-loops="+loops, func(t *testing.T) {
			srv := startKeel(t, "event-loops", loops, "lua-time-limit", "100")
			ko := busyAllowed(t, srv.addr)
			oo := busyAllowed(t, addr)
			if len(ko) != len(oo) {
				t.Fatalf("keel answered %d steps, redis %d", len(ko), len(oo))
			}
			for i := range ko {
				if !ko[i].equal(oo[i]) {
					t.Errorf("MISMATCH step %d: keel %s, redis %s", i, ko[i], oo[i])
				}
			}
		})
	}
}

// busyAllowed runs TestScriptBusyAllowed's steps on the server at addr
// and returns their replies.
func busyAllowed(t *testing.T, addr string) []respValue {
	a, b, sub := mustDialRESP(t, addr), mustDialRESP(t, addr), mustDialRESP(t, addr)
	watcher, blocked := mustDialRESP(t, addr), mustDialRESP(t, addr)
	var out []respValue
	do := func(c *respConn, cmd ...string) {
		v, err := c.Do(cmd...)
		if err != nil {
			t.Fatalf("%s at %s: %v", cmd, addr, err)
		}
		out = append(out, v)
	}
	do(b, "DEL", "busy:w", "busy:l")
	do(sub, "SUBSCRIBE", "busy:ch")
	do(watcher, "WATCH", "busy:w")
	if err := blocked.Send("BLPOP", "busy:l", "0"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	if err := a.Send("EVAL", "redis.call('publish', 'busy:ch', 'hello') "+spinScript, "0"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	waitBusy(t, b, busyScript, "PING")
	// The message arrives while the script is busy.
	v, err := sub.Read()
	if err != nil {
		t.Fatalf("the message the busy script published: %v", err)
	}
	out = append(out, v)
	watcher.Close()
	blocked.Close()
	for _, cmd := range [][]string{
		{"WATCH", "busy:w"}, {"UNWATCH"}, {"WATCH", "busy:w"}, {"MULTI"}, {"GET", "busy:w"},
		{"EXEC"}, {"MULTI"}, {"DISCARD"}, {"DISCARD"}, {"RESET"}, {"AUTH", "x"},
		{"CLIENT", "GETNAME"}, {"SHUTDOWN"}, {"SHUTDOWN", "SAVE"},
		{"SCRIPT", "KILL"},
	} {
		do(b, cmd...)
	}
	if v, err := a.Read(); err != nil || !strings.HasPrefix(v.Str, "ERR Script killed by user") {
		t.Fatalf("the killed script's reply: %s %v", v, err)
	}
	// The blocked client that left took nothing; the watch of b's RESET
	// is gone.
	do(b, "RPUSH", "busy:l", "x")
	do(b, "LLEN", "busy:l")
	do(b, "WATCH", "busy:w")
	do(b, "MULTI")
	do(b, "EXEC")
	do(b, "DEL", "busy:w", "busy:l")
	return out
}

// TestDiffScriptNestedReply: a script returning a table that holds itself
// is converted until Redis's Lua stack runs out: so many one-element
// arrays, then an error, on both servers (deeper than the test client
// reads, so the lines are counted here).
func TestDiffScriptNestedReply(t *testing.T) {
	t.Parallel()
	p := newPair(t)
	shape := func(addr string) string {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		nc.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := nc.Write(encodeCommand([]string{"EVAL", "local t = {} t[1] = t return t", "0"})); err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReader(nc)
		depth := 0
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			if line != "*1\r\n" {
				return fmt.Sprintf("%d arrays, then %q", depth, line)
			}
			depth++
		}
	}
	if k, o := shape(p.keel.addr), shape(p.oracle); k != o {
		t.Errorf("MISMATCH self-holding table: keel %s, redis %s", k, o)
	}
}

// scriptedCall is the script TestDiffRandomScripted wraps each command in:
// the command runs through redis.pcall, its reply is converted to Lua and
// back, and its changes are the script's record.
const scriptedCall = "return redis.pcall(unpack(ARGV))"

func init() {
	replyComparers = append(replyComparers, func(args []string, k, o respValue) (string, bool) {
		if len(args) < 4 || args[0] != "EVAL" || args[1] != scriptedCall {
			return "", false
		}
		return compareReply(args[3:], k, o, nil), true
	})
}

// TestDiffRandomScripted is TestDiffRandomTypes with every command run by
// a script (EVAL "return redis.pcall(unpack(ARGV))" 0 <command>): every
// reply kind of every family goes through the Lua conversions both ways,
// and every write through a script's record, compared with redis-server.
func TestDiffRandomScripted(t *testing.T) {
	t.Parallel()
	streams := &streamGen{}
	runRandomOpts(t, randomOpts{lengthDiv: 4}, func(g *cmdGen, conn int) []string {
		var args []string
		switch g.r.Intn(12) {
		case 0, 1:
			args = g.command(conn)
		case 2, 3:
			args = g.listCommand(conn)
		case 4, 5:
			args = g.setCommand(conn)
		case 6, 7:
			args = g.hashCommand(conn)
		case 8, 9:
			args = streams.command(g, conn)
		default:
			args = g.zsetCommand(conn)
		}
		if strings.HasPrefix(args[0], "@") {
			return args
		}
		return append([]string{"EVAL", scriptedCall, "0"}, args...)
	})
}
