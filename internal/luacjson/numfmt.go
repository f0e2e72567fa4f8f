package luacjson

// Byte classes of the decoder's number scanning (the conversions
// themselves are lauxlib's, shared with the other libraries).

import "strings"

func hasPrefixFold(s []byte, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(string(s[:len(prefix)]), prefix)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
