package keel

// Set commands (Redis t_set.c): SADD SREM SMEMBERS SISMEMBER SMISMEMBER
// SCARD SPOP SRANDMEMBER SMOVE SINTER SINTERCARD SUNION SDIFF SINTERSTORE
// SUNIONSTORE SDIFFSTORE SSCAN.
//
// A set is a keyspace entry plus its value in the sets engine
// (collections.go). Every change is logged as its effect (DESIGN invariant
// 2): SADD and SREM name the members they actually add or remove, SPOP the
// members it drew (drawn here, with math/rand/v2), and a …STORE its
// computed result. Arguments are validated, in Redis's order, before
// anything changes.
//
// Encoding: OBJECT ENCODING reports intset or hashtable as Redis 7.0
// would. memtables.Set converts an intset by itself on a non-integer
// member and past 512 members; for any other set-max-intset-entries the
// handler applies setTypeAdd's rule and logs the conversion as
// setAddHashed in opTAdd's flags (and an intset allowed past 512 members
// as setAddUnbounded), so recovery does not depend on the configuration.

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/keeldb/keel/memtables"
)

// Error replies of the set commands, with Redis 7.0's texts.
const (
	errSetPopCount    = "ERR value is out of range, must be positive"
	errSetNumKeys     = "ERR numkeys should be greater than 0"
	errSetNumKeysArgs = "ERR Number of keys can't be greater than number of args"
	errSetLimit       = "ERR LIMIT can't be negative"
	errSetCursor      = "ERR invalid cursor"
)

func init() {
	wf := []string{"write", "set", "fast"}
	ws := []string{"write", "set", "slow"}
	rf := []string{"read", "set", "fast"}
	rs := []string{"read", "set", "slow"}
	Register(
		&Command{Name: "sadd", Arity: -3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: wf, Group: "set", Summary: "Add one or more members to a set", Since: "1.0.0", Handler: cmdSAdd},
		&Command{Name: "srem", Arity: -3, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: wf, Group: "set", Summary: "Remove one or more members from a set", Since: "1.0.0", Handler: cmdSRem},
		&Command{Name: "smembers", Arity: 2, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, ACL: rs, Group: "set", Summary: "Get all the members in a set", Since: "1.0.0", Handler: cmdSMembers},
		&Command{Name: "sismember", Arity: 3, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: rf, Group: "set", Summary: "Determine if a given value is a member of a set", Since: "1.0.0", Handler: cmdSIsMember},
		&Command{Name: "smismember", Arity: -3, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: rf, Group: "set", Summary: "Returns the membership associated with the given elements for a set", Since: "6.2.0", Handler: cmdSMIsMember},
		&Command{Name: "scard", Arity: 2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: rf, Group: "set", Summary: "Get the number of members in a set", Since: "1.0.0", Handler: cmdSCard},
		&Command{Name: "spop", Arity: -2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: wf, Group: "set", Summary: "Remove and return one or multiple random members from a set", Since: "1.0.0", Handler: cmdSPop},
		&Command{Name: "srandmember", Arity: -2, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, ACL: rs, Group: "set", Summary: "Get one or multiple random members from a set", Since: "1.0.0", Handler: cmdSRandMember},
		&Command{Name: "smove", Arity: 4, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 2, Step: 1, ACL: wf, Group: "set", Summary: "Move a member from one set to another", Since: "1.0.0", Handler: cmdSMove},
		&Command{Name: "sinter", Arity: -2, Flags: FlagReadonly, FirstKey: 1, LastKey: -1, Step: 1, ACL: rs, Group: "set", Summary: "Intersect multiple sets", Since: "1.0.0", Handler: cmdSInter},
		// SINTERCARD's keys follow numkeys (movable keys): no fixed range.
		&Command{Name: "sintercard", Arity: -3, Flags: FlagReadonly, KeyNum: 1, ACL: rs, Group: "set", Summary: "Intersect multiple sets and return the cardinality of the result", Since: "7.0.0", Handler: cmdSInterCard},
		&Command{Name: "sunion", Arity: -2, Flags: FlagReadonly, FirstKey: 1, LastKey: -1, Step: 1, ACL: rs, Group: "set", Summary: "Add multiple sets", Since: "1.0.0", Handler: cmdSUnion},
		&Command{Name: "sdiff", Arity: -2, Flags: FlagReadonly, FirstKey: 1, LastKey: -1, Step: 1, ACL: rs, Group: "set", Summary: "Subtract multiple sets", Since: "1.0.0", Handler: cmdSDiff},
		&Command{Name: "sinterstore", Arity: -3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: -1, Step: 1, ACL: ws, Group: "set", Summary: "Intersect multiple sets and store the resulting set in a key", Since: "1.0.0", Handler: cmdSInterStore},
		&Command{Name: "sunionstore", Arity: -3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: -1, Step: 1, ACL: ws, Group: "set", Summary: "Add multiple sets and store the resulting set in a key", Since: "1.0.0", Handler: cmdSUnionStore},
		&Command{Name: "sdiffstore", Arity: -3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: -1, Step: 1, ACL: ws, Group: "set", Summary: "Subtract multiple sets and store the resulting set in a key", Since: "1.0.0", Handler: cmdSDiffStore},
		&Command{Name: "sscan", Arity: -3, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, ACL: rs, Group: "set", Summary: "Incrementally iterate Set elements", Since: "2.8.0", Handler: cmdSScan},
	)
}

// ---- encoding ----

// setIntsetMax is set-max-intset-entries as setTypeAdd applies it (at
// most 2^30).
func (c *Ctx) setIntsetMax() int {
	return int(min(c.DB.tuning.SetMaxIntsetEntries.Load(), 1<<30))
}

// setAllInts reports whether every member is an integer in Redis's sense
// (string2ll), which an intset can hold.
func setAllInts(members [][]byte) bool {
	for _, m := range members {
		if _, ok := parseInt(m); !ok {
			return false
		}
	}
	return true
}

// setIsAllInts is setAllInts for the members of t.
func setIsAllInts(t *memtables.Set) bool {
	if t.IsIntSet() {
		return true
	}
	all := true
	t.ForEach(func(m []byte) bool {
		_, all = parseInt(m)
		return all
	})
	return all
}

// setAddFlags returns the opTAdd flags for adding members (distinct and
// absent from t; t nil for a new key): bit 0 when Redis's setTypeAdd
// would leave a hash table — a member that is not an integer, or an
// intset grown past set-max-intset-entries.
func (c *Ctx) setAddFlags(t *memtables.Set, members [][]byte) uint8 {
	n := 0
	if t != nil {
		if !t.IsIntSet() {
			return 0
		}
		n = t.Len()
	}
	if len(members) > 0 && (n+len(members) > c.setIntsetMax() || !setAllInts(members)) {
		return setAddHashed
	}
	return intsetBound(n + len(members))
}

// intsetBound is the opTAdd flag that lets an intset of n members stay
// one past memtables.Set's own limit of 512 (set-max-intset-entries set
// above it).
func intsetBound(n int) uint8 {
	if n > 512 {
		return setAddUnbounded
	}
	return 0
}

// ---- shared helpers ----

// setSample returns k distinct positions of [0, n), k <= n, chosen
// uniformly (Floyd's algorithm: O(k) whatever n is).
func setSample(n, k int) []int {
	chosen := make(map[int]struct{}, k)
	out := make([]int, 0, k)
	for j := n - k; j < n; j++ {
		p := rand.IntN(j + 1)
		if _, dup := chosen[p]; dup {
			p = j
		}
		chosen[p] = struct{}{}
		out = append(out, p)
	}
	return out
}

// setRandom returns a uniformly chosen member of t (not empty).
func setRandom(t *memtables.Set) []byte {
	m, _ := t.Random(rand.IntN)
	return m
}

// replySetMembers writes members as a set reply (RESP3 ~, RESP2 *).
func (c *Ctx) replySetMembers(members [][]byte) {
	c.R.Set(len(members))
	for _, m := range members {
		c.R.Bulk(m)
	}
}

// ---- SADD SREM SCARD SISMEMBER SMISMEMBER SMEMBERS ----

func cmdSAdd(c *Ctx) {
	key := c.Args[1]
	t, found, ok := c.writeSet(key)
	if !ok {
		return
	}
	add := distinct(c.Args[2:], func(m []byte) bool { return t == nil || !t.Has(m) })
	if len(add) > 0 {
		if !found {
			c.createKey(key, memtables.TypeSet)
		}
		c.emit(&op{code: opTAdd, phys: c.phys(), key: key, side: c.setAddFlags(t, add), vals: add})
		c.touch(key)
		c.notify(NotifySet, "sadd", key)
	}
	c.R.Int(int64(len(add)))
}

func cmdSRem(c *Ctx) {
	key := c.Args[1]
	t, found, ok := c.writeSet(key)
	if !ok {
		return
	}
	if !found {
		c.R.Int(0)
		return
	}
	rem := distinct(c.Args[2:], t.Has)
	if len(rem) > 0 {
		c.emit(&op{code: opTRem, phys: c.phys(), key: key, vals: rem})
		c.notify(NotifySet, "srem", key)
		c.dropIfEmpty(key, memtables.TypeSet)
	}
	c.R.Int(int64(len(rem)))
}

func cmdSCard(c *Ctx) {
	t, found, ok := c.readSet(c.Args[1])
	switch {
	case !ok:
	case !found:
		c.R.Int(0)
	default:
		c.R.Int(int64(t.Len()))
	}
}

func cmdSIsMember(c *Ctx) {
	t, found, ok := c.readSet(c.Args[1])
	switch {
	case !ok:
	case !found:
		c.R.Int(0)
	default:
		c.R.Int(setBit(t.Has(c.Args[2])))
	}
}

func cmdSMIsMember(c *Ctx) {
	t, found, ok := c.readSet(c.Args[1])
	if !ok {
		return
	}
	ms := c.Args[2:]
	c.R.Array(len(ms))
	for _, m := range ms {
		c.R.Int(setBit(found && t.Has(m)))
	}
}

// setBit is 1 for true, 0 for false: membership replies.
func setBit(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// cmdSMembers is SINTER of one key, as in Redis 7.0.
func cmdSMembers(c *Ctx) {
	t, found, ok := c.readSet(c.Args[1])
	switch {
	case !ok:
	case !found:
		c.R.Set(0)
	default:
		c.R.Set(t.Len())
		t.ForEach(func(m []byte) bool {
			c.R.Bulk(m)
			return true
		})
	}
}

// ---- SPOP SRANDMEMBER ----

// cmdSPop pops random members; the record names the members popped.
func cmdSPop(c *Ctx) {
	if len(c.Args) > 3 {
		c.Error(errSyntax)
		return
	}
	if len(c.Args) == 3 {
		spopCount(c)
		return
	}
	key := c.Args[1]
	t, found, ok := c.writeSet(key)
	switch {
	case !ok:
	case !found:
		c.R.Null()
	default:
		m := setRandom(t)
		c.emit(&op{code: opTRem, phys: c.phys(), key: key, vals: [][]byte{m}})
		c.notify(NotifySet, "spop", key)
		c.dropIfEmpty(key, memtables.TypeSet)
		c.R.Bulk(m)
	}
}

// spopCount is SPOP key count: count >= size pops (and deletes) the
// whole set; otherwise count distinct random members.
func spopCount(c *Ctx) {
	n, ok := parseInt(c.Args[2])
	if !ok || n < 0 {
		c.Error(errSetPopCount)
		return
	}
	key := c.Args[1]
	e, found := c.lookupWrite(key)
	if found && e.Type != memtables.TypeSet {
		c.Error(errWrongType)
		return
	}
	if !found || n == 0 {
		c.R.Set(0)
		return
	}
	t, _ := c.DB.sets.Get(c.phys(), key)
	size := t.Len()
	if n >= int64(size) {
		// The members stay valid after the delete (memtables.Set); the
		// delete reuses the entry, so it goes a copy.
		all := t.Members()
		p := *e
		c.deleteKey(c.S.DB, key, &p)
		c.notify(NotifySet, "spop", key)
		c.notify(NotifyGeneric, "del", key)
		c.replySetMembers(all)
		return
	}
	popped := make([][]byte, 0, n)
	for _, p := range setSample(size, int(n)) {
		popped = append(popped, t.At(p))
	}
	c.emit(&op{code: opTRem, phys: c.phys(), key: key, vals: popped})
	c.touch(key)
	c.notify(NotifySet, "spop", key)
	c.replySetMembers(popped)
}

// cmdSRandMember returns random members without removing them: a
// negative count allows repetitions, a positive one returns distinct
// members (the whole set when count >= size).
func cmdSRandMember(c *Ctx) {
	if len(c.Args) > 3 {
		c.Error(errSyntax)
		return
	}
	if len(c.Args) == 3 {
		srandCount(c)
		return
	}
	t, found, ok := c.readSet(c.Args[1])
	switch {
	case !ok:
	case !found:
		c.R.Null()
	default:
		c.R.Bulk(setRandom(t))
	}
}

func srandCount(c *Ctx) {
	n, ok := parseInt(c.Args[2])
	if !ok {
		c.Error(errNotInt)
		return
	}
	if n == math.MinInt64 {
		c.Error(errRandCount)
		return
	}
	t, found, ok := c.readSet(c.Args[1])
	if !ok {
		return
	}
	if !found || n == 0 {
		c.R.Array(0)
		return
	}
	size := t.Len()
	switch {
	case n < 0 || n == 1:
		count := n
		if count < 0 {
			count = -count
		}
		c.R.Array(int(count))
		for ; count > 0; count-- {
			c.R.Bulk(setRandom(t))
		}
	case n >= int64(size):
		c.R.Array(size)
		t.ForEach(func(m []byte) bool {
			c.R.Bulk(m)
			return true
		})
	default:
		c.R.Array(int(n))
		for _, p := range setSample(size, int(n)) {
			c.R.Bulk(t.At(p))
		}
	}
}

// ---- SMOVE ----

// cmdSMove follows Redis's order: both keys are looked up (expired ones
// deleted), a missing source answers 0 before any type check, and the
// destination is touched only when the member was new to it.
func cmdSMove(c *Ctx) {
	src, dst, m := c.Args[1], c.Args[2], c.Args[3]
	var srcType, dstType memtables.Type
	se, srcFound := c.lookupWrite(src)
	if srcFound {
		srcType = se.Type // copied: the next lookup may change the keyspace
	}
	de, dstFound := c.lookupWrite(dst)
	if dstFound {
		dstType = de.Type
	}
	if !srcFound {
		c.R.Int(0)
		return
	}
	if srcType != memtables.TypeSet || dstFound && dstType != memtables.TypeSet {
		c.Error(errWrongType)
		return
	}
	phys := c.phys()
	st, _ := c.DB.sets.Get(phys, src)
	if bytes.Equal(src, dst) {
		c.R.Int(setBit(st.Has(m)))
		return
	}
	if !st.Has(m) {
		c.R.Int(0)
		return
	}
	c.emit(&op{code: opTRem, phys: phys, key: src, vals: [][]byte{m}})
	c.notify(NotifySet, "srem", src)
	c.dropIfEmpty(src, memtables.TypeSet)
	var dt *memtables.Set
	if dstFound {
		dt, _ = c.DB.sets.Get(phys, dst)
	} else {
		c.createKey(dst, memtables.TypeSet)
	}
	if dt == nil || !dt.Has(m) {
		add := [][]byte{m}
		c.emit(&op{code: opTAdd, phys: phys, key: dst, side: c.setAddFlags(dt, add), vals: add})
		c.touch(dst)
		c.notify(NotifySet, "sadd", dst)
	}
	c.R.Int(1)
}

// ---- SINTER SINTERCARD SUNION SDIFF and their STORE forms ----

// readSets looks keys up for the multi-key commands: a missing key is a
// nil set. As in Redis 7.0, every key up to the first one of another type
// is looked up; ok is false when WRONGTYPE was replied.
func (c *Ctx) readSets(keys [][]byte) (sets []*memtables.Set, ok bool) {
	sets = make([]*memtables.Set, len(keys))
	for i, k := range keys {
		t, _, ok := c.readSet(k)
		if !ok {
			return nil, false
		}
		sets[i] = t
	}
	return sets, true
}

// setInter calls fn for each member of the intersection of sets (nil
// sets are empty) until fn returns false. It iterates the smallest set,
// as Redis does. m is valid only during the call.
func setInter(sets []*memtables.Set, fn func(m []byte) bool) {
	var small *memtables.Set
	for _, t := range sets {
		if t == nil {
			return
		}
		if small == nil || t.Len() < small.Len() {
			small = t
		}
	}
	small.ForEach(func(m []byte) bool {
		for _, t := range sets {
			if t != small && !t.Has(m) {
				return true
			}
		}
		return fn(m)
	})
}

// setInterMembers returns the intersection of sets.
func setInterMembers(sets []*memtables.Set) [][]byte {
	var out [][]byte
	setInter(sets, func(m []byte) bool {
		out = append(out, bytes.Clone(m))
		return true
	})
	return out
}

// setUnion returns the union of sets (nil sets are empty).
func setUnion(sets []*memtables.Set) [][]byte {
	var out [][]byte
	seen := map[string]struct{}{}
	for _, t := range sets {
		if t == nil {
			continue
		}
		t.ForEach(func(m []byte) bool {
			if _, dup := seen[string(m)]; !dup {
				seen[string(m)] = struct{}{}
				out = append(out, bytes.Clone(m))
			}
			return true
		})
	}
	return out
}

// setDiff returns the members of sets[0] in none of the others (nil sets
// are empty). byFirst reports that Redis's SDIFFSTORE would build the
// result by adding all of sets[0] and removing the others' members (its
// "algorithm 2", chosen by the same cost estimate), which matters for the
// encoding of the stored set.
func setDiff(sets []*memtables.Set) (out [][]byte, byFirst bool) {
	first := sets[0]
	if first == nil {
		return nil, false
	}
	for _, t := range sets[1:] {
		if t == first { // the same key: the difference is empty
			return nil, false
		}
	}
	var one, two int64
	for _, t := range sets {
		if t != nil {
			one += int64(first.Len())
			two += int64(t.Len())
		}
	}
	byFirst = one/2 > two
	if !byFirst {
		first.ForEach(func(m []byte) bool {
			for _, t := range sets[1:] {
				if t != nil && t.Has(m) {
					return true
				}
			}
			out = append(out, bytes.Clone(m))
			return true
		})
		return out, false
	}
	drop := map[string]struct{}{}
	for _, t := range sets[1:] {
		if t == nil {
			continue
		}
		t.ForEach(func(m []byte) bool {
			if first.Has(m) {
				drop[string(m)] = struct{}{}
			}
			return true
		})
	}
	first.ForEach(func(m []byte) bool {
		if _, gone := drop[string(m)]; !gone {
			out = append(out, bytes.Clone(m))
		}
		return true
	})
	return out, true
}

// storeSet makes dst the set of members (distinct), replacing any value
// and expiry, and signals event; or deletes dst when members is empty,
// signalling del if it was there. It replies with the cardinality. hashed
// forces the hashtable encoding.
func (c *Ctx) storeSet(dst []byte, members [][]byte, hashed bool, event string) {
	if len(members) == 0 {
		if c.deleteIfExists(dst) {
			c.notify(NotifyGeneric, "del", dst)
		}
		c.R.Int(0)
		return
	}
	// Redis builds the destination from an empty intset, adding members
	// one by one: it ends a hash table on a non-integer or past the limit.
	flags := intsetBound(len(members))
	if hashed || len(members) > c.setIntsetMax() || !setAllInts(members) {
		flags = setAddHashed
	}
	c.replaceKey(dst, memtables.TypeSet)
	c.emit(&op{code: opTAdd, phys: c.phys(), key: dst, side: flags, vals: members})
	c.notify(NotifySet, event, dst)
	c.R.Int(int64(len(members)))
}

func cmdSInter(c *Ctx) {
	sets, ok := c.readSets(c.Args[1:])
	if !ok {
		return
	}
	c.replySetMembers(setInterMembers(sets))
}

func cmdSInterStore(c *Ctx) {
	sets, ok := c.readSets(c.Args[2:])
	if !ok {
		return
	}
	c.storeSet(c.Args[1], setInterMembers(sets), false, "sinterstore")
}

// cmdSInterCard is SINTERCARD numkeys key... [LIMIT limit] (0: no limit).
func cmdSInterCard(c *Ctx) {
	numkeys, ok := parseInt(c.Args[1])
	if !ok || numkeys < 1 {
		c.Error(errSetNumKeys)
		return
	}
	if numkeys > int64(len(c.Args)-2) {
		c.Error(errSetNumKeysArgs)
		return
	}
	var limit int64
	for i := 2 + int(numkeys); i < len(c.Args); i++ {
		if !eqFold(c.Args[i], "limit") || i+1 >= len(c.Args) {
			c.Error(errSyntax)
			return
		}
		i++
		if limit, ok = parseInt(c.Args[i]); !ok || limit < 0 {
			c.Error(errSetLimit)
			return
		}
	}
	sets, ok := c.readSets(c.Args[2 : 2+numkeys])
	if !ok {
		return
	}
	var n int64
	setInter(sets, func([]byte) bool {
		n++
		return limit == 0 || n < limit
	})
	c.R.Int(n)
}

func cmdSUnion(c *Ctx) {
	sets, ok := c.readSets(c.Args[1:])
	if !ok {
		return
	}
	c.replySetMembers(setUnion(sets))
}

func cmdSUnionStore(c *Ctx) {
	sets, ok := c.readSets(c.Args[2:])
	if !ok {
		return
	}
	c.storeSet(c.Args[1], setUnion(sets), false, "sunionstore")
}

func cmdSDiff(c *Ctx) {
	sets, ok := c.readSets(c.Args[1:])
	if !ok {
		return
	}
	out, _ := setDiff(sets)
	c.replySetMembers(out)
}

func cmdSDiffStore(c *Ctx) {
	sets, ok := c.readSets(c.Args[2:])
	if !ok {
		return
	}
	out, byFirst := setDiff(sets)
	// Built from all of the first set, the result is a hash table if
	// that set could not be an intset under the limit.
	hashed := byFirst && (sets[0].Len() > c.setIntsetMax() || !setIsAllInts(sets[0]))
	c.storeSet(c.Args[1], out, hashed, "sdiffstore")
}

// ---- SSCAN ----

// cmdSScan is SSCAN key cursor [MATCH pattern] [COUNT count]. An intset
// is returned whole in one call with cursor 0, as Redis does for its
// small encodings. A hash table is scanned by position, from the highest
// down, count positions per call; the cursor is the number of positions
// left. A member only ever moves to a lower position (memtables.Set.At),
// so every member present for the whole scan is returned, as Redis
// guarantees, even with writes between the calls; a member may be
// returned twice when removes move it below the cursor.
func cmdSScan(c *Ctx) {
	cursor, ok := parseScanCursor(c.Args[2])
	if !ok {
		c.Error(errSetCursor)
		return
	}
	t, found, ok := c.readSet(c.Args[1])
	if !ok {
		return
	}
	if !found {
		c.R.Array(2)
		c.R.BulkString("0")
		c.R.Array(0)
		return
	}
	count, pat, _, ok := c.scanOptions(3, false)
	if !ok {
		return
	}
	usePat := pat != nil
	var out [][]byte
	keep := func(m []byte) {
		if !usePat || globMatch(pat, m) {
			out = append(out, m)
		}
	}
	next := uint64(0)
	if t.IsIntSet() {
		t.ForEach(func(m []byte) bool {
			keep(bytes.Clone(m))
			return true
		})
	} else {
		p := t.Len() - 1
		if cursor != 0 && cursor-1 < uint64(p) {
			p = int(cursor - 1)
		}
		for stop := max(p-count, -1); p > stop; p-- {
			keep(t.At(p))
		}
		next = uint64(p + 1)
	}
	c.R.Array(2)
	c.R.BulkString(strconv.FormatUint(next, 10))
	c.R.Array(len(out))
	for _, m := range out {
		c.R.Bulk(m)
	}
}
