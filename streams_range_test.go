package keel

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestXRangeScratch: XRANGE and XREVRANGE decode into the session's
// reused scratch; consecutive ranges (forward and reverse, with and without
// COUNT, of small entries and of one larger than an arena chunk, inside
// MULTI too) reply what a fresh session replies.
func TestXRangeScratch(t *testing.T) {
	db := newTestDB(t)
	s := db.NewSession()
	for i := range 300 {
		do(db, s, "XADD", "s", fmt.Sprintf("%d-1", i+1), "f", fmt.Sprintf("v%d", i), "g", strings.Repeat("x", i%7))
	}
	do(db, s, "XADD", "s", "1000-1", "big", strings.Repeat("b", 40<<10))
	do(db, s, "XADD", "t", "1-1", "only", "one")
	queries := [][]string{
		{"XRANGE", "s", "-", "+"},
		{"XRANGE", "s", "10", "20"},
		{"XREVRANGE", "s", "+", "-", "COUNT", "5"},
		{"XRANGE", "s", "250", "+", "COUNT", "100"},
		{"XRANGE", "t", "-", "+"},
		{"XREVRANGE", "s", "+", "290", "COUNT", "3"},
		{"XRANGE", "s", "-", "+", "COUNT", "7"},
	}
	want := make([]any, len(queries))
	for i, q := range queries {
		want[i] = do(db, db.NewSession(), q...)
	}
	for round := range 3 {
		for i, q := range queries {
			if got := do(db, s, q...); !reflect.DeepEqual(got, want[i]) {
				t.Fatalf("round %d, %v: reply differs from a fresh session's", round, q)
			}
		}
	}
	do(db, s, "MULTI")
	for _, q := range queries {
		do(db, s, q...)
	}
	got := do(db, s, "EXEC")
	if !reflect.DeepEqual(got, want) {
		t.Fatal("replies inside MULTI differ from a fresh session's")
	}
}
