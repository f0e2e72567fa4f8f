package wal

import (
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// FsyncPolicy says when a written record counts as durable. The names and
// semantics are Redis's appendfsync.
type FsyncPolicy int

const (
	// FsyncAlways: a record is durable once fsynced. One fsync covers every
	// record written since the previous one (group commit).
	FsyncAlways FsyncPolicy = iota
	// FsyncEverySec: a record is durable once written to the OS; the writer
	// fsyncs about once per second, so a machine crash loses about 1s.
	FsyncEverySec
	// FsyncNo: a record is durable once written to the OS; fsync is left to
	// the OS (and to segment rolls, the active segment's early fsyncs ahead
	// of them, and Close).
	FsyncNo
)

// ParseFsyncPolicy parses "always", "everysec" or "no", case-insensitively.
func ParseFsyncPolicy(s string) (FsyncPolicy, error) {
	switch strings.ToLower(s) {
	case "always":
		return FsyncAlways, nil
	case "everysec":
		return FsyncEverySec, nil
	case "no":
		return FsyncNo, nil
	}
	return 0, fmt.Errorf("wal: unknown fsync policy %q (want always, everysec or no)", s)
}

func (p FsyncPolicy) String() string {
	switch p {
	case FsyncAlways:
		return "always"
	case FsyncEverySec:
		return "everysec"
	case FsyncNo:
		return "no"
	}
	return fmt.Sprintf("FsyncPolicy(%d)", int(p))
}

// DefaultSegmentSize is the target size of one segment file.
const DefaultSegmentSize = 64 << 20

// Options configure Open. The zero value is valid: fsync always, 64 MiB
// segments, a new log starts at LSN 1.
type Options struct {
	Fsync       FsyncPolicy
	SegmentSize int64        // bytes per tidwall/wal segment; default 64 MiB
	StartLSN    LSN          // first LSN of a brand-new (empty) log; default 1. Ignored if the log exists.
	Logger      *slog.Logger // warnings (torn tail repair); default slog.Default()
	Now         func() int64 // unix ms clock for record timestamps; default time.Now().UnixMilli
	// KeepTornTail makes a torn tail of the last segment an error of
	// Open (a *CorruptionError naming the file and offset) instead of
	// being truncated with a warning: Redis's aof-load-truncated no, for
	// an operator who wants to look at the file first.
	KeepTornTail bool

	// syncTick is the interval of everysec's fsync; 0 is a second. Tests
	// lengthen it to tell the tick's fsyncs from presyncStep's.
	syncTick time.Duration
}
