package server

import "testing"

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
