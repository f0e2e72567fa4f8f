package keel

import (
	"errors"
	"fmt"
	"time"

	"github.com/keeldb/keel/internal/rdb"
)

// Importing a Redis RDB file (keel import): every key of the file is
// written as RESTORE ... ABSTTL REPLACE would write it, a key that has
// expired is left out (as Redis's loading leaves it out), and each
// function library is loaded as FUNCTION LOAD REPLACE loads it. Keys go
// in records of importBatch keys, so that a large file is a stream of
// ordinary records: what is imported is durable and survives a crash as
// any write does, and an import interrupted leaves the keys before it.

// importBatch is the keys one import record holds.
const importBatch = 256

// importCmd names the import's writes (a RESTORE each).
var importCmd = &Command{Name: "restore"}

// ImportProgress is where an import stands.
type ImportProgress struct {
	Read, Size        int // bytes of the file
	Keys, Expired     int // keys written, keys left out as expired
	Functions         int // libraries loaded
	Databases, MaxDBs int // the highest database seen (+1), and the limit
}

// ImportRDB imports the RDB file image data (see above), calling progress
// now and then. A key in a database past the configured databases, a
// module value and a damaged file are errors, with the file's offset; what
// was imported before the error stays.
func (db *DB) ImportRDB(data []byte, progress func(ImportProgress)) (ImportProgress, error) {
	p := ImportProgress{Size: len(data), MaxDBs: db.opts.Databases}
	s := db.NewSession()
	var batch []rdb.FileKey
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		n, expired, err := db.importKeys(s, batch)
		p.Keys += n
		p.Expired += expired
		batch = batch[:0]
		return err
	}
	err := rdb.ParseFile(data, rdb.FileHandler{
		Key: func(k rdb.FileKey) error {
			if k.DB < 0 || k.DB >= db.opts.Databases {
				return fmt.Errorf("keel: the file has database %d, keel is configured with %d (databases)", k.DB, db.opts.Databases)
			}
			p.Databases = max(p.Databases, k.DB+1)
			batch = append(batch, k)
			if len(batch) == importBatch {
				return flush()
			}
			return nil
		},
		Function: func(code []byte) error {
			if err := flush(); err != nil {
				return err
			}
			var r tape
			r.proto = 2
			db.Exec(s, [][]byte{[]byte("FUNCTION"), []byte("LOAD"), []byte("REPLACE"), code}, &r)
			if len(r.ops) == 1 && r.ops[0].kind == '-' {
				return errors.New("keel: loading a function library: " + r.ops[0].s)
			}
			p.Functions++
			return nil
		},
		Progress: func(read int) {
			p.Read = read
			if progress != nil {
				progress(p)
			}
		},
	})
	if err == nil {
		err = flush()
		p.Read = len(data)
	}
	return p, err
}

// importKeys writes a batch of keys in one record: each replaces what its
// name held; expired ones are deleted and left out.
func (db *DB) importKeys(s *Session, keys []rdb.FileKey) (written, expired int, err error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if err := db.Err(); err != nil {
		return 0, 0, err
	}
	now := time.Now().UnixMilli()
	c := Ctx{DB: db, S: s, Now: now, Cmd: importCmd, w: db.newBatch()}
	for _, k := range keys {
		s.DB = k.DB
		if k.Value.Kind == rdb.KindStream && !streamLoadable(k.Value.Stream) {
			db.commit(&c)
			return written, expired, fmt.Errorf("keel: stream %q: its entries, groups and consumers do not agree", k.Key)
		}
		if e, ok := c.lookupWrite(k.Key); ok {
			c.deleteKey(k.DB, k.Key, e)
		}
		if k.ExpireAt > 0 && k.ExpireAt <= now {
			expired++
			continue
		}
		if msg := c.restoreValue(k.Key, k.Value, k.ExpireAt); msg != "" {
			db.commit(&c)
			return written, expired, fmt.Errorf("keel: key %q: %s", k.Key, msg)
		}
		written++
	}
	db.commit(&c)
	if len(db.blocks.ready) > 0 {
		db.serveReady(now)
	}
	return written, expired, db.Err()
}
