package rdb

import (
	"encoding/binary"
	"errors"
	"slices"
	"testing"
)

// modernFile is an RDB file of version ver with a SLOT_INFO opcode, a set
// listpack (type 20) and a stream with active times (type 21).
func modernFile(ver string) []byte {
	b := []byte("REDIS" + ver)
	b = append(b, opSelectDB, 0)
	b = append(b, opSlotInfo, 5, 2, 0)
	w := newLPWriter(0)
	for _, m := range []string{"1", "a", "300"} {
		w.appendString([]byte(m))
	}
	e := encoder{opt: DefaultEncodeOptions()}
	e.typ(TypeSetListpack)
	e.rawString([]byte("s"))
	e.rawString(w.bytes())
	stream := &Stream{
		Entries: []StreamEntry{{ID: StreamID{1, 1}, Fields: [][]byte{[]byte("f"), []byte("v")}}},
		Length:  1, LastID: StreamID{1, 1}, FirstID: StreamID{1, 1}, EntriesAdded: 1,
		Groups: []Group{{Name: []byte("g"), LastID: StreamID{1, 1}, EntriesRead: 1,
			PEL:       []PendingEntry{{ID: StreamID{1, 1}, DeliveryTimeMs: 1000, DeliveryCount: 2}},
			Consumers: []Consumer{{Name: []byte("c"), SeenTimeMs: 1000, PEL: []StreamID{{1, 1}}}}}},
	}
	e.typ(TypeStreamListpacks3)
	e.rawString([]byte("x"))
	e.streamV3 = true
	e.stream(stream)
	b = append(b, e.b...)
	b = append(b, opEOF)
	return binary.LittleEndian.AppendUint64(b, CRC64(0, b))
}

// TestParseFileModern: files of Redis 7.2 and later (RDB 11, 12) are read,
// their new types included; a version 10 file may not have those types,
// nor may a DUMP payload.
func TestParseFileModern(t *testing.T) {
	for _, ver := range []string{"0011", "0012"} {
		var got []FileKey
		if err := ParseFile(modernFile(ver), FileHandler{Key: func(k FileKey) error { got = append(got, k); return nil }}); err != nil {
			t.Fatalf("RDB %s: %v", ver, err)
		}
		if len(got) != 2 || string(got[0].Key) != "s" || got[0].Value.Kind != KindSet || string(got[1].Key) != "x" {
			t.Fatalf("RDB %s: keys %+v", ver, got)
		}
		members := []string{}
		for _, m := range got[0].Value.Elems {
			members = append(members, string(m))
		}
		if !slices.Equal(members, []string{"1", "a", "300"}) {
			t.Errorf("set members %q", members)
		}
		st := got[1].Value.Stream
		if len(st.Groups) != 1 || len(st.Groups[0].Consumers) != 1 || st.Groups[0].Consumers[0].SeenTimeMs != 1000 || st.Groups[0].PEL[0].DeliveryCount != 2 {
			t.Errorf("stream %+v", st)
		}
	}
	old := modernFile("0010")
	if err := ParseFile(old, FileHandler{}); !errors.Is(err, ErrBadFormat) {
		t.Errorf("RDB 10 with a set listpack: %v", err)
	}
	if err := ParseFile(modernFile("0013"), FileHandler{}); !errors.Is(err, ErrVersionOrChecksum) {
		t.Errorf("RDB 13: %v", err)
	}
	// A payload with type 20.
	p := []byte{TypeSetListpack}
	p = append(p, 0)
	p = binary.LittleEndian.AppendUint16(p, Version)
	p = binary.LittleEndian.AppendUint64(p, CRC64(0, p))
	if _, err := Decode(p); !errors.Is(err, ErrBadFormat) {
		t.Errorf("a payload of type 20: %v", err)
	}
}
