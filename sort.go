package keel

import (
	"bytes"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/keeldb/keel/memtables"
)

// SORT and SORT_RO over lists, sets and sorted sets, as Redis 7.0's
// sortCommandGeneric (sort.c): options parsed left to right, the key
// looked up after them, BY without '*' meaning "do not sort", LIMIT
// applied to the sorted vector, GET patterns substituted per element, and
// STORE writing a list (logged as the list it computed: DESIGN invariant
// 2, since its inputs can live in other engines).

func init() {
	Register(
		&Command{Name: "sort", Arity: -2, Flags: FlagWrite | FlagDenyOOM | FlagMovableKeys, FirstKey: 1, LastKey: 1, Step: 1,
			ACL: []string{"write", "set", "sortedset", "list", "slow", "dangerous"}, Group: "generic",
			Summary: "Sort the elements in a list, set or sorted set", Since: "1.0.0", Handler: cmdSort},
		// SORT_RO is read-only for clients but converts a listpack zset
		// like SORT (below), a change it must log: FlagExclusive gives it a
		// record without showing as a write in COMMAND.
		&Command{Name: "sort_ro", Arity: -2, Flags: FlagReadonly | FlagExclusive | FlagMovableKeys, FirstKey: 1, LastKey: 1, Step: 1,
			ACL: []string{"read", "set", "sortedset", "list", "slow", "dangerous"}, Group: "generic",
			Summary: "Sort the elements in a list, set or sorted set. Read-only variant of SORT.", Since: "7.0.0", Handler: cmdSortRO},
	)
}

// sortElem is one element of the vector SORT sorts.
type sortElem struct {
	obj   []byte
	score float64 // numeric sort key
	cmp   []byte  // ALPHA with BY: the BY value (nil when its key is missing)
}

type sortOpts struct {
	desc, alpha, dontsort  bool
	limitStart, limitCount int64
	sortBy                 []byte // nil: sort by the element itself
	gets                   [][]byte
	store                  []byte
}

func cmdSort(c *Ctx)   { sortGeneric(c, false) }
func cmdSortRO(c *Ctx) { sortGeneric(c, true) }

func sortGeneric(c *Ctx, readonly bool) {
	o := sortOpts{limitCount: -1}
	args := c.Args
	for j := 2; j < len(args); j++ {
		left := len(args) - j - 1
		switch {
		case eqFold(args[j], "asc"):
			o.desc = false
		case eqFold(args[j], "desc"):
			o.desc = true
		case eqFold(args[j], "alpha"):
			o.alpha = true
		case eqFold(args[j], "limit") && left >= 2:
			start, ok1 := parseInt(args[j+1])
			if !ok1 {
				c.Error(errNotInt)
				return
			}
			count, ok2 := parseInt(args[j+2])
			if !ok2 {
				c.Error(errNotInt)
				return
			}
			o.limitStart, o.limitCount = start, count
			j += 2
		case eqFold(args[j], "store") && left >= 1 && !readonly:
			o.store = args[j+1]
			j++
		case eqFold(args[j], "by") && left >= 1:
			o.sortBy = args[j+1]
			// BY without '*' cannot name per-element keys: Redis takes it
			// as "do not sort" (BY nosort).
			o.dontsort = bytes.IndexByte(cstr(o.sortBy), '*') < 0
			j++
		case eqFold(args[j], "get") && left >= 1:
			o.gets = append(o.gets, args[j+1])
			j++
		default:
			c.Error(errSyntax)
			return
		}
	}

	e, found := c.readKey(args[1])
	typ := memtables.TypeList
	if found {
		typ = e.Type
		if typ != memtables.TypeList && typ != memtables.TypeSet && typ != memtables.TypeZSet {
			c.Error(errWrongType)
			return
		}
	}
	// A set has no order of its own: to store the same list on every
	// replay, SORT ... STORE of an unsorted set sorts it (ALPHA), as Redis
	// does for replication.
	if o.dontsort && typ == memtables.TypeSet && o.store != nil {
		o.dontsort, o.alpha, o.sortBy = false, true, nil
	}

	phys := c.phys()
	if found && typ == memtables.TypeZSet {
		// Redis's sortCommandGeneric converts a listpack zset to a
		// skiplist before sorting it ("destructively"), and it stays one.
		if z, _ := c.DB.zsets.Get(phys, args[1]); !z.Big() {
			c.emit(&op{code: opZAdd, phys: phys, key: args[1], side: zsetAddBig})
		}
	}
	var n int
	if found {
		switch typ {
		case memtables.TypeList:
			l, _ := c.DB.lists.Get(phys, args[1])
			n = l.Len()
		case memtables.TypeSet:
			t, _ := c.DB.sets.Get(phys, args[1])
			n = t.Len()
		case memtables.TypeZSet:
			z, _ := c.DB.zsets.Get(phys, args[1])
			n = z.Len()
		}
	}
	start, end := sortLimits(o.limitStart, o.limitCount, n)

	// Load the vector. Unsorted lists and zsets load only the LIMIT range,
	// in their own order (reversed by DESC); afterwards the whole vector
	// is the output range.
	var vec []sortElem
	if found {
		switch {
		case typ == memtables.TypeList && o.dontsort:
			if end >= start {
				l, _ := c.DB.lists.Get(phys, args[1])
				lo, hi := start, end
				if o.desc {
					lo, hi = n-1-end, n-1-start
				}
				l.Range(lo, hi, func(v []byte) bool {
					vec = append(vec, sortElem{obj: v})
					return true
				})
				if o.desc {
					slices.Reverse(vec)
				}
				end, start = end-start, 0
			}
		case typ == memtables.TypeList:
			l, _ := c.DB.lists.Get(phys, args[1])
			l.Range(0, n-1, func(v []byte) bool {
				vec = append(vec, sortElem{obj: v})
				return true
			})
		case typ == memtables.TypeSet:
			t, _ := c.DB.sets.Get(phys, args[1])
			t.ForEach(func(m []byte) bool {
				// An intset member is a view of a reused buffer.
				vec = append(vec, sortElem{obj: bytes.Clone(m)})
				return true
			})
		case typ == memtables.TypeZSet && o.dontsort:
			if end >= start {
				z, _ := c.DB.zsets.Get(phys, args[1])
				z.ByRank(start, end, o.desc, func(m string, _ float64) bool {
					vec = append(vec, sortElem{obj: []byte(m)})
					return true
				})
				end, start = end-start, 0
			}
		default:
			z, _ := c.DB.zsets.Get(phys, args[1])
			z.ForEach(func(m string, _ float64) bool {
				vec = append(vec, sortElem{obj: []byte(m)})
				return true
			})
		}
	}

	if !o.dontsort {
		convErr := false
		for i := range vec {
			by := vec[i].obj
			if o.sortBy != nil {
				v, ok := c.sortLookup(o.sortBy, vec[i].obj)
				if !ok {
					continue
				}
				by = v
			}
			if o.alpha {
				if o.sortBy != nil {
					vec[i].cmp = by
				}
				continue
			}
			f, ok := sortScore(by)
			if !ok {
				convErr = true
			}
			vec[i].score = f
		}
		if convErr {
			c.Error("ERR One or more scores can't be converted into double")
			return
		}
		// With STORE, Redis compares binary-safe (compareStringObjects);
		// without, ALPHA uses strcoll, which in the C locale compares up to
		// the first NUL byte.
		binarySafe := o.store != nil
		cmpStr := func(a, b []byte) int {
			if binarySafe {
				return bytes.Compare(a, b)
			}
			return bytes.Compare(cstr(a), cstr(b))
		}
		slices.SortStableFunc(vec, func(a, b sortElem) int {
			var r int
			switch {
			case !o.alpha:
				switch {
				case a.score > b.score:
					r = 1
				case a.score < b.score:
					r = -1
				default:
					r = bytes.Compare(a.obj, b.obj)
				}
			case o.sortBy != nil:
				switch {
				case a.cmp == nil && b.cmp == nil:
					r = 0
				case a.cmp == nil:
					r = -1
				case b.cmp == nil:
					r = 1
				default:
					r = cmpStr(a.cmp, b.cmp)
				}
			default:
				r = cmpStr(a.obj, b.obj)
			}
			if o.desc {
				r = -r
			}
			return r
		})
	}

	var out [][]byte // elements (or GET values) of the output range
	var nulls []bool
	for i := start; i <= end && i < len(vec); i++ {
		if len(o.gets) == 0 {
			out = append(out, vec[i].obj)
			nulls = append(nulls, false)
			continue
		}
		for _, g := range o.gets {
			v, ok := c.sortLookup(g, vec[i].obj)
			out = append(out, v)
			nulls = append(nulls, !ok)
		}
	}

	if o.store == nil {
		c.R.Array(len(out))
		for i, v := range out {
			if nulls[i] {
				c.R.Null()
			} else {
				c.R.Bulk(v)
			}
		}
		return
	}
	if len(out) == 0 {
		if c.deleteIfExists(o.store) {
			c.notify(NotifyGeneric, "del", o.store)
		}
		c.R.Int(0)
		return
	}
	vals := make([][]byte, len(out))
	for i, v := range out {
		vals[i] = slices.Clone(v) // a missing GET value stores as ""
		if vals[i] == nil {
			vals[i] = []byte{}
		}
	}
	c.replaceKey(o.store, memtables.TypeList)
	c.emit(&op{code: opLPush, phys: c.phys(), key: o.store, side: sideRight, vals: vals})
	c.notify(NotifyList, "sortstore", o.store)
	c.R.Int(int64(len(out)))
}

// sortLimits turns LIMIT offset count into the inclusive output range of
// a vector of n elements, as sortCommandGeneric does.
func sortLimits(limitStart, limitCount int64, n int) (start, end int) {
	s := max(limitStart, 0)
	e := int64(n) - 1
	if limitCount >= 0 {
		e = s + limitCount - 1
	}
	if s >= int64(n) {
		s, e = int64(n)-1, int64(n)-2
	}
	if e >= int64(n) {
		e = int64(n) - 1
	}
	return int(s), int(e)
}

// sortScore parses a numeric sort key as strtod does in
// sortCommandGeneric: leading spaces skipped, the whole string (up to a
// NUL) must be a number, no NaN, no overflow or underflow; "" is 0.
func sortScore(b []byte) (float64, bool) {
	raw := cstr(b)
	if len(raw) == 0 {
		return 0, true // strtod parses nothing and stops at the end
	}
	s := strings.TrimLeft(string(raw), " \t\n\v\f\r")
	if s == "" {
		return 0, false // parses nothing and stops at a space
	}
	f, err := strconv.ParseFloat(hexExponent(s), 64)
	if err != nil {
		switch strings.ToLower(s) {
		case "infinity", "+infinity":
			return math.Inf(1), true
		case "-infinity":
			return math.Inf(-1), true
		}
		return 0, false
	}
	if math.IsNaN(f) || strings.ContainsRune(s, '_') {
		return 0, false
	}
	if f == 0 && strings.ContainsAny(s, "123456789") && !strings.ContainsAny(s, "xX") {
		// An underflow to zero: strtod reports ERANGE.
		mant := s
		if i := strings.IndexAny(s, "eE"); i >= 0 {
			mant = s[:i]
		}
		if strings.ContainsAny(mant, "123456789") {
			return 0, false
		}
	}
	return f, true
}

// hexExponent adds the binary exponent Go requires of a hexadecimal float
// ("0x10" -> "0x10p0"); strtod does not require it.
func hexExponent(s string) string {
	u := strings.TrimLeft(s, "+-")
	if len(u) > 2 && u[0] == '0' && (u[1] == 'x' || u[1] == 'X') && !strings.ContainsAny(u, "pP") {
		return s + "p0"
	}
	return s
}

// sortLookup is lookupKeyByPattern: "#" is the element itself; otherwise
// the first '*' of pattern is replaced by the element and the resulting
// string key is read (nothing without a '*'). "key->field" reads a hash
// field.
func (c *Ctx) sortLookup(pattern, elem []byte) ([]byte, bool) {
	pat := cstr(pattern)
	if len(pat) == 1 && pat[0] == '#' {
		return elem, true
	}
	star := bytes.IndexByte(pat, '*')
	if star < 0 {
		return nil, false
	}
	var field []byte
	post := pattern[star+1:]
	if f := bytes.Index(pat[star+1:], []byte("->")); f >= 0 && star+1+f+2 < len(pat) {
		field = pattern[star+1+f+2:]
		post = pattern[star+1 : star+1+f]
	}
	key := make([]byte, 0, star+len(elem)+len(post))
	key = append(append(append(key, pattern[:star]...), elem...), post...)
	e, ok := c.readKey(key)
	if !ok {
		return nil, false
	}
	if field != nil {
		if e.Type != memtables.TypeHash {
			return nil, false
		}
		v, exists, err := c.DB.hashes.Get(hashKey(nil, c.phys(), key, e.Version, field))
		if err != nil || !exists {
			return nil, false
		}
		return v, true
	}
	if e.Type != memtables.TypeString {
		return nil, false
	}
	v, err := c.getString(key, e)
	if err != nil {
		return nil, false
	}
	return v, true
}
