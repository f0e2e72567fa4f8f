package keel

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/keeldb/keel/checkpoint"
	"github.com/keeldb/keel/internal/writeback"
	"github.com/keeldb/keel/memtables"
)

// The in-memory engines — keyspace, lists, sets, zsets — share their
// checkpoint plumbing: each writes a memtables checkpoint file
// "<engine>-<lsn hex>.ckpt" (docs/format/checkpoint.md) from a
// copy-on-write snapshot and names it in the manifest under its own name.

// memEngines lists the in-memory engines in checkpoint order.
var memEngines = []engineID{engKeyspace, engLists, engSets, engZSets, engFunctions}

// memSnapshot is a captured engine image that writes without db.mu.
type memSnapshot interface {
	WriteTo(w io.Writer, lsn memtables.LSN) error
}

// snapshotMem captures engine id; the caller holds db.mu exclusively and
// calls end, under db.mu again, once the image is written.
func (db *DB) snapshotMem(id engineID) (s memSnapshot, end func()) {
	switch id {
	case engKeyspace:
		return db.ks.Snapshot(), db.ks.EndSnapshot
	case engLists:
		return db.lists.Snapshot(), db.lists.EndSnapshot
	case engSets:
		return db.sets.Snapshot(), db.sets.EndSnapshot
	case engZSets:
		return db.zsets.Snapshot(), db.zsets.EndSnapshot
	case engFunctions:
		return db.funcs.snapshot(), func() {}
	}
	panic(fmt.Sprintf("keel: engine %d is not in memory", id))
}

// loadMem loads engine id from the checkpoint the manifest names, or
// starts it empty.
func (db *DB) loadMem(id engineID) error {
	name := engineNames[id]
	e, ok := db.man.Get(name)
	if !ok {
		switch id {
		case engKeyspace:
			db.ks = memtables.NewKeyspace(db.opts.Databases)
		case engLists:
			db.lists = memtables.NewLists()
		case engSets:
			db.sets = memtables.NewSets()
		case engZSets:
			db.zsets = memtables.NewZSets()
		case engFunctions:
			db.funcs = newFunctions()
		}
		return nil
	}
	path := filepath.Join(db.dir, string(e.State))
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("keel: %s checkpoint named by the manifest: %w", name, err)
	}
	defer f.Close()
	var lsn memtables.LSN
	switch id {
	case engKeyspace:
		db.ks, lsn, err = memtables.ReadCheckpoint(f, db.opts.Databases)
	case engLists:
		db.lists, lsn, err = memtables.ReadLists(f)
	case engSets:
		db.sets, lsn, err = memtables.ReadSets(f)
	case engZSets:
		db.zsets, lsn, err = memtables.ReadZSets(f)
	case engFunctions:
		lsn, err = db.loadFunctions(f)
	}
	if err != nil {
		var ce *memtables.CorruptionError
		if errors.As(err, &ce) {
			return fmt.Errorf("keel: corrupt %s checkpoint %s at offset %d: %w", name, path, ce.Offset, err)
		}
		var fe *functionsCorruption
		if errors.As(err, &fe) {
			return fmt.Errorf("keel: corrupt %s checkpoint %s at offset %d: %w", name, path, fe.Offset, err)
		}
		return fmt.Errorf("keel: %s checkpoint %s: %w", name, path, err)
	}
	if lsn != e.LSN {
		return fmt.Errorf("keel: %s checkpoint %s holds LSN %d, manifest says %d", name, path, lsn, e.LSN)
	}
	db.memCkpt[id].Store(lsn)
	db.removeStaleCheckpoints(id, string(e.State))
	return nil
}

// removeStaleCheckpoints removes engine id's checkpoint files other than
// keep: superseded ones, and partial ones from a crash (never named by the
// manifest).
func (db *DB) removeStaleCheckpoints(id engineID, keep string) {
	matches, _ := filepath.Glob(filepath.Join(db.dir, engineNames[id]+"-*.ckpt*"))
	for _, m := range matches {
		if filepath.Base(m) != keep {
			os.Remove(m)
		}
	}
}

// checkpointMem writes engine id's image at the current LSN. The image is
// captured under the write lock (copy-on-write: O(pages) or O(shards)) and
// written to disk with no lock held; writers copy what they change while
// it runs.
func (db *DB) checkpointMem(id engineID) error {
	db.mu.Lock()
	lsn := uint64(db.log.LastLSN())
	if done := db.memCkpt[id].Load(); lsn <= done && done != 0 {
		db.mu.Unlock()
		return nil
	}
	snap, end := db.snapshotMem(id)
	db.mu.Unlock()
	defer func() {
		db.mu.Lock()
		end()
		db.mu.Unlock()
	}()

	name := fmt.Sprintf("%s-%016x.ckpt", engineNames[id], lsn)
	path := filepath.Join(db.dir, name)
	if err := writeCheckpointFile(path, snap, lsn); err != nil {
		return err
	}
	if err := checkpoint.SyncDir(db.dir); err != nil {
		return err
	}
	// The manifest may name LSN c only once the WAL holds every record <= c
	// durably (see openStrings).
	if err := db.log.Sync(); err != nil {
		return err
	}
	if err := db.man.Commit(engineNames[id], lsn, []byte(name)); err != nil {
		return err
	}
	db.memCkpt[id].Store(lsn)
	db.removeStaleCheckpoints(id, name)
	return nil
}

// writeCheckpointFile writes and fsyncs a memtable checkpoint file. A
// partial file from a crash is never named by the manifest and is removed
// on open.
func writeCheckpointFile(path string, snap memSnapshot, lsn uint64) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if err := snap.WriteTo(writeback.New(f), lsn); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// CheckpointEngine checkpoints one engine by name ("keyspace", "strings",
// "lists", "sets", "zsets") without touching the others — for tests of
// invariant 3 and for operators.
func (db *DB) CheckpointEngine(name string) error {
	db.ckptMu.Lock()
	defer db.ckptMu.Unlock()
	for id, n := range engineNames {
		if n != name {
			continue
		}
		for _, d := range db.diskEngines() {
			if d.id == engineID(id) {
				return db.checkpointSegments(d.store)
			}
		}
		return db.checkpointMem(engineID(id))
	}
	return fmt.Errorf("keel: no engine %q", name)
}
