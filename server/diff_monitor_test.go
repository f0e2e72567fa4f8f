package server

import (
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/keeldb/keel/internal/oracle"
)

func init() { familyCommands = append(familyCommands, "monitor") }

// monitorCases run as the Pub/Sub cases do (runPubSubCase): the lines a
// monitor receives are compared with their time and client address
// masked (monitorLine), the database and arguments exactly. The markers'
// PINGs are fed to the monitors too, alike on both servers. A monitor
// does not open MULTI here: the runner reads a transaction's replies
// without a marker, and the lines fed meanwhile by other connections
// could then come before or after them (as they may from Redis).
var monitorCases = []diffCase{
	dc("what is fed",
		"1> MONITOR",
		"2> SET k \"v w\\n\\x01\\\"\"",
		"2> SELECT 1", "2> GET k", "2> GETT k", "2> GET",
		"2> MULTI", "2> SET a 1", "2> GET a", "2> EXEC",
		"2> MULTI", "2> SET a 1", "2> DISCARD",
		"2> AUTH x", "2> AUTH u p", "2> HELLO 2 AUTH default pw", "2> HELLO 2 SETNAME n", "2> HELLO 2 AUTH default pw SETNAME n",
		"2> HELLO 2 SETNAME auth AUTH u p", "2> HELLO 2 AUTH a b AUTH c d", "2> HELLO 2 AUTH default x AUTH c d", "2> HELLO 2 BOGUS AUTH u p",
		"2> CONFIG GET maxmemory", "2> CLIENT NO-EVICT on", "2> CLIENT GETNAME", "2> DEBUG SLEEP 0", "2> INFO keyspace",
		"2> BLPOP nol 0.01", "2> PUBLISH c m", "2> SUBSCRIBE c", "2> RESET"),
	dc("the monitor itself",
		"1> MONITOR",
		"1> PING", "1> GET k", "1> SET k v", "1> PUBLISH c m", "1> CLIENT GETNAME",
		"1> MONITOR", "1> SUBSCRIBE c", "1> PING",
		"2> MONITOR",
		"3> SET k v",
		"1> RESET",
		"3> SET k w",
		"2> RESET",
		"3> SET k x"),
	dc("inside a transaction",
		"1> MULTI", "1> MONITOR", "1> EXEC", "2> SET k v", "1> MONITOR", "2> SET k w"),
	dc("scripts",
		"1> MONITOR",
		"2> EVAL \"redis.call('set', KEYS[1], 'v') redis.call('select', 3) return redis.call('get', KEYS[1])\" 1 k",
		"2> SCRIPT LOAD \"return redis.call('incr', 'n')\"", "2> EVALSHA 13d59bf45c06b30ad517603a2a8c76adfac50db3 0",
		"2> EVAL \"return redis.pcall('nosuch')\" 0", "2> EVAL_RO \"return redis.call('get', 'k')\" 0",
		"2> EVAL \"return 1\" -1", "2> EVALSHA 0000000000000000000000000000000000000000 0", "2> SCRIPT EXISTS abc",
		"2> GET k"),
}

// TestDiffMonitor runs the MONITOR cases in every connection model.
func TestDiffMonitor(t *testing.T) {
	forEachModel(t, func(t *testing.T, ks *keelServer) {
		p := &diffPair{keel: ks, oracle: oracle.Start(t)}
		for _, c := range monitorCases {
			t.Run(c.name, func(t *testing.T) { runPubSubCase(t, p, c) })
		}
	})
}

// monitorLineRE is a MONITOR line's time and client address.
var monitorLineRE = regexp.MustCompile(`^(\d+)\.\d{6} \[(\d+) ([^\]]+)\]`)

// monitorLine masks v's time and address when it is a MONITOR line whose
// time is within a minute of now; anything else is returned as it is.
func monitorLine(v respValue) respValue {
	if v.Kind != '+' {
		return v
	}
	m := monitorLineRE.FindStringSubmatch(v.Str)
	if m == nil {
		return v
	}
	if sec, _ := strconv.ParseInt(m[1], 10, 64); time.Since(time.Unix(sec, 0)).Abs() > time.Minute {
		return v
	}
	addr := "<addr>"
	if m[3] == "lua" { // a script's command: compared as it is
		addr = m[3]
	}
	v.Str = "<time> [" + m[2] + " " + addr + "]" + v.Str[len(m[0]):]
	return v
}
