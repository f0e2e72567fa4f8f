package keel

// Bit commands (Redis bitops.c): SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD
// BITFIELD_RO. Bitmaps are strings; bit 0 is the most significant bit of the
// first byte. Writes are logged as their effect on bytes: SETBIT as a
// one-byte opSSetRange, BITFIELD as an opSSetRange of the bytes it changed,
// BITOP as a put of the computed string.

import (
	"encoding/binary"
	"math"
	"math/bits"

	"github.com/keeldb/keel/memtables"
)

func init() {
	rf := []string{"read", "bitmap", "fast"}
	rs := []string{"read", "bitmap", "slow"}
	ws := []string{"write", "bitmap", "slow"}
	Register(
		&Command{Name: "setbit", Arity: 4, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1, ACL: ws, Group: "bitmap", Summary: "Sets or clears the bit at offset in the string value stored at key", Since: "2.2.0", Handler: cmdSetBit},
		&Command{Name: "getbit", Arity: 3, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: rf, Group: "bitmap", Summary: "Returns the bit value at offset in the string value stored at key", Since: "2.2.0", Handler: cmdGetBit},
		&Command{Name: "bitcount", Arity: -2, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, ACL: rs, Group: "bitmap", Summary: "Count set bits in a string", Since: "2.6.0", Handler: cmdBitCount},
		&Command{Name: "bitpos", Arity: -3, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, ACL: rs, Group: "bitmap", Summary: "Find first bit set or clear in a string", Since: "2.8.7", Handler: cmdBitPos},
		&Command{Name: "bitop", Arity: -4, Flags: FlagWrite | FlagDenyOOM, FirstKey: 2, LastKey: -1, Step: 1, ACL: ws, Group: "bitmap", Summary: "Perform bitwise operations between strings", Since: "2.6.0", Handler: cmdBitOp},
		&Command{Name: "bitfield", Arity: -2, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1, ACL: ws, Group: "bitmap", Summary: "Perform arbitrary bitfield integer operations on strings", Since: "3.2.0", Handler: cmdBitField},
		&Command{Name: "bitfield_ro", Arity: -2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: rf, Group: "bitmap", Summary: "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD", Since: "6.0.0", Handler: cmdBitFieldRO},
	)
}

// parseBitOffset is Redis's getBitOffsetFromArgument: a non-negative bit
// offset below proto-max-bulk-len bytes; with hash, "#n" means n*bits.
func parseBitOffset(b []byte, hash bool, nbits int) (uint64, bool) {
	useHash := hash && nbits > 0 && len(b) > 0 && b[0] == '#'
	if useHash {
		b = b[1:]
	}
	n, ok := parseInt(b)
	if !ok {
		return 0, false
	}
	if useHash {
		n *= int64(nbits) // wraps like Redis's C arithmetic
	}
	if n < 0 || n>>3 >= maxStringLen {
		return 0, false
	}
	return uint64(n), true
}

// bitString is a string looked up for a bit write, grown (zero padded) to
// cover the highest byte the command writes: Redis's
// lookupStringForBitCommand. The buffer is a private copy.
type bitString struct {
	key     []byte
	ent     memtables.Entry
	found   bool // the key existed
	oldLen  int
	buf     []byte
	lo, hi  int // bytes [lo, hi) written so far; lo == hi when none
	changed bool
}

// lookupBitString returns key's value grown to maxByte+1 bytes; ok is false
// when an error was replied.
func (c *Ctx) lookupBitString(key []byte, maxByte uint64) (*bitString, bool) {
	e, v, found, ok := c.readStringWrite(key)
	if !ok {
		return nil, false
	}
	if found {
		c.materializeInt(key, &e) // the edit is in place, in the engine
	}
	bs := &bitString{key: key, ent: e, found: found, oldLen: len(v)}
	n := max(uint64(len(v)), maxByte+1)
	bs.buf = make([]byte, n)
	copy(bs.buf, v)
	return bs, true
}

// mark records that bytes [lo, hi) were written.
func (bs *bitString) mark(lo, hi int) {
	if bs.lo == bs.hi {
		bs.lo, bs.hi = lo, hi
		return
	}
	bs.lo, bs.hi = min(bs.lo, lo), max(bs.hi, hi)
}

// commit logs the new size and the written bytes if the string was created,
// grew or changed. It reports whether anything was logged.
func (c *Ctx) commitBitString(bs *bitString) bool {
	grown := len(bs.buf) != bs.oldLen
	if bs.found && !grown && !bs.changed {
		// Nothing changed, but Redis unshared the value for writing
		// (lookupStringForBitCommand): it is raw from now on, which OBJECT
		// ENCODING shows. Log that effect alone; no WATCH touch, as Redis
		// signals no modification.
		if bs.ent.Enc != encRaw {
			e := bs.ent
			c.emit(&op{code: opKSet, db: c.S.DB, key: bs.key, typ: e.Type, enc: encRaw, expireAt: e.ExpireAt, version: e.Version, size: e.Size})
		}
		return false
	}
	var prev *memtables.Entry
	if bs.found {
		prev = &bs.ent
	}
	lo, hi := bs.lo, bs.hi
	if lo == hi {
		// Created or grown without a written byte: the padding alone.
		lo = len(bs.buf) - 1
	}
	if grown || !bs.found {
		// The value must reach its new size even when the highest write
		// failed (OVERFLOW FAIL): the range runs to the end.
		hi = len(bs.buf)
	}
	c.writeStringRange(bs.key, prev, int64(len(bs.buf)), int64(lo), bs.buf[lo:hi])
	return true
}

// ---- SETBIT GETBIT ----

func cmdSetBit(c *Ctx) {
	off, ok := parseBitOffset(c.Args[2], false, 0)
	if !ok {
		c.Error(errBitOffset)
		return
	}
	on, ok := parseInt(c.Args[3])
	if !ok || on&^1 != 0 {
		c.Error(errBitValue)
		return
	}
	bs, ok := c.lookupBitString(c.Args[1], off>>3)
	if !ok {
		return
	}
	i := int(off >> 3)
	shift := 7 - off&7
	old := bs.buf[i] >> shift & 1
	if int64(old) != on {
		bs.buf[i] = bs.buf[i]&^(1<<shift) | byte(on)<<shift
		bs.changed = true
	}
	if !bs.found || len(bs.buf) != bs.oldLen || bs.changed {
		bs.mark(i, i+1)
	}
	// Signalled when the key was created or grown or the bit changed, as
	// in Redis 7.0.15.
	if c.commitBitString(bs) {
		c.notify(NotifyString, "setbit", c.Args[1])
	}
	c.R.Int(int64(old))
}

func cmdGetBit(c *Ctx) {
	off, ok := parseBitOffset(c.Args[2], false, 0)
	if !ok {
		c.Error(errBitOffset)
		return
	}
	v, found, ok := c.readString(c.Args[1])
	if !ok {
		return
	}
	if !found || off>>3 >= uint64(len(v)) {
		c.R.Int(0)
		return
	}
	c.R.Int(int64(v[off>>3] >> (7 - off&7) & 1))
}

// ---- BITCOUNT BITPOS ----

// clampRange resolves Redis's start/end indexes (negative from the end)
// over total elements, clamped to [0, total-1]; empty when nothing is left.
func clampRange(start, end, total int64) (int64, int64, bool) {
	if start < 0 {
		start += total
	}
	if end < 0 {
		end += total
	}
	start, end = max(start, 0), max(end, 0)
	if end >= total {
		end = total - 1
	}
	return start, end, start > end
}

// parseBitUnit parses BITCOUNT/BITPOS's BYTE|BIT argument.
func parseBitUnit(arg []byte) (isBit, ok bool) {
	switch {
	case eqFold(arg, "bit"):
		return true, true
	case eqFold(arg, "byte"):
		return false, true
	}
	return false, false
}

// bitRange converts Redis's start/end arguments (bytes, or bits when isBit)
// to an inclusive bit range of a string of n bytes; empty is true when the
// range holds nothing.
func bitRange(start, end, n int64, isBit bool) (sbit, ebit int64, empty bool) {
	total := n
	if isBit {
		total <<= 3
	}
	start, end, empty = clampRange(start, end, total)
	if empty {
		return 0, 0, true
	}
	if isBit {
		return start, end, false
	}
	return start << 3, end<<3 + 7, false
}

// popcountBits counts the set bits of p in the inclusive bit range.
func popcountBits(p []byte, sbit, ebit int64) int64 {
	sb, eb := sbit>>3, ebit>>3
	var n int64
	if sb == eb {
		m := byte(0xff>>(sbit&7)) & byte(0xff<<(7-ebit&7))
		return int64(bits.OnesCount8(p[sb] & m))
	}
	n += int64(bits.OnesCount8(p[sb] & byte(0xff>>(sbit&7))))
	n += int64(bits.OnesCount8(p[eb] & byte(0xff<<(7-ebit&7))))
	mid := p[sb+1 : eb]
	for len(mid) >= 8 {
		n += int64(bits.OnesCount64(binary.LittleEndian.Uint64(mid)))
		mid = mid[8:]
	}
	for _, b := range mid {
		n += int64(bits.OnesCount8(b))
	}
	return n
}

func cmdBitCount(c *Ctx) {
	// Redis 7.0 looks the key up before parsing the range: a missing key
	// answers 0 whatever the arguments.
	v, found, ok := c.readString(c.Args[1])
	if !ok {
		return
	}
	if !found {
		c.R.Int(0)
		return
	}
	n := int64(len(v))
	var sbit, ebit int64
	switch len(c.Args) {
	case 2:
		if n == 0 {
			c.R.Int(0)
			return
		}
		sbit, ebit = 0, n*8-1
	case 4, 5:
		start, ok := parseInt(c.Args[2])
		if !ok {
			c.Error(errNotInt)
			return
		}
		end, ok := parseInt(c.Args[3])
		if !ok {
			c.Error(errNotInt)
			return
		}
		if start < 0 && end < 0 && start > end {
			c.R.Int(0)
			return
		}
		isBit := false
		if len(c.Args) == 5 {
			var ok bool
			if isBit, ok = parseBitUnit(c.Args[4]); !ok {
				c.Error(errSyntax)
				return
			}
		}
		var empty bool
		if sbit, ebit, empty = bitRange(start, end, n, isBit); empty {
			c.R.Int(0)
			return
		}
	default:
		c.Error(errSyntax)
		return
	}
	c.R.Int(popcountBits(v, sbit, ebit))
}

// findBit returns the position of the first bit equal to bit in the
// inclusive range, or -1.
func findBit(p []byte, sbit, ebit int64, bit int) int64 {
	var flip byte
	var skip uint64 // a word holding no wanted bit
	if bit == 0 {
		flip, skip = 0xff, math.MaxUint64
	}
	pos := sbit
	for pos <= ebit {
		i := pos >> 3
		if pos&7 == 0 && i+8 <= ebit>>3 {
			// Whole words strictly inside the range.
			for i+8 <= ebit>>3 && binary.LittleEndian.Uint64(p[i:]) == skip {
				i += 8
			}
			pos = i << 3
		}
		m := byte(0xff >> (pos & 7))
		if i == ebit>>3 {
			m &= byte(0xff << (7 - ebit&7))
		}
		if b := (p[i] ^ flip) & m; b != 0 {
			return i<<3 + int64(bits.LeadingZeros8(b))
		}
		pos = (i + 1) << 3
	}
	return -1
}

func cmdBitPos(c *Ctx) {
	bit, ok := parseInt(c.Args[2])
	if !ok {
		c.Error(errNotInt)
		return
	}
	if bit != 0 && bit != 1 {
		c.Error("ERR The bit argument must be 1 or 0.")
		return
	}
	// A missing key is an infinite run of zeros.
	e, found := c.lookupRead(c.Args[1])
	if !found {
		if bit == 1 {
			c.R.Int(-1)
		} else {
			c.R.Int(0)
		}
		return
	}
	if e.Type != memtables.TypeString {
		c.Error(errWrongType)
		return
	}
	v, err := c.getString(c.Args[1], &e)
	if err != nil {
		c.Error("ERR " + err.Error())
		return
	}
	n := int64(len(v))
	endGiven := false
	var sbit, ebit int64
	empty := false
	switch len(c.Args) {
	case 3:
		sbit, ebit, empty = 0, n*8-1, n == 0
	case 4, 5, 6:
		start, ok := parseInt(c.Args[3])
		if !ok {
			c.Error(errNotInt)
			return
		}
		isBit := false
		if len(c.Args) == 6 {
			var ok bool
			if isBit, ok = parseBitUnit(c.Args[5]); !ok {
				c.Error(errSyntax)
				return
			}
		}
		end := int64(math.MaxInt64) // clamped to the string's end
		if len(c.Args) >= 5 {
			if end, ok = parseInt(c.Args[4]); !ok {
				c.Error(errNotInt)
				return
			}
			endGiven = true
		}
		sbit, ebit, empty = bitRange(start, end, n, isBit)
	default:
		c.Error(errSyntax)
		return
	}
	if empty {
		c.R.Int(-1)
		return
	}
	pos := findBit(v, sbit, ebit, int(bit))
	if pos == -1 && bit == 0 && !endGiven {
		// Without an explicit end the string continues with zero bits.
		pos = ebit + 1
	}
	c.R.Int(pos)
}

// ---- BITOP ----

func cmdBitOp(c *Ctx) {
	const (
		opAnd = iota
		opOr
		opXor
		opNot
	)
	var bop int
	switch {
	case eqFold(c.Args[1], "and"):
		bop = opAnd
	case eqFold(c.Args[1], "or"):
		bop = opOr
	case eqFold(c.Args[1], "xor"):
		bop = opXor
	case eqFold(c.Args[1], "not"):
		bop = opNot
	default:
		c.Error(errSyntax)
		return
	}
	if bop == opNot && len(c.Args) != 4 {
		c.Error("ERR BITOP NOT must be called with a single source key.")
		return
	}
	srcs := make([][]byte, 0, len(c.Args)-3)
	maxLen := 0
	for _, k := range c.Args[3:] {
		v, found, ok := c.readString(k)
		if !ok {
			return
		}
		if !found {
			v = nil
		}
		srcs = append(srcs, v)
		maxLen = max(maxLen, len(v))
	}
	target := c.Args[2]
	if maxLen == 0 {
		// dbDelete, which does not check the expiry: an expired target
		// is deleted (del), not expired.
		if c.deleteIfExists(target) {
			c.notify(NotifyGeneric, "del", target)
		}
		c.R.Int(0)
		return
	}
	res := make([]byte, maxLen)
	copy(res, srcs[0])
	switch bop {
	case opNot:
		for i := range res {
			res[i] = ^res[i]
		}
	case opAnd:
		for _, s := range srcs[1:] {
			for i := range res {
				if i < len(s) {
					res[i] &= s[i]
				} else {
					res[i] = 0
				}
			}
		}
	case opOr:
		for _, s := range srcs[1:] {
			for i := 0; i < len(s); i++ {
				res[i] |= s[i]
			}
		}
	case opXor:
		for _, s := range srcs[1:] {
			for i := 0; i < len(s); i++ {
				res[i] ^= s[i]
			}
		}
	}
	e, _ := c.lookupWrite(target)
	c.putStringEnc(target, res, e, 0, false, encRaw)
	c.notify(NotifyString, "set", target)
	c.R.Int(int64(maxLen))
}

// ---- BITFIELD ----

const (
	bfGet = iota
	bfSet
	bfIncrBy
)

const (
	bfWrap = iota
	bfSat
	bfFail
)

type bitfieldOp struct {
	offset   uint64
	val      int64
	code     int
	overflow int
	bits     uint
	signed   bool
}

const errBitfieldType = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."

// parseBitfieldType parses i1..i64 and u1..u63 (lower case prefix only).
func parseBitfieldType(b []byte) (signed bool, nbits uint, ok bool) {
	if len(b) == 0 || (b[0] != 'i' && b[0] != 'u') {
		return false, 0, false
	}
	signed = b[0] == 'i'
	n, ok := parseInt(b[1:])
	if !ok || n < 1 || (signed && n > 64) || (!signed && n > 63) {
		return false, 0, false
	}
	return signed, uint(n), true
}

func getUnsignedBitfield(p []byte, off uint64, nbits uint) uint64 {
	var v uint64
	for j := uint(0); j < nbits; j++ {
		b := p[off>>3] >> (7 - off&7) & 1
		v = v<<1 | uint64(b)
		off++
	}
	return v
}

func getSignedBitfield(p []byte, off uint64, nbits uint) int64 {
	v := getUnsignedBitfield(p, off, nbits)
	if nbits < 64 && v&(1<<(nbits-1)) != 0 {
		v |= math.MaxUint64 << nbits
	}
	return int64(v)
}

func setBitfield(p []byte, off uint64, nbits uint, v uint64) {
	for j := uint(0); j < nbits; j++ {
		bit := byte(v>>(nbits-1-j)) & 1
		i, sh := off>>3, 7-off&7
		p[i] = p[i]&^(1<<sh) | bit<<sh
		off++
	}
}

// checkUnsignedBitfieldOverflow is Redis's function of that name, with its
// uint64 arithmetic: a negative SET value is a huge unsigned one.
func checkUnsignedBitfieldOverflow(value uint64, incr int64, nbits uint, owtype int) (limit uint64, overflow bool) {
	maxv := uint64(1)<<nbits - 1
	maxincr := int64(maxv - value)
	minincr := int64(-value)
	wrap := func() uint64 { return (value + uint64(incr)) &^ (math.MaxUint64 << nbits) }
	if value > maxv || (incr > 0 && incr > maxincr) {
		switch owtype {
		case bfWrap:
			return wrap(), true
		case bfSat:
			return maxv, true
		}
		return 0, true
	}
	if incr < 0 && incr < minincr {
		switch owtype {
		case bfWrap:
			return wrap(), true
		case bfSat:
			return 0, true
		}
		return 0, true
	}
	return 0, false
}

// checkSignedBitfieldOverflow is Redis's function of that name.
func checkSignedBitfieldOverflow(value, incr int64, nbits uint, owtype int) (limit int64, overflow bool) {
	maxv := int64(math.MaxInt64)
	if nbits != 64 {
		maxv = int64(1)<<(nbits-1) - 1
	}
	minv := -maxv - 1
	maxincr := int64(uint64(maxv) - uint64(value))
	minincr := minv - value
	wrap := func() int64 {
		msb := uint64(1) << (nbits - 1)
		r := uint64(value) + uint64(incr)
		if nbits < 64 {
			mask := uint64(math.MaxUint64) << nbits
			if r&msb != 0 {
				r |= mask
			} else {
				r &^= mask
			}
		}
		return int64(r)
	}
	if value > maxv || (nbits != 64 && incr > maxincr) || (value >= 0 && incr > 0 && incr > maxincr) {
		switch owtype {
		case bfWrap:
			return wrap(), true
		case bfSat:
			return maxv, true
		}
		return 0, true
	}
	if value < minv || (nbits != 64 && incr < minincr) || (value < 0 && incr < 0 && incr < minincr) {
		switch owtype {
		case bfWrap:
			return wrap(), true
		case bfSat:
			return minv, true
		}
		return 0, true
	}
	return 0, false
}

func cmdBitField(c *Ctx)   { c.bitfield(false) }
func cmdBitFieldRO(c *Ctx) { c.bitfield(true) }

// bitfield is Redis's bitfieldGeneric: parse every operation first, then
// look the key up (for write only if some operation writes), then run them
// in order on one buffer.
func (c *Ctx) bitfield(readOnly bool) {
	var ops []bitfieldOp
	owtype := bfWrap
	writes := false
	var highest uint64
	args := c.Args
	for j := 2; j < len(args); j++ {
		rem := len(args) - j - 1
		sub := args[j]
		var code int
		switch {
		case eqFold(sub, "get") && rem >= 2:
			code = bfGet
		case eqFold(sub, "set") && rem >= 3:
			code = bfSet
		case eqFold(sub, "incrby") && rem >= 3:
			code = bfIncrBy
		case eqFold(sub, "overflow") && rem >= 1:
			j++
			switch {
			case eqFold(args[j], "wrap"):
				owtype = bfWrap
			case eqFold(args[j], "sat"):
				owtype = bfSat
			case eqFold(args[j], "fail"):
				owtype = bfFail
			default:
				c.Error("ERR Invalid OVERFLOW type specified")
				return
			}
			continue
		default:
			c.Error(errSyntax)
			return
		}
		signed, nbits, ok := parseBitfieldType(args[j+1])
		if !ok {
			c.Error(errBitfieldType)
			return
		}
		off, ok := parseBitOffset(args[j+2], true, int(nbits))
		if !ok {
			c.Error(errBitOffset)
			return
		}
		var val int64
		if code != bfGet {
			writes = true
			highest = max(highest, off+uint64(nbits)-1)
			if val, ok = parseInt(args[j+3]); !ok {
				c.Error(errNotInt)
				return
			}
		}
		ops = append(ops, bitfieldOp{offset: off, val: val, code: code, overflow: owtype, bits: nbits, signed: signed})
		if code == bfGet {
			j += 2
		} else {
			j += 3
		}
	}

	var buf []byte
	var bs *bitString
	if !writes {
		v, _, ok := c.readString(c.Args[1])
		if !ok {
			return
		}
		buf = v
	} else {
		if readOnly {
			c.Error("ERR BITFIELD_RO only supports the GET subcommand")
			return
		}
		var ok bool
		if bs, ok = c.lookupBitString(c.Args[1], highest>>3); !ok {
			return
		}
		buf = bs.buf
	}

	c.R.Array(len(ops))
	changes := 0
	for _, o := range ops {
		if o.code == bfGet {
			// Read through a zero-padded window: fields may run past the end.
			var win [9]byte
			first := o.offset >> 3
			if first < uint64(len(buf)) {
				copy(win[:], buf[first:])
			}
			rel := o.offset - first*8
			if o.signed {
				c.R.Int(getSignedBitfield(win[:], rel, o.bits))
			} else {
				c.R.Int(int64(getUnsignedBitfield(win[:], rel, o.bits)))
			}
			continue
		}
		var newv, retv uint64
		var oldv uint64
		var overflow bool
		if o.signed {
			old := getSignedBitfield(buf, o.offset, o.bits)
			var n, limit int64
			if o.code == bfIncrBy {
				limit, overflow = checkSignedBitfieldOverflow(old, o.val, o.bits, o.overflow)
				n = old + o.val
				if overflow {
					n = limit
				}
				retv = uint64(n)
			} else {
				n = o.val
				if limit, overflow = checkSignedBitfieldOverflow(n, 0, o.bits, o.overflow); overflow {
					n = limit
				}
				retv = uint64(old)
			}
			oldv, newv = uint64(old), uint64(n)
		} else {
			old := getUnsignedBitfield(buf, o.offset, o.bits)
			var n, limit uint64
			if o.code == bfIncrBy {
				n = old + uint64(o.val)
				if limit, overflow = checkUnsignedBitfieldOverflow(old, o.val, o.bits, o.overflow); overflow {
					n = limit
				}
				retv = n
			} else {
				n = uint64(o.val)
				if limit, overflow = checkUnsignedBitfieldOverflow(n, 0, o.bits, o.overflow); overflow {
					n = limit
				}
				retv = old
			}
			oldv, newv = old, n
		}
		if overflow && o.overflow == bfFail {
			c.R.Null()
			continue
		}
		c.R.Int(int64(retv))
		setBitfield(buf, o.offset, o.bits, newv)
		bs.mark(int(o.offset>>3), int((o.offset+uint64(o.bits)-1)>>3)+1)
		created := !bs.found || len(bs.buf) != bs.oldLen
		if created || oldv != newv {
			changes++
			bs.changed = true
		}
	}
	if bs != nil {
		// Redis creates or grows the key even when every write failed,
		// but signals only a write that created, grew or changed it.
		c.commitBitString(bs)
		if changes > 0 {
			c.notify(NotifyString, "setbit", c.Args[1])
		}
	}
}
