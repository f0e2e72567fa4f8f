package server

import (
	"strconv"
	"strings"

	"github.com/keeldb/keel"
	"github.com/keeldb/keel/internal/resp3"
)

// COMMAND GETKEYSANDFLAGS: the keys of a full command and their access
// flags, found as Redis 7.0 finds them (getKeysFromCommandWithSpecs): by
// the command's key specifications (redis-server's, commandinfo.resp)
// when they are complete and their flags fixed, else by the command's own
// key finder: SET's and BITFIELD's flags depend on their arguments, SORT's
// STORE key cannot be specified.

// keyRef is a key's position in the command and its flags.
type keyRef struct {
	pos   int
	flags []string
}

// keySpec is one key specification of redis-server's COMMAND INFO.
type keySpec struct {
	flags []string
	// begin_search: index (pos) or keyword (keyword, startFrom); unknown
	// otherwise.
	bsType, keyword string
	pos, startFrom  int
	// find_keys: range (lastKey, keyStep, limit) or keynum (keyNumIdx,
	// firstKey, keyStep); unknown otherwise.
	fkType                                     string
	lastKey, keyStep, limit, keyNumIdx, firstK int
}

func specsOf(e resp3.Value) []keySpec {
	var out []keySpec
	for _, v := range e.Elems[8].Elems {
		var s keySpec
		f, _ := v.MapGet("flags")
		for _, x := range f.Elems {
			s.flags = append(s.flags, x.Str)
		}
		bs, _ := v.MapGet("begin_search")
		t, _ := bs.MapGet("type")
		spec, _ := bs.MapGet("spec")
		s.bsType = t.Str
		if x, ok := spec.MapGet("index"); ok {
			s.pos = int(x.Int)
		}
		if x, ok := spec.MapGet("keyword"); ok {
			s.keyword = x.Str
		}
		if x, ok := spec.MapGet("startfrom"); ok {
			s.startFrom = int(x.Int)
		}
		fk, _ := v.MapGet("find_keys")
		t, _ = fk.MapGet("type")
		spec, _ = fk.MapGet("spec")
		s.fkType = t.Str
		for name, p := range map[string]*int{"lastkey": &s.lastKey, "keystep": &s.keyStep, "limit": &s.limit, "keynumidx": &s.keyNumIdx, "firstkey": &s.firstK} {
			if x, ok := spec.MapGet(name); ok {
				*p = int(x.Int)
			}
		}
		out = append(out, s)
	}
	return out
}

func (s keySpec) has(flag string) bool {
	for _, f := range s.flags {
		if f == flag {
			return true
		}
	}
	return false
}

// keysBySpecs is Redis's getKeysUsingKeySpecs: the keys every spec finds
// in argv, in spec order; ok is false when a spec cannot be followed
// (unknown, its keyword's keys out of bounds, a bad key count).
func keysBySpecs(specs []keySpec, argv [][]byte, arity int) (keys []keyRef, ok bool) {
	argc := len(argv)
	for _, s := range specs {
		if s.has("not_key") {
			continue
		}
		first := 0
		switch s.bsType {
		case "index":
			first = s.pos
		case "keyword":
			start, end := s.startFrom, argc-1
			if s.startFrom <= 0 {
				start, end = argc+s.startFrom, 0
			}
			for i := start; i != end; {
				if i >= argc || i < 1 {
					break
				}
				if strings.EqualFold(string(argv[i]), s.keyword) {
					first = i + 1
					break
				}
				if start <= end {
					i++
				} else {
					i--
				}
			}
			if first == 0 {
				continue // keyword not found
			}
		default:
			return nil, false
		}
		var last, step int
		switch s.fkType {
		case "range":
			step = s.keyStep
			switch {
			case s.lastKey >= 0:
				last = first + s.lastKey
			case s.limit == 0:
				last = argc + s.lastKey
			default:
				last = first + ((argc-first)/s.limit + s.lastKey)
			}
		case "keynum":
			step = s.keyStep
			if first+s.keyNumIdx >= argc {
				return nil, false
			}
			n, err := strconv.ParseInt(string(argv[first+s.keyNumIdx]), 10, 64)
			if err != nil || n < 0 {
				return nil, false
			}
			first += s.firstK
			last = first + int(n) - 1
		default:
			return nil, false
		}
		if last >= argc || last < first || first >= argc {
			return nil, false
		}
		for i := first; i <= last; i += step {
			if i >= argc || i < first {
				if arity < 0 {
					continue
				}
				return nil, false
			}
			keys = append(keys, keyRef{pos: i, flags: s.flags})
		}
	}
	return keys, true
}

// keysByProc is the key finder of the commands whose specs do not say it
// all (Redis's setGetKeys, bitfieldGetKeys, sortGetKeys, sortROGetKeys);
// a command of keel's own gets keel's positions, without flags.
func keysByProc(cmd *keel.Command, argv [][]byte) []keyRef {
	switch cmd.Name {
	case "set":
		for _, a := range argv[3:] {
			if strings.EqualFold(string(a), "get") {
				return []keyRef{{1, []string{"RW", "access", "update"}}}
			}
		}
		return []keyRef{{1, []string{"OW", "update"}}}
	case "bitfield":
		readonly := true
	scan:
		for i := 2; i < len(argv); i++ {
			rem := len(argv) - i - 1
			switch a := strings.ToLower(string(argv[i])); {
			case a == "get" && rem >= 2:
				i += 2
			case (a == "set" || a == "incrby") && rem >= 3:
				readonly = false
				break scan
			case a == "overflow" && rem >= 1:
				i++
			default:
				readonly = false // a syntax error: not read-only, to be safe
				break scan
			}
		}
		if readonly {
			return []keyRef{{1, []string{"RO", "access"}}}
		}
		return []keyRef{{1, []string{"RW", "access", "update"}}}
	case "sort", "sort_ro":
		keys := []keyRef{{1, []string{"RO", "access"}}}
		if cmd.Name == "sort_ro" {
			return keys
		}
		store := 0
		for i := 2; i < len(argv); i++ {
			switch a := strings.ToLower(string(argv[i])); {
			case a == "limit":
				i += 2
			case a == "get" || a == "by":
				i++
			case a == "store" && i+1 < len(argv):
				store = i + 1 // the last STORE counts, as in SORT
			}
		}
		if store > 0 {
			keys = append(keys, keyRef{store, []string{"OW", "update"}})
		}
		return keys
	}
	var keys []keyRef
	for _, i := range cmd.Keys(argv) {
		keys = append(keys, keyRef{pos: i})
	}
	return keys
}

// commandKeys is Redis's getKeysFromCommandWithSpecs for cmd (resolved
// to its subcommand) and argv: the specs when they are complete and their
// flags fixed; a spec that cannot be followed (a bad key count) finds no
// keys, as Redis's fallback finders then find none either.
func commandKeys(cmd *keel.Command, argv [][]byte) []keyRef {
	switch cmd.Name {
	case "set", "bitfield", "sort", "sort_ro":
		return keysByProc(cmd, argv)
	}
	e, ok := redisInfoOf(cmd.Name)
	if !ok {
		return keysByProc(cmd, argv) // keel's own command
	}
	keys, _ := keysBySpecs(specsOf(e), argv, cmd.Arity)
	return keys
}

// hasKeys is Redis's doesCommandHaveKeys: a key finder or a key spec
// that is not not_key.
func hasKeys(cmd *keel.Command) bool {
	e, ok := redisInfoOf(cmd.Name)
	if !ok {
		return cmd.FirstKey > 0 || cmd.KeyNum > 0 || cmd.KeysFunc != nil
	}
	for _, s := range specsOf(e) {
		if !s.has("not_key") {
			return true
		}
	}
	return false
}

func cmdCommandGetKeys(c *keel.Ctx)         { getKeysReply(c, false) }
func cmdCommandGetKeysAndFlags(c *keel.Ctx) { getKeysReply(c, true) }

// getKeysReply is COMMAND GETKEYS, and GETKEYSANDFLAGS with withFlags:
// Redis's getKeysSubcommandImpl, its checks in its order: the command
// (an unknown subcommand is an unknown command), whether it has keys at
// all, its arity, then the keys found.
func getKeysReply(c *keel.Ctx, withFlags bool) {
	args := c.Args[2:]
	cmd := keel.Lookup(args[0])
	if cmd != nil && cmd.Subs != nil && len(args) >= 2 {
		sub, known := cmd.Resolve(args)
		if !known {
			cmd = nil
		} else {
			cmd = sub
		}
	}
	switch {
	case cmd == nil:
		c.R.Error("ERR Invalid command specified")
		return
	case !hasKeys(cmd):
		c.R.Error("ERR The command has no key arguments")
		return
	case !cmd.ArityOK(len(args)):
		c.R.Error("ERR Invalid number of arguments specified for command")
		return
	}
	keys := commandKeys(cmd, args)
	if len(keys) == 0 {
		if cmd.Flags&keel.FlagNoMandatoryKeys != 0 {
			c.R.Array(0)
		} else {
			c.R.Error("ERR Invalid arguments specified for command")
		}
		return
	}
	c.R.Array(len(keys))
	for _, k := range keys {
		if !withFlags {
			c.R.Bulk(args[k.pos])
			continue
		}
		c.R.Array(2)
		c.R.Bulk(args[k.pos])
		c.R.Set(len(k.flags))
		for _, f := range k.flags {
			c.R.Simple(f)
		}
	}
}
