//go:build !linux

package segments

import "errors"

// lowerPriority is Linux only: elsewhere setpriority sets the priority of
// the whole process, not of one thread. The compactor runs at the
// process's priority.
func lowerPriority(by int) (int, error) {
	return 0, errors.New("segments: a thread's own priority is Linux only")
}
