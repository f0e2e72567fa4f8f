package memtables

import (
	"bytes"
	"fmt"
	"testing"
)

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
		k.Set(i%2, []byte(fmt.Sprintf("key:%d", i)), e)
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
	for i := 0; i < 5000; i += 2 {
		k.Set(i%2, []byte(fmt.Sprintf("key:%d", i)), Entry{Type: TypeList, Version: 9})
		k.SetExpire((i+1)%2, []byte(fmt.Sprintf("key:%d", i+1)), 5)
		k.Delete(i%2, []byte(fmt.Sprintf("key:%d", i)))
		k.Set(0, []byte(fmt.Sprintf("new:%d", i)), Entry{Type: TypeSet})
	}
	k.FlushDB(1, k.NextPhys())
	k.SwapDB(0, 1)
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
