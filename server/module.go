package server

import (
	"fmt"
	"strings"

	"github.com/keeldb/keel"
)

// MODULE LIST, LOAD, LOADEX, UNLOAD and HELP. keel loads no Redis modules
// (they are C shared objects written against Redis's internals), so it
// answers as a redis-server with none loaded: LIST is empty, and LOAD,
// LOADEX and UNLOAD are refused as Redis refuses them under its default
// enable-module-command no; with yes (or local, from a loopback client)
// they fail as a load or an unload that found nothing would.

func moduleCommand() *keel.Command {
	sub := func(name string, arity int, flags keel.Flags, summary string, h func(*keel.Ctx)) *keel.Command {
		acl := []string{"admin", "slow", "dangerous"}
		if name == "help" {
			acl = []string{"slow"}
		}
		return &keel.Command{Name: "module|" + name, Arity: arity, Flags: flags | keel.FlagNoLock, ACL: acl, Group: "server", Summary: summary, Since: "4.0.0", Handler: h}
	}
	protected := keel.FlagAdmin | keel.FlagNoScript | keel.FlagNoAsyncLoading | keel.FlagProtected
	loadex := sub("loadex", -3, protected, "Loads a module using extended parameters.", cmdModuleLoad)
	loadex.Since = "7.0.0"
	return &keel.Command{Name: "module", Arity: -2, Flags: keel.FlagNoLock, ACL: []string{"slow"}, Group: "server", Summary: "A container for module commands.", Since: "4.0.0", Subs: map[string]*keel.Command{
		"list":   sub("list", 2, keel.FlagAdmin|keel.FlagNoScript, "Returns all loaded modules.", func(c *keel.Ctx) { c.R.Array(0) }),
		"load":   sub("load", -3, protected, "Loads a module.", cmdModuleLoad),
		"loadex": loadex,
		"unload": sub("unload", 3, protected, "Unloads a module.", func(c *keel.Ctx) {
			c.R.Error("ERR Error unloading module: no such module with that name")
		}),
		"help": sub("help", 2, keel.FlagLoading|keel.FlagStale, "Returns helpful text about the different subcommands.", cmdModuleHelp),
	}}
}

func cmdModuleLoad(c *keel.Ctx) {
	c.R.Error("ERR Error loading the extension. Please check the server logs.")
}

func cmdModuleHelp(c *keel.Ctx) {
	lines := []string{
		"LIST",
		"    Return a list of loaded modules.",
		"LOAD <path> [<arg> ...]",
		"    Load a module library from <path>, passing to it any optional arguments.",
		"LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
		"    Load a module library from <path>, while passing it module configurations and optional arguments.",
		"UNLOAD <name>",
		"    Unload a module.",
	}
	keel.ReplyHelp(c, "MODULE", lines)
}

// protectedCheck is keel's FlagProtected predicate: MODULE's LOAD,
// LOADEX and UNLOAD under enable-module-command, DEBUG under
// enable-debug-command, refused with Redis's text unless allowed.
func (s *Server) protectedCheck(sess *keel.Session, cmd *keel.Command) string {
	name, _, _ := strings.Cut(cmd.Name, "|")
	option := "enable-" + name + "-command"
	if s.allowProtected(option, sess) {
		return ""
	}
	return fmt.Sprintf(`ERR %s command not allowed. If the %s option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.`, strings.ToUpper(name), option)
}

// allowProtected is Redis's allowProtectedAction: the setting option
// (enable-module-command, enable-debug-command, enable-protected-configs)
// yes allows, no refuses, local allows loopback and Unix socket clients.
func (s *Server) allowProtected(option string, sess *keel.Session) bool {
	switch s.cfg.Get(option) {
	case "yes":
		return true
	case "local":
		x, ok := sess.Ext.(*client)
		return ok && x.local
	}
	return false
}
