package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"github.com/keeldb/keel"
	"github.com/keeldb/keel/server"
)

// runImport is `keel import [config] [--directive value ...] file.rdb`:
// the file's keys and function libraries written into the data directory
// (keel.DB.ImportRDB), a checkpoint, and a summary. The file is mapped
// into memory, not read into it: a file larger than RAM imports.
func runImport(args []string) error {
	if len(args) == 0 || args[len(args)-1][0] == '-' {
		return errors.New("usage: keel import [/path/to/keel.conf] [--<directive> <value> ...] /path/to/dump.rdb")
	}
	file := args[len(args)-1]
	cfg := server.NewConfig()
	if err := cfg.ParseArgs(args[:len(args)-1]); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	var data []byte
	if st.Size() > 0 {
		if data, err = unix.Mmap(int(f.Fd()), 0, int(st.Size()), unix.PROT_READ, unix.MAP_SHARED); err != nil {
			return fmt.Errorf("keel import: mapping %s: %w", file, err)
		}
		defer unix.Munmap(data)
	}
	db, err := keel.Open(cfg.Get("dir"), dbOptions(cfg, logger))
	if err != nil {
		return err
	}
	// The server's settings (encoding thresholds, ...) apply to the DB
	// as when it serves; nothing listens.
	server.New(db, cfg, logger)
	start, last := time.Now(), time.Now()
	fmt.Fprintf(os.Stderr, "keel import: %s (%d bytes) into %s\n", file, len(data), cfg.Get("dir"))
	p, err := db.ImportRDB(data, func(p keel.ImportProgress) {
		if time.Since(last) < time.Second {
			return
		}
		last = time.Now()
		fmt.Fprintf(os.Stderr, "keel import: %3.0f%% (%d of %d bytes), %d keys\n", 100*float64(p.Read)/float64(max(p.Size, 1)), p.Read, p.Size, p.Keys)
	})
	if err != nil {
		db.Close()
		return fmt.Errorf("keel import: %s: %w (%d keys imported before it)", file, err, p.Keys)
	}
	if err := db.Save(); err != nil {
		db.Close()
		return fmt.Errorf("keel import: checkpoint: %w", err)
	}
	if err := db.Close(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "keel import: done in %.1f s: %d keys in %d databases, %d expired keys left out, %d function libraries\n",
		time.Since(start).Seconds(), p.Keys, p.Databases, p.Expired, p.Functions)
	return nil
}
