package memtables

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"testing"

	"github.com/keeldb/keel/internal/offheap"
)

// fataler is what testing.TB and *rapid.T have in common.
type fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

// checkTable verifies the table's internal invariants: every key reachable
// from its bucket, index and expires consistent with the slots, load bounds.
func checkTable(t fataler, k *Keyspace, db int) {
	t.Helper()
	tb := k.dbs[db]
	if got, want := tb.bytes(), tb.bytesSlow(); got != want {
		t.Fatalf("db %d: bytes %d, summed over its pages and keys %d", db, got, want)
	}
	if tb.n == 0 {
		// At most what keepsEmpty keeps: an empty first page on the heap,
		// under pageSize slots, and an empty index of minIndex cells.
		kept := len(tb.pages) == 1 && len(tb.pages[0].slots) == 0 && cap(tb.pages[0].slots) < pageSize &&
			tb.pages[0].mem == nil && len(tb.index) <= minIndex && !slices.ContainsFunc(tb.index, func(v uint32) bool { return v != 0 })
		if (tb.index != nil || tb.pages != nil) && !kept || len(tb.expires) != 0 || tb.indexMem != nil || tb.spare.slots != nil {
			t.Fatalf("db %d: empty table keeps memory (%d pages, index of %d cells)", db, len(tb.pages), len(tb.index))
		}
		return
	}
	if len(tb.index)&(len(tb.index)-1) != 0 || tb.n*maxLoadDen > len(tb.index)*maxLoadNum {
		t.Fatalf("db %d: index size %d for %d keys", db, len(tb.index), tb.n)
	}
	used := 0
	mask := uint32(len(tb.index) - 1)
	for c, v := range tb.index {
		if v == 0 {
			continue
		}
		used++
		if p := cellPos(v, mask); p < 0 || p >= tb.n || !cellMayHold(v, tb.hashAt(p), mask) {
			t.Fatalf("db %d: index cell %d = %#x: position %d of %d, or hash bits not its entry's", db, c, v, p, tb.n)
		}
	}
	if used != tb.n {
		t.Fatalf("db %d: %d index cells used, %d keys", db, used, tb.n)
	}
	total, withExp := 0, 0
	for pi := range tb.pages {
		pg := &tb.pages[pi]
		if pi < len(tb.pages)-1 && len(pg.slots) != pageSize {
			t.Fatalf("db %d: page %d of %d has %d slots", db, pi, len(tb.pages), len(pg.slots))
		}
		if (cap(pg.slots) == pageSize) != (pg.mem != nil) {
			t.Fatalf("db %d: page %d of capacity %d has off-heap block %v", db, pi, cap(pg.slots), pg.mem)
		}
		for i := len(pg.slots); i < len(pg.long); i++ {
			if pg.long[i] != "" {
				t.Fatalf("db %d: page %d keeps long key %q past its %d slots", db, pi, pg.long[i], len(pg.slots))
			}
		}
		for i := range pg.slots {
			pos := pi<<pageShift + i
			s := &pg.slots[i]
			key := pg.key(i)
			if (s.klen == longKey) != (len(key) > keyInline) {
				t.Fatalf("db %d: key %q of %d bytes stored with klen %d", db, key, len(key), s.klen)
			}
			if s.klen != longKey && pg.long != nil && pg.long[i] != "" {
				t.Fatalf("db %d: inline key %q keeps a long key %q", db, key, pg.long[i])
			}
			if s.hash != k.hashString(key) {
				t.Fatalf("db %d: stale hash for %q", db, key)
			}
			if _, p, ok := lookup(tb, s.hash, key); !ok || p != pos {
				t.Fatalf("db %d: %q at %d not found by lookup (%d, %v)", db, key, pos, p, ok)
			}
			if (s.e.ExpireAt != 0) != (s.exp != 0) {
				t.Fatalf("db %d: %q ExpireAt %d but exp %d", db, key, s.e.ExpireAt, s.exp)
			}
			if s.exp != 0 {
				withExp++
				if tb.expires[s.exp-1] != uint32(pos) {
					t.Fatalf("db %d: expires[%d] = %d, want %d", db, s.exp-1, tb.expires[s.exp-1], pos)
				}
			}
			total++
		}
	}
	if total != tb.n || withExp != len(tb.expires) {
		t.Fatalf("db %d: %d slots / %d keys, %d with expiry / %d in expires", db, total, tb.n, withExp, len(tb.expires))
	}
}

func TestTypeString(t *testing.T) {
	for typ, want := range map[Type]string{
		TypeString: "string", TypeList: "list", TypeSet: "set", TypeZSet: "zset",
		TypeHash: "hash", TypeStream: "stream", 0: "Type(0)", 7: "Type(7)",
	} {
		if got := typ.String(); got != want {
			t.Errorf("Type(%d).String() = %q, want %q", uint8(typ), got, want)
		}
	}
}

func TestEntrySize(t *testing.T) {
	if n := unsafeSizeofEntry(); n != 32 {
		t.Fatalf("Entry is %d bytes, want 32", n)
	}
}

func TestKeyspaceBasics(t *testing.T) {
	k := NewKeyspace(16)
	if k.Databases() != 16 || k.NextPhys() != 16 || k.PhysDB(5) != 5 {
		t.Fatalf("fresh keyspace: %d dbs, next %d, phys(5) %d", k.Databases(), k.NextPhys(), k.PhysDB(5))
	}
	steps := []struct {
		name string
		do   func() any
		want any
	}{
		{"get_missing", func() any { _, ok := k.Get(0, []byte("a")); return ok }, false},
		{"set", func() any { k.Set(0, []byte("a"), Entry{Type: TypeString, Version: 1, Size: 3}); return k.Len(0) }, 1},
		{"get", func() any { e, _ := k.Get(0, []byte("a")); return *e }, Entry{Type: TypeString, Version: 1, Size: 3}},
		{"other_db_empty", func() any { return k.Len(1) }, 0},
		{"replace_with_expiry", func() any {
			k.Set(0, []byte("a"), Entry{Type: TypeHash, Version: 2, ExpireAt: 100})
			return [2]int{k.Len(0), k.ExpiresCount(0)}
		}, [2]int{1, 1}},
		{"replace_without_expiry", func() any { k.Set(0, []byte("a"), Entry{Type: TypeHash, Version: 2}); return k.ExpiresCount(0) }, 0},
		{"set_expire", func() any { return [2]any{k.SetExpire(0, []byte("a"), 50), k.ExpiresCount(0)} }, [2]any{true, 1}},
		{"set_expire_missing", func() any { return k.SetExpire(0, []byte("zz"), 50) }, false},
		{"persist", func() any { return [2]any{k.SetExpire(0, []byte("a"), 0), k.ExpiresCount(0)} }, [2]any{true, 0}},
		{"empty_key", func() any {
			k.Set(0, nil, Entry{Type: TypeSet})
			e, ok := k.Get(0, []byte{})
			return ok && e.Type == TypeSet
		}, true},
		{"delete", func() any { return [2]any{k.Delete(0, []byte("a")), k.Len(0)} }, [2]any{true, 1}},
		{"delete_missing", func() any { return k.Delete(0, []byte("a")) }, false},
		{"flushdb", func() any { k.FlushDB(0, k.NextPhys()); return [3]any{k.Len(0), k.PhysDB(0), k.NextPhys()} }, [3]any{0, uint32(16), uint32(17)}},
		{"swapdb", func() any {
			k.Set(1, []byte("x"), Entry{Type: TypeList})
			k.SwapDB(0, 1)
			_, ok := k.Get(0, []byte("x"))
			return [4]any{ok, k.Len(1), k.PhysDB(0), k.PhysDB(1)}
		}, [4]any{true, 0, uint32(1), uint32(16)}},
	}
	for _, s := range steps {
		if got := s.do(); got != s.want {
			t.Fatalf("%s: got %v, want %v", s.name, got, s.want)
		}
		for db := range 2 {
			checkTable(t, k, db)
		}
	}
}

func TestFlushDBRejectsUsedPhysicalID(t *testing.T) {
	k := NewKeyspace(2)
	defer func() {
		if recover() == nil {
			t.Fatal("FlushDB with a used physical id did not panic")
		}
	}()
	k.FlushDB(0, 1)
}

func TestGetDoesNotAllocate(t *testing.T) {
	k := NewKeyspace(1)
	key := []byte("some:key")
	k.Set(0, key, Entry{Type: TypeString})
	if n := testing.AllocsPerRun(200, func() {
		if _, ok := k.Get(0, key); !ok {
			t.Fatal("missing")
		}
		k.Set(0, key, Entry{Type: TypeString, Size: 1}) // replace: no allocation either
	}); n != 0 {
		t.Fatalf("%v allocations per Get+Set", n)
	}
}

// Growth, shrink and page boundaries, with the invariants checked throughout.
func TestGrowShrink(t *testing.T) {
	k := NewKeyspace(1)
	const n = 5000
	key := func(i int) []byte { return []byte("k" + strconv.Itoa(i)) }
	for i := range n {
		k.Set(0, key(i), Entry{Type: TypeString, Version: uint64(i), ExpireAt: int64(i % 3)})
		if i%499 == 0 {
			checkTable(t, k, 0)
		}
	}
	checkTable(t, k, 0)
	order := rand.New(rand.NewPCG(1, 2)).Perm(n)
	for j, i := range order {
		if !k.Delete(0, key(i)) {
			t.Fatalf("delete %d failed", i)
		}
		if j%251 == 0 {
			checkTable(t, k, 0)
			for _, i := range order[j+1 : min(n, j+50)] {
				if e, ok := k.Get(0, key(i)); !ok || e.Version != uint64(i) {
					t.Fatalf("key %d lost after %d deletes", i, j+1)
				}
			}
		}
	}
	checkTable(t, k, 0)
	if k.Len(0) != 0 || k.ExpiresCount(0) != 0 {
		t.Fatalf("not empty: %d keys, %d expires", k.Len(0), k.ExpiresCount(0))
	}
}

// The SCAN guarantee: a key present for the whole scan is returned, however
// the table grows and shrinks between calls.
func TestScanGuarantee(t *testing.T) {
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 7))
		k := NewKeyspace(1)
		stable := map[string]bool{}
		for i := range 50 + rng.IntN(300) {
			key := fmt.Sprintf("stable:%d", i)
			stable[key] = true
			k.Set(0, []byte(key), Entry{Type: TypeString})
		}
		var churn []string
		seen := map[string]bool{}
		cursor, calls := uint64(0), 0
		for {
			cursor = k.Scan(0, cursor, 1+rng.IntN(20), func(key string, e *Entry) { seen[key] = true })
			calls++
			if cursor == 0 {
				break
			}
			// Move the churn towards a random target size, which forces
			// growth or shrink, several resizes at once sometimes.
			target := []int{0, 10, 100, 1000, 5000}[rng.IntN(5)]
			for len(churn) < target {
				key := fmt.Sprintf("churn:%d", rng.Uint64())
				churn = append(churn, key)
				k.Set(0, []byte(key), Entry{Type: TypeSet})
			}
			for len(churn) > target {
				j := rng.IntN(len(churn))
				k.Delete(0, []byte(churn[j]))
				churn[j] = churn[len(churn)-1]
				churn = churn[:len(churn)-1]
			}
			if calls > 100_000 {
				t.Fatal("scan does not terminate")
			}
		}
		for key := range stable {
			if !seen[key] {
				t.Fatalf("seed %d: stable key %q never returned (%d calls)", seed, key, calls)
			}
		}
		checkTable(t, k, 0)
	}
}

func TestScanEmptyAndCount(t *testing.T) {
	k := NewKeyspace(1)
	if next := k.Scan(0, 0, 10, func(string, *Entry) { t.Fatal("called on empty db") }); next != 0 {
		t.Fatalf("empty scan returned cursor %d", next)
	}
	for i := range 1000 {
		k.Set(0, []byte(strconv.Itoa(i)), Entry{Type: TypeString})
	}
	n := 0
	next := k.Scan(0, 0, 100, func(string, *Entry) { n++ })
	if next == 0 || n < 100 || n > 200 {
		t.Fatalf("COUNT 100 returned %d keys, next %d", n, next)
	}
	// A full scan without changes returns each key exactly once.
	got := map[string]int{}
	for c := uint64(0); ; {
		if c = k.Scan(0, c, 0, func(key string, _ *Entry) { got[key]++ }); c == 0 {
			break
		}
	}
	if len(got) != 1000 {
		t.Fatalf("full scan returned %d distinct keys", len(got))
	}
	for key, c := range got {
		if c != 1 {
			t.Fatalf("%q returned %d times", key, c)
		}
	}
}

func TestRandomKeyUniform(t *testing.T) {
	k := NewKeyspace(1)
	if _, ok := k.RandomKey(0, rand.IntN); ok {
		t.Fatal("RandomKey on empty db")
	}
	const keys, draws = 20, 20000
	for i := range keys {
		k.Set(0, []byte(strconv.Itoa(i)), Entry{Type: TypeString})
	}
	rng := rand.New(rand.NewPCG(3, 4))
	hits := map[string]int{}
	for range draws {
		key, _ := k.RandomKey(0, rng.IntN)
		hits[key]++
	}
	for key, h := range hits {
		if h < draws/keys/2 || h > draws/keys*2 {
			t.Errorf("key %q drawn %d times of %d", key, h, draws)
		}
	}
	if len(hits) != keys {
		t.Errorf("%d distinct keys drawn", len(hits))
	}
}

func TestSampleExpired(t *testing.T) {
	k := NewKeyspace(1)
	for i := range 100 {
		e := Entry{Type: TypeString}
		switch i % 4 {
		case 0:
			e.ExpireAt = 10 // expired at now=50
		case 1:
			e.ExpireAt = 1000 // not yet
		}
		k.Set(0, []byte(strconv.Itoa(i)), e)
	}
	if k.ExpiresCount(0) != 50 {
		t.Fatalf("ExpiresCount %d", k.ExpiresCount(0))
	}
	// Samples of 10 of the 50 keys with an expiry: never more than 10,
	// none twice in a sample, and before long every expired one.
	seen := map[string]bool{}
	for call := 0; len(seen) < 25; call++ {
		if call == 1000 {
			t.Fatalf("1000 samples of 10 found %d of the 25 expired keys", len(seen))
		}
		s := k.SampleExpired(0, 50, 10)
		if len(s) > 10 {
			t.Fatalf("%d keys for n=10", len(s))
		}
		inSample := map[string]bool{}
		for _, key := range s {
			if inSample[key] {
				t.Fatalf("%q twice in one sample", key)
			}
			inSample[key], seen[key] = true, true
		}
	}
	var got []string
	for key := range seen {
		got = append(got, key)
	}
	slices.Sort(got)
	var want []string
	for i := 0; i < 100; i += 4 {
		want = append(want, strconv.Itoa(i))
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("sampled %v, want %v", got, want)
	}
	for _, key := range got {
		k.Delete(0, []byte(key))
	}
	if s := k.SampleExpired(0, 50, 1000); len(s) != 0 {
		t.Fatalf("after deleting: %v", s)
	}
	if s := k.SampleExpired(0, 5000, 1000); len(s) != 25 {
		t.Fatalf("later: %d expired, want 25", len(s))
	}
	checkTable(t, k, 0)
}

// TestMemoryPerKey measures bytes per key, on and off the Go heap, for 1,000,000 keys of 11
// bytes ("key:0000000"). Run: go test -run MemoryPerKey -v ./memtables/
func TestMemoryPerKey(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("allocates ~100 MB; skipped in -short and -race")
	}
	const n = 1_000_000
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	offBefore := offheap.InUse()
	k := NewKeyspace(16)
	buf := []byte("key:")
	for i := range n {
		key := fmt.Appendf(buf[:4], "%07d", i)
		k.Set(0, key, Entry{Type: TypeString, Version: uint64(i), Size: 100})
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	heap := float64(after.HeapAlloc-before.HeapAlloc) / n
	off := float64(offheap.InUse()-offBefore) / n
	total := heap + off
	const keyLen = 11
	t.Logf("%d keys of %d bytes: %.1f bytes/key (%.1f on the Go heap, %.1f off it), %.1f bytes/key beyond the key bytes "+
		"(index %d cells, %d pages)", n, keyLen, total, heap, off, total-keyLen, len(k.dbs[0].index), len(k.dbs[0].pages))
	if heap > 4 {
		t.Errorf("%.1f heap bytes/key for keys of %d bytes, which should live off the heap", heap, keyLen)
	}
	if total-keyLen > 100 {
		t.Errorf("%.1f bytes/key of overhead, budget 100", total-keyLen)
	}
	runtime.KeepAlive(k)
}

func BenchmarkSet(b *testing.B) {
	k := NewKeyspace(1)
	keys := make([][]byte, 1<<16)
	for i := range keys {
		keys[i] = []byte("key:" + strconv.Itoa(i))
	}
	i := 0
	for b.Loop() {
		k.Set(0, keys[i&(len(keys)-1)], Entry{Type: TypeString})
		i++
	}
}

func BenchmarkGet(b *testing.B) {
	k := NewKeyspace(1)
	keys := make([][]byte, 1<<20)
	for i := range keys {
		keys[i] = []byte("key:" + strconv.Itoa(i))
		k.Set(0, keys[i], Entry{Type: TypeString})
	}
	i := 0
	for b.Loop() {
		k.Get(0, keys[i&(len(keys)-1)])
		i++
	}
}

// BenchmarkGetScattered1M looks keys up in an order unrelated to their
// insertion, as a server does: the entry array is not read sequentially.
func BenchmarkGetScattered1M(b *testing.B) {
	k, keys := benchKeyspace1M()
	i := 0
	for b.Loop() {
		k.Get(0, keys[(i*7919)&(len(keys)-1)])
		i++
	}
}

// BenchmarkGetMiss1M looks up absent keys (a SET of a new key starts so).
func BenchmarkGetMiss1M(b *testing.B) {
	k, keys := benchKeyspace1M()
	for i := range keys {
		keys[i] = []byte("absent:" + strconv.Itoa(i))
	}
	i := 0
	for b.Loop() {
		k.Get(0, keys[(i*7919)&(len(keys)-1)])
		i++
	}
}

func benchKeyspace1M() (*Keyspace, [][]byte) {
	k := NewKeyspace(1)
	keys := make([][]byte, 1<<20)
	for i := range keys {
		keys[i] = []byte("key:" + strconv.Itoa(i))
		k.Set(0, keys[i], Entry{Type: TypeString})
	}
	return k, keys
}

func BenchmarkSetDelete(b *testing.B) {
	k := NewKeyspace(1)
	for i := range 100_000 {
		k.Set(0, []byte("base:"+strconv.Itoa(i)), Entry{Type: TypeString})
	}
	key := []byte("churn")
	for b.Loop() {
		k.Set(0, key, Entry{Type: TypeString, ExpireAt: 1})
		k.Delete(0, key)
	}
}

func TestScanHugeCount(t *testing.T) {
	k := NewKeyspace(1)
	for i := range 100 {
		k.Set(0, []byte(strconv.Itoa(i)), Entry{Type: TypeString})
	}
	n := 0
	if next := k.Scan(0, 0, math.MaxInt, func(string, *Entry) { n++ }); next != 0 || n != 100 {
		t.Fatalf("COUNT MaxInt: %d keys, next %d", n, next)
	}
}

// TestKeyspacePrefetch: Prefetch of present, absent and more than
// PrefetchMax keys, in an empty and a full database, changes nothing a
// lookup sees.
func TestKeyspacePrefetch(t *testing.T) {
	k := NewKeyspace(2)
	var keys [][]byte
	for i := range 3 * PrefetchMax {
		keys = append(keys, fmt.Appendf(nil, "key:%d", i))
	}
	k.Prefetch(0, keys) // an empty table
	for i, key := range keys[:2*PrefetchMax] {
		k.Set(0, key, Entry{Type: TypeString, Version: LSN(i + 1), Size: int64(i)})
	}
	k.Prefetch(0, keys)
	k.Prefetch(1, keys)
	k.Prefetch(0, nil)
	for i, key := range keys {
		e, ok := k.Get(0, key)
		if ok != (i < 2*PrefetchMax) || ok && e.Size != int64(i) {
			t.Fatalf("key %s after Prefetch: %v %+v", key, ok, e)
		}
	}
	if k.Len(0) != 2*PrefetchMax || k.Len(1) != 0 {
		t.Fatalf("lengths %d and %d", k.Len(0), k.Len(1))
	}
}

// TestKeyspaceEmptiedTable: a database whose only key comes and goes (a
// queue emptied by every pop) keeps its small first page and index
// (keepsEmpty) instead of allocating both for each new key; a database
// that held more keeps nothing once empty.
func TestKeyspaceEmptiedTable(t *testing.T) {
	k := NewKeyspace(2)
	key := []byte("q")
	k.Set(0, key, Entry{Type: TypeList, Version: 1})
	k.Delete(0, key)
	checkTable(t, k, 0)
	if _, ok := k.Get(0, key); ok || k.Len(0) != 0 {
		t.Fatal("the deleted key is still there")
	}
	if !raceEnabled {
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		const runs = 1000
		for i := range runs {
			k.Set(0, key, Entry{Type: TypeList, Version: uint64(i + 2)})
			k.Delete(0, key)
		}
		runtime.ReadMemStats(&m1)
		if per := (m1.TotalAlloc - m0.TotalAlloc) / runs; per > 64 {
			t.Errorf("a key created in an emptied database: %d bytes allocated", per)
		}
	}
	for i := range 3000 { // past the first page
		k.Set(1, fmt.Appendf(nil, "k%d", i), Entry{Type: TypeString})
	}
	for i := range 3000 {
		k.Delete(1, fmt.Appendf(nil, "k%d", i))
		checkTable(t, k, 1)
	}
	if tb := k.dbs[1]; tb.pages != nil || tb.index != nil {
		t.Fatalf("a database emptied of 3000 keys keeps %d pages and %d index cells", len(tb.pages), len(tb.index))
	}
}

// TestEntryLoadCopiesEveryField: Load copies field by field (to read
// Access atomically), so a field added to Entry must be added there too.
func TestEntryLoadCopiesEveryField(t *testing.T) {
	var e Entry
	v := reflect.ValueOf(&e).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.Int64, reflect.Int8, reflect.Int32:
			f.SetInt(int64(i + 1))
		case reflect.Uint64, reflect.Uint32, reflect.Uint8:
			f.SetUint(uint64(i + 1))
		default:
			t.Fatalf("field %s of kind %s: extend this test", v.Type().Field(i).Name, f.Kind())
		}
	}
	if got := e.Load(); got != e {
		t.Fatalf("Load() = %+v, want %+v", got, e)
	}
}
