// Package slots maps keys to Redis Cluster hash slots and handles slot ranges
// and slot sets.
//
// A slot is CRC16 (XMODEM: polynomial 0x1021, initial value 0, no reflection)
// of the key, or of its hash tag, modulo 16384, exactly as CLUSTER KEYSLOT
// computes it in Redis (invariant 7 of docs: DESIGN.md). Segment keys begin
// with the slot and WAL segments carry a roaring bitmap of the slots they
// touch, so this mapping is part of every on-disk format: it never changes.
//
// Everything here is a pure function or an immutable value and is safe for
// concurrent use. Package slots imports nothing of keel's.
package slots

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"
)

// Count is the number of hash slots. Format constant: never changes.
const Count = 16384

// crcTables are the slicing-by-4 tables for CRC16-XMODEM (poly 0x1021):
// crcTables[0] is the classic byte-at-a-time table, and crcTables[k][b]
// is the CRC of byte b followed by k zero bytes. The CRC is linear, so
// four input bytes (the first two xored with the running CRC) fold in
// with four independent lookups instead of four dependent ones: a slot
// is computed two to three times per write command.
var crcTables = func() (t [4][256]uint16) {
	for i := range t[0] {
		c := uint16(i) << 8
		for range 8 {
			if c&0x8000 != 0 {
				c = c<<1 ^ 0x1021
			} else {
				c <<= 1
			}
		}
		t[0][i] = c
	}
	for k := 1; k < 4; k++ {
		for i := range t[k] {
			c := t[k-1][i]
			t[k][i] = c<<8 ^ t[0][c>>8]
		}
	}
	return t
}()

// crc16 is CRC16-XMODEM over s; string and []byte callers share it through
// the type parameter so neither converts (and allocates).
func crc16[T string | []byte](s T) uint16 {
	var c uint16
	for len(s) >= 4 {
		c = crcTables[3][byte(c>>8)^s[0]] ^ crcTables[2][byte(c)^s[1]] ^ crcTables[1][s[2]] ^ crcTables[0][s[3]]
		s = s[4:]
	}
	for i := 0; i < len(s); i++ {
		c = c<<8 ^ crcTables[0][byte(c>>8)^s[i]]
	}
	return c
}

// hashPart returns the part of key that is hashed, following Redis's
// keyHashSlot: if the key contains a '{' and, after it, a '}' with at least
// one byte between them, only those bytes are hashed; otherwise (no '{', no
// '}' after the first '{', or an empty tag "{}") the whole key is.
func hashPart[T string | []byte](key T) T {
	for i := 0; i < len(key); i++ {
		if key[i] != '{' {
			continue
		}
		for j := i + 1; j < len(key); j++ {
			if key[j] == '}' {
				if j == i+1 { // empty tag: whole key
					return key
				}
				return key[i+1 : j]
			}
		}
		return key // '{' without a later '}'
	}
	return key
}

// Of returns the hash slot of key, identical to CLUSTER KEYSLOT.
func Of(key []byte) uint16 { return crc16(hashPart(key)) & (Count - 1) }

// OfString is Of for a string key; it does not allocate.
func OfString(key string) uint16 { return crc16(hashPart(key)) & (Count - 1) }

// Range is a range of slots, both ends inclusive: Lo <= Hi < Count.
type Range struct{ Lo, Hi uint16 }

// ErrRange is returned, wrapped, by ParseRange for malformed ranges.
var ErrRange = errors.New("slots: invalid slot range")

// ParseRange parses "lo-hi" (inclusive) or a single slot "n".
func ParseRange(s string) (Range, error) {
	lo, hi, isRange := strings.Cut(s, "-")
	a, err := parseSlot(lo)
	if err != nil {
		return Range{}, fmt.Errorf("%w %q: %v", ErrRange, s, err)
	}
	b := a
	if isRange {
		if b, err = parseSlot(hi); err != nil {
			return Range{}, fmt.Errorf("%w %q: %v", ErrRange, s, err)
		}
	}
	if a > b {
		return Range{}, fmt.Errorf("%w %q: start after end", ErrRange, s)
	}
	return Range{Lo: a, Hi: b}, nil
}

func parseSlot(s string) (uint16, error) {
	// ParseUint would accept "+1"? It does not, but it accepts nothing
	// Redis rejects either; the explicit digit check keeps " 1" out.
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, fmt.Errorf("slot %q is not a number", s)
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil || n >= Count {
		return 0, fmt.Errorf("slot %q out of range [0, %d)", s, Count)
	}
	return uint16(n), nil
}

// String formats r as ParseRange accepts it.
func (r Range) String() string {
	if r.Lo == r.Hi {
		return strconv.Itoa(int(r.Lo))
	}
	return strconv.Itoa(int(r.Lo)) + "-" + strconv.Itoa(int(r.Hi))
}

// Contains reports whether slot lies in r.
func (r Range) Contains(slot uint16) bool { return r.Lo <= slot && slot <= r.Hi }

// Len is the number of slots in r.
func (r Range) Len() int { return int(r.Hi) - int(r.Lo) + 1 }

// SetOf returns a roaring bitmap holding every slot of the given ranges.
func SetOf(ranges ...Range) *roaring.Bitmap {
	b := roaring.New()
	for _, r := range ranges {
		b.AddRange(uint64(r.Lo), uint64(r.Hi)+1) // AddRange is half-open
	}
	return b
}
