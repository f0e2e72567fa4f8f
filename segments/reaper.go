package segments

import "sync"

// reaper closes and deletes, on a goroutine of its own, the obsolete
// files whose last reference a reader dropped (view.release).
//
// Why: a compaction's inputs are deleted when their last reader lets go,
// and that reader is often an event loop, in the middle of its clients'
// commands: under HSET at pipeline 16 the loop's thread stood in unlink
// for 86 ms of a 3.3 s run (8 files; sched_switch trace), as this
// machine's file system discards a deleted file's blocks before unlink
// returns. The flusher and the compactor still delete what they drop
// themselves, and Compact waits for the reaper (wait): it returns with
// every file that no reader holds gone, as before.
type reaper struct {
	mu     sync.Mutex // guards closed and the sends on ch
	closed bool
	ch     chan reapJob
	done   chan struct{}
}

// reapJob is a table to close, or (t nil) a barrier: wait's, closed once
// what was queued before it is done.
type reapJob struct {
	t       *table
	barrier chan struct{}
}

// reapQueue bounds the files waiting for the reaper; a reader that finds
// the queue full deletes the file itself.
const reapQueue = 64

func newReaper() *reaper {
	r := &reaper{ch: make(chan reapJob, reapQueue), done: make(chan struct{})}
	go r.run()
	return r
}

func (r *reaper) run() {
	defer close(r.done)
	for j := range r.ch {
		if j.t != nil {
			j.t.close()
		} else {
			close(j.barrier)
		}
	}
}

// reap closes t, and deletes it if obsolete, on the reaper's goroutine
// (on the caller's once the reaper is stopped or its queue is full).
func (r *reaper) reap(t *table) {
	r.mu.Lock()
	if !r.closed {
		select {
		case r.ch <- reapJob{t: t}:
			r.mu.Unlock()
			return
		default:
		}
	}
	r.mu.Unlock()
	t.close()
}

// wait returns once the files queued before the call are deleted (at
// once when the reaper is stopped: stop waited for them).
func (r *reaper) wait() {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	b := make(chan struct{})
	r.ch <- reapJob{barrier: b} // under mu: stop cannot close ch meanwhile
	r.mu.Unlock()
	<-b
}

// stop waits for the queued files to be deleted; later ones are deleted
// by whoever drops them.
func (r *reaper) stop() {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	r.closed = true
	close(r.ch)
	r.mu.Unlock()
	<-r.done
}
