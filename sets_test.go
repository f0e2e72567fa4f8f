package keel

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/keeldb/keel/memtables"
)

// Unit tests of what the differential tests (server/diff_sets_test.go)
// cannot compare with Redis: which members the random commands draw, the
// SSCAN guarantee under writes, and recovery of sets from the WAL.

// setOf returns the members of key as a sorted slice (SMEMBERS).
func setTestMembers(t *testing.T, db *DB, s *Session, key string) []string {
	t.Helper()
	r, ok := do(db, s, "SMEMBERS", key).([]any)
	if !ok {
		t.Fatalf("SMEMBERS %s: %v", key, do(db, s, "SMEMBERS", key))
	}
	out := make([]string, len(r))
	for i, v := range r {
		out[i] = v.(string)
	}
	slices.Sort(out)
	return out
}

// setTestStrs returns the elements of an array reply as strings.
func setTestStrs(r any) []string {
	a, _ := r.([]any)
	out := make([]string, len(a))
	for i, v := range a {
		out[i] = fmt.Sprint(v)
	}
	return out
}

// setTestAdd adds prefix0..prefix{n-1} to key and returns them sorted.
func setTestAdd(t *testing.T, db *DB, s *Session, key, prefix string, n int) []string {
	t.Helper()
	args := []string{"SADD", key}
	for i := range n {
		args = append(args, prefix+strconv.Itoa(i))
	}
	if r := do(db, s, args...); r != int64(n) {
		t.Fatalf("SADD %s: %v", key, r)
	}
	out := slices.Clone(args[2:])
	slices.Sort(out)
	return out
}

// TestSRandMemberDraws checks that the drawn members belong to the set,
// are distinct for a positive count, and that every member gets drawn.
func TestSRandMemberDraws(t *testing.T) {
	db := newTestDB(t)
	s := db.NewSession()
	for _, prefix := range []string{"", "m"} { // intset, hashtable
		key := "s" + prefix
		all := setTestAdd(t, db, s, key, prefix, 20)
		seen := map[string]int{}
		for range 200 {
			got := setTestStrs(do(db, s, "SRANDMEMBER", key, "5"))
			if len(got) != 5 {
				t.Fatalf("SRANDMEMBER %s 5 returned %d members", key, len(got))
			}
			distinct := map[string]bool{}
			for _, m := range got {
				if _, ok := slices.BinarySearch(all, m); !ok {
					t.Fatalf("SRANDMEMBER %s returned a non-member %q", key, m)
				}
				if distinct[m] {
					t.Fatalf("SRANDMEMBER %s 5 repeated %q", key, m)
				}
				distinct[m] = true
				seen[m]++
			}
			rep := setTestStrs(do(db, s, "SRANDMEMBER", key, "-30"))
			if len(rep) != 30 {
				t.Fatalf("SRANDMEMBER %s -30 returned %d members", key, len(rep))
			}
			for _, m := range rep {
				if _, ok := slices.BinarySearch(all, m); !ok {
					t.Fatalf("SRANDMEMBER %s -30 returned a non-member %q", key, m)
				}
			}
			one, _ := do(db, s, "SRANDMEMBER", key).(string)
			if _, ok := slices.BinarySearch(all, one); !ok {
				t.Fatalf("SRANDMEMBER %s returned a non-member %q", key, one)
			}
		}
		if len(seen) != len(all) {
			t.Fatalf("%s: 1000 draws of 20 members hit only %d of them", key, len(seen))
		}
	}
}

// TestSPopRemovesWhatItReturns checks that SPOP's reply and the removed
// members agree, for both encodings and both forms.
func TestSPopRemovesWhatItReturns(t *testing.T) {
	db := newTestDB(t)
	s := db.NewSession()
	for _, prefix := range []string{"", "m"} {
		key := "s" + prefix
		left := setTestAdd(t, db, s, key, prefix, 600)
		for len(left) > 0 {
			var popped []string
			if len(left)%3 == 0 {
				m, ok := do(db, s, "SPOP", key).(string)
				if !ok {
					t.Fatalf("SPOP %s: %v", key, do(db, s, "SCARD", key))
				}
				popped = []string{m}
			} else {
				popped = setTestStrs(do(db, s, "SPOP", key, strconv.Itoa(1+len(left)/4)))
			}
			for _, m := range popped {
				i, ok := slices.BinarySearch(left, m)
				if !ok {
					t.Fatalf("SPOP %s returned %q, not a member (or popped twice)", key, m)
				}
				left = slices.Delete(left, i, i+1)
			}
			if len(left) == 0 {
				break
			}
			if got := setTestMembers(t, db, s, key); !slices.Equal(got, left) {
				t.Fatalf("after SPOP %s: members %d, want %d", key, len(got), len(left))
			}
		}
		if r := do(db, s, "EXISTS", key); r != int64(0) {
			t.Fatalf("%s still exists after popping every member", key)
		}
	}
}

// TestSScanUnderWrites checks SSCAN's guarantee on a hash table with
// writes between the calls: every member present for the whole scan is
// returned.
func TestSScanUnderWrites(t *testing.T) {
	db := newTestDB(t)
	s := db.NewSession()
	setTestAdd(t, db, s, "s", "m", 500)
	stable := map[string]bool{}
	for i := range 500 {
		if i%5 != 0 {
			stable["m"+strconv.Itoa(i)] = true // never removed below
		}
	}
	seen := map[string]bool{}
	cursor, step := "0", 0
	for {
		r := do(db, s, "SSCAN", "s", cursor, "COUNT", "7").([]any)
		for _, m := range setTestStrs(r[1]) {
			seen[m] = true
		}
		cursor = r[0].(string)
		if cursor == "0" {
			break
		}
		// Remove some of the unstable members, add new ones.
		for j := 0; j < 3; j++ {
			do(db, s, "SREM", "s", "m"+strconv.Itoa(5*((step*3+j)%100)))
			do(db, s, "SADD", "s", "new"+strconv.Itoa(step*3+j))
		}
		step++
	}
	for m := range stable {
		if !seen[m] {
			t.Fatalf("member %s, present for the whole scan, was not returned", m)
		}
	}
}

// TestSetsWALReplay checks that set effects replay to the same members
// and encodings after reopening, including a conversion that depended on
// set-max-intset-entries at the time of the write and SPOP's drawn
// members: from the WAL alone, and from a checkpoint of the sets engine
// taken in the middle plus the WAL after it.
func TestSetsWALReplay(t *testing.T) {
	for _, ckpt := range []bool{false, true} {
		t.Run(fmt.Sprintf("checkpoint=%v", ckpt), func(t *testing.T) { testSetsReplay(t, ckpt) })
	}
}

func testSetsReplay(t *testing.T, ckpt bool) {
	dir := t.TempDir()
	db, err := Open(dir, Options{ActiveExpireHz: -1})
	if err != nil {
		t.Fatal(err)
	}
	s := db.NewSession()
	script := []string{
		"SADD a 1 2 3 x", "SADD b 2 3 4", "SREM a x", "SPOP b 1", "SADD c 5 6 7",
		"SPOP c", "SMOVE a d 1", "SINTERSTORE e a b", "SUNIONSTORE f a b c",
		"SDIFFSTORE g f a", "SADD h 1 2 3 4 5 6 x", "SADD i x", "SADD i2 q",
		"SDIFFSTORE j h i i2", "SPOP i 5", "EXPIRE f 1000", "RENAME f f2", "COPY a a2",
	}
	for _, cmd := range script {
		if r, ok := do(db, s, strings.Fields(cmd)...).(ErrorVal); ok {
			t.Fatalf("%s: %s", cmd, r)
		}
	}
	if ckpt {
		if err := db.CheckpointEngine(memtables.EngineSets); err != nil {
			t.Fatal(err)
		}
	}
	db.SetTuning("set-max-intset-entries", 3)
	for _, cmd := range []string{"SADD k 1 2 3", "SADD l 1 2 3 4", "SUNIONSTORE m k l", "SADD n 1 x", "SREM n x"} {
		if r, ok := do(db, s, strings.Fields(cmd)...).(ErrorVal); ok {
			t.Fatalf("%s: %s", cmd, r)
		}
	}
	if ckpt {
		if err := db.CheckpointEngine(memtables.EngineSets); err != nil {
			t.Fatal(err)
		}
		do(db, s, "SADD", "k", "4") // after the checkpoint: replayed from the WAL
	}
	keys := []string{"a", "a2", "b", "c", "d", "e", "f2", "g", "h", "i", "j", "k", "l", "m", "n"}
	snapshot := func(db *DB) []string {
		s := db.NewSession()
		var out []string
		for _, k := range keys {
			out = append(out, fmt.Sprintf("%s %v %v %v", k, setTestMembers(t, db, s, k), do(db, s, "OBJECT", "ENCODING", k), do(db, s, "EXPIRETIME", k)))
		}
		return out
	}
	before := snapshot(db)
	for _, want := range []string{"l [1 2 3 4] hashtable", "m [1 2 3 4] hashtable", "j [1 2 3 4 5 6] hashtable", "n [1] hashtable"} {
		if !slices.ContainsFunc(before, func(s string) bool { return strings.HasPrefix(s, want) }) {
			t.Errorf("missing %q in %q", want, before)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db2, err := Open(dir, Options{ActiveExpireHz: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	after := snapshot(db2)
	for i := range before {
		if before[i] != after[i] {
			t.Errorf("before %s, after replay %s", before[i], after[i])
		}
	}
}
