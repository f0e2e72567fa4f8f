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
// The capacity comes from the segment sealed just before, when there is
// one that still holds its copy (tidwall keeps it in its segment cache
// until recordRolls clears it, after this): its buffers are taken over
// and the sealed segment left without a copy, as ClearCache would leave
// it. A fresh allocation of a segment's size per roll (8 MiB + 64 KiB at
// keel's default then) was a quarter of all bytes allocated under MSET, so a
// quarter of the collections; taking over cut the server's CPU per MSET
// at pipeline 16 by about 5% (session 13, six paired bursts). The tail
// then starts with the old segment's pages resident, but RSS after 1M
// SETs came out lower, not higher (124–125 MiB against 129–133, four
// alternating runs each): the fresh buffers had counted, until the next
// collection, towards the heap the runtime keeps.
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
	sealed, hasSealed := sealedSegment(tw)
	want := int(segSize) + 64<<10 // a batch may overshoot the roll point
	if ebuf.Cap() < want {
		nb := reuse(sealed, hasSealed, "ebuf", want)
		if !nb.IsValid() {
			nb = reflect.MakeSlice(ebuf.Type(), 0, want)
		}
		nb = nb.Slice(0, ebuf.Len())
		reflect.Copy(nb, ebuf)
		ebuf.Set(nb)
	}
	// keel's records are rarely under 128 bytes framed, so segSize/128
	// positions cover a segment in the common case (more still grow).
	if wantN := int(segSize / 128); epos.Cap() < wantN {
		np := reuse(sealed, hasSealed, "epos", wantN)
		if !np.IsValid() {
			np = reflect.MakeSlice(epos.Type(), 0, wantN)
		}
		np = np.Slice(0, epos.Len())
		reflect.Copy(np, epos)
		epos.Set(np)
	}
}

// reuse takes the named slice of the sealed segment when its capacity is
// at least want: it returns it emptied and leaves the segment nil in its
// place (an invalid Value: none to take).
func reuse(sealed reflect.Value, ok bool, name string, want int) reflect.Value {
	if !ok {
		return reflect.Value{}
	}
	f := sealed.FieldByName(name)
	if !f.IsValid() || f.Kind() != reflect.Slice || f.Cap() < want {
		return reflect.Value{}
	}
	f = settable(f)
	v := f.Slice(0, 0)
	f.SetZero()
	return v
}

// tailSegment returns the struct value of tidwall's last segment.
func tailSegment(tw *tidwal.Log) (reflect.Value, bool) { return segmentFromEnd(tw, 1) }

// sealedSegment returns the struct value of the segment before the last.
func sealedSegment(tw *tidwal.Log) (reflect.Value, bool) { return segmentFromEnd(tw, 2) }

// segmentFromEnd returns the struct value of tidwall's k-th segment from
// the end (1: the last).
func segmentFromEnd(tw *tidwal.Log, k int) (reflect.Value, bool) {
	lv := reflect.ValueOf(tw).Elem()
	segsField := lv.FieldByName("segments")
	if !segsField.IsValid() || segsField.Kind() != reflect.Slice || segsField.Len() < k {
		return reflect.Value{}, false
	}
	seg := segsField.Index(segsField.Len() - k)
	if seg.Kind() != reflect.Pointer || seg.IsNil() {
		return reflect.Value{}, false
	}
	return seg.Elem(), true
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
