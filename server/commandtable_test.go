package server

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/keeldb/keel"
	"github.com/keeldb/keel/internal/resp3"
)

// TestCommandTableMatchesRedis: COMMAND INFO shows redis-server's entry of
// each command keel has (commandinfo.resp), while keel's own table drives
// Exec (arity checks, the lock a command takes, BUSY, pauses, scripts,
// OOM): the two must agree on arity, flags, key positions and ACL
// categories, or keel shows one thing and does another. Where keel's
// table carries a flag for its own decisions that redis-server's entry
// does not show, tableFlagsOnly names it with the reason.
func TestCommandTableMatchesRedis(t *testing.T) {
	registerCommands()
	var check func(cmd *keel.Command)
	check = func(cmd *keel.Command) {
		for _, n := range subNames(cmd) {
			check(cmd.Subs[n])
		}
		e, ok := redisInfoOf(cmd.Name)
		if !ok {
			return // keel's own, or newer than redis-server 7.0
		}
		want := func(i int) string { return fmt.Sprint(valueStrings(e.Elems[i])) }
		if got := fmt.Sprint(cmd.Arity); got != fmt.Sprint(e.Elems[1].Int) {
			t.Errorf("%s: arity %s, redis-server %d", cmd.Name, got, e.Elems[1].Int)
		}
		flags := slices.DeleteFunc(cmd.Flags.Names(), func(f string) bool { return tableFlagsOnly[cmd.Name+" "+f] })
		slices.Sort(flags)
		if got := fmt.Sprint(flags); got != want(2) {
			t.Errorf("%s: flags %s, redis-server %s", cmd.Name, got, want(2))
		}
		if got := fmt.Sprint(cmd.FirstKey, cmd.LastKey, cmd.Step); got != fmt.Sprint(e.Elems[3].Int, e.Elems[4].Int, e.Elems[5].Int) {
			t.Errorf("%s: first, last, step %s, redis-server %d %d %d", cmd.Name, got, e.Elems[3].Int, e.Elems[4].Int, e.Elems[5].Int)
		}
		acl := make([]string, 0, len(cmd.ACL))
		for _, a := range cmd.ACL {
			acl = append(acl, "@"+a)
		}
		slices.Sort(acl)
		if got := fmt.Sprint(acl); got != want(6) {
			t.Errorf("%s: ACL categories %s, redis-server %s", cmd.Name, got, want(6))
		}
	}
	for _, cmd := range keel.Commands() {
		check(cmd)
	}
}

// valueStrings is a set's or array's strings, sorted.
func valueStrings(v resp3.Value) []string {
	out := make([]string, 0, len(v.Elems))
	for _, e := range v.Elems {
		out = append(out, strings.ToLower(e.Str))
	}
	slices.Sort(out)
	return out
}

// tableFlagsOnly are flags keel's table has for its own decisions that
// redis-server's COMMAND INFO does not show ("name flag": why).
var tableFlagsOnly = map[string]bool{
	// Redis 7.0 holds these under CLIENT PAUSE WRITE and refuses them to
	// a monitor by their scripts' flags (EVAL, EVALSHA, FCALL) and by name
	// (PFCOUNT may write its cache): keel's Exec decides both from
	// may_replicate (pause.go, command.go), and redis-server 7.0.15's
	// COMMAND INFO shows none.
	"eval may_replicate": true, "evalsha may_replicate": true, "fcall may_replicate": true, "pfcount may_replicate": true,
}
