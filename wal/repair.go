package wal

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// recoverDir prepares dir for tidwall/wal and returns the segment list:
// it removes stale temporary files, finishes an interrupted front truncation,
// creates the first segment of a new log at opts.StartLSN, verifies every
// frame of every segment, truncates a torn tail of the last segment, and
// rebuilds missing or wrong sidecars. It runs before tidwall opens the
// directory, because tidwall fails on a torn entry and reads a zero-filled
// tail as phantom empty entries.
func recoverDir(dir string, opts Options) ([]*segment, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	firsts, metas, err := listDir(dir)
	if err != nil {
		return nil, err
	}
	if len(firsts) == 0 {
		// A new log starting at LSN N is one empty segment named N: tidwall
		// (with AllowEmpty) then accepts exactly index N next.
		path := segPath(dir, opts.StartLSN)
		if err := createEmpty(path); err != nil {
			return nil, err
		}
		if err := syncDir(dir); err != nil {
			return nil, err
		}
		firsts = []LSN{opts.StartLSN}
	}

	segs := make([]*segment, 0, len(firsts))
	for i, first := range firsts {
		path := segPath(dir, first)
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		tail := i == len(firsts)-1
		res, err := scanSegment(path, first, data, tail)
		if err != nil {
			return nil, err
		}
		if !tail && res.seg.last+1 != firsts[i+1] {
			return nil, &CorruptionError{Path: path, Offset: res.validEnd, LSN: res.seg.last + 1,
				Err: fmt.Errorf("%w: segment ends at lsn %d but the next one starts at %d",
					ErrTruncated, res.seg.last, firsts[i+1])}
		}
		if res.torn != nil && opts.KeepTornTail {
			return nil, fmt.Errorf("%w (torn tail left as found: aof-load-truncated is no)", res.torn)
		}
		if res.torn != nil {
			if err := truncateFile(path, res.validEnd); err != nil {
				return nil, err
			}
			if err := syncDir(dir); err != nil {
				return nil, err
			}
			opts.Logger.Warn("wal: truncated torn tail of last segment",
				"file", path, "offset", res.validEnd,
				"bytes", int64(len(data))-res.validEnd, "lsn", res.torn.LSN, "cause", res.torn.Err)
		}
		seg := res.seg
		seg.sealed = !tail
		segs = append(segs, &seg)
	}

	// Sidecars are derived data: make each sealed segment's agree with the
	// scan, and drop those of segments that no longer exist.
	want := make(map[string]bool)
	for _, s := range segs {
		if !s.sealed {
			continue
		}
		want[sidecarPath(s.path)] = true
		info := s.info()
		b, rerr := os.ReadFile(sidecarPath(s.path))
		if rerr == nil {
			got, derr := decodeSidecar(b)
			if derr == nil && sameInfo(got, info) {
				continue
			}
			if derr == nil {
				derr = errors.New("disagrees with its segment")
			}
			opts.Logger.Warn("wal: rebuilding invalid sidecar", "file", sidecarPath(s.path), "cause", derr)
		} else if !errors.Is(rerr, fs.ErrNotExist) {
			return nil, rerr
		}
		if err := writeSidecar(info); err != nil {
			return nil, err
		}
	}
	for _, m := range metas {
		if !want[m] {
			if err := os.Remove(m); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, err
			}
		}
	}
	return segs, nil
}

// listDir returns the first LSNs of the segment files in dir in order, and
// the sidecar paths. It removes stale *.tmp (ours) and *.TEMP (tidwall's)
// files and finishes a front truncation that a crash interrupted.
func listDir(dir string) ([]LSN, []string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	var firsts []LSN
	var metas []string
	var start LSN
	changed := false
	for _, e := range ents {
		name := e.Name()
		path := filepath.Join(dir, name)
		switch {
		case e.IsDir():
		case strings.HasSuffix(name, tmpExt) || strings.HasSuffix(name, ".TEMP"):
			if err := os.Remove(path); err != nil {
				return nil, nil, err
			}
			changed = true
		case strings.HasSuffix(name, sidecarExt):
			metas = append(metas, path)
		case strings.HasSuffix(name, ".START"):
			n, ok := parseSegmentName(strings.TrimSuffix(name, ".START"))
			if !ok || start != 0 {
				return nil, nil, fmt.Errorf("wal: unexpected file %s", path)
			}
			start = n
		case strings.HasSuffix(name, ".END"):
			// keel never truncates the back of the log.
			return nil, nil, fmt.Errorf("wal: unexpected file %s", path)
		default:
			if n, ok := parseSegmentName(name); ok {
				firsts = append(firsts, n)
			}
		}
	}
	if start != 0 {
		// tidwall writes <N>.START (fsynced) holding the records >= N of the
		// segment that holds N, then deletes the older segments and renames
		// it. Finish that exactly as tidwall's own load would.
		kept := firsts[:0]
		for _, f := range firsts {
			if f <= start {
				if err := os.Remove(segPath(dir, f)); err != nil {
					return nil, nil, err
				}
				continue
			}
			kept = append(kept, f)
		}
		if err := os.Rename(segPath(dir, start)+".START", segPath(dir, start)); err != nil {
			return nil, nil, err
		}
		firsts = append([]LSN{start}, kept...)
		changed = true
	}
	sort.Slice(firsts, func(i, j int) bool { return firsts[i] < firsts[j] })
	if changed {
		if err := syncDir(dir); err != nil {
			return nil, nil, err
		}
	}
	return firsts, metas, nil
}

func createEmpty(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// truncateFile cuts path to size and fsyncs it.
func truncateFile(path string, size int64) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	err = f.Truncate(size)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
