// Command gendocs writes server/commanddocs.resp: redis-server's COMMAND
// DOCS reply, in RESP3, which keel replays for the commands it has (see
// server/commanddocs.go).
//
//	go run ./scripts/gendocs -addr 127.0.0.1:6379 -out server/commanddocs.resp
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
	"time"

	"github.com/keeldb/keel/internal/resp3"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "redis-server address")
	out := flag.String("out", "server/commanddocs.resp", "file to write")
	flag.Parse()
	if err := run(*addr, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

func run(addr, out string) error {
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := read(nc, "HELLO 3\r\n"); err != nil {
		return err
	}
	raw, err := read(nc, "COMMAND DOCS\r\n")
	if err != nil {
		return err
	}
	v, _, _ := resp3.Parse(raw)
	if v.Kind != '%' || len(v.Elems) == 0 {
		return fmt.Errorf("COMMAND DOCS answered %q, not a map", v.Kind)
	}
	if err := os.WriteFile(out, raw, 0o644); err != nil {
		return err
	}
	fmt.Printf("gendocs: %d commands, %d bytes to %s\n", len(v.Elems)/2, len(raw), out)
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
