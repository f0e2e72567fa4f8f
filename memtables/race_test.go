//go:build race

package memtables

const raceEnabled = true
