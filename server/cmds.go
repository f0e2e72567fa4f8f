package server

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/keeldb/keel"
)

// Connection and server commands. They are registered in keel's command
// table (flag FlagNoLock: they do not touch engine state under db.mu) so that
// arity checks, MULTI queueing and COMMAND treat them like data commands.

var registerOnce sync.Once

func registerCommands() {
	registerOnce.Do(func() {
		keel.Register(
			&keel.Command{Name: "ping", Arity: -1, Flags: keel.FlagFast | keel.FlagNoLock, ACL: []string{"fast", "connection"}, Group: "connection", Summary: "Returns the server's liveliness response.", Since: "1.0.0", Handler: cmdPing},
			&keel.Command{Name: "echo", Arity: 2, Flags: keel.FlagLoading | keel.FlagStale | keel.FlagFast | keel.FlagNoLock, ACL: []string{"fast", "connection"}, Group: "connection", Summary: "Returns the given string.", Since: "1.0.0", Handler: cmdEcho},
			&keel.Command{Name: "quit", Arity: -1, Flags: keel.FlagAllowBusy | keel.FlagNoAuth | keel.FlagNoScript | keel.FlagLoading | keel.FlagStale | keel.FlagFast | keel.FlagNoLock, ACL: []string{"fast", "connection"}, Group: "connection", Summary: "Closes the connection.", Since: "1.0.0", Handler: cmdQuit},
			&keel.Command{Name: "reset", Arity: 1, Flags: keel.FlagNoScript | keel.FlagLoading | keel.FlagStale | keel.FlagFast | keel.FlagNoAuth | keel.FlagAllowBusy | keel.FlagNoLock, ACL: []string{"fast", "connection"}, Group: "connection", Summary: "Resets the connection.", Since: "6.2.0", Handler: cmdReset},
			&keel.Command{Name: "auth", Arity: -2, Flags: keel.FlagNoScript | keel.FlagLoading | keel.FlagStale | keel.FlagFast | keel.FlagNoAuth | keel.FlagAllowBusy | keel.FlagNoLock, ACL: []string{"fast", "connection"}, Group: "connection", Summary: "Authenticates the connection.", Since: "1.0.0", Handler: cmdAuth},
			&keel.Command{Name: "hello", Arity: -1, Flags: keel.FlagNoScript | keel.FlagLoading | keel.FlagStale | keel.FlagFast | keel.FlagNoAuth | keel.FlagAllowBusy | keel.FlagNoLock, ACL: []string{"fast", "connection"}, Group: "connection", Summary: "Handshakes with the Redis server.", Since: "6.0.0", Handler: cmdHello},
			clientCommand(),
			memoryCommand(),
			&keel.Command{Name: "info", Arity: -1, Flags: keel.FlagLoading | keel.FlagStale, ACL: []string{"slow", "dangerous"}, Group: "server", Summary: "Returns information and statistics about the server.", Since: "1.0.0", Handler: cmdInfo},
			configCommand(),
			commandCommand(),
			&keel.Command{Name: "save", Arity: 1, Flags: keel.FlagAdmin | keel.FlagNoScript | keel.FlagNoLock | keel.FlagNoMulti | keel.FlagNoAsyncLoading, ACL: []string{"admin", "slow", "dangerous"}, Group: "server", Summary: "Synchronously saves the database(s) to disk.", Since: "1.0.0", Handler: cmdSave},
			&keel.Command{Name: "bgsave", Arity: -1, Flags: keel.FlagAdmin | keel.FlagNoScript | keel.FlagNoLock | keel.FlagNoAsyncLoading, ACL: []string{"admin", "slow", "dangerous"}, Group: "server", Summary: "Asynchronously saves the database(s) to disk.", Since: "1.0.0", Handler: cmdBGSave},
			&keel.Command{Name: "bgrewriteaof", Arity: 1, Flags: keel.FlagAdmin | keel.FlagNoScript | keel.FlagNoLock | keel.FlagNoAsyncLoading, ACL: []string{"admin", "slow", "dangerous"}, Group: "server", Summary: "Asynchronously rewrites the append-only file to disk.", Since: "1.0.0", Handler: cmdBGRewriteAOF},
			&keel.Command{Name: "lastsave", Arity: 1, Flags: keel.FlagLoading | keel.FlagStale | keel.FlagFast | keel.FlagNoLock, ACL: []string{"admin", "fast", "dangerous"}, Group: "server", Summary: "Returns the Unix timestamp of the last successful save to disk.", Since: "1.0.0", Handler: cmdLastSave},
			&keel.Command{Name: "role", Arity: 1, Flags: keel.FlagNoScript | keel.FlagLoading | keel.FlagStale | keel.FlagFast | keel.FlagNoLock, ACL: []string{"admin", "fast", "dangerous"}, Group: "server", Summary: "Returns the replication role.", Since: "2.8.12", Handler: cmdRole},
		)
		keel.Register(pubsubCommands()...)
		keel.Register(&keel.Command{Name: "monitor", Arity: 1, Flags: keel.FlagAdmin | keel.FlagNoScript | keel.FlagLoading | keel.FlagStale | keel.FlagNoLock,
			ACL: []string{"admin", "slow", "dangerous"}, Group: "server", Summary: "Listens for all requests received by the server in real-time.", Since: "1.0.0", Handler: cmdMonitor})
		keel.Register(
			&keel.Command{Name: "shutdown", Arity: -1, Flags: keel.FlagAdmin | keel.FlagNoScript | keel.FlagLoading | keel.FlagStale | keel.FlagNoMulti | keel.FlagAllowBusy | keel.FlagNoLock, ACL: []string{"admin", "slow", "dangerous"}, Group: "server", Summary: "Synchronously saves the database(s) to disk and shuts down the Redis server.", Since: "1.0.0", Handler: cmdShutdown},
		)
		keel.Register(migrateCommandDef(), moduleCommand(), latencyCommand(), lolwutCommandDef())
		registerClusterDisabled()
	})
}

func cl(c *keel.Ctx) *client { return c.S.Ext.(*client) }

// cmdRole is ROLE for a master without replicas, which keel always is:
// "master", the replication offset INFO replication reports
// (master_repl_offset: the WAL's last LSN) and no replicas.
func cmdRole(c *keel.Ctx) {
	c.R.Array(3)
	c.R.BulkString("master")
	c.R.Int(int64(c.DB.CheckpointInfo().LastLSN))
	c.R.Array(0)
}

func cmdPing(c *keel.Ctx) {
	if c.S.PubSub && c.S.Proto == 2 && len(c.Args) <= 2 {
		// A RESP2 subscriber's replies must look like its messages.
		c.R.Array(2)
		c.R.BulkString("pong")
		if len(c.Args) == 2 {
			c.R.Bulk(c.Args[1])
		} else {
			c.R.BulkString("")
		}
		return
	}
	switch len(c.Args) {
	case 1:
		c.R.Simple("PONG")
	case 2:
		c.R.Bulk(c.Args[1])
	default:
		c.R.Error("ERR wrong number of arguments for 'ping' command")
	}
}

func cmdEcho(c *keel.Ctx) { c.R.Bulk(c.Args[1]) }

func cmdQuit(c *keel.Ctx) {
	c.R.Simple("OK")
	if x, ok := c.S.Ext.(*client); ok {
		x.quit = true
	}
}

func cmdReset(c *keel.Ctx) {
	if x, ok := c.S.Ext.(*client); ok {
		x.unsubscribeAll()
		x.endMonitor()
	}
	c.DB.ResetSession(c.S)
	c.S.Proto = 2
	c.S.Name = ""
	c.S.Authenticated = c.DB.RequirePass() == ""
	c.S.NoTouch = false // as Redis 7.2's RESET (7.0, keel's contract, keeps NO-EVICT)
	if x, ok := c.S.Ext.(*client); ok {
		x.noTouch.Store(false)
		x.w.proto = 2
		x.proto.Store(2)
		empty := ""
		x.name.Store(&empty)
	}
	c.R.Simple("RESET")
}

// helloAuth is HELLO's AUTH option: without requirepass the default user
// needs no password.
func helloAuth(db *keel.DB, user, pass string) bool {
	return db.RequirePass() == "" && user == "default" || checkAuth(db, user, pass)
}

// checkAuth validates user/password against requirepass (the default user).
func checkAuth(db *keel.DB, user, pass string) bool {
	pw := db.RequirePass()
	return user == "default" && pw != "" && pass == pw
}

func cmdAuth(c *keel.Ctx) {
	if len(c.Args) > 3 {
		c.R.Error(keel.ErrSyntax)
		return
	}
	user, pass := "default", string(c.Args[1])
	if len(c.Args) == 3 {
		user, pass = string(c.Args[1]), string(c.Args[2])
	}
	if c.DB.RequirePass() == "" && len(c.Args) == 2 {
		c.R.Error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")
		return
	}
	if c.DB.RequirePass() == "" && user == "default" {
		c.S.Authenticated = true
		c.R.Simple("OK")
		return
	}
	if !checkAuth(c.DB, user, pass) {
		c.R.Error("WRONGPASS invalid username-password pair or user is disabled.")
		return
	}
	c.S.Authenticated = true
	c.R.Simple("OK")
}

func cmdHello(c *keel.Ctx) {
	proto := c.S.Proto
	i := 1
	if len(c.Args) >= 2 {
		v, err := strconv.ParseInt(string(c.Args[1]), 10, 64)
		if err != nil {
			c.R.Error("ERR Protocol version is not an integer or out of range")
			return
		}
		if v < 2 || v > 3 {
			c.R.Error("NOPROTO unsupported protocol version")
			return
		}
		proto = int(v)
		i = 2
	}
	// The options take effect in order, and the first that fails ends
	// the command with the ones before it applied, as in Redis 7.0 (a
	// name set before a failed AUTH, or by an unauthenticated client,
	// stays; redis-server 7.0.15 does so).
	for ; i < len(c.Args); i++ {
		opt := strings.ToLower(string(c.Args[i]))
		left := len(c.Args) - i - 1
		switch {
		case opt == "auth" && left >= 2:
			user, pass := string(c.Args[i+1]), string(c.Args[i+2])
			i += 2
			if !helloAuth(c.DB, user, pass) {
				c.R.Error("WRONGPASS invalid username-password pair or user is disabled.")
				return
			}
			c.S.Authenticated = true
		case opt == "setname" && left >= 1:
			n := string(c.Args[i+1])
			i++
			if !validClientName(n) {
				c.R.Error("ERR Client names cannot contain spaces, newlines or special characters.")
				return
			}
			setClientName(c, n)
		default:
			c.R.Error(fmt.Sprintf("ERR Syntax error in HELLO option '%s'", c.Args[i]))
			return
		}
	}
	if !c.S.Authenticated {
		c.R.Error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")
		return
	}
	c.S.Proto = proto
	if x, ok := c.S.Ext.(*client); ok {
		x.w.proto = proto
		x.proto.Store(int32(proto))
	}
	c.R.Map(7)
	c.R.BulkString("server")
	c.R.BulkString("redis")
	c.R.BulkString("version")
	c.R.BulkString(Version)
	c.R.BulkString("proto")
	c.R.Int(int64(proto))
	c.R.BulkString("id")
	c.R.Int(c.S.ID)
	c.R.BulkString("mode")
	c.R.BulkString("standalone")
	c.R.BulkString("role")
	c.R.BulkString("master")
	c.R.BulkString("modules")
	c.R.Array(0)
}

func validClientName(n string) bool {
	for i := 0; i < len(n); i++ {
		if n[i] < '!' || n[i] > '~' {
			return false
		}
	}
	return true
}

func setClientName(c *keel.Ctx, n string) {
	c.S.Name = n
	if x, ok := c.S.Ext.(*client); ok {
		x.name.Store(&n)
	}
}

func cmdSave(c *keel.Ctx) {
	if err := c.DB.Save(); err != nil {
		c.R.Error("ERR " + err.Error())
		return
	}
	c.R.Simple("OK")
}

func cmdBGSave(c *keel.Ctx) {
	if len(c.Args) > 2 || (len(c.Args) == 2 && !strings.EqualFold(string(c.Args[1]), "schedule")) {
		c.R.Error(keel.ErrSyntax)
		return
	}
	if !c.DB.BGSave() {
		if len(c.Args) == 2 {
			c.R.Simple("Background saving scheduled")
			return
		}
		c.R.Error("ERR Background save already in progress")
		return
	}
	c.R.Simple("Background saving started")
}

// cmdBGRewriteAOF is BGREWRITEAOF: keel's log is rewritten by a
// checkpoint (each engine saved at one LSN, the WAL before it
// truncated), the same background checkpoint BGSAVE starts.
func cmdBGRewriteAOF(c *keel.Ctx) {
	if !c.DB.BGSave() {
		c.R.Error("ERR Background append only file rewriting already in progress")
		return
	}
	c.R.Simple("Background append only file rewriting started")
}

func cmdLastSave(c *keel.Ctx) { c.R.Int(c.DB.LastSave()) }

func cmdShutdown(c *keel.Ctx) {
	for _, a := range c.Args[1:] {
		switch strings.ToLower(string(a)) {
		case "nosave", "save", "now", "force":
		case "abort":
			c.R.Error("ERR No shutdown in progress.")
			return
		default:
			c.R.Error(keel.ErrSyntax)
			return
		}
	}
	x, ok := c.S.Ext.(*client)
	if !ok {
		c.R.Error("ERR SHUTDOWN is only available on a connection")
		return
	}
	// keel's WAL already holds every write; a checkpoint shortens the next
	// start (SHUTDOWN SAVE semantics), unless NOSAVE.
	nosave := false
	for _, a := range c.Args[1:] {
		if strings.EqualFold(string(a), "nosave") {
			nosave = true
		}
	}
	if !nosave {
		if e := c.DB.ScriptBusyError(); e != "" {
			// As Redis: only SHUTDOWN NOSAVE ends a busy script.
			c.R.Error(e)
			return
		}
		if err := c.DB.Save(); err != nil {
			x.srv.log.Warn("shutdown: checkpoint failed", "err", err)
		}
	}
	x.quit = true
	x.srv.log.Info("keel: shutdown requested by client", "id", c.S.ID)
	go x.srv.Close()
}

// ---- CLIENT ----

func clientCommand() *keel.Command {
	sub := func(name string, arity int, flags keel.Flags, summary, since string, h func(*keel.Ctx)) *keel.Command {
		acl := []string{"slow", "connection"}
		if flags&keel.FlagAdmin != 0 {
			acl = []string{"admin", "slow", "dangerous", "connection"}
		}
		return &keel.Command{Name: "client|" + name, Arity: arity, Flags: flags | keel.FlagNoLock, ACL: acl, Group: "connection", Summary: summary, Since: since, Handler: h}
	}
	ns := keel.FlagNoScript | keel.FlagLoading | keel.FlagStale
	return &keel.Command{Name: "client", Arity: -2, Flags: keel.FlagNoLock, ACL: []string{"slow"}, Group: "connection", Summary: "A container for client connection commands.", Since: "2.4.0", Subs: map[string]*keel.Command{
		"id":           sub("id", 2, ns, "Returns the unique client ID of the connection.", "5.0.0", func(c *keel.Ctx) { c.R.Int(c.S.ID) }),
		"setname":      sub("setname", 3, ns, "Sets the connection name.", "2.6.9", cmdClientSetName),
		"getname":      sub("getname", 2, ns, "Returns the name of the connection.", "2.6.9", cmdClientGetName),
		"list":         sub("list", -2, keel.FlagAdmin|ns, "Lists open connections.", "2.4.0", cmdClientList),
		"info":         sub("info", 2, ns, "Returns information about the connection.", "6.2.0", cmdClientInfo),
		"kill":         sub("kill", -3, keel.FlagAdmin|ns, "Terminates open connections.", "2.4.0", cmdClientKill),
		"setinfo":      sub("setinfo", 4, ns, "Sets information specific to the client or connection.", "7.2.0", cmdClientSetInfo),
		"no-evict":     sub("no-evict", 3, keel.FlagAdmin|ns, "Sets the client eviction mode of the connection.", "7.0.0", cmdClientNoEvict),
		"unblock":      sub("unblock", -3, keel.FlagAdmin|ns, "Unblocks a client blocked by a blocking command from a different connection.", "5.0.0", cmdClientUnblock),
		"no-touch":     sub("no-touch", 3, ns, "Controls whether commands sent by the client affect the LRU/LFU of accessed keys.", "7.2.0", cmdClientNoTouch),
		"reply":        sub("reply", 3, ns, "Instructs the server whether to reply to commands.", "3.2.0", cmdClientReply),
		"pause":        sub("pause", -3, keel.FlagAdmin|ns, "Suspends commands processing.", "3.0.0", cmdClientPause),
		"unpause":      sub("unpause", 2, keel.FlagAdmin|ns, "Resumes processing commands from paused clients.", "6.2.0", cmdClientUnpause),
		"help":         sub("help", 2, keel.FlagLoading|keel.FlagStale, "Returns helpful text about the different subcommands.", "5.0.0", cmdClientHelp),
		"tracking":     sub("tracking", -3, ns, "Controls server-assisted client-side caching for the connection.", "6.0.0", cmdClientTracking),
		"caching":      sub("caching", 3, ns, "Instructs the server whether to track the keys in the next request.", "6.0.0", cmdClientCaching),
		"getredir":     sub("getredir", 2, ns, "Returns the client ID to which the connection's tracking notifications are redirected.", "6.0.0", cmdClientGetRedir),
		"trackinginfo": sub("trackinginfo", 2, ns, "Returns information about server-assisted client-side caching for the connection.", "6.2.0", cmdClientTrackingInfo),
	}}
}

// cmdClientUnblock is CLIENT UNBLOCK id [TIMEOUT|ERROR]: the blocked
// command of client id replies as on its timeout, or with the UNBLOCKED
// error; 1 if such a command was waiting, else 0.
func cmdClientUnblock(c *keel.Ctx) {
	id, err := strconv.ParseInt(string(c.Args[2]), 10, 64)
	if err != nil {
		c.R.Error("ERR value is not an integer or out of range")
		return
	}
	withError := false
	if len(c.Args) == 4 {
		switch strings.ToLower(string(c.Args[3])) {
		case "timeout":
		case "error":
			withError = true
		default:
			c.R.Error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
			return
		}
	} else if len(c.Args) > 4 {
		c.SubcommandSyntaxError()
		return
	}
	c.R.Int(int64(b2i(c.DB.UnblockClient(id, withError))))
}

func cmdClientSetName(c *keel.Ctx) {
	n := string(c.Args[2])
	if !validClientName(n) {
		c.R.Error("ERR Client names cannot contain spaces, newlines or special characters.")
		return
	}
	setClientName(c, n)
	c.R.Simple("OK")
}

func cmdClientGetName(c *keel.Ctx) {
	if c.S.Name == "" {
		c.R.Null()
		return
	}
	c.R.BulkString(c.S.Name)
}

func cmdClientSetInfo(c *keel.Ctx) {
	attr, val := strings.ToLower(string(c.Args[2])), string(c.Args[3])
	if !validClientName(val) && val != "" {
		c.R.Error(fmt.Sprintf("ERR %s cannot contain spaces, newlines or special characters.", strings.ToUpper(attr)))
		return
	}
	switch attr {
	case "lib-name":
		c.S.LibName = val
	case "lib-ver":
		c.S.LibVer = val
	default:
		c.R.Error(fmt.Sprintf("ERR Unrecognized option '%s'", c.Args[2]))
		return
	}
	c.R.Simple("OK")
}

// cmdClientNoEvict is CLIENT NO-EVICT ON|OFF: whether maxmemory-clients
// may evict this connection (clienteviction.go).
func cmdClientNoEvict(c *keel.Ctx) {
	if on, ok := onOff(c); ok {
		cl(c).noEvict.Store(on)
	}
}

// cmdClientNoTouch is CLIENT NO-TOUCH ON|OFF (Redis 7.2): whether the
// connection's commands, but TOUCH, leave the keys' LRU and LFU alone.
func cmdClientNoTouch(c *keel.Ctx) {
	if on, ok := onOff(c); ok {
		c.S.NoTouch = on
		cl(c).noTouch.Store(on) // for CLIENT LIST from other connections
	}
}

// onOff reads a CLIENT subcommand's ON or OFF and replies OK, or the
// syntax error (ok false).
func onOff(c *keel.Ctx) (on, ok bool) {
	switch strings.ToLower(string(c.Args[2])) {
	case "on":
		on = true
	case "off":
	default:
		c.R.Error(keel.ErrSyntax)
		return false, false
	}
	c.R.Simple("OK")
	return on, true
}

// cmdClientReply is CLIENT REPLY ON|OFF|SKIP (Redis's flags
// CLIENT_REPLY_OFF, _SKIP_NEXT): OFF drops the replies of this command and
// the ones after it, SKIP those of the next command only (ignored while
// OFF), ON ends both and replies +OK. client.exec drops the replies.
func cmdClientReply(c *keel.Ctx) {
	x := cl(c)
	switch strings.ToLower(string(c.Args[2])) {
	case "on":
		x.reply = replyOn
		c.R.Simple("OK")
	case "off":
		x.reply = replyOff
	case "skip":
		if x.reply != replyOff {
			x.reply = replySkipNext
		}
	default:
		c.R.Error(keel.ErrSyntax)
	}
}

func cmdClientHelp(c *keel.Ctx) {
	// Redis 7.0.15's text, word for word; keel's SETINFO and NO-TOUCH
	// (Redis 7.2's) are not in it.
	lines := []string{
		"CACHING (YES|NO)", "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
		"GETREDIR", "    Return the client ID we are redirecting to when tracking is enabled.",
		"GETNAME", "    Return the name of the current connection.",
		"ID", "    Return the ID of the current connection.",
		"INFO", "    Return information about the current client connection.",
		"KILL <ip:port>", "    Kill connection made from <ip:port>.",
		"KILL <option> <value> [<option> <value> [...]]", "    Kill connections. Options are:",
		"    * ADDR (<ip:port>|<unixsocket>:0)", "      Kill connections made from the specified address",
		"    * LADDR (<ip:port>|<unixsocket>:0)", "      Kill connections made to specified local address",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)", "      Kill connections by type.",
		"    * USER <username>", "      Kill connections authenticated by <username>.",
		"    * SKIPME (YES|NO)", "      Skip killing current connection (default: yes).",
		"LIST [options ...]", "    Return information about client connections. Options:",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)", "      Return clients of specified type.",
		"UNPAUSE", "    Stop the current client pause, resuming traffic.",
		"PAUSE <timeout> [WRITE|ALL]", "    Suspend all, or just write, clients for <timeout> milliseconds.",
		"REPLY (ON|OFF|SKIP)", "    Control the replies sent to the current connection.",
		"SETNAME <name>", "    Assign the name <name> to the current connection.",
		"UNBLOCK <clientid> [TIMEOUT|ERROR]", "    Unblock the specified blocked client.",
		"TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]", "         [OPTIN] [OPTOUT] [NOLOOP]", "    Control server assisted client side caching.",
		"TRACKINGINFO", "    Report tracking status for the current connection.",
		"NO-EVICT (ON|OFF)", "    Protect current client connection from eviction.",
	}
	keel.ReplyHelp(c, "CLIENT", lines)
}

// info renders one CLIENT LIST line. The caller's own line (x.sess ==
// self, running selfArgs) shows its live state, with the command being
// run counted in qbuf and argv-mem as Redis counts it; another client's
// shows what its owner last published (clientpub.go).
func (x *client) info(self *keel.Session, selfArgs [][]byte) string {
	now := time.Now()
	idle := (now.UnixMilli() - x.sess.LastAt.Load()) / 1000
	var st pubValues
	argv := int64(0)
	if x.sess == self {
		st = x.liveState()
		st.qbuf += respLen(selfArgs)
		argv = argvMem(selfArgs)
	} else {
		st = x.published()
		argv = st.argvMem
	}
	cmd := *x.lastCmd.Load()
	if x.sess == self && self.LastCommand != nil {
		cmd = self.LastCommand.Name // the command being run, as Redis shows it
	}
	if cmd == "" {
		cmd = "NULL"
	}
	events := "r"
	if st.flags&pubOutWait != 0 {
		events = "rw"
	}
	obl, oll, omem := obufFields(st.obuf)
	totMem := st.totMem(argv)
	flags := flagsString(st.flags)
	if t := trackingFlags(x.sess.TrackingFlags()); t != "" {
		flags = strings.TrimSuffix(flags, "N") + t
	}
	if x.unix {
		flags = strings.TrimSuffix(flags, "N") + "U"
	}
	if x.noEvict.Load() {
		flags = strings.TrimSuffix(flags, "N") + "e"
	}
	if x.noTouch.Load() {
		flags = strings.TrimSuffix(flags, "N") + "T"
	}
	if x.subscribed() {
		flags = "P" + strings.TrimSuffix(flags, "N") // Redis's order: P before x and b
	}
	if x.monitoring.Load() {
		flags = "O" + strings.TrimSuffix(flags, "N") // and O before P
	}
	return fmt.Sprintf("id=%d addr=%s laddr=%s fd=%d name=%s age=%d idle=%d flags=%s db=%d sub=%d psub=%d ssub=%d multi=%d qbuf=%d qbuf-free=%d argv-mem=%d multi-mem=%d rbs=%d rbp=%d obl=%d oll=%d omem=%d tot-mem=%d events=%s cmd=%s user=default redir=%d resp=%d lib-name=%s lib-ver=%s",
		x.sess.ID, x.addr, x.laddr, x.fd, *x.name.Load(), int64(now.Sub(x.created).Seconds()), idle, flags,
		x.db.Load(), x.subs.counts[subChannel].Load(), x.subs.counts[subPattern].Load(), x.subs.counts[subShard].Load(), st.multi, st.qbuf, st.qbufFree, argv, st.multiMem, st.rbs, min(st.obuf, st.rbs), obl, oll, omem, totMem,
		events, cmd, trackingRedir(x.sess), x.proto.Load(), x.sess.LibName, x.sess.LibVer)
}

func cmdClientInfo(c *keel.Ctx) {
	x := cl(c)
	c.R.Verbatim(x.info(c.S, c.Args) + "\n")
}

func cmdClientList(c *keel.Ctx) {
	x := cl(c)
	var ids map[int64]bool
	typ := ""
	for i := 2; i < len(c.Args); i++ {
		switch strings.ToLower(string(c.Args[i])) {
		case "type":
			if i+1 >= len(c.Args) {
				c.R.Error(keel.ErrSyntax)
				return
			}
			t, ok := clientTypeArg(string(c.Args[i+1]))
			if !ok {
				c.R.Error(fmt.Sprintf("ERR Unknown client type '%s'", c.Args[i+1]))
				return
			}
			typ = t
			i++
		case "id":
			if i+1 >= len(c.Args) {
				c.R.Error(keel.ErrSyntax)
				return
			}
			ids = map[int64]bool{}
			for i++; i < len(c.Args); i++ {
				n, err := strconv.ParseInt(string(c.Args[i]), 10, 64)
				if err != nil || n <= 0 {
					c.R.Error("ERR Invalid client ID")
					return
				}
				ids[n] = true
			}
		default:
			c.R.Error(keel.ErrSyntax)
			return
		}
	}
	var sb strings.Builder
	for _, y := range x.srv.clientList() {
		if ids != nil && !ids[y.sess.ID] || typ != "" && y.clientType() != typ {
			continue
		}
		sb.WriteString(y.info(c.S, c.Args))
		sb.WriteByte('\n')
	}
	c.R.Verbatim(sb.String())
}

func cmdClientKill(c *keel.Ctx) {
	x := cl(c)
	if len(c.Args) == 3 {
		// Old form: CLIENT KILL addr:port.
		for _, y := range x.srv.clientList() {
			if y.addr == string(c.Args[2]) {
				y.kill(x)
				c.R.Simple("OK")
				return
			}
		}
		c.R.Error("ERR No such client")
		return
	}
	if len(c.Args)%2 != 0 {
		c.R.Error(keel.ErrSyntax)
		return
	}
	var id int64
	var addr, laddr, user, typ string
	skipme := true
	for i := 2; i < len(c.Args); i += 2 {
		v := string(c.Args[i+1])
		switch strings.ToLower(string(c.Args[i])) {
		case "id":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				c.R.Error("ERR client-id should be greater than 0")
				return
			}
			id = n
		case "addr":
			addr = v
		case "laddr":
			laddr = v
		case "user":
			user = v
		case "type":
			t, ok := clientTypeArg(v)
			if !ok {
				c.R.Error(fmt.Sprintf("ERR Unknown client type '%s'", v))
				return
			}
			typ = t
		case "skipme":
			switch strings.ToLower(v) {
			case "yes":
				skipme = true
			case "no":
				skipme = false
			default:
				c.R.Error(keel.ErrSyntax)
				return
			}
		default:
			c.R.Error(keel.ErrSyntax)
			return
		}
	}
	n := int64(0)
	for _, y := range x.srv.clientList() {
		if id != 0 && y.sess.ID != id || addr != "" && y.addr != addr || laddr != "" && y.laddr != laddr || user != "" && user != "default" ||
			typ != "" && y.clientType() != typ {
			continue
		}
		// One killed already is gone to Redis, which frees it at once;
		// here its owner closes it a little later.
		if skipme && y == x || y.killed.Load() {
			continue
		}
		y.kill(x)
		n++
	}
	c.R.Int(n)
}

// clientTypeArg reads the type of CLIENT LIST TYPE and CLIENT KILL TYPE
// as Redis's getClientTypeByName: "replica" is "slave".
func clientTypeArg(v string) (string, bool) {
	switch t := strings.ToLower(v); t {
	case "normal", "master", "slave", "pubsub":
		return t, true
	case "replica":
		return "slave", true
	}
	return "", false
}

// clientType is y's class, as Redis's getClientType: keel has no
// replication links, so "pubsub" while subscribed, else "normal".
func (y *client) clientType() string {
	if y.subscribed() {
		return "pubsub"
	}
	return "normal"
}

// kill closes y. Killing oneself takes effect after the reply is sent.
func (y *client) kill(by *client) {
	y.killed.Store(true)
	switch {
	case y == by:
	case y.ls.lp != nil:
		y.ls.lp.post(loopMsg{kind: msgKill, c: y})
	default:
		y.nc.Close()
	}
}
