package resp3

import (
	"errors"
	"testing"
)

// TestParse: every type the package reads, nested, and the incomplete
// and malformed inputs it refuses.
func TestParse(t *testing.T) {
	in := "%1\r\n+k\r\n*5\r\n:-7\r\n$3\r\na\r\n\r\n~1\r\n#t\r\n_\r\n,1.5\r\nrest"
	v, rest, err := Parse([]byte(in))
	if err != nil || string(rest) != "rest" {
		t.Fatalf("Parse: %v, rest %q", err, rest)
	}
	arr, ok := v.MapGet("k")
	if !ok || arr.Kind != '*' || len(arr.Elems) != 5 {
		t.Fatalf("map value: %+v", arr)
	}
	if e := arr.Elems; e[0].Int != -7 || e[1].Str != "a\r\n" || e[2].Kind != '~' || e[2].Elems[0].Int != 1 || e[3].Kind != '_' || e[4].Str != "1.5" {
		t.Fatalf("elements: %+v", e)
	}
	if _, ok := v.MapGet("nokey"); ok {
		t.Fatal("MapGet found a missing key")
	}
	for i := 1; i < len(in)-len("rest"); i++ {
		if _, _, err := Parse([]byte(in[:i])); !errors.Is(err, ErrIncomplete) {
			t.Fatalf("Parse of the first %d bytes: %v, want ErrIncomplete", i, err)
		}
	}
	for _, bad := range []string{":x\r\n", "$-2\r\n", "#x\r\n", "|1\r\n", "*1\r\n!3\r\n"} {
		if _, _, err := Parse([]byte(bad)); err == nil || errors.Is(err, ErrIncomplete) {
			t.Errorf("Parse(%q): %v, want a format error", bad, err)
		}
	}
}
