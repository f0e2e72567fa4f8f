package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keeldb/keel/internal/rdb"
)

// TestImportCommand runs `keel import` on an RDB file (two keys, one in
// database 2 with an expiry far ahead, one already expired), then serves
// the directory: the keys are there.
func TestImportCommand(t *testing.T) {
	dir := t.TempDir()
	b := []byte("REDIS0010")
	b = append(b, 250, 5)
	b = append(b, "redis"...)
	b = append(b, 5)
	b = append(b, "7.0.1"...) // an AUX field
	str := func(s string) { b = append(b, byte(len(s))); b = append(b, s...) }
	b = append(b, 0) // a string
	str("k1")
	str("v1")
	b = append(b, 254, 2) // SELECTDB 2
	b = append(b, 252)    // EXPIRETIME_MS, far ahead
	b = binary.LittleEndian.AppendUint64(b, 4102444800000)
	b = append(b, 0)
	str("k2")
	str("v2")
	b = append(b, 252) // already expired
	b = binary.LittleEndian.AppendUint64(b, 1000)
	b = append(b, 0)
	str("k3")
	str("v3")
	b = append(b, 255)
	b = binary.LittleEndian.AppendUint64(b, rdb.CRC64(0, b))
	file := filepath.Join(t.TempDir(), "dump.rdb")
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(keelBin, "import", "--dir", dir, file).CombinedOutput()
	if err != nil {
		t.Fatalf("keel import: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "2 keys in 3 databases, 1 expired keys left out") {
		t.Errorf("keel import's summary:\n%s", out)
	}
	p := startServer(t, dir)
	c := p.client(t)
	for _, step := range []struct {
		args []string
		want any
	}{
		{[]string{"GET", "k1"}, []byte("v1")},
		{[]string{"SELECT", "2"}, "OK"},
		{[]string{"GET", "k2"}, []byte("v2")},
		{[]string{"PEXPIRETIME", "k2"}, int64(4102444800000)},
		{[]string{"EXISTS", "k3"}, int64(0)}, // expired in the file
	} {
		got, err := c.Do(step.args...)
		if err != nil || fmt.Sprint(got) != fmt.Sprint(step.want) {
			t.Errorf("%v: %v %v, want %v", step.args, got, err, step.want)
		}
	}

	// A damaged file: refused, with the file's offset.
	b[len(b)-12] ^= 1
	os.WriteFile(file, b, 0o644)
	out, err = exec.Command(keelBin, "import", "--dir", t.TempDir(), file).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "CRC64") {
		t.Errorf("keel import of a damaged file: %v\n%s", err, out)
	}
}
