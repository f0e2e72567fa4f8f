// Command keel runs the keel server.
//
//	keel [/path/to/keel.conf] [--name value ...]
//	keel import [/path/to/keel.conf] [--name value ...] /path/to/dump.rdb
//
// Settings use redis.conf names (--port 7000 --dir ./data --appendfsync
// always --requirepass secret ...); a config file holds the same directives.
// keel import writes the keys and function libraries of a Redis RDB file
// into the data directory (a checkpoint at its end), with its progress on
// stderr, and exits; keel then serves them.
package main

import (
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/keeldb/keel"
	"github.com/keeldb/keel/internal/gctune"
	"github.com/keeldb/keel/internal/offheap"
	"github.com/keeldb/keel/segments"
	"github.com/keeldb/keel/server"
)

// The collector's target (GOGC) and the floor under its headroom. The
// floor trades memory for collections while the live heap is small:
// under XREADGROUP+XACK (about 25 MB live) 16 MiB took the server's CPU
// down 6% and 24 MiB 11%; after 1M SETs (about 30 MB live, and the
// keyspace's 72 MB off the heap) RSS read 116–119 MiB at 16, 120–127 at
// 20 and 127–130 at 24, against Redis's 208–219 and the goal of 0.6x
// (session 13, alternating runs): 16 keeps that goal with a margin.
// Since the write buffers left the heap (session 20) their pooled blocks
// count against the floor (Reserve), as they did while held on the heap:
// without it RSS after 1M SETs read 127–129 MiB, with it 123–126.
const (
	gcPercent = 50
	gcFloor   = 16 << 20
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		msg := err.Error()
		if !strings.HasPrefix(msg, "keel") {
			msg = "keel: " + msg
		}
		fmt.Fprintln(os.Stderr, msg)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 1 && (args[0] == "--version" || args[0] == "-v") {
		fmt.Printf("keel %s (Redis %s compatible)\n", server.KeelVersion, server.Version)
		return nil
	}
	if len(args) == 1 && (args[0] == "--help" || args[0] == "-h") {
		fmt.Println("usage: keel [/path/to/keel.conf] [--<directive> <value> ...]")
		fmt.Println("directives mirror redis.conf: --port --bind --dir --appendfsync --requirepass --databases ...")
		return nil
	}
	if len(args) > 0 && args[0] == "import" {
		return runImport(args[1:])
	}
	cfg := server.NewConfig()
	if err := cfg.ParseArgs(args); err != nil {
		return err
	}
	if cfg.Get("daemonize") == "yes" {
		if os.Getenv(daemonEnv) == "" {
			return daemonize(args)
		}
		// Redis's default pid file of a daemon, under keel's name.
		if cfg.Get("pidfile") == "" {
			cfg.Set("pidfile", "/var/run/keel.pid", true)
		}
	}
	level := slog.LevelInfo
	switch cfg.Get("loglevel") {
	case "debug", "verbose":
		level = slog.LevelDebug
	case "warning", "nothing":
		level = slog.LevelWarn
	}
	out := os.Stderr
	if lf := cfg.Get("logfile"); lf != "" {
		f, err := os.OpenFile(lf, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		out = f
	}
	logger := slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: level}))
	slog.SetDefault(logger)

	// KEEL_CPUPROFILE=file writes a CPU profile until shutdown (for `go
	// tool pprof`; profile before optimizing).
	if pf := os.Getenv("KEEL_CPUPROFILE"); pf != "" {
		f, err := os.Create(pf)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer func() {
			pprof.StopCPUProfile()
			f.Close()
		}()
	}

	// Values live on disk; the heap holds caches and the keyspace's long
	// keys, while the keyspace's slots and the write buffers live off it
	// (internal/offheap). A lower GC target than Go's default 100 keeps
	// RSS near the live heap (memory is a feature here), with a floor
	// under the headroom so that a small live heap is not collected every
	// few megabytes (internal/gctune). A GOMEMLIMIT bounds the heap and
	// the memory off it together (Outside). GOGC in the environment wins,
	// floor, limit adjustment and all.
	if os.Getenv("GOGC") == "" {
		defer gctune.Start(gcPercent, gcFloor).Hold(segments.PooledBytes).Reserve(segments.PooledOffHeapBytes).Outside(offheap.InUse).Stop()
	}

	start := time.Now()
	db, err := keel.Open(cfg.Get("dir"), dbOptions(cfg, logger))
	if err != nil {
		return err
	}
	logger.Info("keel: data loaded", "dir", cfg.Get("dir"), "seconds", time.Since(start).Seconds())
	srv := server.New(db, cfg, logger)
	if len(args) > 0 && args[0][0] != '-' {
		srv.ConfigFile = args[0]
	}
	if err := srv.Listen(); err != nil {
		db.Close()
		return err
	}
	if pf := cfg.Get("pidfile"); pf != "" {
		if err := os.WriteFile(pf, []byte(fmt.Sprintf("%d\n", os.Getpid())), 0o644); err != nil {
			logger.Warn("failed to write PID file", "err", err)
		} else {
			defer os.Remove(pf)
		}
	}
	logger.Info("keel: ready to accept connections", "addr", srv.Addr().String(), "appendfsync", cfg.Get("appendfsync"))
	sup := newSupervisor(cfg.Get("supervised"), logger)
	sup.ready()

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	// signalled is the shutdown-on-sig* setting of the signal that ends
	// the server (nil: none did).
	var signalled atomic.Pointer[string]
	go func() {
		select {
		case s := <-sig:
			opt := cfg.Get("shutdown-on-sigterm")
			if s == syscall.SIGINT {
				opt = cfg.Get("shutdown-on-sigint")
			}
			signalled.Store(&opt)
			logger.Info("keel: signal received, shutting down", "signal", s.String(), "shutdown-options", opt)
			srv.Close()
		case <-srv.Done():
		}
	}()
	serr := srv.Serve()
	sup.stopping()
	srv.Close()
	if opt := signalled.Load(); opt != nil && !slices.Contains(strings.Fields(*opt), "nosave") {
		// As SHUTDOWN without NOSAVE: a checkpoint, so that the next
		// start replays nothing (the WAL holds every write either way).
		if err := db.Save(); err != nil {
			logger.Warn("shutdown: checkpoint failed", "err", err)
		}
	}
	// KEEL_MEMPROFILE=file writes a heap profile at shutdown.
	if pf := os.Getenv("KEEL_MEMPROFILE"); pf != "" {
		if f, err := os.Create(pf); err == nil {
			pprof.WriteHeapProfile(f)
			f.Close()
		}
	}
	if err := db.Close(); err != nil {
		return err
	}
	logger.Info("keel: bye")
	return serr
}

// compactionNice maps the compaction-nice directive to keel.Options: 0,
// the process's priority, is a negative value there (where 0 takes the
// default).
func compactionNice(n int64) int {
	if n == 0 {
		return -1
	}
	return int(n)
}

// rowCacheSize maps the row-cache-size directive to keel.Options: 0, no
// row cache, is a negative size there (where 0 takes the default).
func rowCacheSize(n int64) int64 {
	if n == 0 {
		return -1
	}
	return n
}

// daemonEnv marks the process daemonize started.
const daemonEnv = "KEEL_DAEMONIZED"

// daemonize is redis-server's daemonize yes: keel runs on in the
// background, in a session of its own with its standard streams on
// /dev/null (logfile says where its log goes), and this process exits.
// A Go process cannot fork, so the background one is this binary started
// again with the same arguments.
func daemonize(args []string) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer devnull.Close()
	p, err := os.StartProcess(exe, append([]string{os.Args[0]}, args...), &os.ProcAttr{
		Env:   append(os.Environ(), daemonEnv+"=1"),
		Files: []*os.File{devnull, devnull, devnull},
		Sys:   &syscall.SysProcAttr{Setsid: true},
	})
	if err != nil {
		return err
	}
	return p.Release()
}

// dbOptions are the DB's options from the configuration.
func dbOptions(cfg *server.Config, logger *slog.Logger) keel.Options {
	return keel.Options{
		Databases:          int(cfg.Int("databases")),
		Fsync:              cfg.FsyncPolicy(),
		FsyncSet:           true,
		WALSegmentSize:     cfg.Int("wal-segment-size"),
		StringsBufferSize:  cfg.Int("strings-buffer-size"),
		HashesBufferSize:   cfg.Int("hashes-buffer-size"),
		StreamsBufferSize:  cfg.Int("streams-buffer-size"),
		BlockCacheSize:     cfg.Int("block-cache-size"),
		RowCacheSize:       rowCacheSize(cfg.Int("row-cache-size")),
		CompactionNice:     compactionNice(cfg.Int("compaction-nice")),
		KeepTornWALTail:    cfg.Get("aof-load-truncated") == "no",
		CheckpointWALBytes: cfg.Int("checkpoint-wal-bytes"),
		CheckpointInterval: time.Duration(cfg.Int("checkpoint-interval")) * time.Second,
		Logger:             logger,
	}
}
