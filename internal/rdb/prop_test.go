package rdb

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"testing"

	"pgregory.net/rapid"
)

// Property: for any valid value and any configuration, Decode(Encode(v))
// is v in canonical form, and encoding that again gives the same bytes.

func genBytes(t *rapid.T, label string) []byte {
	switch rapid.IntRange(0, 9).Draw(t, label+"-kind") {
	case 0, 1: // canonical integers, often at encoding boundaries
		if rapid.Bool().Draw(t, label+"-bound") {
			return []byte(rapid.SampledFrom(intBoundaries).Draw(t, label+"-int"))
		}
		return []byte(strconv.FormatInt(rapid.Int64().Draw(t, label+"-int"), 10))
	case 2: // not quite integers
		return []byte(rapid.SampledFrom(notInts).Draw(t, label+"-notint"))
	case 3: // binary
		return rapid.SliceOfN(rapid.Byte(), 0, 40).Draw(t, label+"-bin")
	case 4: // long and compressible
		unit := rapid.StringMatching(`[a-c]{1,4}`).Draw(t, label+"-unit")
		return bytes.Repeat([]byte(unit), rapid.IntRange(1, 120).Draw(t, label+"-rep"))
	case 5: // rarely, big enough for 12- and 32-bit listpack lengths
		if rapid.IntRange(0, 20).Draw(t, label+"-big") == 0 {
			return bytes.Repeat([]byte{byte(rapid.IntRange(0, 255).Draw(t, label+"-b"))}, rapid.IntRange(60, 5000).Draw(t, label+"-n"))
		}
		fallthrough
	default:
		return []byte(rapid.StringMatching(`[a-z0-9]{0,12}`).Draw(t, label+"-str"))
	}
}

func genUnique(t *rapid.T, label string, min, max int) [][]byte {
	n := rapid.IntRange(min, max).Draw(t, label+"-n")
	seen := map[string]bool{}
	var out [][]byte
	for i := 0; i < n; i++ {
		b := genBytes(t, label)
		if !seen[string(b)] {
			seen[string(b)] = true
			out = append(out, b)
		}
	}
	if len(out) == 0 {
		out = append(out, []byte("x"))
	}
	return out
}

func genScore(t *rapid.T) float64 {
	switch rapid.IntRange(0, 6).Draw(t, "score-kind") {
	case 0:
		return rapid.SampledFrom([]float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), 1e300, -1e300, 5e-324,
			4503599627370496, 4611686018427387904, -4611686018427387904, 9.3e18, 0.1}).Draw(t, "score-special")
	case 1, 2:
		return float64(rapid.IntRange(-10, 10).Draw(t, "score-small"))
	case 3:
		return float64(rapid.Int64().Draw(t, "score-int"))
	default:
		f := rapid.Float64().Draw(t, "score")
		if math.IsNaN(f) {
			return 0
		}
		return f
	}
}

func genStream(t *rapid.T) *Stream {
	s := &Stream{}
	id := StreamID{rapid.Uint64Range(0, 1<<45).Draw(t, "ms0"), rapid.Uint64Range(0, 10).Draw(t, "seq0")}
	names := [][]byte{[]byte("a"), []byte("b"), []byte("temp"), []byte("7")}
	n := rapid.IntRange(0, 60).Draw(t, "entries")
	for i := 0; i < n; i++ {
		if i > 0 {
			if rapid.Bool().Draw(t, "same-ms") {
				id.Seq += rapid.Uint64Range(1, 3).Draw(t, "dseq")
			} else {
				id = StreamID{id.Ms + rapid.Uint64Range(1, 1<<20).Draw(t, "dms"), rapid.Uint64Range(0, 3).Draw(t, "seq")}
			}
		}
		var fields [][]byte
		for j, nf := 0, rapid.IntRange(0, 4).Draw(t, "nfields"); j < nf; j++ {
			name := names[rapid.IntRange(0, len(names)-1).Draw(t, "name")]
			if rapid.IntRange(0, 5).Draw(t, "odd-name") == 0 {
				name = genBytes(t, "fname")
			}
			fields = append(fields, name, genBytes(t, "fvalue"))
		}
		s.Entries = append(s.Entries, StreamEntry{ID: id, Fields: fields})
	}
	s.Length = uint64(len(s.Entries))
	s.LastID = id
	if rapid.Bool().Draw(t, "later-last") {
		s.LastID.Ms += rapid.Uint64Range(0, 1000).Draw(t, "last-ahead")
		s.LastID.Seq += 7
	}
	if len(s.Entries) > 0 {
		s.FirstID = s.Entries[0].ID
	}
	s.MaxDeletedID = StreamID{rapid.Uint64Range(0, 100).Draw(t, "maxdel-ms"), rapid.Uint64Range(0, 3).Draw(t, "maxdel-seq")}
	s.EntriesAdded = s.Length + rapid.Uint64Range(0, 1<<40).Draw(t, "added-extra")
	for g, ng := 0, rapid.IntRange(0, 3).Draw(t, "groups"); g < ng; g++ {
		grp := Group{Name: []byte(fmt.Sprintf("g%d%s", g, rapid.StringMatching(`[a-z]{0,3}`).Draw(t, "gname"))),
			LastID:      StreamID{rapid.Uint64().Draw(t, "glast-ms"), rapid.Uint64().Draw(t, "glast-seq")},
			EntriesRead: rapid.Int64Range(-1, 1<<50).Draw(t, "entries-read")}
		nc := rapid.IntRange(0, 3).Draw(t, "consumers")
		for c := 0; c < nc; c++ {
			grp.Consumers = append(grp.Consumers, Consumer{Name: []byte(fmt.Sprintf("c%d", c)), SeenTimeMs: rapid.Int64().Draw(t, "seen")})
		}
		if nc > 0 {
			seen := map[StreamID]bool{}
			for p, np := 0, rapid.IntRange(0, 8).Draw(t, "pel"); p < np; p++ {
				pid := StreamID{rapid.Uint64Range(0, 50).Draw(t, "pel-ms"), rapid.Uint64Range(0, 2).Draw(t, "pel-seq")}
				if seen[pid] {
					continue
				}
				seen[pid] = true
				grp.PEL = append(grp.PEL, PendingEntry{ID: pid, DeliveryTimeMs: rapid.Int64().Draw(t, "dtime"), DeliveryCount: rapid.Uint64().Draw(t, "dcount")})
				owner := rapid.IntRange(0, nc-1).Draw(t, "owner")
				grp.Consumers[owner].PEL = append(grp.Consumers[owner].PEL, pid)
			}
		}
		s.Groups = append(s.Groups, grp)
	}
	return s
}

func genValue(t *rapid.T) *Value {
	switch Kind(rapid.IntRange(int(KindString), int(KindStream)).Draw(t, "kind")) {
	case KindString:
		return &Value{Kind: KindString, Str: genBytes(t, "str")}
	case KindList:
		n := rapid.IntRange(1, 300).Draw(t, "list-n")
		v := &Value{Kind: KindList}
		for i := 0; i < n; i++ {
			v.Elems = append(v.Elems, genBytes(t, "elem"))
		}
		return v
	case KindSet:
		if rapid.Bool().Draw(t, "int-set") {
			seen := map[int64]bool{}
			v := &Value{Kind: KindSet}
			for i, n := 0, rapid.IntRange(1, 40).Draw(t, "iset-n"); i < n; i++ {
				x := rapid.Int64Range(-1<<40, 1<<40).Draw(t, "iset")
				if i%3 == 0 {
					x = rapid.Int64Range(-200, 200).Draw(t, "iset-small")
				}
				if !seen[x] {
					seen[x] = true
					v.Elems = append(v.Elems, []byte(strconv.FormatInt(x, 10)))
				}
			}
			return v
		}
		return &Value{Kind: KindSet, Elems: genUnique(t, "member", 1, 150)}
	case KindZSet:
		v := &Value{Kind: KindZSet}
		for _, m := range genUnique(t, "zmember", 1, 150) {
			v.ZSet = append(v.ZSet, ZMember{Member: m, Score: genScore(t)})
		}
		return v
	case KindHash:
		v := &Value{Kind: KindHash}
		for _, name := range genUnique(t, "field", 1, 150) {
			v.Hash = append(v.Hash, Field{Name: name, Value: genBytes(t, "hvalue")})
		}
		return v
	}
	return &Value{Kind: KindStream, Stream: genStream(t)}
}

func genOpts(t *rapid.T) EncodeOptions {
	return EncodeOptions{
		HashMaxListpackEntries: rapid.SampledFrom([]int{0, 1, 3, 128}).Draw(t, "hash-entries"),
		HashMaxListpackValue:   rapid.SampledFrom([]int{0, 4, 64}).Draw(t, "hash-value"),
		ZSetMaxListpackEntries: rapid.SampledFrom([]int{0, 1, 3, 128}).Draw(t, "zset-entries"),
		ZSetMaxListpackValue:   rapid.SampledFrom([]int{0, 4, 64}).Draw(t, "zset-value"),
		SetMaxIntsetEntries:    rapid.SampledFrom([]int{0, 1, 10, 512}).Draw(t, "intset-entries"),
		ListMaxListpackSize:    rapid.SampledFrom([]int{-5, -2, -1, 1, 2, 7, 1000}).Draw(t, "list-size"),
		ListCompressDepth:      rapid.IntRange(0, 3).Draw(t, "compress-depth"),
		StreamNodeMaxBytes:     rapid.SampledFrom([]int{0, 30, 200, 4096}).Draw(t, "node-bytes"),
		StreamNodeMaxEntries:   rapid.SampledFrom([]int{0, 1, 2, 5, 100}).Draw(t, "node-entries"),
		Compression:            rapid.Bool().Draw(t, "compression"),
		ListPackedThreshold:    rapid.SampledFrom([]int{0, 8, 50}).Draw(t, "packed-threshold"),
	}
}

// canonical is what Decode returns for v encoded under opt.
func canonical(v *Value, opt EncodeOptions) *Value {
	if v.Kind != KindZSet {
		return v
	}
	z := v.ZSet
	if zsetUsesListpack(z, opt) {
		z = listpackScores(z)
	}
	z = append([]ZMember(nil), z...)
	sortZSet(z)
	return &Value{Kind: KindZSet, ZSet: z}
}

// order renders the parts of a value whose order Decode preserves and
// describe normalizes away: hash fields and hash-table set members.
func order(v *Value) string {
	var b bytes.Buffer
	switch v.Kind {
	case KindHash:
		for _, f := range v.Hash {
			fmt.Fprintf(&b, "%q ", f.Name)
		}
	case KindSet:
		for _, m := range v.Elems {
			fmt.Fprintf(&b, "%q ", m)
		}
	}
	return b.String()
}

func TestPropRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		opt := genOpts(t)
		v := genValue(t)
		if err := v.Validate(); err != nil {
			t.Fatalf("generator made an invalid value: %v", err)
		}
		p := Encode(v, opt)
		got, err := Decode(p)
		if err != nil {
			t.Fatalf("Decode(Encode(v)): %v", err)
		}
		want := canonical(v, opt)
		if g, w := describe(got), describe(want); g != w {
			t.Fatalf("round trip differs:\n got:  %.3000s\n want: %.3000s", g, w)
		}
		if v.Kind == KindHash || (v.Kind == KindSet && ObjectEncoding(v, opt) == "hashtable") {
			if g, w := order(got), order(want); g != w {
				t.Fatalf("order not kept:\n got:  %s\n want: %s", g, w)
			}
		}
		if again := Encode(got, opt); !bytes.Equal(again, p) {
			t.Fatalf("Encode(Decode(p)) != p")
		}
		// A memory limit as large as the value allows it; far smaller not.
		if _, err := DecodeWith(p, DecodeOptions{MaxMemory: 1 << 40}); err != nil {
			t.Fatalf("DecodeWith a large MaxMemory: %v", err)
		}
	})
}
