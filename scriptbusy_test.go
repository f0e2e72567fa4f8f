package keel

import (
	"sync"
	"testing"
	"time"
)

// TestWaitLockResume: a command that waits for db.mu as a registered
// waiter (waitLock) when a script turns busy is reported to the busy
// hook; when the lock is free it does not run with it at once: it lets
// the lock go, the resume hook is called on its goroutine (the server
// takes back what it served around it), and it takes the lock again.
func TestWaitLockResume(t *testing.T) {
	db := newTestDB(t)
	var mu sync.Mutex
	var busy, resumed []*Session
	db.SetScriptBusyHooks(func(s *Session) {
		mu.Lock()
		busy = append(busy, s)
		mu.Unlock()
	}, func(s *Session) {
		if db.mu.TryLock() { // the lock is not held across the hook
			db.mu.Unlock()
		} else {
			t.Error("the resume hook ran with the lock held by someone")
		}
		mu.Lock()
		resumed = append(resumed, s)
		mu.Unlock()
	})
	snapshot := func() (b, r []*Session) {
		mu.Lock()
		defer mu.Unlock()
		return append([]*Session(nil), busy...), append([]*Session(nil), resumed...)
	}
	// The lock is held (as by a script's command before its script
	// published itself) while the waiter looks and finds no script.
	db.mu.Lock()
	waiter := db.NewSession()
	got := make(chan bool)
	go func() {
		ok := db.waitLock(waiter, true)
		if ok {
			db.mu.Unlock()
		}
		got <- ok
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		db.scripts.waiters.mu.Lock()
		_, in := db.scripts.waiters.set[waiter]
		db.scripts.waiters.mu.Unlock()
		if in {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the waiter never registered")
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // into Lock()
	// The script turns busy.
	script := db.NewSession()
	st := &db.scripts
	st.running.Store(&scriptRun{c: &Ctx{S: script}, start: time.Now().Add(-time.Hour)})
	st.work.mu.Lock()
	st.work.open = true
	st.work.mu.Unlock()
	db.scriptTurnedBusy()
	if b, _ := snapshot(); len(b) != 2 || b[0] != script || b[1] != waiter {
		t.Fatalf("busy hook calls %v, want the script's session, then the waiter's", b)
	}
	st.work.mu.Lock()
	st.work.open = false
	st.work.mu.Unlock()
	st.running.Store(nil)
	db.mu.Unlock() // the script's command returns
	select {
	case ok := <-got:
		if !ok {
			t.Fatal("waitLock reported a running script")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the waiter never got the lock")
	}
	if _, r := snapshot(); len(r) != 1 || r[0] != waiter {
		t.Fatalf("resume hook calls %v, want the waiter's once", r)
	}
}
