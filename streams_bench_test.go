package keel

import (
	"strconv"
	"testing"

	"github.com/keeldb/keel/wal"
)

// idReply keeps the bulk replies of a command (XREADGROUP's key, ids,
// fields and values) and its integer reply.
type idReply struct {
	nopReply
	bulks [][]byte
	n     int64
}

func (r *idReply) Bulk(b []byte) { r.bulks = append(r.bulks, append([]byte(nil), b...)) }
func (r *idReply) Int(n int64)   { r.n = n }

// xgroupBenchSetup opens a DB holding the stream probe:xg of n entries
// (ids 1-1, 2-1, ...; one field) and its group g at 0, as `scripts/probe
// xgroup` prefills it.
func xgroupBenchSetup(b *testing.B, n int) (*DB, *Session) {
	db := newTestDB(b, func(o *Options) { o.Fsync, o.FsyncSet = wal.FsyncNo, true; o.StringsBufferSize = benchBuffer })
	s := db.NewSession()
	args := [][]byte{[]byte("XADD"), []byte("probe:xg"), nil, []byte("field"), []byte("value")}
	for i := 1; i <= n; i++ {
		args[2] = append(strconv.AppendInt(args[2][:0], int64(i), 10), "-1"...)
		db.Exec(s, args, nopReply{})
	}
	if r := do(db, s, "XGROUP CREATE probe:xg g 0"); r != SimpleVal("OK") {
		b.Fatal(r)
	}
	return db, s
}

// BenchmarkExecXReadGroupAck measures the consumer group loop of
// `scripts/probe xgroup` through Exec, without the network, under
// appendfsync no: 50 consumers in turn each XREADGROUP ... COUNT 10 ... >
// and XACK the ten ids read. One op is one XREADGROUP and one XACK. The
// stream is prefilled (untimed) with 10 entries per op, each read once, as
// the probe's are: every delivery adds PEL keys the store has not seen.
// BenchmarkExecXReadGroupAckSetup is the prefill alone, for instruction
// counts of the whole process.
func BenchmarkExecXReadGroupAck(b *testing.B) {
	const count, consumers = 10, 50
	db, s := xgroupBenchSetup(b, b.N*count)
	names := make([][]byte, consumers)
	for i := range names {
		names[i] = []byte("c" + strconv.Itoa(i))
	}
	read := [][]byte{[]byte("XREADGROUP"), []byte("GROUP"), []byte("g"), nil, []byte("COUNT"), []byte(strconv.Itoa(count)), []byte("STREAMS"), []byte("probe:xg"), []byte(">")}
	ack := make([][]byte, 3, 3+count)
	ack[0], ack[1], ack[2] = []byte("XACK"), []byte("probe:xg"), []byte("g")
	r := &idReply{}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		read[3] = names[i%consumers]
		r.bulks = r.bulks[:0]
		db.Exec(s, read, r)
		// key, then id, field, value per entry.
		if len(r.bulks) != 1+3*count {
			b.Fatalf("op %d: XREADGROUP replied %d bulks", i, len(r.bulks))
		}
		ack = ack[:3]
		for j := 1; j < len(r.bulks); j += 3 {
			ack = append(ack, r.bulks[j])
		}
		r.n = -1
		db.Exec(s, ack, r)
		if r.n != count {
			b.Fatalf("op %d: XACK acknowledged %d", i, r.n)
		}
	}
}

func BenchmarkExecXReadGroupAckSetup(b *testing.B) {
	xgroupBenchSetup(b, b.N*10)
}
