package server

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// sockRead and sockWrite are read(2) and write(2) on a client's
// non-blocking socket, made as raw system calls: without the runtime's
// entersyscall and exitsyscall, which hand the thread's processor to other
// goroutines while a call blocks. A call on a non-blocking socket never
// blocks (it copies what the socket's buffers hold, or fails with EAGAIN),
// so for the event loops (one read and one write per request at pipeline
// 1, each loop on a thread of its own) the hand-over was pure cost. The
// results are unix.Read's and unix.Write's, but n is 0 on an error.
func sockRead(fd int, p []byte) (int, error) { return sockCall(unix.SYS_READ, fd, p) }

func sockWrite(fd int, p []byte) (int, error) { return sockCall(unix.SYS_WRITE, fd, p) }

// sockCall is read(2) or write(2) (trap) of p on fd, raw.
func sockCall(trap uintptr, fd int, p []byte) (int, error) {
	var ptr unsafe.Pointer
	if len(p) > 0 {
		ptr = unsafe.Pointer(&p[0])
	}
	n, _, e := unix.RawSyscall(trap, uintptr(fd), uintptr(ptr), uintptr(len(p)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}
