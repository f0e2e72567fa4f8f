package memtables

import (
	"bytes"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/keeldb/keel/internal/offheap"
)

// snapKey is test key i: every fourth is longer than a slot holds inline.
func snapKey(i int) []byte {
	if i%4 == 3 {
		return []byte(fmt.Sprintf("a-key-too-long-for-a-slot:%d", i))
	}
	return []byte(fmt.Sprintf("key:%d", i))
}

// TestSnapshotCopyOnWrite writes a snapshot while the keyspace is being
// changed and checks that the checkpoint is exactly the state at the moment
// of the snapshot (byte for byte, since checkpoints are deterministic).
func TestSnapshotCopyOnWrite(t *testing.T) {
	k := NewKeyspace(2)
	for i := 0; i < 5000; i++ {
		e := Entry{Type: TypeString, Version: uint64(i + 1), Size: int64(i)}
		if i%3 == 0 {
			e.ExpireAt = int64(1e12 + i)
		}
		k.Set(i%2, snapKey(i), e)
	}
	var want bytes.Buffer
	if err := k.WriteCheckpoint(&want, 77); err != nil {
		t.Fatal(err)
	}

	snap := k.Snapshot()
	done := make(chan error, 1)
	var got bytes.Buffer
	go func() { done <- snap.WriteTo(&got, 77) }()
	// The writer keeps going meanwhile: updates, expiries, deletes (which
	// move the last slot), inserts (which append to shared pages).
	// Collections run meanwhile, so the cleanups of pages the table let go
	// of would run if the snapshot did not hold them.
	for i := 0; i < 5000; i += 2 {
		k.Set(i%2, snapKey(i), Entry{Type: TypeList, Version: 9})
		k.SetExpire((i+1)%2, snapKey(i+1), 5)
		k.Delete(i%2, snapKey(i))
		k.Set(0, []byte(fmt.Sprintf("new:%d", i)), Entry{Type: TypeSet})
		if i%1000 == 0 {
			runtime.GC()
		}
	}
	k.FlushDB(1, k.NextPhys())
	k.SwapDB(0, 1)
	runtime.GC()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	k.EndSnapshot()
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Fatalf("snapshot taken before the writes differs from the state it captured (%d vs %d bytes)", got.Len(), want.Len())
	}
	// After EndSnapshot, writes no longer copy pages and the live state is
	// intact: the new keys are there.
	if _, ok := k.Get(1, []byte("new:0")); !ok {
		t.Fatal("write made during the snapshot is missing")
	}
}

// TestOffHeapReturned checks that the keyspace's off-heap memory goes back:
// at once when the keys are deleted or their database flushed, and, when a
// snapshot shared the pages, once the snapshot is dropped.
func TestOffHeapReturned(t *testing.T) {
	// Other tests' garbage may still be returned by cleanups meanwhile,
	// which only lowers the count: the checks are upper bounds.
	base := offheap.InUse()
	k := NewKeyspace(2)
	fill := func(db, n int) {
		for i := range n {
			k.Set(db, snapKey(i), Entry{Type: TypeString, Version: uint64(i + 1)})
		}
	}
	fill(0, 20000)
	if offheap.InUse() <= base {
		t.Fatalf("20000 keys hold no off-heap memory (%d bytes, %d before)", offheap.InUse(), base)
	}
	for i := range 20000 {
		k.Delete(0, snapKey(i))
	}
	checkTable(t, k, 0)
	if got := offheap.InUse(); got > base {
		t.Fatalf("after deleting every key: %d off-heap bytes, %d before", got, base)
	}
	fill(1, 20000)
	k.FlushDB(1, k.NextPhys())
	if got := offheap.InUse(); got > base {
		t.Fatalf("after FLUSHDB: %d off-heap bytes, %d before", got, base)
	}

	fill(0, 20000)
	snap := k.Snapshot()
	k.FlushDB(0, k.NextPhys()) // the pages stay with the snapshot
	var b bytes.Buffer
	if err := snap.WriteTo(&b, 1); err != nil {
		t.Fatal(err)
	}
	k.EndSnapshot()
	got, _, err := ReadCheckpoint(&b, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got.Len(0) != 20000 {
		t.Fatalf("snapshot taken before FLUSHDB holds %d keys, want 20000", got.Len(0))
	}
	got.FlushDB(0, got.NextPhys())
	runtime.KeepAlive(snap)
	snap = nil
	deadline := time.Now().Add(10 * time.Second)
	for offheap.InUse() > base {
		if time.Now().After(deadline) {
			t.Fatalf("dropped snapshot's pages not returned: %d off-heap bytes, %d before", offheap.InUse(), base)
		}
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
}
