package memtables

import "strconv"

// At returns the member at position i, 0 <= i < Len(): positions number
// the members in ForEach order (an intset's ascending order, a hash
// table's dense slots). An intset member is a fresh slice; a hash-table
// member must not be modified and stays valid after later writes.
//
// In a hash table, Add appends at position Len() and Remove moves the
// last member into the hole, so a member only ever moves to a lower
// position. A scan that visits positions from the highest down (SSCAN)
// therefore returns every member present for the whole scan, whatever
// writes happen between its calls, as Redis's SCAN guarantees.
func (s *Set) At(i int) []byte {
	if !s.hashed {
		return strconv.AppendInt(nil, s.ints[i], 10)
	}
	return s.member(s.at(i))
}
