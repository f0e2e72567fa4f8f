package segments

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestRangeDelsCoverSeq checks rangeDels.coverSeq, coverEnd and
// overlaps, both levels of fragments and the unmerged tail alike, against
// a linear search of every tombstone: overlapping, nested, empty and
// repeated ranges, repeated seqs, keys on and between bounds, snapshots
// below, among and above the seqs. The long rounds add mostly narrow,
// disjoint ranges (hash deletes) over more keys, to fill the big level.
func TestRangeDelsCoverSeq(t *testing.T) {
	seed := testSeed(t)
	rng := rand.New(rand.NewPCG(seed, 7))
	linear := func(all []rangeDel, k []byte, snap uint64) uint64 {
		var best uint64
		for _, rd := range all {
			if rd.seq > best && rd.seq <= snap && bytes.Compare(rd.lo, k) <= 0 && bytes.Compare(k, rd.hi) < 0 {
				best = rd.seq
			}
		}
		return best
	}
	for round := range 44 {
		long := round >= 40
		adds, checks, keys := 3*fragmentEvery, 20, 200
		if long {
			adds, checks, keys = 2500, 3, 100000
		}
		key := func() []byte { return fmt.Appendf(nil, "k%06d", rng.IntN(keys)) }
		d := noRangeDels
		var seq uint64
		for n := range adds {
			if rng.IntN(4) != 0 { // some share their seq with the one before
				seq++
			}
			lo, hi := key(), key()
			switch r := rng.IntN(100); {
			case long && r < 97: // one hash's fields
				hi = append(slices.Clone(lo), 0xff)
			case r < 15: // wide, so that it overlaps many
				lo, hi = []byte("k0"), fmt.Appendf(nil, "k%06d", keys/2+rng.IntN(keys/2))
			case r < 30: // empty or reversed: covers nothing
				hi = lo
			}
			d = d.with(rangeDel{lo: lo, hi: hi, seq: seq})
			if len(d.bounds) != len(d.all) || len(d.all)-d.indexed >= fragmentEvery || d.inBig > d.indexed {
				t.Fatalf("round %d: %d tombstones, %d bounds, %d indexed, %d in the big level",
					round, len(d.all), len(d.bounds), d.indexed, d.inBig)
			}
			for range checks {
				k := key()
				if rng.IntN(4) == 0 {
					k = append(k, 0) // between keys
				}
				snap := uint64(rng.IntN(int(seq) + 2))
				want := linear(d.all, k, snap)
				if got := d.coverSeq(k, snap); got != want {
					t.Fatalf("round %d, %d tombstones (%d merged, %d in the big level): coverSeq(%s, %d) = %d, want %d",
						round, n+1, d.indexed, d.inBig, k, snap, got, want)
				}
				// coverEnd: a run from k that one visible tombstone covers.
				end, endSeq := d.coverEnd(k, snap)
				ok := (end == nil) == (want == 0)
				if end != nil {
					ok = bytes.Compare(k, end) < 0 && slices.ContainsFunc(d.all, func(rd rangeDel) bool {
						return rd.seq == endSeq && rd.seq <= snap && bytes.Compare(rd.lo, k) <= 0 && bytes.Compare(end, rd.hi) <= 0
					})
				}
				if !ok {
					t.Fatalf("round %d, %d tombstones: coverEnd(%s, %d) = %s, %d (coverSeq %d)", round, n+1, k, snap, end, endSeq, want)
				}
				lo, hi := k, key()
				if bytes.Compare(lo, hi) > 0 {
					lo, hi = hi, lo
				}
				if bytes.Equal(lo, hi) { // an empty range: either answer
					hi = append(hi, 0)
				}
				if rng.IntN(8) == 0 {
					lo = nil
				}
				if rng.IntN(8) == 0 {
					hi = nil
				}
				wantOv := false
				for _, rd := range d.all {
					wantOv = wantOv || rd.seq <= snap && (hi == nil || bytes.Compare(rd.lo, hi) < 0) &&
						(lo == nil || bytes.Compare(lo, rd.hi) < 0) && bytes.Compare(rd.lo, rd.hi) < 0
				}
				if got := d.overlaps(lo, hi, snap); got != wantOv {
					t.Fatalf("round %d, %d tombstones (%d merged): overlaps(%s, %s, %d) = %v, want %v",
						round, n+1, d.indexed, lo, hi, snap, got, wantOv)
				}
			}
		}
		if d.indexed == 0 || len(d.recent)+len(d.big) == 0 || (long && d.inBig == 0) {
			t.Fatalf("round %d: %d tombstones, %d merged, %d in the big level", round, len(d.all), d.indexed, d.inBig)
		}
	}
}

// TestSweep: fragments are sorted, disjoint and non-empty, and list
// the covering seqs newest first.
func TestSweep(t *testing.T) {
	b := func(s string) []byte { return []byte(s) }
	fr := sweep(nil, []rangeDel{ // sorted by lo
		{lo: b("a"), hi: b("d"), seq: 1},
		{lo: b("b"), hi: b("c"), seq: 5},
		{lo: b("c"), hi: b("f"), seq: 3},
		{lo: b("g"), hi: b("h"), seq: 2},
		{lo: b("x"), hi: b("x"), seq: 9}, // empty
	})
	got := fmt.Sprint(len(fr))
	for _, f := range fr {
		got += fmt.Sprintf(" [%s,%s)%v", f.lo, f.hi, f.seqs)
	}
	want := "5 [a,b)[1] [b,c)[5 1] [c,d)[3 1] [d,f)[3] [g,h)[2]"
	if got != want {
		t.Fatalf("sweep = %s\nwant    %s", got, want)
	}
	// Swept again with more: the fragments act as their tombstones.
	fr = sweep(fr, []rangeDel{{lo: b("a"), hi: b("b\x00"), seq: 7}, {lo: b("e"), hi: b("g"), seq: 8}})
	got = fmt.Sprint(len(fr))
	for _, f := range fr {
		got += fmt.Sprintf(" [%s,%s)%v", f.lo, f.hi, f.seqs)
	}
	want = "8 [a,b)[7 1] [b,b\x00)[7 5 1] [b\x00,c)[5 1] [c,d)[3 1] [d,e)[3] [e,f)[8 3] [f,g)[8] [g,h)[2]"
	if got != want {
		t.Fatalf("sweep again = %s\nwant          %s", got, want)
	}
}

// BenchmarkRangeDelsAdd: one addition to a buffer's tombstones, averaged
// over a buffer's worth (maxBufferRangeDels) of hash-delete-like disjoint
// ranges in random order.
func BenchmarkRangeDelsAdd(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	rds := make([]rangeDel, maxBufferRangeDels)
	for i := range rds {
		k := fmt.Appendf(nil, "\x12\x34\x00hash:%08d\x00\x00\x00\x01", rng.IntN(1<<30))
		rds[i] = rangeDel{lo: k, hi: append(slices.Clone(k), 0xff), seq: uint64(i + 1)}
	}
	b.ResetTimer()
	for i := 0; i < b.N; {
		d := noRangeDels
		for _, rd := range rds {
			d = d.with(rd)
			if i++; i == b.N {
				break
			}
		}
	}
}

// TestBufferManyRangeDeletes: reads of a buffer holding hundreds of range
// tombstones (so most lie in its fragments: one per "hash" deleted, some
// wider, some repeated) agree with a model, before and after flushes.
func TestBufferManyRangeDeletes(t *testing.T) {
	seed := testSeed(t)
	rng := rand.New(rand.NewPCG(seed, 11))
	h := newHarness(t, Options{BufferSize: 4 << 20})
	model := map[string]string{}
	key := func() string { return fmt.Sprintf("h%03d:f%d", rng.IntN(400), rng.IntN(4)) }
	swept := 0 // reads of an active buffer with fragments
	for step := range 6000 {
		if step%1500 == 1499 {
			h.flush()
		}
		switch op := rng.IntN(100); {
		case op < 45:
			k, v := key(), fmt.Sprint(step)
			h.put(k, v)
			model[k] = v
		case op < 70: // a "hash" deleted: every field of h<n>
			lo := fmt.Sprintf("h%03d:", rng.IntN(400))
			hi := lo[:4] + ";"     // ':' + 1
			if rng.IntN(10) == 0 { // now and then a wider one
				hi = fmt.Sprintf("h%03d:", rng.IntN(400))
				if hi < lo {
					lo, hi = hi, lo
				}
			}
			h.delRange(lo, hi)
			deleteRange(model, lo, hi)
		case op < 95:
			k := key()
			want, ok := model[k]
			h.expect(k, want, ok)
			if h.s.active.Load().rdels.Load().indexed > 0 {
				swept++
			}
		default:
			lo := fmt.Sprintf("h%03d", rng.IntN(400))
			hi := fmt.Sprintf("h%03d", rng.IntN(400))
			if hi < lo {
				lo, hi = hi, lo
			}
			var want []string
			for k, v := range model {
				if k >= lo && k < hi {
					want = append(want, k+"="+v)
				}
			}
			slices.Sort(want)
			if got := h.scan(lo, hi); !slices.Equal(got, want) {
				t.Fatalf("step %d: Scan [%s, %s) = %q, want %q", step, lo, hi, got, want)
			}
		}
	}
	if err := h.s.Err(); err != nil {
		t.Fatal(err)
	}
	if swept < 500 {
		t.Fatalf("only %d reads met a buffer with fragments", swept)
	}
}
