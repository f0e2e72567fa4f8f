package wal

import (
	"reflect"
	"unsafe"

	tidwal "github.com/tidwall/wal"
)

// presizeTail gives tidwall's in-memory copy of the active segment its full
// capacity up front.
//
// Why: tidwall/wal v1.2.1 keeps the active segment's bytes (segment.ebuf)
// and entry positions (segment.epos) in memory and grows them with append.
// At Go's growth factor for large slices (~1.25x) filling an S-byte segment
// allocates about 5*S bytes, which on keel's write path was over half of
// all allocation (~800 bytes of garbage per SET) and the main cause of GC
// work. tidwall exposes no option for it, so after each roll we replace the
// two slices with copies of full capacity.
//
// This reaches into tidwall's unexported fields (pinned version, go.mod);
// fieldsPresent is checked by a test, so an upgrade that changes them
// fails loudly, and if they are absent this does nothing.
//
// spare, from sealedBuffers, is the sealed segment's pair of slices,
// which tidwall has just dropped: reusing them saves allocating a
// segment's worth of memory at every roll, a fifth of the bytes an INCR
// allocated, and the collector cycles that paced (1M SETs at pipeline 16:
// 63 → 54 cycles). Zero Values: allocate.
func presizeTail(tw *tidwal.Log, segSize int64, spare tailBuffers) {
	segs, ok := tailSegment(tw)
	if !ok {
		return
	}
	ebuf := segs.FieldByName("ebuf")
	epos := segs.FieldByName("epos")
	if !ebuf.IsValid() || !epos.IsValid() || ebuf.Kind() != reflect.Slice || epos.Kind() != reflect.Slice {
		return
	}
	ebuf, epos = settable(ebuf), settable(epos)
	want := int(segSize) + 64<<10 // a batch may overshoot the roll point
	// keel's records are rarely under 128 bytes framed, so segSize/128
	// positions cover a segment in the common case (more still grow).
	wantN := int(segSize / 128)
	grow(ebuf, want, spare.ebuf)
	grow(epos, wantN, spare.epos)
}

// grow gives the slice field f a capacity of at least want, keeping its
// contents, in spare's array when that is large enough.
func grow(f reflect.Value, want int, spare reflect.Value) {
	if f.Cap() >= want {
		return
	}
	var n reflect.Value
	if spare.IsValid() && spare.Type() == f.Type() && spare.Cap() >= want {
		n = spare.Slice(0, f.Len())
	} else {
		n = reflect.MakeSlice(f.Type(), f.Len(), want)
	}
	reflect.Copy(n, f)
	f.Set(n)
}

// tailBuffers are a segment's in-memory bytes and entry positions (copies
// of tidwall's slice headers).
type tailBuffers struct{ ebuf, epos reflect.Value }

// sealedBuffers returns the slices of tidwall's last sealed segment (the
// one before the tail). Call it before ClearCache, which drops tidwall's
// references to them; keel never reads through tidwall, so after that
// nothing else does.
func sealedBuffers(tw *tidwal.Log) tailBuffers {
	segs := reflectSegments(tw)
	if !segs.IsValid() || segs.Kind() != reflect.Slice || segs.Len() < 2 {
		return tailBuffers{}
	}
	prev := segs.Index(segs.Len() - 2)
	if prev.Kind() != reflect.Pointer || prev.IsNil() {
		return tailBuffers{}
	}
	e, p := prev.Elem().FieldByName("ebuf"), prev.Elem().FieldByName("epos")
	if !e.IsValid() || !p.IsValid() || e.Kind() != reflect.Slice || p.Kind() != reflect.Slice {
		return tailBuffers{}
	}
	// Copies of the headers: ClearCache nils the fields themselves.
	ce, cp := reflect.New(e.Type()).Elem(), reflect.New(p.Type()).Elem()
	ce.Set(settable(e))
	cp.Set(settable(p))
	return tailBuffers{ce, cp}
}

// tailSegment returns the struct value of tidwall's last segment.
func tailSegment(tw *tidwal.Log) (reflect.Value, bool) {
	segsField := reflectSegments(tw)
	if !segsField.IsValid() || segsField.Kind() != reflect.Slice || segsField.Len() == 0 {
		return reflect.Value{}, false
	}
	last := segsField.Index(segsField.Len() - 1)
	if last.Kind() != reflect.Pointer || last.IsNil() {
		return reflect.Value{}, false
	}
	return last.Elem(), true
}

// reflectSegments is tidwall's list of segments.
func reflectSegments(tw *tidwal.Log) reflect.Value {
	return reflect.ValueOf(tw).Elem().FieldByName("segments")
}

func settable(v reflect.Value) reflect.Value {
	return reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem()
}

// fieldsPresent reports whether tidwall still has the fields presizeTail
// relies on (tested).
func fieldsPresent(tw *tidwal.Log) bool {
	seg, ok := tailSegment(tw)
	return ok && seg.FieldByName("ebuf").IsValid() && seg.FieldByName("epos").IsValid()
}
