package keel

import "github.com/keeldb/keel/segments"

// StatsSnapshot is a copy of the counters INFO shows.
type StatsSnapshot struct {
	Commands, ExpiredKeys, EvictedKeys, KeyspaceHits, KeyspaceMisses, Checkpoints int64
	BlockedClients                                                                int64
}

// StatsSnapshot returns the current counters.
func (db *DB) StatsSnapshot() StatsSnapshot {
	return StatsSnapshot{
		Commands:       db.TotalCalls(),
		ExpiredKeys:    db.stats.ExpiredKeys.Load(),
		EvictedKeys:    db.stats.EvictedKeys.Load(),
		KeyspaceHits:   db.stats.KeyspaceHits.Load(),
		KeyspaceMisses: db.stats.KeyspaceMiss.Load(),
		Checkpoints:    db.stats.Checkpoints.Load(),
		BlockedClients: db.stats.BlockedClients.Load(),
	}
}

// ResetStats zeroes the counters (CONFIG RESETSTAT).
func (db *DB) ResetStats() {
	db.ResetCommandStats()
	db.ResetLatencyHistograms()
	db.stats.ExpiredKeys.Store(0)
	db.stats.EvictedKeys.Store(0)
	db.evict.exceededTotal.Store(0)
	db.evict.exceededSince.Store(0) // as Redis: the next pass starts it again
	db.stats.KeyspaceHits.Reset()
	db.stats.KeyspaceMiss.Reset()
}

// DBInfo is one line of INFO keyspace.
type DBInfo struct {
	DB, Keys, Expires int
}

// KeyspaceInfo lists the non-empty databases. The caller holds the DB's
// lock: command handlers (INFO runs as a read command) do.
func (db *DB) KeyspaceInfo() []DBInfo {
	var out []DBInfo
	for i := 0; i < db.opts.Databases; i++ {
		if n := db.ks.Len(i); n > 0 {
			out = append(out, DBInfo{DB: i, Keys: n, Expires: db.ks.ExpiresCount(i)})
		}
	}
	return out
}

// GlobMatch reports whether s matches the Redis glob pattern (as KEYS,
// SCAN MATCH and CONFIG GET use it).
func GlobMatch(pattern, s string) bool { return globMatchString([]byte(pattern), s) }

// SegmentStats is one on-disk engine's segments.Stats, for INFO segments.
type SegmentStats struct {
	Engine string
	segments.Stats
}

// BlockCacheStats returns the shared block cache's bytes, capacity, hits
// and misses.
func (db *DB) BlockCacheStats() (bytes, capacity, hits, misses int64) {
	return db.blockCache.Stats()
}

// SegmentStats returns the statistics of the on-disk engines (strings,
// hashes, streams), in that order. Safe without the DB's lock.
func (db *DB) SegmentStats() []SegmentStats {
	return []SegmentStats{{"strings", db.strs.Stats()}, {"hashes", db.hashes.Stats()}, {"streams", db.streams.Stats()}}
}
