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
func presizeTail(tw *tidwal.Log, segSize int64) {
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
	if ebuf.Cap() < want {
		nb := reflect.MakeSlice(ebuf.Type(), ebuf.Len(), want)
		reflect.Copy(nb, ebuf)
		ebuf.Set(nb)
	}
	// keel's records are rarely under 128 bytes framed, so segSize/128
	// positions cover a segment in the common case (more still grow).
	if wantN := int(segSize / 128); epos.Cap() < wantN {
		np := reflect.MakeSlice(epos.Type(), epos.Len(), wantN)
		reflect.Copy(np, epos)
		epos.Set(np)
	}
}

// tailSegment returns the struct value of tidwall's last segment.
func tailSegment(tw *tidwal.Log) (reflect.Value, bool) {
	lv := reflect.ValueOf(tw).Elem()
	segsField := lv.FieldByName("segments")
	if !segsField.IsValid() || segsField.Kind() != reflect.Slice || segsField.Len() == 0 {
		return reflect.Value{}, false
	}
	last := segsField.Index(segsField.Len() - 1)
	if last.Kind() != reflect.Pointer || last.IsNil() {
		return reflect.Value{}, false
	}
	return last.Elem(), true
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
