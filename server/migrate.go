package server

import (
	"bufio"
	"errors"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/keeldb/keel"
)

// MIGRATE host port key|"" db timeout [COPY] [REPLACE] [AUTH pw]
// [AUTH2 user pw] [KEYS key ...], as Redis 7.0's migrateCommand: the
// keys' DUMP payloads sent to the target as RESTOREs (after AUTH and a
// SELECT when the cached connection has another database selected), and
// without COPY each key the target acknowledged deleted here, all in the
// command's one record. Like Redis, which runs it in its only thread,
// MIGRATE holds the database while it talks to the target (at most the
// timeout per read or write): it is atomic, and other commands wait.
//
// Connections to targets are cached per host:port, at most 64, each
// closed after 10 s unused (Redis's migrate cache; INFO's
// migrate_cached_sockets counts them). A socket error is retried once on
// a new connection when nothing was acknowledged and it was not a timeout.

const (
	migrateCacheMax  = 64
	migrateCacheIdle = 10 * time.Second
)

// migrateCache is the server's cached connections to MIGRATE targets.
type migrateCache struct {
	mu    sync.Mutex
	conns map[string]*migrateConn
}

type migrateConn struct {
	nc     net.Conn
	br     *bufio.Reader
	lastDB int64 // -1: unknown, SELECT first
	used   time.Time
}

// get returns the cached connection to addr, or a new one; "" and the
// error reply when it cannot connect within timeout.
func (m *migrateCache) get(addr string, timeout time.Duration) (*migrateConn, string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.expireLocked(time.Now())
	if mc := m.conns[addr]; mc != nil {
		mc.used = time.Now()
		return mc, ""
	}
	if len(m.conns) >= migrateCacheMax {
		for a, mc := range m.conns { // Redis drops a random one
			mc.nc.Close()
			delete(m.conns, a)
			break
		}
	}
	nc, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		if isTimeout(err) {
			return nil, "IOERR error or timeout connecting to the client"
		}
		// Redis's connect is non-blocking and takes a refused connection
		// for made (the socket is writable): the first write fails.
		return nil, "IOERR error or timeout writing to target instance"
	}
	if tc, ok := nc.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
	}
	mc := &migrateConn{nc: nc, br: bufio.NewReader(nc), lastDB: -1, used: time.Now()}
	if m.conns == nil {
		m.conns = map[string]*migrateConn{}
	}
	m.conns[addr] = mc
	return mc, ""
}

// drop closes and forgets addr's connection.
func (m *migrateCache) drop(addr string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if mc := m.conns[addr]; mc != nil {
		mc.nc.Close()
		delete(m.conns, addr)
	}
}

// expireLocked closes the connections unused for migrateCacheIdle.
func (m *migrateCache) expireLocked(now time.Time) {
	for a, mc := range m.conns {
		if now.Sub(mc.used) > migrateCacheIdle {
			mc.nc.Close()
			delete(m.conns, a)
		}
	}
}

// count is INFO's migrate_cached_sockets.
func (m *migrateCache) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.expireLocked(time.Now())
	return len(m.conns)
}

func (m *migrateCache) closeAll() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for a, mc := range m.conns {
		mc.nc.Close()
		delete(m.conns, a)
	}
}

// migrateKeys is MIGRATE's key finder (Redis's migrateGetKeys): the key
// argument, or with KEYS every argument after it.
func migrateKeys(argv [][]byte) []int {
	skip := map[string]int{"copy": 0, "replace": 0, "auth": 1, "auth2": 2}
	for i := 6; i < len(argv); i++ {
		a := strings.ToLower(string(argv[i]))
		if a == "keys" {
			if len(argv[3]) > 0 {
				return nil
			}
			out := make([]int, 0, len(argv)-i-1)
			for j := i + 1; j < len(argv); j++ {
				out = append(out, j)
			}
			return out
		}
		i += skip[a]
	}
	if len(argv) > 3 {
		return []int{3}
	}
	return nil
}

func migrateCommandDef() *keel.Command {
	return &keel.Command{Name: "migrate", Arity: -6, Flags: keel.FlagWrite | keel.FlagMovableKeys, FirstKey: 3, LastKey: 3, Step: 1, KeysFunc: migrateKeys,
		ACL: []string{"keyspace", "write", "slow", "dangerous"}, Group: "generic",
		Summary: "Atomically transfers a key from one Redis instance to another.", Since: "2.6.0", Handler: cmdMigrate}
}

func cmdMigrate(c *keel.Ctx) {
	x := cl(c)
	var copyKeys, replace bool
	var user, pass []byte
	auth := false
	keys := [][]byte{c.Args[3]}
	for j := 6; j < len(c.Args); j++ {
		more := len(c.Args) - 1 - j
		switch a := strings.ToLower(string(c.Args[j])); a {
		case "copy":
			copyKeys = true
		case "replace":
			replace = true
		case "auth":
			if more < 1 {
				c.R.Error(keel.ErrSyntax)
				return
			}
			j++
			pass, auth = c.Args[j], true
		case "auth2":
			if more < 2 {
				c.R.Error(keel.ErrSyntax)
				return
			}
			user, pass, auth = c.Args[j+1], c.Args[j+2], true
			j += 2
		case "keys":
			if len(c.Args[3]) != 0 {
				c.R.Error("ERR When using MIGRATE KEYS option, the key argument must be set to the empty string")
				return
			}
			keys = c.Args[j+1:]
			j = len(c.Args)
		default:
			c.R.Error(keel.ErrSyntax)
			return
		}
	}
	timeoutMS, err1 := strconv.ParseInt(string(c.Args[5]), 10, 64)
	dbid, err2 := strconv.ParseInt(string(c.Args[4]), 10, 64)
	if err1 != nil || err2 != nil {
		c.R.Error("ERR value is not an integer or out of range")
		return
	}
	if timeoutMS <= 0 {
		timeoutMS = 1000
	}
	timeout := time.Duration(timeoutMS) * time.Millisecond

	type item struct {
		key, payload []byte
		ttl          int64
	}
	var items []item
	for _, k := range keys {
		payload, ttl, found, err := c.DumpKey(k)
		if err != nil {
			c.R.Error("ERR " + err.Error())
			return
		}
		if found {
			items = append(items, item{k, payload, ttl})
		}
	}
	if len(items) == 0 {
		c.R.Simple("NOKEY")
		return
	}
	addr := net.JoinHostPort(string(c.Args[1]), string(c.Args[2]))
	cache := &x.srv.migrate
	for retry := true; ; retry = false {
		mc, msg := cache.get(addr, timeout)
		if mc == nil {
			c.R.Error(msg)
			return
		}
		var req []byte
		if auth {
			if user != nil {
				req = appendCommand(req, []byte("AUTH"), user, pass)
			} else {
				req = appendCommand(req, []byte("AUTH"), pass)
			}
		}
		sel := mc.lastDB != dbid
		if sel {
			req = appendCommand(req, []byte("SELECT"), []byte(strconv.FormatInt(dbid, 10)))
		}
		for _, it := range items {
			args := [][]byte{[]byte("RESTORE"), it.key, []byte(strconv.FormatInt(it.ttl, 10)), it.payload}
			if replace {
				args = append(args, []byte("REPLACE"))
			}
			req = appendCommand(req, args...)
		}
		mc.nc.SetWriteDeadline(time.Now().Add(timeout))
		if _, err := mc.nc.Write(req); err != nil {
			cache.drop(addr)
			if retry && !isTimeout(err) {
				continue
			}
			c.R.Error("IOERR error or timeout writing to target instance")
			return
		}
		readLine := func() (string, error) {
			mc.nc.SetReadDeadline(time.Now().Add(timeout))
			line, err := mc.br.ReadString('\n')
			return strings.TrimRight(line, "\r\n"), err
		}
		var head string // the first error of AUTH or SELECT
		var err error
		if auth {
			var l string
			if l, err = readLine(); err == nil && strings.HasPrefix(l, "-") {
				head = l
			}
		}
		if err == nil && sel {
			var l string
			if l, err = readLine(); err == nil && strings.HasPrefix(l, "-") && head == "" {
				head = l
			}
		}
		if err != nil {
			cache.drop(addr)
			if retry && !isTimeout(err) {
				continue
			}
			c.R.Error("IOERR error or timeout reading to target instance")
			return
		}
		targetErr := ""
		n := 0
		for ; n < len(items); n++ {
			l, err := readLine()
			if err != nil {
				break
			}
			if head != "" || strings.HasPrefix(l, "-") {
				if targetErr == "" {
					mc.lastDB = -1
					if head != "" {
						targetErr = head[1:]
					} else {
						targetErr = l[1:]
					}
				}
				continue
			}
			if !copyKeys {
				c.DeleteMigrated(items[n].key)
			}
		}
		socketErr := n < len(items)
		if targetErr == "" && socketErr && n == 0 && retry {
			cache.drop(addr)
			continue
		}
		if socketErr {
			cache.drop(addr)
		}
		switch {
		case targetErr != "":
			c.R.Error("ERR Target instance replied with error: " + targetErr)
		case socketErr:
			c.R.Error("IOERR error or timeout reading to target instance")
		default:
			mc.lastDB = dbid
			c.R.Simple("OK")
		}
		return
	}
}

// appendCommand appends args as a RESP array of bulk strings.
func appendCommand(b []byte, args ...[]byte) []byte {
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(args)), 10)
	b = append(b, "\r\n"...)
	for _, a := range args {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(a)), 10)
		b = append(b, "\r\n"...)
		b = append(b, a...)
		b = append(b, "\r\n"...)
	}
	return b
}

// isTimeout reports whether err is a deadline's (a net.Error that timed
// out; os.ErrDeadlineExceeded is one).
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
