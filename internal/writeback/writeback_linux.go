package writeback

import (
	"os"

	"golang.org/x/sys/unix"
)

// pace waits for the writeback of f's bytes [waitOff, waitOff+waitN) that
// was started before, then starts the writeback of [off, off+n) without
// waiting for it (sync_file_range: neither call commits the journal).
func pace(f *os.File, waitOff, waitN, off, n int64) error {
	fd := int(f.Fd())
	if waitN > 0 {
		if err := unix.SyncFileRange(fd, waitOff, waitN, unix.SYNC_FILE_RANGE_WAIT_BEFORE); err != nil {
			return err
		}
	}
	return unix.SyncFileRange(fd, off, n, unix.SYNC_FILE_RANGE_WRITE)
}
