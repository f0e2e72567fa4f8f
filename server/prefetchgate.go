package server

import "slices"

// prefetchGate decides, round by round, whether an event loop prefetches
// (keel.DB.Prefetch: prefetchRound, and each pipeline's prefetch in
// process), by timing rounds both ways.
//
// Why: a prefetch pays when the requests' entries are out of the
// processor's caches, and costs when they are in them: it repeats each
// read's filter probes, block searches and index lookups for nothing.
// Measured per command in rounds at pipeline 16 (50 clients, the 2-core
// EPYC VM): GET of a million keys at random took 10–16% longer without
// the prefetch, GET of a thousand hot keys and HGET of a thousand hot
// fields of a big hash 18–20% less. No static rule tells the two apart;
// the time a round takes does.
//
// How: the gate keeps a choice. Every steadyRounds rounds it runs a trial
// of trialRounds rounds that alternate between prefetching and not, each
// timed per command. Each pair of neighbouring rounds gives a ratio (time
// per command without the prefetch over with it), and the median ratio
// decides: the gate changes its choice only when the other arm is at least
// switchMargin faster, so that noise does not flip it. Pairs, because
// neighbours share the machine's state of the moment (a compaction on the
// other core, the VM's slow phases) that trials minutes apart do not;
// medians, because a round that a collection or the scheduler stopped for
// a millisecond would outweigh a whole trial in a sum. Only rounds of two
// commands or more count: no prefetch happens in the others.
//
// A trial runs half its rounds the worse way: 32 rounds in 544, 6%, at
// the ~10% either way costs them, 0.6%. At pipeline 16 with 50 clients a
// round runs ~400 commands in ~0.5 ms, so the gate looks again about
// every quarter second. The clock reads (two per timed round) cost
// ~100 ns each on a VM.
//
// Not safe for concurrent use: each loop keeps its own.
type prefetchGate struct {
	off    bool // the choice between trials: do not prefetch
	trial  bool // rounds alternate and are timed
	rounds int  // counted rounds since the trial ended, or of the trial
	// nsPerCmd holds the trial's timed rounds in order: even rounds
	// prefetched, odd ones did not.
	nsPerCmd []float64
	// switches counts the choices changed (INFO).
	switches int64
}

const (
	steadyRounds = 480
	trialRounds  = 64
	switchMargin = 0.03
)

// arm returns whether the next round prefetches, and whether to time it.
func (g *prefetchGate) arm() (prefetch, timed bool) {
	if g.trial {
		return g.rounds%2 == 0, true
	}
	return !g.off, false
}

// done records a round that ran cmds commands, prefetching or not, in ns
// nanoseconds (0 when arm did not ask to time it), and reports whether it
// counted: a round of fewer than two commands had nothing to prefetch,
// and is neither arm's evidence.
func (g *prefetchGate) done(prefetch bool, ns int64, cmds int) (counted bool) {
	if cmds < 2 {
		return false
	}
	g.rounds++
	if !g.trial {
		if g.rounds >= steadyRounds {
			g.trial, g.rounds = true, 0
		}
		return true
	}
	g.nsPerCmd = append(g.nsPerCmd, float64(ns)/float64(cmds))
	if g.rounds < trialRounds {
		return true
	}
	g.decide()
	g.trial, g.rounds, g.nsPerCmd = false, 0, g.nsPerCmd[:0]
	return true
}

// decide keeps the other arm when the trial's median ratio says it is at
// least switchMargin faster per command, or the current choice.
func (g *prefetchGate) decide() {
	var ratios [trialRounds / 2]float64 // without over with
	n := 0
	for i := 0; i+1 < len(g.nsPerCmd); i += 2 {
		if g.nsPerCmd[i] > 0 {
			ratios[n] = g.nsPerCmd[i+1] / g.nsPerCmd[i]
			n++
		}
	}
	if n < trialRounds/4 {
		return
	}
	r := median(ratios[:n])
	if g.off && r > 1/(1-switchMargin) || !g.off && r < 1-switchMargin {
		g.off = !g.off
		g.switches++
	}
}

// median returns the median of xs (len > 0), reordering them.
func median(xs []float64) float64 {
	slices.Sort(xs)
	m := len(xs) / 2
	if len(xs)%2 == 1 {
		return xs[m]
	}
	return (xs[m-1] + xs[m]) / 2
}
