package keel

import (
	"bytes"
	"fmt"
	"maps"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/keeldb/keel/memtables"
	"github.com/keeldb/keel/segments"
	"github.com/keeldb/keel/slots"
)

// Flags describe a command, as in Redis's command table (COMMAND INFO shows
// them by these names).
type Flags uint32

const (
	FlagWrite Flags = 1 << iota
	FlagReadonly
	FlagDenyOOM
	FlagAdmin
	FlagPubSub
	FlagNoScript
	FlagBlocking
	FlagLoading
	FlagStale
	FlagSkipMonitor
	FlagFast
	FlagNoAuth
	FlagNoMulti     // refused inside MULTI ("Command not allowed inside a transaction")
	FlagAllowBusy   // e.g. allow_busy
	FlagNoLock      // runs without db.mu (connection and server commands)
	FlagSkipSlowlog // skip_slowlog
	// FlagExclusive takes db.mu exclusively without being a data write
	// (WATCH edits the watch table). Not shown by COMMAND.
	FlagExclusive
	// FlagMovableKeys: the keys cannot be found from FirstKey/LastKey/Step
	// alone (KeyNum commands, SORT). Set by Register from KeyNum.
	FlagMovableKeys
	// FlagShort: not "fast" in Redis's table, but in keel its time is
	// bounded by its arguments, as a fast command's is, so it shares the
	// clock of the commands around it (Session.SetClock). SET is not fast
	// in Redis because overwriting a large value frees it there; in keel
	// the old value is dropped in O(1) (a new version, a reference let go).
	// Not shown by COMMAND.
	FlagShort
	// FlagMayReplicate: not a write, but may write through what it runs
	// (EVAL, EVALSHA); Redis's may_replicate.
	FlagMayReplicate
	FlagNoMandatoryKeys // no_mandatory_keys
	FlagNoAsyncLoading  // no_async_loading (SAVE, BGSAVE, BGREWRITEAOF)
	FlagAsking          // asking (RESTORE-ASKING; meaningful in a cluster only)
	// FlagProtected: refused unless the server allows it (Redis's
	// CMD_PROTECTED: MODULE LOAD under enable-module-command, DEBUG under
	// enable-debug-command; see
	// SetProtectedCheck). Not shown by COMMAND.
	FlagProtected
)

var flagNames = []struct {
	f    Flags
	name string
}{
	{FlagWrite, "write"}, {FlagReadonly, "readonly"}, {FlagDenyOOM, "denyoom"},
	{FlagAdmin, "admin"}, {FlagPubSub, "pubsub"}, {FlagNoScript, "noscript"},
	{FlagBlocking, "blocking"}, {FlagLoading, "loading"}, {FlagStale, "stale"},
	{FlagSkipMonitor, "skip_monitor"}, {FlagSkipSlowlog, "skip_slowlog"},
	{FlagFast, "fast"}, {FlagNoAuth, "no_auth"}, {FlagMayReplicate, "may_replicate"},
	{FlagNoMandatoryKeys, "no_mandatory_keys"}, {FlagNoMulti, "no_multi"}, {FlagNoAsyncLoading, "no_async_loading"},
	{FlagMovableKeys, "movablekeys"}, {FlagAllowBusy, "allow_busy"}, {FlagAsking, "asking"},
}

// FlagNamed is the flag COMMAND INFO calls name, 0 for one keel does not
// have.
func FlagNamed(name string) Flags {
	for _, fn := range flagNames {
		if fn.name == name {
			return fn.f
		}
	}
	return 0
}

// FlagNames lists f's names in COMMAND INFO order.
func (f Flags) Names() []string {
	var out []string
	for _, fn := range flagNames {
		if f&fn.f != 0 {
			out = append(out, fn.name)
		}
	}
	return out
}

// Command is one entry of the command table.
type Command struct {
	Name     string // lower case; "client|setname" for subcommands
	Arity    int    // Redis arity: n exact, -n at least n (counting the name)
	Flags    Flags
	FirstKey int // key positions as in COMMAND INFO
	LastKey  int
	Step     int
	// KeyNum > 0: argv[KeyNum] is a key count and that many keys follow it
	// (Redis's keynum key spec: LMPOP, SINTERCARD, ZUNIONSTORE's sources).
	// Such a command has "movablekeys" in COMMAND INFO.
	KeyNum  int
	ACL     []string // ACL categories without '@'
	Group   string   // COMMAND DOCS group: string, generic, connection, server, transactions, cluster
	Summary string
	Since   string
	Handler func(c *Ctx)
	Subs    map[string]*Command // subcommands by lower-case name
	Parent  *Command
	// KeysFunc, when set, finds the keys instead of the positions above
	// (Redis's getkeys_proc: XREAD and XREADGROUP's STREAMS keyword).
	KeysFunc func(argv [][]byte) []int

	idx int // the command's counters in DB.cmdStats (cmdstats.go)
}

// FullName is the name used in error messages ("get", "client|setname").
func (c *Command) FullName() string { return c.Name }

// Keys returns the key argument indexes of argv per the key specification.
func (c *Command) Keys(argv [][]byte) []int {
	if c.KeysFunc != nil {
		return c.KeysFunc(argv)
	}
	if c.FirstKey == 0 {
		return c.keyNumKeys(argv)
	}
	last := c.LastKey
	if last < 0 {
		last = len(argv) + last
	}
	var out []int
	for i := c.FirstKey; i <= last && i < len(argv); i += max(c.Step, 1) {
		out = append(out, i)
	}
	return append(out, c.keyNumKeys(argv)...)
}

// Resolve returns the subcommand args[1] names when c has subcommands and
// there is one of that name, else c; known is false when c is only a
// container (no handler of its own) and args[1] names none of its
// subcommands.
func (c *Command) Resolve(args [][]byte) (cmd *Command, known bool) {
	if c.Subs == nil || len(args) < 2 {
		return c, true
	}
	if sub := c.Subs[lower(args[1])]; sub != nil {
		return sub, true
	}
	return c, c.Handler != nil
}

// keyNumKeys returns the indexes of the keys counted by argv[KeyNum].
func (c *Command) keyNumKeys(argv [][]byte) []int {
	if c.KeyNum <= 0 || c.KeyNum >= len(argv) {
		return nil
	}
	n, ok := parseInt(argv[c.KeyNum])
	if !ok || n <= 0 {
		return nil
	}
	var out []int
	for i := c.KeyNum + 1; int64(i) <= int64(c.KeyNum)+n && i < len(argv); i++ {
		out = append(out, i)
	}
	return out
}

// ArityOK reports whether n arguments (the name counted) fit c's arity.
func (c *Command) ArityOK(n int) bool {
	if c.Arity >= 0 {
		return n == c.Arity
	}
	return n >= -c.Arity
}

// commands is the command table: an immutable map replaced whole by
// Register (rare: init and server start), so that Lookup, on every
// command, is one atomic load and writes no shared cache line (a read
// lock's two atomic adds did, from every core).
var (
	registerMu sync.Mutex // serializes Register
	commands   atomic.Pointer[map[string]*Command]
)

// Register adds commands to the global table. Packages register theirs in
// init (this package) or before serving (server). Later registrations of a
// name replace earlier ones.
func Register(cmds ...*Command) {
	registerMu.Lock()
	defer registerMu.Unlock()
	next := map[string]*Command{}
	if cur := commands.Load(); cur != nil {
		maps.Copy(next, *cur)
	}
	index := func(c *Command) {
		if c.idx == 0 {
			if nextCommandIdx++; nextCommandIdx >= maxCommandIdx {
				panic("keel: more than maxCommandIdx commands registered")
			}
			c.idx = nextCommandIdx
		}
	}
	for _, c := range cmds {
		if c.KeyNum > 0 {
			c.Flags |= FlagMovableKeys
		}
		index(c)
		for name, s := range c.Subs {
			s.Parent = c
			if !strings.Contains(s.Name, "|") {
				s.Name = c.Name + "|" + name
			}
			index(s)
		}
		next[c.Name] = c
	}
	commands.Store(&next)
}

// table returns the current command table (never nil after init).
func table() map[string]*Command {
	if t := commands.Load(); t != nil {
		return *t
	}
	return nil
}

// Lookup returns the top-level command named name (any case).
func Lookup(name []byte) *Command {
	var buf [32]byte
	if len(name) <= len(buf) {
		// Lower-case into a stack buffer: the map index with string(b)
		// does not allocate.
		for i, ch := range name {
			if ch >= 'A' && ch <= 'Z' {
				ch += 'a' - 'A'
			}
			buf[i] = ch
		}
		return table()[string(buf[:len(name)])]
	}
	return table()[lower(name)]
}

// Commands returns the table sorted by name.
func Commands() []*Command {
	t := table()
	out := make([]*Command, 0, len(t))
	for _, c := range t {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Session is one client's state as the command layer sees it. The server
// owns it; its fields are used by one goroutine at a time.
type Session struct {
	ID            int64
	DB            int
	Proto         int // 2 or 3
	Name          string
	LibName       string
	LibVer        string
	Authenticated bool
	// WaitLSN is the LSN the client's pending replies depend on; the server
	// waits for it to be durable before sending them (ordering rule 2).
	WaitLSN uint64
	// Ext is the server's per-connection state.
	Ext any
	// PubSub: the client is subscribed to a channel, pattern or shard
	// channel (Redis's CLIENT_PUBSUB; the server keeps it). Under RESP2
	// such a client may run only the commands pubSubContext allows.
	PubSub bool
	// Monitor: the client ran MONITOR (Redis's CLIENT_MONITOR, set by the
	// server): it may not run commands that touch the keyspace.
	Monitor bool
	// InScript: the session's commands are a script's (MONITOR shows
	// them from "lua").
	InScript bool
	// NoTouch: CLIENT NO-TOUCH on (Redis 7.2's CLIENT_NO_TOUCH): the
	// session's lookups leave the keys' access clocks and LFU counters
	// alone, but for TOUCH's own (not a script's TOUCH: Redis looks at the
	// calling client's command, EVAL).
	NoTouch bool
	// Postponed: Exec did not run the command, which a CLIENT PAUSE covers
	// (pause.go), or which BusyOnly refused; the server clears it and runs
	// the command again once the pause ends, or from its usual goroutine.
	Postponed bool
	// BusyOnly: the server runs the session's commands from another
	// goroutine than usual while a busy script holds its usual one
	// (scriptbusy.go). Exec then runs only what a busy script allows (BUSY
	// for the rest), and postpones any command once no script is busy: a
	// script never starts there.
	BusyOnly bool

	ctx        Ctx // scratch context of the command being executed
	scratch    scratch
	blocked    *waiter // the blocking command waiting (see WaitBlocked)
	multi      *multiState
	watched    []watchKey
	watchDirty bool // a watched key was touched (guarded by db.mu)
	// watchedExpired marks watched keys that were already expired when
	// WATCHed: their expiry does not abort EXEC.
	watchedExpired map[watchKey]bool
	// LastCommand is the command the session ran last (nil before the
	// first): CLIENT LIST shows its Name, a string that stays, which a
	// connection points to instead of copying it each time it changes.
	LastCommand *Command
	// clock is the time (unix ms) the server read for the batch of this
	// session's commands it is running, 0 when none: see SetClock.
	clock int64
	// prefetched keeps what Prefetch loaded, so that the loads stay.
	prefetched uint64
	prefetch   prefetchState
	// lastLookup is the command the session's last request named (Exec).
	lastLookup *Command
	// strHints and hashHints are what the last prefetch of the strings
	// and hashes engines found for its keys, for the reads that follow
	// (segments.ReadHints).
	strHints, hashHints segments.ReadHints
	// ReplyErrors, when set, counts the error replies written to the
	// session's Reply (the server's writer keeps it): a command during
	// which it grows failed (INFO commandstats' failed_calls).
	ReplyErrors *int64
	fastCalls   uint32     // fast commands run: every fastTimingEvery-th is timed
	track       trackState // CLIENT TRACKING (tracking.go)
	// LastAt is when the session's last command arrived (unix ms; set by
	// Exec, read by other connections' CLIENT LIST for the idle time).
	LastAt atomic.Int64
}

// InMulti reports whether a MULTI block is open.
func (s *Session) InMulti() bool { return s.multi != nil }

// NewSession returns a session with a fresh client id.
func (db *DB) NewSession() *Session {
	return &Session{ID: db.nextClient.Add(1), Proto: 2}
}

// Ctx is a command's execution context.
type Ctx struct {
	DB   *DB
	S    *Session
	Args [][]byte
	R    Reply
	Cmd  *Command
	Now  int64 // unix ms, fixed for the command (Redis's cached mstime)

	w    *batch // non-nil while a write command runs: the record being built
	inTx bool   // executing inside EXEC
	// expiredSignalled: the expired keys this context deletes were
	// signalled by the read that found them (expireLater).
	expiredSignalled bool
	// byServer: the deletion running is the server's (an expiry), not the
	// client's: NOLOOP's BCAST notes do not leave it out (tracking.go).
	byServer bool
	// noTouch: lookups leave the access clock alone (Redis's
	// LOOKUP_NOTOUCH: EXISTS, TYPE, the TTL family, RANDOMKEY).
	noTouch bool
	dirty   bool     // the command emitted ops
	expired [][]byte // expired keys a read command found (deleted after it)
	// errMark is the Reply's error count a failure of the command is
	// counted from (cmdstats.go): its start, or, for EXEC, the end of its
	// last queued command, whose errors are theirs, as in Redis.
	errMark int64
}

// batch is the WAL record under construction and its bookkeeping.
type batch struct {
	lsn     uint64 // the LSN the record will get
	payload []byte
	slots   []uint16
	global  bool
	ops     int
	// slotKey is a copy of the key whose hash slot slotOf computed last
	// (slotSet: there is one), slot that slot. A write names one key in
	// its reads (HSET's field check), its keyspace op and its engine op,
	// and each needs the key's slot: for MSET that was slots.Of of each
	// key three times, ~3% of the server's CPU.
	slotKey []byte
	slot    uint16
	slotSet bool
	// events are the keyspace notifications the write signalled, published
	// once the record is in the log (commit, notify.go).
	events []event
}

// slotOf returns key's hash slot, computed once for a run of calls with
// the same key.
func (b *batch) slotOf(key []byte) uint16 {
	if !b.slotSet || !bytes.Equal(key, b.slotKey) {
		b.slot, b.slotKey, b.slotSet = slots.Of(key), append(b.slotKey[:0], key...), true
	}
	return b.slot
}

// slotOf returns key's hash slot, through the record's memo (batch.slotOf)
// in a write command.
func (c *Ctx) slotOf(key []byte) uint16 {
	if c.w != nil {
		return c.w.slotOf(key)
	}
	return slots.Of(key)
}

// SetClock makes Exec use ms (unix ms) as the time of s's next commands
// instead of reading the clock for each, until SetClock(0) or a command
// without Redis's "fast" flag (O(1) or O(log n)) or keel's FlagShort,
// after which each command reads the clock again. A server running a
// batch of pipelined commands reads the clock once for a few of them: on
// a VM a clock read is ~100 ns, 5% of a cached HGET at pipeline 16. The
// time is every command's "now", for expiry too, so the server refreshes
// it every few commands (fast ones run in microseconds).
func (s *Session) SetClock(ms int64) { s.clock = ms }

// Clock returns the time SetClock set, or 0 once a command that may run
// long (or SetClock(0)) cleared it.
func (s *Session) Clock() int64 { return s.clock }

// Exec executes one command for session s and writes its reply to r.
func (db *DB) Exec(s *Session, args [][]byte, r Reply) {
	if len(args) == 0 {
		return
	}
	// One clock read per command, or per batch (SetClock): the command's
	// time (Redis's cached mstime), its WAL record's timestamp and the
	// client's last interaction (CLIENT LIST idle) all use it.
	now := s.clock
	if now == 0 {
		now = time.Now().UnixMilli()
	}
	s.LastAt.Store(now)
	// A pipeline repeats its command: the session's last one is compared
	// before the table is searched.
	cmd := s.lastLookup
	if cmd == nil || !eqFold(args[0], cmd.Name) {
		cmd = Lookup(args[0])
		s.lastLookup = cmd
	}
	if cmd == nil {
		db.rejectInMulti(s)
		r.Error(unknownCommand(args))
		return
	}
	if cmd.Subs != nil { // (checked here: Exec is the hot path)
		sub, known := cmd.Resolve(args)
		if !known {
			db.rejectInMulti(s)
			r.Error(fmt.Sprintf("ERR unknown subcommand '%s'. Try %s HELP.", truncArg(cstr(args[1])), strings.ToUpper(cmd.Name)))
			return
		}
		cmd = sub
	}
	if cmd.Flags&(FlagFast|FlagShort) == 0 {
		// It may run long: the commands after it read the clock again.
		s.clock = 0
	}
	if !cmd.ArityOK(len(args)) {
		db.reject(s, cmd, r, fmt.Sprintf("ERR wrong number of arguments for '%s' command", cmd.Name))
		return
	}
	if cmd.Flags&FlagProtected != 0 {
		if msg := db.protectedRefusal(s, cmd); msg != "" {
			db.reject(s, cmd, r, msg)
			return
		}
	}
	if pw := db.RequirePass(); pw != "" && !s.Authenticated && cmd.Flags&FlagNoAuth == 0 {
		db.reject(s, cmd, r, "NOAUTH Authentication required.")
		return
	}
	if err := db.Err(); err != nil && cmd.Flags&FlagNoLock == 0 {
		r.Error("ERR " + err.Error())
		return
	}
	if db.rejectOOM(s, cmd) {
		db.reject(s, cmd, r, oomError)
		return
	}
	if s.Monitor && touchesKeyspace(cmd) {
		// A monitor is a replica to Redis, which may not read or write.
		db.reject(s, cmd, r, "ERR Replica can't interact with the keyspace")
		return
	}
	if cmd.Flags&FlagAllowBusy == 0 || s.BusyOnly {
		// A script holds the DB past busy-reply-threshold: BUSY, but for
		// the commands allowed then. One look decides both, so that a
		// BusyOnly session never runs anything else.
		busy := db.ScriptBusy()
		if s.BusyOnly && !busy {
			s.Postponed = true
			return
		}
		if busy && cmd.Flags&FlagAllowBusy == 0 {
			db.reject(s, cmd, r, db.busyError())
			return
		}
	}
	if s.PubSub && s.Proto == 2 && !pubSubContext(cmd) {
		db.reject(s, cmd, r, fmt.Sprintf("ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context", cmd.FullName()))
		return
	}
	if db.postpones(s, cmd, args) {
		// CLIENT PAUSE: the server runs it again once the pause ends.
		s.Postponed = true
		return
	}
	s.LastCommand = cmd
	if s.multi != nil && !isTxControl(cmd) {
		if cmd.Flags&FlagNoMulti != 0 {
			db.rejectedCommand(cmd, s.ID)
			db.rejectInMulti(s)
			r.Error("ERR Command not allowed inside a transaction")
			return
		}
		s.multi.queue = append(s.multi.queue, queued{cmd: cmd, args: CloneArgs(args)})
		s.multi.denyOOM = s.multi.denyOOM || cmd.Flags&FlagDenyOOM != 0
		s.multi.writes = s.multi.writes || mayReplicate(cmd)
		r.Simple("QUEUED")
		return
	}
	// The session's scratch Ctx: one command at a time per session, and
	// reusing it keeps the hot path free of a heap allocation per command.
	c := &s.ctx
	*c = Ctx{DB: db, S: s, Args: args, R: r, Cmd: cmd, Now: now, expired: c.expired[:0]}
	c.errMark = s.errorsNow()
	t0 := db.startTiming(s, cmd)
	db.run(c)
	db.slowlogPush(s, cmd, args, db.ranCommand(cmd, s.ID, t0, c.errMark, s.errorsNow()), false)
	db.feedMonitors(s, cmd, args)
	c.R, c.Args = nil, nil
}

// SetProtectedCheck sets what decides whether a session may run a
// FlagProtected command: "" or the error reply (the server's
// enable-module-command).
func (db *DB) SetProtectedCheck(f func(s *Session, cmd *Command) string) { db.protectedCheck = f }

func (db *DB) protectedRefusal(s *Session, cmd *Command) string {
	if db.protectedCheck == nil {
		return ""
	}
	return db.protectedCheck(s, cmd)
}

// reject answers a command refused before execution, as Redis's
// rejectCommand does: an open MULTI is flagged, and a refused EXEC discards
// the transaction with EXECABORT.
func (db *DB) reject(s *Session, cmd *Command, r Reply, msg string) {
	db.rejectedCommand(cmd, s.ID)
	if cmd.Name == "exec" {
		s.multi = nil
		db.unwatchSession(s) // the refusal may be BUSY: without waiting for the script
		r.Error("EXECABORT Transaction discarded because of: " + strings.TrimPrefix(msg, "ERR "))
		return
	}
	db.rejectInMulti(s)
	r.Error(msg)
}

// touchesKeyspace reports whether cmd reads, writes or may replicate
// (Redis's is_read_command, is_write_command, is_may_replicate_command):
// what a monitor may not run.
func touchesKeyspace(c *Command) bool { return c.Flags&FlagReadonly != 0 || mayReplicate(c) }

// pubSubContext reports whether a RESP2 client in Pub/Sub mode may run
// cmd: its replies would otherwise mix with the messages it reads
// (Redis's processCommand, in the same place: after the OOM check,
// before a transaction queues).
func pubSubContext(c *Command) bool {
	switch c.Name {
	case "ping", "subscribe", "ssubscribe", "unsubscribe", "sunsubscribe", "psubscribe", "punsubscribe", "quit", "reset":
		return true
	}
	return false
}

func isTxControl(c *Command) bool {
	switch c.Name {
	case "exec", "discard", "multi", "watch", "quit", "reset":
		return true
	}
	return false
}

// CloneArgs copies a command's arguments (a queued command's; one that
// CLIENT PAUSE holds, whose request buffer is reused). An empty argument
// stays a non-nil empty slice: nil means "absent" to several handlers
// (SORT's BY, an op's key), and "" is a valid key.
func CloneArgs(args [][]byte) [][]byte {
	out := make([][]byte, len(args))
	for i, a := range args {
		out[i] = append([]byte{}, a...)
	}
	return out
}

func truncArg(b []byte) string {
	if len(b) > 128 {
		b = b[:128]
	}
	return string(b)
}

// cstr is b as C's "%s" prints it: up to the first NUL byte.
func cstr(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

// unknownCommand formats Redis 7's unknown command error exactly as
// processCommand does: the name up to 128 bytes, then arguments while the
// argument text is shorter than 128 bytes, each cut to what is left of 128.
func unknownCommand(args [][]byte) string {
	var list []byte
	for _, a := range args[1:] {
		if len(list) >= 128 {
			break
		}
		a = cstr(a)
		if room := 128 - len(list); len(a) > room {
			a = a[:room]
		}
		list = append(list, '\'')
		list = append(list, a...)
		list = append(list, '\'', ' ')
	}
	name := cstr(args[0])
	if len(name) > 128 {
		name = name[:128]
	}
	return fmt.Sprintf("ERR unknown command '%s', with args beginning with: %s", name, list)
}

// run executes c under the lock its command needs.
func (db *DB) run(c *Ctx) {
	f := c.Cmd.Flags
	switch {
	case f&FlagNoLock != 0:
		c.Cmd.Handler(c)
	case f&(FlagWrite|FlagExclusive) != 0:
		if !db.lockPastScript(c, true) {
			return
		}
		c.w = db.newBatch()
		c.Cmd.Handler(c)
		c.trackRead() // a read-only command that takes the lock exclusively
		db.commit(c)
		if len(db.blocks.ready) > 0 {
			db.serveReady(c.Now)
		}
		db.mu.Unlock()
	default:
		if !db.lockPastScript(c, false) {
			return
		}
		c.Cmd.Handler(c)
		c.trackRead()
		// A read waits for what it saw to be durable (ordering rule 2).
		c.S.WaitLSN = max(c.S.WaitLSN, uint64(db.log.LastLSN()))
		db.mu.RUnlock()
		if len(c.expired) > 0 {
			db.deleteExpired(c.S, c.expired)
		}
	}
}

// lockPastScript takes db.mu (exclusive: for a write) for c's command.
// While a script holds it, the command waits only until the script
// turns busy (busy-reply-threshold), then fails with BUSY as in Redis,
// or, allowed then, runs on the script's goroutine (runOnScript; the
// allow_busy commands that take db.mu, DISCARD, WATCH and UNWATCH, write
// no record). It reports whether it holds the lock: false when the
// command was refused or ran.
func (db *DB) lockPastScript(c *Ctx, exclusive bool) bool {
	if exclusive && db.mu.TryLock() || !exclusive && db.mu.TryRLock() {
		return true
	}
	if db.waitLock(c.S, exclusive) {
		return true
	}
	for {
		if exclusive && db.mu.TryLock() || !exclusive && db.mu.TryRLock() {
			return true
		}
		if db.ScriptBusy() {
			if c.Cmd.Flags&FlagAllowBusy == 0 {
				c.Error(db.busyError())
				return false
			}
			if db.runOnScript(func() { c.Cmd.Handler(c) }) {
				return false
			}
		}
		time.Sleep(time.Millisecond)
	}
}

// deleteExpired deletes (and logs) keys a read found expired, as Redis's
// lookupKeyRead does, so that DBSIZE and SCAN after the read agree with
// Redis. A key rewritten meanwhile is left alone.
func (db *DB) deleteExpired(s *Session, keys [][]byte) {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.deleteExpiredLocked(s, time.Now().UnixMilli(), keys, true)
}

// deleteExpiredLocked deletes, in one record, those of keys (in s's
// database) that are expired at now, and returns how many are gone. The
// caller holds db.mu exclusively. Lazy deletion after reads and the active
// sweep both use it; signalled: the read signalled their expiry already.
func (db *DB) deleteExpiredLocked(s *Session, now int64, keys [][]byte, signalled bool) int {
	c := Ctx{DB: db, S: s, Now: now, Cmd: expireCmd, w: db.newBatch(), expiredSignalled: signalled}
	n := 0
	for _, k := range keys {
		if _, ok := c.lookupWrite(k); !ok {
			n++
		}
	}
	db.commit(&c)
	return n
}

// expireCmd names the pseudo-command that deletes expired keys.
var expireCmd = &Command{Name: "expire-deletion"}

// newBatch starts the record of a write. There is one write at a time
// (db.mu held exclusively), so the DB's single batch and its buffers are
// reused: the WAL copies the payload in Append.
func (db *DB) newBatch() *batch {
	b := &db.wbatch
	*b = batch{lsn: uint64(db.log.LastLSN()) + 1, payload: b.payload[:0], slots: b.slots[:0], slotKey: b.slotKey[:0], events: b.events[:0]}
	return b
}

// commit appends c's record, if it changed anything, to the WAL. Caller
// holds db.mu exclusively.
func (db *DB) commit(c *Ctx) {
	b := c.w
	c.w = nil
	if b == nil || b.ops == 0 {
		c.S.WaitLSN = max(c.S.WaitLSN, uint64(db.log.LastLSN()))
		if b != nil {
			c.publishEvents(b.events, uint64(db.log.LastLSN()))
		}
		return
	}
	typ := recOps
	sl := b.slots
	if b.global {
		typ, sl = recGlobal, nil
	}
	// The record's timestamp is the command's clock (Redis's cached
	// mstime), not another clock read.
	t := c.Now
	if t == 0 {
		t = time.Now().UnixMilli()
	}
	// Every session waits for its WaitLSN before replying and so leads
	// the group commit itself; the active-expire sweep's deletions, which
	// nobody waits for, go out with the next write or the writer's tick.
	lsn, err := db.log.AppendAtWaited(t, typ, sl, b.payload)
	if err != nil {
		db.fail(err)
		return
	}
	if uint64(lsn) != b.lsn {
		db.fail(fmt.Errorf("keel: WAL assigned LSN %d, expected %d", lsn, b.lsn))
		return
	}
	c.S.WaitLSN = max(c.S.WaitLSN, b.lsn)
	c.publishEvents(b.events, b.lsn)
}

// emit records o in the current record and applies it. Only write commands
// call it (c.w != nil).
func (c *Ctx) emit(o *op) {
	b := c.w
	if b == nil {
		panic("keel: emit outside a write command: " + c.Cmd.Name)
	}
	// A key added to its database is signalled (new) before the command's
	// own event, as Redis's dbAdd does.
	isNew := false
	if o.code == opKSet && c.notifying(NotifyNew) {
		_, had := c.DB.ks.Get(o.db, o.key)
		isNew = !had
	}
	b.payload = o.encode(b.payload)
	b.ops++
	switch o.code {
	case opKFlushDB, opKSwapDB, opSDrop, opLDrop, opTDrop, opZDrop, opHDrop, opXDrop, opFSet, opFDel, opFFlush:
		b.global = true
	default:
		if o.key != nil {
			s := b.slotOf(o.key)
			b.addSlot(s)
			o.keySlot = s + 1
		}
		if o.key2 != nil {
			b.addSlot(slots.Of(o.key2))
		}
	}
	if err := c.DB.apply(o, b.lsn, 0xff); err != nil {
		c.DB.fail(fmt.Errorf("keel: applying op %d at LSN %d: %w", o.code, b.lsn, err))
	}
	c.dirty = true
	if isNew {
		c.notifyIn(o.db, NotifyNew, "new", o.key)
	}
}

func (b *batch) addSlot(s uint16) {
	for _, x := range b.slots {
		if x == s {
			return
		}
	}
	b.slots = append(b.slots, s)
}

// ---- key access helpers shared by the command files ----

// lookup returns key's live entry in the session's db; expired keys are
// absent (lazy expiry: a write context also deletes them, see lookupWrite).
func (c *Ctx) lookup(key []byte) (*memtables.Entry, bool) {
	e, ok := c.DB.ks.Get(c.S.DB, key)
	if !ok {
		return nil, false
	}
	if e.ExpireAt != 0 && e.ExpireAt <= c.Now {
		if c.w == nil || c.inTx {
			// A read cannot log; like Redis it still deletes what it found
			// expired, right after it (see run).
			c.expireLater(key)
		}
		return nil, false
	}
	c.accessed(e)
	return e, true
}

// accessed refreshes e's access clock (OBJECT IDLETIME), unless the
// lookup is a no-touch one, or the session's (CLIENT NO-TOUCH; TOUCH
// itself still touches). Readers may update it concurrently (atomically;
// it is not part of checkpoints).
func (c *Ctx) accessed(e *memtables.Entry) {
	if c.noTouch || c.S != nil && c.S.NoTouch && (c.S.InScript || c.Cmd == nil || c.Cmd.Name != "touch") {
		return
	}
	c.DB.touchAccess(e, c.Now)
}

// peek is lookup without refreshing the access clock (OBJECT and
// RANDOMKEY, which Redis look up with LOOKUP_NOTOUCH): an expired key is
// still absent, and deleted after the command like any read's.
func (c *Ctx) peek(key []byte) (*memtables.Entry, bool) {
	c.noTouch = true
	e, ok := c.lookup(key)
	c.noTouch = false
	return e, ok
}

// expireLater notes key, which a read found expired, for deletion after
// the command (run), and signals its expiry now, as Redis's lookup does
// before the command goes on (an expired event precedes the read's
// keymiss); the deletion then signals nothing more. A key found twice is
// noted once.
func (c *Ctx) expireLater(key []byte) {
	if c.DB.pausing() != PauseNone {
		return // a CLIENT PAUSE holds expired keys (pause.go)
	}
	for _, k := range c.expired {
		if string(k) == string(key) {
			return
		}
	}
	c.expired = append(c.expired, append([]byte(nil), key...))
	c.notify(NotifyExpired, "expired", key)
}

// lookupWrite is lookup for write commands: an expired key is deleted (and
// the delete logged) before the command proceeds.
func (c *Ctx) lookupWrite(key []byte) (*memtables.Entry, bool) {
	e, ok := c.DB.ks.Get(c.S.DB, key)
	if !ok {
		return nil, false
	}
	if e.ExpireAt != 0 && e.ExpireAt <= c.Now {
		c.byServer = true
		c.deleteKey(c.S.DB, key, e)
		c.byServer = false
		c.DB.stats.ExpiredKeys.Add(1)
		if !c.expiredSignalled {
			c.notify(NotifyExpired, "expired", key)
		}
		return nil, false
	}
	// As Redis's lookupKeyWrite: a write that leaves the entry as it was
	// (SADD of a member present) still counts as an access.
	c.accessed(e)
	return e, true
}

// deleteKey logs and applies the deletion of key from db and from its
// type's engine.
func (c *Ctx) deleteKey(dbi int, key []byte, e *memtables.Entry) {
	// e points into the keyspace, which the delete reuses: read it first.
	typ, version, enc := e.Type, e.Version, e.Enc
	c.emit(&op{code: opKDel, db: dbi, key: key})
	c.dropValueIn(dbi, key, typ, version, enc)
	// After the delete, as Redis signals it: a watcher of a key that was
	// already expired when WATCHed sees no change in its deletion.
	c.touchKey(dbi, key)
}

// ---- argument parsing helpers ----

// Error writes an error reply.
func (c *Ctx) Error(msg string) { c.R.Error(msg) }

// OK writes +OK.
func (c *Ctx) OK() { c.R.Simple("OK") }

// scratch is a session's reusable buffers, so that the commands using
// them allocate nothing in the steady state: hashAll's arena and slices
// (HGETALL, HKEYS, HVALS, HRANDFIELD), the storage key of hashView and
// viewString, and INCR's new value.
type scratch struct {
	arena        []byte
	ends         []int
	fields, vals [][]byte
	key          []byte
	num          []byte
	// XRANGE's and XREVRANGE's decoded entries, replied at once.
	xarena   entryArena
	xentries []streamEntry
}

// maxScratch bounds the bytes of scratch buffers a session keeps between
// commands.
const maxScratch = 64 << 10
