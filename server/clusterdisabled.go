package server

import (
	"strings"

	"github.com/keeldb/keel"
	"github.com/keeldb/keel/internal/resp3"
)

// keel is not a cluster node: as a redis-server with cluster-enabled no,
// it answers CLUSTER's subcommands (but KEYSLOT, which keel computes from
// its slots package), READONLY, READWRITE and ASKING with "This instance
// has cluster support disabled", after their arity checks; a cluster
// client pointed at keel learns so from that error, as from Redis. The
// commands are redis-server's, arities, flags and ACL categories read
// from its COMMAND INFO (commandinfo.resp).

const errClusterDisabled = "ERR This instance has cluster support disabled"

func cmdClusterDisabled(c *keel.Ctx) { c.R.Error(errClusterDisabled) }

// registerClusterDisabled adds CLUSTER's other subcommands and READONLY,
// READWRITE and ASKING (registerCommands, once).
//
// The registered CLUSTER is replaced, not changed: other goroutines (the
// DBs' statistics) read the command table meanwhile.
func registerClusterDisabled() {
	registered := keel.Lookup([]byte("cluster"))
	e, ok := redisInfoOf("cluster")
	if registered == nil || !ok {
		panic("server: no CLUSTER command or entry")
	}
	cluster := *registered
	cluster.Subs = map[string]*keel.Command{}
	for name, sub := range registered.Subs {
		copied := *sub
		cluster.Subs[name] = &copied
	}
	for _, sub := range e.Elems[9].Elems {
		name := strings.TrimPrefix(sub.Elems[0].Str, "cluster|")
		if _, ok := cluster.Subs[name]; !ok {
			cluster.Subs[name] = disabledCommand(sub)
		}
	}
	cmds := []*keel.Command{&cluster}
	for _, name := range []string{"readonly", "readwrite", "asking"} {
		e, ok := redisInfoOf(name)
		if !ok {
			panic("server: no COMMAND INFO entry for " + name)
		}
		cmds = append(cmds, disabledCommand(e))
	}
	keel.Register(cmds...)
}

// disabledCommand is the command of redis-server's COMMAND INFO entry e,
// answering errClusterDisabled.
func disabledCommand(e resp3.Value) *keel.Command {
	name := e.Elems[0].Str
	cmd := &keel.Command{Name: name, Arity: int(e.Elems[1].Int), Flags: keel.FlagNoLock, Group: "cluster", Handler: cmdClusterDisabled}
	for _, f := range e.Elems[2].Elems {
		cmd.Flags |= keel.FlagNamed(f.Str)
	}
	for _, a := range e.Elems[6].Elems {
		cmd.ACL = append(cmd.ACL, strings.TrimPrefix(a.Str, "@"))
	}
	if doc, ok := redisDocOf(name); ok {
		for key, field := range map[string]*string{"summary": &cmd.Summary, "since": &cmd.Since, "group": &cmd.Group} {
			if v, ok := doc.MapGet(key); ok {
				*field = v.Str
			}
		}
	}
	return cmd
}
