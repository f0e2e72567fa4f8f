package keel

import (
	"strings"
	"testing"
)

// newTestDB opens a DB in a temporary directory, closed at test end.
func newTestDB(t testing.TB, opts ...func(*Options)) *DB {
	t.Helper()
	o := Options{ActiveExpireHz: -1}
	for _, f := range opts {
		f(&o)
	}
	db, err := Open(t.TempDir(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// do runs one command (space-separated words) on s and returns its reply:
// string (bulk), int64, SimpleVal, ErrorVal, NullVal, []any.
func do(db *DB, s *Session, words ...string) any {
	if len(words) == 1 && strings.Contains(words[0], " ") {
		words = strings.Fields(words[0])
	}
	args := make([][]byte, len(words))
	for i, w := range words {
		args[i] = []byte(w)
	}
	r := &recorder{proto: s.Proto}
	db.Exec(s, args, r)
	if len(r.vals) != 1 {
		return r.vals
	}
	return r.vals[0]
}
