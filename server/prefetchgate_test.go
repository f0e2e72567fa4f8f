package server

import (
	"math/rand/v2"
	"testing"
)

// gateRounds runs rounds rounds of cmds commands through g, each taking
// cost(prefetch) nanoseconds per command, and returns how many
// prefetched.
func gateRounds(g *prefetchGate, rounds, cmds int, cost func(prefetch bool) float64) (prefetched int) {
	for range rounds {
		prefetch, timed := g.arm()
		var ns int64
		if timed {
			ns = int64(cost(prefetch) * float64(cmds))
		}
		g.done(prefetch, ns, cmds)
		prefetched += b2i(prefetch)
	}
	return prefetched
}

// noisy returns a cost of on ns per command with a prefetch and off
// without, each round off by up to ±noise of it, drawn from seed.
func noisy(seed uint64, on, off, noise float64) func(bool) float64 {
	r := rand.New(rand.NewPCG(seed, 0))
	return func(prefetch bool) float64 {
		c := off
		if prefetch {
			c = on
		}
		return c * (1 + noise*(2*r.Float64()-1))
	}
}

const gateCycle = steadyRounds + trialRounds

// TestPrefetchGateFollowsTheFasterArm: the gate turns the prefetch off
// after the first trial in which rounds without it were faster (hot
// data), keeps it off while they stay faster, paying half a trial each
// cycle, and turns it on again when the data goes cold.
func TestPrefetchGateFollowsTheFasterArm(t *testing.T) {
	var g prefetchGate
	hot, cold := noisy(1, 100, 82, 0.05), noisy(2, 100, 112, 0.05)
	if n := gateRounds(&g, gateCycle, 400, hot); !g.off || n != steadyRounds+trialRounds/2 {
		t.Fatalf("hot, first cycle: off %v after %d rounds that prefetched, want off after %d", g.off, n, steadyRounds+trialRounds/2)
	}
	if n := gateRounds(&g, 10*gateCycle, 400, hot); !g.off || n != 10*trialRounds/2 {
		t.Fatalf("hot, ten cycles: off %v, %d rounds prefetched, want off and %d (the trials' half)", g.off, n, 10*trialRounds/2)
	}
	gateRounds(&g, gateCycle, 400, cold)
	if g.off || g.switches != 2 {
		t.Fatalf("cold: off %v after %d switches, want on after 2", g.off, g.switches)
	}
	if n := gateRounds(&g, 10*gateCycle, 400, cold); g.off || n != 10*gateCycle-10*trialRounds/2 {
		t.Fatalf("cold, ten cycles: off %v, %d rounds prefetched, want on and %d", g.off, n, 10*gateCycle-10*trialRounds/2)
	}
}

// TestPrefetchGateHolds: arms within switchMargin of each other leave the
// choice as it is, whichever it is: the gate does not flap on noise.
func TestPrefetchGateHolds(t *testing.T) {
	for _, off := range []bool{false, true} {
		g := prefetchGate{off: off}
		gateRounds(&g, 50*gateCycle, 400, noisy(3, 100, 101.5, 0.02))
		if g.off != off || g.switches != 0 {
			t.Errorf("equal arms from off=%v: off %v after %d switches", off, g.off, g.switches)
		}
	}
}

// TestPrefetchGateOutliers: rounds that something else stopped (one in
// eight of the faster arm's taking 50 times as long) do not decide.
func TestPrefetchGateOutliers(t *testing.T) {
	var g prefetchGate
	base := noisy(4, 100, 80, 0.05)
	i := 0
	cost := func(prefetch bool) float64 {
		c := base(prefetch)
		if !prefetch {
			if i++; i%8 == 0 {
				c *= 50
			}
		}
		return c
	}
	gateRounds(&g, 5*gateCycle, 400, cost)
	if !g.off || g.switches != 1 {
		t.Fatalf("off %v after %d switches, want off after 1", g.off, g.switches)
	}
}

// TestPrefetchGateIgnoresSingleCommands: rounds of fewer than two
// commands prefetch as the choice says and count for nothing: no trial
// starts, and nothing is timed.
func TestPrefetchGateIgnoresSingleCommands(t *testing.T) {
	var g prefetchGate
	timedRounds := 0
	for range 10 * gateCycle {
		prefetch, timed := g.arm()
		if !prefetch {
			t.Fatal("a single-command round did not prefetch with the gate on")
		}
		timedRounds += b2i(timed)
		if g.done(prefetch, 0, 1) {
			t.Fatal("a single-command round counted")
		}
	}
	if timedRounds != 0 || g.rounds != 0 || g.trial {
		t.Fatalf("%d timed rounds, %d counted, trial %v: want none", timedRounds, g.rounds, g.trial)
	}
}
