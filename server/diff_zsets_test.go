package server

// Differential cases and the random generator for sorted sets (issue 3).

// zsetCommand returns a random sorted set command (TestDiffRandomTypes).
func (g *cmdGen) zsetCommand(conn int) []string {
	return []string{"ZCARD", g.key()}
}
