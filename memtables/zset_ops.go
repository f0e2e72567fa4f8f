package memtables

// Read methods of ZSet that the sorted set commands need beyond zset.go.

// At returns the member and score at position i, 0 <= i < Len(), of the
// member table (zset_dict.go): an order that is neither score nor
// insertion order, for uniform random picks (ZRANDMEMBER) and cursor
// scans (ZSCAN).
//
// Add appends a new member at position Len(), a score change keeps the
// position, and Remove moves the last entry into the hole, so a member
// only ever moves to a lower position. A scan that visits positions from
// the highest down therefore returns every member present for the whole
// scan, whatever writes happen between its calls, as Redis's SCAN
// guarantees. Checkpoints write and reload the table in this order.
func (z *ZSet) At(i int) (member string, score float64) {
	e := z.entry(i)
	return e.member, e.score
}

// CountRemoveLex returns how many members RemoveRangeByLex(r) would
// remove. It equals CountLex(r) when all scores are equal (the only case
// Redis specifies); with mixed scores it follows the removal's own walk,
// so that ZREMRANGEBYLEX replies with what its op removes.
func (z *ZSet) CountRemoveLex(r LexRange) int {
	_, n := z.removeLexRun(&r)
	return n
}
