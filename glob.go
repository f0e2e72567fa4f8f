package keel

// Glob-style matching for KEYS and SCAN MATCH (and later PSUBSCRIBE, HSCAN,
// ...): a line-for-line port of Redis 7.0's stringmatchlen (util.c), so that
// every pattern, including malformed ones ("[a", "a\\", "[z-a]"), matches
// exactly the keys it matches in Redis.
//
//	*       any sequence of bytes, including none
//	?       any one byte
//	[abc]   one of the bytes; [^abc] none of them; [a-z] a range (either
//	        order: [z-a] is [a-z]); \x inside brackets is a literal x; an
//	        unterminated bracket ends at the end of the pattern
//	\x      a literal x; a trailing \ is a literal backslash
//
// Matching is on bytes. Redis reads one byte past the pattern's length in
// two places (the C string's terminating NUL); patByte returns 0 there to
// the same effect.

// globMaxNesting is Redis's guard against abusive patterns: a match that
// needs more than this many nested '*' expansions fails (CVE-2024-31228).
const globMaxNesting = 1000

// globMatch reports whether s matches the glob pattern pat. It does not
// allocate.
func globMatch[T string | []byte](pat []byte, s T) bool {
	skip := false
	return globMatchImpl(pat, 0, s, false, &skip, 0)
}

// globMatchNoCase is globMatch ignoring ASCII case (FUNCTION LIST's
// LIBRARYNAME, as Redis's stringmatchlen with nocase).
func globMatchNoCase(pat []byte, s string) bool {
	skip := false
	return globMatchImpl(pat, 0, s, true, &skip, 0)
}

// globMatchString is globMatch for a string subject (GlobMatch in stats.go
// uses it).
func globMatchString(pat []byte, s string) bool { return globMatch(pat, s) }

// patByte is pat[i], or 0 past the end (C's terminating NUL).
func patByte(pat []byte, i int) byte {
	if i < len(pat) {
		return pat[i]
	}
	return 0
}

func globLower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// globMatchImpl is stringmatchlen_impl: pattern pat[p:], subject s.
// skipLonger is set once a '*' found no match for the rest of the pattern
// anywhere in the rest of the subject: no earlier '*' can then succeed by
// consuming more (Redis's fix for exponential backtracking).
func globMatchImpl[T string | []byte](pat []byte, p int, s T, nocase bool, skipLonger *bool, nesting int) bool {
	if nesting > globMaxNesting {
		return false
	}
	plen := len(pat) - p
	si := 0
	slen := len(s)
	for plen > 0 && slen > 0 {
		switch pat[p] {
		case '*':
			for plen > 0 && patByte(pat, p+1) == '*' {
				p++
				plen--
			}
			if plen == 1 {
				return true
			}
			for slen > 0 {
				if globMatchImpl(pat, p+1, s[si:si+slen], nocase, skipLonger, nesting+1) {
					return true
				}
				if *skipLonger {
					return false
				}
				si++
				slen--
			}
			*skipLonger = true
			return false
		case '?':
			si++
			slen--
		case '[':
			p++
			plen--
			not := patByte(pat, p) == '^'
			if not {
				p++
				plen--
			}
			match := false
			for {
				c := patByte(pat, p)
				if c == '\\' && plen >= 2 {
					p++
					plen--
					if pat[p] == s[si] {
						match = true
					}
				} else if c == ']' && plen > 0 {
					break
				} else if plen == 0 {
					p--
					plen++
					break
				} else if plen >= 3 && pat[p+1] == '-' {
					start, end, ch := pat[p], pat[p+2], s[si]
					if start > end {
						start, end = end, start
					}
					if nocase {
						start, end, ch = globLower(start), globLower(end), globLower(ch)
					}
					p += 2
					plen -= 2
					if ch >= start && ch <= end {
						match = true
					}
				} else if nocase {
					if globLower(c) == globLower(s[si]) {
						match = true
					}
				} else if c == s[si] {
					match = true
				}
				p++
				plen--
			}
			if not {
				match = !match
			}
			if !match {
				return false
			}
			si++
			slen--
		case '\\':
			if plen >= 2 {
				p++
				plen--
			}
			fallthrough
		default:
			if nocase {
				if globLower(pat[p]) != globLower(s[si]) {
					return false
				}
			} else if pat[p] != s[si] {
				return false
			}
			si++
			slen--
		}
		p++
		plen--
		if slen == 0 {
			for plen > 0 && pat[p] == '*' {
				p++
				plen--
			}
			break
		}
	}
	return plen == 0 && slen == 0
}
