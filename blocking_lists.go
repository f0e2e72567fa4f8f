package keel

import (
	"slices"
	"time"

	"github.com/keeldb/keel/memtables"
)

// The blocking list commands: BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP, as
// Redis 7.0's blockingPopGenericCommand, blmoveGenericCommand and
// serveClientBlockedOnList (t_list.c, blocked.c). With something to take
// they behave like their non-blocking forms; otherwise they wait
// (blocking.go), or inside MULTI answer as if the timeout had expired.

func init() {
	ws := []string{"write", "list", "slow", "blocking"}
	Register(
		&Command{Name: "blpop", Arity: -3, Flags: FlagWrite | FlagBlocking | FlagNoScript, FirstKey: 1, LastKey: -2, Step: 1, ACL: ws, Group: "list", Summary: "Remove and get the first element in a list, or block until one is available", Since: "2.0.0", Handler: cmdBLPop},
		&Command{Name: "brpop", Arity: -3, Flags: FlagWrite | FlagBlocking | FlagNoScript, FirstKey: 1, LastKey: -2, Step: 1, ACL: ws, Group: "list", Summary: "Remove and get the last element in a list, or block until one is available", Since: "2.0.0", Handler: cmdBRPop},
		&Command{Name: "brpoplpush", Arity: 4, Flags: FlagWrite | FlagDenyOOM | FlagBlocking | FlagNoScript, FirstKey: 1, LastKey: 2, Step: 1, ACL: ws, Group: "list", Summary: "Pop an element from a list, push it to another list and return it; or block until one is available", Since: "2.2.0", Handler: cmdBRPopLPush},
		&Command{Name: "blmove", Arity: 6, Flags: FlagWrite | FlagDenyOOM | FlagBlocking | FlagNoScript, FirstKey: 1, LastKey: 2, Step: 1, ACL: ws, Group: "list", Summary: "Pop an element from a list, push it to another list and return it; or block until one is available", Since: "6.2.0", Handler: cmdBLMove},
		// Like LMPOP, BLMPOP's keys are movable (COMMAND INFO shows 0 0 0).
		&Command{Name: "blmpop", Arity: -5, Flags: FlagWrite | FlagBlocking, KeyNum: 2, ACL: ws, Group: "list", Summary: "Pop elements from a list, or block until one is available", Since: "7.0.0", Handler: cmdBLMPop},
	)
}

func cmdBLPop(c *Ctx) { blockingPop(c, c.Args[1:len(c.Args)-1], true, len(c.Args)-1, -1) }
func cmdBRPop(c *Ctx) { blockingPop(c, c.Args[1:len(c.Args)-1], false, len(c.Args)-1, -1) }

// cmdBLMPop: BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT n].
// The arguments after the timeout are checked first, then the timeout.
func cmdBLMPop(c *Ctx) {
	keys, left, count, ok := c.mpopArgs(2, c.listEnd)
	if !ok {
		return
	}
	blockingPop(c, keys, left, 1, count)
}

// blockingPop is BLPOP, BRPOP (count -1: one element, replied with its
// key) and BLMPOP (count >= 1: up to count elements, replied as LMPOP
// does). The first key in order that holds a non-empty list is popped; a
// key of another type before it is an error.
func blockingPop(c *Ctx, keys [][]byte, left bool, timeoutIdx, count int) {
	deadline, ok := c.parseTimeout(c.Args[timeoutIdx])
	if !ok {
		return
	}
	if key, found, ok := c.firstOfType(keys, memtables.TypeList); !ok || found {
		if ok {
			replyPop(c, key, left, count)
		}
		return
	}
	if !c.canBlock() {
		c.R.NullArray()
		return
	}
	c.block(slices.Clone(keys), deadline, func(c *Ctx, key []byte) bool {
		if !c.holds(key, memtables.TypeList) {
			return false
		}
		replyPop(c, key, left, count)
		return true
	}, Reply.NullArray)
}

// replyPop pops from key, a non-empty list, and replies as BLPOP (count
// -1) or BLMPOP does.
func replyPop(c *Ctx, key []byte, left bool, count int) {
	if count < 0 {
		v := c.popList(key, left, 1)
		c.R.Array(2)
		c.R.Bulk(key)
		c.R.Bulk(v[0])
		return
	}
	c.replyKeyElems(key, c.popList(key, left, count))
}

func cmdBRPopLPush(c *Ctx) {
	deadline, ok := c.parseTimeout(c.Args[3])
	if !ok {
		return
	}
	blockingMove(c, false, true, deadline)
}

func cmdBLMove(c *Ctx) {
	from, ok := c.listEnd(c.Args[3])
	if !ok {
		return
	}
	to, ok := c.listEnd(c.Args[4])
	if !ok {
		return
	}
	deadline, ok := c.parseTimeout(c.Args[5])
	if !ok {
		return
	}
	blockingMove(c, from, to, deadline)
}

// blockingMove is BLMOVE and BRPOPLPUSH: LMOVE when the source holds a
// list; otherwise wait for one. Served later, a destination of another
// type answers WRONGTYPE and ends the wait without taking anything, as
// in Redis.
func blockingMove(c *Ctx, from, to bool, deadline time.Time) {
	src, dst := slices.Clone(c.Args[1]), slices.Clone(c.Args[2])
	_, found, ok := c.writeList(src)
	if !ok {
		return
	}
	if found {
		moveCommand(c, from, to)
		return
	}
	if !c.canBlock() {
		c.R.Null()
		return
	}
	c.block([][]byte{src}, deadline, func(c *Ctx, key []byte) bool {
		if !c.holds(key, memtables.TypeList) {
			return false
		}
		v, ok := c.moveList(src, dst, from, to)
		if !ok {
			c.Error(errWrongType)
			return true
		}
		c.R.Bulk(v)
		return true
	}, Reply.NullArray)
}
