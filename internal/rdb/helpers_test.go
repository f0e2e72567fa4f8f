package rdb

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/keeldb/keel/internal/oracle"
	"github.com/redis/go-redis/v9"
)

// describe renders a value canonically, so that two values are equal when
// their descriptions are: sets and hashes sorted (SMEMBERS and HGETALL
// have no defined order), zsets by (score, member), a stream's groups,
// consumers and PELs sorted.
func describe(v *Value) string {
	if v == nil {
		return "<nil>"
	}
	var b strings.Builder
	switch v.Kind {
	case KindString:
		fmt.Fprintf(&b, "string %q", v.Str)
	case KindList:
		b.WriteString("list")
		for _, e := range v.Elems {
			fmt.Fprintf(&b, " %q", e)
		}
	case KindSet:
		m := slices.Clone(v.Elems)
		slices.SortFunc(m, bytes.Compare)
		b.WriteString("set")
		for _, e := range m {
			fmt.Fprintf(&b, " %q", e)
		}
	case KindZSet:
		z := slices.Clone(v.ZSet)
		sortZSet(z)
		b.WriteString("zset")
		for _, m := range z {
			fmt.Fprintf(&b, " %q=%s", m.Member, fmtScore(m.Score))
		}
	case KindHash:
		h := slices.Clone(v.Hash)
		slices.SortFunc(h, func(a, b Field) int { return bytes.Compare(a.Name, b.Name) })
		b.WriteString("hash")
		for _, f := range h {
			fmt.Fprintf(&b, " %q:%q", f.Name, f.Value)
		}
	case KindStream:
		s := v.Stream
		fmt.Fprintf(&b, "stream len=%d last=%v first=%v maxdel=%v added=%d\n", s.Length, s.LastID, s.FirstID, s.MaxDeletedID, s.EntriesAdded)
		for _, e := range s.Entries {
			fmt.Fprintf(&b, "  %v", e.ID)
			for _, f := range e.Fields {
				fmt.Fprintf(&b, " %q", f)
			}
			b.WriteByte('\n')
		}
		groups := slices.Clone(s.Groups)
		slices.SortFunc(groups, func(a, b Group) int { return bytes.Compare(a.Name, b.Name) })
		for _, g := range groups {
			fmt.Fprintf(&b, "  group %q last=%v read=%d\n", g.Name, g.LastID, g.EntriesRead)
			pel := slices.Clone(g.PEL)
			slices.SortFunc(pel, func(a, b PendingEntry) int { return a.ID.Compare(b.ID) })
			for _, p := range pel {
				fmt.Fprintf(&b, "    pending %v t=%d n=%d\n", p.ID, p.DeliveryTimeMs, p.DeliveryCount)
			}
			cons := slices.Clone(g.Consumers)
			slices.SortFunc(cons, func(a, b Consumer) int { return bytes.Compare(a.Name, b.Name) })
			for _, c := range cons {
				ids := slices.Clone(c.PEL)
				slices.SortFunc(ids, StreamID.Compare)
				fmt.Fprintf(&b, "    consumer %q seen=%d pel=%v\n", c.Name, c.SeenTimeMs, ids)
			}
		}
	default:
		fmt.Fprintf(&b, "kind %d", v.Kind)
	}
	return b.String()
}

func fmtScore(f float64) string {
	if f == 0 && math.Signbit(f) {
		return "-0"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// redisOracle is a redis-server 7.0 under test control.
type redisOracle struct {
	t   testing.TB
	c   *redis.Client
	ctx context.Context
}

func newOracle(t testing.TB) *redisOracle {
	t.Helper()
	addr := oracle.Start(t)
	c := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, DisableIdentity: true})
	t.Cleanup(func() { c.Close() })
	return &redisOracle{t: t, c: c, ctx: context.Background()}
}

func (o *redisOracle) try(args ...any) (any, error) {
	return o.c.Do(o.ctx, args...).Result()
}

func (o *redisOracle) do(args ...any) any {
	o.t.Helper()
	r, err := o.try(args...)
	if err != nil && err != redis.Nil {
		o.t.Fatalf("%v: %v", args, err)
	}
	return r
}

func (o *redisOracle) dump(key string) []byte {
	o.t.Helper()
	s, err := o.c.Dump(o.ctx, key).Result()
	if err != nil {
		o.t.Fatalf("DUMP %s: %v", key, err)
	}
	return []byte(s)
}

func (o *redisOracle) restore(key string, payload []byte) error {
	return o.c.Do(o.ctx, "RESTORE", key, 0, string(payload), "REPLACE").Err()
}

func (o *redisOracle) encoding(key string) string {
	o.t.Helper()
	return o.do("OBJECT", "ENCODING", key).(string)
}

// configure makes the oracle choose encodings as opt says.
func (o *redisOracle) configure(opt EncodeOptions) {
	o.t.Helper()
	comp := "yes"
	if !opt.Compression {
		comp = "no"
	}
	o.do("CONFIG", "SET",
		"hash-max-listpack-entries", opt.HashMaxListpackEntries,
		"hash-max-listpack-value", opt.HashMaxListpackValue,
		"zset-max-listpack-entries", opt.ZSetMaxListpackEntries,
		"zset-max-listpack-value", opt.ZSetMaxListpackValue,
		"set-max-intset-entries", opt.SetMaxIntsetEntries,
		"list-max-listpack-size", opt.ListMaxListpackSize,
		"list-compress-depth", opt.ListCompressDepth,
		"stream-node-max-bytes", opt.StreamNodeMaxBytes,
		"stream-node-max-entries", opt.StreamNodeMaxEntries,
		"rdbcompression", comp)
	thresh := opt.ListPackedThreshold
	if thresh == 0 {
		thresh = defaultPackedThresh
	}
	o.do("DEBUG", "QUICKLIST-PACKED-THRESHOLD", thresh)
}

func asStrings(t testing.TB, r any) []string {
	t.Helper()
	list, ok := r.([]any)
	if !ok {
		t.Fatalf("reply %T %v is not an array", r, r)
	}
	out := make([]string, len(list))
	for i, x := range list {
		s, ok := x.(string)
		if !ok {
			t.Fatalf("reply element %T %v is not a string", x, x)
		}
		out[i] = s
	}
	return out
}

// content reads key back from the oracle with its read commands.
func (o *redisOracle) content(key string) *Value {
	o.t.Helper()
	switch typ := o.do("TYPE", key).(string); typ {
	case "string":
		return &Value{Kind: KindString, Str: []byte(o.do("GET", key).(string))}
	case "list":
		v := &Value{Kind: KindList}
		for _, s := range asStrings(o.t, o.do("LRANGE", key, 0, -1)) {
			v.Elems = append(v.Elems, []byte(s))
		}
		return v
	case "set":
		v := &Value{Kind: KindSet}
		for _, s := range asStrings(o.t, o.do("SMEMBERS", key)) {
			v.Elems = append(v.Elems, []byte(s))
		}
		return v
	case "zset":
		v := &Value{Kind: KindZSet}
		r := asStrings(o.t, o.do("ZRANGE", key, 0, -1, "WITHSCORES"))
		for i := 0; i < len(r); i += 2 {
			f, err := strconv.ParseFloat(r[i+1], 64)
			if err != nil {
				o.t.Fatalf("score %q: %v", r[i+1], err)
			}
			v.ZSet = append(v.ZSet, ZMember{Member: []byte(r[i]), Score: f})
		}
		return v
	case "hash":
		v := &Value{Kind: KindHash}
		r := asStrings(o.t, o.do("HGETALL", key))
		for i := 0; i < len(r); i += 2 {
			v.Hash = append(v.Hash, Field{Name: []byte(r[i]), Value: []byte(r[i+1])})
		}
		return v
	case "stream":
		return &Value{Kind: KindStream, Stream: o.streamContent(key)}
	default:
		o.t.Fatalf("TYPE %s: %s", key, typ)
	}
	return nil
}

// replyMap turns a RESP2 flat map reply into a Go map.
func replyMap(t testing.TB, r any) map[string]any {
	t.Helper()
	list, ok := r.([]any)
	if !ok || len(list)%2 != 0 {
		t.Fatalf("reply %v is not a map", r)
	}
	m := make(map[string]any, len(list)/2)
	for i := 0; i < len(list); i += 2 {
		m[list[i].(string)] = list[i+1]
	}
	return m
}

func parseID(t testing.TB, s any) StreamID {
	t.Helper()
	str, _ := s.(string)
	ms, seq, ok := strings.Cut(str, "-")
	a, err1 := strconv.ParseUint(ms, 10, 64)
	b, err2 := strconv.ParseUint(seq, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		t.Fatalf("stream ID %v", s)
	}
	return StreamID{a, b}
}

// streamContent reads a stream with XINFO STREAM FULL.
func (o *redisOracle) streamContent(key string) *Stream {
	t := o.t
	t.Helper()
	m := replyMap(t, o.do("XINFO", "STREAM", key, "FULL", "COUNT", 0))
	s := &Stream{
		Length:       uint64(m["length"].(int64)),
		LastID:       parseID(t, m["last-generated-id"]),
		FirstID:      parseID(t, m["recorded-first-entry-id"]),
		MaxDeletedID: parseID(t, m["max-deleted-entry-id"]),
		EntriesAdded: uint64(m["entries-added"].(int64)),
	}
	for _, e := range m["entries"].([]any) {
		pair := e.([]any)
		entry := StreamEntry{ID: parseID(t, pair[0])}
		for _, f := range asStrings(t, pair[1]) {
			entry.Fields = append(entry.Fields, []byte(f))
		}
		s.Entries = append(s.Entries, entry)
	}
	for _, gr := range m["groups"].([]any) {
		gm := replyMap(t, gr)
		g := Group{Name: []byte(gm["name"].(string)), LastID: parseID(t, gm["last-delivered-id"]), EntriesRead: EntriesReadUnknown}
		if n, ok := gm["entries-read"].(int64); ok {
			g.EntriesRead = n
		}
		for _, p := range gm["pending"].([]any) {
			pl := p.([]any)
			g.PEL = append(g.PEL, PendingEntry{ID: parseID(t, pl[0]), DeliveryTimeMs: pl[2].(int64), DeliveryCount: uint64(pl[3].(int64))})
		}
		for _, cr := range gm["consumers"].([]any) {
			cm := replyMap(t, cr)
			c := Consumer{Name: []byte(cm["name"].(string)), SeenTimeMs: cm["seen-time"].(int64)}
			for _, p := range cm["pending"].([]any) {
				c.PEL = append(c.PEL, parseID(t, p.([]any)[0]))
			}
			g.Consumers = append(g.Consumers, c)
		}
		s.Groups = append(s.Groups, g)
	}
	return s
}

// checkRoundTrip is the differential core for one key the oracle holds and
// the value it should hold:
//   - Decode of Redis's DUMP equals what Redis's read commands show, and
//     equals want;
//   - when identical, Encode(want) must be byte for byte Redis's DUMP;
//     otherwise (hash-table order) Encode(Decode(DUMP)) must be;
//   - RESTORE of Encode(want) gives the same content, with the OBJECT
//     ENCODING ObjectEncoding predicts.
func checkRoundTrip(t *testing.T, o *redisOracle, key string, want *Value, opt EncodeOptions, identical bool) {
	t.Helper()
	dump := o.dump(key)
	got, err := Decode(dump)
	if err != nil {
		t.Fatalf("%s: Decode(DUMP): %v", key, err)
	}
	if got.Kind == KindZSet && !slices.IsSortedFunc(got.ZSet, func(a, b ZMember) int {
		if zsetLess(a, b) {
			return -1
		}
		return 1
	}) {
		t.Errorf("%s: decoded zset not sorted", key)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("%s: decoded value invalid: %v", key, err)
	}
	shown := o.content(key)
	if g, s := describe(got), describe(shown); g != s {
		t.Errorf("%s: Decode(DUMP) differs from Redis's content:\n decoded: %.2000s\n redis:   %.2000s", key, g, s)
	}
	if g, w := describe(got), describe(want); g != w {
		t.Errorf("%s: Decode(DUMP) differs from the value built:\n decoded: %.2000s\n want:    %.2000s", key, g, w)
	}
	ours := Encode(want, opt)
	if identical && !bytes.Equal(ours, dump) {
		i := 0
		for i < len(ours) && i < len(dump) && ours[i] == dump[i] {
			i++
		}
		t.Errorf("%s: Encode differs from DUMP at byte %d of %d/%d:\n ours:  %x\n redis: %x", key, i, len(ours), len(dump),
			ours[max(0, i-16):min(len(ours), i+32)], dump[max(0, i-16):min(len(dump), i+32)])
	}
	// Where Redis's order is not a function of the content (hash tables),
	// Decode keeps the payload's order, so re-encoding what was decoded
	// must still give Redis's bytes; streams differ by their tombstones.
	if !identical && got.Kind != KindStream {
		if again := Encode(got, opt); !bytes.Equal(again, dump) {
			t.Errorf("%s: Encode(Decode(DUMP)) differs from DUMP:\n ours:  %.200x\n redis: %.200x", key, again, dump)
		}
	}
	rkey := key + ":restored"
	if err := o.restore(rkey, ours); err != nil {
		t.Fatalf("%s: RESTORE of Encode: %v", key, err)
	}
	if r, w := describe(o.content(rkey)), describe(want); r != w {
		t.Errorf("%s: RESTORE of Encode differs:\n restored: %.2000s\n want:     %.2000s", key, r, w)
	}
	if e, w := o.encoding(rkey), ObjectEncoding(want, opt); e != w {
		t.Errorf("%s: restored OBJECT ENCODING %s, want %s", key, e, w)
	}
	if e, w := o.encoding(key), ObjectEncoding(want, opt); e != w {
		t.Errorf("%s: built OBJECT ENCODING %s, ObjectEncoding says %s", key, e, w)
	}
	o.do("DEL", rkey)
}

// payload wraps a body in the DUMP footer.
func payload(body []byte, version uint16) []byte {
	b := slices.Clone(body)
	b = binary.LittleEndian.AppendUint16(b, version)
	return binary.LittleEndian.AppendUint64(b, CRC64(0, b))
}

// bodyOf strips the footer.
func bodyOf(p []byte) []byte { return p[:len(p)-10] }

func wantErr(t *testing.T, err, sentinel error, what string) {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Errorf("%s: got %v, want %v", what, err, sentinel)
	}
	var e *Error
	if err != nil && !errors.As(err, &e) {
		t.Errorf("%s: %v is not an *Error", what, err)
	}
}
