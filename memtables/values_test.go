package memtables

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"testing"
)

// listContents, setContents and zsetContents render a value engine as a
// sorted list of "phys/key: elements" lines, for comparisons.
func engineContents[V Value[V]](e *Values[V]) []string {
	var out []string
	for phys, d := range e.dbs {
		for i := range d.shards {
			for key, c := range d.shards[i].m {
				var elems []string
				c.v.eachElem(func(m []byte, score float64) bool {
					if e.scored {
						elems = append(elems, fmt.Sprintf("%q=%v", m, score))
					} else {
						elems = append(elems, strconv.Quote(string(m)))
					}
					return true
				})
				if e.name == EngineSets {
					slices.Sort(elems)
				}
				out = append(out, fmt.Sprintf("%d/%q flags=%d: %v", phys, key, c.v.encFlags(), elems))
			}
		}
	}
	slices.Sort(out)
	return out
}

func writeValues[V Value[V]](t testing.TB, e *Values[V], lsn LSN) []byte {
	t.Helper()
	var b bytes.Buffer
	s := e.Snapshot()
	if err := s.WriteTo(&b, lsn); err != nil {
		t.Fatal(err)
	}
	e.EndSnapshot()
	return b.Bytes()
}

func TestValuesRoundTrip(t *testing.T) {
	lists := NewLists()
	for i := range 3000 { // one list spanning several chunks, split records
		l, _ := lists.Mutable(1, []byte("big"))
		l.PushRight(bytes.Repeat([]byte{byte(i)}, 40))
	}
	l, _ := lists.Mutable(2, []byte(""))
	l.PushLeft([]byte("x"))
	l.PushLeft([]byte(""))

	sets := NewSets()
	s, _ := sets.Mutable(1, []byte("ints"))
	s.Add([]byte("7"))
	s.Add([]byte("-3"))
	s, _ = sets.Mutable(1, []byte("hashed-ints"))
	s.Add([]byte("1"))
	s.ConvertToHash() // stays hashtable though all members are integers
	s, _ = sets.Mutable(3, []byte("words"))
	for i := range 5000 {
		s.Add([]byte("member:" + strconv.Itoa(i)))
	}

	zsets := NewZSets()
	z, _ := zsets.Mutable(1, []byte("z"))
	z.Add("a", math.Inf(-1))
	z.Add("b", 0.1)
	z.Add("c", math.Inf(1))
	z, _ = zsets.Mutable(1, []byte("big"))
	z.SetBig(true)
	for i := range 4000 {
		z.Add("m"+strconv.Itoa(i), float64(i%17)/3)
	}

	check := func(t *testing.T, want, got []string) {
		t.Helper()
		if !slices.Equal(want, got) {
			t.Fatalf("contents differ after the round trip:\n got %.300v\nwant %.300v", got, want)
		}
	}
	t.Run("lists", func(t *testing.T) {
		b := writeValues(t, lists, 77)
		got, lsn, err := ReadLists(bytes.NewReader(b))
		if err != nil || lsn != 77 {
			t.Fatalf("lsn %d err %v", lsn, err)
		}
		check(t, engineContents(lists), engineContents(got))
	})
	t.Run("sets", func(t *testing.T) {
		got, _, err := ReadSets(bytes.NewReader(writeValues(t, sets, 1)))
		if err != nil {
			t.Fatal(err)
		}
		check(t, engineContents(sets), engineContents(got))
		if v, _ := got.Get(1, []byte("hashed-ints")); v.IsIntSet() {
			t.Fatal("the hashtable encoding was lost")
		}
	})
	t.Run("zsets", func(t *testing.T) {
		got, _, err := ReadZSets(bytes.NewReader(writeValues(t, zsets, 1)))
		if err != nil {
			t.Fatal(err)
		}
		check(t, engineContents(zsets), engineContents(got))
	})
	t.Run("wrong engine", func(t *testing.T) {
		_, _, err := ReadSets(bytes.NewReader(writeValues(t, lists, 1)))
		if !errors.Is(err, ErrEngine) {
			t.Fatalf("err %v, want ErrEngine", err)
		}
	})
}

// TestValuesSnapshotIsolation writes while a snapshot is open: the
// snapshot must hold exactly the state at Snapshot, the live engine every
// write.
func TestValuesSnapshotIsolation(t *testing.T) {
	e := NewLists()
	for k := range 200 {
		l, _ := e.Mutable(9, []byte("k"+strconv.Itoa(k)))
		for i := range 10 {
			l.PushRight([]byte(strconv.Itoa(i)))
		}
	}
	before := engineContents(e)
	snap := e.Snapshot()
	// Writes of every kind while the snapshot is open.
	for k := range 200 {
		key := []byte("k" + strconv.Itoa(k))
		switch k % 4 {
		case 0:
			l, created := e.Mutable(9, key)
			if created {
				t.Fatal("existing key reported created")
			}
			l.PushLeft([]byte("new"))
			l.PopRight()
		case 1:
			e.Delete(9, key)
		case 2:
			fresh := NewList()
			fresh.PushRight([]byte("replaced"))
			e.Put(9, key, fresh)
		}
	}
	l, _ := e.Mutable(10, []byte("new-db"))
	l.PushRight([]byte("v"))
	e.Drop(9)
	after := engineContents(e)

	var b bytes.Buffer
	if err := snap.WriteTo(&b, 5); err != nil {
		t.Fatal(err)
	}
	e.EndSnapshot()
	got, _, err := ReadLists(&b)
	if err != nil {
		t.Fatal(err)
	}
	if c := engineContents(got); !slices.Equal(c, before) {
		t.Fatalf("snapshot saw later writes: %d lines, want %d", len(c), len(before))
	}
	if now := engineContents(e); !slices.Equal(now, after) || len(now) != 1 {
		t.Fatalf("live engine changed by the snapshot: %v", now)
	}
}

func TestValuesCorruption(t *testing.T) {
	e := NewZSets()
	z, _ := e.Mutable(1, []byte("z"))
	z.Add("a", 1)
	z.Add("b", 2)
	good := writeValues(t, e, 3)
	cases := []struct {
		name string
		edit func(b []byte) []byte
		want error
	}{
		{"magic", func(b []byte) []byte { b[0] ^= 1; return b }, ErrBadMagic},
		{"version", func(b []byte) []byte { b[8] = 9; return b }, ErrBadVersion},
		{"payload byte", func(b []byte) []byte { b[len(b)-40] ^= 0x10; return b }, ErrChecksum},
		{"truncated", func(b []byte) []byte { return b[:len(b)-5] }, ErrTruncated},
		{"trailing byte", func(b []byte) []byte { return append(b, 0) }, ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ReadZSets(bytes.NewReader(tc.edit(slices.Clone(good))))
			var ce *CorruptionError
			if !errors.Is(err, tc.want) || !errors.As(err, &ce) {
				t.Fatalf("err %v, want %v as a *CorruptionError", err, tc.want)
			}
		})
	}
}

func TestValuesDeleteIfEmpty(t *testing.T) {
	e := NewSets()
	s, created := e.Mutable(4, []byte("s"))
	if !created {
		t.Fatal("new key not reported created")
	}
	s.Add([]byte("x"))
	s.Remove([]byte("x"))
	e.DeleteIfEmpty(4, []byte("s"))
	if _, ok := e.Get(4, []byte("s")); ok || e.HasDB(4) || e.Keys() != 0 {
		t.Fatal("an empty value stayed in the engine")
	}
}

// TestValuesSnapshotConcurrent writes a snapshot on one goroutine while
// another keeps writing to the same large values (every list and set
// mutation, on shared chunks and pages), as the checkpoint and the
// command goroutines do; run with -race. The snapshot must hold exactly
// the state at Snapshot.
func TestValuesSnapshotConcurrent(t *testing.T) {
	t.Run("lists", func(t *testing.T) {
		e := NewLists()
		for k := range 3 {
			l, _ := e.Mutable(1, []byte("l"+strconv.Itoa(k)))
			for i := range 5000 {
				l.PushRight([]byte(strconv.Itoa(i)))
			}
		}
		snapshotWhileWriting(t, e, ReadLists, func(i int) {
			l, _ := e.Mutable(1, []byte("l"+strconv.Itoa(i%3)))
			switch i % 8 {
			case 0:
				l.PushLeft([]byte("x"))
			case 1:
				l.PushRight([]byte("y"))
			case 2:
				l.PopLeft()
			case 3:
				l.PopRight()
			case 4:
				l.Set(i%l.Len(), []byte("zz"))
			case 5:
				l.Set(i%l.Len(), []byte(strconv.Itoa(i%10)))
			case 6:
				l.Insert([]byte(strconv.Itoa(i%4000)), i%2 == 0, []byte("ins"))
			case 7:
				l.Remove(1, []byte(strconv.Itoa(i%4000)))
			}
			if i%500 == 0 {
				l.Trim(1, l.Len()-2)
			}
		})
	})
	t.Run("sets", func(t *testing.T) {
		e := NewSets()
		for k := range 3 {
			s, _ := e.Mutable(1, []byte("s"+strconv.Itoa(k)))
			for i := range 5000 {
				s.Add([]byte("m" + strconv.Itoa(i)))
			}
		}
		snapshotWhileWriting(t, e, ReadSets, func(i int) {
			s, _ := e.Mutable(1, []byte("s"+strconv.Itoa(i%3)))
			if i%2 == 0 {
				s.Remove([]byte("m" + strconv.Itoa(i%7000)))
			} else {
				s.Add([]byte("n" + strconv.Itoa(i)))
			}
		})
	})
}

func TestValuesSnapshotConcurrentZSets(t *testing.T) {
	e := NewZSets()
	for k := range 3 {
		z, _ := e.Mutable(1, []byte("z"+strconv.Itoa(k)))
		for i := range 5000 {
			z.Add("m"+strconv.Itoa(i), float64(i%100))
		}
	}
	snapshotWhileWriting(t, e, ReadZSets, func(i int) {
		z, _ := e.Mutable(1, []byte("z"+strconv.Itoa(i%3)))
		switch i % 6 {
		case 0:
			z.Add("n"+strconv.Itoa(i), float64(i))
		case 1:
			z.Add("m"+strconv.Itoa(i%5000), float64(i)) // moves in the skiplist
		case 2:
			z.Add("m"+strconv.Itoa(i%5000), float64(i%100)+0.5) // may update in place
		case 3:
			z.Remove("m" + strconv.Itoa(i%7000))
		case 4:
			z.PopMin(2)
		case 5:
			z.RemoveRangeByRank(10, 12)
		}
	})
}

func snapshotWhileWriting[V Value[V]](t *testing.T, e *Values[V], read func(r io.Reader) (*Values[V], LSN, error), write func(i int)) {
	t.Helper()
	before := engineContents(e)
	snap := e.Snapshot()
	var b bytes.Buffer
	done := make(chan error)
	go func() { done <- snap.WriteTo(&b, 1) }()
	for i := range 20000 {
		write(i)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	e.EndSnapshot()
	got, _, err := read(&b)
	if err != nil {
		t.Fatal(err)
	}
	if c := engineContents(got); !slices.Equal(c, before) {
		t.Fatal("the snapshot does not hold the state at Snapshot")
	}
	// A second snapshot after more writes sees them.
	after := engineContents(e)
	got2, _, err := read(bytes.NewReader(writeValues(t, e, 2)))
	if err != nil {
		t.Fatal(err)
	}
	if c := engineContents(got2); !slices.Equal(c, after) {
		t.Fatal("a later snapshot does not hold the later state")
	}
}

var listSink *List

// TestQueueEmptiedKeepsMaps: a key created and deleted again and again,
// the only key of its type (a queue emptied by every pop), reuses its
// database's maps: a cycle allocates the value and its key's string, not
// a new map. A database that held many keys drops its maps when its last
// key goes, since a map does not shrink.
func TestQueueEmptiedKeepsMaps(t *testing.T) {
	e := NewLists()
	key := []byte("queue")
	cycle := func() {
		l, _ := e.Mutable(0, key)
		l.PushRight([]byte("x"))
		if !e.Delete(0, key) {
			t.Fatal("queue missing")
		}
	}
	cycle()
	value := testing.AllocsPerRun(200, func() {
		listSink = NewList() // on the heap, as a stored value is
		listSink.PushRight([]byte("x"))
	})
	if n := testing.AllocsPerRun(200, cycle); n > value+1 {
		t.Fatalf("%v allocations per push and delete of a lone key, want %v: the value's and the key's string", n, value+1)
	}
	for i := range keptMapsPeak + 1 {
		l, _ := e.Mutable(0, []byte("k"+strconv.Itoa(i)))
		l.PushRight([]byte("x"))
	}
	for i := range keptMapsPeak + 1 {
		e.Delete(0, []byte("k"+strconv.Itoa(i)))
	}
	for i := range e.dbs[0].shards {
		if e.dbs[0].shards[i].m != nil {
			t.Fatalf("shard %d kept its map after %d keys came and went", i, keptMapsPeak+1)
		}
	}
}
