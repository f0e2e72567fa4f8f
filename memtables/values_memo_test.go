package memtables

import (
	"testing"
	"unsafe"
)

// TestValuesMemo checks that the memo of the last written key never
// answers differently from the shard maps: after Delete, Drop, Put, a
// write to another key, and across a snapshot (copy-on-write).
func TestValuesMemo(t *testing.T) {
	e := NewLists()
	key := []byte("k")
	l, created := e.Mutable(1, key)
	if !created {
		t.Fatal("first Mutable did not create")
	}
	l.PushRight([]byte("a"))
	if l2, created := e.Mutable(1, key); created || l2 != l {
		t.Fatalf("second Mutable: created=%v same=%v", created, l2 == l)
	}
	if _, ok := e.Get(2, key); ok {
		t.Fatal("memo answered for another physical db")
	}
	if _, ok := e.Get(1, []byte("kk")); ok {
		t.Fatal("memo answered for another key")
	}

	// Copy-on-write: the first Mutable after a snapshot copies the value.
	s := e.Snapshot()
	g, _ := e.Get(1, key)
	if g != l {
		t.Fatal("Get during a snapshot did not return the shared value")
	}
	l3, _ := e.Mutable(1, key)
	if l3 == l {
		t.Fatal("Mutable during a snapshot returned the shared value")
	}
	l3.PushRight([]byte("b"))
	if l.Len() != 1 || l3.Len() != 2 {
		t.Fatalf("snapshot's list has %d, live %d elements", l.Len(), l3.Len())
	}
	if l4, _ := e.Mutable(1, key); l4 != l3 {
		t.Fatal("second Mutable during a snapshot copied again")
	}
	_ = s
	e.EndSnapshot()

	// Delete, Put, Drop clear the memo.
	e.Delete(1, key)
	if _, ok := e.Get(1, key); ok {
		t.Fatal("Get after Delete found the key")
	}
	if _, created := e.Mutable(1, key); !created {
		t.Fatal("Mutable after Delete did not create")
	}
	nl := NewList()
	nl.PushRight([]byte("z"))
	e.Put(1, key, nl)
	if g, _ := e.Get(1, key); g != nl {
		t.Fatal("Get after Put did not return the new value")
	}
	e.Mutable(1, key)
	e.Drop(1)
	if _, ok := e.Get(1, key); ok {
		t.Fatal("Get after Drop found the key")
	}
	if e.memo.cell.v != nil {
		t.Fatal("the memo keeps a dropped value reachable")
	}

	// The memo copies the key: changing the caller's bytes changes nothing.
	buf := []byte("x1")
	e.Mutable(3, buf)
	buf[1] = '2'
	if _, ok := e.Get(3, []byte("x2")); ok {
		t.Fatal("the memo aliased the caller's key")
	}
	if _, ok := e.Get(3, []byte("x1")); !ok {
		t.Fatal("x1 not found")
	}
}

// TestZSetAddCopiesMember checks that Add keeps a copy of the member, so
// that callers may pass a view of bytes they reuse (the ZADD apply does).
func TestZSetAddCopiesMember(t *testing.T) {
	z := NewZSet()
	buf := []byte("member-1")
	z.Add(unsafe.String(&buf[0], len(buf)), 1)
	buf[7] = '2'
	z.Add(unsafe.String(&buf[0], len(buf)), 2)
	buf[7] = '3'
	if s, ok := z.Score("member-1"); !ok || s != 1 {
		t.Fatalf("member-1: %v %v", s, ok)
	}
	if s, ok := z.Score("member-2"); !ok || s != 2 {
		t.Fatalf("member-2: %v %v", s, ok)
	}
	var got []string
	z.ForEach(func(m string, _ float64) bool {
		got = append(got, m)
		return true
	})
	if len(got) != 2 || got[0] != "member-1" || got[1] != "member-2" {
		t.Fatalf("members %q", got)
	}
	// An update moves the node and keeps its own member string.
	buf[7] = '1'
	if added, changed := z.Add(unsafe.String(&buf[0], len(buf)), 5); added || !changed {
		t.Fatalf("update: added=%v changed=%v", added, changed)
	}
	buf[7] = '9'
	if r, ok := z.Rank("member-1", false); !ok || r != 1 {
		t.Fatalf("rank of member-1: %d %v", r, ok)
	}
}

// TestListPopView checks that the views PopLeft and PopRight return hold
// the popped bytes until the next write, also when the pop empties a
// chunk and when the chunk is shared with a snapshot.
func TestListPopView(t *testing.T) {
	l := NewList()
	for i := range 300 {
		l.PushRight([]byte{byte(i), byte(i >> 8), 'x'})
	}
	live := l.snapshotClone(1) // l is now the snapshot's, never written
	for i := range 300 {
		v, ok := live.PopLeft()
		if !ok || len(v) != 3 || v[0] != byte(i) || v[1] != byte(i>>8) {
			t.Fatalf("PopLeft %d = %v %v", i, v, ok)
		}
	}
	for i := range 300 {
		live.PushRight([]byte{byte(i), byte(i >> 8), 'y'})
	}
	for i := 299; i >= 0; i-- {
		v, ok := live.PopRight()
		if !ok || len(v) != 3 || v[0] != byte(i) || v[1] != byte(i>>8) || v[2] != 'y' {
			t.Fatalf("PopRight %d = %v %v", i, v, ok)
		}
	}
	if l.Len() != 300 {
		t.Fatalf("snapshot's list has %d elements", l.Len())
	}
	l.Range(0, 299, func(v []byte) bool {
		if v[2] != 'x' {
			t.Fatalf("snapshot's element changed: %v", v)
		}
		return true
	})
}

func TestZSetAddBytes(t *testing.T) {
	z := NewZSet()
	buf := []byte("a-member-longer-than-thirty-two-bytes-0")
	z.AddBytes(buf, 1)
	buf[len(buf)-1] = '1'
	z.AddBytes(buf, 2)
	z.AddBytes(nil, 3) // the empty member
	if s, ok := z.Score("a-member-longer-than-thirty-two-bytes-0"); !ok || s != 1 {
		t.Fatalf("first member: %v %v", s, ok)
	}
	if s, ok := z.Score(""); !ok || s != 3 || z.Len() != 3 {
		t.Fatalf("empty member: %v %v, len %d", s, ok, z.Len())
	}
}
