package server

import (
	"sort"
	"testing"

	"github.com/keeldb/keel"
)

// TestDiffCommandDocs compares COMMAND DOCS of every command keel has
// with redis-server's, in RESP2 and RESP3: the same documentation
// (summary, complexity, arguments, history, flags), with a container's
// subcommands reduced to those both have. A subcommand only keel has
// (newer than 7.0) must still be documented, in keel's short form.
func TestDiffCommandDocs(t *testing.T) {
	t.Parallel()
	k, o := newPair(t).dial(t)
	for _, proto := range inProtocols(t, k, o) {
		for _, cmd := range keel.Commands() {
			kd, err := k.Do("COMMAND", "DOCS", cmd.Name)
			if err != nil {
				t.Fatal(err)
			}
			od, err := o.Do("COMMAND", "DOCS", cmd.Name)
			if err != nil {
				t.Fatal(err)
			}
			if len(od.Elems) == 0 {
				continue // keel's own command
			}
			kdoc, odoc := docOf(kd), docOf(od)
			ksubs, osubs := subDocs(kdoc), subDocs(odoc)
			if ksubs != nil || osubs != nil {
				for name, v := range ksubs {
					if _, ok := osubs[name]; !ok {
						if s, ok := mapGet(v, "summary"); !ok || s.Str == "" {
							t.Errorf("RESP%s COMMAND DOCS %s: %s has no summary: %s", proto, cmd.Name, name, v)
						}
					}
				}
				kdoc, odoc = keepSubs(kdoc, osubs), keepSubs(odoc, ksubs)
			}
			if !kdoc.equal(odoc) {
				t.Errorf("MISMATCH RESP%s COMMAND DOCS %s\n      keel:  %s\n      redis: %s", proto, cmd.Name, kdoc, odoc)
			}
		}
	}
}

// inProtocols returns the protocols to compare in, "2" then "3",
// switching both connections to each as the loop over them reaches it.
func inProtocols(t *testing.T, k, o *respConn) func(yield func(int, string) bool) {
	return func(yield func(int, string) bool) {
		for i, proto := range []string{"2", "3"} {
			for _, c := range []*respConn{k, o} {
				if _, err := c.Do("HELLO", proto); err != nil {
					t.Fatal(err)
				}
			}
			if !yield(i, proto) {
				return
			}
		}
	}
}

// docOf is the one command's documentation in a COMMAND DOCS reply.
func docOf(v respValue) respValue {
	if len(v.Elems) != 2 {
		return v
	}
	return v.Elems[1]
}

// mapGet finds key in a map (RESP3) or a flat key-value array (RESP2).
func mapGet(v respValue, key string) (respValue, bool) {
	for i := 0; i+1 < len(v.Elems); i += 2 {
		if v.Elems[i].Str == key {
			return v.Elems[i+1], true
		}
	}
	return respValue{}, false
}

// subDocs returns a documentation's subcommands by name, nil for none.
func subDocs(doc respValue) map[string]respValue {
	subs, ok := mapGet(doc, "subcommands")
	if !ok {
		return nil
	}
	out := map[string]respValue{}
	for i := 0; i+1 < len(subs.Elems); i += 2 {
		out[subs.Elems[i].Str] = subs.Elems[i+1]
	}
	return out
}

// keepSubs returns doc with only the subcommands in keep, sorted by name:
// redis-server lists them in its hash table's order, which its random
// hash seed changes from process to process.
func keepSubs(doc respValue, keep map[string]respValue) respValue {
	out := doc
	out.Elems = append([]respValue(nil), doc.Elems...)
	for i := 0; i+1 < len(out.Elems); i += 2 {
		if out.Elems[i].Str != "subcommands" {
			continue
		}
		subs := out.Elems[i+1]
		var kept []respValue
		for j := 0; j+1 < len(subs.Elems); j += 2 {
			if _, ok := keep[subs.Elems[j].Str]; ok {
				kept = append(kept, subs.Elems[j], subs.Elems[j+1])
			}
		}
		pairs := make([][2]respValue, 0, len(kept)/2)
		for j := 0; j+1 < len(kept); j += 2 {
			pairs = append(pairs, [2]respValue{kept[j], kept[j+1]})
		}
		sort.Slice(pairs, func(a, b int) bool { return pairs[a][0].Str < pairs[b][0].Str })
		subs.Elems = subs.Elems[:0:0]
		for _, pr := range pairs {
			subs.Elems = append(subs.Elems, pr[0], pr[1])
		}
		out.Elems[i+1] = subs
	}
	return out
}

// TestDiffCommandInfo compares COMMAND INFO of every command keel has with
// redis-server's, in RESP2 and RESP3: the whole entry (arity, flags, key
// positions, ACL categories, tips, key specifications), a container's
// subcommands reduced to those both have.
func TestDiffCommandInfo(t *testing.T) {
	t.Parallel()
	k, o := newPair(t).dial(t)
	for _, proto := range inProtocols(t, k, o) {
		for _, cmd := range keel.Commands() {
			ki, err := k.Do("COMMAND", "INFO", cmd.Name)
			if err != nil {
				t.Fatal(err)
			}
			oi, err := o.Do("COMMAND", "INFO", cmd.Name)
			if err != nil {
				t.Fatal(err)
			}
			if len(oi.Elems) != 1 || oi.Elems[0].isNil() {
				continue // keel's own command
			}
			ke, oe := ki.Elems[0], oi.Elems[0]
			if len(ke.Elems) != 10 || len(oe.Elems) != 10 {
				t.Fatalf("COMMAND INFO %s: keel %s, redis %s", cmd.Name, ke, oe)
			}
			names := func(subs respValue) map[string]respValue {
				m := map[string]respValue{}
				for _, s := range subs.Elems {
					m[s.Elems[0].Str] = s
				}
				return m
			}
			ks, os := names(ke.Elems[9]), names(oe.Elems[9])
			for name, s := range ks {
				if o, ok := os[name]; ok && !s.equal(o) {
					t.Errorf("MISMATCH RESP%s COMMAND INFO %s\n      keel:  %s\n      redis: %s", proto, name, s, o)
				}
			}
			kh := respValue{Kind: ke.Kind, Elems: ke.Elems[:9]}
			oh := respValue{Kind: oe.Kind, Elems: oe.Elems[:9]}
			if !kh.equal(oh) {
				t.Errorf("MISMATCH RESP%s COMMAND INFO %s\n      keel:  %s\n      redis: %s", proto, cmd.Name, kh, oh)
			}
		}
	}
}

// TestDiffCommandGetKeysAndFlags compares COMMAND GETKEYSANDFLAGS (and
// GETKEYS on the same commands) with redis-server's: key specifications
// by index, keyword and key count, the commands whose flags depend on
// their arguments (SET, BITFIELD) or whose keys specs cannot state
// (SORT's STORE), and every error.
func TestDiffCommandGetKeysAndFlags(t *testing.T) {
	t.Parallel()
	var cmds []string
	for _, c := range []string{
		`GET k`, `SET k v`, `SET k v GET`, `SET k v NX get`, `MSET a 1 b 2`, `MGET a b c`, `DEL a b`, `LMOVE a b LEFT RIGHT`,
		`RPOPLPUSH a b`, `RENAME a b`, `COPY a b`, `SMOVE a b m`, `SINTERSTORE d a b`, `ZUNIONSTORE d 2 a b`,
		`ZUNIONSTORE d x a b`, `ZUNIONSTORE d -1 a`, `ZUNIONSTORE d 3 a b`, `ZINTERCARD 2 a b`, `ZDIFF 2 a b WITHSCORES`,
		`LMPOP 2 a b LEFT`, `BLMPOP 0 2 a b LEFT`, `ZMPOP 1 z MIN`, `SINTERCARD 1 s`, `EVAL x 2 a b c`, `EVAL x 0`,
		`EVAL x -1`, `EVALSHA x 1 k`, `FCALL f 1 k a`, `FCALL_RO f 0`, `BITFIELD k GET u8 0`, `BITFIELD k SET u8 0 1`,
		`BITFIELD k OVERFLOW SAT GET u8 0`, `BITFIELD k INCRBY u8 0 1`, `BITFIELD k GET u8`, `BITFIELD_RO k GET u8 0`,
		`BITOP AND d a b`, `SORT k`, `SORT k STORE d`, `SORT k BY x STORE d LIMIT 0 1 STORE e`, `SORT k GET # STORE`,
		`SORT_RO k BY x`, `XREAD STREAMS a b 1 2`, `XREAD COUNT 1 STREAMS a 1`, `XREAD STREAMS a`, `XREAD STREAMS a b 1`,
		`XREADGROUP GROUP g c STREAMS a 1`, `XADD s * f v`, `XGROUP CREATE s g $`, `XINFO STREAM s`, `OBJECT ENCODING k`,
		`MEMORY USAGE k`, `GEORADIUS k 0 0 1 km STORE d`, `GEORADIUS k 0 0 1 km STOREDIST d`, `GEOSEARCHSTORE d s FROMMEMBER m BYRADIUS 1 km`,
		`PFCOUNT a b`, `PFMERGE d a b`, `WATCH a b`, `EXISTS a b a`, `TOUCH a`, `LCS a b`, `BLPOP a b 0`, `BZPOPMIN a b 0`,
		`PING`, `INFO`, `CLIENT LIST`, `CLIENT`, `CONFIG GET x`, `CLIENT NOSUCH`, `NOSUCH k`, `GET`, `GET a b`,
		`SUBSCRIBE ch`, `PUBLISH ch m`, `SPUBLISH ch m`, `SSUBSCRIBE ch`,
	} {
		cmds = append(cmds, "COMMAND GETKEYSANDFLAGS "+c, "COMMAND GETKEYS "+c)
	}
	cmds = append(cmds, `COMMAND GETKEYSANDFLAGS`, `COMMAND GETKEYSANDFLAGS GET`, `HELLO 3`, `COMMAND GETKEYSANDFLAGS LMOVE a b LEFT RIGHT`, `COMMAND HELP`)
	runCases(t, newPair(t), []diffCase{dc("getkeysandflags", cmds...)})
}

// TestDiffClusterDisabled: keel is not a cluster node, and answers as a
// redis-server with cluster support disabled does: every CLUSTER
// subcommand but KEYSLOT (which keel computes, as its issue asks),
// READONLY, READWRITE and ASKING, after their arity checks, also inside
// MULTI and from a script.
func TestDiffClusterDisabled(t *testing.T) {
	t.Parallel()
	var cmds []string
	for _, sub := range []string{"INFO", "SLOTS", "NODES", "MYID", "SHARDS", "HELP", "COUNTKEYSINSLOT 1", "GETKEYSINSLOT 1 1",
		"ADDSLOTS 1", "ADDSLOTSRANGE 1 2", "DELSLOTS 1", "FLUSHSLOTS", "FORGET x", "MEET h 1", "REPLICATE x", "RESET", "SAVECONFIG",
		"SETSLOT 1 STABLE", "REPLICAS x", "SLAVES x", "LINKS", "COUNT-FAILURE-REPORTS x", "FAILOVER", "BUMPEPOCH", "SET-CONFIG-EPOCH 1",
		"INFO x", "COUNTKEYSINSLOT", "NOSUCH", "nodes"} {
		cmds = append(cmds, "CLUSTER "+sub)
	}
	cmds = append(cmds, `READONLY`, `READONLY x`, `READWRITE`, `ASKING`, `ASKING x`, `CLUSTER`,
		`MULTI`, `READONLY`, `CLUSTER INFO`, `EXEC`,
		`EVAL "return redis.pcall('cluster', 'info')" 0`, `EVAL "return redis.pcall('readonly')" 0`)
	runCases(t, newPair(t), []diffCase{dc("cluster_disabled", cmds...)})
}
