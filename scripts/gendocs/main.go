// Command gendocs writes server/commanddocs.resp and
// server/commandinfo.resp: redis-server's COMMAND DOCS and COMMAND
// replies, in RESP3, which keel replays for the commands it has (see
// server/commanddocs.go).
//
//	go run ./scripts/gendocs -addr 127.0.0.1:6379 -dir server
//
// Run it against the redis-server version keel follows (7.0.15), and
// commit the file it writes.
package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/keeldb/keel/internal/resp3"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "redis-server address")
	dir := flag.String("dir", "server", "directory to write the files to")
	flag.Parse()
	if err := run(*addr, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

func run(addr, dir string) error {
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := read(nc, "HELLO 3\r\n"); err != nil {
		return err
	}
	for _, f := range []struct{ cmd, file string }{
		{"COMMAND DOCS\r\n", "commanddocs.resp"},
		{"COMMAND\r\n", "commandinfo.resp"},
	} {
		raw, err := read(nc, f.cmd)
		if err != nil {
			return err
		}
		v, _, _ := resp3.Parse(raw)
		if v.Kind != '%' && v.Kind != '*' || len(v.Elems) == 0 {
			return fmt.Errorf("%q answered %q, not a map or an array", f.cmd, v.Kind)
		}
		out := filepath.Join(dir, f.file)
		if err := os.WriteFile(out, raw, 0o644); err != nil {
			return err
		}
		fmt.Printf("gendocs: %d entries, %d bytes to %s\n", len(v.Elems), len(raw), out)
	}
	return nil
}

// read sends cmd and returns the raw bytes of its one reply.
func read(nc net.Conn, cmd string) ([]byte, error) {
	if _, err := nc.Write([]byte(cmd)); err != nil {
		return nil, err
	}
	var buf []byte
	chunk := make([]byte, 64<<10)
	for {
		n, err := nc.Read(chunk)
		buf = append(buf, chunk[:n]...)
		if _, rest, perr := resp3.Parse(buf); perr == nil {
			if len(rest) != 0 {
				return nil, errors.New("more than one reply")
			}
			return buf, nil
		} else if !errors.Is(perr, resp3.ErrIncomplete) {
			return nil, perr
		}
		if err != nil {
			return nil, err
		}
	}
}
