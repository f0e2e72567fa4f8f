package memtables

import (
	"errors"
	"slices"
	"unsafe"
)

// The element access of the value types for their engine (Values): deep
// copies for copy-on-write and COPY, canonical iteration for checkpoints
// and the digest, and loading.

var (
	errDupMember = errors.New("duplicate member")
	errNaNScore  = errors.New("NaN score")
)

// Clone returns an independent copy of l.
func (l *List) Clone() *List {
	c := NewList()
	l.Range(0, l.n-1, func(v []byte) bool {
		c.PushRight(v)
		return true
	})
	return c
}

func (l *List) eachElem(fn func(m []byte, score float64) bool) {
	l.Range(0, l.n-1, func(v []byte) bool { return fn(v, 0) })
}

func (l *List) addElem(m []byte, _ float64) error {
	l.PushRight(m)
	return nil
}

func (l *List) encFlags() byte     { return 0 }
func (l *List) setEncFlags(f byte) {}

// Clone returns an independent copy of s with the same encoding.
func (s *Set) Clone() *Set {
	c := *s
	c.ints = slices.Clone(s.ints)
	c.pages = make([][]setSlot, len(s.pages))
	for i, p := range s.pages {
		c.pages[i] = append(make([]setSlot, 0, cap(p)), p...)
	}
	c.index = slices.Clone(s.index)
	c.blocks = make([][]byte, len(s.blocks))
	for i, b := range s.blocks {
		c.blocks[i] = append(make([]byte, 0, cap(b)), b...)
	}
	c.spare = nil
	c.pageGen = slices.Clone(s.pageGen)
	return &c
}

func (s *Set) eachElem(fn func(m []byte, score float64) bool) {
	s.ForEach(func(m []byte) bool { return fn(m, 0) })
}

func (s *Set) addElem(m []byte, _ float64) error {
	if !s.Add(m) {
		return errDupMember
	}
	return nil
}

// encFlags bit 0: the hashtable encoding (kept after members that needed
// it are gone, as in Redis).
func (s *Set) encFlags() byte {
	if s.hashed {
		return 1
	}
	return 0
}

func (s *Set) setEncFlags(f byte) {
	if f&1 != 0 && !s.hashed {
		s.convert()
	}
}

// ConvertToHash switches an intset to the hashtable encoding (SADD does
// when the set outgrows set-max-intset-entries).
func (s *Set) ConvertToHash() {
	if !s.hashed {
		s.convert()
	}
}

// Clone returns an independent copy of z.
func (z *ZSet) Clone() *ZSet {
	c := NewZSet()
	c.big = z.big
	z.ForEach(func(m string, score float64) bool {
		c.addOwned(m, score) // members are immutable: shared
		return true
	})
	return c
}

// eachElem reads the member table, not the tree: a snapshot's zset
// shares only the table (see snapshotClone).
//
// The member is passed as a view of the string's bytes, not a copy: a
// checkpoint of a million-member zset would otherwise allocate a million
// slices, and the garbage collection they cause stalls writers. fn only
// reads it (the checkpoint writer copies it into its buffer).
func (z *ZSet) eachElem(fn func(m []byte, score float64) bool) {
	z.eachEntry(func(m string, score float64) bool {
		return fn(unsafe.Slice(unsafe.StringData(m), len(m)), score)
	})
}

func (z *ZSet) addElem(m []byte, score float64) error {
	if score != score {
		return errNaNScore
	}
	if added, _ := z.addOwned(string(m), score); !added {
		return errDupMember
	}
	return nil
}

// encFlags bit 0: the skiplist encoding (see ZSet.Big).
func (z *ZSet) encFlags() byte {
	if z.big {
		return 1
	}
	return 0
}

func (z *ZSet) setEncFlags(f byte) { z.big = f&1 != 0 }

// Big reports whether the zset has Redis's skiplist encoding rather than
// listpack. The command layer sets it (SetBig) when the zset outgrows
// zset-max-listpack-entries or -value; like Redis, it stays set.
func (z *ZSet) Big() bool { return z.big }

// SetBig sets the skiplist-encoding flag (Big).
func (z *ZSet) SetBig(big bool) { z.big = big }
