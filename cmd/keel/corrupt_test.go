package main

// Corruption tests of the real binary (DESIGN "Testing doctrine", STYLE
// "Errors say where and why"): a data directory written by keel — a
// checkpoint (MANIFEST, keyspace-*.ckpt, the lists, sets, zsets and
// functions checkpoints, a strings, a hashes and a streams segment file) and a WAL
// with sealed segments after it — is damaged one named fault at a time, and
// keel is started on it again. A torn or zero-filled tail of the last WAL
// segment is an expected crash artifact: it is repaired with a warning and
// everything acknowledged before it is served. Any other damage is refused
// at start with the file and offset named, or (for a data block of a segment
// file, whose checksum is verified on read) answered with an error reply;
// damaged data is never served.

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Shape of the fixture. Values are big enough that the keys written after
// the checkpoint fill several 1 MiB WAL segments.
const (
	corruptPreKeys   = 2000 // pre:<n>, in the checkpoint (strings segment file)
	corruptPostKeys  = 3000 // post:<n>, only in the WAL
	corruptPreValue  = 400
	corruptPostValue = 1000
	corruptLastKey   = "last" // the very last record of the WAL
)

var corruptArgs = []string{"--appendfsync", "always", "--wal-segment-size", "1048576"}

// The fixture's streams: corruptStreams streams xs:<s> of corruptStreamLen
// entries <e+1>-1 (field f, value corruptValue("x<s>", e, 60)), each with a
// group g whose consumer c was delivered 1-1..5-1 and acked 1-1 and 2-1 before the
// checkpoint, then (in the WAL only) delivered 6-1..10-1 and acked 3-1:
// the PEL is 4-1..10-1, all owned by c.
const (
	corruptStreams   = 60
	corruptStreamLen = 20
)

func corruptStreamKey(s int) string { return fmt.Sprintf("xs:%d", s) }

// corruptStreamPending is the PEL of every fixture stream after the WAL.
var corruptStreamPending = []string{"4-1", "5-1", "6-1", "7-1", "8-1", "9-1", "10-1"}

func corruptValue(prefix string, n, size int) string {
	head := fmt.Sprintf("%s:%d:", prefix, n)
	return head + strings.Repeat(string(rune('A'+n%26)), size-len(head))
}

// corruptFixture writes the fixture into a new directory and returns it.
// The server is killed with SIGKILL when idle: every write was acked under
// appendfsync always, so all of it is on disk.
func corruptFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	p := startServer(t, dir, corruptArgs...)
	c := p.client(t)
	write := func(prefix string, count, size int) {
		var cmds [][]string
		for n := 0; n < count; n++ {
			cmds = append(cmds, []string{"SET", fmt.Sprintf("%s:%d", prefix, n), corruptValue(prefix, n, size)})
			if len(cmds) == 100 || n == count-1 {
				for i, r := range pipelined(t, c, cmds) {
					if r != "OK" {
						t.Fatalf("%s %s: %#v", cmds[i][0], cmds[i][1], r)
					}
				}
				cmds = cmds[:0]
			}
		}
	}
	write("pre", corruptPreKeys, corruptPreValue)
	// One value per in-memory engine, so that each has a checkpoint file
	// with data in it.
	for i := 0; i < 200; i++ {
		n := strconv.Itoa(i)
		mustDo(t, c, "RPUSH", "list", corruptValue("l", i, 40))
		mustDo(t, c, "SADD", "set", corruptValue("s", i, 40))
		mustDo(t, c, "ZADD", "zset", n, corruptValue("z", i, 40))
		mustDo(t, c, "HSET", "hash", "f"+n, corruptValue("h", i, 40))
	}
	// Streams, with consumer group state, in the streams engine's
	// checkpoint (its segment file) and after it in the WAL.
	streamOps := func(cmds func(key string) [][]string) {
		var all [][]string
		for x := 0; x < corruptStreams; x++ {
			all = append(all, cmds(corruptStreamKey(x))...)
		}
		for i, r := range pipelined(t, c, all) {
			if e, ok := r.(respError); ok {
				t.Fatalf("%v: error reply %q", all[i], string(e))
			}
		}
	}
	streamOps(func(key string) [][]string {
		var cmds [][]string
		for e := 0; e < corruptStreamLen; e++ {
			cmds = append(cmds, []string{"XADD", key, fmt.Sprintf("%d-1", e+1), "f", corruptValue("x"+key, e, 60)})
		}
		return append(cmds, []string{"XGROUP", "CREATE", key, "g", "0"},
			[]string{"XREADGROUP", "GROUP", "g", "c", "COUNT", "5", "STREAMS", key, ">"},
			[]string{"XACK", key, "g", "1-1", "2-1"})
	})
	// A function library, in the functions engine's checkpoint.
	mustDo(t, c, "FUNCTION", "LOAD", "#!lua name=fixture\nredis.register_function('fixture', function() return 'fixture' end)")
	mustDo(t, c, "SAVE")
	streamOps(func(key string) [][]string {
		return [][]string{{"XREADGROUP", "GROUP", "g", "c", "COUNT", "5", "STREAMS", key, ">"}, {"XACK", key, "g", "3-1"}}
	})
	write("post", corruptPostKeys, corruptPostValue)
	mustDo(t, c, "SET", corruptLastKey, "the last record")
	p.kill()

	segs := walSegments(t, dir)
	if len(segs) < 3 {
		t.Fatalf("fixture: want at least 3 WAL segments (2 sealed), have %d", len(segs))
	}
	for _, pat := range []string{"strings/*.seg", "hashes/*.seg", "streams/*.seg", "keyspace-*.ckpt", "lists-*.ckpt", "sets-*.ckpt", "zsets-*.ckpt", "functions-*.ckpt"} {
		if len(globOne(t, dir, pat)) == 0 {
			t.Fatalf("fixture: no %s", pat)
		}
	}
	return dir
}

// globOne returns the matches of pattern under dir, sorted.
func globOne(t *testing.T, dir, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(m)
	return m
}

// walSegments returns the WAL segment files of dir in LSN order (their
// names are 20 decimal digits).
func walSegments(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for _, m := range globOne(t, dir, "wal/*") {
		if b := filepath.Base(m); len(b) == 20 && strings.Trim(b, "0123456789") == "" {
			out = append(out, m)
		}
	}
	return out
}

// walEntries returns the start offset of every tidwall entry of a segment
// (uvarint size, then the frame; docs/format/wal.md) and the end offset.
func walEntries(t *testing.T, data []byte) (starts []int64, end int64) {
	t.Helper()
	off := 0
	for off < len(data) {
		size, n := binary.Uvarint(data[off:])
		if n <= 0 || size > uint64(len(data)-off-n) {
			t.Fatalf("fixture WAL segment does not parse at offset %d", off)
		}
		starts = append(starts, int64(off))
		off += n + int(size)
	}
	return starts, int64(off)
}

// entryAt returns the start of the entry that holds byte off.
func entryAt(starts []int64, off int64) int64 {
	i := sort.Search(len(starts), func(i int) bool { return starts[i] > off })
	return starts[i-1]
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// flipByte inverts every bit of the byte at off.
func flipByte(t *testing.T, path string, off int64) {
	t.Helper()
	b := readFile(t, path)
	b[off] ^= 0xff
	writeFile(t, path, b)
}

// expectation is what a fault must lead to.
type expectation int

const (
	expectRepair     expectation = iota // starts, warns, serves everything acked before the damage
	expectRefuse                        // exits non-zero naming file and offset, never serves
	expectErrorReply                    // starts; reads of damaged data get an error reply, never a wrong value
)

// fault damages a copy of the fixture and says what keel must do about it.
// flippedCheckpoint is the fault of a flipped byte in the middle of an
// in-memory engine's checkpoint file: the server must refuse to start,
// naming the file and the offset of the damaged chunk.
func flippedCheckpoint(engine string) fault {
	return fault{
		name: "flipped_byte_" + engine + "_checkpoint", expect: expectRefuse,
		damage: func(t *testing.T, dir string) (string, int64, bool) {
			ckpt := globOne(t, dir, engine+"-*.ckpt")[0]
			off := int64(len(readFile(t, ckpt)) / 2)
			flipByte(t, ckpt, off)
			return ckpt, -1, false
		},
	}
}

// tearWALTail cuts the last WAL segment in the middle of its last record
// and returns the segment and the record's offset.
func tearWALTail(t *testing.T, dir string) (string, int64, bool) {
	segs := walSegments(t, dir)
	last := segs[len(segs)-1]
	data := readFile(t, last)
	starts, end := walEntries(t, data)
	s := starts[len(starts)-1]
	writeFile(t, last, data[:s+(end-s)/2])
	return last, s, true
}

type fault struct {
	name   string
	expect expectation
	// damage returns the damaged file and, for expectRefuse, the offset
	// keel must report (-1: any offset). For expectRepair, lost says
	// whether the last record is gone.
	damage func(t *testing.T, dir string) (file string, offset int64, lost bool)
	warn   string   // expectRepair: stderr must contain this
	args   []string // flags after corruptArgs
	// expectErrorReply: reads the damaged data (nil: checkNoWrongValue).
	reads func(t *testing.T, p *proc, file string, flipped int64)
}

// segmentDataOffset is the offset of a byte in the middle of the data
// blocks of segment file seg (docs/format/segment.md: a 16-byte header,
// the blocks, then the index, whose offset the 140-byte footer starts
// with).
func segmentDataOffset(t *testing.T, seg string) int64 {
	t.Helper()
	data := readFile(t, seg)
	indexOff := int64(binary.LittleEndian.Uint64(data[len(data)-140:]))
	if indexOff <= 16 || indexOff >= int64(len(data)) {
		t.Fatalf("%s: index offset %d out of range", seg, indexOff)
	}
	return 16 + (indexOff-16)/2
}

// onlyFile returns the one file matching pattern under dir.
func onlyFile(t *testing.T, dir, pattern string) string {
	t.Helper()
	m := globOne(t, dir, pattern)
	if len(m) != 1 {
		t.Fatalf("fixture: want one %s, have %v", pattern, m)
	}
	return m[0]
}

func TestCorruption(t *testing.T) {
	fixture := corruptFixture(t)
	faults := []fault{
		{
			name: "torn_wal_tail", expect: expectRepair, warn: "truncated torn tail",
			damage: tearWALTail,
		},
		{
			// aof-load-truncated no: the same torn tail stops the start,
			// named with its file and the torn record's offset.
			name: "torn_wal_tail_kept", expect: expectRefuse, args: []string{"--aof-load-truncated", "no"},
			damage: tearWALTail,
		},
		{
			name: "zero_filled_wal_tail", expect: expectRepair, warn: "truncated torn tail",
			// A file system that grew the file but not its data (tidwall
			// would read zeros as phantom empty entries).
			damage: func(t *testing.T, dir string) (string, int64, bool) {
				segs := walSegments(t, dir)
				last := segs[len(segs)-1]
				data := readFile(t, last)
				writeFile(t, last, append(data, make([]byte, 4096)...))
				return last, int64(len(data)), false
			},
		},
		{
			name: "flipped_byte_wal_sidecar", expect: expectRepair, warn: "rebuilding invalid sidecar",
			// Sidecars are derived data: rebuilt from their segment.
			damage: func(t *testing.T, dir string) (string, int64, bool) {
				metas := globOne(t, dir, "wal/*.meta")
				if len(metas) == 0 {
					t.Fatal("fixture has no WAL sidecar")
				}
				off := int64(len(readFile(t, metas[0])) / 2)
				flipByte(t, metas[0], off)
				return metas[0], off, false
			},
		},
		{
			name: "flipped_byte_sealed_wal_segment", expect: expectRefuse,
			// A sealed segment after the checkpoint: recovery must replay it.
			damage: func(t *testing.T, dir string) (string, int64, bool) {
				segs := walSegments(t, dir)
				seg := segs[len(segs)-2]
				data := readFile(t, seg)
				starts, _ := walEntries(t, data)
				off := int64(len(data) / 2)
				flipByte(t, seg, off)
				return seg, entryAt(starts, off), false
			},
		},
		{
			name: "flipped_byte_mid_last_wal_segment", expect: expectRefuse,
			// Damage in the last segment with valid records after it is
			// not a torn tail: repairing it would drop acknowledged writes.
			damage: func(t *testing.T, dir string) (string, int64, bool) {
				segs := walSegments(t, dir)
				last := segs[len(segs)-1]
				data := readFile(t, last)
				starts, _ := walEntries(t, data)
				if len(starts) < 4 {
					t.Fatalf("last WAL segment has only %d records", len(starts))
				}
				s := starts[len(starts)/2]
				flipByte(t, last, s+20)
				return last, s, false
			},
		},
		{
			name: "missing_sealed_wal_segment", expect: expectRefuse,
			// A gap in the log: the segment before it ends early.
			damage: func(t *testing.T, dir string) (string, int64, bool) {
				segs := walSegments(t, dir)
				if err := os.Remove(segs[len(segs)-2]); err != nil {
					t.Fatal(err)
				}
				return segs[len(segs)-3], -1, false
			},
		},
		{
			name: "flipped_byte_segment_file", expect: expectErrorReply,
			// A byte in the data blocks of the strings segment file: the
			// footer and index validate at open, the block checksum on read.
			damage: func(t *testing.T, dir string) (string, int64, bool) {
				seg := globOne(t, dir, "strings/*.seg")[0]
				off := segmentDataOffset(t, seg)
				flipByte(t, seg, off)
				return seg, off, false
			},
		},
		{
			name: "flipped_byte_segment_footer", expect: expectRefuse,
			damage: func(t *testing.T, dir string) (string, int64, bool) {
				seg := globOne(t, dir, "strings/*.seg")[0]
				size := int64(len(readFile(t, seg)))
				flipByte(t, seg, size-140+3) // inside the index offset
				return seg, -1, false
			},
		},
		{
			name: "truncated_segment_file", expect: expectRefuse,
			damage: func(t *testing.T, dir string) (string, int64, bool) {
				seg := globOne(t, dir, "strings/*.seg")[0]
				data := readFile(t, seg)
				writeFile(t, seg, data[:len(data)-1])
				return seg, -1, false
			},
		},
		{
			name: "flipped_byte_keyspace_checkpoint", expect: expectRefuse,
			damage: func(t *testing.T, dir string) (string, int64, bool) {
				ckpt := globOne(t, dir, "keyspace-*.ckpt")[0]
				off := int64(len(readFile(t, ckpt)) / 2)
				flipByte(t, ckpt, off)
				return ckpt, -1, false
			},
		},
		{
			name: "flipped_byte_streams_segment_file", expect: expectErrorReply,
			// A byte in the data blocks of the streams segment file: its
			// block checksum catches it on read, whatever record (entry,
			// node, group, consumer, pending entry) the block holds.
			damage: func(t *testing.T, dir string) (string, int64, bool) {
				seg := onlyFile(t, dir, "streams/*.seg")
				off := segmentDataOffset(t, seg)
				flipByte(t, seg, off)
				return seg, off, false
			},
			reads: checkNoWrongStream,
		},
		{
			name: "flipped_byte_streams_segment_footer", expect: expectRefuse,
			damage: func(t *testing.T, dir string) (string, int64, bool) {
				seg := onlyFile(t, dir, "streams/*.seg")
				size := int64(len(readFile(t, seg)))
				flipByte(t, seg, size-140+3) // inside the index offset
				return seg, -1, false
			},
		},
		{
			name: "flipped_byte_streams_segment_index", expect: expectRefuse,
			// The block index is checksummed as a whole and read at open.
			damage: func(t *testing.T, dir string) (string, int64, bool) {
				seg := onlyFile(t, dir, "streams/*.seg")
				data := readFile(t, seg)
				indexOff := int64(binary.LittleEndian.Uint64(data[len(data)-140:]))
				indexLen := int64(binary.LittleEndian.Uint64(data[len(data)-132:]))
				if indexLen <= 0 || indexOff+indexLen > int64(len(data))-140 {
					t.Fatalf("%s: index [%d, +%d) out of range", seg, indexOff, indexLen)
				}
				flipByte(t, seg, indexOff+indexLen/2)
				return seg, -1, false
			},
		},
		{
			name: "truncated_streams_segment_file", expect: expectRefuse,
			damage: func(t *testing.T, dir string) (string, int64, bool) {
				seg := onlyFile(t, dir, "streams/*.seg")
				data := readFile(t, seg)
				writeFile(t, seg, data[:len(data)-1])
				return seg, -1, false
			},
		},
		{
			name: "truncated_hashes_segment_file", expect: expectRefuse,
			damage: func(t *testing.T, dir string) (string, int64, bool) {
				seg := globOne(t, dir, "hashes/*.seg")[0]
				data := readFile(t, seg)
				writeFile(t, seg, data[:len(data)-1])
				return seg, -1, false
			},
		},
		flippedCheckpoint("lists"),
		flippedCheckpoint("sets"),
		flippedCheckpoint("zsets"),
		flippedCheckpoint("functions"),
		{
			name: "flipped_byte_manifest", expect: expectRefuse,
			damage: func(t *testing.T, dir string) (string, int64, bool) {
				man := filepath.Join(dir, "MANIFEST")
				off := int64(len(readFile(t, man)) / 2)
				flipByte(t, man, off)
				return man, -1, false
			},
		},
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			dir := t.TempDir()
			copyDir(t, fixture, dir)
			file, offset, lost := f.damage(t, dir)
			args := append(slices.Clone(corruptArgs), f.args...)
			switch f.expect {
			case expectRepair:
				p := startServer(t, dir, args...)
				if !strings.Contains(p.stderr.String(), f.warn) || !strings.Contains(p.stderr.String(), file) {
					t.Fatalf("no warning %q naming %s; stderr:\n%s", f.warn, file, p.stderr.String())
				}
				checkFixtureData(t, p, !lost)
				t.Logf("repaired with warning: %s", lineWith(p.stderr.String(), f.warn))
			case expectRefuse:
				msg := expectStartFailure(t, dir, args...)
				checkNamesLocation(t, msg, file, offset)
				t.Logf("refused: %s", strings.TrimSpace(msg))
			case expectErrorReply:
				p := startServer(t, dir, args...)
				if f.reads != nil {
					f.reads(t, p, file, offset)
				} else {
					checkNoWrongValue(t, p, file, offset)
				}
			}
		})
	}
}

// checkFixtureData checks that every key of the fixture has its value;
// the last key must be present iff withLast.
func checkFixtureData(t *testing.T, p *proc, withLast bool) {
	t.Helper()
	c := p.client(t)
	var cmds [][]string
	var want []string
	for n := 0; n < corruptPreKeys; n++ {
		cmds = append(cmds, []string{"GET", fmt.Sprintf("pre:%d", n)})
		want = append(want, corruptValue("pre", n, corruptPreValue))
	}
	for n := 0; n < corruptPostKeys; n++ {
		cmds = append(cmds, []string{"GET", fmt.Sprintf("post:%d", n)})
		want = append(want, corruptValue("post", n, corruptPostValue))
	}
	for i, r := range pipelined(t, c, cmds) {
		if b, ok := r.([]byte); !ok || string(b) != want[i] {
			t.Fatalf("GET %s after repair: %.60q, want the acked value", cmds[i][1], fmt.Sprint(r))
		}
	}
	if errs, first := readFixtureStreams(t, c); errs > 0 {
		t.Fatalf("fixture streams after repair: %d error replies, first: %s", errs, first)
	}
	r := mustDo(t, c, "GET", corruptLastKey)
	if withLast && r == nil {
		t.Fatalf("GET %s: the last record is lost, but only bytes after it were damaged", corruptLastKey)
	}
	if !withLast && r != nil {
		t.Fatalf("GET %s: %q present, but its record was torn", corruptLastKey, r)
	}
}

// checkNoWrongValue reads every key of the fixture: each must be its value
// or an error reply naming the damaged file and the offset of the block
// that holds byte flipped. At least one must be an error (the damaged block
// holds keys).
func checkNoWrongValue(t *testing.T, p *proc, file string, flipped int64) {
	t.Helper()
	c := p.client(t)
	var cmds [][]string
	for n := 0; n < corruptPreKeys; n++ {
		cmds = append(cmds, []string{"GET", fmt.Sprintf("pre:%d", n)})
	}
	errs, firstErr := 0, ""
	for n, r := range pipelined(t, c, cmds) {
		switch x := r.(type) {
		case []byte:
			if string(x) != corruptValue("pre", n, corruptPreValue) {
				t.Fatalf("GET pre:%d served a wrong value from a damaged file: %.60q", n, x)
			}
		case respError:
			if errs++; errs == 1 {
				firstErr = string(x)
			}
		default:
			t.Fatalf("GET pre:%d: %#v (want its value or an error)", n, r)
		}
	}
	if errs == 0 {
		t.Fatalf("a flipped byte in the data blocks of %s went undetected: every GET answered its value", file)
	}
	checkNamesLocation(t, firstErr, file, -1)
	// The offset is the damaged block's: at most one block (16 KiB plus
	// one entry) before the flipped byte.
	m := offsetRE.FindStringSubmatch(firstErr)
	if got, _ := strconv.ParseInt(m[1], 10, 64); got > flipped || flipped-got > 64<<10 {
		t.Fatalf("the error names offset %d, but the flipped byte is at %d: %s", got, flipped, firstErr)
	}
	t.Logf("%d of %d GETs answered an error, none a wrong value: %s", errs, corruptPreKeys, firstErr)
	// The server keeps serving undamaged data.
	mustDo(t, c, "SET", "after", "1")
}

// readFixtureStreams reads every fixture stream (XRANGE, and XPENDING of
// its group) and fails the test on any reply that is neither exactly the
// fixture's data nor an error reply; it returns the number of error
// replies and the first one.
func readFixtureStreams(t *testing.T, c *respConn) (errs int, first string) {
	t.Helper()
	var cmds [][]string
	for x := 0; x < corruptStreams; x++ {
		key := corruptStreamKey(x)
		cmds = append(cmds, []string{"XRANGE", key, "-", "+"}, []string{"XPENDING", key, "g", "-", "+", "100"})
	}
	for n, r := range pipelined(t, c, cmds) {
		if e, ok := r.(respError); ok {
			if errs++; errs == 1 {
				first = string(e)
			}
			continue
		}
		key := cmds[n][1]
		// Each element as text: an entry "id field value", a pending
		// entry "id consumer count" (without its idle time).
		var got, want []string
		arr, _ := r.([]any)
		for _, x := range arr {
			el, _ := x.([]any)
			switch {
			case cmds[n][0] == "XRANGE" && len(el) == 2:
				id, _ := el[0].([]byte)
				fv, _ := el[1].([]any)
				if len(fv) == 2 {
					f, _ := fv[0].([]byte)
					v, _ := fv[1].([]byte)
					got = append(got, string(id)+" "+string(f)+" "+string(v))
					continue
				}
			case cmds[n][0] == "XPENDING" && len(el) == 4:
				id, _ := el[0].([]byte)
				owner, _ := el[1].([]byte)
				if count, ok := el[3].(int64); ok {
					got = append(got, fmt.Sprintf("%s %s %d", id, owner, count))
					continue
				}
			}
			got = append(got, fmtReply(x))
		}
		if cmds[n][0] == "XRANGE" {
			for e := 0; e < corruptStreamLen; e++ {
				want = append(want, fmt.Sprintf("%d-1 f %s", e+1, corruptValue("x"+key, e, 60)))
			}
		} else {
			for _, id := range corruptStreamPending {
				want = append(want, id+" c 1")
			}
		}
		if _, isArr := r.([]any); !isArr || !slices.Equal(got, want) {
			t.Fatalf("%s %s served wrong data: %.300s\nwant %.300q", cmds[n][0], key, fmtReply(r), want)
		}
	}
	return errs, first
}

// checkNoWrongStream is checkNoWrongValue for the fixture's streams: each
// read answers exactly the fixture's data or an error naming the damaged
// file and a block offset at most one block before the flipped byte; at
// least one read answers an error.
func checkNoWrongStream(t *testing.T, p *proc, file string, flipped int64) {
	t.Helper()
	c := p.client(t)
	errs, first := readFixtureStreams(t, c)
	if errs == 0 {
		t.Fatalf("a flipped byte in the data blocks of %s went undetected: every stream read answered its data", file)
	}
	checkNamesLocation(t, first, file, -1)
	m := offsetRE.FindStringSubmatch(first[strings.Index(first, file):])
	if got, _ := strconv.ParseInt(m[1], 10, 64); got > flipped || flipped-got > 64<<10 {
		t.Fatalf("the error names offset %d, but the flipped byte is at %d: %s", got, flipped, first)
	}
	t.Logf("%d of %d stream reads answered an error, none wrong data: %s", errs, 2*corruptStreams, first)
	// The server keeps serving, streams included.
	mustDo(t, c, "XADD", "after", "1-1", "f", "v")
}

// expectStartFailure starts keel on dir and requires that it exits
// non-zero without ever answering a command; it returns stderr.
func expectStartFailure(t *testing.T, dir string, args ...string) string {
	t.Helper()
	p := launch(t, dir, args...)
	defer p.kill()
	deadline := time.Now().Add(60 * time.Second)
	for !p.exited() {
		if c, err := dial(p.addr); err == nil {
			r, _ := c.Do("PING")
			c.Close()
			t.Fatalf("keel served a damaged data directory (PING answered %v); stderr:\n%s", r, p.stderr.String())
		}
		if time.Now().After(deadline) {
			t.Fatalf("keel neither served nor exited within 60s; stderr:\n%s", p.stderr.String())
		}
		select {
		case <-p.done:
		case <-time.After(5 * time.Millisecond):
		}
	}
	if code := p.exitCode(); code == 0 {
		t.Fatalf("keel exited 0 on a damaged data directory; stderr:\n%s", p.stderr.String())
	}
	return p.stderr.String()
}

var offsetRE = regexp.MustCompile(`offset (\d+)`)

// checkNamesLocation requires msg to name file and an offset, and that
// offset to be want when want >= 0.
func checkNamesLocation(t *testing.T, msg, file string, want int64) {
	t.Helper()
	if !strings.Contains(msg, file) {
		t.Fatalf("the error does not name the damaged file %s:\n%s", file, msg)
	}
	m := offsetRE.FindStringSubmatch(msg[strings.Index(msg, file):])
	if m == nil {
		t.Fatalf("the error does not give an offset in %s:\n%s", file, msg)
	}
	if got, _ := strconv.ParseInt(m[1], 10, 64); want >= 0 && got != want {
		t.Fatalf("the error names offset %d of %s, the damaged entry starts at %d:\n%s", got, file, want, msg)
	}
}

func lineWith(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}
