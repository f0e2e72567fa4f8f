package server

// Differential cases and the random generator for sets (issue 3).

// setCommand returns a random set command (TestDiffRandomTypes).
func (g *cmdGen) setCommand(conn int) []string {
	return []string{"SCARD", g.key()}
}
