package segments

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkBufferGet looks keys up in an active buffer of 200,000 keys
// (a full 8 MiB strings buffer holds ~60,000), in random order: absent
// keys, as most reads of a store larger than its buffer probe each
// buffer, and present ones.
func BenchmarkBufferGet(b *testing.B) {
	const n = 200_000
	buf := newBuffer(0, nil)
	for i := range n {
		k := fmt.Appendf(nil, "key:%012d", 2*i)
		buf.add(LSN(i+1), uint64(i+1), kindValue, k, k)
	}
	for _, tc := range []struct {
		name string
		odd  int
	}{{"absent", 1}, {"present", 0}} {
		keys := make([][]byte, 1<<16)
		r := rand.New(rand.NewPCG(1, 2))
		for i := range keys {
			keys[i] = fmt.Appendf(nil, "key:%012d", 2*r.IntN(n)+tc.odd)
		}
		b.Run(tc.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				if (buf.newest(keys[i&(len(keys)-1)]) == nil) != (tc.odd == 1) {
					b.Fatal("wrong answer")
				}
				i++
			}
		})
	}
}
