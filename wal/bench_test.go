package wal

import (
	"sync"
	"testing"
)

// BenchmarkAppend: parallel appenders, each holding a shared lock around
// Append (as keel's command layer does) and then waiting for durability,
// like a pipeline-1 client. Reports ns per acknowledged record.
func BenchmarkAppend(b *testing.B) {
	for _, p := range []FsyncPolicy{FsyncNo, FsyncAlways} {
		b.Run(p.String(), func(b *testing.B) {
			opts := Options{Fsync: p}
			l, err := Open(b.TempDir(), opts)
			if err != nil {
				b.Fatal(err)
			}
			payload := make([]byte, 100)
			slots := []uint16{1234}
			var mu sync.Mutex // the caller's apply lock
			b.SetParallelism(32)
			b.SetBytes(int64(frameSize(1, len(payload))))
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					mu.Lock()
					lsn, err := l.Append(1, slots, payload)
					mu.Unlock()
					if err != nil {
						b.Error(err)
						return
					}
					if err := l.WaitDurable(lsn); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			if err := l.Close(); err != nil {
				b.Fatal(err)
			}
		})
	}
}
