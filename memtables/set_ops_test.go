package memtables

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestSetAtOrder checks that At numbers the members in ForEach order, for
// both encodings.
func TestSetAtOrder(t *testing.T) {
	for _, members := range [][]string{{"3", "-1", "20"}, {"a", "1", "bb", "-7"}} {
		s := NewSet()
		for _, m := range members {
			s.Add([]byte(m))
		}
		i := 0
		s.ForEach(func(m []byte) bool {
			if got := s.At(i); !bytes.Equal(got, m) {
				t.Fatalf("At(%d) = %q, ForEach gave %q", i, got, m)
			}
			i++
			return true
		})
		if i != s.Len() {
			t.Fatalf("ForEach visited %d members, Len %d", i, s.Len())
		}
	}
}

// TestSetAtDescendingScan checks the property SSCAN relies on: visiting
// positions from the highest down, a few at a time with random adds and
// removes in between, returns every member present for the whole scan.
func TestSetAtDescendingScan(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 200; round++ {
		s := NewSet()
		for i := 0; i < 50+r.IntN(200); i++ {
			s.Add([]byte("m" + strconv.Itoa(r.IntN(400))))
		}
		stable := map[string]bool{} // present from start to end
		s.ForEach(func(m []byte) bool {
			stable[string(m)] = true
			return true
		})
		seen := map[string]bool{}
		pos := s.Len() - 1
		for pos >= 0 {
			for n := 1 + r.IntN(5); n > 0 && pos >= 0; n-- {
				seen[string(s.At(pos))] = true
				pos--
			}
			for w := r.IntN(6); w > 0; w-- {
				m := []byte("m" + strconv.Itoa(r.IntN(400)))
				if r.IntN(2) == 0 {
					s.Add(m)
				} else if s.Remove(m) {
					delete(stable, string(m))
				}
			}
			pos = min(pos, s.Len()-1)
		}
		for m := range stable {
			if !seen[m] {
				t.Fatalf("round %d: member %q present for the whole scan was not visited", round, m)
			}
		}
	}
}
