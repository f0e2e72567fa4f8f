// Package checkpoint owns the manifest of engine checkpoint LSNs and the
// rules that tie engines, checkpoints and WAL retention together.
//
// Every keel engine is a cache of the global WAL. An engine's durable state
// is complete up to its checkpoint LSN c: its files at c are a function of
// the WAL records <= c alone (DESIGN invariant 3). The manifest records, for
// each engine, c and the engine-defined state (which files hold it).
//
// Ordering rules that recovery depends on:
//
//  1. An engine writes and fsyncs its files for checkpoint c before it calls
//     Manifest.Commit(name, c, state); the manifest is the commit point.
//     The WAL must hold every record <= c durably (fsynced, whatever the
//     appendfsync policy) before that commit: otherwise a crash leaves the
//     engine ahead of the log, and the restarted log would hand out those
//     LSNs again (the crash tests found exactly this).
//  2. Commit replaces the manifest atomically (tmp, fsync, rename, fsync dir);
//     only after Commit returns may the engine delete files the old state
//     referenced.
//  3. The WAL may be truncated only below min(checkpoint LSN of every engine)
//     + 1 (invariant 6); RetainFrom computes that bound.
//  4. Recovery loads each engine at its checkpoint and replays WAL records
//     from min(c)+1, applying a record to engine E only when its LSN > c_E.
//
// Manifest is safe for concurrent use.
package checkpoint

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/cespare/xxhash/v2"
)

// LSN is a WAL log sequence number (same numbering as wal.LSN).
type LSN = uint64

// Format constants of docs/format/manifest.md. Never change them.
const (
	manifestMagic   = "KEELMANI"
	manifestVersion = 1
	// ManifestFile is the manifest's name inside the data directory.
	ManifestFile = "MANIFEST"
)

var (
	ErrBadMagic   = errors.New("bad magic")
	ErrBadVersion = errors.New("unsupported format version")
	ErrChecksum   = errors.New("checksum mismatch")
	ErrMalformed  = errors.New("malformed entry")
)

// CorruptionError reports a damaged manifest with its location.
type CorruptionError struct {
	Path   string
	Offset int64
	Err    error
}

func (e *CorruptionError) Error() string {
	return fmt.Sprintf("checkpoint: corrupt manifest %s at offset %d: %v", e.Path, e.Offset, e.Err)
}

func (e *CorruptionError) Unwrap() error { return e.Err }

// Entry is one engine's committed checkpoint.
type Entry struct {
	LSN   LSN
	State []byte
}

// Manifest is the atomically replaced record of every engine's checkpoint.
type Manifest struct {
	dir string

	mu      sync.Mutex       // guards entries and serializes file replacement
	entries map[string]Entry // engine name -> committed checkpoint
	commits int64            // number of successful commits, for INFO
}

// OpenManifest reads dir/MANIFEST, or starts an empty manifest when there is
// none. A damaged manifest is a *CorruptionError.
func OpenManifest(dir string) (*Manifest, error) {
	m := &Manifest{dir: dir, entries: map[string]Entry{}}
	path := filepath.Join(dir, ManifestFile)
	if err := os.Remove(path + ".tmp"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return nil, err
	}
	entries, off, err := decodeManifest(data)
	if err != nil {
		return nil, &CorruptionError{Path: path, Offset: off, Err: err}
	}
	m.entries = entries
	return m, nil
}

// Get returns the committed checkpoint of engine name.
func (m *Manifest) Get(name string) (Entry, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[name]
	return e, ok
}

// Entries returns a copy of every committed entry.
func (m *Manifest) Entries() map[string]Entry {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]Entry, len(m.entries))
	for k, v := range m.entries {
		out[k] = v
	}
	return out
}

// Commit makes (lsn, state) engine name's checkpoint, durably. The checkpoint
// LSN of an engine never moves backwards.
func (m *Manifest) Commit(name string, lsn LSN, state []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.entries[name]; ok && lsn < old.LSN {
		return fmt.Errorf("checkpoint: %s checkpoint LSN would move backwards (%d -> %d)", name, old.LSN, lsn)
	}
	next := make(map[string]Entry, len(m.entries)+1)
	for k, v := range m.entries {
		next[k] = v
	}
	next[name] = Entry{LSN: lsn, State: append([]byte(nil), state...)}
	if err := WriteFileAtomic(filepath.Join(m.dir, ManifestFile), encodeManifest(next)); err != nil {
		return err
	}
	m.entries = next
	m.commits++
	return nil
}

// RetainFrom returns the smallest LSN the WAL must keep for recovery of the
// given engines: min(checkpoint LSN) + 1. An engine with no checkpoint needs
// the whole log (returns 1).
func (m *Manifest) RetainFrom(engines []string) LSN {
	m.mu.Lock()
	defer m.mu.Unlock()
	min := LSN(0)
	for i, name := range engines {
		e, ok := m.entries[name]
		if !ok {
			return 1
		}
		if i == 0 || e.LSN < min {
			min = e.LSN
		}
	}
	return min + 1
}

func encodeManifest(entries map[string]Entry) []byte {
	names := make([]string, 0, len(entries))
	for k := range entries {
		names = append(names, k)
	}
	sort.Strings(names)
	var b []byte
	b = append(b, manifestMagic...)
	b = binary.LittleEndian.AppendUint16(b, manifestVersion)
	b = binary.AppendUvarint(b, uint64(len(names)))
	for _, n := range names {
		e := entries[n]
		b = binary.AppendUvarint(b, uint64(len(n)))
		b = append(b, n...)
		b = binary.LittleEndian.AppendUint64(b, e.LSN)
		b = binary.AppendUvarint(b, uint64(len(e.State)))
		b = append(b, e.State...)
	}
	return binary.LittleEndian.AppendUint64(b, xxhash.Sum64(b))
}

// decodeManifest validates magic, version, checksum, then entries; on error
// it returns the offset of the offending field.
func decodeManifest(data []byte) (map[string]Entry, int64, error) {
	if len(data) < len(manifestMagic)+2+8 {
		return nil, 0, fmt.Errorf("%w: file is %d bytes", ErrMalformed, len(data))
	}
	if !bytes.Equal(data[:8], []byte(manifestMagic)) {
		return nil, 0, ErrBadMagic
	}
	if v := binary.LittleEndian.Uint16(data[8:10]); v != manifestVersion {
		return nil, 8, fmt.Errorf("%w: %d", ErrBadVersion, v)
	}
	body := data[:len(data)-8]
	if sum := binary.LittleEndian.Uint64(data[len(data)-8:]); sum != xxhash.Sum64(body) {
		return nil, int64(len(body)), ErrChecksum
	}
	off := 10
	uv := func() (uint64, bool) {
		v, n := binary.Uvarint(body[off:])
		if n <= 0 {
			return 0, false
		}
		off += n
		return v, true
	}
	count, ok := uv()
	if !ok {
		return nil, int64(off), ErrMalformed
	}
	entries := make(map[string]Entry, count)
	for i := uint64(0); i < count; i++ {
		start := off
		nl, ok := uv()
		if !ok || uint64(len(body)-off) < nl+8 {
			return nil, int64(start), ErrMalformed
		}
		name := string(body[off : off+int(nl)])
		off += int(nl)
		if _, dup := entries[name]; dup {
			return nil, int64(start), fmt.Errorf("%w: duplicate engine %q", ErrMalformed, name)
		}
		lsn := binary.LittleEndian.Uint64(body[off:])
		off += 8
		sl, ok := uv()
		if !ok || uint64(len(body)-off) < sl {
			return nil, int64(start), ErrMalformed
		}
		entries[name] = Entry{LSN: lsn, State: append([]byte(nil), body[off:off+int(sl)]...)}
		off += int(sl)
	}
	if off != len(body) {
		return nil, int64(off), fmt.Errorf("%w: %d trailing bytes", ErrMalformed, len(body)-off)
	}
	return entries, 0, nil
}

// WriteFileAtomic replaces path with data crash-safely: write path.tmp,
// fsync it, rename it over path, fsync the directory. Any error leaves the
// old file in place.
func WriteFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return SyncDir(filepath.Dir(path))
}

// SyncDir fsyncs a directory so that renames and creations in it are durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
