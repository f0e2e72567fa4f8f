package keel

// List commands (Redis t_list.c), the non-blocking ones: LPUSH RPUSH
// LPUSHX RPUSHX LPOP RPOP LLEN LRANGE LINDEX LSET LINSERT LREM LTRIM LPOS
// LMOVE RPOPLPUSH LMPOP. The blocking forms (blocking.go) reuse popList,
// moveList and mpopArgs (collections.go).
//
// A list is a keyspace entry plus its value in the lists engine
// (collections.go). Every change is logged as its effect: a pop names how
// many elements it takes from which end (the apply takes them: the same
// ones, given the same list), LINSERT names its pivot, LTRIM its
// normalized range. Arguments are validated, in Redis's order, before
// anything changes, so an invalid command changes nothing.

import (
	"bytes"
	"fmt"
	"math"
	"slices"

	"github.com/keeldb/keel/memtables"
)

// listMaxItemSize is Redis's LIST_MAX_ITEM_SIZE: a list element must fit
// a quicklist node's 32-bit length. Reachable only with proto-max-bulk-len
// raised above 4 GB.
const listMaxItemSize = 1<<32 - 1024

// Error replies of the list commands, with Redis 7.0's texts.
const (
	errElemTooLarge = "ERR Element too large"
	errIndexRange   = "ERR index out of range"
	errPopCount     = "ERR value is out of range, must be positive"
	errLPosRankZero = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"
	errLPosCount    = "ERR COUNT can't be negative"
	errLPosMaxLen   = "ERR MAXLEN can't be negative"
)

func init() {
	wf := []string{"write", "list", "fast"}
	ws := []string{"write", "list", "slow"}
	rf := []string{"read", "list", "fast"}
	rs := []string{"read", "list", "slow"}
	Register(
		&Command{Name: "lpush", Arity: -3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: wf, Group: "list", Summary: "Prepend one or multiple elements to a list", Since: "1.0.0", Handler: cmdLPush},
		&Command{Name: "rpush", Arity: -3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: wf, Group: "list", Summary: "Append one or multiple elements to a list", Since: "1.0.0", Handler: cmdRPush},
		&Command{Name: "lpushx", Arity: -3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: wf, Group: "list", Summary: "Prepend an element to a list, only if the list exists", Since: "2.2.0", Handler: cmdLPushX},
		&Command{Name: "rpushx", Arity: -3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: wf, Group: "list", Summary: "Append an element to a list, only if the list exists", Since: "2.2.0", Handler: cmdRPushX},
		&Command{Name: "lpop", Arity: -2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: wf, Group: "list", Summary: "Remove and get the first elements in a list", Since: "1.0.0", Handler: cmdLPop},
		&Command{Name: "rpop", Arity: -2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: wf, Group: "list", Summary: "Remove and get the last elements in a list", Since: "1.0.0", Handler: cmdRPop},
		&Command{Name: "llen", Arity: 2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: rf, Group: "list", Summary: "Get the length of a list", Since: "1.0.0", Handler: cmdLLen},
		&Command{Name: "lrange", Arity: 4, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, ACL: rs, Group: "list", Summary: "Get a range of elements from a list", Since: "1.0.0", Handler: cmdLRange},
		&Command{Name: "lindex", Arity: 3, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, ACL: rs, Group: "list", Summary: "Get an element from a list by its index", Since: "1.0.0", Handler: cmdLIndex},
		&Command{Name: "lset", Arity: 4, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1, ACL: ws, Group: "list", Summary: "Set the value of an element in a list by its index", Since: "1.0.0", Handler: cmdLSet},
		&Command{Name: "linsert", Arity: 5, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1, ACL: ws, Group: "list", Summary: "Insert an element before or after another element in a list", Since: "2.2.0", Handler: cmdLInsert},
		&Command{Name: "lrem", Arity: 4, Flags: FlagWrite, FirstKey: 1, LastKey: 1, Step: 1, ACL: ws, Group: "list", Summary: "Remove elements from a list", Since: "1.0.0", Handler: cmdLRem},
		&Command{Name: "ltrim", Arity: 4, Flags: FlagWrite, FirstKey: 1, LastKey: 1, Step: 1, ACL: ws, Group: "list", Summary: "Trim a list to the specified range", Since: "1.0.0", Handler: cmdLTrim},
		&Command{Name: "lpos", Arity: -3, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, ACL: rs, Group: "list", Summary: "Return the index of matching elements on a list", Since: "6.0.6", Handler: cmdLPos},
		&Command{Name: "lmove", Arity: 5, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 2, Step: 1, ACL: ws, Group: "list", Summary: "Pop an element from a list, push it to another list and return it", Since: "6.2.0", Handler: cmdLMove},
		&Command{Name: "rpoplpush", Arity: 3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 2, Step: 1, ACL: ws, Group: "list", Summary: "Remove the last element in a list, prepend it to another list and return it", Since: "1.2.0", Handler: cmdRPopLPush},
		// Redis reports LMPOP's keys as movablekeys (a keynum spec):
		// COMMAND INFO shows first/last/step 0.
		&Command{Name: "lmpop", Arity: -4, Flags: FlagWrite, KeyNum: 1, ACL: ws, Group: "list", Summary: "Pop elements from a list", Since: "7.0.0", Handler: cmdLMPop},
	)
}

// ---- shared by the list commands and their blocking forms ----

// pushEvent and popEvent are the keyspace events of a push and a pop at
// a list end.
func pushEvent(left bool) string {
	if left {
		return "lpush"
	}
	return "rpush"
}

func popEvent(left bool) string {
	if left {
		return "lpop"
	}
	return "rpop"
}

// sideOf is the op side of a list end.
func sideOf(left bool) uint8 {
	if left {
		return sideLeft
	}
	return sideRight
}

// listEnd parses LEFT or RIGHT (any case); ok is false when the syntax
// error was replied.
func (c *Ctx) listEnd(arg []byte) (left, ok bool) {
	switch {
	case eqFold(arg, "left"):
		return true, true
	case eqFold(arg, "right"):
		return false, true
	}
	c.Error(errSyntax)
	return false, false
}

// elemsFit replies "Element too large" and reports false when one of vals
// is longer than a list element may be.
func (c *Ctx) elemsFit(vals ...[]byte) bool {
	for _, v := range vals {
		if len(v) > listMaxItemSize {
			c.Error(errElemTooLarge)
			return false
		}
	}
	return true
}

// listLen is the length of key's list, 0 when it has none.
func (c *Ctx) listLen(key []byte) int {
	if l, ok := c.DB.lists.Get(c.phys(), key); ok {
		return l.Len()
	}
	return 0
}

// pushList pushes vals, in order, at the left or right end of key, which
// the caller has checked is absent or a list, creating the key when it is
// absent, and signals the push. It returns the list's new length.
func (c *Ctx) pushList(key []byte, left, exists bool, vals [][]byte) int {
	if exists {
		c.touch(key)
	} else {
		c.createKey(key, memtables.TypeList)
	}
	c.emit(&op{code: opLPush, phys: c.phys(), key: key, side: sideOf(left), vals: vals})
	c.notify(NotifyList, pushEvent(left), key)
	return c.listLen(key)
}

// takeList logs the pop of up to count elements from an end of key, a
// live non-empty list, and returns them in pop order (copies: the reply
// outlives the list's buffers). The key is left to the caller: it may be
// empty now.
func (c *Ctx) takeList(key []byte, left bool, count int) [][]byte {
	phys := c.phys()
	l, _ := c.DB.lists.Get(phys, key)
	n := min(count, l.Len())
	out := make([][]byte, 0, n)
	from := 0
	if !left {
		from = l.Len() - n
	}
	l.Range(from, from+n-1, func(v []byte) bool {
		out = append(out, bytes.Clone(v))
		return true
	})
	if !left {
		slices.Reverse(out)
	}
	c.emit(&op{code: opLPop, phys: phys, key: key, side: sideOf(left), count: int64(n)})
	return out
}

// popList pops up to count elements from the left or right end of key, a
// live non-empty list (the caller has looked it up for a write and
// checked its type), and returns them in pop order: LPOP, RPOP, LMPOP and
// the blocking pops. It logs and signals the pop, deletes the key when the
// list is emptied, and touches it for WATCH.
func (c *Ctx) popList(key []byte, left bool, count int) [][]byte {
	out := c.takeList(key, left, count)
	c.notify(NotifyList, popEvent(left), key)
	c.dropIfEmpty(key, memtables.TypeList)
	return out
}

// popOneReply is popList of one element that replies with it (LPOP and
// RPOP without a count): the reply copies the element from the list
// before the pop is logged, so nothing is collected or cloned.
func (c *Ctx) popOneReply(key []byte, left bool) {
	phys := c.phys()
	l, _ := c.DB.lists.Get(phys, key)
	i := 0
	if !left {
		i = l.Len() - 1
	}
	v, _ := l.Index(i)
	c.R.Bulk(v)
	c.emit(&op{code: opLPop, phys: phys, key: key, side: sideOf(left), count: 1})
	c.notify(NotifyList, popEvent(left), key)
	c.dropIfEmpty(key, memtables.TypeList)
}

// moveList pops one element from an end of src, a live non-empty list
// (looked up for a write and type-checked by the caller), pushes it at an
// end of dst and returns it: LMOVE, RPOPLPUSH and their blocking forms.
// dst is looked up for a write (an expired dst is deleted) and created
// when absent; when it holds another type nothing changes and ok is false
// (the caller replies WRONGTYPE or keeps waiting). src == dst rotates the
// list: the key, its expiry and version stay, even when it has one
// element. As in Redis's lmoveGenericCommand, the push is signalled
// before the pop (and dst before src's deletion).
func (c *Ctx) moveList(src, dst []byte, srcLeft, dstLeft bool) (v []byte, ok bool) {
	e, exists := c.lookupWrite(dst)
	if exists && e.Type != memtables.TypeList {
		return nil, false
	}
	v = c.takeList(src, srcLeft, 1)[0]
	if bytes.Equal(src, dst) {
		// The pop may have emptied (and so removed) the value; the push
		// recreates it under the same keyspace entry.
		c.emit(&op{code: opLPush, phys: c.phys(), key: dst, side: sideOf(dstLeft), vals: [][]byte{v}})
		c.touch(dst)
		c.notify(NotifyList, pushEvent(dstLeft), dst)
		c.notify(NotifyList, popEvent(srcLeft), src)
		return v, true
	}
	c.pushList(dst, dstLeft, exists, [][]byte{v})
	c.notify(NotifyList, popEvent(srcLeft), src)
	c.dropIfEmpty(src, memtables.TypeList)
	return v, true
}

// replyKeyElems writes LMPOP's (and BLMPOP's) reply: the key and the
// popped elements.
func (c *Ctx) replyKeyElems(key []byte, vals [][]byte) {
	c.R.Array(2)
	c.R.Bulk(key)
	c.replyElems(vals)
}

func (c *Ctx) replyElems(vals [][]byte) {
	c.R.Array(len(vals))
	for _, v := range vals {
		c.R.Bulk(v)
	}
}

// listRange normalizes a Redis start..stop range (negative from the tail)
// over a list of n elements, as addListRangeReply and LTRIM do; ok is
// false when the range is empty.
func listRange(start, stop int64, n int) (s, e int, ok bool) {
	ln := int64(n)
	if start < 0 {
		start += ln
	}
	if stop < 0 {
		stop += ln
	}
	start = max(start, 0)
	if start > stop || start >= ln {
		return 0, 0, false
	}
	return int(start), int(min(stop, ln-1)), true
}

// listIndex normalizes a Redis index (negative from the tail) over a list
// of n elements; ok is false when it is out of range.
func listIndex(i int64, n int) (int, bool) {
	if i < 0 {
		i += int64(n)
	}
	if i < 0 || i >= int64(n) {
		return 0, false
	}
	return int(i), true
}

// ---- the commands ----

func cmdLPush(c *Ctx)  { pushCommand(c, true, false) }
func cmdRPush(c *Ctx)  { pushCommand(c, false, false) }
func cmdLPushX(c *Ctx) { pushCommand(c, true, true) }
func cmdRPushX(c *Ctx) { pushCommand(c, false, true) }

// pushCommand is LPUSH, RPUSH and (xx: only onto an existing list) LPUSHX
// and RPUSHX.
func pushCommand(c *Ctx, left, xx bool) {
	key, vals := c.Args[1], c.Args[2:]
	if !c.elemsFit(vals...) {
		return
	}
	_, found, ok := c.writeList(key)
	if !ok {
		return
	}
	if !found && xx {
		c.R.Int(0)
		return
	}
	c.R.Int(int64(c.pushList(key, left, found, vals)))
}

func cmdLPop(c *Ctx) { popCommand(c, true) }
func cmdRPop(c *Ctx) { popCommand(c, false) }

// popCommand is LPOP and RPOP: one element as a bulk string, or with a
// count an array of up to count elements (empty for a count of 0, a null
// array for a missing key).
func popCommand(c *Ctx, left bool) {
	if len(c.Args) > 3 {
		c.Error(fmt.Sprintf("ERR wrong number of arguments for '%s' command", c.Cmd.Name))
		return
	}
	hasCount := len(c.Args) == 3
	count := 1
	if hasCount {
		n, ok := parseInt(c.Args[2])
		if !ok || n < 0 {
			c.Error(errPopCount)
			return
		}
		count = int(n)
	}
	key := c.Args[1]
	_, found, ok := c.writeList(key)
	if !ok {
		return
	}
	switch {
	case !found && hasCount:
		c.R.NullArray()
	case !found:
		c.R.Null()
	case !hasCount:
		c.popOneReply(key, left)
	case count == 0:
		c.R.Array(0)
	default:
		c.replyElems(c.popList(key, left, count))
	}
}

func cmdLLen(c *Ctx) {
	l, found, ok := c.readList(c.Args[1])
	if !ok {
		return
	}
	if !found {
		c.R.Int(0)
		return
	}
	c.R.Int(int64(l.Len()))
}

func cmdLRange(c *Ctx) {
	start, ok1 := parseInt(c.Args[2])
	stop, ok2 := parseInt(c.Args[3])
	if !ok1 || !ok2 {
		c.Error(errNotInt)
		return
	}
	l, found, ok := c.readList(c.Args[1])
	if !ok {
		return
	}
	if !found {
		c.R.Array(0)
		return
	}
	s, e, ok := listRange(start, stop, l.Len())
	if !ok {
		c.R.Array(0)
		return
	}
	c.R.Array(e - s + 1)
	l.Range(s, e, func(v []byte) bool {
		c.R.Bulk(v)
		return true
	})
}

func cmdLIndex(c *Ctx) {
	l, found, ok := c.readList(c.Args[1])
	if !ok {
		return
	}
	if !found {
		c.R.Null()
		return
	}
	i, ok := parseInt(c.Args[2])
	if !ok {
		c.Error(errNotInt)
		return
	}
	idx, ok := listIndex(i, l.Len())
	if !ok {
		c.R.Null()
		return
	}
	v, _ := l.Index(idx)
	c.R.Bulk(v)
}

func cmdLSet(c *Ctx) {
	key, val := c.Args[1], c.Args[3]
	l, found, ok := c.writeList(key)
	if !ok {
		return
	}
	if !found {
		c.Error(errNoSuchKey)
		return
	}
	if !c.elemsFit(val) {
		return
	}
	i, ok := parseInt(c.Args[2])
	if !ok {
		c.Error(errNotInt)
		return
	}
	idx, ok := listIndex(i, l.Len())
	if !ok {
		c.Error(errIndexRange)
		return
	}
	c.emit(&op{code: opLSet, phys: c.phys(), key: key, offset: int64(idx), val: val})
	c.touch(key)
	c.notify(NotifyList, "lset", key)
	c.OK()
}

// cmdLInsert inserts before or after the first element (from the head)
// equal to the pivot: the new length, -1 when the pivot is absent, 0 when
// the key is.
func cmdLInsert(c *Ctx) {
	key, pivot, val := c.Args[1], c.Args[3], c.Args[4]
	var side uint8
	switch {
	case eqFold(c.Args[2], "after"):
		side = sideRight
	case eqFold(c.Args[2], "before"):
		side = sideLeft
	default:
		c.Error(errSyntax)
		return
	}
	if !c.elemsFit(val) {
		return
	}
	l, found, ok := c.writeList(key)
	if !ok {
		return
	}
	if !found {
		c.R.Int(0)
		return
	}
	if len(l.Pos(pivot, 1, 1, 0)) == 0 {
		c.R.Int(-1)
		return
	}
	c.emit(&op{code: opLInsert, phys: c.phys(), key: key, side: side, val2: pivot, val: val})
	c.touch(key)
	c.notify(NotifyList, "linsert", key)
	c.R.Int(int64(c.listLen(key)))
}

// cmdLRem removes the first count elements equal to the value from the
// head (count > 0), the last -count from the tail (count < 0), or all
// (count 0; also math.MinInt64, whose negation Redis never reaches).
func cmdLRem(c *Ctx) {
	key, val := c.Args[1], c.Args[3]
	if !c.elemsFit(val) {
		return
	}
	count, ok := parseInt(c.Args[2])
	if !ok {
		c.Error(errNotInt)
		return
	}
	l, found, ok := c.writeList(key)
	if !ok {
		return
	}
	if !found {
		c.R.Int(0)
		return
	}
	limit := int64(0) // all
	if count > 0 {
		limit = count
	} else if count < 0 && count != math.MinInt64 {
		limit = -count
	}
	matches := int64(0)
	l.Range(0, l.Len()-1, func(v []byte) bool {
		if bytes.Equal(v, val) {
			matches++
		}
		return limit == 0 || matches < limit
	})
	if matches == 0 {
		c.R.Int(0)
		return
	}
	c.emit(&op{code: opLRem, phys: c.phys(), key: key, count: count, val: val})
	c.notify(NotifyList, "lrem", key)
	c.dropIfEmpty(key, memtables.TypeList)
	c.R.Int(matches)
}

// cmdLTrim keeps start..stop. Like Redis it signals the key as modified
// (WATCH, and the ltrim event) even when nothing was trimmed.
func cmdLTrim(c *Ctx) {
	start, ok1 := parseInt(c.Args[2])
	stop, ok2 := parseInt(c.Args[3])
	if !ok1 || !ok2 {
		c.Error(errNotInt)
		return
	}
	key := c.Args[1]
	l, found, ok := c.writeList(key)
	if !ok {
		return
	}
	if !found {
		c.OK()
		return
	}
	n := l.Len()
	s, e, keep := listRange(start, stop, n)
	if !keep {
		s, e = 1, 0 // the empty range: the list goes
	}
	if s > 0 || e < n-1 {
		c.emit(&op{code: opLTrim, phys: c.phys(), key: key, count: int64(s), stop: int64(e)})
	}
	c.notify(NotifyList, "ltrim", key)
	c.dropIfEmpty(key, memtables.TypeList)
	c.OK()
}

// cmdLPos finds the indexes of elements equal to the value: RANK picks
// the first match to report (negative: scanning from the tail), COUNT how
// many (0: all; without it one index or null), MAXLEN how many elements
// to compare (0: all).
func cmdLPos(c *Ctx) {
	key, val := c.Args[1], c.Args[2]
	if !c.elemsFit(val) {
		return
	}
	rank, count, maxlen := int64(1), int64(-1), int64(0)
	args := c.Args
	for j := 3; j < len(args); j++ {
		more := j+1 < len(args)
		switch {
		case more && eqFold(args[j], "rank"):
			j++
			n, ok := parseInt(args[j])
			if !ok {
				c.Error(errNotInt)
				return
			}
			if n == 0 {
				c.Error(errLPosRankZero)
				return
			}
			rank = n
		case more && eqFold(args[j], "count"):
			j++
			n, ok := parseInt(args[j])
			if !ok || n < 0 {
				c.Error(errLPosCount)
				return
			}
			count = n
		case more && eqFold(args[j], "maxlen"):
			j++
			n, ok := parseInt(args[j])
			if !ok || n < 0 {
				c.Error(errLPosMaxLen)
				return
			}
			maxlen = n
		default:
			c.Error(errSyntax)
			return
		}
	}
	l, found, ok := c.readList(key)
	if !ok {
		return
	}
	if !found {
		if count != -1 {
			c.R.Array(0)
		} else {
			c.R.Null()
		}
		return
	}
	want := count
	switch {
	case count == -1:
		want = 1
	case rank == math.MinInt64:
		// Redis negates the rank in place; -LONG_MIN stays negative, its
		// "matches-rank+1 >= count" overflows and never stops the scan:
		// every match from the tail.
		want = 0
	}
	idx := l.Pos(val, int(rank), int(want), int(maxlen))
	if count != -1 {
		c.R.Array(len(idx))
		for _, i := range idx {
			c.R.Int(int64(i))
		}
		return
	}
	if len(idx) == 0 {
		c.R.Null()
		return
	}
	c.R.Int(int64(idx[0]))
}

func cmdLMove(c *Ctx) {
	from, ok := c.listEnd(c.Args[3])
	if !ok {
		return
	}
	to, ok := c.listEnd(c.Args[4])
	if !ok {
		return
	}
	moveCommand(c, from, to)
}

func cmdRPopLPush(c *Ctx) { moveCommand(c, false, true) }

// moveCommand is LMOVE and RPOPLPUSH: null when the source is missing.
func moveCommand(c *Ctx, from, to bool) {
	src, dst := c.Args[1], c.Args[2]
	_, found, ok := c.writeList(src)
	if !ok {
		return
	}
	if !found {
		c.R.Null()
		return
	}
	v, ok := c.moveList(src, dst, from, to)
	if !ok {
		c.Error(errWrongType)
		return
	}
	c.R.Bulk(v)
}

// cmdLMPop pops from the first of the keys that holds a non-empty list;
// a key of another type before it is an error.
func cmdLMPop(c *Ctx) {
	keys, left, count, ok := c.mpopArgs(1, c.listEnd)
	if !ok {
		return
	}
	key, found, ok := c.firstOfType(keys, memtables.TypeList)
	switch {
	case !ok:
	case !found:
		c.R.NullArray()
	default:
		c.replyKeyElems(key, c.popList(key, left, count))
	}
}
