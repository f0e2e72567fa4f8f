package memtables

import "testing"

// BenchmarkListRange100 is the List side of LRANGE key 0 99 on a long
// list of 3-byte elements (redis-benchmark's LRANGE_100).
func BenchmarkListRange100(b *testing.B) {
	l := NewList()
	for range 100000 {
		l.PushLeft([]byte("xxx"))
	}
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		l.Range(0, 99, func(v []byte) bool {
			n += len(v)
			return true
		})
	}
	if n == 0 {
		b.Fatal("no elements")
	}
}
