package keel

import "testing"

// TestWorthTrimming: a trim is worth its collection when the pages
// already free and the objects allocated since the last collection (which
// may be garbage) come to trimMinBytes and an eighth of the heap's
// objects; a heap that is all live, as marked, is left alone.
func TestWorthTrimming(t *testing.T) {
	const mb = 1 << 20
	cases := []struct {
		name                  string
		free, objects, marked uint64
		want                  bool
	}{
		// A load that ended between two collections: nothing free yet,
		// 30 MB allocated since the last mark (1M sorted set members).
		{"garbage since the last collection", 0, 130 * mb, 100 * mb, true},
		{"free pages alone", 20 * mb, 100 * mb, 100 * mb, true},
		{"all live as marked", 0, 130 * mb, 130 * mb, false},
		{"too little against the heap", 5 * mb, 100 * mb, 100 * mb, false},
		{"too little in bytes", 1 * mb, 8 * mb, 6 * mb, false},
		{"a small heap, enough in bytes", 3 * mb, 10 * mb, 9 * mb, true},
		// Swept since the mark: objects below what was marked live.
		{"marked above the objects", 2 * mb, 90 * mb, 100 * mb, false},
	}
	for _, c := range cases {
		if got := worthTrimming(c.free, c.objects, c.marked); got != c.want {
			t.Errorf("%s: worthTrimming(free %d MB, objects %d MB, marked %d MB) = %v, want %v",
				c.name, c.free/mb, c.objects/mb, c.marked/mb, got, c.want)
		}
	}
}
