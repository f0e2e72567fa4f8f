// Package server is keel's network face: RESP2/RESP3 over TCP, client
// connections, authentication,
// connection and server commands (HELLO, AUTH, CLIENT, INFO, CONFIG,
// COMMAND, SAVE, SHUTDOWN, ...) and Pub/Sub (pubsub.go: messages between
// clients, which never touch the WAL). Data commands live in package keel; the
// server registers its own commands in the same table, so arity checks,
// MULTI queueing and COMMAND INFO treat both alike.
//
// Ordering rules:
//
//  1. A connection executes the commands of one read (a pipeline) in order,
//     then waits once for the highest LSN they depend on to be durable, then
//     flushes all their replies: no reply is sent before its record is
//     durable per appendfsync (DESIGN invariant 5).
//  2. If that wait fails (the WAL failed) the replies are dropped and the
//     connection closed: an unacknowledged write may or may not survive, an
//     acknowledged one always does.
//  3. QUIT replies +OK and discards the rest of its pipeline.
//
// Connections are served by event loops (loop_linux.go, event-loops > 0)
// or by a goroutine each (conn.go's serve, event-loops 0, and platforms
// without epoll); the rules above hold in both.
//
// Requests are parsed by reader.go, which follows Redis 7.0's networking.c
// (processInlineBuffer, processMultibulkBuffer) byte for byte, limits and
// error texts included. tidwall/redcon's reader was used at first and
// replaced: it differs from Redis on empty and negative multibulk counts,
// unchecked CRLF after bulks, inline escapes, count limits and has no
// bulk or query-buffer limits (see the differential protocol tests).
//
// Server is safe for concurrent use.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/keeldb/keel"
)

// Version is the Redis version keel reports to clients (the Redis 7
// behaviour it implements).
const Version = keel.RedisVersion

// KeelVersion is keel's own version.
const KeelVersion = "0.1.0"

// Server serves one keel DB.
type Server struct {
	db  *keel.DB
	cfg *Config
	// ConfigFile is the file the configuration was read from ("" if none),
	// for INFO and CONFIG REWRITE.
	ConfigFile string
	log        *slog.Logger
	ln         net.Listener
	start      time.Time
	runID      string
	// startupMemory is used_memory when the server was made (MEMORY
	// STATS startup.allocated).
	startupMemory int64
	closed        chan struct{}
	pubsub        pubsubHub    // Pub/Sub subscriptions (pubsub.go)
	pause         pauser       // CLIENT PAUSE (pause.go)
	migrate       migrateCache // MIGRATE's connections (migrate.go)

	mu        sync.Mutex        // guards clients, closedIn, closedOut, loops
	clients   map[int64]*client // by id
	loops     []*eventLoop      // event-loops > 0; clients are dealt round-robin
	nextLoop  int
	closedIn  int64 // network bytes of closed clients
	closedOut int64

	totalConns    atomic.Int64
	rejectedConns atomic.Int64
	// evictedClients counts the clients maxmemory-clients disconnected
	// (INFO's evicted_clients).
	evictedClients atomic.Int64
	errors         errorTable  // error replies sent (INFO stats, errorstats)
	inst           instMetrics // INFO stats' instantaneous rates (sampleLoop)
	shutdownOnce   sync.Once
	wg             sync.WaitGroup
}

// New returns a server for db configured by cfg; call Serve.
func New(db *keel.DB, cfg *Config, logger *slog.Logger) *Server {
	if logger == nil {
		logger = slog.Default()
	}
	s := &Server{db: db, cfg: cfg, log: logger, start: time.Now(), clients: map[int64]*client{}, closed: make(chan struct{})}
	s.runID = fmt.Sprintf("%040x", time.Now().UnixNano())
	s.startupMemory = db.UsedMemorySample()
	db.SetRequirePass(cfg.Get("requirepass"))
	for _, name := range []string{"zset-max-listpack-entries", "zset-max-listpack-value", "set-max-intset-entries",
		"hash-max-listpack-entries", "hash-max-listpack-value", "list-max-listpack-size",
		"stream-node-max-bytes", "stream-node-max-entries", "hll-sparse-max-bytes", "active-expire-effort"} {
		v, _ := strconv.ParseInt(cfg.Get(name), 10, 64)
		db.SetTuning(name, v)
	}
	cfg.onSet = s.applyConfig
	s.applyEviction()
	db.SetMaxMemory(cfg.Int("maxmemory"))
	db.SetBusyReplyThreshold(cfg.Int("lua-time-limit"))
	db.SetSlowlog(cfg.Int("slowlog-log-slower-than"), cfg.Int("slowlog-max-len"))
	db.SetSlowlogPeer(func(sess *keel.Session, cmd *keel.Command, args [][]byte) (string, func(int) bool) {
		c, _ := sess.Ext.(*client)
		if c == nil {
			return "?:0", nil
		}
		return c.addr, redacted(db, cmd, args)
	})
	db.SetScriptBusyHooks(s.scriptBusy, s.scriptResume)
	db.SetPublisher(s.publishNotification)
	db.SetMonitorFeed(s.feedMonitors)
	db.SetTrackingSink(s.deliverTracking)
	db.SetProtectedCheck(s.protectedCheck)
	db.SetLatencyThreshold(cfg.Int("latency-monitor-threshold"))
	db.SetLatencyTracking(cfg.Get("latency-tracking") == "yes")
	db.SetTrackingMaxKeys(cfg.Int("tracking-table-max-keys"))
	s.applyConfig("notify-keyspace-events", cfg.Get("notify-keyspace-events"), cfg.Given("notify-keyspace-events"))
	if err := s.applyOOMScoreAdj(); err != nil {
		// As Redis at startup: the server runs, with a warning.
		logger.Warn("unable to set oom_score_adj", "err", err)
	}
	registerCommands()
	return s
}

// applyEviction hands the eviction's settings to the DB.
func (s *Server) applyEviction() {
	p, _ := keel.ParseEvictionPolicy(s.cfg.Get("maxmemory-policy"))
	s.db.SetEviction(keel.EvictionConfig{
		Policy:       p,
		Samples:      int(s.cfg.Int("maxmemory-samples")),
		Tenacity:     int(s.cfg.Int("maxmemory-eviction-tenacity")),
		LFULogFactor: int(s.cfg.Int("lfu-log-factor")),
		LFUDecayTime: int(s.cfg.Int("lfu-decay-time")),
	})
}

func (s *Server) applyConfig(name, value, given string) error {
	switch name {
	case "requirepass":
		s.db.SetRequirePass(value)
	case "appendfsync":
		s.db.SetFsync(s.cfg.FsyncPolicy())
	case "maxmemory":
		s.db.SetMaxMemory(s.cfg.Int("maxmemory"))
	case "maxmemory-policy", "maxmemory-samples", "maxmemory-eviction-tenacity", "lfu-log-factor", "lfu-decay-time":
		s.applyEviction()
	case "slowlog-log-slower-than", "slowlog-max-len":
		s.db.SetSlowlog(s.cfg.Int("slowlog-log-slower-than"), s.cfg.Int("slowlog-max-len"))
	case "latency-monitor-threshold":
		s.db.SetLatencyThreshold(s.cfg.Int(name))
	case "latency-tracking":
		s.db.SetLatencyTracking(value == "yes")
	case "rdbcompression":
		s.db.SetTuning(name, int64(b2i(value == "yes")))
	case "tracking-table-max-keys":
		s.db.SetTrackingMaxKeys(s.cfg.Int(name))
	case "lua-time-limit", "busy-reply-threshold":
		s.db.SetBusyReplyThreshold(s.cfg.Int("lua-time-limit"))
	case "notify-keyspace-events":
		// As given: "KEAn" shows as "AKE" but keeps n.
		f, _ := keel.ParseNotifyClasses(given)
		s.db.SetNotifyClasses(f)
	case "oom-score-adj", "oom-score-adj-values":
		if err := s.applyOOMScoreAdj(); err != nil {
			s.log.Warn("unable to set oom_score_adj", "err", err)
			return redisText("Failed to set current oom_score_adj. Check server logs.")
		}
	default:
		if v, err := strconv.ParseInt(value, 10, 64); err == nil {
			s.db.SetTuning(name, v)
		}
	}
	return nil
}

// Listen binds the configured address(es) ("bind" may list several).
func (s *Server) Listen() error {
	port := s.cfg.Get("port")
	addrs := strings.Fields(s.cfg.Get("bind"))
	if len(addrs) == 0 {
		addrs = []string{"127.0.0.1"}
	}
	// One listener per bind address, merged.
	var lns []net.Listener
	for _, a := range addrs {
		// "-addr" is optional, as in Redis: skipped when the machine
		// has no such address (IPv6's ::1 where IPv6 is off).
		optional := strings.HasPrefix(a, "-")
		a = strings.TrimPrefix(a, "-")
		// KeepAlive -1: accepted connections get no keep-alive of Go's
		// (15 s by default); newClient sets tcp-keepalive's, or none.
		lc := net.ListenConfig{KeepAlive: -1}
		ln, err := lc.Listen(context.Background(), "tcp", net.JoinHostPort(a, port))
		if err == nil {
			if err = setBacklog(ln, int(s.cfg.Int("tcp-backlog"))); err != nil {
				ln.Close()
			}
		}
		if err != nil && optional && (errors.Is(err, syscall.EADDRNOTAVAIL) || errors.Is(err, syscall.EAFNOSUPPORT)) {
			s.log.Warn("skipping optional bind address", "addr", a, "err", err)
			continue
		}
		if err != nil {
			for _, l := range lns {
				l.Close()
			}
			return err
		}
		lns = append(lns, ln)
	}
	if len(lns) == 0 {
		return fmt.Errorf("no bind address of %q could be listened on", s.cfg.Get("bind"))
	}
	if path := s.cfg.Get("unixsocket"); path != "" {
		ln, err := listenUnix(path, s.cfg.Get("unixsocketperm"))
		if err != nil {
			for _, l := range lns {
				l.Close()
			}
			return err
		}
		lns = append(lns, ln)
	}
	s.warnBacklog()
	if len(lns) == 1 {
		s.ln = lns[0]
	} else {
		s.ln = newMultiListener(lns)
	}
	return nil
}

// listenUnix listens on the Unix socket path (unixsocket), as Redis: a
// socket file left there by an earlier run is replaced, and a perm
// (unixsocketperm, octal) other than 0 is set on the new one. The file
// goes when the listener closes. A path that holds anything but a socket
// is an error, where Redis would unlink it.
func listenUnix(path, perm string) (net.Listener, error) {
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode()&os.ModeSocket == 0 {
			return nil, fmt.Errorf("unixsocket %s: exists and is not a socket", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("unixsocket %s: %w", path, err)
		}
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	if m, _ := strconv.ParseUint(perm, 8, 32); m != 0 {
		if err := os.Chmod(path, os.FileMode(m)); err != nil {
			ln.Close()
			return nil, fmt.Errorf("unixsocket %s: %w", path, err)
		}
	}
	return ln, nil
}

// Addr is the listening address (after Listen).
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// port is the port the server listens on (port 0 picks one at Listen),
// or the configured one before Listen.
func (s *Server) port() string {
	if s.ln != nil {
		if a, ok := s.ln.Addr().(*net.TCPAddr); ok {
			return strconv.Itoa(a.Port)
		}
	}
	return s.cfg.Get("port")
}

// Serve accepts connections until Close or SHUTDOWN.
func (s *Server) Serve() error {
	if err := s.startLoops(); err != nil {
		return err
	}
	if !s.addWorker(nil) {
		return nil // closed already
	}
	go s.sampleLoop()
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			select {
			case <-s.closed:
				return nil
			default:
			}
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			s.log.Warn("accept", "err", err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		s.totalConns.Add(1)
		if max := s.cfg.Int("maxclients"); int64(s.numClients()) >= max {
			s.rejectedConns.Add(1)
			nc.Write([]byte("-ERR max number of clients reached\r\n"))
			nc.Close()
			continue
		}
		if !s.allowedByProtectedMode(nc) {
			nc.Write([]byte("-DENIED Running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface.\r\n"))
			nc.Close()
			continue
		}
		c := s.newClient(nc)
		if s.toLoop(c, nc) || !s.register(c) {
			continue
		}
		go func() {
			defer s.wg.Done()
			c.serve()
		}()
	}
}

// startLoops starts the event loops (event-loops), where the platform has
// them.
func (s *Server) startLoops() error {
	n := int(s.cfg.Int("event-loops"))
	for range n {
		lp, err := newEventLoop(s)
		if err != nil {
			return fmt.Errorf("event loop: %w", err)
		}
		if lp == nil { // not on this platform
			return nil
		}
		if !s.addWorker(lp) {
			lp.release()
			return nil
		}
		go func() {
			defer s.wg.Done()
			lp.run()
		}()
	}
	return nil
}

// addWorker registers a goroutine Serve is about to start (an event loop
// lp, or with lp nil the rate sampler), unless the server is closed (a
// Close that ran before Serve got this far). Under mu, like register:
// Close closes s.closed under mu, so a loop added here is in s.loops for
// Close's wake-up, and the wg.Add happens before Close's wg.Wait (the
// sampler's Add was outside it, and raced with a Close right after
// Serve started: the race detector caught it in CI).
func (s *Server) addWorker(lp *eventLoop) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.closed:
		return false
	default:
	}
	if lp != nil {
		s.loops = append(s.loops, lp)
	}
	s.wg.Add(1)
	return true
}

// toLoop hands c to an event loop, if there are any; false when c is to be
// served by a goroutine.
func (s *Server) toLoop(c *client, nc net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.loops) == 0 {
		return false
	}
	select {
	case <-s.closed: // the loops may be gone (Close holds mu to close it)
		nc.Close()
		s.db.CloseSession(c.sess)
		return true
	default:
	}
	lp := s.loops[s.nextLoop%len(s.loops)]
	s.nextLoop++
	fd, err := detach(nc)
	if err != nil {
		s.log.Warn("event loop: serving the client by a goroutine", "addr", c.addr, "err", err)
		return false
	}
	c.nc = nil // the loop owns the socket
	c.ls = newLoopState(lp, fd, c)
	c.fd = fd
	s.clients[c.sess.ID] = c
	s.wg.Add(1) // done by finish
	lp.add(c)
	return true
}

// register lists c among the server's clients, to be served by a
// goroutine (counted in wg); false when the server is closing (c is
// closed: Close would not see it).
func (s *Server) register(c *client) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.closed:
		c.nc.Close()
		s.db.CloseSession(c.sess)
		return false
	default:
	}
	s.clients[c.sess.ID] = c
	s.wg.Add(1)
	return true
}

// allowedByProtectedMode mirrors Redis: with protected-mode yes and no
// password, only loopback clients are served.
func (s *Server) allowedByProtectedMode(nc net.Conn) bool {
	if s.cfg.Get("protected-mode") != "yes" || s.db.RequirePass() != "" {
		return true
	}
	return localConn(nc)
}

// localConn reports whether nc's peer is on this machine: a loopback TCP
// address, or anything but TCP (a Unix socket).
func localConn(nc net.Conn) bool {
	if ta, ok := nc.RemoteAddr().(*net.TCPAddr); ok {
		return ta.IP.IsLoopback()
	}
	return true
}

// Close stops accepting, closes every client and waits for them.
func (s *Server) Close() error {
	s.shutdownOnce.Do(func() {
		s.mu.Lock()
		close(s.closed) // under mu: toLoop hands no client to a finished loop
		s.stopPause()
		// A script's connection ends when its script does.
		s.db.StopScript()
		if s.ln != nil {
			s.ln.Close()
		}
		for _, c := range s.clients {
			if c.ls.lp != nil {
				c.ls.lp.post(loopMsg{kind: msgKill, c: c})
			} else {
				c.nc.Close()
			}
		}
		for _, lp := range s.loops {
			lp.post(loopMsg{kind: msgWake})
		}
		s.mu.Unlock()
	})
	s.wg.Wait()
	s.migrate.closeAll()
	return nil
}

// loopPrefetchStats sums the event loops' prefetchStats.
func (s *Server) loopPrefetchStats() (off, on, switches int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, lp := range s.loops {
		a, b, c := lp.prefetchStats()
		off, on, switches = off+a, on+b, switches+c
	}
	return off, on, switches
}

// scriptBusy is the DB's busy hook: a script that runs on an event
// loop's goroutine turned busy, or a command on one waits for the lock
// behind it, and a helper serves the loop's other clients until it
// returns (busyloop_linux.go). A goroutine's client holds no one else up.
func (s *Server) scriptBusy(sess *keel.Session) {
	if c, ok := sess.Ext.(*client); ok && c.ls.lp != nil {
		c.ls.lp.startHelper(c)
	}
}

// scriptResume is the DB's resume hook: the command of sess, which waited
// for the lock behind a busy script on its event loop's goroutine, may
// go on; the loop takes back what its helper served meanwhile, before the
// command runs (it may write to the loop's other clients).
func (s *Server) scriptResume(sess *keel.Session) {
	if c, ok := sess.Ext.(*client); ok && c.ls.lp != nil {
		c.ls.lp.resume(c)
	}
}

// Done is closed when the server shuts down (SHUTDOWN or Close).
func (s *Server) Done() <-chan struct{} { return s.closed }

func (s *Server) numClients() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.clients)
}

func (s *Server) clientList() []*client {
	s.mu.Lock()
	out := make([]*client, 0, len(s.clients))
	for _, c := range s.clients {
		out = append(out, c)
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].sess.ID < out[j].sess.ID })
	return out
}

// multiListener accepts from several listeners.
type multiListener struct {
	lns   []net.Listener
	conns chan net.Conn
	errs  chan error
	once  sync.Once
	done  chan struct{}
}

func newMultiListener(lns []net.Listener) *multiListener {
	m := &multiListener{lns: lns, conns: make(chan net.Conn), errs: make(chan error, len(lns)), done: make(chan struct{})}
	for _, ln := range lns {
		go func(ln net.Listener) {
			for {
				c, err := ln.Accept()
				if err != nil {
					m.errs <- err
					return
				}
				select {
				case m.conns <- c:
				case <-m.done:
					c.Close()
					return
				}
			}
		}(ln)
	}
	return m
}

func (m *multiListener) Accept() (net.Conn, error) {
	select {
	case c := <-m.conns:
		return c, nil
	case err := <-m.errs:
		return nil, err
	case <-m.done:
		return nil, net.ErrClosed
	}
}

func (m *multiListener) Close() error {
	m.once.Do(func() {
		close(m.done)
		for _, ln := range m.lns {
			ln.Close()
		}
	})
	return nil
}

func (m *multiListener) Addr() net.Addr { return m.lns[0].Addr() }

// pid is reported by INFO.
var pid = os.Getpid()

// netBytes returns the network bytes read and written, all clients.
func (s *Server) netBytes() (in, out int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, out = s.closedIn, s.closedOut
	for _, c := range s.clients {
		in += c.netIn.Load()
		out += c.netOut.Load()
	}
	return in, out
}

// resetNetBytes zeroes the network counters (CONFIG RESETSTAT).
func (s *Server) resetNetBytes() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closedIn, s.closedOut = 0, 0
	for _, c := range s.clients {
		c.netIn.Store(0)
		c.netOut.Store(0)
	}
}

// setBacklog gives ln tcp-backlog's listen(2) backlog: listen on a
// socket already listening only changes its backlog (Go's own is the
// kernel's somaxconn).
func setBacklog(ln net.Listener, backlog int) error {
	tl, ok := ln.(*net.TCPListener)
	if !ok {
		return nil
	}
	rc, err := tl.SyscallConn()
	if err != nil {
		return err
	}
	var lerr error
	if err := rc.Control(func(fd uintptr) { lerr = syscall.Listen(int(fd), backlog) }); err != nil {
		return err
	}
	return lerr
}

// warnBacklog is Redis's checkTcpBacklogSettings: the kernel caps the
// backlog at net.core.somaxconn, silently.
func (s *Server) warnBacklog() {
	b, err := os.ReadFile("/proc/sys/net/core/somaxconn")
	if err != nil {
		return
	}
	somaxconn, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if backlog := s.cfg.Int("tcp-backlog"); err == nil && int64(somaxconn) < backlog {
		s.log.Warn(fmt.Sprintf("The TCP backlog setting of %d cannot be enforced because /proc/sys/net/core/somaxconn is set to the lower value of %d.", backlog, somaxconn))
	}
}
