package main

import (
	"strconv"
	"strings"
	"testing"
)

// TestRowCacheDirective: the binary's row-cache-size reaches the engines.
// A key read again and again after its engine flushed (SAVE) is answered
// by the row cache, which INFO segments counts, with the right value; 0
// turns the cache off.
func TestRowCacheDirective(t *testing.T) {
	for _, size := range []string{"8mb", "0"} {
		p := startServer(t, t.TempDir(), "--row-cache-size", size)
		c := p.client(t)
		for _, cmd := range [][]string{{"SET", "hot", "value"}, {"SAVE"}} {
			if _, err := c.Do(cmd...); err != nil {
				t.Fatalf("%v: %v", cmd, err)
			}
		}
		gets := make([][]string, 3000)
		for i := range gets {
			gets[i] = []string{"GET", "hot"}
		}
		replies, err := c.Pipeline(gets)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range replies {
			if b, _ := r.([]byte); string(b) != "value" {
				t.Fatalf("row-cache-size %s: GET hot = %v", size, r)
			}
		}
		v, err := c.Do("INFO", "segments")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := v.([]byte)
		info := string(b)
		var hits, misses int64
		for _, l := range strings.Split(info, "\r\n") {
			if rest, ok := strings.CutPrefix(l, "strings:"); ok {
				for _, kv := range strings.Split(rest, ",") {
					k, val, _ := strings.Cut(kv, "=")
					n, _ := strconv.ParseInt(val, 10, 64)
					switch k {
					case "row_hits":
						hits = n
					case "row_misses":
						misses = n
					}
				}
			}
		}
		// At the admission odds of 1/32, the reads miss about 32 times
		// (more than 1000: probability (31/32)^1000, 1.6e-14).
		if size != "0" && (hits < 2000 || hits+misses != 3000) || size == "0" && hits+misses != 0 {
			t.Errorf("row-cache-size %s: 3000 GETs of a flushed key, row cache hits %d misses %d:\n%s", size, hits, misses, info)
		}
		p.stop(t)
	}
}
