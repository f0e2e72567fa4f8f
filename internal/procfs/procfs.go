// Package procfs reads what tests need from Linux's /proc: the nice value
// of each thread of a process, and a process's state.
package procfs

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ThreadNices returns the nice value of each thread of process pid, by
// thread id (/proc/<pid>/task/<tid>/stat, field 19). A thread that exits
// while it is read is left out.
func ThreadNices(pid int) (map[int]int, error) {
	dir := filepath.Join("/proc", strconv.Itoa(pid), "task")
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	nices := make(map[int]int, len(ents))
	for _, e := range ents {
		tid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name(), "stat"))
		if err != nil {
			continue // exited
		}
		nice, err := statNice(string(b))
		if err != nil {
			return nil, fmt.Errorf("procfs: thread %d: %w", tid, err)
		}
		nices[tid] = nice
	}
	return nices, nil
}

// State returns the state of process pid (/proc/<pid>/stat's field 3:
// 'R', 'S', 'Z' for a zombie its parent has not reaped, ...). A process
// that does not exist is an error wrapping fs.ErrNotExist.
func State(pid int) (byte, error) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0, err
	}
	f, err := statFields(string(b), 1)
	if err != nil {
		return 0, fmt.Errorf("procfs: process %d: %w", pid, err)
	}
	return f[0][0], nil
}

// statNice parses the nice value, field 19, out of a stat line.
func statNice(stat string) (int, error) {
	f, err := statFields(stat, 17)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(f[16])
}

// statFields returns a stat line's fields from the state, field 3, on,
// at least n of them. The command name, field 2, is in parentheses and
// may hold spaces and parentheses itself, so they are counted from the
// last ')'.
func statFields(stat string, n int) ([]string, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return nil, fmt.Errorf("stat line without a command name: %q", stat)
	}
	f := strings.Fields(stat[i+1:])
	if len(f) < n {
		return nil, fmt.Errorf("stat line with %d fields after the command name: %q", len(f), stat)
	}
	return f, nil
}
