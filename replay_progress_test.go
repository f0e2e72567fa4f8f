package keel

import (
	"bytes"
	"log/slog"
	"regexp"
	"strconv"
	"testing"
)

// TestReplayProgress: a WAL replay that runs longer than
// replayProgressEvery logs how far it got, in LSN order, with the share
// of the range done, and the end of recovery logs the records and time.
// (Sequential: it lowers the package's interval.)
func TestReplayProgress(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, Options{ActiveExpireHz: -1})
	if err != nil {
		t.Fatal(err)
	}
	s := db.NewSession()
	const n = 20000
	for i := range n {
		do(db, s, "SET", "k"+strconv.Itoa(i), "v")
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	saved := replayProgressEvery
	defer func() { replayProgressEvery = saved }()
	replayProgressEvery = 0 // every check: each 1024 records
	var logs bytes.Buffer
	db, err = Open(dir, Options{ActiveExpireHz: -1, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	lines := regexp.MustCompile(`msg="keel: replaying the WAL" lsn=(\d+) to_lsn=(\d+) done=([\d.]+)% records=(\d+)`).FindAllStringSubmatch(logs.String(), -1)
	if len(lines) < n/1024-1 {
		t.Fatalf("%d progress lines for %d records:\n%s", len(lines), n, logs.String())
	}
	prev := -1.0
	for _, l := range lines {
		done, _ := strconv.ParseFloat(l[3], 64)
		if done <= prev || done > 100 {
			t.Fatalf("progress %v%% after %v%%:\n%s", done, prev, logs.String())
		}
		prev = done
	}
	if !regexp.MustCompile(`msg="keel: recovered" from_lsn=1 to_lsn=\d+ records=` + strconv.Itoa(n) + ` seconds=[\d.]+`).MatchString(logs.String()) {
		t.Fatalf("no end-of-recovery line for %d records:\n%s", n, logs.String())
	}
}
