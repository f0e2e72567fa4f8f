package rdb

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math"
	"math/rand"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func TestCRC64(t *testing.T) {
	if got := CRC64(0, []byte("123456789")); got != 0xe9c6d914c4b8d9ca {
		t.Fatalf("check value %#x", got)
	}
	// Slicing-by-8 agrees with the bytewise definition, split anywhere.
	data := randBytes(11, 1000)
	ref := uint64(0)
	for _, c := range data {
		for i := 0; i < 8; i++ {
			bit := (ref ^ uint64(c>>i)) & 1
			ref >>= 1
			if bit == 1 {
				ref ^= crc64Poly
			}
		}
	}
	for _, cut := range []int{0, 1, 7, 8, 9, 500, 999, 1000} {
		if got := CRC64(CRC64(0, data[:cut]), data[cut:]); got != ref {
			t.Fatalf("split at %d: %#x, want %#x", cut, got, ref)
		}
	}
}

// wordSoup is deterministic, compressible text (xorshift32 over words).
func wordSoup(seed uint32, n int) []byte {
	words := [][]byte{[]byte("redis"), []byte("keel"), []byte("dump"), []byte("payload"), []byte(" "), {0}, []byte("12345"), {0xff, 0xfe}}
	x := seed
	var out []byte
	for i := 0; i < n; i++ {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		out = append(out, words[x%uint32(len(words))]...)
	}
	return out
}

// TestLZFGolden compares with Redis 7.0's lzf_c.c compiled from source:
// output length and CRC64 of the compressed bytes.
func TestLZFGolden(t *testing.T) {
	rng := make([]byte, 768)
	for i := range rng {
		rng[i] = byte(i)
	}
	cases := []struct {
		name  string
		in    []byte
		slack int // out_len = len(in) - slack
		n     int
		crc   uint64
	}{
		{"a53", bytes.Repeat([]byte("a"), 53), 4, 9, 0xaa3cf0dd1208233a},
		{"abc", []byte("abcabcabcabcabcabcabcabcabcabcabc1"), 4, 11, 0x38629e5871ce5772},
		{"soup400", wordSoup(1, 400), 4, 613, 0x54bc1ccfd1b7b752},
		{"soup3000", wordSoup(7, 3000), 0, 4101, 0x7c90c57eeeb75fe6},
		{"bytes", append(append(append([]byte{}, rng[:256]...), rng[:256]...), rng[:256]...), 4, 275, 0x9806942c7fc7b581},
		{"runs", append(append(bytes.Repeat([]byte("x"), 20000), bytes.Repeat([]byte("y"), 300)...), bytes.Repeat([]byte("x"), 9000)...), 0, 347, 0x3ad3dcca935206ba},
		{"soup40", wordSoup(3, 40), 4, 92, 0x3fe3ec6853ff3cae},
		{"incompressible", wordSoup(9, 12), 0, 0, 0},
	}
	for _, c := range cases {
		out := lzfCompress(c.in, len(c.in)-c.slack)
		if len(out) != c.n || (c.n > 0 && CRC64(0, out) != c.crc) {
			t.Errorf("%s: %d bytes crc %#x, want %d bytes crc %#x (%s...)", c.name, len(out), CRC64(0, out), c.n, c.crc, hex.EncodeToString(out[:min(12, len(out))]))
		}
		if out != nil {
			back := make([]byte, len(c.in))
			if err := lzfDecompress(out, back); err != nil || !bytes.Equal(back, c.in) {
				t.Errorf("%s: round trip: %v", c.name, err)
			}
		}
	}
}

func TestLZFRoundTrip(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	for i := 0; i < 300; i++ {
		var in []byte
		switch i % 3 {
		case 0:
			in = wordSoup(uint32(i+1), r.Intn(500))
		case 1:
			in = randBytes(int64(i), r.Intn(300))
		default:
			in = bytes.Repeat([]byte{byte(i)}, r.Intn(2000))
		}
		out := lzfCompress(in, len(in)+64)
		if len(in) == 0 {
			if out != nil {
				t.Fatal("empty input compressed")
			}
			continue
		}
		back := make([]byte, len(in))
		if err := lzfDecompress(out, back); err != nil || !bytes.Equal(back, in) {
			t.Fatalf("case %d: %v", i, err)
		}
		if len(in) > 0 {
			if err := lzfDecompress(out, make([]byte, len(in)+1)); err == nil {
				t.Fatalf("case %d: decompressed into a longer buffer", i)
			}
		}
	}
	// Malformed streams fail without panicking.
	for _, bad := range [][]byte{{5, 'a'}, {0x20}, {0xE0, 1}, {0x20, 0}, {0x40, 0x10}} {
		if err := lzfDecompress(bad, make([]byte, 10)); err == nil {
			t.Errorf("%x: no error", bad)
		}
	}
}

func TestListpackEncoding(t *testing.T) {
	cases := []struct {
		in   string
		want string // the entry, with backlen
	}{
		{"0", "0001"},
		{"127", "7f01"},
		{"128", "c08002"},
		{"-1", "dfff02"},
		{"4095", "cfff02"},
		{"-4096", "d00002"},
		{"4096", "f1001003"},
		{"-32768", "f1008003"},
		{"32768", "f200800004"},
		{"8388608", "f30000800005"},
		{"-2147483649", "f4ffffff7fffffffff09"},
		{"-0", "822d3003"},
		{"", "8001"},
		{"a", "816102"},
	}
	for _, c := range cases {
		w := newLPWriter(0)
		w.appendString([]byte(c.in))
		lp := w.bytes()
		if got := hex.EncodeToString(lp[lpHeaderSize : len(lp)-1]); got != c.want {
			t.Errorf("%q: %s, want %s", c.in, got, c.want)
		}
		e, err := parseListpack(lp)
		if err != nil || len(e) != 1 || string(e[0].bytes()) != c.in {
			t.Errorf("%q: parse %v %v", c.in, e, err)
		}
	}
	// String length encodings and the backlen boundaries (16383 takes 3).
	for _, n := range []int{63, 64, 4095, 4096, 16380, 16381, 16382, 16383} {
		w := newLPWriter(0)
		w.appendString(bytes.Repeat([]byte("z"), n))
		lp := w.bytes()
		if got := len(lp) - lpHeaderSize - 1; got != ListpackStringSize(bytes.Repeat([]byte("z"), n)) {
			t.Errorf("string of %d: entry of %d bytes, size says %d", n, got, ListpackStringSize(bytes.Repeat([]byte("z"), n)))
		}
		e, err := parseListpack(lp)
		if err != nil || len(e) != 1 || len(e[0].str) != n {
			t.Errorf("string of %d: %v", n, err)
		}
	}
	for _, l := range []uint64{127, 128, 16382, 16383, 2097150, 2097151, 268435454, 268435455} {
		b := appendBacklen(nil, l)
		if len(b) != backlenSize(l) || decodeBacklen(b, len(b)-1) != l {
			t.Errorf("backlen %d: % x", l, b)
		}
	}
}

func TestNumbers(t *testing.T) {
	for _, s := range intBoundaries {
		if _, ok := string2ll([]byte(s)); !ok {
			t.Errorf("string2ll(%q) refused", s)
		}
	}
	for _, s := range append(notInts, "", "-", "+0", "1a") {
		if _, ok := string2ll([]byte(s)); ok {
			t.Errorf("string2ll(%q) accepted", s)
		}
	}
	for _, c := range []struct {
		in   string
		want float64
		used int
	}{
		{"1.5", 1.5, 3}, {" 2", 2, 2}, {"3abc", 3, 1}, {"-inf", math.Inf(-1), 4}, {"INFINITY", math.Inf(1), 8},
		{"infinit", math.Inf(1), 3}, {"1e5", 1e5, 3}, {"1e", 1, 1}, {"1e+", 1, 1}, {".5", 0.5, 2}, {"5.", 5, 2},
		{"0x10", 16, 4}, {"0x1p4", 16, 5}, {"0x", 0, 1}, {"-0", math.Copysign(0, -1), 2}, {"1e400", math.Inf(1), 5},
		{"abc", 0, 0}, {"", 0, 0}, {".", 0, 0}, {"+", 0, 0},
	} {
		v, used := strtod([]byte(c.in))
		if used != c.used || (v != c.want && !(math.IsNaN(v) && math.IsNaN(c.want))) || math.Signbit(v) != math.Signbit(c.want) {
			t.Errorf("strtod(%q) = %v, %d; want %v, %d", c.in, v, used, c.want, c.used)
		}
	}
	if v, used := strtod([]byte("nan(0x1)")); !math.IsNaN(v) || used != 8 {
		t.Errorf("strtod nan: %v %d", v, used)
	}
	for _, c := range []struct {
		in   float64
		want string
	}{{0.1, "0.10000000000000001"}, {1e300, "1.0000000000000001e+300"}, {math.Inf(-1), "-inf"}, {math.Copysign(0, -1), "-0"}, {1e17, "1e+17"}, {-3, "-3"}} {
		if got := string(d2string(nil, c.in)); got != c.want {
			t.Errorf("d2string(%v) = %s, want %s", c.in, got, c.want)
		}
	}
	for _, c := range []struct {
		in float64
		ok bool
	}{{math.Copysign(0, -1), true}, {1e17, true}, {4611686018427387904, true}, {9.3e18, false}, {0.5, false}, {math.Inf(1), false}, {math.NaN(), false}} {
		if _, ok := double2ll(c.in); ok != c.ok {
			t.Errorf("double2ll(%v) = %v", c.in, ok)
		}
	}
}

// allocated returns the bytes fn allocates.
func allocated(fn func()) uint64 {
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	fn()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// TestUnbackedClaims: lengths and counts that the payload cannot back fail
// fast, before allocating for them.
func TestUnbackedClaims(t *testing.T) {
	claims := map[string][]byte{
		"list 2^40":          newRDBWriter().raw(TypeList).n(1 << 40).str("a").payload(),
		"set 2^62":           newRDBWriter().raw(TypeSet).n(1 << 62).str("a").payload(),
		"zset 2^32":          newRDBWriter().raw(TypeZSet2).n(1 << 32).payload(),
		"hash 2^20":          newRDBWriter().raw(TypeHash).n(1 << 20).str("a").str("b").payload(),
		"string 2^32-1":      newRDBWriter().raw(TypeString, len32Bit, 0xff, 0xff, 0xff, 0xff).payload(),
		"string 2^63":        newRDBWriter().raw(TypeString).n(1 << 63).payload(),
		"lzf 2^30 from 4":    newRDBWriter().raw(TypeString, 0xC3, 4).n(1<<30).raw(1, 2, 3, 4).payload(),
		"quicklist 2^40":     newRDBWriter().raw(TypeListQuicklist2).n(1 << 40).payload(),
		"stream nodes 2^40":  newRDBWriter().raw(TypeStreamListpacks2).n(1 << 40).payload(),
		"intset count 2^31":  newRDBWriter().raw(TypeSetIntset).blob([]byte{8, 0, 0, 0, 0, 0, 0, 0x80, 1, 2}).payload(),
		"listpack 2^31 long": newRDBWriter().raw(TypeHashListpack).blob([]byte{0xff, 0xff, 0xff, 0x7f, 1, 0, 0xF0, 0xff, 0xff, 0xff, 0x7f, 0xff}).payload(),
	}
	for name, p := range claims {
		var err error
		n := allocated(func() { _, err = Decode(p) })
		wantErr(t, err, ErrBadFormat, name)
		if n > 64<<10 {
			t.Errorf("%s: allocated %d bytes for a %d-byte payload", name, n, len(p))
		}
	}
}

func TestMaxMemory(t *testing.T) {
	var elems [][]byte
	for i := 0; i < 20000; i++ {
		elems = append(elems, bytes.Repeat([]byte("e"), i%30))
	}
	p := Encode(&Value{Kind: KindList, Elems: elems}, DefaultEncodeOptions())
	if _, err := DecodeWith(p, DecodeOptions{MaxMemory: 100_000}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("list under a small MaxMemory: %v", err)
	}
	if _, err := DecodeWith(p, DecodeOptions{MaxMemory: 10 << 20}); err != nil {
		t.Fatalf("list under a large MaxMemory: %v", err)
	}
	// An LZF string expands up to 88 times: MaxMemory stops it before the
	// buffer is allocated.
	bomb := Encode(&Value{Kind: KindString, Str: bytes.Repeat([]byte("b"), 1<<22)}, DefaultEncodeOptions())
	if len(bomb) > 1<<17 {
		t.Fatalf("bomb of %d bytes", len(bomb))
	}
	var err error
	n := allocated(func() { _, err = DecodeWith(bomb, DecodeOptions{MaxMemory: 1 << 20}) })
	if !errors.Is(err, ErrTooLarge) || n > 1<<20 {
		t.Fatalf("LZF bomb: %v after %d bytes", err, n)
	}
	if v, err := Decode(bomb); err != nil || len(v.Str) != 1<<22 {
		t.Fatalf("LZF bomb without limit: %v", err)
	}
}

func TestErrorLocation(t *testing.T) {
	w := newLPWriter(0)
	w.appendString([]byte("f"))
	lp := w.bytes()
	lp[4] = 9 // wrong count
	p := newRDBWriter().raw(TypeHashListpack).blob(lp).payload()
	_, err := Decode(p)
	var e *Error
	if !errors.As(err, &e) || e.Offset != 1 || e.Inner != 4 || !errors.Is(err, ErrBadFormat) {
		t.Fatalf("%#v", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "payload offset 1") || !strings.Contains(msg, "blob byte 4") || !strings.Contains(msg, "counts 9") {
		t.Fatalf("message %q", msg)
	}
}

func TestValidate(t *testing.T) {
	ok := &Stream{Entries: []StreamEntry{{ID: StreamID{1, 1}, Fields: bs("a", "b")}}, Length: 1, LastID: StreamID{1, 1}}
	bad := []*Value{
		{Kind: KindList},
		{Kind: KindSet, Elems: bs("a", "a")},
		{Kind: KindZSet, ZSet: []ZMember{{[]byte("a"), math.NaN()}}},
		{Kind: KindHash, Hash: []Field{{[]byte("a"), nil}, {[]byte("a"), nil}}},
		{Kind: KindStream},
		{Kind: KindStream, Stream: &Stream{Length: 1}},
		{Kind: KindStream, Stream: &Stream{Entries: ok.Entries, Length: 1}}, // after LastID
		{Kind: 42},
	}
	for i, v := range bad {
		if v.Validate() == nil {
			t.Errorf("case %d: %s validates", i, describe(v))
		}
	}
	if err := (&Value{Kind: KindStream, Stream: ok}).Validate(); err != nil {
		t.Error(err)
	}
}

// Test helpers over the listpack code.

// bytes returns the element as Redis's lpGet with a buffer does: integers
// in decimal.
func (e lpEntry) bytes() []byte {
	if e.isInt {
		return strconv.AppendInt(nil, e.ival, 10)
	}
	return e.str
}

// parseListpack returns all of lp's entries (see lpIter).
func parseListpack(lp []byte) ([]lpEntry, error) {
	it, err := newLPIter(lp)
	if err != nil {
		return nil, err
	}
	var entries []lpEntry
	for {
		e, ok, err := it.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return entries, nil
		}
		entries = append(entries, e)
	}
}

// TestHeapPerPayloadByte measures decoding's worst cases without LZF: many
// tiny elements. The package doc promises a few dozen heap bytes per
// payload byte; 32 is the line.
func TestHeapPerPayloadByte(t *testing.T) {
	const n = 50000
	opt := DefaultEncodeOptions()
	opt.Compression = false
	empties := newRDBWriter().raw(TypeList).n(n)
	for i := 0; i < n; i++ {
		empties.str("")
	}
	var ints, fields [][]byte
	var h []Field
	var iset [][]byte
	for i := 0; i < n; i++ {
		ints = append(ints, []byte(strconv.Itoa(i%128)))
		h = append(h, Field{Name: []byte(strconv.Itoa(i)), Value: nil})
		iset = append(iset, []byte(strconv.Itoa(i-n/2)))
		fields = append(fields, []byte(strconv.Itoa(i)))
	}
	setOpt := opt
	setOpt.SetMaxIntsetEntries = n
	cases := map[string][]byte{
		"list of empty strings":      empties.payload(),
		"quicklist of small ints":    Encode(&Value{Kind: KindList, Elems: ints}, opt),
		"hash table of short fields": Encode(&Value{Kind: KindHash, Hash: h}, opt),
		"intset of 16-bit ints":      Encode(&Value{Kind: KindSet, Elems: iset}, setOpt),
		"set of short members":       Encode(&Value{Kind: KindSet, Elems: append(fields, []byte("x"))}, opt),
		"stream of tiny entries":     Encode(&Value{Kind: KindStream, Stream: tinyStream(n)}, opt),
	}
	for name, p := range cases {
		var err error
		got := allocated(func() { _, err = Decode(p) })
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ratio := float64(got) / float64(len(p))
		t.Logf("%s: %d payload bytes, %d allocated (%.1f per byte)", name, len(p), got, ratio)
		if got > 32*uint64(len(p))+64<<10 {
			t.Errorf("%s: %.1f heap bytes per payload byte", name, ratio)
		}
	}
}

func tinyStream(n int) *Stream {
	s := &Stream{Length: uint64(n), LastID: StreamID{uint64(n), 0}}
	for i := 1; i <= n; i++ {
		s.Entries = append(s.Entries, StreamEntry{ID: StreamID{uint64(i), 0}, Fields: bs("a", "1")})
	}
	return s
}

// TestListpackSizes: the exported sizes are what the writer writes.
func TestListpackSizes(t *testing.T) {
	for _, s := range []string{"", "a", "0", "-0", "007", "127", "128", "-4096", "4095", "4096", "-32768", "8388607",
		"2147483648", "9223372036854775807", "9223372036854775808", strings.Repeat("x", 63), strings.Repeat("x", 64),
		strings.Repeat("y", 4095), strings.Repeat("y", 4096), strings.Repeat("z", 20000)} {
		w := newLPWriter(0)
		before := len(w.buf)
		w.appendString([]byte(s))
		if got, want := ListpackStringSize([]byte(s)), len(w.buf)-before; got != want {
			t.Errorf("ListpackStringSize(%.20q): %d, the writer wrote %d", s, got, want)
		}
	}
	for _, v := range []int64{0, 127, 128, -1, -4096, -4097, 4095, 32767, -32769, 8388608, 2147483647, -2147483649, math.MaxInt64, math.MinInt64} {
		w := newLPWriter(0)
		w.appendInt(v)
		if got, want := ListpackIntSize(v), len(w.buf)-lpHeaderSize; got != want {
			t.Errorf("ListpackIntSize(%d): %d, the writer wrote %d", v, got, want)
		}
	}
	if ListpackEmptySize != len(newLPWriter(0).bytes()) {
		t.Errorf("ListpackEmptySize %d, an empty listpack has %d", ListpackEmptySize, len(newLPWriter(0).bytes()))
	}
}
