package server

import (
	"testing"

	"github.com/keeldb/keel/internal/oracle"
)

// MODULE as a redis-server with no module loaded and the default
// enable-module-command no answers it.
func TestDiffModule(t *testing.T) {
	p := newPair(t)
	runCases(t, p, []diffCase{
		dc("module",
			"module list",
			"module list x",
			"module help",
			"module",
			"module foo",
			"module load",
			"module load /nonexistent.so",
			"module loadex /x.so config a b args c",
			"module unload foo",
			"module unload",
			"config get enable-module-command",
			"config set enable-module-command yes",
		),
		dc("module-multi",
			"multi",
			"module load /x.so",
			"module list",
			"exec",
		),
		dc("module-script",
			"eval \"return redis.call('module','list')\" 0",
			"eval \"return redis.pcall('module','load','/x')\" 0",
		),
	})
}

// TestDiffProtected: DEBUG and CONFIG SET of the protected settings (dir,
// dbfilename) under Redis 7.0's defaults, enable-debug-command and
// enable-protected-configs no, and under local, from a loopback client.
// (Under local or yes Redis moves its working directory on CONFIG SET
// dir; keel's stays, immutable: README.)
func TestDiffProtected(t *testing.T) {
	// pair starts both servers with the two settings at mode.
	pair := func(mode string) *diffPair {
		return &diffPair{oracle: oracle.StartWith(t, "--enable-debug-command", mode, "--enable-protected-configs", mode),
			keel: startKeel(t, "enable-debug-command", mode, "enable-protected-configs", mode)}
	}
	runCases(t, pair("no"), []diffCase{
		dc("refused",
			"debug digest",
			"debug sleep 0",
			"debug",
			"debug nosuch",
			"config set dir /tmp",
			"config set dbfilename x.rdb",
			"config set maxmemory 0 dbfilename x.rdb",
			"config get dbfilename",
			"config get enable-debug-command",
			"config get enable-protected-configs",
			"config set enable-debug-command yes",
			"config set enable-protected-configs yes",
		),
		dc("refused-in-multi",
			"multi",
			"set k v",
			"debug digest",
			"exec",
			"get k",
		),
		dc("refused-in-script",
			"eval \"return redis.pcall('debug','digest')\" 0",
		),
	})
	runCases(t, pair("local"), []diffCase{
		dc("local",
			"debug sleep 0",
			"debug nosuch",
			"config set dbfilename x.rdb",
			"config get dbfilename",
			"config get enable-debug-command",
		),
	})
}
