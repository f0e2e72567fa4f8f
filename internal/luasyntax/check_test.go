package luasyntax

import "testing"

// TestCheck pins messages redis-server 7.0.15 gives, so that the package
// is tested where no oracle is installed.
func TestCheck(t *testing.T) {
	cases := []struct{ src, want string }{
		{"return (", "user_script:1: unexpected symbol near '<eof>'"},
		{"for i=1 do end", "user_script:1: ',' expected near 'do'"},
		{"if x then", "user_script:1: 'end' expected near '<eof>'"},
		{"return 1 2", "user_script:1: '<eof>' expected near '2'"},
		{"local function() end", "user_script:1: '<name>' expected near '('"},
		{"return 'abc", "user_script:1: unfinished string near '<eof>'"},
		{"return [[x", "user_script:1: unfinished long string near '<eof>'"},
		{"return 0x", "user_script:1: malformed number near '0x'"},
		{"a.b:c = 1", "user_script:1: function arguments expected near '='"},
		{"local t = {1,2", "user_script:1: '}' expected near '<eof>'"},
		{"goto x", "user_script:1: '=' expected near 'x'"},
		{"x = 1e", "user_script:1: malformed number near '1e'"},
		{"::lbl::", "user_script:1: unexpected symbol near ':'"},
		{"local t = {\n1,2\n", "user_script:3: '}' expected (to close '{' at line 1) near '<eof>'"},
		{"f\r\n(1)", "user_script:2: ambiguous syntax (function call x new statement) near '('"},
		{"\n\r\r\n\r\rreturn (", "user_script:5: unexpected symbol near '<eof>'"},
		{"return \"ab\\300\"", "user_script:1: escape sequence too large near '\"ab'"},
		{"return \x1b", "user_script:1: unexpected symbol near 'char(27)'"},
		{"return [[a [[ b]]", ""},
		{"local t = {f\n(1)}", ""},
		{"return 1\x00", ""},
	}
	for _, c := range cases {
		got := ""
		if err := Check(c.src, "user_script"); err != nil {
			got = err.Error()
		}
		if got != c.want {
			t.Errorf("Check(%q) = %q, want %q", c.src, got, c.want)
		}
	}
}
