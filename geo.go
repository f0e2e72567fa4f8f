package keel

// Geospatial commands, as Redis 7.0 has them: GEOADD, GEOPOS, GEODIST,
// GEOHASH, GEORADIUS(_RO), GEORADIUSBYMEMBER(_RO), GEOSEARCH and
// GEOSEARCHSTORE. A geo set is a sorted set whose scores are 52-bit
// geohashes (26 bits of longitude interleaved with 26 of latitude, over
// Redis's latitude range of ±85.05112878, the Web Mercator limit), so
// every sorted set command works on it and its bytes are Redis's.
//
// A search covers the geohash cell of the center, at the precision its
// radius calls for, and the 8 cells around it (Redis's
// geohashCalculateAreasByShapeWGS84: the same step estimate, the same
// step decrease near a cell's edge, the same cells left out), reading
// each as a score range in order, so unsorted results come in Redis's
// order; distances are the haversine on Redis's earth radius.

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/keeldb/keel/memtables"
)

const (
	geoStepMax      = 26
	geoLatMin       = -85.05112878
	geoLatMax       = 85.05112878
	geoLongMin      = -180.0
	geoLongMax      = 180.0
	earthRadiusM    = 6372797.560856
	mercatorMax     = 20037726.37
	degToRad        = math.Pi / 180.0
	geoAlphabet     = "0123456789bcdefghjkmnpqrstuvwxyz"
	errGeoNoMember  = "ERR could not decode requested zset member"
	errGeoBadUnit   = "ERR unsupported unit provided. please use M, KM, FT, MI"
	errGeoNeedCount = "ERR the ANY argument requires COUNT argument"
)

// geoHash is a geohash of step bits per coordinate (Redis's GeoHashBits).
type geoHash struct {
	bits uint64
	step uint
}

func (h geoHash) zero() bool { return h.bits == 0 && h.step == 0 }

type geoRange struct{ min, max float64 }

// interleave64 puts x's bits at the even positions and y's at the odd.
func interleave64(x, y uint32) uint64 {
	spread := func(v uint64) uint64 {
		v = (v | v<<16) & 0x0000FFFF0000FFFF
		v = (v | v<<8) & 0x00FF00FF00FF00FF
		v = (v | v<<4) & 0x0F0F0F0F0F0F0F0F
		v = (v | v<<2) & 0x3333333333333333
		v = (v | v<<1) & 0x5555555555555555
		return v
	}
	return spread(uint64(x)) | spread(uint64(y))<<1
}

// deinterleave64 returns the even bits in the low 32 and the odd bits in
// the high 32.
func deinterleave64(v uint64) uint64 {
	squash := func(x uint64) uint64 {
		x &= 0x5555555555555555
		x = (x | x>>1) & 0x3333333333333333
		x = (x | x>>2) & 0x0F0F0F0F0F0F0F0F
		x = (x | x>>4) & 0x00FF00FF00FF00FF
		x = (x | x>>8) & 0x0000FFFF0000FFFF
		x = (x | x>>16) & 0x00000000FFFFFFFF
		return x
	}
	return squash(v) | squash(v>>1)<<32
}

// geohashEncode is Redis's geohashEncode: latitude in the even bits,
// longitude in the odd ones; ok is false outside the ranges.
func geohashEncode(lonR, latR geoRange, lon, lat float64, step uint) (geoHash, bool) {
	if lon > 180 || lon < -180 || lat > 85.05112878 || lat < -85.05112878 {
		return geoHash{}, false
	}
	if lat < latR.min || lat > latR.max || lon < lonR.min || lon > lonR.max {
		return geoHash{step: step}, false
	}
	latOff := (lat - latR.min) / (latR.max - latR.min)
	lonOff := (lon - lonR.min) / (lonR.max - lonR.min)
	latOff *= float64(uint64(1) << step)
	lonOff *= float64(uint64(1) << step)
	return geoHash{bits: interleave64(uint32(latOff), uint32(lonOff)), step: step}, true
}

var (
	geoLonRange = geoRange{geoLongMin, geoLongMax}
	geoLatRange = geoRange{geoLatMin, geoLatMax}
)

// geohashDecode is the cell a hash names.
func geohashDecode(lonR, latR geoRange, h geoHash) (lon, lat geoRange) {
	sep := deinterleave64(h.bits)
	latScale, lonScale := latR.max-latR.min, lonR.max-lonR.min
	ilat, ilon := uint32(sep), uint32(sep>>32)
	div := float64(uint64(1) << h.step)
	lat.min = latR.min + (float64(ilat)*1.0/div)*latScale
	lat.max = latR.min + ((float64(ilat)+1)*1.0/div)*latScale
	lon.min = lonR.min + (float64(ilon)*1.0/div)*lonScale
	lon.max = lonR.min + ((float64(ilon)+1)*1.0/div)*lonScale
	return lon, lat
}

// geoDecodeScore is the point a 52-bit score stands for: its cell's
// center, within the ranges.
func geoDecodeScore(score float64) (lon, lat float64) {
	lonR, latR := geohashDecode(geoLonRange, geoLatRange, geoHash{bits: uint64(score), step: geoStepMax})
	lon = (lonR.min + lonR.max) / 2
	lon = math.Min(math.Max(lon, geoLongMin), geoLongMax)
	lat = (latR.min + latR.max) / 2
	lat = math.Min(math.Max(lat, geoLatMin), geoLatMax)
	return lon, lat
}

func geoScore(lon, lat float64) float64 {
	h, _ := geohashEncode(geoLonRange, geoLatRange, lon, lat, geoStepMax)
	return float64(h.bits << (52 - h.step*2))
}

func degRad(d float64) float64 { return d * degToRad }
func radDeg(r float64) float64 { return r / degToRad }

// geoLatDistance is the distance between two latitudes on a meridian.
func geoLatDistance(lat1, lat2 float64) float64 {
	return earthRadiusM * math.Abs(degRad(lat2)-degRad(lat1))
}

// geoDistance is the haversine distance in meters (Redis's
// geohashGetDistance).
func geoDistance(lon1, lat1, lon2, lat2 float64) float64 {
	lon1r, lon2r := degRad(lon1), degRad(lon2)
	v := crSin((lon2r - lon1r) / 2)
	if v == 0 {
		return geoLatDistance(lat1, lat2)
	}
	lat1r, lat2r := degRad(lat1), degRad(lat2)
	u := crSin((lat2r - lat1r) / 2)
	a := u*u + crCos(lat1r)*crCos(lat2r)*v*v
	return 2.0 * earthRadiusM * crAsin(math.Sqrt(a))
}

// geoUnit parses a distance unit: meters per unit.
func geoUnit(b []byte) (float64, bool) {
	switch lower(b) {
	case "m":
		return 1, true
	case "km":
		return 1000, true
	case "ft":
		return 0.3048, true
	case "mi":
		return 1609.34, true
	}
	return 0, false
}

// parseLonLat reads a longitude and latitude (Redis's
// extractLongLatOrReply).
func (c *Ctx) parseLonLat(lonArg, latArg []byte) (lon, lat float64, ok bool) {
	lon, ok1 := zsetParseScore(lonArg)
	if !ok1 {
		c.Error(errNotFloat)
		return 0, 0, false
	}
	lat, ok2 := zsetParseScore(latArg)
	if !ok2 {
		c.Error(errNotFloat)
		return 0, 0, false
	}
	if lon < geoLongMin || lon > geoLongMax || lat < geoLatMin || lat > geoLatMax {
		c.Error("ERR invalid longitude,latitude pair " + cFixed6(lon) + "," + cFixed6(lat))
		return 0, 0, false
	}
	return lon, lat, true
}

// cFixed6 is C's "%f": six decimals, "inf" and "-inf".
func cFixed6(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'f', 6, 64)
}

// formatGeoCoord formats a coordinate as Redis's addReplyHumanLongDouble:
// 17 decimals of its exact value, trailing zeros (and a bare point)
// dropped.
func formatGeoCoord(f float64) string {
	return strings.TrimSuffix(strings.TrimRight(strconv.FormatFloat(f, 'f', 17, 64), "0"), ".")
}

// replyGeoCoord writes a coordinate: a bulk string (RESP2) or a double.
func (c *Ctx) replyGeoCoord(f float64) {
	if c.R.Proto() == 3 {
		c.R.Double(f)
		return
	}
	c.R.BulkString(formatGeoCoord(f))
}

// replyGeoDistance writes a distance as Redis's addReplyDoubleDistance.
func (c *Ctx) replyGeoDistance(d float64) { c.R.BulkString(strconv.FormatFloat(d, 'f', 4, 64)) }

func cmdGeoAdd(c *Ctx) {
	longidx := 2
	nx, xx := false, false
	for ; longidx < len(c.Args); longidx++ {
		a := c.Args[longidx]
		if eqFold(a, "nx") {
			nx = true
		} else if eqFold(a, "xx") {
			xx = true
		} else if !eqFold(a, "ch") {
			break
		}
	}
	if (len(c.Args)-longidx)%3 != 0 || (xx && nx) {
		c.Error(errSyntax)
		return
	}
	// GEOADD is ZADD of the geohashes, as in Redis.
	n := (len(c.Args) - longidx) / 3
	args := make([][]byte, 0, longidx+2*n)
	args = append(args, []byte("zadd"))
	args = append(args, c.Args[1:longidx]...)
	for i := 0; i < n; i++ {
		at := longidx + 3*i
		lon, lat, ok := c.parseLonLat(c.Args[at], c.Args[at+1])
		if !ok {
			return
		}
		args = append(args, strconv.AppendUint(nil, uint64(geoScore(lon, lat)), 10), c.Args[at+2])
	}
	c.Args = args
	cmdZAdd(c)
}

// geoMember is member m's score in z (found: z exists).
func geoMember(z *memtables.ZSet, found bool, m []byte) (float64, bool) {
	if !found {
		return 0, false
	}
	return z.Score(string(m))
}

func cmdGeoPos(c *Ctx) {
	z, found, ok := c.readZSet(c.Args[1])
	if !ok {
		return
	}
	c.R.Array(len(c.Args) - 2)
	for _, m := range c.Args[2:] {
		score, in := geoMember(z, found, m)
		if !in {
			c.R.NullArray()
			continue
		}
		lon, lat := geoDecodeScore(score)
		c.R.Array(2)
		c.replyGeoCoord(lon)
		c.replyGeoCoord(lat)
	}
}

func cmdGeoDist(c *Ctx) {
	toMeters := 1.0
	if len(c.Args) == 5 {
		var ok bool
		if toMeters, ok = geoUnit(c.Args[4]); !ok {
			c.Error(errGeoBadUnit)
			return
		}
	} else if len(c.Args) > 5 {
		c.Error(errSyntax)
		return
	}
	z, found, ok := c.readZSet(c.Args[1])
	if !ok {
		return
	}
	if !found {
		c.R.Null()
		return
	}
	s1, in1 := z.Score(string(c.Args[2]))
	s2, in2 := z.Score(string(c.Args[3]))
	if !in1 || !in2 {
		c.R.Null()
		return
	}
	lon1, lat1 := geoDecodeScore(s1)
	lon2, lat2 := geoDecodeScore(s2)
	c.replyGeoDistance(geoDistance(lon1, lat1, lon2, lat2) / toMeters)
}

func cmdGeoHash(c *Ctx) {
	z, found, ok := c.readZSet(c.Args[1])
	if !ok {
		return
	}
	c.R.Array(len(c.Args) - 2)
	for _, m := range c.Args[2:] {
		score, in := geoMember(z, found, m)
		if !in {
			c.R.Null()
			continue
		}
		// Re-encoded over the standard ranges (latitude ±90) for a
		// geohash any other tool reads.
		lon, lat := geoDecodeScore(score)
		h, _ := geohashEncode(geoRange{-180, 180}, geoRange{-90, 90}, lon, lat, geoStepMax)
		var buf [11]byte
		for i := range buf {
			idx := uint64(0)
			if i < 10 {
				idx = (h.bits >> (52 - uint((i+1)*5))) & 0x1f
			}
			buf[i] = geoAlphabet[idx]
		}
		c.R.Bulk(buf[:])
	}
}

// ---- searches ----

// geoShape is a search's area: a circle (radius) or a box (width,
// height), in the unit conversion says (meters per unit).
type geoShape struct {
	box           bool
	lon, lat      float64
	radius        float64
	width, height float64
	conversion    float64
}

// geoPoint is a search result.
type geoPoint struct {
	lon, lat float64
	dist     float64 // meters
	score    float64
	member   string
}

// bounds is the shape's bounding box (Redis's geohashBoundingBox).
func (s *geoShape) bounds() (minLon, minLat, maxLon, maxLat float64) {
	height, width := s.conversion*s.radius, s.conversion*s.radius
	if s.box {
		height, width = s.conversion*s.height/2, s.conversion*s.width/2
	}
	latDelta := radDeg(height / earthRadiusM)
	lonDeltaTop := radDeg(width / earthRadiusM / crCos(degRad(s.lat+latDelta)))
	lonDeltaBottom := radDeg(width / earthRadiusM / crCos(degRad(s.lat-latDelta)))
	if s.lat < 0 { // the southern hemisphere's widest edge is its top
		minLon, maxLon = s.lon-lonDeltaBottom, s.lon+lonDeltaBottom
	} else {
		minLon, maxLon = s.lon-lonDeltaTop, s.lon+lonDeltaTop
	}
	return minLon, s.lat - latDelta, maxLon, s.lat + latDelta
}

// geoEstimateSteps is the geohash precision whose cells cover a radius
// (Redis's geohashEstimateStepsByRadius).
func geoEstimateSteps(rangeMeters, lat float64) uint {
	if rangeMeters == 0 {
		return 26
	}
	step := 1
	for rangeMeters < mercatorMax {
		rangeMeters *= 2
		step++
	}
	step -= 2
	if lat > 66 || lat < -66 {
		step--
		if lat > 80 || lat < -80 {
			step--
		}
	}
	return uint(min(max(step, 1), 26))
}

// geoMove moves h one cell along the coordinate whose bits own selects
// (the odd bits: longitude; the even: latitude), by d (+1 or -1), wrapping
// around, as Redis's geohash_move_x and geohash_move_y.
func geoMove(h *geoHash, d int, own, other uint64) {
	v := h.bits & own
	keep := h.bits & other
	zz := other >> (64 - h.step*2)
	if d > 0 {
		v += zz + 1
	} else {
		v |= zz
		v -= zz + 1
	}
	v &= own >> (64 - h.step*2)
	h.bits = v | keep
}

const (
	geoOddBits  = 0xaaaaaaaaaaaaaaaa // longitude
	geoEvenBits = 0x5555555555555555 // latitude
)

// geoNeighbors are a cell's 8 neighbors, in Redis's order after the cell
// itself: north, south, east, west, north-east, north-west, south-east,
// south-west.
func geoNeighbors(h geoHash) [8]geoHash {
	moved := func(dx, dy int) geoHash {
		n := h
		if dx != 0 {
			geoMove(&n, dx, geoOddBits, geoEvenBits)
		}
		if dy != 0 {
			geoMove(&n, dy, geoEvenBits, geoOddBits)
		}
		return n
	}
	return [8]geoHash{moved(0, 1), moved(0, -1), moved(1, 0), moved(-1, 0), moved(1, 1), moved(-1, 1), moved(1, -1), moved(-1, -1)}
}

// geoCells are the cells a search reads (Redis's
// geohashCalculateAreasByShapeWGS84): the center's and its neighbors,
// zero where a neighbor is known to be outside the shape.
func (s *geoShape) cells() [9]geoHash {
	minLon, minLat, maxLon, maxLat := s.bounds()
	radius := s.radius
	if s.box {
		radius = math.Sqrt((s.width/2)*(s.width/2) + (s.height/2)*(s.height/2))
	}
	radius *= s.conversion
	steps := geoEstimateSteps(radius, s.lat)
	hash, _ := geohashEncode(geoLonRange, geoLatRange, s.lon, s.lat, steps)
	nb := geoNeighbors(hash)
	const north, south, east, west, ne, nw, se, sw = 0, 1, 2, 3, 4, 5, 6, 7
	_, northLat := geohashDecode(geoLonRange, geoLatRange, nb[north])
	_, southLat := geohashDecode(geoLonRange, geoLatRange, nb[south])
	eastLon, _ := geohashDecode(geoLonRange, geoLatRange, nb[east])
	westLon, _ := geohashDecode(geoLonRange, geoLatRange, nb[west])
	decrease := northLat.max < maxLat || southLat.min > minLat || eastLon.max < maxLon || westLon.min > minLon
	if steps > 1 && decrease {
		steps--
		hash, _ = geohashEncode(geoLonRange, geoLatRange, s.lon, s.lat, steps)
		nb = geoNeighbors(hash)
	}
	areaLon, areaLat := geohashDecode(geoLonRange, geoLatRange, hash)
	if steps >= 2 {
		drop := func(ids ...int) {
			for _, i := range ids {
				nb[i] = geoHash{}
			}
		}
		if areaLat.min < minLat {
			drop(south, sw, se)
		}
		if areaLat.max > maxLat {
			drop(north, ne, nw)
		}
		if areaLon.min < minLon {
			drop(west, sw, nw)
		}
		if areaLon.max > maxLon {
			drop(east, se, ne)
		}
	}
	var out [9]geoHash
	out[0] = hash
	copy(out[1:], nb[:])
	return out
}

// within reports whether the point of score is in the shape, and its
// distance from the center in meters.
func (s *geoShape) within(score float64) (p geoPoint, ok bool) {
	p.lon, p.lat = geoDecodeScore(score)
	p.score = score
	if !s.box {
		p.dist = geoDistance(s.lon, s.lat, p.lon, p.lat)
		return p, p.dist <= s.radius*s.conversion
	}
	lonDist := geoDistance(p.lon, p.lat, s.lon, p.lat)
	latDist := geoLatDistance(p.lat, s.lat) // geoDistance's own path for equal longitudes
	if lonDist > s.width*s.conversion/2 || latDist > s.height*s.conversion/2 {
		return p, false
	}
	p.dist = geoDistance(s.lon, s.lat, p.lon, p.lat)
	return p, true
}

// search collects the points of z in the shape, cell by cell in Redis's
// order, each cell as a score range; limit > 0 stops at that many (ANY).
func (s *geoShape) search(z *memtables.ZSet, limit int) []geoPoint {
	var out []geoPoint
	cells := s.cells()
	last := -1
	for i, h := range cells {
		if h.zero() {
			continue
		}
		// A huge radius can make neighbors the same cell.
		if last >= 0 && h == cells[last] {
			continue
		}
		if limit > 0 && len(out) >= limit {
			break
		}
		lo := float64(h.bits << (52 - h.step*2))
		h.bits++
		hi := float64(h.bits << (52 - h.step*2))
		r := memtables.ScoreRange{Min: lo, Max: hi, MaxEx: true}
		z.ByScore(r, false, 0, -1, func(member string, score float64) bool {
			if p, ok := s.within(score); ok {
				p.member = member
				out = append(out, p)
			}
			return !(limit > 0 && len(out) >= limit)
		})
		last = i
	}
	return out
}

// geoSearch flags (Redis's georadiusGeneric).
const (
	geoRadiusCoords = 1 << iota // GEORADIUS
	geoRadiusMember             // GEORADIUSBYMEMBER
	geoNoStore                  // the _RO forms
	geoSearchCmd                // GEOSEARCH
	geoSearchStore              // GEOSEARCHSTORE
)

// parseGeoDistance reads a radius and its unit (extractDistanceOrReply).
func (c *Ctx) parseGeoDistance(val, unit []byte) (radius, conv float64, ok bool) {
	radius, ok = zsetParseScore(val)
	if !ok {
		c.Error("ERR need numeric radius")
		return 0, 0, false
	}
	if radius < 0 {
		c.Error("ERR radius cannot be negative")
		return 0, 0, false
	}
	if conv, ok = geoUnit(unit); !ok {
		c.Error(errGeoBadUnit)
		return 0, 0, false
	}
	return radius, conv, true
}

// georadiusGeneric is GEORADIUS, GEORADIUSBYMEMBER (and their _RO
// forms), GEOSEARCH and GEOSEARCHSTORE.
func (c *Ctx) georadiusGeneric(srcAt int, flags int) {
	args := c.Args
	src := args[srcAt]
	z, found, ok := c.readZSet(src)
	if !ok {
		return
	}
	var storeKey []byte
	storeDist := false
	var shape geoShape
	base := 0
	switch {
	case flags&geoRadiusCoords != 0:
		base = 6
		if shape.lon, shape.lat, ok = c.parseLonLat(args[2], args[3]); !ok {
			return
		}
		if shape.radius, shape.conversion, ok = c.parseGeoDistance(args[4], args[5]); !ok {
			return
		}
	case flags&geoRadiusMember != 0 && !found:
		base = 5
	case flags&geoRadiusMember != 0:
		base = 5
		score, in := z.Score(string(args[2]))
		if !in {
			c.Error(errGeoNoMember)
			return
		}
		shape.lon, shape.lat = geoDecodeScore(score)
		if shape.radius, shape.conversion, ok = c.parseGeoDistance(args[3], args[4]); !ok {
			return
		}
	default:
		base = 2
		if flags&geoSearchStore != 0 {
			base = 3
			storeKey = args[1]
		}
	}
	withDist, withHash, withCoord := false, false, false
	fromMember, fromLoc, byRadius, byBox := false, false, false, false
	sortDir := 0 // 1 ascending, -1 descending
	anyMatch := false
	var count int64
	search := flags&geoSearchCmd != 0
	for i := base; i < len(args); i++ {
		a := args[i]
		rest := len(args) - 1 - i
		switch {
		case eqFold(a, "withdist"):
			withDist = true
		case eqFold(a, "withhash"):
			withHash = true
		case eqFold(a, "withcoord"):
			withCoord = true
		case eqFold(a, "any"):
			anyMatch = true
		case eqFold(a, "asc"):
			sortDir = 1
		case eqFold(a, "desc"):
			sortDir = -1
		case eqFold(a, "count") && rest >= 1:
			n, okN := parseInt(args[i+1])
			if !okN {
				c.Error(errNotInt)
				return
			}
			if n <= 0 {
				c.Error("ERR COUNT must be > 0")
				return
			}
			count = n
			i++
		case (eqFold(a, "store") || eqFold(a, "storedist")) && rest >= 1 && flags&geoNoStore == 0 && !search:
			storeKey = args[i+1]
			storeDist = eqFold(a, "storedist")
			i++
		case eqFold(a, "storedist") && search && flags&geoSearchStore != 0:
			storeDist = true
		case eqFold(a, "frommember") && rest >= 1 && search && !fromLoc:
			if found {
				score, in := z.Score(string(args[i+1]))
				if !in {
					c.Error(errGeoNoMember)
					return
				}
				shape.lon, shape.lat = geoDecodeScore(score)
			}
			fromMember = true
			i++
		case eqFold(a, "fromlonlat") && rest >= 2 && search && !fromMember:
			if shape.lon, shape.lat, ok = c.parseLonLat(args[i+1], args[i+2]); !ok {
				return
			}
			fromLoc = true
			i += 2
		case eqFold(a, "byradius") && rest >= 2 && search && !byBox:
			if shape.radius, shape.conversion, ok = c.parseGeoDistance(args[i+1], args[i+2]); !ok {
				return
			}
			shape.box = false
			byRadius = true
			i += 2
		case eqFold(a, "bybox") && rest >= 3 && search && !byRadius:
			w, okW := zsetParseScore(args[i+1])
			if !okW {
				c.Error("ERR need numeric width")
				return
			}
			h, okH := zsetParseScore(args[i+2])
			if !okH {
				c.Error("ERR need numeric height")
				return
			}
			if w < 0 || h < 0 {
				c.Error("ERR height or width cannot be negative")
				return
			}
			conv, okU := geoUnit(args[i+3])
			if !okU {
				c.Error(errGeoBadUnit)
				return
			}
			shape.box, shape.width, shape.height, shape.conversion = true, w, h, conv
			byBox = true
			i += 3
		default:
			c.Error(errSyntax)
			return
		}
	}
	if storeKey != nil && (withDist || withHash || withCoord) {
		what := "STORE option in GEORADIUS"
		if flags&geoSearchStore != 0 {
			what = "GEOSEARCHSTORE"
		}
		c.Error(fmt.Sprintf("ERR %s is not compatible with WITHDIST, WITHHASH and WITHCOORD options", what))
		return
	}
	if search && !(fromMember || fromLoc) {
		c.Error(fmt.Sprintf("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for %s", args[0]))
		return
	}
	if search && !(byRadius || byBox) {
		c.Error(fmt.Sprintf("ERR exactly one of BYRADIUS and BYBOX can be specified for %s", args[0]))
		return
	}
	if anyMatch && count == 0 {
		c.Error(errGeoNeedCount)
		return
	}
	if !found {
		if storeKey != nil {
			if c.deleteIfExists(storeKey) {
				c.notify(NotifyGeneric, "del", storeKey)
			}
			c.R.Int(0)
		} else {
			c.R.Array(0)
		}
		return
	}
	if count != 0 && sortDir == 0 && !anyMatch {
		sortDir = 1 // the closest N
	}
	limit := 0
	if anyMatch {
		limit = int(count)
	}
	points := shape.search(z, limit)
	if len(points) == 0 && storeKey == nil {
		c.R.Array(0)
		return
	}
	n := len(points)
	if count != 0 && int64(n) > count {
		n = int(count)
	}
	switch sortDir {
	case 1:
		sort.SliceStable(points, func(i, j int) bool { return points[i].dist < points[j].dist })
	case -1:
		sort.SliceStable(points, func(i, j int) bool { return points[i].dist > points[j].dist })
	}
	points = points[:n]
	if storeKey == nil {
		opts := 0
		for _, on := range []bool{withDist, withHash, withCoord} {
			if on {
				opts++
			}
		}
		c.R.Array(n)
		for _, p := range points {
			if opts > 0 {
				c.R.Array(opts + 1)
			}
			c.R.BulkString(p.member)
			if withDist {
				c.replyGeoDistance(p.dist / shape.conversion)
			}
			if withHash {
				c.R.Int(int64(p.score))
			}
			if withCoord {
				c.R.Array(2)
				c.replyGeoCoord(p.lon)
				c.replyGeoCoord(p.lat)
			}
		}
		return
	}
	es := make([]memtables.ZEntry, n)
	for i, p := range points {
		score := p.score
		if storeDist {
			score = p.dist / shape.conversion
		}
		es[i] = memtables.ZEntry{Member: p.member, Score: score}
	}
	// The store is a new sorted set, in the engine's order whatever the
	// search's, as ZUNIONSTORE's result is.
	slices.SortFunc(es, zentryCmp)
	event := "georadiusstore"
	if search {
		event = "geosearchstore"
	}
	c.storeZSetResult(storeKey, es, event)
}

func cmdGeoRadius(c *Ctx)           { c.georadiusGeneric(1, geoRadiusCoords) }
func cmdGeoRadiusRO(c *Ctx)         { c.georadiusGeneric(1, geoRadiusCoords|geoNoStore) }
func cmdGeoRadiusByMember(c *Ctx)   { c.georadiusGeneric(1, geoRadiusMember) }
func cmdGeoRadiusByMemberRO(c *Ctx) { c.georadiusGeneric(1, geoRadiusMember|geoNoStore) }
func cmdGeoSearch(c *Ctx)           { c.georadiusGeneric(1, geoSearchCmd) }
func cmdGeoSearchStore(c *Ctx)      { c.georadiusGeneric(2, geoSearchCmd|geoSearchStore) }

// georadiusKeys finds GEORADIUS's keys: the source, and a STORE or
// STOREDIST destination (Redis's georadiusGetKeys).
func georadiusKeys(argv [][]byte) []int {
	keys := []int{1}
	for i := 5; i < len(argv)-1; i++ {
		if eqFold(argv[i], "store") || eqFold(argv[i], "storedist") {
			keys = append(keys, i+1)
			i++
		}
	}
	return keys
}

func init() {
	g := "geo"
	w := []string{"write", "geo", "slow"}
	r := []string{"read", "geo", "slow"}
	Register(
		&Command{Name: "geoadd", Arity: -5, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1, ACL: w, Group: g, Summary: "Adds one or more members to a geospatial index. The key is created if it doesn't exist.", Since: "3.2.0", Handler: cmdGeoAdd},
		&Command{Name: "geopos", Arity: -2, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, ACL: r, Group: g, Summary: "Returns the longitude and latitude of members from a geospatial index.", Since: "3.2.0", Handler: cmdGeoPos},
		&Command{Name: "geodist", Arity: -4, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, ACL: r, Group: g, Summary: "Returns the distance between two members of a geospatial index.", Since: "3.2.0", Handler: cmdGeoDist},
		&Command{Name: "geohash", Arity: -2, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, ACL: r, Group: g, Summary: "Returns members from a geospatial index as geohash strings.", Since: "3.2.0", Handler: cmdGeoHash},
		&Command{Name: "georadius", Arity: -6, Flags: FlagWrite | FlagDenyOOM | FlagMovableKeys, FirstKey: 1, LastKey: 1, Step: 1, KeysFunc: georadiusKeys, ACL: w, Group: g, Summary: "Queries a geospatial index for members within a distance from a coordinate, optionally stores the result.", Since: "3.2.0", Handler: cmdGeoRadius},
		&Command{Name: "georadius_ro", Arity: -6, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, ACL: r, Group: g, Summary: "Returns members from a geospatial index that are within a distance from a coordinate.", Since: "3.2.10", Handler: cmdGeoRadiusRO},
		&Command{Name: "georadiusbymember", Arity: -5, Flags: FlagWrite | FlagDenyOOM | FlagMovableKeys, FirstKey: 1, LastKey: 1, Step: 1, KeysFunc: georadiusKeys, ACL: w, Group: g, Summary: "Queries a geospatial index for members within a distance from a member, optionally stores the result.", Since: "3.2.0", Handler: cmdGeoRadiusByMember},
		&Command{Name: "georadiusbymember_ro", Arity: -5, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, ACL: r, Group: g, Summary: "Returns members from a geospatial index that are within a distance from a member.", Since: "3.2.10", Handler: cmdGeoRadiusByMemberRO},
		&Command{Name: "geosearch", Arity: -7, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, ACL: r, Group: g, Summary: "Queries a geospatial index for members inside an area of a box or a circle.", Since: "6.2.0", Handler: cmdGeoSearch},
		&Command{Name: "geosearchstore", Arity: -8, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 2, Step: 1, ACL: w, Group: g, Summary: "Queries a geospatial index for members inside an area of a box or a circle, optionally stores the result.", Since: "6.2.0", Handler: cmdGeoSearchStore},
	)
}
