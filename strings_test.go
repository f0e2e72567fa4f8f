package keel

import (
	"bufio"
	"encoding/binary"
	"fmt"
	oraclesrv "github.com/keeldb/keel/internal/oracle"
	"io"
	"math/big"
	"math/rand"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keeldb/keel/memtables"
)

// The expectations below are redis-server 7.0.15's replies, recorded with
// KEEL_ORACLE=127.0.0.1:6399 go test -run TestStringsOracle -v (which also
// re-checks them against a live oracle). Replies are shown by showReply:
// "v" bulk, :n integer, +OK simple, -ERR error, nil null, [a, b] array.

// step is one command (space-separated words; ” is an empty argument, <sp> a space) and
// its expected reply. A command "SLEEP n" sleeps n milliseconds.
type step struct {
	cmd, want string
}

func splitCmd(cmd string) []string {
	w := strings.Split(cmd, " ")
	for i := range w {
		if w[i] == "''" {
			w[i] = ""
		}
		w[i] = strings.ReplaceAll(w[i], "<sp>", " ")
	}
	return w
}

func showReply(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case int64:
		return ":" + strconv.FormatInt(x, 10)
	case SimpleVal:
		return "+" + string(x)
	case ErrorVal:
		return "-" + string(x)
	case NullVal:
		return "nil"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = showReply(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprintf("?%T(%v)", v, v)
}

var stringScripts = map[string][]step{
	"set_options": {
		{"SET k v EX 10 EX 20", `+OK`},
		{"TTL k", `:20`},
		{"SET k v EX 10 PX 20", `-ERR syntax error`},
		{"SET k v NX NX", `nil`},
		{"SET k v NX XX", `-ERR syntax error`},
		{"SET k v KEEPTTL EX 10", `-ERR syntax error`},
		{"SET k v EX 10 KEEPTTL", `-ERR syntax error`},
		{"SET k v PERSIST", `-ERR syntax error`},
		{"SET k v EX", `-ERR syntax error`},
		{"SET k v EX 0", `-ERR invalid expire time in 'set' command`},
		{"SET k v EX -1", `-ERR invalid expire time in 'set' command`},
		{"SET k v PX 9223372036854775807", `-ERR invalid expire time in 'set' command`},
		{"SET k v EX 9223372036854775", `-ERR invalid expire time in 'set' command`},
		{"SET k v EX 9223372036854776", `-ERR invalid expire time in 'set' command`},
		{"SET k v EX abc", `-ERR value is not an integer or out of range`},
		{"SET k v EX 1.5", `-ERR value is not an integer or out of range`},
		{"SET k v2 GET NX", `"v"`},
		{"GET k", `"v"`},
		{"SET k2 v GET NX", `nil`},
		{"GET k2", `"v"`},
		{"SET k3 v XX", `nil`},
		{"SET k3 v XX GET", `nil`},
		{"EXISTS k3", `:0`},
		{"SET k v3 XX GET", `"v"`},
		{"SET k v4 get", `"v3"`},
		{"SET k v EXAT 1", `+OK`},
		{"EXISTS k", `:0`},
		{"SET k v PX 100000", `+OK`},
		{"SET k w KEEPTTL", `+OK`},
		{"TTL k", `:100`},
		{"SET k w", `+OK`},
		{"TTL k", `:-1`},
		{"RPUSH l a", `:1`},
		{"SET l v GET", `-WRONGTYPE Operation against a key holding the wrong kind of value`},
		{"TYPE l", `+list`},
		{"SET l v", `+OK`},
		{"GET l", `"v"`},
		{"SET x '' EX 100", `+OK`},
		{"GET x", `""`},
		{"STRLEN x", `:0`},
		{"SET e v PXAT 9223372036854775807", `+OK`},
		{"SETNX k z", `:0`},
		{"SETNX nk z", `:1`},
		{"SETEX k 0 v", `-ERR invalid expire time in 'setex' command`},
		{"SETEX k abc v", `-ERR value is not an integer or out of range`},
		{"SETEX k 100 sv", `+OK`},
		{"TTL k", `:100`},
		{"PSETEX k -5 v", `-ERR invalid expire time in 'psetex' command`},
		{"PSETEX k 100000 pv", `+OK`},
		{"TTL k", `:100`},
		{"GET k", `"pv"`},
	},
	"expiry_clock": {
		{"SET k v PX 1", `+OK`},
		{"SLEEP 5", ``},
		{"GET k", `nil`},
		{"EXISTS k", `:0`},
		{"SET k v PX 1", `+OK`},
		{"SLEEP 5", ``},
		{"SET k w XX", `nil`},
		{"SET k v PX 1", `+OK`},
		{"SLEEP 5", ``},
		{"INCR k", `:1`},
		{"TTL k", `:-1`},
	},
	"getex": {
		{"GETEX nokey EX -5", `nil`},
		{"GETEX nokey FOO", `-ERR syntax error`},
		{"SET k v", `+OK`},
		{"GETEX k EX -5", `-ERR invalid expire time in 'getex' command`},
		{"GETEX k NX", `-ERR syntax error`},
		{"GETEX k KEEPTTL", `-ERR syntax error`},
		{"GETEX k GET", `-ERR syntax error`},
		{"GETEX k EX 10 PERSIST", `-ERR syntax error`},
		{"GETEX k PERSIST EX 10", `-ERR syntax error`},
		{"GETEX k EX 10 PX 10", `-ERR syntax error`},
		{"GETEX k EX 100", `"v"`},
		{"TTL k", `:100`},
		{"GETEX k PERSIST PERSIST", `"v"`},
		{"TTL k", `:-1`},
		{"GETEX k PX 50000", `"v"`},
		{"TTL k", `:50`},
		{"GETEX k", `"v"`},
		{"TTL k", `:50`},
		{"GETEX k EXAT 1", `"v"`},
		{"EXISTS k", `:0`},
		{"SET k v", `+OK`},
		{"GETEX k PXAT 1", `"v"`},
		{"GET k", `nil`},
		{"RPUSH l a", `:1`},
		{"GETEX l", `-WRONGTYPE Operation against a key holding the wrong kind of value`},
		{"GETEX l EX -1", `-WRONGTYPE Operation against a key holding the wrong kind of value`},
	},
	"mget_mset_getset_getdel": {
		{"MSET a 1 b", `-ERR wrong number of arguments for 'mset' command`},
		{"MSETNX a 1 b", `-ERR wrong number of arguments for 'msetnx' command`},
		{"MSET a 1 b 2 a 3", `+OK`},
		{"RPUSH l x", `:1`},
		{"MGET a b c l", `["3", "2", nil, nil]`},
		{"MSETNX c 1 a 2", `:0`},
		{"EXISTS c", `:0`},
		{"MSETNX c 1 d 2", `:1`},
		{"MGET c d", `["1", "2"]`},
		{"MSETNX e 1 e 2", `:1`},
		{"GET e", `"2"`},
		{"SET t v EX 100", `+OK`},
		{"MSET t w", `+OK`},
		{"TTL t", `:-1`},
		{"SET t v EX 100", `+OK`},
		{"GETSET t z", `"v"`},
		{"TTL t", `:-1`},
		{"GETSET nn z", `nil`},
		{"GET nn", `"z"`},
		{"GETSET l z", `-WRONGTYPE Operation against a key holding the wrong kind of value`},
		{"GETDEL l", `-WRONGTYPE Operation against a key holding the wrong kind of value`},
		{"GETDEL nn", `"z"`},
		{"GETDEL nn", `nil`},
		{"EXISTS nn", `:0`},
	},
	"append_strlen_range": {
		{"APPEND k ''", `:0`},
		{"EXISTS k", `:1`},
		{"APPEND k abc", `:3`},
		{"SET t x EX 100", `+OK`},
		{"APPEND t yz", `:3`},
		{"TTL t", `:100`},
		{"GET t", `"xyz"`},
		{"STRLEN t", `:3`},
		{"STRLEN none", `:0`},
		{"RPUSH l x", `:1`},
		{"STRLEN l", `-WRONGTYPE Operation against a key holding the wrong kind of value`},
		{"APPEND l x", `-WRONGTYPE Operation against a key holding the wrong kind of value`},
		{"SET s Hello,World", `+OK`},
		{"GETRANGE s 0 4", `"Hello"`},
		{"GETRANGE s -5 -1", `"World"`},
		{"GETRANGE s -1 -5", `""`},
		{"GETRANGE s -100 -200", `""`},
		{"GETRANGE s -100 2", `"Hel"`},
		{"GETRANGE s 5 100", `",World"`},
		{"GETRANGE s 20 30", `""`},
		{"GETRANGE s 3 2", `""`},
		{"GETRANGE s 0 -100", `"H"`},
		{"SUBSTR s 0 -1", `"Hello,World"`},
		{"GETRANGE none 0 -1", `""`},
		{"GETRANGE s a 1", `-ERR value is not an integer or out of range`},
		{"GETRANGE none a 1", `-ERR value is not an integer or out of range`},
		{"GETRANGE l 0 1", `-WRONGTYPE Operation against a key holding the wrong kind of value`},
		{"SET e ''", `+OK`},
		{"GETRANGE e 0 -1", `""`},
		{"SETRANGE n 5 ''", `:0`},
		{"EXISTS n", `:0`},
		{"SETRANGE n -1 x", `-ERR offset is out of range`},
		{"SETRANGE n abc x", `-ERR value is not an integer or out of range`},
		{"SETRANGE n 536870912 x", `-ERR string exceeds maximum allowed size (proto-max-bulk-len)`},
		{"SETRANGE n 536870911 ''", `:0`},
		{"SETRANGE n 3 ab", `:5`},
		{"GET n", `"\x00\x00\x00ab"`},
		{"SETRANGE n 1 Z", `:5`},
		{"SETRANGE n 7 YY", `:9`},
		{"GET n", `"\x00Z\x00ab\x00\x00YY"`},
		{"SETRANGE n 100 ''", `:9`},
		{"SETRANGE l 0 x", `-WRONGTYPE Operation against a key holding the wrong kind of value`},
		{"SETRANGE t 1 Q", `:3`},
		{"TTL t", `:100`},
		{"GET t", `"xQz"`},
	},
	"incr": {
		{"INCR n", `:1`},
		{"INCRBY n 10", `:11`},
		{"DECR n", `:10`},
		{"DECRBY n 20", `:-10`},
		{"DECRBY n -9223372036854775808", `-ERR decrement would overflow`},
		{"DECRBY none -9223372036854775808", `-ERR decrement would overflow`},
		{"INCRBY n abc", `-ERR value is not an integer or out of range`},
		{"INCRBY n 1.0", `-ERR value is not an integer or out of range`},
		{"INCRBY n +1", `-ERR value is not an integer or out of range`},
		{"SET m 9223372036854775807", `+OK`},
		{"INCR m", `-ERR increment or decrement would overflow`},
		{"SET m -9223372036854775808", `+OK`},
		{"DECR m", `-ERR increment or decrement would overflow`},
		{"INCRBY m 9223372036854775807", `:-1`},
		{"SET m 007", `+OK`},
		{"INCR m", `-ERR value is not an integer or out of range`},
		{"SET m <sp>1", `+OK`},
		{"INCR m", `-ERR value is not an integer or out of range`},
		{"SET m -0", `+OK`},
		{"INCR m", `-ERR value is not an integer or out of range`},
		{"SET m 12345678901234567890", `+OK`},
		{"INCR m", `-ERR value is not an integer or out of range`},
		{"SET t 5 EX 100", `+OK`},
		{"INCR t", `:6`},
		{"TTL t", `:100`},
		{"RPUSH l x", `:1`},
		{"INCR l", `-WRONGTYPE Operation against a key holding the wrong kind of value`},
		{"INCRBY l x", `-ERR value is not an integer or out of range`},
	},
	"incrbyfloat": {
		{"SET k 10.50", `+OK`},
		{"INCRBYFLOAT k 0.1", `"10.6"`},
		{"INCRBYFLOAT k -5", `"5.6"`},
		{"INCRBYFLOAT k 5.0e3", `"5005.60000000000000009"`},
		{"SET k 5.0e3", `+OK`},
		{"INCRBYFLOAT k 2.0e2", `"5200"`},
		{"INCRBYFLOAT n 3.0e3", `"3000"`},
		{"INCRBYFLOAT n 0.1", `"3000.10000000000000009"`},
		{"INCRBYFLOAT z 0.1", `"0.1"`},
		{"INCRBYFLOAT z 0.2", `"0.3"`},
		{"INCRBYFLOAT z -0.3", `"0"`},
		{"INCRBYFLOAT z 1e-20", `"0"`},
		{"INCRBYFLOAT z 1e-17", `"0.00000000000000001"`},
		{"INCRBYFLOAT y 1.7976931348623157e308", `"179769313486231569995921046774104434048386446944329178485314420765176628523124396354701868608387085564428793419425520689308708363451136055357897278026477617073498977686288394835618163294045594434929537447290627480669417384648879122776218333598953852832103282504751611691208117720159985926376802466863339536384"`},
		{"INCRBYFLOAT w 1e400", `"10000000000000000000281880683947586514586453433629052038625910693539685534008629862039363994848324160522094053927317616200295822777259255734023828976593340661017797447434546173917862448116674971723778943824391593338047470675026246684401359237513603830343735485505244955964979021825038280091068414947402456898653040951017512658092615827588920183472511643316591362664138176309734806343732497430221946880"`},
		{"INCRBYFLOAT v 1e5000", `-ERR value is not a valid float`},
		{"INCRBYFLOAT v 1e-5000", `-ERR value is not a valid float`},
		{"INCRBYFLOAT v inf", `-ERR increment would produce NaN or Infinity`},
		{"INCRBYFLOAT v -Infinity", `-ERR increment would produce NaN or Infinity`},
		{"INCRBYFLOAT v nan", `-ERR value is not a valid float`},
		{"INCRBYFLOAT v abc", `-ERR value is not a valid float`},
		{"INCRBYFLOAT v ''", `-ERR value is not a valid float`},
		{"INCRBYFLOAT v <sp>1", `-ERR value is not a valid float`},
		{"INCRBYFLOAT v 1e", `-ERR value is not a valid float`},
		{"INCRBYFLOAT v .5", `"0.5"`},
		{"INCRBYFLOAT v 5.", `"5.5"`},
		{"INCRBYFLOAT v +1", `"6.5"`},
		{"INCRBYFLOAT v 0x10", `"22.5"`},
		{"INCRBYFLOAT v 0x1p-1", `"23"`},
		{"INCRBYFLOAT u 1.1", `"1.1"`},
		{"INCRBYFLOAT u 1.1", `"2.2"`},
		{"INCRBYFLOAT u 1.1", `"3.3"`},
		{"INCRBYFLOAT u 1.1", `"4.4"`},
		{"INCRBYFLOAT u 1.1", `"5.5"`},
		{"INCRBYFLOAT u 1.1", `"6.6"`},
		{"INCRBYFLOAT u 1.1", `"7.7"`},
		{"INCRBYFLOAT u 1.1", `"8.8"`},
		{"INCRBYFLOAT u 1.1", `"9.9"`},
		{"INCRBYFLOAT u 1.1", `"11"`},
		{"SET q 1.23456789012345678", `+OK`},
		{"INCRBYFLOAT q 0", `"1.23456789012345678"`},
		{"SET q 3.0000000000000000001", `+OK`},
		{"INCRBYFLOAT q 0", `"3"`},
		{"SET q 0.1", `+OK`},
		{"INCRBYFLOAT q 1000000000000", `"1000000000000.10000002384185791"`},
		{"SET q -0.0001", `+OK`},
		{"INCRBYFLOAT q 0.0001", `"0"`},
		{"SET q 1e4932", `+OK`},
		{"INCRBYFLOAT q 1e4932", `-ERR increment would produce NaN or Infinity`},
		{"SET q 1e-4940", `+OK`},
		{"INCRBYFLOAT q 0", `"0"`},
		{"INCRBYFLOAT q 1e-4951", `-ERR value is not a valid float`},
		{"INCRBYFLOAT q 2e-4951", `"0"`},
		{"SET q 1", `+OK`},
		{"INCRBYFLOAT q -1e-18", `"1"`},
		{"INCRBYFLOAT q -1e-17", `"0.99999999999999999"`},
		{"SET q 1\x00", `+OK`},
		{"INCRBYFLOAT q 1", `-ERR value is not a valid float`},
		{"INCRBYFLOAT q 0x", `-ERR value is not a valid float`},
		{"INCRBYFLOAT q 1e5<sp>", `-ERR value is not a valid float`},
		{"SET q abc", `+OK`},
		{"INCRBYFLOAT q 1", `-ERR value is not a valid float`},
		{"SET t 1 EX 100", `+OK`},
		{"INCRBYFLOAT t 1.5", `"2.5"`},
		{"TTL t", `:100`},
		{"RPUSH l x", `:1`},
		{"INCRBYFLOAT l 1", `-WRONGTYPE Operation against a key holding the wrong kind of value`},
	},
	"lcs": {
		{"MSET key1 ohmytext key2 mynewtext", `+OK`},
		{"LCS key1 key2", `"mytext"`},
		{"LCS key1 key2 LEN", `:6`},
		{"LCS key1 key2 IDX", `["matches", [[[:4, :7], [:5, :8]], [[:2, :3], [:0, :1]]], "len", :6]`},
		{"LCS key1 key2 IDX MINMATCHLEN 4", `["matches", [[[:4, :7], [:5, :8]]], "len", :6]`},
		{"LCS key1 key2 IDX MINMATCHLEN 4 WITHMATCHLEN", `["matches", [[[:4, :7], [:5, :8], :4]], "len", :6]`},
		{"LCS key1 key2 IDX WITHMATCHLEN MINMATCHLEN -5", `["matches", [[[:4, :7], [:5, :8], :4], [[:2, :3], [:0, :1], :2]], "len", :6]`},
		{"LCS key1 key2 IDX LEN", `-ERR If you want both the length and indexes, please just use IDX.`},
		{"LCS key1 key2 MINMATCHLEN", `-ERR syntax error`},
		{"LCS key1 key2 MINMATCHLEN x", `-ERR value is not an integer or out of range`},
		{"LCS key1 key2 FOO", `-ERR syntax error`},
		{"LCS key1 nokey", `""`},
		{"LCS nokey nokey2 IDX", `["matches", [], "len", :0]`},
		{"LCS key1 key2 WITHMATCHLEN", `"mytext"`},
		{"RPUSH l x", `:1`},
		{"LCS key1 l", `-ERR The specified keys must contain string values`},
		{"LCS l nokey FOO", `-ERR The specified keys must contain string values`},
		{"MSET a abcabcabc b cbacbacba", `+OK`},
		{"LCS a b", `"cbabc"`},
		{"LCS a b IDX WITHMATCHLEN", `["matches", [[[:8, :8], [:6, :6], :1], [[:7, :7], [:4, :4], :1], [[:6, :6], [:2, :2], :1], [[:4, :4], [:1, :1], :1], [[:2, :2], [:0, :0], :1]], "len", :5]`},
		{"MSET a aaaa b aa", `+OK`},
		{"LCS a b IDX", `["matches", [[[:2, :3], [:0, :1]]], "len", :2]`},
	},
	"setbit_getbit": {
		{"SETBIT k 7 1", `:0`},
		{"GET k", `"\x01"`},
		{"SETBIT k 7 1", `:1`},
		{"SETBIT k 0 1", `:0`},
		{"GET k", `"\x81"`},
		{"SETBIT k 20 0", `:0`},
		{"GET k", `"\x81\x00\x00"`},
		{"SETBIT k 9 1", `:0`},
		{"GETBIT k 9", `:1`},
		{"GETBIT k 10", `:0`},
		{"GETBIT k 1000", `:0`},
		{"GETBIT none 0", `:0`},
		{"SETBIT k 4294967296 1", `-ERR bit offset is not an integer or out of range`},
		{"SETBIT k -1 1", `-ERR bit offset is not an integer or out of range`},
		{"SETBIT k 1 2", `-ERR bit is not an integer or out of range`},
		{"SETBIT k 1 -1", `-ERR bit is not an integer or out of range`},
		{"SETBIT k 1 a", `-ERR bit is not an integer or out of range`},
		{"GETBIT k a", `-ERR bit offset is not an integer or out of range`},
		{"GETBIT none 4294967296", `-ERR bit offset is not an integer or out of range`},
		{"RPUSH l x", `:1`},
		{"SETBIT l 0 1", `-WRONGTYPE Operation against a key holding the wrong kind of value`},
		{"GETBIT l 0", `-WRONGTYPE Operation against a key holding the wrong kind of value`},
		{"SET t a EX 100", `+OK`},
		{"SETBIT t 6 1", `:0`},
		{"GET t", `"c"`},
		{"TTL t", `:100`},
	},
	"bitcount_bitpos": {
		{"SET s foobar", `+OK`},
		{"BITCOUNT s", `:26`},
		{"BITCOUNT s 0 0", `:4`},
		{"BITCOUNT s 1 1", `:6`},
		{"BITCOUNT s 1 1 BYTE", `:6`},
		{"BITCOUNT s 5 30 BIT", `:17`},
		{"BITCOUNT s -5 -1 bit", `:2`},
		{"BITCOUNT s -1 -5", `:0`},
		{"BITCOUNT s -100 -200", `:0`},
		{"BITCOUNT s -100 100", `:26`},
		{"BITCOUNT s 3 1", `:0`},
		{"BITCOUNT s 0", `-ERR syntax error`},
		{"BITCOUNT s a 1", `-ERR value is not an integer or out of range`},
		{"BITCOUNT s 1 1 foo", `-ERR syntax error`},
		{"BITCOUNT s 1 a foo", `-ERR value is not an integer or out of range`},
		{"BITCOUNT s 0 1 bit x", `-ERR syntax error`},
		{"BITCOUNT none 0", `:0`},
		{"BITCOUNT none a b", `:0`},
		{"SET e ''", `+OK`},
		{"BITCOUNT e", `:0`},
		{"BITCOUNT e 0 -1", `:0`},
		{"RPUSH l x", `:1`},
		{"BITCOUNT l 0", `-WRONGTYPE Operation against a key holding the wrong kind of value`},
		{"SET b \xff\xf0\x00", `+OK`},
		{"BITPOS b 0", `:12`},
		{"BITPOS b 1 2", `:-1`},
		{"BITPOS b 0 1 -1 BIT", `:12`},
		{"BITPOS b 1 7 15 BIT", `:7`},
		{"BITPOS b 0 7 15 BIT", `:12`},
		{"BITPOS b 0 2 -1 BYTE", `:16`},
		{"BITPOS b 0 -100 -200", `:-1`},
		{"BITPOS b 1 -100 -200", `:0`},
		{"SET f \xff\xff", `+OK`},
		{"BITPOS f 0", `:16`},
		{"BITPOS f 0 0", `:16`},
		{"BITPOS f 0 0 -1", `:-1`},
		{"BITPOS f 0 3 BIT", `-ERR value is not an integer or out of range`},
		{"BITPOS f 0 3 15 BIT", `:-1`},
		{"BITPOS f 1 5 BIT", `-ERR value is not an integer or out of range`},
		{"BITPOS f 1 2", `:-1`},
		{"BITPOS f 0 2", `:-1`},
		{"BITPOS none 0", `:0`},
		{"BITPOS none 1", `:-1`},
		{"BITPOS none 1 a", `:-1`},
		{"BITPOS none 2", `-ERR The bit argument must be 1 or 0.`},
		{"BITPOS l 3", `-ERR The bit argument must be 1 or 0.`},
		{"BITPOS l 1", `-WRONGTYPE Operation against a key holding the wrong kind of value`},
		{"BITPOS f 1 a", `-ERR value is not an integer or out of range`},
		{"BITPOS f 1 0 a foo", `-ERR syntax error`},
		{"BITPOS f 1 a 1 foo", `-ERR value is not an integer or out of range`},
		{"BITPOS f 1 0 1 2 3", `-ERR syntax error`},
		{"BITPOS e 0", `:-1`},
		{"BITPOS e 1", `:-1`},
		{"SET z \x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01", `+OK`},
		{"BITPOS z 1", `:159`},
		{"BITPOS z 1 3 18", `:-1`},
		{"BITPOS z 0 1", `:8`},
		{"BITCOUNT z 0 -1 BIT", `:1`},
	},
	"bitop": {
		{"SET a \x0f\xf0", `+OK`},
		{"SET b \xff", `+OK`},
		{"BITOP AND d a b", `:2`},
		{"GET d", `"\x0f\x00"`},
		{"BITOP OR d a b", `:2`},
		{"GET d", `"\xff\xf0"`},
		{"BITOP XOR d a b none", `:2`},
		{"GET d", `"\xf0\xf0"`},
		{"BITOP NOT d a", `:2`},
		{"GET d", `"\xf0\x0f"`},
		{"BITOP NOT d a b", `-ERR BITOP NOT must be called with a single source key.`},
		{"BITOP FOO d a", `-ERR syntax error`},
		{"RPUSH l x", `:1`},
		{"BITOP AND d a l", `-WRONGTYPE Operation against a key holding the wrong kind of value`},
		{"BITOP AND l a", `:2`},
		{"TYPE l", `+string`},
		{"SET t x EX 100", `+OK`},
		{"BITOP OR t a", `:2`},
		{"TTL t", `:-1`},
		{"BITOP OR t none1 none2", `:0`},
		{"EXISTS t", `:0`},
		{"BITOP AND a a b", `:2`},
		{"GET a", `"\x0f\x00"`},
	},
	"bitfield": {
		{"BITFIELD k", `[]`},
		{"BITFIELD k OVERFLOW WRAP", `[]`},
		{"BITFIELD k OVERFLOW", `-ERR syntax error`},
		{"BITFIELD k OVERFLOW foo", `-ERR Invalid OVERFLOW type specified`},
		{"BITFIELD k bar", `-ERR syntax error`},
		{"BITFIELD k GET u8", `-ERR syntax error`},
		{"BITFIELD k GET i65 0", `-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.`},
		{"BITFIELD k GET u64 0", `-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.`},
		{"BITFIELD k GET I8 0", `-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.`},
		{"BITFIELD k GET i0 0", `-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.`},
		{"BITFIELD k GET u8 -1", `-ERR bit offset is not an integer or out of range`},
		{"BITFIELD k GET u8 #-1", `-ERR bit offset is not an integer or out of range`},
		{"BITFIELD k SET u8 0 abc", `-ERR value is not an integer or out of range`},
		{"BITFIELD k SET u8 #536870912 1", `-ERR bit offset is not an integer or out of range`},
		{"BITFIELD k GET u8 0 SET u8 0", `-ERR syntax error`},
		{"EXISTS k", `:0`},
		{"BITFIELD_RO k SET u8 0 1", `-ERR BITFIELD_RO only supports the GET subcommand`},
		{"BITFIELD_RO k GET u8 0 OVERFLOW SAT", `[:0]`},
		{"BITFIELD k SET i8 0 100 GET u4 0 GET i4 0", `[:0, :6, :6]`},
		{"BITFIELD k INCRBY i8 0 100", `[:-56]`},
		{"BITFIELD k OVERFLOW SAT INCRBY i8 0 -100 INCRBY i8 0 -100", `[:-128, :-128]`},
		{"BITFIELD k OVERFLOW FAIL INCRBY i8 0 -1 INCRBY i8 0 1", `[nil, :-127]`},
		{"BITFIELD k OVERFLOW WRAP SET u8 0 -1 OVERFLOW SAT SET u8 8 -1 SET u8 16 256 OVERFLOW FAIL SET u8 24 256", `[:129, :0, :0, nil]`},
		{"GET k", `"\xff\xff\xff\x00"`},
		{"BITFIELD k SET u2 #5 3 GET u2 #5 GET u16 #1", `[:3, :3, :65280]`},
		{"BITFIELD nk OVERFLOW FAIL INCRBY u2 0 5", `[nil]`},
		{"EXISTS nk", `:1`},
		{"STRLEN nk", `:1`},
		{"BITFIELD w SET i64 0 -1 INCRBY i64 0 1 SET i64 0 9223372036854775807 INCRBY i64 0 1", `[:0, :0, :0, :-9223372036854775808]`},
		{"BITFIELD w OVERFLOW SAT SET i64 0 9223372036854775807 INCRBY i64 0 1 INCRBY i64 0 -9223372036854775808 INCRBY i64 0 -9223372036854775808", `[:-9223372036854775808, :9223372036854775807, :-1, :-9223372036854775808]`},
		{"BITFIELD w OVERFLOW FAIL INCRBY i64 0 -1", `[nil]`},
		{"BITFIELD u OVERFLOW SAT INCRBY u63 0 -1 INCRBY u63 0 9223372036854775807 INCRBY u63 0 1", `[:0, :9223372036854775807, :9223372036854775807]`},
		{"BITFIELD u OVERFLOW WRAP INCRBY u63 0 1 INCRBY u3 3 -1", `[:0, :7]`},
		{"BITFIELD s GET i5 3 GET u7 100", `[:0, :0]`},
		{"SET s \xaa\x55", `+OK`},
		{"BITFIELD_RO s GET i5 3 GET u7 5 GET u10 10 GET i3 13", `[:10, :37, :336, :-3]`},
		{"BITFIELD s INCRBY u4 2 3 GET u16 0", `[:13, :46677]`},
		{"RPUSH l x", `:1`},
		{"BITFIELD l GET u8 0", `-WRONGTYPE Operation against a key holding the wrong kind of value`},
		{"BITFIELD_RO l GET u8 0", `-WRONGTYPE Operation against a key holding the wrong kind of value`},
		{"BITFIELD l SET u8 0 1", `-WRONGTYPE Operation against a key holding the wrong kind of value`},
		{"BITFIELD_RO l GET u8 0 bad", `-ERR syntax error`},
		{"SET t x EX 100", `+OK`},
		{"BITFIELD t SET u8 8 1", `[:0]`},
		{"TTL t", `:100`},
		{"GET t", `"x\x01"`},
	},
}

// runScript runs steps on a fresh DB and checks each reply.
func runScript(t *testing.T, steps []step) {
	t.Helper()
	db := newTestDB(t)
	s := db.NewSession()
	for i, st := range steps {
		if n, ok := strings.CutPrefix(st.cmd, "SLEEP "); ok {
			ms, _ := strconv.Atoi(n)
			time.Sleep(time.Duration(ms) * time.Millisecond)
			continue
		}
		var got string
		if args := splitCmd(st.cmd); args[0] == "RPUSH" && Lookup([]byte("rpush")) == nil {
			got = fakeList(db, s, args[1])
		} else {
			got = showReply(do(db, s, args...))
		}
		if got != st.want {
			t.Errorf("step %d: %s\n got: %s\nwant: %s", i, st.cmd, got, st.want)
		}
	}
}

// fakeList makes key a one-element list in the keyspace while the list
// commands are not registered (the string commands only need its type). It
// bypasses the WAL.
func fakeList(db *DB, s *Session, key string) string {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.ks.Set(s.DB, []byte(key), memtables.Entry{Type: memtables.TypeList, Size: 1, Version: 1})
	return ":1"
}

func TestStringScripts(t *testing.T) {
	for name, steps := range stringScripts {
		t.Run(name, func(t *testing.T) { runScript(t, steps) })
	}
}

// TestStringsOracle re-checks every expectation above against a live
// redis-server named by KEEL_ORACLE (host:port), whose data it flushes.
func TestStringsOracle(t *testing.T) {
	addr := oraclesrv.Start(t)
	o := dialOracle(t, addr)
	for name, steps := range stringScripts {
		o.do("FLUSHALL")
		for i, st := range steps {
			if n, ok := strings.CutPrefix(st.cmd, "SLEEP "); ok {
				ms, _ := strconv.Atoi(n)
				time.Sleep(time.Duration(ms) * time.Millisecond)
				continue
			}
			got := showReply(o.do(splitCmd(st.cmd)...))
			if got != st.want {
				t.Errorf("%s step %d: %s\noracle: %s\n  want: %s", name, i, st.cmd, got, st.want)
			}
		}
	}
}

// oracle is a minimal RESP2 client for the differential checks.
type oracle struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

func dialOracle(t *testing.T, addr string) *oracle {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &oracle{t: t, c: c, r: bufio.NewReader(c)}
}

func (o *oracle) do(args ...string) any {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := o.c.Write([]byte(b.String())); err != nil {
		o.t.Fatal(err)
	}
	return o.read()
}

func (o *oracle) read() any {
	line, err := o.r.ReadString('\n')
	if err != nil {
		o.t.Fatal(err)
	}
	line = strings.TrimSuffix(line, "\r\n")
	switch line[0] {
	case '+':
		return SimpleVal(line[1:])
	case '-':
		return ErrorVal(line[1:])
	case ':':
		n, _ := strconv.ParseInt(line[1:], 10, 64)
		return n
	case '$':
		n, _ := strconv.Atoi(line[1:])
		if n < 0 {
			return NullVal{}
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(o.r, buf); err != nil {
			o.t.Fatal(err)
		}
		return string(buf[:n])
	case '*':
		n, _ := strconv.Atoi(line[1:])
		if n < 0 {
			return NullVal{}
		}
		out := make([]any, n)
		for i := range out {
			out[i] = o.read()
		}
		return out
	}
	o.t.Fatalf("oracle: unexpected reply %q", line)
	return nil
}

// TestIncrByFloatFormat checks the long double emulation directly.
func TestIncrByFloatFormat(t *testing.T) {
	cases := []struct{ a, b, want string }{
		{"10.50", "0.1", "10.6"},
		{"0", "3.0e3", "3000"},
		{"0.1", "0.2", "0.3"},
		{"-0.5", "0.5", "0"},
		{"1", "-1e-18", "1"}, // within 64-bit precision but below 17 decimals
		{"1", "-1e-17", "0.99999999999999999"},
	}
	for _, c := range cases {
		x := new(big.Float).SetPrec(64)
		y := new(big.Float).SetPrec(64)
		if _, ok := parseLongDouble([]byte(c.a), x); !ok {
			t.Fatalf("parse %q", c.a)
		}
		if _, ok := parseLongDouble([]byte(c.b), y); !ok {
			t.Fatalf("parse %q", c.b)
		}
		sum := new(big.Float).SetPrec(64).Add(x, y)
		if got := string(formatLongDouble(sum)); got != c.want {
			t.Errorf("%s + %s = %s, want %s", c.a, c.b, got, c.want)
		}
	}
}

// TestStringsWALReplay checks that string effects replay to the same state:
// values, sizes, versions and expiries after reopening the DB.
func TestStringsWALReplay(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, Options{ActiveExpireHz: -1})
	if err != nil {
		t.Fatal(err)
	}
	s := db.NewSession()
	script := []string{
		"SET a hello EX 1000", "APPEND a world", "SETRANGE a 12 xy", "SETBIT b 100 1",
		"INCR c", "INCRBYFLOAT d 1.5", "BITFIELD e SET u8 #3 200 INCRBY i4 0 3",
		"MSET f 1 g 2", "BITOP XOR h a b", "GETDEL g", "SET i x PX 100000", "GETEX i PERSIST",
		"SETRANGE j 3 abc", "GETSET c 10",
	}
	for _, cmd := range script {
		if r, ok := do(db, s, splitCmd(cmd)...).(ErrorVal); ok {
			t.Fatalf("%s: %s", cmd, r)
		}
	}
	keys := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}
	snapshot := func(db *DB) []string {
		s := db.NewSession()
		var out []string
		for _, k := range keys {
			out = append(out, showReply(do(db, s, "GET", k))+" "+showReply(do(db, s, "STRLEN", k))+" "+showReply(do(db, s, "TTL", k))+" "+showReply(do(db, s, "OBJECT", "ENCODING", k)))
		}
		return out
	}
	before := snapshot(db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db2, err := Open(dir, Options{ActiveExpireHz: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	after := snapshot(db2)
	if err := checkStringsEngine(db2); err != nil {
		t.Error(err)
	}
	for i := range before {
		if before[i] != after[i] {
			t.Errorf("key %s: before %s, after replay %s", keys[i], before[i], after[i])
		}
	}
}

// TestStringsOracleRandom runs a seeded random sequence of string and bit
// commands against keel and a live redis-server (KEEL_ORACLE) and compares
// every reply. KEEL_SEED replays a sequence.
func TestStringsOracleRandom(t *testing.T) {
	addr := oraclesrv.Start(t)
	seed := time.Now().UnixNano()
	if v := os.Getenv("KEEL_SEED"); v != "" {
		seed, _ = strconv.ParseInt(v, 10, 64)
	}
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewSource(seed))
	o := dialOracle(t, addr)
	o.do("FLUSHALL")
	db := newTestDB(t)
	s := db.NewSession()
	key := func() string { return []string{"a", "b", "c"}[rng.Intn(3)] }
	num := func(lo, hi int) string { return strconv.Itoa(lo + rng.Intn(hi-lo+1)) }
	val := func() string {
		switch rng.Intn(5) {
		case 0:
			return num(-20, 20)
		case 1:
			// Floats, and strings that look like integers but are not
			// held inline (not canonical, or out of int64's range).
			return []string{"1.5", "-0.25", "3e2", "0.1", "abc", "", "\xff\x00\x0f",
				"-0", "007", "+5", " 1", "9223372036854775807", "-9223372036854775808",
				"9223372036854775808", "12345678901234567890", "-12345678901234567890"}[rng.Intn(16)]
		default:
			b := make([]byte, rng.Intn(6))
			for i := range b {
				b[i] = "abcxyz\x00\xff"[rng.Intn(8)]
			}
			return string(b)
		}
	}
	bftype := func() string {
		if rng.Intn(2) == 0 {
			return "i" + num(1, 64)
		}
		return "u" + num(1, 63)
	}
	gens := []func() []string{
		func() []string { return []string{"SET", key(), val()} },
		func() []string {
			return append([]string{"SET", key(), val()}, [][]string{{"NX"}, {"XX"}, {"GET"}, {"NX", "GET"}, {"XX", "GET"}, {"KEEPTTL"}, {"EX", "100"}}[rng.Intn(7)]...)
		},
		func() []string { return []string{"GET", key()} },
		func() []string { return []string{"MGET", key(), key(), key()} },
		func() []string { return []string{"MSET", key(), val(), key(), val()} },
		func() []string { return []string{"MSETNX", key(), val(), key(), val()} },
		func() []string { return []string{"GETSET", key(), val()} },
		func() []string { return []string{"GETDEL", key()} },
		func() []string { return []string{"APPEND", key(), val()} },
		func() []string { return []string{"STRLEN", key()} },
		func() []string { return []string{"INCR", key()} },
		func() []string { return []string{"DECRBY", key(), num(-100, 100)} },
		func() []string {
			return []string{"INCRBYFLOAT", key(), []string{"0.1", "-1.5", "1e3", "3", "-0.3333", "2.5e-3"}[rng.Intn(6)]}
		},
		func() []string { return []string{"GETRANGE", key(), num(-8, 8), num(-8, 8)} },
		func() []string { return []string{"SETRANGE", key(), num(0, 10), val()} },
		func() []string { return []string{"SETBIT", key(), num(0, 80), num(0, 1)} },
		func() []string { return []string{"GETBIT", key(), num(0, 80)} },
		func() []string {
			return append([]string{"BITCOUNT", key()}, [][]string{{}, {num(-10, 10), num(-10, 10)}, {num(-80, 80), num(-80, 80), "BIT"}}[rng.Intn(3)]...)
		},
		func() []string {
			return append([]string{"BITPOS", key(), num(0, 1)}, [][]string{{}, {num(-10, 10)}, {num(-10, 10), num(-10, 10)}, {num(-80, 80), num(-80, 80), "BIT"}}[rng.Intn(4)]...)
		},
		func() []string {
			op := []string{"AND", "OR", "XOR", "NOT"}[rng.Intn(4)]
			if op == "NOT" {
				return []string{"BITOP", op, key(), key()}
			}
			return []string{"BITOP", op, key(), key(), key()}
		},
		func() []string {
			cmd := []string{"BITFIELD", key()}
			for n := rng.Intn(4); n >= 0; n-- {
				off := num(0, 70)
				if rng.Intn(4) == 0 {
					off = "#" + num(0, 5)
				}
				switch rng.Intn(4) {
				case 0:
					cmd = append(cmd, "GET", bftype(), off)
				case 1:
					cmd = append(cmd, "SET", bftype(), off, num(-300, 300))
				case 2:
					cmd = append(cmd, "INCRBY", bftype(), off, num(-300, 300))
				case 3:
					cmd = append(cmd, "OVERFLOW", []string{"WRAP", "SAT", "FAIL"}[rng.Intn(3)])
				}
			}
			return cmd
		},
		func() []string {
			return append([]string{"LCS", key(), key()}, [][]string{{}, {"LEN"}, {"IDX"}, {"IDX", "WITHMATCHLEN", "MINMATCHLEN", num(0, 3)}}[rng.Intn(4)]...)
		},
		func() []string { return []string{"OBJECT", "ENCODING", key()} },
		func() []string {
			return []string{"INCRBY", key(), []string{"9223372036854775807", "-9223372036854775808", num(-5, 5)}[rng.Intn(3)]}
		},
		func() []string { return []string{"RENAME", key(), key()} },
		func() []string { return []string{"COPY", key(), key(), "REPLACE"} },
		func() []string { return []string{"DEL", key()} },
	}
	for i := 0; i < 3000; i++ {
		cmd := gens[rng.Intn(len(gens))]()
		want := showReply(o.do(cmd...))
		got := showReply(do(db, s, cmd...))
		if got != want {
			t.Fatalf("seed %d step %d: %q\n keel: %s\nredis: %s", seed, i, cmd, got, want)
		}
		if err := checkStringsEngine(db); err != nil {
			t.Fatalf("seed %d step %d: %q: %v", seed, i, cmd, err)
		}
	}
}

// checkStringsEngine checks the inline-integer invariant (strings.go) for
// every string key: the strings engine holds a value for it if and only if
// its entry is not encInt, and that value has the entry's length. It also
// checks that the engine holds nothing else (no value left behind).
func checkStringsEngine(db *DB) error {
	db.mu.RLock()
	defer db.mu.RUnlock()
	dbOf := map[uint32]int{}
	for dbi := 0; dbi < db.opts.Databases; dbi++ {
		dbOf[db.ks.PhysDB(dbi)] = dbi
	}
	var err error
	scanErr := db.strs.Scan(nil, nil, func(k, v []byte) bool {
		phys, key := binary.BigEndian.Uint32(k), k[6:]
		dbi, ok := dbOf[phys]
		if !ok {
			err = fmt.Errorf("the strings engine holds %q under physical db %d, which no database maps to", key, phys)
			return false
		}
		if e, ok := db.ks.Get(dbi, key); !ok || e.Type != memtables.TypeString || e.Enc == encInt {
			err = fmt.Errorf("db %d key %q: the strings engine holds %q for a key that is not an engine-held string", dbi, key, v)
		}
		return err == nil
	})
	if scanErr != nil {
		return scanErr
	}
	if err != nil {
		return err
	}
	for dbi := 0; dbi < db.opts.Databases; dbi++ {
		phys := db.ks.PhysDB(dbi)
		var err error
		db.ks.ForEach(dbi, func(k string, e *memtables.Entry) bool {
			if e.Type != memtables.TypeString {
				return true
			}
			v, ok, gerr := db.strs.Get(stringKey(nil, phys, []byte(k)))
			switch {
			case gerr != nil:
				err = gerr
			case e.Enc == encInt && ok:
				err = fmt.Errorf("db %d key %q: inline integer %d, but the strings engine holds %q", dbi, k, e.Size, v)
			case e.Enc != encInt && !ok:
				err = fmt.Errorf("db %d key %q: %d bytes, none in the strings engine", dbi, k, e.Size)
			case e.Enc != encInt && int64(len(v)) != e.Size:
				err = fmt.Errorf("db %d key %q: the keyspace says %d bytes, the strings engine holds %d", dbi, k, e.Size, len(v))
			}
			return err == nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// TestBitScanWords checks findBit's and popcountBits' word-at-a-time paths
// against a bit-by-bit scan on long runs of 0x00 and 0xff.
func TestBitScanWords(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for iter := 0; iter < 2000; iter++ {
		p := make([]byte, 1+rng.Intn(64))
		fill := byte(0)
		if rng.Intn(2) == 0 {
			fill = 0xff
		}
		for i := range p {
			p[i] = fill
		}
		for n := rng.Intn(3); n > 0; n-- {
			p[rng.Intn(len(p))] = byte(rng.Intn(256))
		}
		nbits := int64(len(p)) * 8
		s := rng.Int63n(nbits)
		e := s + rng.Int63n(nbits-s)
		for bit := 0; bit <= 1; bit++ {
			want, count := int64(-1), int64(0)
			for i := s; i <= e; i++ {
				b := int(p[i>>3] >> (7 - i&7) & 1)
				if b == bit && want == -1 {
					want = i
				}
				if b == 1 {
					count++
				}
			}
			if got := findBit(p, s, e, bit); got != want {
				t.Fatalf("findBit(%x, %d, %d, %d) = %d, want %d", p, s, e, bit, got, want)
			}
			if got := popcountBits(p, s, e); got != count {
				t.Fatalf("popcountBits(%x, %d, %d) = %d, want %d", p, s, e, got, count)
			}
		}
	}
}

// TestSharedClockAfterShortCommands: a batch's shared clock
// (Session.SetClock) survives the commands whose time is bounded by
// their arguments, fast in Redis's table or short in keel's (SET, MSET),
// and is dropped after one that may run long (KEYS), so that the
// commands after it read the clock again. The shared time is what the
// commands use: a key set to expire 1 ms after it is still there for the
// commands that share a clock 1 s in the past.
func TestSharedClockAfterShortCommands(t *testing.T) {
	db := newTestDB(t)
	s := db.NewSession()
	past := time.Now().Add(-time.Second).UnixMilli()
	s.SetClock(past)
	for _, cmd := range [][]string{
		{"set", "k", "v", "px", "1"}, {"mset", "a", "1", "b", "2"}, {"setex", "e", "10", "v"},
		{"psetex", "p", "10000", "v"}, {"msetnx", "c", "1"}, {"get", "k"}, {"incr", "a"},
	} {
		do(db, s, cmd...)
		if got := s.Clock(); got != past {
			t.Fatalf("after %v the session's clock is %d, want the shared %d", cmd, got, past)
		}
	}
	if got := do(db, s, "get", "k"); got != "v" {
		t.Fatalf("GET k at the shared time = %v, want v (it expires 1 ms after that time)", got)
	}
	do(db, s, "keys", "*")
	if got := s.Clock(); got != 0 {
		t.Fatalf("after KEYS the session's clock is %d, want 0 (read again)", got)
	}
	if got := do(db, s, "get", "k"); got != (NullVal{}) {
		t.Fatalf("GET k at the clock's time = %v, want nil (expired)", got)
	}
}
