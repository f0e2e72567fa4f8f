package server

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/keeldb/keel"
)

// LOLWUT [VERSION v] [args...], as Redis 7.0's lolwut.c: Redis 7 has no
// art of its own and answers its version; VERSION 5 draws Georg Nees's
// Schotter in Braille (lolwut5.c), VERSION 6 a city skyline in the
// terminal's four grays (lolwut6.c), both random as Redis's are. Ported
// with C's float arithmetic, so that a drawing without randomness (a
// Schotter of at most two rows of squares) is Redis's, byte for byte.

func lolwutCommandDef() *keel.Command {
	return &keel.Command{Name: "lolwut", Arity: -1, Flags: keel.FlagReadonly | keel.FlagFast | keel.FlagNoLock, ACL: []string{"read", "fast"},
		Group: "server", Summary: "Displays computer art and the Redis version", Since: "5.0.0", Handler: cmdLolwut}
}

func cmdLolwut(c *keel.Ctx) {
	v := Version
	args := c.Args[1:]
	if len(c.Args) >= 3 && strings.EqualFold(string(c.Args[1]), "version") {
		n, err := strconv.ParseInt(string(c.Args[2]), 10, 64)
		if err != nil {
			c.R.Error("ERR value is not an integer or out of range")
			return
		}
		v = fmt.Sprintf("%d.0.0", uint32(n)) // C's (unsigned int) and %u
		args = c.Args[3:]
	}
	switch {
	case v[0] == '5' && v[1] == '.' && v[2] != '9', v[0] == '4' && v[1] == '.' && v[2] == '9':
		lolwut5(c, args)
	case v[0] == '6' && v[1] == '.' && v[2] != '9', v[0] == '5' && v[1] == '.' && v[2] == '9':
		lolwut6(c, args)
	default:
		c.R.Verbatim("Redis ver. " + Version + "\n")
	}
}

// lolwutArgs parses up to len(vals) integer arguments into vals, clamped
// to [1, limits[i]]; false when one is not an integer (replied).
func lolwutArgs(c *keel.Ctx, args [][]byte, vals, limits []int) bool {
	for i := range vals {
		if i < len(args) {
			n, err := strconv.ParseInt(string(args[i]), 10, 64)
			if err != nil {
				c.R.Error("ERR value is not an integer or out of range")
				return false
			}
			vals[i] = int(max(min(n, int64(limits[i])), 1))
		}
	}
	return true
}

// lwCanvas is lolwut.c's canvas: a color per pixel.
type lwCanvas struct {
	width, height int
	pixels        []byte
}

func newCanvas(w, h int, bg byte) *lwCanvas {
	c := &lwCanvas{width: w, height: h, pixels: make([]byte, w*h)}
	for i := range c.pixels {
		c.pixels[i] = bg
	}
	return c
}

func (cv *lwCanvas) set(x, y int, color byte) {
	if x < 0 || x >= cv.width || y < 0 || y >= cv.height {
		return
	}
	cv.pixels[x+y*cv.width] = color
}

func (cv *lwCanvas) get(x, y int) byte {
	if x < 0 || x >= cv.width || y < 0 || y >= cv.height {
		return 0
	}
	return cv.pixels[x+y*cv.width]
}

// line is lwDrawLine (Bresenham).
func (cv *lwCanvas) line(x1, y1, x2, y2 int, color byte) {
	dx, dy := abs(x2-x1), abs(y2-y1)
	sx, sy := 1, 1
	if x1 >= x2 {
		sx = -1
	}
	if y1 >= y2 {
		sy = -1
	}
	err := dx - dy
	for {
		cv.set(x1, y1, color)
		if x1 == x2 && y1 == y2 {
			return
		}
		e2 := err * 2
		if e2 > -dy {
			err -= dy
			x1 += sx
		}
		if e2 < dx {
			err += dx
			y1 += sy
		}
	}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// square is lwDrawSquare, in C's float where C has float.
func (cv *lwCanvas) square(x, y int, size, angle float32, color byte) {
	size /= 1.4142135623
	size = float32(math.Round(float64(size)))
	var px, py [4]int
	k := float32(math.Pi/4) + angle
	for j := range 4 {
		px[j] = int(math.Round(math.Sin(float64(k))*float64(size) + float64(x)))
		py[j] = int(math.Round(math.Cos(float64(k))*float64(size) + float64(y)))
		k = float32(float64(k) + math.Pi/2)
	}
	for j := range 4 {
		cv.line(px[j], py[j], px[(j+1)%4], py[(j+1)%4], color)
	}
}

// lolwut5 is LOLWUT VERSION 5 [cols [squares-per-row [squares-per-col]]].
func lolwut5(c *keel.Ctx, args [][]byte) {
	v := []int{66, 8, 12}
	if !lolwutArgs(c, args, v, []int{1000, 200, 200}) {
		return
	}
	cols, perRow, perCol := v[0], v[1], v[2]
	width := cols * 2
	padding := 0
	if width > 4 {
		padding = 2
	}
	side := float32(width-padding*2) / float32(perRow)
	cv := newCanvas(width, int(side*float32(perCol)+float32(padding*2)), 0)
	for y := range perCol {
		for x := range perRow {
			sx := int(float32(x)*side + side/2 + float32(padding))
			sy := int(float32(y)*side + side/2 + float32(padding))
			var angle float32
			if y > 1 {
				r := func() float32 { return rand.Float32() / float32(perCol) * float32(y) }
				r1, r2, r3 := r(), r(), r()
				if rand.IntN(2) == 1 {
					r1 = -r1
				}
				if rand.IntN(2) == 1 {
					r2 = -r2
				}
				if rand.IntN(2) == 1 {
					r3 = -r3
				}
				angle = r1
				sx = int(float32(sx) + r2*side/3)
				sy = int(float32(sy) + r3*side/3)
			}
			cv.square(sx, sy, side, angle, 1)
		}
	}
	var b strings.Builder
	for y := 0; y < cv.height; y += 4 {
		for x := 0; x < cv.width; x += 2 {
			bits := 0
			for i, p := range [8][2]int{{0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}, {1, 2}, {0, 3}, {1, 3}} {
				if cv.get(x+p[0], y+p[1]) != 0 {
					bits |= 1 << i
				}
			}
			b.WriteRune(rune(0x2800 + bits))
		}
		if y != cv.height-1 {
			b.WriteByte('\n')
		}
	}
	b.WriteString("\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. " + Version + "\n")
	c.R.Verbatim(b.String())
}

// lolwut6 is LOLWUT VERSION 6 [cols [rows]].
func lolwut6(c *keel.Ctx, args [][]byte) {
	v := []int{80, 20}
	if !lolwutArgs(c, args, v, []int{1000, 1000}) {
		return
	}
	cv := newCanvas(v[0], v[1], 3)
	skyline(cv)
	var b strings.Builder
	for y := range cv.height {
		for x := range cv.width {
			ce := "0;30;40m"
			switch cv.get(x, y) {
			case 1:
				ce = "0;90;100m"
			case 2:
				ce = "0;37;47m"
			case 3:
				ce = "0;97;107m"
			}
			b.WriteString("\033[" + ce + " \033[0m")
		}
		if y != cv.height-1 {
			b.WriteByte('\n')
		}
	}
	b.WriteString("\nDedicated to the 8 bit game developers of past and present.\nOriginal 8 bit image from Plaguemon by hikikomori. Redis ver. " + Version + "\n")
	c.R.Verbatim(b.String())
}

type skyscraper struct {
	xoff, width, height int
	windows             bool
	color               byte
}

func (cv *lwCanvas) skyscraper(s skyscraper) {
	starty := cv.height - 1
	endy := starty - s.height + 1
	for y := starty; y >= endy; y-- {
		for x := s.xoff; x < s.xoff+s.width; x++ {
			if y == endy && (x <= s.xoff+1 || x >= s.xoff+s.width-2) {
				continue // the roof is four pixels narrower
			}
			color := s.color
			if s.windows && x > s.xoff+1 && x < s.xoff+s.width-2 && y > endy+1 && y < starty-1 {
				relx, rely := x-(s.xoff+1), y-(endy+1)
				if relx/2%2 != 0 && rely%2 != 0 {
					for color == s.color {
						color = byte(1 + rand.IntN(2))
					}
					if relx%2 != 0 {
						color = cv.get(x-1, y)
					}
				}
			}
			cv.set(x, y, color)
		}
	}
}

// skyline is generateSkyline: two rows of gray towers, then the black
// ones with windows.
func skyline(cv *lwCanvas) {
	for color := byte(2); color >= 1; color-- {
		for offset := -10; offset < cv.width; {
			offset += rand.IntN(8)
			s := skyscraper{xoff: offset, width: 10 + rand.IntN(9), color: color}
			if color == 2 {
				s.height = cv.height/2 + rand.IntN(1<<31)%cv.height/2
			} else {
				s.height = cv.height/2 + rand.IntN(1<<31)%cv.height/3
			}
			cv.skyscraper(s)
			if color == 2 {
				offset += s.width / 2
			} else {
				offset += s.width + 1
			}
		}
	}
	for offset := -10; offset < cv.width; {
		offset += rand.IntN(8)
		s := skyscraper{xoff: offset, width: 5 + rand.IntN(14), windows: true}
		if s.width%4 != 0 {
			s.width += s.width % 3
		}
		s.height = cv.height/3 + rand.IntN(1<<31)%cv.height/2
		cv.skyscraper(s)
		offset += s.width + 5
	}
}
