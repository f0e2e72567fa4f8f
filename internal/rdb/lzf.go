package rdb

import (
	"errors"
	"sync"
)

// A port of liblzf as Redis 7.0 vendors it (src/lzf_c.c, src/lzf_d.c,
// src/lzfP.h) with Redis's configuration: HLOG 16, VERY_FAST 1,
// ULTRA_FAST 0, CHECK_INPUT 1. The compressor must produce Redis's bytes
// exactly, so it keeps the original's structure, hash function and
// bounds checks; only pointers became indexes. Redis 7.0's copy is the
// classic one: a match may start up to 3 bytes before the end (later
// copies refuse matches within 4 bytes of it, which changes the output),
// and the output check is the two-step "op - !lit + 3 + 1 >= out_end".
//
// Compressed format:
//
//	000LLLLL <L+1 bytes>        literal run of L+1 bytes
//	LLLooooo oooooooo           back reference: copy L+2 bytes from o+1 back
//	111ooooo LLLLLLLL oooooooo  back reference: copy L+9 bytes from o+1 back

const (
	lzfHLog   = 16
	lzfHSize  = 1 << lzfHLog
	lzfMaxLit = 1 << 5
	lzfMaxOff = 1 << 13
	lzfMaxRef = 1<<8 + 1<<3

	// lzfMaxExpansion bounds decompressed/compressed length: the densest
	// token is a 3-byte back reference that expands to 264 bytes.
	lzfMaxExpansion = 88
)

// lzfTable is the compressor's hash table. liblzf leaves it uninitialized
// (INIT_HTAB 0) and guards every candidate by bounds and by comparing the
// bytes; we emulate a zeroed table. Instead of clearing 64 Ki slots per call,
// slots hold base+position and a slot is empty when it is <= base, with base
// advanced past every position of the previous call.
type lzfTable struct {
	base int64
	slot [lzfHSize]int64
}

var lzfTables = sync.Pool{New: func() any { return new(lzfTable) }}

func lzfIdx(h uint32) uint32 {
	return ((h >> (3*8 - lzfHLog)) - h*5) & (lzfHSize - 1)
}

// lzfCompress compresses in into a buffer of outLen bytes as lzf_compress
// does and returns the compressed bytes, or nil where lzf_compress returns 0
// (empty input, or the output would not fit in outLen).
func lzfCompress(in []byte, outLen int) []byte {
	inLen := len(in)
	if inLen == 0 || outLen <= 0 {
		return nil
	}
	ht := lzfTables.Get().(*lzfTable)
	defer lzfTables.Put(ht)
	base := ht.base
	ht.base += int64(inLen) + 1

	// One spare byte, as rdbSaveLzfStringObject allocates; the checks below
	// keep every write under outLen.
	out := make([]byte, outLen+1)
	ip, op := 0, 0
	inEnd := inLen
	lit := 0
	op++ // start run

	var hval uint32
	if inLen >= 2 { // FRST; with fewer bytes the loop below never runs
		hval = uint32(in[0])<<8 | uint32(in[1])
	}
	for ip < inEnd-2 {
		hval = hval<<8 | uint32(in[ip+2])
		slot := lzfIdx(hval)
		refv := ht.slot[slot]
		ht.slot[slot] = base + int64(ip)
		ref := int(refv - base)

		if refv > base && // a position of this call, and ref > in_data (position 0 never matches)
			ip-ref-1 < lzfMaxOff &&
			in[ref+2] == in[ip+2] && in[ref] == in[ip] && in[ref+1] == in[ip+1] {
			off := ip - ref - 1
			length := 2
			maxlen := inEnd - ip - length
			if maxlen > lzfMaxRef {
				maxlen = lzfMaxRef
			}

			undo := 0
			if lit == 0 {
				undo = 1
			}
			if op+3+1 >= outLen && op-undo+3+1 >= outLen { // a fast test, then the exact one
				return nil
			}
			out[op-lit-1] = byte(lit - 1) // stop run
			op -= undo                    // undo run if length is zero

			// The original unrolls 16 compares when maxlen > 16, without
			// checking maxlen between them: keep that, it decides lengths.
			mismatch := false
			if maxlen > 16 {
				for k := 0; k < 16; k++ {
					length++
					if in[ref+length] != in[ip+length] {
						mismatch = true
						break
					}
				}
			}
			if !mismatch {
				for {
					length++
					if !(length < maxlen && in[ref+length] == in[ip+length]) {
						break
					}
				}
			}

			length -= 2 // length is now #octets - 1
			ip++

			if length < 7 {
				out[op] = byte(off>>8 + length<<5)
				op++
			} else {
				out[op] = byte(off>>8 + 7<<5)
				op++
				out[op] = byte(length - 7)
				op++
			}
			out[op] = byte(off)
			op++
			lit = 0
			op++ // start run

			ip += length + 1
			if ip >= inEnd-2 {
				break
			}

			// VERY_FAST: rehash the last two positions of the match.
			ip -= 2
			hval = uint32(in[ip])<<8 | uint32(in[ip+1])
			hval = hval<<8 | uint32(in[ip+2])
			ht.slot[lzfIdx(hval)] = base + int64(ip)
			ip++
			hval = hval<<8 | uint32(in[ip+2])
			ht.slot[lzfIdx(hval)] = base + int64(ip)
			ip++
		} else {
			// one more literal byte we must copy
			if op >= outLen {
				return nil
			}
			lit++
			out[op] = in[ip]
			op++
			ip++
			if lit == lzfMaxLit {
				out[op-lit-1] = byte(lit - 1) // stop run
				lit = 0
				op++ // start run
			}
		}
	}

	if op+3 > outLen { // at most 3 bytes can be missing here
		return nil
	}
	for ip < inEnd {
		lit++
		out[op] = in[ip]
		op++
		ip++
		if lit == lzfMaxLit {
			out[op-lit-1] = byte(lit - 1)
			lit = 0
			op++
		}
	}
	out[op-lit-1] = byte(lit - 1) // end run
	if lit == 0 {
		op-- // undo run if length is zero
	}
	return out[:op:op]
}

var errLZF = errors.New("invalid LZF compressed string")

// lzfDecompress decompresses in into dst, which has exactly the expected
// length, and fails unless in decodes to exactly len(dst) bytes. Like
// lzf_decompress with CHECK_INPUT it never reads or writes out of bounds.
// An expected length of 0 succeeds whatever in holds: lzf_decompress then
// returns 0, which rdbLoadLzfStringObject accepts.
func lzfDecompress(in, dst []byte) error {
	if len(dst) == 0 {
		return nil
	}
	ip, op := 0, 0
	for ip < len(in) {
		ctrl := int(in[ip])
		ip++
		if ctrl < 1<<5 { // literal run
			ctrl++
			if op+ctrl > len(dst) || ip+ctrl > len(in) {
				return errLZF
			}
			copy(dst[op:op+ctrl], in[ip:ip+ctrl])
			op += ctrl
			ip += ctrl
			continue
		}
		// back reference
		length := ctrl >> 5
		ref := op - (ctrl&0x1f)<<8 - 1
		if ip >= len(in) {
			return errLZF
		}
		if length == 7 {
			length += int(in[ip])
			ip++
			if ip >= len(in) {
				return errLZF
			}
		}
		ref -= int(in[ip])
		ip++
		if op+length+2 > len(dst) || ref < 0 {
			return errLZF
		}
		// Overlapping copies repeat bytes: copy one at a time.
		for n := length + 2; n > 0; n-- {
			dst[op] = dst[ref]
			op++
			ref++
		}
	}
	if op != len(dst) {
		return errLZF
	}
	return nil
}
