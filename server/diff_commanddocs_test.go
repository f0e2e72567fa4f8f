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
	p := newPair(t)
	k, o := p.dial(t)
	for _, proto := range []string{"2", "3"} {
		if _, err := k.Do("HELLO", proto); err != nil {
			t.Fatal(err)
		}
		if _, err := o.Do("HELLO", proto); err != nil {
			t.Fatal(err)
		}
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
	p := newPair(t)
	k, o := p.dial(t)
	for _, proto := range []string{"2", "3"} {
		if _, err := k.Do("HELLO", proto); err != nil {
			t.Fatal(err)
		}
		if _, err := o.Do("HELLO", proto); err != nil {
			t.Fatal(err)
		}
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
