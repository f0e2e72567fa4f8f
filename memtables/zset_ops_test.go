package memtables

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestZSetAtTable checks that At enumerates every member once with its
// current score.
func TestZSetAtTable(t *testing.T) {
	z := NewZSet()
	want := map[string]float64{}
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 500; i++ {
		m := "m" + strconv.Itoa(r.IntN(300))
		switch r.IntN(3) {
		case 0:
			if z.Remove(m) {
				delete(want, m)
			}
		default:
			s := float64(r.IntN(50))
			z.Add(m, s)
			want[m] = s
		}
	}
	if z.Len() != len(want) {
		t.Fatalf("Len %d, want %d", z.Len(), len(want))
	}
	seen := map[string]bool{}
	for i := 0; i < z.Len(); i++ {
		m, s := z.At(i)
		if seen[m] {
			t.Fatalf("At(%d) = %q twice", i, m)
		}
		seen[m] = true
		if w, ok := want[m]; !ok || w != s {
			t.Fatalf("At(%d) = %q %v, want score %v (present %v)", i, m, s, w, ok)
		}
	}
}

// TestZSetAtDescendingScan checks the property ZSCAN relies on: visiting
// positions from the highest down, a few at a time with random adds,
// score changes and removes in between, returns every member present for
// the whole scan.
func TestZSetAtDescendingScan(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for round := 0; round < 200; round++ {
		z := NewZSet()
		for i := 0; i < 50+r.IntN(200); i++ {
			z.Add("m"+strconv.Itoa(r.IntN(400)), float64(r.IntN(10)))
		}
		stable := map[string]bool{}
		z.ForEach(func(m string, _ float64) bool {
			stable[m] = true
			return true
		})
		seen := map[string]bool{}
		pos := z.Len() - 1
		for pos >= 0 {
			for n := 1 + r.IntN(5); n > 0 && pos >= 0; n-- {
				m, _ := z.At(pos)
				seen[m] = true
				pos--
			}
			for w := r.IntN(6); w > 0; w-- {
				m := "m" + strconv.Itoa(r.IntN(400))
				if r.IntN(2) == 0 {
					z.Add(m, float64(r.IntN(10)))
				} else if z.Remove(m) {
					delete(stable, m)
				}
			}
			pos = min(pos, z.Len()-1)
		}
		for m := range stable {
			if !seen[m] {
				t.Fatalf("round %d: member %q present throughout was not returned", round, m)
			}
		}
	}
}

// TestZSetCountRemoveLex checks CountRemoveLex against RemoveRangeByLex,
// with equal scores (where it equals CountLex) and mixed ones.
func TestZSetCountRemoveLex(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	bound := func() []byte { return []byte{byte('a' + r.IntN(12))} }
	for round := 0; round < 2000; round++ {
		mixed := round%2 == 1
		z := NewZSet()
		for i := 0; i < r.IntN(30); i++ {
			s := 0.0
			if mixed {
				s = float64(r.IntN(3))
			}
			z.Add(string([]byte{byte('a' + r.IntN(12)), byte('a' + r.IntN(3))}), s)
		}
		lr := LexRange{Min: bound(), Max: bound(), MinEx: r.IntN(2) == 0, MaxEx: r.IntN(2) == 0,
			MinInf: r.IntN(5) == 0, MaxInf: r.IntN(5) == 0}
		n := z.CountRemoveLex(lr)
		if !mixed {
			if c := z.CountLex(lr); c != n {
				t.Fatalf("round %d: CountRemoveLex %d, CountLex %d", round, n, c)
			}
		}
		if got := z.RemoveRangeByLex(lr); got != n {
			t.Fatalf("round %d: CountRemoveLex %d, RemoveRangeByLex removed %d", round, n, got)
		}
	}
}
