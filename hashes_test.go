package keel

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestHashRewriteCompaction deletes and rewrites large hashes over and
// over (issue 4: "disk use returns to within 2x of the live data"). A
// deleted hash is one range tombstone over its version; the engine's own
// size-tiered compaction, triggered by the flushes, must drop the old
// versions' fields. The figure is logged.
func TestHashRewriteCompaction(t *testing.T) {
	if testing.Short() {
		t.Skip("writes ~40 MB")
	}
	db := newTestDB(t, func(o *Options) { o.StringsBufferSize = 1 << 20 })
	s := db.NewSession()
	const hashes, fields, valueLen = 4, 2000, 200
	live := int64(hashes * fields * (valueLen + len("field:0000")))
	value := strings.Repeat("v", valueLen)
	for round := 0; round < 12; round++ {
		for h := 0; h < hashes; h++ {
			key := fmt.Sprintf("hash:%d", h)
			if round > 0 {
				if got := do(db, s, "DEL", key); got != int64(1) {
					t.Fatalf("DEL %s = %v", key, got)
				}
			}
			args := []string{"HSET", key}
			for f := 0; f < fields; f++ {
				args = append(args, fmt.Sprintf("field:%04d", f), value)
			}
			if got := do(db, s, args...); got != int64(fields) {
				t.Fatalf("HSET = %v", got)
			}
		}
	}
	if err := db.CheckpointEngine("hashes"); err != nil {
		t.Fatal(err)
	}
	// Let the background compactions the flushes started finish.
	var disk int64
	for deadline := time.Now().Add(20 * time.Second); ; {
		before := db.hashes.Stats().Compactions
		time.Sleep(300 * time.Millisecond)
		st := db.hashes.Stats()
		disk = st.DiskBytes
		if st.Compactions == before && disk <= 2*live || time.Now().After(deadline) {
			break
		}
	}
	t.Logf("live data %d KiB, hashes engine on disk %d KiB (%.2fx) after 12 rewrites of %d hashes",
		live>>10, disk>>10, float64(disk)/float64(live), hashes)
	if disk > 2*live {
		t.Fatalf("disk %d bytes > 2x live %d bytes", disk, live)
	}
	if got := do(db, s, "HLEN", "hash:3"); got != int64(fields) {
		t.Fatalf("HLEN = %v", got)
	}
}
