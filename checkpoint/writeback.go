package checkpoint

import "os"

// WritebackEvery is how many bytes a Writeback writer lets accumulate
// before it starts their writeback.
const WritebackEvery = 1 << 20

// Writeback writes to a file and starts the kernel's writeback of every
// WritebackEvery bytes as they are written, so that the fsync that ends a
// checkpoint finds little left to write.
//
// Why: on ext4 (data=ordered) an fsync commits the journal, and a journal
// commit first writes every dirty data block of the transaction; appends
// to the WAL, which need a journal handle to extend the file, wait for
// that commit. Fsyncing tens of megabytes of checkpoint at once stalled
// WAL writes, and so every client's reply, for 10-20 ms. Started early,
// the writeback happens in the background and the final commit is short
// (RocksDB's bytes_per_sync does the same).
type Writeback struct {
	f       *os.File
	off     int64 // bytes written
	started int64 // bytes whose writeback has been started
}

// NewWriteback wraps f, positioned at offset 0.
func NewWriteback(f *os.File) *Writeback { return &Writeback{f: f} }

func (w *Writeback) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.off += int64(n)
	if err == nil && w.off-w.started >= WritebackEvery {
		err = startWriteback(w.f, w.started, w.off-w.started)
		w.started = w.off
	}
	return n, err
}
