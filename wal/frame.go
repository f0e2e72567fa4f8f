package wal

import (
	"encoding/binary"
	"fmt"

	"github.com/cespare/xxhash/v2"
)

// Format constants of the frame (docs/format/wal.md). They are part of the
// on-disk format and never change; a new layout gets a new version.
const (
	frameVersion1 = 0x01 // format: current frame version
	frameSumSize  = 8    // format: trailing xxhash64, in every frame version
	// frameMinSize is version+type+lsn+time+nslots(1)+len(1)+checksum.
	frameMinSize = 1 + 1 + 8 + 8 + 1 + 1 + frameSumSize // format
)

// NumSlots is the number of Redis Cluster hash slots; a slot is < NumSlots.
const NumSlots = 16384

// MaxRecordSize bounds payload plus slots of one record (1 GiB). It keeps a
// corrupt length from turning into a huge allocation.
const MaxRecordSize = 1 << 30

// LSN is a log sequence number: 1-based and gap-free. 0 means "none".
type LSN uint64

// Record is one decoded log record.
type Record struct {
	LSN     LSN
	Time    int64    // unix ms when appended
	Type    uint8    // caller-defined record type
	Slots   []uint16 // distinct hash slots (0..16383) the record touches, caller-provided
	Payload []byte   // opaque to wal
}

// appendFrame appends the frame of one record to dst. It allocates only when
// dst must grow, which is why Append encodes straight into the queue buffer.
func appendFrame(dst []byte, lsn LSN, t int64, typ uint8, slots []uint16, payload []byte) []byte {
	start := len(dst)
	dst = append(dst, frameVersion1, typ)
	dst = binary.LittleEndian.AppendUint64(dst, uint64(lsn))
	dst = binary.LittleEndian.AppendUint64(dst, uint64(t))
	dst = binary.AppendUvarint(dst, uint64(len(slots)))
	for _, s := range slots {
		dst = binary.LittleEndian.AppendUint16(dst, s)
	}
	dst = binary.AppendUvarint(dst, uint64(len(payload)))
	dst = append(dst, payload...)
	return binary.LittleEndian.AppendUint64(dst, xxhash.Sum64(dst[start:]))
}

// frameSize is len(appendFrame(nil, ...)) without encoding.
func frameSize(nslots, npayload int) int {
	return frameMinSize - 2 + uvarintLen(uint64(nslots)) + 2*nslots + uvarintLen(uint64(npayload)) + npayload
}

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}

// frameView is a decoded frame whose slices alias the input.
type frameView struct {
	lsn     LSN
	time    int64
	typ     uint8
	slots   []byte // nslots little-endian uint16s
	payload []byte
}

func (v *frameView) nslots() int       { return len(v.slots) / 2 }
func (v *frameView) slot(i int) uint16 { return binary.LittleEndian.Uint16(v.slots[2*i:]) }

// record copies the view into a Record that owns its memory.
func (v *frameView) record() Record {
	r := Record{LSN: v.lsn, Time: v.time, Type: v.typ}
	if n := v.nslots(); n > 0 {
		r.Slots = make([]uint16, n)
		for i := range r.Slots {
			r.Slots[i] = v.slot(i)
		}
	}
	r.Payload = make([]byte, len(v.payload))
	copy(r.Payload, v.payload)
	return r
}

// checksumOK reports whether the trailing checksum of b verifies. It holds for
// every frame version, so it can tell a newer frame from garbage.
func checksumOK(b []byte) bool {
	if len(b) < frameSumSize {
		return false
	}
	body := b[:len(b)-frameSumSize]
	return xxhash.Sum64(body) == binary.LittleEndian.Uint64(b[len(body):])
}

// decodeFrame decodes one frame. Checks run in the order the spec lists them
// (size, version, checksum, structure) so each failure has its own error.
// It never panics on any input.
func decodeFrame(b []byte) (frameView, error) {
	var v frameView
	if len(b) < frameMinSize {
		return v, fmt.Errorf("%w: %d bytes", ErrShortFrame, len(b))
	}
	if b[0] != frameVersion1 {
		return v, fmt.Errorf("%w: frame version %d", ErrBadVersion, b[0])
	}
	if !checksumOK(b) {
		return v, ErrChecksum
	}
	body := b[:len(b)-frameSumSize]
	v.typ = body[1]
	v.lsn = LSN(binary.LittleEndian.Uint64(body[2:]))
	v.time = int64(binary.LittleEndian.Uint64(body[10:]))
	rest := body[18:]
	nslots, n := binary.Uvarint(rest)
	if n <= 0 || n != uvarintLen(nslots) {
		return v, fmt.Errorf("%w: bad slot count", ErrBadFrame)
	}
	rest = rest[n:]
	if nslots > uint64(len(rest))/2 {
		return v, fmt.Errorf("%w: %d slots in %d bytes", ErrBadFrame, nslots, len(rest))
	}
	v.slots = rest[:2*nslots]
	rest = rest[2*nslots:]
	for i := 0; i < int(nslots); i++ {
		if s := v.slot(i); s >= NumSlots {
			return v, fmt.Errorf("%w: slot %d", ErrBadFrame, s)
		}
	}
	plen, n := binary.Uvarint(rest)
	if n <= 0 || n != uvarintLen(plen) {
		return v, fmt.Errorf("%w: bad payload length", ErrBadFrame)
	}
	rest = rest[n:]
	if plen != uint64(len(rest)) {
		return v, fmt.Errorf("%w: payload length %d, %d bytes present", ErrBadFrame, plen, len(rest))
	}
	v.payload = rest
	return v, nil
}
