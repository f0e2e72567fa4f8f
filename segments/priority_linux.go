//go:build linux

package segments

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// lowerPriority moves the calling goroutine, for the rest of its life, to
// a thread of its own whose nice value is by more than the process's
// (capped at 19), and returns that nice value. Linux schedules each
// thread by its own nice value; the weight of nice 10 is a tenth of nice
// 0's, so the thread gets the CPU the request path leaves and a tenth of
// it when every core is wanted.
//
// The goroutine must return without UnlockOSThread: a goroutine that ends
// locked ends its thread too, which otherwise would go back to the
// runtime's pool with the lowered priority and run anything. Threads the
// runtime starts while this one is locked are cloned from its template
// thread, not from this one, so they do not inherit the nice value
// either (runtime.newm).
func lowerPriority(by int) (int, error) {
	runtime.LockOSThread()
	tid := unix.Gettid()
	// The raw syscall answers 20 - nice (1..40); glibc's getpriority
	// converts it, x/sys/unix does not.
	prio, err := unix.Getpriority(unix.PRIO_PROCESS, tid)
	if err != nil {
		return 0, err
	}
	nice := min(20-prio+by, 19)
	return nice, unix.Setpriority(unix.PRIO_PROCESS, tid, nice)
}
