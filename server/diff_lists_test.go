package server

// Differential cases and the random generator for lists (issue 3).

// listCommand returns a random list command (TestDiffRandomTypes).
func (g *cmdGen) listCommand(conn int) []string {
	return []string{"LLEN", g.key()}
}
