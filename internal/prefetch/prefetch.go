// Package prefetch asks the processor to load memory into its caches
// without waiting for it: a walk over data in an order its memory is not
// in (a frozen write buffer's nodes in key order) names the lines it will
// read a few steps ahead, so that their cache misses overlap the work on
// the current step instead of following one another.
//
// A plain load does not do that: the processor cannot retire it, or
// anything after it, until the line arrives, so a load ahead costs the
// same stall a step later, minus what out-of-order execution overlaps.
// A prefetch instruction retires at once and never faults, whatever the
// address (a nil or stale pointer included).
//
// On amd64, Line is one PREFETCHT0 (an assembly function: the compiler
// has no intrinsic for it); elsewhere it does nothing.
package prefetch
