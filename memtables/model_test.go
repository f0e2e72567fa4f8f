package memtables

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// model is the obviously correct keyspace: maps and slices.
type model struct {
	dbs  []map[string]Entry
	phys []uint32
	next uint32
}

const modelDBs = 3

func genEntry(t *rapid.T) Entry {
	return Entry{
		Type:     Type(rapid.IntRange(1, 6).Draw(t, "type")),
		ExpireAt: rapid.SampledFrom([]int64{0, 0, 5, 10, 1 << 40, -3}).Draw(t, "expireAt"),
		Version:  rapid.Uint64().Draw(t, "version"),
		Size:     rapid.Int64().Draw(t, "size"),
		Access:   rapid.Uint32().Draw(t, "access"),
	}
}

// Keys from a small alphabet, so operations hit existing keys often.
// Mostly short keys that collide, sometimes long ones (kept off the slot).
var genKey = rapid.OneOf(rapid.StringMatching(`[a-c{}]{0,3}`), rapid.StringMatching(`[a-c{}]{0,3}`), rapid.StringMatching(`x[a-c]{23,30}`))

// TestKeyspaceModel runs random operations against Keyspace and the model,
// checking full equality after each. Failures print a replayable seed
// (rerun with -rapid.seed=N); -rapid.checks=N runs more cases.
func TestKeyspaceModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		k := NewKeyspace(modelDBs)
		m := &model{next: modelDBs}
		for i := range modelDBs {
			m.dbs = append(m.dbs, map[string]Entry{})
			m.phys = append(m.phys, uint32(i))
		}
		genDB := rapid.IntRange(0, modelDBs-1)
		bulk := 0 // bulk keys inserted so far, to force resizes and pages
		t.Repeat(map[string]func(*rapid.T){
			"Set": func(t *rapid.T) {
				db, key, e := genDB.Draw(t, "db"), genKey.Draw(t, "key"), genEntry(t)
				k.Set(db, []byte(key), e)
				m.dbs[db][key] = e
			},
			"SetMany": func(t *rapid.T) {
				db, n := genDB.Draw(t, "db"), rapid.IntRange(1, 1500).Draw(t, "n")
				for range n {
					key := fmt.Sprintf("bulk:%d", bulk)
					bulk++
					e := Entry{Type: TypeString, Version: uint64(bulk), ExpireAt: int64(bulk % 3 * 5)}
					k.Set(db, []byte(key), e)
					m.dbs[db][key] = e
				}
			},
			"DeleteMany": func(t *rapid.T) {
				db := genDB.Draw(t, "db")
				keep := rapid.IntRange(0, 100).Draw(t, "keepPercent")
				for _, key := range slices.Sorted(maps.Keys(m.dbs[db])) {
					if len(key) > 3 && int(m.dbs[db][key].Version%100) >= keep {
						if !k.Delete(db, []byte(key)) {
							t.Fatalf("Delete(%d, %q) = false", db, key)
						}
						delete(m.dbs[db], key)
					}
				}
			},
			"Delete": func(t *rapid.T) {
				db, key := genDB.Draw(t, "db"), genKey.Draw(t, "key")
				_, want := m.dbs[db][key]
				if got := k.Delete(db, []byte(key)); got != want {
					t.Fatalf("Delete(%d, %q) = %v, want %v", db, key, got, want)
				}
				delete(m.dbs[db], key)
			},
			"SetExpire": func(t *rapid.T) {
				db, key := genDB.Draw(t, "db"), genKey.Draw(t, "key")
				at := rapid.SampledFrom([]int64{0, 7, 1 << 41}).Draw(t, "at")
				e, want := m.dbs[db][key]
				if got := k.SetExpire(db, []byte(key), at); got != want {
					t.Fatalf("SetExpire(%d, %q) = %v, want %v", db, key, got, want)
				}
				if want {
					e.ExpireAt = at
					m.dbs[db][key] = e
				}
			},
			"FlushDB": func(t *rapid.T) {
				db := genDB.Draw(t, "db")
				p := k.NextPhys() + uint32(rapid.IntRange(0, 2).Draw(t, "skip"))
				k.FlushDB(db, p)
				m.dbs[db] = map[string]Entry{}
				m.phys[db] = p
				m.next = p + 1
			},
			"SwapDB": func(t *rapid.T) {
				a, b := genDB.Draw(t, "a"), genDB.Draw(t, "b")
				k.SwapDB(a, b)
				m.dbs[a], m.dbs[b] = m.dbs[b], m.dbs[a]
				m.phys[a], m.phys[b] = m.phys[b], m.phys[a]
			},
			"Checkpoint": func(t *rapid.T) {
				lsn := rapid.Uint64().Draw(t, "lsn")
				var buf bytes.Buffer
				if err := k.WriteCheckpoint(&buf, lsn); err != nil {
					t.Fatal(err)
				}
				k2, got, err := ReadCheckpoint(&buf, modelDBs)
				if err != nil || got != lsn {
					t.Fatalf("ReadCheckpoint: lsn %d (want %d), %v", got, lsn, err)
				}
				k = k2
				for _, d := range m.dbs { // Access is not persisted
					for key, e := range d {
						e.Access = 0
						d[key] = e
					}
				}
			},
			"SampleExpired": func(t *rapid.T) {
				db := genDB.Draw(t, "db")
				now := rapid.SampledFrom([]int64{6, 11, 1 << 42}).Draw(t, "now")
				n := rapid.IntRange(1, 50).Draw(t, "n")
				got := k.SampleExpired(db, now, n)
				if len(got) > n {
					t.Fatalf("SampleExpired returned %d > %d keys", len(got), n)
				}
				for _, key := range got {
					if e, ok := m.dbs[db][key]; !ok || e.ExpireAt == 0 || e.ExpireAt > now {
						t.Fatalf("SampleExpired returned %q (%+v, %v) at now %d", key, e, ok, now)
					}
				}
				if n >= k.ExpiresCount(db) { // examined everything: exact
					want := 0
					for _, e := range m.dbs[db] {
						if e.ExpireAt != 0 && e.ExpireAt <= now {
							want++
						}
					}
					if len(got) != want {
						t.Fatalf("SampleExpired over all keys: %d, want %d", len(got), want)
					}
				}
			},
			"": func(t *rapid.T) { m.check(t, k) },
		})
	})
}

func (m *model) check(t *rapid.T, k *Keyspace) {
	// Recounting the databases one at a time keeps the sum of their
	// memory: FlushDB takes the old table's count out.
	var sum int64
	for db := range k.dbs {
		k.Recount(db)
		sum += k.dbs[db].bytesSlow()
	}
	if k.Counted() != sum || k.Bytes() != sum {
		t.Fatalf("counted %d, Bytes %d, summed over the tables %d", k.Counted(), k.Bytes(), sum)
	}
	if k.NextPhys() != m.next {
		t.Fatalf("NextPhys %d, want %d", k.NextPhys(), m.next)
	}
	for db, want := range m.dbs {
		checkTable(t, k, db)
		if k.PhysDB(db) != m.phys[db] {
			t.Fatalf("PhysDB(%d) = %d, want %d", db, k.PhysDB(db), m.phys[db])
		}
		if k.Len(db) != len(want) {
			t.Fatalf("Len(%d) = %d, want %d", db, k.Len(db), len(want))
		}
		expires := 0
		for key, e := range want {
			if e.ExpireAt != 0 {
				expires++
			}
			if got, ok := k.Get(db, []byte(key)); !ok || *got != e {
				t.Fatalf("Get(%d, %q) = %+v, %v; want %+v", db, key, got, ok, e)
			}
		}
		if k.ExpiresCount(db) != expires {
			t.Fatalf("ExpiresCount(%d) = %d, want %d", db, k.ExpiresCount(db), expires)
		}
		seen := map[string]bool{}
		k.ForEach(db, func(key string, e *Entry) bool {
			if seen[key] {
				t.Fatalf("ForEach(%d) repeats %q", db, key)
			}
			seen[key] = true
			return true
		})
		if len(seen) != len(want) {
			t.Fatalf("ForEach(%d) visited %d keys, want %d", db, len(seen), len(want))
		}
		// A scan without concurrent changes returns exactly the keys.
		scanned := map[string]bool{}
		for c := uint64(0); ; {
			c = k.Scan(db, c, 3, func(key string, _ *Entry) {
				if _, ok := want[key]; !ok {
					t.Fatalf("Scan(%d) returned unknown key %q", db, key)
				}
				scanned[key] = true
			})
			if c == 0 {
				break
			}
		}
		if len(scanned) != len(want) {
			t.Fatalf("Scan(%d) returned %d keys, want %d", db, len(scanned), len(want))
		}
	}
}
