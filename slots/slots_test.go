package slots

import (
	"errors"
	"testing"
)

// Values taken from redis-server 7 (Debian), CLUSTER KEYSLOT <key>.
func TestOfKnownRedisValues(t *testing.T) {
	for _, tc := range []struct {
		key  string
		slot uint16
	}{
		{"", 0},
		{"foo", 12182},
		{"bar", 5061},
		{"hello", 866},
		{"123456789", 12739}, // CRC16-XMODEM check value 0x31C3 mod 16384
		{"{user1000}.following", 3443},
		{"{user1000}.followers", 3443},
		{"user1000", 3443},
		{"{}", 15257},
		{"foo{}{bar}", 8363},
		{"foo{{bar}}zap", 4015},
		{"{bar", 4015},
		{"foo{bar}{zap}", 5061},
		{"bar}", 6624},
		{"}{x}", 16287},
		{"open{only", 6317},
		{"close}only{", 14284},
		{"{a}b", 15495},
	} {
		if got := OfString(tc.key); got != tc.slot {
			t.Errorf("OfString(%q) = %d, want %d", tc.key, got, tc.slot)
		}
		if got := Of([]byte(tc.key)); got != tc.slot {
			t.Errorf("Of(%q) = %d, want %d", tc.key, got, tc.slot)
		}
	}
}

func TestHashTagRules(t *testing.T) {
	for _, tc := range []struct{ key, hashed string }{
		{"{}", "{}"},                 // empty tag: whole key
		{"foo{}{bar}", "foo{}{bar}"}, // first tag is empty: whole key
		{"foo{{bar}}zap", "{bar"},    // from first '{' to first '}' after it
		{"foo{bar}{zap}", "bar"},     // first tag only
		{"{user1000}.following", "user1000"},
		{"no tag", "no tag"},
		{"open{only", "open{only"},
		{"close}only{", "close}only{"},
		{"}{x}", "x"},
	} {
		if got := hashPart(tc.key); got != tc.hashed {
			t.Errorf("hashPart(%q) = %q, want %q", tc.key, got, tc.hashed)
		}
		if got, want := OfString(tc.key), crc16(tc.hashed)&(Count-1); got != want {
			t.Errorf("OfString(%q) = %d, want %d", tc.key, got, want)
		}
	}
}

func TestParseRange(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Range
		ok   bool
	}{
		{"0-8191", Range{0, 8191}, true},
		{"8192-16383", Range{8192, 16383}, true},
		{"42", Range{42, 42}, true},
		{"7-7", Range{7, 7}, true},
		{"", Range{}, false},
		{"-", Range{}, false},
		{"5-", Range{}, false},
		{"-5", Range{}, false},
		{"9-3", Range{}, false},
		{"16384", Range{}, false},
		{"0-16384", Range{}, false},
		{"+1", Range{}, false},
		{" 1", Range{}, false},
		{"1-2-3", Range{}, false},
		{"99999999999999999999", Range{}, false},
	} {
		got, err := ParseRange(tc.in)
		if tc.ok != (err == nil) || got != tc.want {
			t.Errorf("ParseRange(%q) = %v, %v; want %v, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrRange) {
			t.Errorf("ParseRange(%q) error %v does not wrap ErrRange", tc.in, err)
		}
		if err == nil && got.String() != tc.in && tc.in != "7-7" {
			t.Errorf("Range.String() = %q, want %q", got.String(), tc.in)
		}
	}
}

func TestSetOf(t *testing.T) {
	s := SetOf(Range{0, 9}, Range{100, 100}, Range{16380, 16383})
	if got := s.GetCardinality(); got != 15 {
		t.Fatalf("cardinality %d, want 15", got)
	}
	for _, x := range []uint32{0, 9, 100, 16383} {
		if !s.Contains(x) {
			t.Errorf("missing %d", x)
		}
	}
	for _, x := range []uint32{10, 99, 101, 16379} {
		if s.Contains(x) {
			t.Errorf("unexpected %d", x)
		}
	}
	r := Range{3, 5}
	if !r.Contains(3) || !r.Contains(5) || r.Contains(6) || r.Len() != 3 {
		t.Errorf("Range methods wrong for %v", r)
	}
}

func TestOfStringDoesNotAllocate(t *testing.T) {
	k := "{user1000}.following"
	b := []byte(k)
	if n := testing.AllocsPerRun(100, func() { _ = OfString(k); _ = Of(b) }); n != 0 {
		t.Fatalf("%v allocations per run", n)
	}
}

// crc16Bitwise is the textbook bit-at-a-time CRC16-XMODEM, the reference for
// the table-driven one.
func crc16Bitwise(b []byte) uint16 {
	var c uint16
	for _, x := range b {
		c ^= uint16(x) << 8
		for range 8 {
			if c&0x8000 != 0 {
				c = c<<1 ^ 0x1021
			} else {
				c <<= 1
			}
		}
	}
	return c
}

func FuzzOf(f *testing.F) {
	for _, s := range []string{"", "foo", "{a}b", "a{}b", "{{}}", "x{y}z{w}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, key []byte) {
		s := Of(key)
		if s >= Count || s != OfString(string(key)) {
			t.Fatalf("Of(%q) = %d, OfString = %d", key, s, OfString(string(key)))
		}
		if got, want := crc16(key), crc16Bitwise(key); got != want {
			t.Fatalf("crc16(%q) = %#x, bitwise %#x", key, got, want)
		}
		h := hashPart(key)
		if len(h) < len(key) { // a tag: the key is "...{h}..."; the tag has no '}'
			for _, c := range h {
				if c == '}' {
					t.Fatalf("tag %q of %q contains '}'", h, key)
				}
			}
		}
	})
}

func BenchmarkOfString(b *testing.B) {
	k := "{user1000}.following"
	for b.Loop() {
		_ = OfString(k)
	}
}

func BenchmarkOf(b *testing.B) {
	k := []byte("key:000000012345")
	b.SetBytes(int64(len(k)))
	for b.Loop() {
		_ = Of(k)
	}
}
