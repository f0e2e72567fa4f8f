package keel

import (
	"slices"

	"github.com/keeldb/keel/memtables"
)

// The blocking sorted set pops: BZPOPMIN BZPOPMAX BZMPOP, as Redis 7.0's
// blockingGenericZpopCommand and serveClientsBlockedOnSortedSetKey: the
// first key in order holding a non-empty zset is popped, a key of another
// type before it is an error; otherwise the command waits (blocking.go),
// or inside MULTI answers as if the timeout had expired.

func init() {
	wf := []string{"write", "sortedset", "fast", "blocking"}
	ws := []string{"write", "sortedset", "slow", "blocking"}
	Register(
		&Command{Name: "bzpopmin", Arity: -3, Flags: FlagWrite | FlagFast | FlagBlocking | FlagNoScript, FirstKey: 1, LastKey: -2, Step: 1, ACL: wf, Group: "sorted_set", Summary: "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available", Since: "5.0.0", Handler: cmdBZPopMin},
		&Command{Name: "bzpopmax", Arity: -3, Flags: FlagWrite | FlagFast | FlagBlocking | FlagNoScript, FirstKey: 1, LastKey: -2, Step: 1, ACL: wf, Group: "sorted_set", Summary: "Remove and return the member with the highest score from one or more sorted sets, or block until one is available", Since: "5.0.0", Handler: cmdBZPopMax},
		&Command{Name: "bzmpop", Arity: -5, Flags: FlagWrite | FlagBlocking, KeyNum: 2, ACL: ws, Group: "sorted_set", Summary: "Remove and return members with scores in a sorted set or block until one is available", Since: "7.0.0", Handler: cmdBZMPop},
	)
}

func cmdBZPopMin(c *Ctx) { blockingZPop(c, c.Args[1:len(c.Args)-1], false, len(c.Args)-1, -1) }
func cmdBZPopMax(c *Ctx) { blockingZPop(c, c.Args[1:len(c.Args)-1], true, len(c.Args)-1, -1) }

// cmdBZMPop: BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT n]; the
// arguments after the timeout are checked first.
func cmdBZMPop(c *Ctx) {
	keys, highest, count, ok := c.mpopArgs(2, c.zsetEnd)
	if !ok {
		return
	}
	blockingZPop(c, keys, highest, 1, count)
}

// blockingZPop is BZPOPMIN/BZPOPMAX (count -1: one member, replied flat
// with its key) and BZMPOP (count >= 1, replied as ZMPOP).
func blockingZPop(c *Ctx, keys [][]byte, highest bool, timeoutIdx, count int) {
	deadline, ok := c.parseTimeout(c.Args[timeoutIdx])
	if !ok {
		return
	}
	if key, found, ok := c.firstOfType(keys, memtables.TypeZSet); !ok || found {
		if ok {
			replyZPop(c, key, highest, count)
		}
		return
	}
	if !c.canBlock() {
		c.R.NullArray()
		return
	}
	c.block(slices.Clone(keys), deadline, func(c *Ctx, key []byte) bool {
		if !c.holds(key, memtables.TypeZSet) {
			return false
		}
		replyZPop(c, key, highest, count)
		return true
	}, Reply.NullArray)
}

// replyZPop pops from key, a non-empty zset: [key, member, score] for
// count -1, ZMPOP's reply otherwise.
func replyZPop(c *Ctx, key []byte, highest bool, count int) {
	if count < 0 {
		e := c.popZSet(key, highest, 1)[0]
		c.R.Array(3)
		c.R.Bulk(key)
		c.R.BulkString(e.Member)
		c.R.Double(e.Score)
		return
	}
	c.replyZMPop(key, c.popZSet(key, highest, count))
}
