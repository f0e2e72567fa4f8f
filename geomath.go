package keel

import "math"

// Correctly rounded sin, cos and asin for the geo distance. Redis calls
// glibc's, which round correctly (to the nearest double) in practice;
// Go's math.Sin, Cos and Asin may be a unit in the last place off, which
// GEORADIUS ... STOREDIST stores as a score, so a Go result would differ
// from Redis's in the last digits of the stored distance. These compute
// in double-double arithmetic (about 32 significant digits) and round
// once: for the arguments a distance needs (|x| <= pi) that is the
// correctly rounded result but in cases closer to a rounding boundary
// than 1e-30, which no coordinate pair of 52-bit geohashes is likely to
// meet. TestGeoMathCorrectlyRounded checks them against math/big.

// dd is a double-double: the unevaluated sum hi + lo, |lo| <= ulp(hi)/2.
type dd struct{ hi, lo float64 }

func twoSum(a, b float64) dd {
	s := a + b
	v := s - a
	return dd{s, (a - (s - v)) + (b - v)}
}

func quickTwoSum(a, b float64) dd {
	s := a + b
	return dd{s, b - (s - a)}
}

func twoProd(a, b float64) dd {
	p := a * b
	return dd{p, math.FMA(a, b, -p)}
}

func (a dd) add(b dd) dd {
	s := twoSum(a.hi, b.hi)
	t := twoSum(a.lo, b.lo)
	s.lo += t.hi
	s = quickTwoSum(s.hi, s.lo)
	s.lo += t.lo
	return quickTwoSum(s.hi, s.lo)
}

func (a dd) neg() dd { return dd{-a.hi, -a.lo} }

func (a dd) mul(b dd) dd {
	p := twoProd(a.hi, b.hi)
	p.lo += a.hi*b.lo + a.lo*b.hi
	return quickTwoSum(p.hi, p.lo)
}

func (a dd) div(b dd) dd {
	q1 := a.hi / b.hi
	r := a.add(b.mul(dd{q1, 0}).neg())
	q2 := r.hi / b.hi
	r = r.add(b.mul(dd{q2, 0}).neg())
	q3 := r.hi / b.hi
	q := quickTwoSum(q1, q2)
	return q.add(dd{q3, 0})
}

// sinCosDD returns sin x and cos x in double-double, by their Taylor
// series (|x| <= pi: at most ~40 terms).
func sinCosDD(x float64) (sin, cos dd) {
	xd := dd{x, 0}
	x2 := xd.mul(xd)
	term := xd // x^(2k+1) / (2k+1)!
	sin = xd
	cterm := dd{1, 0} // x^(2k) / (2k)!
	cos = dd{1, 0}
	for k := 1; k < 60; k++ {
		cterm = cterm.mul(x2).div(dd{float64((2*k - 1) * (2 * k)), 0}).neg()
		term = term.mul(x2).div(dd{float64((2 * k) * (2*k + 1)), 0}).neg()
		cos = cos.add(cterm)
		sin = sin.add(term)
		if math.Abs(term.hi) < 1e-40 && math.Abs(cterm.hi) < 1e-40 {
			break
		}
	}
	return sin, cos
}

// crSin and crCos are sin and cos rounded to the nearest double.
func crSin(x float64) float64 {
	if x == 0 || math.Abs(x) > math.Pi {
		return math.Sin(x)
	}
	s, _ := sinCosDD(x)
	return s.hi + s.lo
}

func crCos(x float64) float64 {
	if math.Abs(x) > math.Pi {
		return math.Cos(x)
	}
	_, c := sinCosDD(x)
	return c.hi + c.lo
}

// crAsin is asin rounded to the nearest double: Go's estimate refined by
// Newton's method on sin in double-double.
func crAsin(x float64) float64 {
	if x == 0 || math.Abs(x) >= 1 || math.IsNaN(x) {
		return math.Asin(x)
	}
	y := dd{math.Asin(x), 0}
	for range 2 {
		s, c := sinCosDD(y.hi)
		// sin(y.hi + y.lo) ~ s + c*y.lo
		sy := s.add(c.mul(dd{y.lo, 0}))
		cy := c
		y = y.add(sy.add(dd{-x, 0}).div(cy).neg())
	}
	return y.hi + y.lo
}
