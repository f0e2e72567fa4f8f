package rdb

import (
	"encoding/binary"
	"math"
	"slices"
)

// Intset (src/intset.c). Layout, all little endian:
//
//	┌────────────────┬──────────────┬─────────────────────────────────────────┐
//	│ encoding <4b>  │ length <4b>  │ length × integer of encoding bytes each │
//	└────────────────┴──────────────┴─────────────────────────────────────────┘
//	  2, 4 or 8                       strictly ascending

// setAsIntset returns the sorted integers of a set Redis keeps as an intset:
// every member a canonical integer (SADD tests isSdsRepresentableAsLongLong)
// and no more than set-max-intset-entries members.
func setAsIntset(members [][]byte, opt EncodeOptions) ([]int64, bool) {
	max := opt.SetMaxIntsetEntries
	if max >= 1<<30 { // as rdbLoadObject clamps it
		max = 1 << 30
	}
	if len(members) > max {
		return nil, false
	}
	vals := make([]int64, len(members))
	for i, m := range members {
		v, ok := string2ll(m)
		if !ok {
			return nil, false
		}
		vals[i] = v
	}
	slices.Sort(vals)
	return vals, true
}

// encodeIntset lays out sorted values with the smallest encoding that holds
// them all, which is what SADD builds (intsets upgrade as values arrive and
// never downgrade; an SREM of the widest value is history we cannot see).
func encodeIntset(vals []int64) []byte {
	width := 2
	for _, v := range vals {
		switch {
		case v < math.MinInt32 || v > math.MaxInt32:
			width = 8
		case (v < math.MinInt16 || v > math.MaxInt16) && width < 4:
			width = 4
		}
	}
	b := make([]byte, 8, 8+width*len(vals))
	binary.LittleEndian.PutUint32(b, uint32(width))
	binary.LittleEndian.PutUint32(b[4:], uint32(len(vals)))
	for _, v := range vals {
		switch width {
		case 2:
			b = binary.LittleEndian.AppendUint16(b, uint16(v))
		case 4:
			b = binary.LittleEndian.AppendUint32(b, uint32(v))
		default:
			b = binary.LittleEndian.AppendUint64(b, uint64(v))
		}
	}
	return b
}

// parseIntset validates an intset as intsetValidateIntegrity(deep=1) does
// (known encoding, length matching the size, not empty, strictly
// ascending) and calls fn with each value.
func parseIntset(b []byte, fn func(int64)) error {
	if len(b) < 8 {
		return blobErrf(0, "intset of %d bytes is shorter than its header", len(b))
	}
	width := binary.LittleEndian.Uint32(b)
	if width != 2 && width != 4 && width != 8 {
		return blobErrf(0, "invalid intset encoding %d", width)
	}
	count := binary.LittleEndian.Uint32(b[4:])
	if 8+uint64(count)*uint64(width) != uint64(len(b)) {
		return blobErrf(4, "intset of %d %d-byte integers in %d bytes", count, width, len(b))
	}
	if count == 0 {
		return blobErrf(4, "empty intset")
	}
	var prev int64
	for i := 0; i < int(count); i++ {
		p := 8 + i*int(width)
		var v int64
		switch width {
		case 2:
			v = int64(int16(binary.LittleEndian.Uint16(b[p:])))
		case 4:
			v = int64(int32(binary.LittleEndian.Uint32(b[p:])))
		default:
			v = int64(binary.LittleEndian.Uint64(b[p:]))
		}
		if i > 0 && v <= prev {
			return blobErrf(p, "intset not strictly ascending: %d after %d", v, prev)
		}
		prev = v
		fn(v)
	}
	return nil
}
