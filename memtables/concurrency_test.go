package memtables

import (
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// Readers run concurrently under the caller's read lock: under -race this
// proves the read methods do not write shared state (except the atomics the
// contract allows).
func TestConcurrentReaders(t *testing.T) {
	k := NewKeyspace(2)
	for i := range 5000 {
		k.Set(0, []byte("k"+strconv.Itoa(i)), Entry{Type: TypeString, ExpireAt: int64(i % 2)})
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 1))
			for i := range 2000 {
				if e, ok := k.Get(0, []byte("k"+strconv.Itoa(i))); ok {
					atomic.StoreUint32(&e.Access, uint32(i)) // as the caller does
				}
				k.RandomKey(0, rng.IntN)
				k.SampleExpired(0, 1, 20)
				_ = k.Len(0) + k.ExpiresCount(0) + int(k.PhysDB(1)) + int(k.NextPhys())
			}
			for c := uint64(0); ; {
				if c = k.Scan(0, c, 50, func(string, *Entry) {}); c == 0 {
					break
				}
			}
			k.ForEach(0, func(string, *Entry) bool { return true })
		})
	}
	wg.Wait()
}
