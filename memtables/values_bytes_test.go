package memtables

import (
	"bytes"
	"fmt"
	"testing"

	"pgregory.net/rapid"
)

// slowBytes is Values.Bytes summed over every key and value.
func slowBytes[V Value[V]](e *Values[V]) int64 {
	var n int64
	for _, d := range e.dbs {
		var db int64
		for i := range d.shards {
			for k, c := range d.shards[i].m {
				db += valueKeyBytes([]byte(k)) + c.v.MemoryBytes()
			}
		}
		if db != d.bytes {
			panic(fmt.Sprintf("a database counts %d bytes, its keys and values hold %d", d.bytes, db))
		}
		n += db
	}
	return n
}

// TestValuesBytes: after any sequence of writes (through Mutable, Put,
// Delete, DeleteIfEmpty, Drop, with snapshots begun and ended among them)
// and a Settle, Bytes equals the keys' and values' bytes summed, each
// database's share included; a checkpoint loads with the same count.
func TestValuesBytes(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		e := NewLists()
		key := func(t *rapid.T) []byte {
			return []byte(rapid.SampledFrom([]string{"a", "b", "c", "long-key-name"}).Draw(t, "key"))
		}
		phys := func(t *rapid.T) uint32 { return uint32(rapid.IntRange(0, 2).Draw(t, "phys")) }
		var snap *ValuesSnapshot[*List]
		t.Repeat(map[string]func(*rapid.T){
			"Push": func(t *rapid.T) {
				l, _ := e.Mutable(phys(t), key(t))
				n, size := rapid.IntRange(1, 300).Draw(t, "n"), rapid.IntRange(0, 3000).Draw(t, "size")
				for range n {
					l.PushRight(bytes.Repeat([]byte{'x'}, size))
				}
			},
			"Pop": func(t *rapid.T) {
				p, k := phys(t), key(t)
				if _, ok := e.Get(p, k); !ok {
					return
				}
				l, _ := e.Mutable(p, k)
				for range rapid.IntRange(1, 300).Draw(t, "n") {
					l.PopLeft()
				}
				e.DeleteIfEmpty(p, k)
			},
			"Put": func(t *rapid.T) {
				l := NewList()
				for range rapid.IntRange(1, 50).Draw(t, "n") {
					l.PushLeft([]byte("element"))
				}
				e.Put(phys(t), key(t), l)
			},
			"Delete": func(t *rapid.T) { e.Delete(phys(t), key(t)) },
			"Drop":   func(t *rapid.T) { e.Drop(phys(t)) },
			"Snapshot": func(t *rapid.T) {
				if snap == nil {
					snap = e.Snapshot()
				} else {
					snap = nil
					e.EndSnapshot()
				}
			},
			"": func(t *rapid.T) {
				e.Settle()
				if got, want := e.Bytes(), slowBytes(e); got != want {
					t.Fatalf("Bytes %d, summed over the keys and values %d", got, want)
				}
			},
		})
		if snap != nil {
			e.EndSnapshot()
		}
		var buf bytes.Buffer
		if err := e.Snapshot().WriteTo(&buf, 1); err != nil {
			t.Fatal(err)
		}
		e.EndSnapshot()
		loaded, _, err := ReadLists(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := loaded.Bytes(), slowBytes(loaded); got != want {
			t.Fatalf("loaded: Bytes %d, summed %d", got, want)
		}
	})
}
