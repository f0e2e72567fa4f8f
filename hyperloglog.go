package keel

// HyperLogLog: PFADD, PFCOUNT, PFMERGE, PFDEBUG and PFSELFTEST, as Redis
// 7.0 has them. A HyperLogLog is a string value (the strings engine keeps
// it, on disk like any string) in Redis's exact layout, so GET, SET,
// DUMP-like copies and the cached cardinality agree byte for byte with
// redis-server:
//
//	"HYLL" | encoding (0 dense, 1 sparse) | 3 unused bytes |
//	cached cardinality (8 bytes, little-endian; bit 7 of the last byte
//	set: stale) | registers
//
// 16384 registers of 6 bits: dense, packed little-endian (12288 bytes);
// sparse, as run-length opcodes ZERO (00xxxxxx: 1-64 zero registers),
// XZERO (01xxxxxx yyyyyyyy: 1-16384) and VAL (1vvvvvxx: value 1-32, run
// 1-4). An element's register is the low 14 bits of its MurmurHash64A
// (seed 0xadc83b19), its count the position of the first set bit of the
// other 50 (plus one). The sparse form grows in place exactly as Redis's
// hllSparseSet grows it (split, then merge of equal neighbours) and turns
// dense past hll-sparse-max-bytes or at a count above 32; the cardinality
// is Otmar Ertl's estimator over the register histogram, as in Redis.
//
// Each command's change is logged as the new value (or, for PFCOUNT's
// cache, the 8 bytes it rewrites), so replay computes nothing.

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"

	"github.com/keeldb/keel/memtables"
)

const (
	hllP            = 14
	hllQ            = 64 - hllP
	hllRegisters    = 1 << hllP
	hllPMask        = hllRegisters - 1
	hllBits         = 6
	hllRegisterMax  = 1<<hllBits - 1
	hllHdrSize      = 16
	hllDenseSize    = hllHdrSize + (hllRegisters*hllBits+7)/8
	hllDense        = 0
	hllSparse       = 1
	hllSparseValMax = 32
	hllSparseValLen = 4
	hllZeroMaxLen   = 64
	hllXZeroMaxLen  = 16384
	hllAlphaInf     = 0.721347520444481703680 // 0.5/ln(2)
)

const (
	errHLLWrongType = "WRONGTYPE Key is not a valid HyperLogLog string value."
	errHLLCorrupt   = "INVALIDOBJ Corrupted HLL object detected"
)

// murmurHash64A is Austin Appleby's MurmurHash64A, as Redis's
// hyperloglog.c has it (little-endian reads, seed given).
func murmurHash64A(key []byte, seed uint64) uint64 {
	const m = 0xc6a4a7935bd1e995
	const r = 47
	n := len(key)
	h := seed ^ uint64(n)*m
	for len(key) >= 8 {
		k := binary.LittleEndian.Uint64(key)
		k *= m
		k ^= k >> r
		k *= m
		h ^= k
		h *= m
		key = key[8:]
	}
	switch len(key) {
	case 7:
		h ^= uint64(key[6]) << 48
		fallthrough
	case 6:
		h ^= uint64(key[5]) << 40
		fallthrough
	case 5:
		h ^= uint64(key[4]) << 32
		fallthrough
	case 4:
		h ^= uint64(key[3]) << 24
		fallthrough
	case 3:
		h ^= uint64(key[2]) << 16
		fallthrough
	case 2:
		h ^= uint64(key[1]) << 8
		fallthrough
	case 1:
		h ^= uint64(key[0])
		h *= m
	}
	h ^= h >> r
	h *= m
	h ^= h >> r
	return h
}

// hllPatLen returns the register of ele and its count (1..51).
func hllPatLen(ele []byte) (index int, count uint8) {
	hash := murmurHash64A(ele, 0xadc83b19)
	index = int(hash & hllPMask)
	hash >>= hllP
	hash |= 1 << hllQ // the count is at most Q+1
	return index, uint8(bits.TrailingZeros64(hash) + 1)
}

// Dense registers.

func hllDenseGet(regs []byte, i int) uint8 {
	byteAt, fb := i*hllBits/8, uint(i*hllBits&7)
	b0, b1 := uint(regs[byteAt]), uint(0)
	if byteAt+1 < len(regs) {
		b1 = uint(regs[byteAt+1])
	}
	return uint8((b0>>fb | b1<<(8-fb)) & hllRegisterMax)
}

func hllDenseSetReg(regs []byte, i int, v uint8) {
	byteAt, fb := i*hllBits/8, uint(i*hllBits&7)
	regs[byteAt] &^= byte(hllRegisterMax << fb)
	regs[byteAt] |= byte(uint(v) << fb)
	if byteAt+1 < len(regs) {
		regs[byteAt+1] &^= byte(hllRegisterMax >> (8 - fb))
		regs[byteAt+1] |= byte(uint(v) >> (8 - fb))
	}
}

// hllDenseSet raises register i to count; it reports a change.
func hllDenseSet(regs []byte, i int, count uint8) bool {
	if count > hllDenseGet(regs, i) {
		hllDenseSetReg(regs, i, count)
		return true
	}
	return false
}

// Sparse opcodes.

func sparseIsZero(b byte) bool  { return b&0xc0 == 0 }
func sparseIsXZero(b byte) bool { return b&0xc0 == 0x40 }
func sparseIsVal(b byte) bool   { return b&0x80 != 0 }
func sparseZeroLen(b byte) int  { return int(b&0x3f) + 1 }
func sparseXZeroLen(b0, b1 byte) int {
	return (int(b0&0x3f)<<8 | int(b1)) + 1
}
func sparseValValue(b byte) uint8 { return (b>>2)&0x1f + 1 }
func sparseValLen(b byte) int     { return int(b&0x3) + 1 }
func sparseVal(v uint8, n int) byte {
	return 0x80 | (v-1)<<2 | byte(n-1)
}
func sparseZero(n int) byte { return byte(n - 1) }
func sparseXZero(n int) (byte, byte) {
	n--
	return byte(n>>8) | 0x40, byte(n)
}

// newHLL is an empty HyperLogLog: sparse, one XZERO over every register.
func newHLL() []byte {
	h := make([]byte, hllHdrSize, hllHdrSize+2)
	copy(h, "HYLL")
	h[4] = hllSparse
	b0, b1 := sparseXZero(hllRegisters)
	return append(h, b0, b1)
}

// isHLL reports whether v is a HyperLogLog Redis would accept.
func isHLL(v []byte) bool {
	if len(v) < hllHdrSize || string(v[:4]) != "HYLL" || v[4] > hllSparse {
		return false
	}
	return v[4] != hllDense || len(v) == hllDenseSize
}

func hllInvalidateCache(h []byte) { h[15] |= 1 << 7 }
func hllCacheValid(h []byte) bool { return h[15]&(1<<7) == 0 }

// hll is a HyperLogLog being modified; sparseMax is hll-sparse-max-bytes.
type hll struct {
	b         []byte
	sparseMax int
}

// toDense converts a sparse HyperLogLog to dense; false when corrupt.
func (h *hll) toDense() bool {
	if h.b[4] == hllDense {
		return true
	}
	d := make([]byte, hllDenseSize)
	copy(d, h.b[:hllHdrSize])
	d[4] = hllDense
	regs := d[hllHdrSize:]
	if !sparseRuns(h.b[hllHdrSize:], func(idx, n int, v uint8) {
		for ; v != 0 && n > 0; n-- {
			hllDenseSetReg(regs, idx, v)
			idx++
		}
	}) {
		return false
	}
	h.b = d
	return true
}

// sparseRuns calls fn for each run of registers of the sparse opcodes p
// (first register, length, value: 0 for ZERO and XZERO), and reports
// whether they cover the 16384 registers exactly (Redis's checks of a
// corrupt HyperLogLog).
func sparseRuns(p []byte, fn func(idx, n int, v uint8)) bool {
	idx := 0
	for i := 0; i < len(p); {
		var n int
		var v uint8
		switch b := p[i]; {
		case sparseIsZero(b):
			n = sparseZeroLen(b)
			i++
		case sparseIsXZero(b):
			if i+1 >= len(p) {
				return false
			}
			n = sparseXZeroLen(b, p[i+1])
			i += 2
		default:
			n, v = sparseValLen(b), sparseValValue(b)
			if idx+n > hllRegisters {
				return false
			}
			i++
		}
		fn(idx, n, v)
		idx += n
	}
	return idx == hllRegisters
}

// sparseSet is Redis's hllSparseSet: it raises register index to count,
// in place where it can, and reports whether anything changed (err: the
// value is corrupt).
func (h *hll) sparseSet(index int, count uint8) (bool, error) {
	if count > hllSparseValMax {
		return h.promote(index, count)
	}
	b := h.b
	sparse := hllHdrSize
	end := len(b)
	p, first, span := sparse, 0, 0
	prev := -1
	for p < end {
		oplen := 1
		switch {
		case sparseIsZero(b[p]):
			span = sparseZeroLen(b[p])
		case sparseIsVal(b[p]):
			span = sparseValLen(b[p])
		default:
			if p+1 >= end {
				return false, errCorruptHLL
			}
			span = sparseXZeroLen(b[p], b[p+1])
			oplen = 2
		}
		if index <= first+span-1 {
			break
		}
		prev = p
		p += oplen
		first += span
	}
	if span == 0 || p >= end {
		return false, errCorruptHLL
	}
	isZero, isXZero, isVal := sparseIsZero(b[p]), sparseIsXZero(b[p]), sparseIsVal(b[p])
	runlen := span
	updated := false
	if isVal {
		if sparseValValue(b[p]) >= count {
			return false, nil
		}
		if runlen == 1 {
			b[p] = sparseVal(count, 1)
			updated = true
		}
	}
	if !updated && isZero && runlen == 1 {
		b[p] = sparseVal(count, 1)
		updated = true
	}
	if !updated {
		// Split the opcode in up to three (XZERO VAL XZERO at worst).
		var seq [5]byte
		n := 0
		last := first + span - 1
		zeros := func(l int) {
			if l > hllZeroMaxLen {
				seq[n], seq[n+1] = sparseXZero(l)
				n += 2
			} else {
				seq[n] = sparseZero(l)
				n++
			}
		}
		if isZero || isXZero {
			if index != first {
				zeros(index - first)
			}
			seq[n] = sparseVal(count, 1)
			n++
			if index != last {
				zeros(last - index)
			}
		} else {
			cur := sparseValValue(b[p])
			if index != first {
				seq[n] = sparseVal(cur, index-first)
				n++
			}
			seq[n] = sparseVal(count, 1)
			n++
			if index != last {
				seq[n] = sparseVal(cur, last-index)
				n++
			}
		}
		oldlen := 1
		if isXZero {
			oldlen = 2
		}
		delta := n - oldlen
		if delta > 0 && len(b)+delta > h.sparseMax {
			return h.promote(index, count)
		}
		// In place: the opcodes after p move by delta (0 to 3 bytes).
		tail := len(b) - (p + oldlen)
		if delta > 0 {
			b = append(b, seq[:delta]...)
		}
		copy(b[p+n:], b[p+oldlen:p+oldlen+tail])
		b = b[:p+n+tail]
		copy(b[p:], seq[:n])
		end = len(b)
	}
	// Merge adjacent VAL opcodes of equal value, up to 5 opcodes from prev.
	if prev >= 0 {
		p = prev
	} else {
		p = sparse
	}
	for scan := 5; p < end && scan > 0; scan-- {
		if sparseIsXZero(b[p]) {
			p += 2
			continue
		}
		if sparseIsZero(b[p]) {
			p++
			continue
		}
		if p+1 < end && sparseIsVal(b[p+1]) {
			v1, v2 := sparseValValue(b[p]), sparseValValue(b[p+1])
			if v1 == v2 {
				if l := sparseValLen(b[p]) + sparseValLen(b[p+1]); l <= hllSparseValLen {
					b[p+1] = sparseVal(v1, l)
					b = append(b[:p], b[p+1:]...)
					end--
					continue // try the merged value with its right neighbour
				}
			}
		}
		p++
	}
	h.b = b
	hllInvalidateCache(h.b)
	return true, nil
}

var errCorruptHLL = fmt.Errorf("corrupt HyperLogLog")

// promote turns the sparse value dense and sets the register there.
func (h *hll) promote(index int, count uint8) (bool, error) {
	if !h.toDense() {
		return false, errCorruptHLL
	}
	hllDenseSet(h.b[hllHdrSize:], index, count)
	return true, nil
}

// set raises register index to count in either encoding.
func (h *hll) set(index int, count uint8) (bool, error) {
	if h.b[4] == hllDense {
		return hllDenseSet(h.b[hllHdrSize:], index, count), nil
	}
	return h.sparseSet(index, count)
}

// add adds ele; it reports whether a register changed.
func (h *hll) add(ele []byte) (bool, error) {
	index, count := hllPatLen(ele)
	return h.set(index, count)
}

// hllMerge raises max to the registers of the HyperLogLog v; false when
// v is corrupt.
func hllMerge(maxRegs []uint8, v []byte) bool {
	if v[4] == hllDense {
		regs := v[hllHdrSize:]
		for i := range hllRegisters {
			if r := hllDenseGet(regs, i); r > maxRegs[i] {
				maxRegs[i] = r
			}
		}
		return true
	}
	return sparseRuns(v[hllHdrSize:], func(idx, n int, val uint8) {
		for ; val != 0 && n > 0; n-- {
			maxRegs[idx] = max(maxRegs[idx], val)
			idx++
		}
	})
}

// hllRegisterHisto counts the registers of v by value; false when
// corrupt.
func hllRegisterHisto(v []byte, histo *[64]int) bool {
	if v[4] == hllDense {
		regs := v[hllHdrSize:]
		for i := range hllRegisters {
			histo[hllDenseGet(regs, i)]++
		}
		return true
	}
	return sparseRuns(v[hllHdrSize:], func(_, n int, val uint8) { histo[val] += n })
}

// hllEstimate is Redis's hllCount over a register histogram: Ertl's
// improved estimator ("New cardinality estimation algorithms for
// HyperLogLog sketches", arXiv:1702.01284), in Redis's order of floating
// point operations.
func hllEstimate(histo *[64]int) uint64 {
	m := float64(hllRegisters)
	z := m * hllTau((m-float64(histo[hllQ+1]))/m)
	for j := hllQ; j >= 1; j-- {
		z += float64(histo[j])
		z *= 0.5
	}
	z += m * hllSigma(float64(histo[0])/m)
	return uint64(math.Round(hllAlphaInf * m * m / z))
}

func hllSigma(x float64) float64 {
	if x == 1 {
		return math.Inf(1)
	}
	y, z := 1.0, x
	for {
		x *= x
		zPrime := z
		z += x * y
		y += y
		if zPrime == z {
			return z
		}
	}
}

func hllTau(x float64) float64 {
	if x == 0 || x == 1 {
		return 0
	}
	y, z := 1.0, 1-x
	for {
		x = math.Sqrt(x)
		zPrime := z
		y *= 0.5
		d := 1 - x
		z -= d * d * y // glibc's pow(d, 2) is d*d correctly rounded
		if zPrime == z {
			return z / 3
		}
	}
}

// hllCount is the cardinality of the HyperLogLog v; false when corrupt.
func hllCount(v []byte) (uint64, bool) {
	var histo [64]int
	if !hllRegisterHisto(v, &histo) {
		return 0, false
	}
	return hllEstimate(&histo), true
}

// ---- commands ----

// readHLL reads key for a HyperLogLog command: nil when absent; ok false
// when an error reply was written.
func (c *Ctx) readHLL(key []byte, write bool) (e memtables.Entry, v []byte, found, ok bool) {
	if write {
		e, v, found, ok = c.readStringWrite(key)
	} else if e, found = c.lookupRead(key); found {
		if e.Type != memtables.TypeString {
			c.Error(errWrongType)
			return e, nil, true, false
		}
		var err error
		if v, err = c.getString(key, &e); err != nil {
			c.Error("ERR " + err.Error())
			return e, nil, true, false
		}
		ok = true
	} else {
		ok = true
	}
	if !ok || !found {
		return e, nil, found, ok
	}
	if !isHLL(v) {
		c.Error(errHLLWrongType)
		return e, nil, true, false
	}
	return e, v, true, true
}

func (c *Ctx) hllSparseMax() int { return int(c.DB.tuning.HLLSparseMaxBytes.Load()) }

func cmdPFAdd(c *Ctx) {
	key := c.Args[1]
	h, e, found, ok := c.hllForWrite(key)
	if !ok {
		return
	}
	updated := !found
	for _, ele := range c.Args[2:] {
		changed, err := h.add(ele)
		if err != nil {
			c.Error(errHLLCorrupt)
			return
		}
		updated = updated || changed
	}
	if !updated {
		c.R.Int(0)
		return
	}
	hllInvalidateCache(h.b)
	c.putHLL(key, h.b, found, &e)
	c.notify(NotifyString, "pfadd", key)
	c.R.Int(1)
}

// hllForWrite reads key for PFADD or PFMERGE: its HyperLogLog, or a new
// empty one when it is absent (found false); ok false when an error reply
// was written. The value is the command's own copy (getString copies).
func (c *Ctx) hllForWrite(key []byte) (h hll, e memtables.Entry, found, ok bool) {
	e, v, found, ok := c.readHLL(key, true)
	h = hll{b: v, sparseMax: c.hllSparseMax()}
	if ok && !found {
		h.b = newHLL()
	}
	return h, e, found, ok
}

// putHLL stores a HyperLogLog's new value (raw encoding, as Redis's
// unshared string), keeping the key's expiry.
func (c *Ctx) putHLL(key, v []byte, found bool, e *memtables.Entry) {
	if found {
		c.putStringEnc(key, v, e, 0, true, encRaw)
	} else {
		c.putStringEnc(key, v, nil, 0, false, encRaw)
	}
}

func cmdPFCount(c *Ctx) {
	if len(c.Args) > 2 {
		var maxRegs [hllRegisters]uint8
		for _, key := range c.Args[1:] {
			_, v, found, ok := c.readHLL(key, false)
			if !ok {
				return
			}
			if found && !hllMerge(maxRegs[:], v) {
				c.Error(errHLLCorrupt)
				return
			}
		}
		var histo [64]int
		for _, r := range maxRegs {
			histo[r]++
		}
		c.R.Int(int64(hllEstimate(&histo)))
		return
	}
	key := c.Args[1]
	e, v, found, ok := c.readHLL(key, false)
	if !ok {
		return
	}
	if !found {
		c.R.Int(0)
		return
	}
	if hllCacheValid(v) {
		c.R.Int(int64(binary.LittleEndian.Uint64(v[8:16])))
		return
	}
	card, valid := hllCount(v)
	if !valid {
		c.Error(errHLLCorrupt)
		return
	}
	// The cache is part of the value: PFCOUNT writes its 8 bytes (Redis
	// propagates it as a write), a range of the string, not the whole.
	var cache [8]byte
	binary.LittleEndian.PutUint64(cache[:], card)
	c.writeStringRange(key, &e, e.Size, 8, cache[:])
	c.R.Int(int64(card))
}

func cmdPFMerge(c *Ctx) {
	var maxRegs [hllRegisters]uint8
	dense := false
	for _, key := range c.Args[1:] {
		_, v, found, ok := c.readHLL(key, false)
		if !ok {
			return
		}
		if !found {
			continue
		}
		dense = dense || v[4] == hllDense
		if !hllMerge(maxRegs[:], v) {
			c.Error(errHLLCorrupt)
			return
		}
	}
	key := c.Args[1]
	h, e, found, ok := c.hllForWrite(key)
	if !ok {
		return
	}
	if dense && !h.toDense() {
		c.Error(errHLLCorrupt)
		return
	}
	for i, r := range maxRegs {
		if r == 0 {
			continue
		}
		if _, err := h.set(i, r); err != nil {
			c.Error(errHLLCorrupt)
			return
		}
	}
	hllInvalidateCache(h.b)
	c.putHLL(key, h.b, found, &e)
	c.notify(NotifyString, "pfadd", key)
	c.OK()
}

// cmdPFDebug is PFDEBUG GETREG|DECODE|ENCODING|TODENSE key.
func cmdPFDebug(c *Ctx) {
	sub := strings.ToLower(string(c.Args[1]))
	key := c.Args[2]
	e, v, found, ok := c.readStringWrite(key)
	if !ok {
		return
	}
	if !found {
		c.Error("ERR The specified key does not exist")
		return
	}
	if !isHLL(v) {
		c.Error(errHLLWrongType)
		return
	}
	h := hll{b: v, sparseMax: c.hllSparseMax()} // getString's copy
	switch sub {
	case "getreg":
		if h.b[4] == hllSparse {
			if !h.toDense() {
				c.Error(errHLLCorrupt)
				return
			}
			c.putHLL(key, h.b, true, &e)
		}
		regs := h.b[hllHdrSize:]
		c.R.Array(hllRegisters)
		for i := range hllRegisters {
			c.R.Int(int64(hllDenseGet(regs, i)))
		}
	case "decode":
		if h.b[4] != hllSparse {
			c.Error("ERR HLL encoding is not sparse")
			return
		}
		var out []string
		p := h.b[hllHdrSize:]
		for i := 0; i < len(p); {
			switch b := p[i]; {
			case sparseIsZero(b):
				out = append(out, "z:"+strconv.Itoa(sparseZeroLen(b)))
				i++
			case sparseIsXZero(b):
				if i+1 >= len(p) {
					i = len(p)
					continue
				}
				out = append(out, "Z:"+strconv.Itoa(sparseXZeroLen(b, p[i+1])))
				i += 2
			default:
				out = append(out, fmt.Sprintf("v:%d,%d", sparseValValue(b), sparseValLen(b)))
				i++
			}
		}
		c.R.BulkString(strings.Join(out, " "))
	case "encoding":
		if h.b[4] == hllDense {
			c.R.Simple("dense")
		} else {
			c.R.Simple("sparse")
		}
	case "todense":
		if h.b[4] == hllDense {
			c.R.Int(0)
			return
		}
		if !h.toDense() {
			c.Error(errHLLCorrupt)
			return
		}
		c.putHLL(key, h.b, true, &e)
		c.R.Int(1)
	default:
		c.Error(fmt.Sprintf("ERR Unknown PFDEBUG subcommand '%s'", c.Args[1]))
	}
}

// cmdPFSelfTest checks the register packing, the sparse and dense forms'
// agreement and the estimator's error, as Redis's PFSELFTEST does.
func cmdPFSelfTest(c *Ctx) {
	if err := hllSelfTest(); err != nil {
		c.Error("ERR " + err.Error())
		return
	}
	c.OK()
}

func hllSelfTest() error {
	// Every value in every register position of the dense form.
	regs := make([]byte, hllDenseSize-hllHdrSize)
	for v := 0; v <= hllRegisterMax; v += 9 {
		for i := range hllRegisters {
			hllDenseSetReg(regs, i, uint8((v+i)&hllRegisterMax))
		}
		for i := range hllRegisters {
			if got := hllDenseGet(regs, i); got != uint8((v+i)&hllRegisterMax) {
				return fmt.Errorf("TESTFAILED Register error at %d", i)
			}
		}
	}
	// Sparse and dense forms of the same elements count alike, and the
	// estimate stays within 5 standard errors.
	sparse := hll{b: newHLL(), sparseMax: 1 << 30}
	dense := hll{b: newHLL(), sparseMax: 0}
	dense.toDense()
	relErr := 1.04 / math.Sqrt(hllRegisters)
	var buf [8]byte
	for n := uint64(1); n <= 5000; n++ {
		binary.LittleEndian.PutUint64(buf[:], n*0x9e3779b97f4a7c15)
		if _, err := sparse.add(buf[:]); err != nil {
			return err
		}
		dense.add(buf[:])
		if n%500 != 0 && n > 10 {
			continue
		}
		cs, _ := hllCount(sparse.b)
		cd, _ := hllCount(dense.b)
		if cs != cd {
			return fmt.Errorf("TESTFAILED sparse and dense count differ at %d: %d vs %d", n, cs, cd)
		}
		if d := math.Abs(float64(cd) - float64(n)); d > 5*relErr*float64(n) && d > 5 {
			return fmt.Errorf("TESTFAILED too big error. card:%d abserr:%f", n, d)
		}
	}
	return nil
}

func init() {
	Register(
		&Command{Name: "pfadd", Arity: -2, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: []string{"write", "hyperloglog", "fast"}, Group: "hyperloglog", Summary: "Adds elements to a HyperLogLog key. Creates the key if it doesn't exist.", Since: "2.8.9", Handler: cmdPFAdd},
		&Command{Name: "pfcount", Arity: -2, Flags: FlagReadonly | FlagMayReplicate | FlagExclusive, FirstKey: 1, LastKey: -1, Step: 1, ACL: []string{"read", "hyperloglog", "slow"}, Group: "hyperloglog", Summary: "Returns the approximated cardinality of the set(s) observed by the HyperLogLog key(s).", Since: "2.8.9", Handler: cmdPFCount},
		&Command{Name: "pfmerge", Arity: -2, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: -1, Step: 1, ACL: []string{"write", "hyperloglog", "slow"}, Group: "hyperloglog", Summary: "Merges one or more HyperLogLog values into a single key.", Since: "2.8.9", Handler: cmdPFMerge},
		&Command{Name: "pfdebug", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagAdmin, FirstKey: 2, LastKey: 2, Step: 1, ACL: []string{"write", "hyperloglog", "admin", "slow", "dangerous"}, Group: "hyperloglog", Summary: "Internal commands for debugging HyperLogLog values.", Since: "2.8.9", Handler: cmdPFDebug},
		&Command{Name: "pfselftest", Arity: 1, Flags: FlagAdmin | FlagNoLock, ACL: []string{"hyperloglog", "admin", "slow", "dangerous"}, Group: "hyperloglog", Summary: "An internal command for testing HyperLogLog values.", Since: "2.8.9", Handler: cmdPFSelfTest},
	)
}
