package server

import (
	"strings"
	"testing"
)

// LOLWUT against redis-server: the version text, the errors, and Schotter
// drawings of at most two rows of squares (no randomness) byte for byte;
// the random drawings by their shape.
func TestDiffLolwut(t *testing.T) {
	p := newPair(t)
	runCases(t, p, []diffCase{
		dc("lolwut",
			"lolwut", "lolwut version", "lolwut version x", "lolwut version -1", "lolwut version 4",
			"lolwut version 7", "lolwut version 9", "lolwut 5 1 1", "lolwut version 5 x", "lolwut version 6 x",
			"lolwut version 5 10 2 2", "lolwut version 5 1 1 1", "lolwut version 5 0 0 0", "lolwut version 5 2 1 1",
			"lolwut version 5 40 3 2", "lolwut version 5 66 8 1", "lolwut version 5 1000 200 2", "lolwut version 5 37 7 2",
			"hello 3", "lolwut version 5 10 2 2", "lolwut"),
	})
	k, o := p.dial(t)
	for _, args := range [][]string{{"LOLWUT", "VERSION", "5"}, {"LOLWUT", "VERSION", "6"}, {"LOLWUT", "VERSION", "6", "7", "3"}, {"LOLWUT", "VERSION", "5", "30", "4", "9"}} {
		kv, err := k.Do(args...)
		if err != nil {
			t.Fatal(err)
		}
		ov, err := o.Do(args...)
		if err != nil {
			t.Fatal(err)
		}
		kl, ol := strings.Split(kv.Str, "\n"), strings.Split(ov.Str, "\n")
		if kv.Kind != ov.Kind || len(kl) != len(ol) || kl[len(kl)-2] != ol[len(ol)-2] || len(kl[0]) != len(ol[0]) {
			t.Errorf("%v: keel %d lines (%q), redis %d lines (%q)", args, len(kl), kl[len(kl)-2], len(ol), ol[len(ol)-2])
		}
	}
}
