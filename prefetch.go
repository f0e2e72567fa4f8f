package keel

import (
	"github.com/keeldb/keel/memtables"
	"github.com/keeldb/keel/segments"
)

// PrefetchMax is the most requests a Prefetch call looks at.
const PrefetchMax = memtables.PrefetchMax

// Ahead is a request a client has pipelined, as far as Prefetch looks at
// it: the command's name and its first two arguments (nil when absent).
type Ahead struct{ Name, Key, Arg []byte }

// Prefetch is a hint that s is about to run the pipelined requests reqs
// (the first PrefetchMax): what they will read first is loaded into the
// processor's caches together, so that each command does not wait for
// memory on its own. First every key's keyspace entry
// (memtables.Keyspace.Prefetch); then, for the point reads of the on-disk
// engines (GET, and HGET HEXISTS HSTRLEN HSET HSETNX of their first
// field), the entry's path through the engine's buffers and files
// (segments.Store.Prefetch); for the writes of SET, HSET and HSETNX
// into an engine's write buffer, the slot of its key index where each
// write starts (segments.Store.PrefetchWrites). Nothing changes; a
// request may name anything, and one that is not what it seems costs
// wasted loads.
//
// Measured at pipeline 16 (docs/bench.md): the keyspace lookup was a fifth
// of GET's CPU before its prefetch; a point read in the segments (three to
// five dependent cache misses) was most of HGET's, whose CPU per request
// the engine prefetch cut by 13–17%.
func (db *DB) Prefetch(s *Session, reqs []Ahead) {
	if !db.mu.TryRLock() {
		// A hint never waits: a writer, or a script that may run for
		// seconds, holds the lock.
		return
	}
	sc := db.prefetchKeyspace(s, reqs)
	db.mu.RUnlock()
	db.prefetchEngines(s, sc)
}

// prefetchMSet is Prefetch for the keys of one MSET or MSETNX (args: the
// command's), from within the command (db.mu held): a write of ten keys is
// twenty dependent cache misses, the keyspace entry and the write buffer's
// slot of each, that a loop over the keys would wait for one by one.
func (db *DB) prefetchMSet(s *Session, args [][]byte) {
	var reqs [PrefetchMax]Ahead
	n := 0
	for j := 1; j+1 < len(args) && n < PrefetchMax; j += 2 {
		reqs[n] = Ahead{Name: nameSet, Key: args[j], Arg: args[j+1]}
		n++
	}
	if n > 1 {
		db.prefetchEngines(s, db.prefetchKeyspace(s, reqs[:n]))
	}
}

var nameSet = []byte("set")

// prefetchEngines is Prefetch's second half: the engine entries of the
// point reads and writes prefetchKeyspace found. The stores' prefetches
// take their own views: no keel lock needed (nor in the way when held).
func (db *DB) prefetchEngines(s *Session, sc *prefetchState) {
	// The reads keep what the stores found (the session's hints): GET reads
	// present keys (viewString), the hash commands any field (hashView).
	prefetchSpans(sc, sc.strs, func(keys [][]byte) {
		s.prefetched += db.strs.PrefetchHinted(keys, sc.strLSNs, true, &s.strHints)
	})
	prefetchSpans(sc, sc.hashes, func(keys [][]byte) { s.prefetched += db.hashes.PrefetchHinted(keys, nil, false, &s.hashHints) })
	prefetchSpans(sc, sc.strWrites, db.strs.PrefetchWrites)
	prefetchSpans(sc, sc.hashWrites, db.hashes.PrefetchWrites)
	if cap(sc.buf) > maxScratch {
		sc.buf = nil
	}
}

// prefetchKeyspace prefetches the keyspace entries of reqs' keys, then
// builds in s's prefetch state the engine keys of their point reads and
// writes. The caller holds db.mu (read or write).
func (db *DB) prefetchKeyspace(s *Session, reqs []Ahead) *prefetchState {
	n := min(len(reqs), PrefetchMax)
	var keys [PrefetchMax][]byte
	nk := 0
	for _, r := range reqs[:n] {
		// Repeats of one key (HSET h ..., LPUSH l ...) are loaded once.
		if r.Key != nil && (nk == 0 || string(keys[nk-1]) != string(r.Key)) {
			keys[nk] = r.Key
			nk++
		}
	}
	sc := &s.prefetch
	sc.buf, sc.strs, sc.hashes, sc.strLSNs = sc.buf[:0], sc.strs[:0], sc.hashes[:0], sc.strLSNs[:0]
	sc.strWrites, sc.hashWrites = sc.strWrites[:0], sc.hashWrites[:0]
	if nk > 1 {
		db.ks.Prefetch(s.DB, keys[:nk])
	}
	phys := db.ks.PhysDB(s.DB)
	for _, r := range reqs[:n] {
		kind, write := pointRead(r)
		if kind == memtables.TypeString && write {
			// SET writes whatever the key held; an integer value stays in
			// the keyspace entry.
			if _, inline := inlineInt(r.Arg, encAuto); !inline && len(r.Key) <= prefetchKeyMax {
				start := len(sc.buf)
				sc.buf = stringKey(sc.buf, phys, r.Key)
				sc.strWrites = append(sc.strWrites, span{start, len(sc.buf)})
			}
			continue
		}
		if kind == 0 || len(r.Key)+len(r.Arg) > prefetchKeyMax {
			continue
		}
		e, ok := db.ks.Get(s.DB, r.Key)
		switch {
		case !ok:
		case kind == memtables.TypeString && e.Type == memtables.TypeString && e.Enc != encInt:
			start := len(sc.buf)
			sc.buf = stringKey(sc.buf, phys, r.Key)
			sc.strs = append(sc.strs, span{start, len(sc.buf)})
			sc.strLSNs = append(sc.strLSNs, segments.LSN(e.Version)) // its last write (viewString)
		case kind == memtables.TypeHash && e.Type == memtables.TypeHash:
			start := len(sc.buf)
			sc.buf = hashKey(sc.buf, phys, r.Key, e.Version, r.Arg)
			sc.hashes = append(sc.hashes, span{start, len(sc.buf)})
			if write {
				sc.hashWrites = append(sc.hashWrites, span{start, len(sc.buf)})
			}
		}
	}
	return sc
}

// prefetchKeyMax bounds the key and field bytes of a request Prefetch
// follows into an engine: it copies them to build the engine key, and a
// huge key's read is not a cache miss's worth anyway.
const prefetchKeyMax = 1024

// prefetchState is a session's scratch for Prefetch: engine keys built
// in buf, and the spans of buf each store reads.
type prefetchState struct {
	buf          []byte
	strs, hashes []span // point reads
	// strLSNs are the LSNs of the last writes of strs' values, in order
	// (their versions; viewString reads with them)
	strLSNs []segments.LSN
	// strWrites, hashWrites: writes into the engines' buffers (SET, and
	// HSET HSETNX after their read)
	strWrites, hashWrites []span
	keys                  [][]byte
}

type span struct{ lo, hi int }

// prefetchSpans calls fetch (a store's prefetch) with the engine keys of
// spans, built in sc.buf; nothing when there are none.
func prefetchSpans(sc *prefetchState, spans []span, fetch func(keys [][]byte)) {
	if len(spans) == 0 {
		return
	}
	sc.keys = sc.keys[:0]
	for _, sp := range spans {
		sc.keys = append(sc.keys, sc.buf[sp.lo:sp.hi])
	}
	fetch(sc.keys)
	clear(sc.keys)
}

// pointRead returns the type of the key whose engine entry r reads or
// writes by key (and field): TypeString for GET (a read) and SET (a
// write), TypeHash for the hash commands that read one field first, and
// write it for HSET and HSETNX; 0 for anything else.
func pointRead(r Ahead) (kind memtables.Type, write bool) {
	if r.Key == nil {
		return 0, false
	}
	switch len(r.Name) {
	case 3:
		if eqFold(r.Name, "get") {
			return memtables.TypeString, false
		}
		if r.Arg != nil && eqFold(r.Name, "set") {
			return memtables.TypeString, true
		}
	case 4:
		if r.Arg != nil && eqFold(r.Name, "hget") {
			return memtables.TypeHash, false
		}
		if r.Arg != nil && eqFold(r.Name, "hset") {
			return memtables.TypeHash, true
		}
	case 6:
		if r.Arg != nil && eqFold(r.Name, "hsetnx") {
			return memtables.TypeHash, true
		}
	case 7:
		if r.Arg != nil && (eqFold(r.Name, "hexists") || eqFold(r.Name, "hstrlen")) {
			return memtables.TypeHash, false
		}
	}
	return 0, false
}
