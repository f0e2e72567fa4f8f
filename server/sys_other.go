//go:build !linux

package server

import "runtime"

// osName is INFO server's os: the OS and architecture Go reports.
func osName() string { return runtime.GOOS + " " + runtime.GOARCH }

// multiplexingAPI is INFO server's multiplexing_api: Go's netpoller's
// (kqueue on the BSDs and macOS).
const multiplexingAPI = "kqueue"
