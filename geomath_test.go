package keel

import (
	"math"
	"math/big"
	"math/rand"
	"testing"
)

// bigSinCos is sin and cos of x to 300 bits, by their Taylor series.
func bigSinCos(x float64) (sin, cos *big.Float) {
	const prec = 300
	bx := new(big.Float).SetPrec(prec).SetFloat64(x)
	x2 := new(big.Float).SetPrec(prec).Mul(bx, bx)
	term := new(big.Float).SetPrec(prec).Set(bx)
	sin = new(big.Float).SetPrec(prec).Set(bx)
	cterm := new(big.Float).SetPrec(prec).SetFloat64(1)
	cos = new(big.Float).SetPrec(prec).SetFloat64(1)
	for k := 1; k < 120; k++ {
		cterm.Mul(cterm, x2).Quo(cterm, new(big.Float).SetPrec(prec).SetInt64(int64((2*k-1)*(2*k)))).Neg(cterm)
		term.Mul(term, x2).Quo(term, new(big.Float).SetPrec(prec).SetInt64(int64((2*k)*(2*k+1)))).Neg(term)
		cos.Add(cos, cterm)
		sin.Add(sin, term)
	}
	return sin, cos
}

// TestGeoMathCorrectlyRounded checks crSin, crCos and crAsin against
// 300-bit references on random arguments of the geo distance's ranges.
func TestGeoMathCorrectlyRounded(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 800; i++ {
		x := (r.Float64()*2 - 1) * math.Pi
		if i%3 == 0 {
			x *= 1e-4 // small angles: nearby points
		}
		s, c := bigSinCos(x)
		ws, _ := s.Float64()
		wc, _ := c.Float64()
		if got := crSin(x); got != ws {
			t.Fatalf("crSin(%v) = %v, want %v", x, got, ws)
		}
		if got := crCos(x); got != wc {
			t.Fatalf("crCos(%v) = %v, want %v", x, got, wc)
		}
		// asin: y is correctly rounded when sin of its neighbours brackets
		// the argument no better than sin of y does.
		a := r.Float64()
		y := crAsin(a)
		errOf := func(v float64) *big.Float {
			s, _ := bigSinCos(v)
			d := new(big.Float).SetPrec(300).Sub(s, new(big.Float).SetFloat64(a))
			return d.Abs(d)
		}
		e := errOf(y)
		if errOf(math.Nextafter(y, 2)).Cmp(e) < 0 || errOf(math.Nextafter(y, -2)).Cmp(e) < 0 {
			t.Fatalf("crAsin(%v) = %v is not the nearest", a, y)
		}
	}
}
