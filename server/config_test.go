package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigFileAndFlags(t *testing.T) {
	dir := t.TempDir()
	inc := filepath.Join(dir, "extra.conf")
	if err := os.WriteFile(inc, []byte("maxclients 77\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "keel.conf")
	text := strings.Join([]string{
		"# a comment",
		"port 7100",
		"bind 127.0.0.1 ::1",
		`requirepass "se cret"`,
		"appendfsync ALWAYS",
		"hash-max-ziplist-entries 256",
		"include " + inc,
		"",
	}, "\n")
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	c := NewConfig()
	if err := c.ParseArgs([]string{conf, "--port", "7200", "--dir", "/tmp/x"}); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"port":                      "7200", // flags override the file
		"bind":                      "127.0.0.1 ::1",
		"requirepass":               "se cret",
		"appendfsync":               "always",
		"hash-max-listpack-entries": "256", // set through its old alias
		"maxclients":                "77",
		"dir":                       "/tmp/x",
		"databases":                 "16",
	} {
		if got := c.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--nosuch", "1"}, "unknown option"},
		{[]string{"--port", "70000"}, "must be between 0 and 65535"},
		{[]string{"--appendfsync", "sometimes"}, "must be one of the following: everysec, always, no"},
		{[]string{"--protected-mode", "maybe"}, "must be 'yes' or 'no'"},
		{[]string{"port", "1"}, "no such file"},
	} {
		err := NewConfig().ParseArgs(tc.args)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseArgs(%q) = %v, want an error containing %q", tc.args, err, tc.want)
		}
	}
	// Immutable settings are refused at run time.
	if err := NewConfig().Set("port", "1", false); err == nil || !strings.Contains(err.Error(), "can't set immutable config") {
		t.Errorf("runtime CONFIG SET port = %v", err)
	}
}

func TestSplitArgs(t *testing.T) {
	got, err := splitArgs(`a "b c" 'd e' "x\ny"`)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a", "b c", "d e", "x\ny"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("splitArgs = %q, want %q", got, want)
	}
	if _, err := splitArgs(`"open`); err == nil {
		t.Fatal("unbalanced quotes accepted")
	}
}

// TestConfigRedisStockFile: Redis 7.0's stock redis.conf loads, each
// directive with the value CONFIG GET would show (units expanded, the
// three client-output-buffer-limit lines merged, appendonly's no taken).
func TestConfigRedisStockFile(t *testing.T) {
	c := NewConfig()
	if err := c.LoadPath("testdata/redis-7.0.conf"); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"bind":                       "127.0.0.1 -::1",
		"tcp-backlog":                "511",
		"daemonize":                  "yes",
		"proc-title-template":        "{title} {listen-addr} {server-mode}",
		"appendonly":                 "no",
		"auto-aof-rewrite-min-size":  "67108864",
		"oom-score-adj-values":       "0 200 800",
		"client-output-buffer-limit": "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
		"notify-keyspace-events":     "",
		"dir":                        "/var/lib/redis",
	} {
		if got := c.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}

// TestConfigRewriteRoundTrip: what CONFIG REWRITE writes reads back as
// the same settings, multi-word and quoted values included.
func TestConfigRewriteRoundTrip(t *testing.T) {
	c := NewConfig()
	for name, v := range map[string]string{
		"requirepass":                "se \"cret\" \\x \x01\xff\a\b\t\r\n'é",
		"bind":                       "127.0.0.1 -::1",
		"save":                       "900 1 300 10",
		"client-output-buffer-limit": "normal 1mb 512kb 10 replica 0 0 0",
		"oom-score-adj-values":       "10 20 30",
		"proc-title-template":        "{title} {port}",
		"tcp-backlog":                "128",
		"aof-load-truncated":         "no",
		"hash-max-ziplist-entries":   "64",
	} {
		if err := c.Set(name, v, true); err != nil {
			t.Fatalf("%s %q: %v", name, v, err)
		}
	}
	path := filepath.Join(t.TempDir(), "keel.conf")
	if err := c.Rewrite(path); err != nil {
		t.Fatal(err)
	}
	back := NewConfig()
	if err := back.LoadPath(path); err != nil {
		b, _ := os.ReadFile(path)
		t.Fatalf("reading the rewritten file: %v\n%s", err, b)
	}
	for _, p := range params {
		if p.alias == "" && back.Get(p.name) != c.Get(p.name) {
			t.Errorf("%s: %q after the rewrite, was %q", p.name, back.Get(p.name), c.Get(p.name))
		}
	}
}
