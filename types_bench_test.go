package keel

import (
	"log/slog"
	"testing"

	"github.com/keeldb/keel/wal"
)

// Benchmarks of the list, set and sorted set commands of make bench's
// "types" part (scripts/bench.sh: redis-benchmark -t
// lpush,rpop,lrange_100,sadd,spop,zadd -r 1000000, plus ZRANGE myzset 0 9
// WITHSCORES and ZRANK myzset element:__rand_int__), through Exec, on keys
// of the size that run reaches, under appendfsync no. The setup is the
// same whatever b.N, so the difference of two cachegrind runs with
// different -test.benchtime Nx is the cost of the commands alone:
//
//	go test -c -o x.test . && GOGC=off GOMAXPROCS=1 valgrind --tool=cachegrind \
//	  --cache-sim=no ./x.test -test.run XXX -test.bench BenchmarkTypeZAdd -test.benchtime 20000x

// typeBenchN is the size of the prefilled keys: redis-benchmark's -r 1000000.
const typeBenchN = 1000000

// benchRand is redis-benchmark's __rand_int__: a pseudo-random number
// below typeBenchN written as 12 zero-padded digits.
type benchRand struct{ x uint64 }

func (r *benchRand) next() uint64 {
	r.x ^= r.x << 13
	r.x ^= r.x >> 7
	r.x ^= r.x << 17
	return r.x % typeBenchN
}

// appendRand appends prefix and the next 12-digit number to b[:0].
func (r *benchRand) append(b []byte, prefix string) []byte {
	b = append(b[:0], prefix...)
	return append(b, padded(r.next())...)
}

// benchLoop runs op b.N times. It is its own function, never inlined, so
// that a profiler can count the commands alone, without the setup (whose
// hash tables differ from run to run with their random seeds):
//
//	GODEBUG=asyncpreemptoff=1 GOGC=off GOMAXPROCS=1 valgrind --tool=callgrind \
//	  --collect-atstart=no --toggle-collect='*benchLoop*' ./x.test -test.run XXX \
//	  -test.bench BenchmarkTypeZAdd -test.benchtime 20000x
//
//go:noinline
func benchLoop(b *testing.B, op func(i int)) {
	for i := 0; i < b.N; i++ {
		op(i)
	}
}

func typeBenchDB(b *testing.B) (*DB, *Session) {
	db := newTestDB(b, func(o *Options) {
		o.Fsync, o.FsyncSet = wal.FsyncNo, true
		o.Logger = slog.New(slog.DiscardHandler)
	})
	return db, db.NewSession()
}

// fillList pushes n elements "xxx" (redis-benchmark's 3-byte data) to key.
func fillList(db *DB, s *Session, key string, n int) {
	args := [][]byte{[]byte("RPUSH"), []byte(key)}
	for i := 0; i < 1000; i++ {
		args = append(args, []byte("xxx"))
	}
	for ; n > 0; n -= 1000 {
		db.Exec(s, args[:2+min(n, 1000)], nopReply{})
	}
}

// fillZSet adds members element:<12 digits> for 0..n-1 with random scores
// (ZADD once the set is full: almost every ZADD updates a score).
func fillZSet(db *DB, s *Session, key string, n int) {
	r := benchRand{x: 0x1234567}
	args := [][]byte{[]byte("ZADD"), []byte(key)}
	for i := 0; i < n; {
		args = args[:2]
		for j := 0; j < 1000 && i < n; j, i = j+1, i+1 {
			args = append(args, r.append(nil, ""), append([]byte("element:"), padded(uint64(i))...))
		}
		db.Exec(s, args, nopReply{})
	}
}

// padded is n in 12 zero-padded digits, as redis-benchmark writes
// __rand_int__.
func padded(n uint64) []byte {
	var d [12]byte
	for i := len(d) - 1; i >= 0; i-- {
		d[i] = byte('0' + n%10)
		n /= 10
	}
	return d[:]
}

// fillSet adds n random members element:<12 digits> to key.
func fillSet(db *DB, s *Session, key string, n int, r *benchRand) {
	args := [][]byte{[]byte("SADD"), []byte(key)}
	for i := 0; i < n; {
		args = args[:2]
		for j := 0; j < 1000 && i < n; j, i = j+1, i+1 {
			args = append(args, r.append(nil, "element:"))
		}
		db.Exec(s, args, nopReply{})
	}
}

// BenchmarkTypeLPush is LPUSH mylist xxx on a list of 1M elements.
func BenchmarkTypeLPush(b *testing.B) {
	db, s := typeBenchDB(b)
	fillList(db, s, "mylist", typeBenchN)
	args := [][]byte{[]byte("LPUSH"), []byte("mylist"), []byte("xxx")}
	b.ReportAllocs()
	b.ResetTimer()
	benchLoop(b, func(i int) {
		db.Exec(s, args, nopReply{})
	})
}

// BenchmarkTypeRPop is RPOP mylist on a list of 1M elements (refilled,
// outside the timer, every 500k pops).
func BenchmarkTypeRPop(b *testing.B) {
	db, s := typeBenchDB(b)
	fillList(db, s, "mylist", typeBenchN)
	args := [][]byte{[]byte("RPOP"), []byte("mylist")}
	b.ReportAllocs()
	b.ResetTimer()
	benchLoop(b, func(i int) {
		if i%500000 == 499999 {
			b.StopTimer()
			fillList(db, s, "mylist", 500000)
			b.StartTimer()
		}
		db.Exec(s, args, nopReply{})
	})
}

// BenchmarkTypeLRange100 is LRANGE mylist 0 99 on a list of 1M elements.
func BenchmarkTypeLRange100(b *testing.B) {
	db, s := typeBenchDB(b)
	fillList(db, s, "mylist", typeBenchN)
	args := [][]byte{[]byte("LRANGE"), []byte("mylist"), []byte("0"), []byte("99")}
	benchRead(b, db, s, args)
}

// BenchmarkTypeSAdd is SADD myset element:<rand> on a set of the ~390k
// distinct members that 500k random SADDs leave (about 40% of the adds
// find their member present).
func BenchmarkTypeSAdd(b *testing.B) {
	db, s := typeBenchDB(b)
	r := benchRand{x: 88172645463325252}
	fillSet(db, s, "myset", typeBenchN/2, &r)
	args := [][]byte{[]byte("SADD"), []byte("myset"), nil}
	b.ReportAllocs()
	b.ResetTimer()
	benchLoop(b, func(i int) {
		args[2] = r.append(args[2], "element:")
		db.Exec(s, args, nopReply{})
	})
}

// BenchmarkTypeSPop is SPOP myset on a set of ~630k members (refilled,
// outside the timer, every 300k pops).
func BenchmarkTypeSPop(b *testing.B) {
	db, s := typeBenchDB(b)
	r := benchRand{x: 88172645463325252}
	fillSet(db, s, "myset", typeBenchN, &r)
	args := [][]byte{[]byte("SPOP"), []byte("myset")}
	b.ReportAllocs()
	b.ResetTimer()
	benchLoop(b, func(i int) {
		if i%300000 == 299999 {
			b.StopTimer()
			fillSet(db, s, "myset", 300000, &r)
			b.StartTimer()
		}
		db.Exec(s, args, nopReply{})
	})
}

// BenchmarkTypeZAdd is ZADD myzset <rand> element:<rand> on a zset of 1M
// members: every ZADD changes an existing member's score.
func BenchmarkTypeZAdd(b *testing.B) {
	db, s := typeBenchDB(b)
	fillZSet(db, s, "myzset", typeBenchN)
	r := benchRand{x: 88172645463325252}
	args := [][]byte{[]byte("ZADD"), []byte("myzset"), nil, nil}
	b.ReportAllocs()
	b.ResetTimer()
	benchLoop(b, func(i int) {
		args[2] = r.append(args[2], "")
		args[3] = r.append(args[3], "element:")
		db.Exec(s, args, nopReply{})
	})
}

// BenchmarkTypeZRank is ZRANK myzset element:<rand> on a zset of 1M
// members.
func BenchmarkTypeZRank(b *testing.B) {
	db, s := typeBenchDB(b)
	fillZSet(db, s, "myzset", typeBenchN)
	r := benchRand{x: 88172645463325252}
	args := [][]byte{[]byte("ZRANK"), []byte("myzset"), nil}
	b.ReportAllocs()
	b.ResetTimer()
	benchLoop(b, func(i int) {
		args[2] = r.append(args[2], "element:")
		db.Exec(s, args, nopReply{})
	})
}

// BenchmarkTypeZRange is ZRANGE myzset 0 9 WITHSCORES on a zset of 1M
// members.
func BenchmarkTypeZRange(b *testing.B) {
	db, s := typeBenchDB(b)
	fillZSet(db, s, "myzset", typeBenchN)
	args := [][]byte{[]byte("ZRANGE"), []byte("myzset"), []byte("0"), []byte("9"), []byte("WITHSCORES")}
	benchRead(b, db, s, args)
}

// benchRead times the read command args. (Commands keep the DB's idle
// memory trim away, reads included: see memtrim.go.)
func benchRead(b *testing.B, db *DB, s *Session, args [][]byte) {
	b.ReportAllocs()
	b.ResetTimer()
	benchLoop(b, func(i int) {
		db.Exec(s, args, nopReply{})
	})
}
