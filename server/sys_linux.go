package server

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// osName is INFO server's os as Redis writes it, uname's sysname,
// release and machine ("Linux 6.1.0 x86_64").
func osName() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return runtime.GOOS + " " + runtime.GOARCH
	}
	return unix.ByteSliceToString(u.Sysname[:]) + " " + unix.ByteSliceToString(u.Release[:]) + " " + unix.ByteSliceToString(u.Machine[:])
}

// multiplexingAPI is INFO server's multiplexing_api: the event loops and
// Go's netpoller both wait with epoll here.
const multiplexingAPI = "epoll"
