// Package procfs reads what tests need from Linux's /proc: the nice value
// of each thread of a process.
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

// statNice parses the nice value out of a stat line. The command name,
// field 2, is in parentheses and may hold spaces and parentheses itself,
// so the fields are counted from the last ')': state is field 3 and nice
// field 19.
func statNice(stat string) (int, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, fmt.Errorf("stat line without a command name: %q", stat)
	}
	f := strings.Fields(stat[i+1:])
	if len(f) < 17 {
		return 0, fmt.Errorf("stat line with %d fields after the command name: %q", len(f), stat)
	}
	return strconv.Atoi(f[16])
}
