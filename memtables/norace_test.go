//go:build !race

package memtables

const raceEnabled = false
