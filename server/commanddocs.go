package server

import (
	_ "embed"
	"sync"

	"github.com/keeldb/keel"
	"github.com/keeldb/keel/internal/resp3"
)

// COMMAND DOCS answers with redis-server's own documentation of each
// command keel has: its summary, complexity, arguments (which redis-cli
// turns into the hints it shows while one types), history and flags,
// replayed from commanddocs.resp (redis-server 7.0.15's COMMAND DOCS in
// RESP3, written by scripts/gendocs) in the client's protocol. A
// container's subcommands are the ones keel has; what redis-server does
// not document (keel's own commands, and subcommands newer than 7.0) gets
// keel's short form (writeDocs).

//go:embed commanddocs.resp
var commandDocsRESP []byte

// COMMAND INFO likewise answers with redis-server's entry of each command
// keel has (flags, ACL categories, tips, key specifications), from
// commandinfo.resp; keel's own table (the flags that drive Exec) must
// agree with it, which TestCommandTableMatchesRedis checks.
//
//go:embed commandinfo.resp
var commandInfoRESP []byte

var (
	redisDocsOnce sync.Once
	redisDocs     map[string]resp3.Value

	redisInfoOnce sync.Once
	redisInfo     map[string]resp3.Value
)

// redisInfoOf returns redis-server's COMMAND INFO entry of the command
// named name ("get", "client|list").
func redisInfoOf(name string) (resp3.Value, bool) {
	redisInfoOnce.Do(func() {
		v, _, err := resp3.Parse(commandInfoRESP)
		if err != nil {
			panic("server: commandinfo.resp: " + err.Error())
		}
		redisInfo = map[string]resp3.Value{}
		var add func(entries []resp3.Value)
		add = func(entries []resp3.Value) {
			for _, e := range entries {
				if len(e.Elems) == 10 {
					redisInfo[e.Elems[0].Str] = e
					add(e.Elems[9].Elems)
				}
			}
		}
		add(v.Elems)
	})
	e, ok := redisInfo[name]
	return e, ok
}

// writeRedisCommandInfo writes redis-server's COMMAND INFO entry of cmd,
// its subcommands reduced to keel's (in redis-server's order, then keel's
// own); false when redis-server has none.
func writeRedisCommandInfo(r keel.Reply, cmd *keel.Command) bool {
	e, ok := redisInfoOf(cmd.Name)
	if !ok {
		return false
	}
	r.Array(10)
	for _, f := range e.Elems[:9] {
		writeRESP3(r, f)
	}
	subs := orderedSubs(cmd, e.Elems[9].Elems, func(v resp3.Value) string { return v.Elems[0].Str })
	if e.Elems[9].Kind == '~' {
		r.Set(len(subs)) // redis-server's empty list of a command without subcommands
	} else {
		r.Array(len(subs))
	}
	for _, sub := range subs {
		writeCommandInfo(r, sub)
	}
	return true
}

// orderedSubs returns cmd's subcommands in the order of redis-server's
// list (name gives an element's name), then those it does not list.
func orderedSubs(cmd *keel.Command, list []resp3.Value, name func(resp3.Value) string) []*keel.Command {
	names := subNames(cmd)
	byName := map[string]*keel.Command{}
	for _, n := range names {
		byName[cmd.Subs[n].Name] = cmd.Subs[n]
	}
	var order []*keel.Command
	for _, v := range list {
		if sub := byName[name(v)]; sub != nil {
			order = append(order, sub)
			delete(byName, sub.Name)
		}
	}
	for _, n := range names {
		if sub := byName[cmd.Subs[n].Name]; sub != nil {
			order = append(order, sub)
		}
	}
	return order
}

// redisDocOf returns redis-server's documentation of the command named
// name ("get", "client|list").
func redisDocOf(name string) (resp3.Value, bool) {
	redisDocsOnce.Do(func() {
		v, _, err := resp3.Parse(commandDocsRESP)
		if err != nil {
			panic("server: commanddocs.resp: " + err.Error())
		}
		redisDocs = map[string]resp3.Value{}
		var add func(v resp3.Value)
		add = func(v resp3.Value) {
			for i := 0; i+1 < len(v.Elems); i += 2 {
				doc := v.Elems[i+1]
				redisDocs[v.Elems[i].Str] = doc
				if subs, ok := doc.MapGet("subcommands"); ok {
					add(subs)
				}
			}
		}
		add(v)
	})
	doc, ok := redisDocs[name]
	return doc, ok
}

// writeCommandDocs writes cmd's documentation: redis-server's when it has
// one, keel's otherwise.
func writeCommandDocs(r keel.Reply, cmd *keel.Command) {
	doc, ok := redisDocOf(cmd.Name)
	if !ok {
		writeDocs(r, cmd)
		return
	}
	r.Map(len(doc.Elems) / 2)
	for i := 0; i+1 < len(doc.Elems); i += 2 {
		k, v := doc.Elems[i], doc.Elems[i+1]
		writeRESP3(r, k)
		if k.Str != "subcommands" {
			writeRESP3(r, v)
			continue
		}
		// The subcommands keel has, in redis-server's order, then keel's
		// own: the map's keys are its even elements.
		var keys []resp3.Value
		for j := 0; j+1 < len(v.Elems); j += 2 {
			keys = append(keys, v.Elems[j])
		}
		order := orderedSubs(cmd, keys, func(k resp3.Value) string { return k.Str })
		r.Map(len(order))
		for _, sub := range order {
			r.BulkString(sub.Name)
			writeCommandDocs(r, sub)
		}
	}
}

// writeRESP3 replays v through r, which writes it in the client's
// protocol (a map is a flat array under RESP2, a set an array).
func writeRESP3(r keel.Reply, v resp3.Value) {
	switch v.Kind {
	case '+':
		r.Simple(v.Str)
	case '$':
		r.BulkString(v.Str)
	case '=':
		r.Verbatim(v.Str)
	case ':':
		r.Int(v.Int)
	case '#':
		r.Bool(v.Int != 0)
	case '_':
		r.Null()
	case '*', '>':
		r.Array(len(v.Elems))
		for _, e := range v.Elems {
			writeRESP3(r, e)
		}
	case '~':
		r.Set(len(v.Elems))
		for _, e := range v.Elems {
			writeRESP3(r, e)
		}
	case '%':
		r.Map(len(v.Elems) / 2)
		for _, e := range v.Elems {
			writeRESP3(r, e)
		}
	default: // '-' and ',' do not occur in COMMAND DOCS
		r.BulkString(v.Str)
	}
}
