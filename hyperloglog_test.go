package keel

import "testing"

// TestHLLSelfTest runs PFSELFTEST's checks: register packing, sparse and
// dense agreement, the estimator's error.
func TestHLLSelfTest(t *testing.T) {
	if err := hllSelfTest(); err != nil {
		t.Fatal(err)
	}
}
