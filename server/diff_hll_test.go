package server

// Differential tests of HyperLogLog (PFADD, PFCOUNT, PFMERGE, PFDEBUG,
// PFSELFTEST) against redis-server: replies, and the values themselves
// (the data set is compared after each case, so every HyperLogLog's bytes,
// sparse or dense, with its cached cardinality, must be Redis's).

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

func TestDiffHyperLogLog(t *testing.T) {
	t.Parallel()
	runCases(t, newPair(t), hllCases())
}

// elems is a PFADD's elements: n of them, prefix p.
func elems(p string, from, n int) string {
	var b strings.Builder
	for i := from; i < from+n; i++ {
		fmt.Fprintf(&b, " %s%d", p, i)
	}
	return b.String()
}

func hllCases() []diffCase {
	cases := []diffCase{
		dc("basics",
			`PFADD h a b c d e f g`, `GET h`, `PFCOUNT h`, `GET h`, `PFADD h a`, `PFADD h`, `PFADD new`, `GET new`, `PFCOUNT new`,
			`PFCOUNT nokey`, `PFCOUNT nokey h`, `OBJECT ENCODING h`, `TYPE h`, `STRLEN h`, `PFDEBUG ENCODING h`, `PFDEBUG DECODE h`),
		dc("sparse to dense",
			"PFADD h"+elems("e", 0, 200), `PFCOUNT h`, `PFDEBUG ENCODING h`, `PFDEBUG DECODE h`,
			"PFADD h"+elems("e", 200, 3000), `PFCOUNT h`, `PFDEBUG ENCODING h`, `GET h`, `PFDEBUG DECODE h`),
		dc("merge",
			"PFADD a"+elems("x", 0, 100), "PFADD b"+elems("x", 50, 100), "PFADD c"+elems("y", 0, 5000),
			`PFCOUNT a b`, `PFCOUNT a b c`, `PFMERGE d a b`, `PFCOUNT d`, `PFDEBUG ENCODING d`, `PFMERGE e a c`, `PFDEBUG ENCODING e`,
			`PFCOUNT e`, `PFMERGE a b`, `PFCOUNT a`, `PFMERGE empty`, `GET empty`, `PFMERGE f nokey`, `PFCOUNT f`),
		dc("errors",
			`SET s notanhll`, `PFADD s a`, `PFCOUNT s`, `PFCOUNT s s`, `PFMERGE s`, `PFMERGE x s`, `LPUSH l a`, `PFADD l a`, `PFCOUNT l`,
			`PFMERGE l`, `SET short HYLL`, `PFCOUNT short`, "SET bad \"HYLL\\x02\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\"", `PFADD bad a`,
			`PFDEBUG GETREG nokey`, `PFDEBUG bogus nokey`, `PFADD h a`, `PFDEBUG bogus h`, `PFDEBUG DECODE s`, `PFADD`, `PFCOUNT`),
		dc("pfdebug",
			"PFADD h"+elems("q", 0, 30), `PFDEBUG DECODE h`, `PFDEBUG TODENSE h`, `PFDEBUG TODENSE h`, `PFDEBUG ENCODING h`,
			`PFDEBUG DECODE h`, `PFCOUNT h`, `GET h`, "PFADD g"+elems("q", 0, 10), `PFDEBUG GETREG g`, `PFDEBUG ENCODING g`, `PFSELFTEST`),
		dc("hll-sparse-max-bytes",
			`CONFIG SET hll-sparse-max-bytes 30`, "PFADD h"+elems("w", 0, 20), `PFDEBUG ENCODING h`, `PFCOUNT h`,
			`CONFIG SET hll-sparse-max-bytes 3000`),
		dc("expiry and overwrite",
			`PFADD h a b c`, `EXPIRE h 100`, `PFADD h d`, `TTL h`, `PFCOUNT h`, `TTL h`, `SET h x`, `PFADD h a`, `DEL h`, `PFADD h a`,
			`APPEND h x`, `PFCOUNT h`),
	}
	// Random elements: counts from a few to past the dense switch, read
	// back by PFCOUNT (cached and not) and compared as bytes.
	r := rand.New(rand.NewSource(7))
	var cmds []string
	for k := 0; k < 6; k++ {
		key := fmt.Sprintf("r%d", k)
		for n := 0; n < 8; n++ {
			var b strings.Builder
			fmt.Fprintf(&b, "PFADD %s", key)
			for i := 0; i < 1+r.Intn(300); i++ {
				fmt.Fprintf(&b, " %x", r.Uint64()>>uint(r.Intn(60)))
			}
			cmds = append(cmds, b.String(), "PFCOUNT "+key)
		}
	}
	cmds = append(cmds, "PFCOUNT r0 r1 r2 r3 r4 r5", "PFMERGE all r0 r1 r2 r3 r4 r5", "PFCOUNT all")
	return append(cases, dc("random", cmds...))
}
