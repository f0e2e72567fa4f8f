package wal

import (
	"bytes"
	"errors"
	"testing"
)

func TestFrameRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name    string
		slots   []uint16
		payload []byte
	}{
		{"empty", nil, nil},
		{"one_slot", []uint16{16383}, []byte("hello")},
		{"many_slots", []uint16{0, 1, 2, 300, 9000}, bytes.Repeat([]byte{0xab}, 300)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := appendFrame([]byte("prefix"), 42, 1_700_000_000_123, 9, tc.slots, tc.payload)[6:]
			if len(b) != frameSize(len(tc.slots), len(tc.payload)) {
				t.Fatalf("frame %d bytes, frameSize says %d", len(b), frameSize(len(tc.slots), len(tc.payload)))
			}
			v, err := decodeFrame(b)
			if err != nil {
				t.Fatal(err)
			}
			r := v.record()
			if r.LSN != 42 || r.Time != 1_700_000_000_123 || r.Type != 9 || !bytes.Equal(r.Payload, tc.payload) ||
				len(r.Slots) != len(tc.slots) {
				t.Fatalf("decoded %+v", r)
			}
			for i := range tc.slots {
				if r.Slots[i] != tc.slots[i] {
					t.Fatalf("slots %v", r.Slots)
				}
			}
		})
	}
}

func TestDecodeFrameErrors(t *testing.T) {
	good := appendFrame(nil, 7, 1, 2, []uint16{5}, []byte("abc"))
	mut := func(f func(b []byte)) []byte { b := append([]byte(nil), good...); f(b); return b }
	for _, tc := range []struct {
		name string
		b    []byte
		want error
	}{
		{"zero_filled", make([]byte, 64), ErrBadVersion},
		{"short", good[:10], ErrShortFrame},
		{"bad_version", mut(func(b []byte) { b[0] = 2 }), ErrBadVersion},
		{"bad_checksum", mut(func(b []byte) { b[len(b)-1] ^= 1 }), ErrChecksum},
		{"bit_flip", mut(func(b []byte) { b[12] ^= 4 }), ErrChecksum},
		{"slot_out_of_range", appendFrame(nil, 1, 1, 1, []uint16{NumSlots}, nil), ErrBadFrame},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := decodeFrame(tc.b); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

// FuzzDecodeFrame: the decoder never panics, and every frame it accepts
// re-encodes to exactly the same bytes.
func FuzzDecodeFrame(f *testing.F) {
	f.Add(appendFrame(nil, 1, 0, 0, nil, nil))
	f.Add(appendFrame(nil, 1<<40, 1_700_000_000_000, 255, []uint16{0, 16383}, []byte("payload")))
	f.Add(make([]byte, frameMinSize))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := decodeFrame(b)
		if err != nil {
			return
		}
		r := v.record()
		if got := appendFrame(nil, r.LSN, r.Time, r.Type, r.Slots, r.Payload); !bytes.Equal(got, b) {
			t.Fatalf("round trip:\n in  %x\n out %x", b, got)
		}
	})
}
