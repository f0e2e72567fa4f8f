package server

// Differential tests of the geo commands against redis-server: replies
// (coordinates, distances and hashes as Redis formats them, unsorted
// results in Redis's cell order) and the stored sets of STORE, STOREDIST
// and GEOSEARCHSTORE.

import (
	"fmt"
	"math"
	"math/rand"
	"strconv"
	"strings"
	"testing"
)

func init() {
	replyComparers = append(replyComparers, storedDistCmp)
}

// storedDistCmp compares the distances a random case's STOREDIST stored
// (ZRANGE dist<n>) to 4 units in the last place: Redis computes them
// with glibc's sin, cos and asin, which are not always correctly rounded,
// keel with correctly rounded ones (geomath.go); about one distance in a
// hundred differs in its last bit. Members and their order must agree.
func storedDistCmp(args []string, k, o respValue) (string, bool) {
	if len(args) < 2 || !strings.EqualFold(args[0], "zrange") || !strings.HasPrefix(args[1], "dist") {
		return "", false
	}
	if len(k.Elems) != len(o.Elems) || k.Kind != o.Kind {
		return exactCmp(k, o), true
	}
	for i := range k.Elems {
		if i%2 == 0 {
			if k.Elems[i].Str != o.Elems[i].Str {
				return fmt.Sprintf("member %d differs", i/2), true
			}
			continue
		}
		kf, err1 := strconv.ParseFloat(k.Elems[i].Str, 64)
		of, err2 := strconv.ParseFloat(o.Elems[i].Str, 64)
		if err1 != nil || err2 != nil || math.Abs(kf-of) > 4*math.Abs(of)*0x1p-52 {
			return fmt.Sprintf("distance %d: %s vs %s", i/2, k.Elems[i].Str, o.Elems[i].Str), true
		}
	}
	return "", true
}

func TestDiffGeo(t *testing.T) {
	t.Parallel()
	runCases(t, newPair(t), geoCases())
}

func geoCases() []diffCase {
	cases := []diffCase{
		dc("sicily",
			`GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania`,
			`GEODIST Sicily Palermo Catania`, `GEODIST Sicily Palermo Catania km`, `GEODIST Sicily Palermo Catania MI`,
			`GEODIST Sicily Palermo Catania ft`, `GEODIST Sicily Palermo Catania bogus`, `GEODIST Sicily Palermo nosuch`,
			`GEODIST nokey a b`, `GEODIST Sicily Palermo Catania km x`,
			`GEORADIUS Sicily 15 37 100 km`, `GEORADIUS Sicily 15 37 200 km`, `GEORADIUS Sicily 15 37 200 km WITHDIST`,
			`GEORADIUS Sicily 15 37 200 km WITHCOORD`, `GEORADIUS Sicily 15 37 200 km WITHDIST WITHCOORD WITHHASH`,
			`GEORADIUS Sicily 15 37 200 km WITHDIST WITHCOORD COUNT 1`, `GEORADIUS Sicily 15 37 200 km DESC`,
			`GEOPOS Sicily Palermo Catania NonExisting`, `GEOPOS nokey a b`, `GEOHASH Sicily Palermo Catania nosuch`, `GEOHASH nokey a`,
			`GEOADD Sicily 13.583333 37.316667 Agrigento`, `GEORADIUSBYMEMBER Sicily Agrigento 100 km`,
			`GEORADIUSBYMEMBER Sicily nosuch 100 km`, `GEORADIUSBYMEMBER_RO Sicily Agrigento 100 km WITHDIST`,
			`GEORADIUS_RO Sicily 15 37 200 km ASC`, `GEORADIUS_RO Sicily 15 37 200 km STORE x`,
			`GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km ASC`,
			`GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 400 400 km ASC WITHCOORD WITHDIST`,
			`GEOSEARCH Sicily FROMMEMBER Palermo BYBOX 400 400 km ASC WITHCOORD WITHDIST WITHHASH`,
			`GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km COUNT 1 ANY`, `GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km ANY`,
			`GEOSEARCH Sicily BYRADIUS 200 km`, `GEOSEARCH Sicily FROMLONLAT 15 37`,
			`GEOSEARCH Sicily FROMLONLAT 15 37 FROMMEMBER Palermo BYRADIUS 1 km`,
			`GEOSEARCH Sicily FROMMEMBER nosuch BYRADIUS 1 km`, `GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 1 km BYBOX 1 1 km`,
			`GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km STORE x`, `GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST`,
			`GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYBOX 400 400 km ASC COUNT 3`, `ZRANGE dst 0 -1 WITHSCORES`,
			`GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYBOX 400 400 km ASC COUNT 3 STOREDIST`, `ZRANGE dst 0 -1 WITHSCORES`,
			`GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYBOX 400 400 km WITHDIST`,
			`GEOSEARCHSTORE dst Sicily FROMLONLAT 0 0 BYRADIUS 1 km`, `EXISTS dst`,
			`GEORADIUS Sicily 15 37 200 km STORE dst2`, `ZRANGE dst2 0 -1 WITHSCORES`,
			`GEORADIUS Sicily 15 37 200 km STOREDIST dst3`, `ZRANGE dst3 0 -1 WITHSCORES`,
			`GEORADIUS Sicily 15 37 200 km STORE dst3 WITHDIST`,
			`GEORADIUS nokey 15 37 200 km`, `GEORADIUS nokey 15 37 200 km STORE dst2`, `EXISTS dst2`,
			`GEORADIUSBYMEMBER nokey m 1 km STORE dst3`, `EXISTS dst3`, `GEOSEARCH nokey FROMMEMBER m BYRADIUS 1 km`,
			`COMMAND GETKEYS GEORADIUS Sicily 15 37 200 km STORE dst2`, `COMMAND GETKEYS GEOSEARCHSTORE a b FROMLONLAT 1 1 BYRADIUS 1 km`),
		dc("geoadd",
			`GEOADD g 181 10 x`, `GEOADD g 10 86 x`, `GEOADD g inf 10 x`, `GEOADD g 10 -inf x`, `GEOADD g nan 10 x`,
			`GEOADD g 1e400 10 x`, `GEOADD g " 10" 10 x`, `GEOADD g abc 10 x`, `GEOADD g 10 abc x`, `GEOADD g NX XX 10 10 x`,
			`GEOADD g 10 10`, `GEOADD g 10 10 x 11`, `GEOADD g CH 10 10 x 20 20 y`, `GEOADD g CH 10 10 x 20 21 y`,
			`GEOADD g XX 1 1 z`, `GEOADD g NX 1 1 x`, `GEOADD g NX CH XX 1 1 x`, `ZRANGE g 0 -1 WITHSCORES`,
			`GEOADD g -180 -85.05112878 sw 180 85.05112878 ne 0 0 origin`, `GEOPOS g sw ne origin`, `GEOHASH g sw ne origin`,
			`SET str x`, `GEOADD str 1 1 x`, `GEOPOS str x`, `GEODIST str a b`, `GEOHASH str a`,
			`GEOSEARCH str FROMLONLAT 0 0 BYRADIUS 1 km`, `GEORADIUS str 0 0 1 km`),
		dc("search errors",
			`GEOADD g 1 1 a 2 2 b`, `GEORADIUS g 0 0 -1 km`, `GEORADIUS g 0 0 abc km`, `GEORADIUS g 0 0 1 parsecs`,
			`GEORADIUS g 0 0 1000 km COUNT 0`, `GEORADIUS g 0 0 1000 km COUNT -3`, `GEORADIUS g 0 0 1000 km COUNT x`,
			`GEORADIUS g 0 0 1000 km ANY`, `GEORADIUS g 0 0 1000 km BOGUS`, `GEORADIUS g 200 0 1 km`,
			`GEOSEARCH g FROMLONLAT 0 0 BYBOX -1 1 km`, `GEOSEARCH g FROMLONLAT 0 0 BYBOX a 1 km`,
			`GEOSEARCH g FROMLONLAT 0 0 BYBOX 1 a km`, `GEOSEARCH g FROMLONLAT 0 0 BYBOX 1 1 yards`,
			`GEOSEARCH g FROMLONLAT 0 0 BYRADIUS 5000 km WITHDIST`, `GEOSEARCH g FROMLONLAT 0 0 BYRADIUS 50000 km WITHDIST`,
			`GEOSEARCH g FROMLONLAT 0 0 BYRADIUS 0 km WITHDIST`, `GEOSEARCH g FROMLONLAT 1 1 BYRADIUS 0 km WITHDIST`,
			`GEOSEARCH g FROMLONLAT 0 0 BYRADIUS 500 km COUNT 1 DESC`, `GEOSEARCH g FROMLONLAT 0 0 BYRADIUS 500 km ASC DESC`),
		dc("poles and antimeridian",
			`GEOADD g -179.9 85 e1 179.9 -85 e2 -179.99 0 e3 179.99 0 e4 0 85.05 e5 0 0 o 0 0.0001 a 0.0001 0 b -0.0001 0 c 0 -0.0001 d`,
			`GEOSEARCH g FROMLONLAT 180 0 BYRADIUS 100 km WITHCOORD`, `GEOSEARCH g FROMLONLAT 0 85 BYRADIUS 500 km WITHCOORD`,
			`GEOSEARCH g FROMLONLAT 0 0 BYRADIUS 20 m`, `GEOSEARCH g FROMLONLAT 0 0 BYBOX 20 20 m WITHDIST`,
			`GEOPOS g e1 e2 e3 e4 e5 o a b c d`, `GEOHASH g e1 e2 e3 e4 e5 o a b c d`),
	}
	// Random points and searches: unsorted results show the cell order,
	// COUNT and ANY its cut, STOREDIST the distances' last bits.
	r := rand.New(rand.NewSource(11))
	for n := 0; n < 4; n++ {
		var add strings.Builder
		clon, clat := r.Float64()*300-150, r.Float64()*140-70
		spread := []float64{0.01, 0.5, 5, 60}[n]
		add.WriteString("GEOADD pts")
		for i := 0; i < 300; i++ {
			lon := clon + (r.Float64()*2-1)*spread
			lat := clat + (r.Float64()*2-1)*spread/2
			lon = min(max(lon, -180), 180)
			lat = min(max(lat, -85), 85)
			fmt.Fprintf(&add, " %.6f %.6f p%d", lon, lat, i)
		}
		cmds := []string{add.String()}
		for q := 0; q < 25; q++ {
			lon := clon + (r.Float64()*2-1)*spread
			lat := min(max(clat+(r.Float64()*2-1)*spread/2, -85), 85)
			lon = min(max(lon, -180), 180)
			rad := spread * 111 * r.Float64()
			cmds = append(cmds,
				fmt.Sprintf("GEOSEARCH pts FROMLONLAT %.6f %.6f BYRADIUS %.3f km WITHDIST WITHHASH", lon, lat, rad),
				fmt.Sprintf("GEOSEARCH pts FROMLONLAT %.6f %.6f BYBOX %.3f %.3f km WITHCOORD", lon, lat, rad*2, rad),
				fmt.Sprintf("GEOSEARCH pts FROMMEMBER p%d BYRADIUS %.3f km ASC COUNT 5 WITHDIST", r.Intn(300), rad),
				fmt.Sprintf("GEOSEARCH pts FROMLONLAT %.6f %.6f BYRADIUS %.3f km COUNT 3 ANY", lon, lat, rad),
				fmt.Sprintf("GEORADIUS pts %.6f %.6f %.3f km STOREDIST dist%d", lon, lat, rad, q),
				fmt.Sprintf("ZRANGE dist%d 0 -1 WITHSCORES", q), fmt.Sprintf("DEL dist%d", q),
				fmt.Sprintf("GEOSEARCHSTORE st%d pts FROMLONLAT %.6f %.6f BYBOX %.3f %.3f mi DESC", q, lon, lat, rad, rad))
		}
		cases = append(cases, dc(fmt.Sprintf("random spread %v", spread), cmds...))
	}
	return cases
}
