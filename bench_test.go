package keel

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/keeldb/keel/wal"
)

// nopReply discards replies (benchmarks measure the command layer only).
type nopReply struct{}

func (nopReply) Simple(string)     {}
func (nopReply) Error(string)      {}
func (nopReply) Int(int64)         {}
func (nopReply) Bulk([]byte)       {}
func (nopReply) BulkString(string) {}
func (nopReply) Null()             {}
func (nopReply) NullArray()        {}
func (nopReply) Array(int)         {}
func (nopReply) Map(int)           {}
func (nopReply) Set(int)           {}
func (nopReply) Double(float64)    {}
func (nopReply) Bool(bool)         {}
func (nopReply) Verbatim(string)   {}
func (nopReply) Proto() int        { return 2 }

// BenchmarkExecSet measures SET through Exec (lookup, ops, WAL append,
// engines), without the network, under appendfsync no.
func BenchmarkExecSet(b *testing.B) {
	db := newTestDB(b, func(o *Options) { o.Fsync, o.FsyncSet = wal.FsyncNo, true; o.StringsBufferSize = benchBuffer })
	s := db.NewSession()
	val := make([]byte, 100)
	args := [][]byte{[]byte("SET"), nil, val}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		args[1] = strconv.AppendInt(args[1][:0], int64(i%1000000), 10)
		db.Exec(s, args, nopReply{})
	}
}

// BenchmarkExecGet measures GET of values in the strings engine's buffer.
func BenchmarkExecGet(b *testing.B) {
	db := newTestDB(b, func(o *Options) { o.Fsync, o.FsyncSet = wal.FsyncNo, true; o.StringsBufferSize = benchBuffer })
	s := db.NewSession()
	val := make([]byte, 100)
	for i := 0; i < 100000; i++ {
		db.Exec(s, [][]byte{[]byte("SET"), []byte(strconv.Itoa(i)), val}, nopReply{})
	}
	args := [][]byte{[]byte("GET"), nil}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		args[1] = strconv.AppendInt(args[1][:0], int64(i%100000), 10)
		db.Exec(s, args, nopReply{})
	}
}

var benchBuffer int64 = 16 << 20

// BenchmarkExecXAdd measures XADD with an automatic id to one stream
// through Exec, without the network, under appendfsync no.
func BenchmarkExecXAdd(b *testing.B) {
	db := newTestDB(b, func(o *Options) { o.Fsync, o.FsyncSet = wal.FsyncNo, true; o.StringsBufferSize = benchBuffer })
	s := db.NewSession()
	args := [][]byte{[]byte("XADD"), []byte("mystream"), []byte("*"), []byte("field"), []byte("value")}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		db.Exec(s, args, nopReply{})
	}
}

// BenchmarkExecHSet is HSET of one field of one hash, for comparison.
func BenchmarkExecHSet(b *testing.B) {
	db := newTestDB(b, func(o *Options) { o.Fsync, o.FsyncSet = wal.FsyncNo, true; o.StringsBufferSize = benchBuffer })
	s := db.NewSession()
	args := [][]byte{[]byte("HSET"), []byte("myhash"), nil, []byte("value")}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		args[2] = strconv.AppendInt(args[2][:0], int64(i%1000), 10)
		db.Exec(s, args, nopReply{})
	}
}

// BenchmarkExecHGet is HGET of one of 1000 fields of one hash, all in
// the write buffer (make bench's HGET row reads fields written by its
// HSET row).
func BenchmarkExecHGet(b *testing.B) {
	db := newTestDB(b, func(o *Options) { o.Fsync, o.FsyncSet = wal.FsyncNo, true; o.StringsBufferSize = benchBuffer })
	s := db.NewSession()
	for i := 0; i < 1000; i++ {
		db.Exec(s, [][]byte{[]byte("HSET"), []byte("myhash"), []byte(strconv.Itoa(i)), []byte("value")}, nopReply{})
	}
	args := [][]byte{[]byte("HGET"), []byte("myhash"), nil}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		args[2] = strconv.AppendInt(args[2][:0], int64(i%1000), 10)
		db.Exec(s, args, nopReply{})
	}
}

// BenchmarkExecHGetAll is HGETALL of a 100-field hash (make bench's
// HGETALL row), with the fields in the write buffer and, after a save,
// in a segment file among others holding many other hashes' fields.
func BenchmarkExecHGetAll(b *testing.B) {
	for _, saved := range []bool{false, true} {
		name := "buffer"
		if saved {
			name = "file"
		}
		b.Run(name, func(b *testing.B) {
			db := newTestDB(b, func(o *Options) {
				o.Fsync, o.FsyncSet = wal.FsyncNo, true
				o.StringsBufferSize = benchBuffer
				o.Logger = slog.New(slog.DiscardHandler)
			})
			s := db.NewSession()
			set := [][]byte{[]byte("HSET"), []byte("h100")}
			for i := 1; i <= 100; i++ {
				set = append(set, []byte("field:"+strconv.Itoa(i)), []byte("value-"+strconv.Itoa(i)))
			}
			db.Exec(s, set, nopReply{})
			for i := 0; i < 20000; i++ {
				db.Exec(s, [][]byte{[]byte("HSET"), []byte("other:" + strconv.Itoa(i%500)), []byte(strconv.Itoa(i)), []byte("v")}, nopReply{})
			}
			if saved {
				if err := db.Save(); err != nil {
					b.Fatal(err)
				}
			}
			args := [][]byte{[]byte("HGETALL"), []byte("h100")}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				db.Exec(s, args, nopReply{})
			}
		})
	}
}

// BenchmarkExecSAdd is SADD of a new member to one of 1000 sets: the
// command path of an in-memory engine (lookup, WAL framing, apply).
func BenchmarkExecSAdd(b *testing.B) {
	db := newTestDB(b, func(o *Options) { o.Fsync, o.FsyncSet = wal.FsyncNo, true; o.Logger = slog.New(slog.DiscardHandler) })
	s := db.NewSession()
	args := [][]byte{[]byte("SADD"), nil, nil}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		args[1] = strconv.AppendInt(append(args[1][:0], "set:"...), int64(i%1000), 10)
		args[2] = strconv.AppendInt(append(args[2][:0], "member:"...), int64(i), 10)
		db.Exec(s, args, nopReply{})
	}
}

// BenchmarkExecIncr is INCR of 1000 counters (make bench's INCR row
// increments one key; 1000 keep the buffer lookups honest).
func BenchmarkExecIncr(b *testing.B) {
	db := newTestDB(b, func(o *Options) { o.Fsync, o.FsyncSet = wal.FsyncNo, true; o.StringsBufferSize = benchBuffer })
	s := db.NewSession()
	args := [][]byte{[]byte("INCR"), nil}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		args[1] = strconv.AppendInt(args[1][:0], int64(i%1000), 10)
		db.Exec(s, args, nopReply{})
	}
}

// BenchmarkExecPipelinePrefetch runs pipelines of 16 EXISTS or GET of
// random keys among 1M, or HGET of random fields of a hash of 500k, through
// Exec, with and without a Prefetch of the pipeline first, as the event
// loop does. One op is one command.
func BenchmarkExecPipelinePrefetch(b *testing.B) {
	const n, fields = 1_000_000, 500_000
	db := newTestDB(b, func(o *Options) { o.Fsync, o.FsyncSet = wal.FsyncNo, true })
	s := db.NewSession()
	val := make([]byte, 100)
	key := func(i int) []byte { return strconv.AppendInt([]byte("key:"), int64(i), 10) }
	field := func(i int) []byte { return strconv.AppendInt([]byte("field:"), int64(i), 10) }
	for i := range n {
		db.Exec(s, [][]byte{[]byte("SET"), key(i), val}, nopReply{})
	}
	for i := range fields {
		db.Exec(s, [][]byte{[]byte("HSET"), []byte("h"), field(i), val}, nopReply{})
	}
	r := rand.New(rand.NewPCG(1, 2))
	request := map[string]func() [][]byte{
		"EXISTS": func() [][]byte { return [][]byte{[]byte("EXISTS"), key(r.IntN(n))} },
		"GET":    func() [][]byte { return [][]byte{[]byte("GET"), key(r.IntN(n))} },
		"HGET":   func() [][]byte { return [][]byte{[]byte("HGET"), []byte("h"), field(r.IntN(fields))} },
	}
	for _, cmd := range []string{"EXISTS", "GET", "HGET"} {
		for _, prefetch := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/prefetch=%v", cmd, prefetch), func(b *testing.B) {
				var batch [PrefetchMax][][]byte
				ahead := make([]Ahead, PrefetchMax)
				for i := 0; b.Loop(); i++ {
					j := i % PrefetchMax
					if j == 0 {
						for k := range batch {
							batch[k] = request[cmd]()
							ahead[k] = Ahead{Name: batch[k][0], Key: batch[k][1]}
							if len(batch[k]) > 2 {
								ahead[k].Arg = batch[k][2]
							}
						}
						if prefetch {
							db.Prefetch(s, ahead)
						}
					}
					db.Exec(s, batch[j], nopReply{})
				}
			})
		}
	}
}
