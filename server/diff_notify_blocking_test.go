package server

import "testing"

// Differential tests of the keyspace notifications of the blocking list
// and sorted set commands: the blocking cases (diff_blocking_test.go,
// same syntax) run again with every class enabled, and the events each
// step caused on each server are compared, in order. A push that serves
// waiters publishes their pops' events too, in the waiters' databases,
// before it replies (keel serves under the same lock, as Redis serves
// before the next command), so the step of the push shows them.

// notifyBlockingCases are the blocking cases whose events need more than
// the replies to check: the order of a served move's push and pop, a
// waiter in another database than the write that serves it, a served
// pop that empties the key, a destination that expired.
var notifyBlockingCases = []diffCase{
	dc("events/blpop_served_deletes", `1< BLPOP q 0`, `2> RPUSH q a`, `@READ 1`, `2> RPUSH q a b`, `1> BLPOP q 0`, `1> BRPOP q 0`),
	dc("events/blmove_served_push_then_pop", `1< BLMOVE src dst RIGHT LEFT 0`, `2> RPUSH src a b`, `@READ 1`,
		`1< BRPOPLPUSH src dst 0`, `2> LPOP src`, `2> LPUSH src c`, `@READ 1`),
	dc("events/blmove_same_key", `1< BLMOVE q q LEFT RIGHT 0`, `2> RPUSH q a`, `@READ 1`, `1> BLMOVE q q RIGHT LEFT 0`),
	// PEXPIRE 30, not 1: Redis 7.0 checks a new expiry against the clock
	// (mstime), not its command's time, so a 1 ms TTL is sometimes already
	// past there (a "del" event instead of "expire").
	dc("events/blmove_dst_expired", `3> DEBUG SET-ACTIVE-EXPIRE 0`, `2> RPUSH dst z`, `2> PEXPIRE dst 30`, `@SLEEP 60`,
		`1< BLMOVE src dst LEFT LEFT 0`, `2> RPUSH src a`, `@READ 1`, `3> DEBUG SET-ACTIVE-EXPIRE 1`),
	dc("events/blmove_dst_wrongtype", `2> SET dst x`, `1< BLMOVE src dst LEFT LEFT 0`, `2> RPUSH src a`, `@READ 1`),
	dc("events/waiter_in_other_db_move", `1> SELECT 3`, `1< BLPOP q 0`, `2< BZPOPMIN z 0`, `3> RPUSH q a b`, `3> MOVE q 3`,
		`@READ 1`, `3> ZADD z 1 a`, `@READ 2`),
	// One waited key per swapped database: SWAPDB serves the keys of a
	// database in no order that keel follows (Redis: its dict's).
	dc("events/waiter_in_other_db_swapdb", `1> SELECT 4`, `1< BLMPOP 0 2 k1 k2 RIGHT COUNT 5`, `2> SELECT 5`,
		`2< BZMPOP 0 1 z MAX COUNT 2`, `3> SELECT 5`, `3> RPUSH k2 a b`, `3> SELECT 4`, `3> ZADD z 1 a 2 b 3 c`,
		`3> SWAPDB 4 5`, `@READ 1`, `@READ 2`),
	dc("events/waiter_in_other_db_copy", `1> SELECT 2`, `1< BLMOVE l d LEFT RIGHT 0`, `3> RPUSH l a`, `3> COPY l l DB 2`, `@READ 1`),
	dc("events/served_by_exec", `1< BLPOP a 0`, `2< BZPOPMAX z 0`, `3> MULTI`, `3> RPUSH a x`, `3> ZADD z 1 m 2 n`,
		`3> RPUSH a y`, `3> EXEC`, `@READ 1`, `@READ 2`),
	dc("events/chain_of_moves", `1< BLMOVE a b LEFT LEFT 0`, `2< BLMOVE b c RIGHT RIGHT 0`, `3< BLMPOP 0 1 c LEFT COUNT 3`,
		`4> RPUSH a x y`, `@READ 1`, `@READ 2`, `@READ 3`),
	dc("events/bzpop_served_deletes", `1< BZPOPMIN z 0`, `2< BZMPOP 0 2 y z MIN COUNT 10`, `3> ZADD z 1 a 2 b 3 c`, `@READ 1`, `@READ 2`),
	dc("events/immediate_and_multi", `1> RPUSH l a b c`, `1> ZADD z 1 a 2 b`, `1> BLMPOP 0 1 l LEFT COUNT 2`,
		`1> BZMPOP 0 1 z MAX COUNT 5`, `1> MULTI`, `1> BLPOP l 0`, `1> BRPOP nokey 0`, `1> BZPOPMIN nokey 0`, `1> EXEC`),
}

func TestDiffNotifyBlocking(t *testing.T) {
	t.Parallel()
	p := newPair(t)
	cases := append(append([]diffCase(nil), blockingCases...), notifyBlockingCases...)
	runBlockingCasesEvents(t, p, cases, "KEAnm")
}
