// Package writeback paces the writeback of files written in bulk: segment
// files (flushes, compactions) and checkpoints.
//
// Why: the page cache holds what such a writer writes until its final
// fsync, which then hands the disk tens or hundreds of megabytes at once,
// and every other fsync queues behind them. The WAL's are the ones that
// matter: on ext4 (data=ordered) a WAL append that extends its file waits
// for the journal commit that a checkpoint's fsync forces, which first
// writes the checkpoint's dirty data (10-20 ms stalls of every reply);
// and the fsync inside a WAL roll, which an event loop waits for, waited
// behind a compaction's 100 MiB output for up to 76 ms (sched_switch
// trace of the loop's thread under MSET, session 23). A Writer starts the
// writeback of every Every bytes as they are written, and first waits for
// the writeback it started the time before: no more than about two steps
// of the file are ever queued at the disk, the final fsync finds little
// left to write, and the writer, not the WAL, waits for the disk.
// RocksDB's bytes_per_sync and strict_bytes_per_sync do the same.
package writeback

import "os"

// Every is how many bytes a Writer lets accumulate before it starts their
// writeback.
const Every = 1 << 20

// Writer writes to a file and paces its writeback (the package doc).
type Writer struct {
	f       *os.File
	off     int64 // bytes written
	started int64 // bytes whose writeback has been started
	prev    int64 // where the range started last began: [prev, started)
}

// New wraps f, positioned at offset 0.
func New(f *os.File) *Writer { return &Writer{f: f} }

func (w *Writer) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.off += int64(n)
	if err == nil && w.off-w.started >= Every {
		err = pace(w.f, w.prev, w.started-w.prev, w.started, w.off-w.started)
		w.prev, w.started = w.started, w.off
	}
	return n, err
}
