package rdb

import "encoding/binary"

// crc64Poly is the Jones polynomial 0xad93d23594c935a9 in reflected form,
// as Redis's crc64.c (crcspeed) uses it: reflected input and output,
// initial value 0, no final xor. Part of the format: never changes.
const crc64Poly = 0x95ac9329ac4bc9b5

// crc64Tables are slicing-by-8 tables: crc64Tables[0] is the byte-at-a-time
// table, crc64Tables[k][b] advances it by k more zero bytes.
var crc64Tables = func() *[8][256]uint64 {
	var t [8][256]uint64
	for i := 0; i < 256; i++ {
		crc := uint64(i)
		for j := 0; j < 8; j++ {
			if crc&1 == 1 {
				crc = crc>>1 ^ crc64Poly
			} else {
				crc >>= 1
			}
		}
		t[0][i] = crc
	}
	for i := 0; i < 256; i++ {
		crc := t[0][i]
		for k := 1; k < 8; k++ {
			crc = t[0][crc&0xff] ^ crc>>8
			t[k][i] = crc
		}
	}
	return &t
}()

// CRC64 continues Redis's crc64 from crc over b. CRC64(0, payload) is the
// checksum a DUMP payload ends with; CRC64(0, "123456789") is
// 0xe9c6d914c4b8d9ca.
func CRC64(crc uint64, b []byte) uint64 {
	t := crc64Tables
	for len(b) >= 8 {
		crc ^= binary.LittleEndian.Uint64(b)
		crc = t[7][crc&0xff] ^ t[6][crc>>8&0xff] ^ t[5][crc>>16&0xff] ^ t[4][crc>>24&0xff] ^
			t[3][crc>>32&0xff] ^ t[2][crc>>40&0xff] ^ t[1][crc>>48&0xff] ^ t[0][crc>>56]
		b = b[8:]
	}
	for _, c := range b {
		crc = t[0][byte(crc)^c] ^ crc>>8
	}
	return crc
}
