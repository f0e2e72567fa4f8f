package memtables

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"

	"github.com/cespare/xxhash/v2"
)

// WriteCheckpoint writes a consistent image of the keyspace at lsn to w in
// the format of docs/format/checkpoint.md. The caller holds its write lock
// for the duration (Snapshot + WriteTo is the non-stalling form), makes
// the file durable and records lsn in the manifest. The output is a function
// of the entries and database ids alone: the same state writes the same
// bytes.
func (k *Keyspace) WriteCheckpoint(w io.Writer, lsn LSN) error {
	snap := k.Snapshot()
	defer k.EndSnapshot()
	return snap.WriteTo(w, lsn)
}

// Snapshot is a consistent image of a keyspace, taken in O(pages) time by
// Keyspace.Snapshot and written by WriteTo while the keyspace keeps
// changing: pages are shared copy-on-write (table.own), so a writer copies
// at most one page (pageSize slots) before its first write to it, and the
// extra memory is bounded by the pages written during the checkpoint.
type Snapshot struct {
	nextPhys uint32
	dbs      []snapDB
}

type snapDB struct {
	phys  uint32
	pages []page // the table's pages as they were; never written again
}

// Snapshot captures the keyspace. Call it under the caller's write lock;
// then write the snapshot with WriteTo without any lock (readers may keep
// reading, writers writing), and call EndSnapshot under the write lock.
// One snapshot at a time.
func (k *Keyspace) Snapshot() *Snapshot {
	k.cow.gen++
	k.cow.active = true
	s := &Snapshot{nextPhys: k.nextPhys, dbs: make([]snapDB, len(k.dbs))}
	for i, t := range k.dbs {
		s.dbs[i] = snapDB{phys: t.phys, pages: append([]page(nil), t.pages...)}
	}
	return s
}

// EndSnapshot ends copy-on-write. Call it under the caller's write lock
// after WriteTo returned.
func (k *Keyspace) EndSnapshot() { k.cow.active = false }

// WriteTo writes the snapshot as a checkpoint at lsn. It reads only the
// snapshot's pages, which no writer touches.
func (s *Snapshot) WriteTo(w io.Writer, lsn LSN) error {
	cw := &ckptWriter{bw: bufio.NewWriterSize(w, 256<<10), file: xxhash.New()}
	pre := append([]byte(ckptMagic), 0, 0)
	binary.LittleEndian.PutUint16(pre[8:], ckptVersion)
	pre = append(pre, byte(len(EngineKeyspace)))
	pre = append(pre, EngineKeyspace...)
	cw.write(pre)

	meta := binary.LittleEndian.AppendUint64(nil, lsn)
	meta = binary.LittleEndian.AppendUint32(meta, uint32(len(s.dbs)))
	meta = binary.LittleEndian.AppendUint32(meta, s.nextPhys)
	for _, t := range s.dbs {
		meta = binary.LittleEndian.AppendUint32(meta, t.phys)
	}
	cw.chunk(chunkMeta, meta)

	var chunks, entries uint64
	var head, recs []byte
	count := 0
	flush := func(db int) {
		head = binary.AppendUvarint(head[:0], uint64(db))
		head = binary.AppendUvarint(head, uint64(count))
		cw.chunk(chunkEntries, head, recs)
		chunks++
		entries += uint64(count)
		recs, count = recs[:0], 0
	}
	for db, t := range s.dbs {
		for pi := range t.pages {
			pg := &t.pages[pi]
			for i := range pg.slots {
				s := &pg.slots[i]
				recs = binary.AppendUvarint(recs, uint64(pg.keyLen(i)))
				recs = pg.appendKey(recs, i)
				recs = append(recs, byte(s.e.Type), s.e.Enc)
				recs = binary.AppendVarint(recs, s.e.ExpireAt)
				recs = binary.AppendUvarint(recs, s.e.Version)
				recs = binary.AppendVarint(recs, s.e.Size)
				if count++; len(recs) >= chunkTarget {
					flush(db)
				}
			}
		}
		if count > 0 {
			flush(db)
		}
		if cw.err != nil {
			return cw.err
		}
	}

	tr := binary.LittleEndian.AppendUint64(nil, chunks)
	tr = binary.LittleEndian.AppendUint64(tr, entries)
	tr = binary.LittleEndian.AppendUint64(tr, cw.file.Sum64())
	cw.chunk(chunkTrailer, tr)
	if cw.err != nil {
		return cw.err
	}
	if err := cw.bw.Flush(); err != nil {
		return fmt.Errorf("memtables: writing checkpoint: %w", err)
	}
	return nil
}

// ckptWriter frames chunks and keeps the whole-file checksum. The first
// error sticks.
type ckptWriter struct {
	bw   *bufio.Writer
	file *xxhash.Digest // every byte written so far, for the trailer
	err  error
	// sinceYield counts bytes written since the writer last yielded its
	// processor (see yieldBytes).
	sinceYield int
}

// yieldBytes is how much a checkpoint writes between yields of its
// processor (runtime.Gosched). The writer is CPU-bound; with as many
// busy goroutines as processors (the checkpoint, the collector, a
// compaction), a client's goroutine made runnable by its socket waits
// for the scheduler's 10 ms preemption unless the writer steps aside: that
// was the ~11 ms worst write latency during a checkpoint. 256 KiB is
// roughly 0.1–0.3 ms of encoding.
const yieldBytes = 256 << 10

func (w *ckptWriter) write(b []byte) {
	if w.err != nil {
		return
	}
	if _, err := w.bw.Write(b); err != nil {
		w.err = fmt.Errorf("memtables: writing checkpoint: %w", err)
		return
	}
	_, _ = w.file.Write(b) // xxhash.Digest.Write never fails
	if w.sinceYield += len(b); w.sinceYield >= yieldBytes {
		w.sinceYield = 0
		runtime.Gosched()
	}
}

// chunk writes one chunk whose payload is the concatenation of parts.
func (w *ckptWriter) chunk(kind byte, parts ...[]byte) {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	if n > math.MaxUint32 {
		w.err = fmt.Errorf("memtables: checkpoint chunk of %d bytes exceeds the format's 4 GiB limit", n)
		return
	}
	var hdr [chunkHeaderLen]byte
	hdr[0] = kind
	binary.LittleEndian.PutUint32(hdr[1:5], uint32(n))
	d := xxhash.New()
	_, _ = d.Write(hdr[:5])
	for _, p := range parts {
		_, _ = d.Write(p)
	}
	binary.LittleEndian.PutUint64(hdr[5:], d.Sum64()) // == checksumOf(kind ‖ len, payload)
	w.write(hdr[:])
	for _, p := range parts {
		w.write(p)
	}
}

// ReadCheckpoint loads a keyspace checkpoint written by WriteCheckpoint and
// returns it with its LSN. It validates, in file order, magic, version,
// engine name, each chunk's checksum and contents, and the trailer; any
// failure is a *CorruptionError and nothing is returned. databases is the
// configured number of databases: if the file has fewer, the extra ones are
// empty with fresh physical ids; if it has more, the surplus ones must be
// empty (else a plain, non-corruption error).
func ReadCheckpoint(r io.Reader, databases int) (*Keyspace, LSN, error) {
	cr := &ckptReader{r: bufio.NewReaderSize(r, 256<<10), file: xxhash.New()}

	version, err := cr.preambleOf(ckptVersionStringLSN-1, ckptVersion, EngineKeyspace)
	if err != nil {
		return nil, 0, err
	}

	var (
		k                *Keyspace
		lsn              LSN
		fileDBs          int
		chunks, nEntries uint64
	)
	for {
		off := cr.off
		fileSum := cr.file.Sum64() // of every byte before this chunk
		kind, payload, err := cr.chunk()
		if err != nil {
			return nil, 0, err
		}
		body := off + chunkHeaderLen
		if k == nil && kind != chunkMeta {
			return nil, 0, corrupt(off, ErrMalformed, "chunk kind %#x before the meta chunk", kind)
		}
		switch kind {
		case chunkMeta:
			if k != nil {
				return nil, 0, corrupt(off, ErrMalformed, "second meta chunk")
			}
			if k, lsn, fileDBs, err = readMeta(payload, body, databases); err != nil {
				return nil, 0, err
			}
		case chunkEntries:
			n, err := readEntries(k, payload, body, fileDBs, version)
			if err != nil {
				return nil, 0, err
			}
			chunks++
			nEntries += n
		case chunkTrailer:
			if err := cr.trailer(off, payload, fileSum, chunks, nEntries); err != nil {
				return nil, 0, err
			}
			return k, lsn, nil
		default:
			return nil, 0, corrupt(off, ErrMalformed, "unknown chunk kind %#x", kind)
		}
	}
}

// preamble reads and checks magic, version and engine name.
func (cr *ckptReader) preamble(version uint16, engine string) error {
	_, err := cr.preambleOf(version, version, engine)
	return err
}

// preambleOf is preamble for a reader of the versions oldest to newest:
// it returns the file's.
func (cr *ckptReader) preambleOf(oldest, newest uint16, engine string) (uint16, error) {
	magic, err := cr.read(len(ckptMagic))
	if err != nil {
		return 0, err
	}
	if string(magic) != ckptMagic {
		return 0, corrupt(0, ErrBadMagic, "%q", magic)
	}
	vb, err := cr.read(2)
	if err != nil {
		return 0, err
	}
	v := binary.LittleEndian.Uint16(vb)
	if v < oldest || v > newest {
		if oldest == newest {
			return 0, corrupt(8, ErrBadVersion, "version %d, this build reads %d", v, newest)
		}
		return 0, corrupt(8, ErrBadVersion, "version %d, this build reads %d to %d", v, oldest, newest)
	}
	nb, err := cr.read(1)
	if err != nil {
		return 0, err
	}
	name, err := cr.read(int(nb[0]))
	if err != nil {
		return 0, err
	}
	if string(name) != engine {
		return 0, corrupt(10, ErrEngine, "%q, want %q", name, engine)
	}
	return v, nil
}

// trailer checks the trailer chunk (payload p at file offset off) against
// the whole-file checksum and the counts read, and that nothing follows.
func (cr *ckptReader) trailer(off int64, p []byte, fileSum, chunks, entries uint64) error {
	if len(p) != trailerLen {
		return corrupt(off, ErrMalformed, "trailer of %d bytes", len(p))
	}
	if got := binary.LittleEndian.Uint64(p[16:]); got != fileSum {
		return corrupt(off, ErrChecksum, "file checksum %#x, computed %#x", got, fileSum)
	}
	if c, e := binary.LittleEndian.Uint64(p), binary.LittleEndian.Uint64(p[8:]); c != chunks || e != entries {
		return corrupt(off, ErrMalformed, "trailer counts %d chunks, %d entries; read %d, %d", c, e, chunks, entries)
	}
	if _, err := cr.r.ReadByte(); err == nil {
		return corrupt(cr.off, ErrMalformed, "data after the trailer")
	} else if err != io.EOF {
		return fmt.Errorf("memtables: reading checkpoint at offset %d: %w", cr.off, err)
	}
	return nil
}

// ckptReader reads the file sequentially, tracking the offset and the
// whole-file checksum.
type ckptReader struct {
	r    *bufio.Reader
	off  int64
	file *xxhash.Digest
	buf  bytes.Buffer // payload of the current chunk
	hdr  [chunkHeaderLen]byte
}

// ioErr turns a short read into ErrTruncated at the offset where data ended.
func (cr *ckptReader) ioErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return corrupt(cr.off, ErrTruncated, "")
	}
	return fmt.Errorf("memtables: reading checkpoint at offset %d: %w", cr.off, err)
}

// read returns the next n bytes of the preamble (valid until the next read).
func (cr *ckptReader) read(n int) ([]byte, error) {
	b := cr.hdr[:0]
	if n > len(cr.hdr) {
		b = make([]byte, 0, n)
	}
	b = b[:n]
	got, err := io.ReadFull(cr.r, b)
	cr.off += int64(got)
	if err != nil {
		return nil, cr.ioErr(err)
	}
	_, _ = cr.file.Write(b)
	return b, nil
}

// chunk reads one chunk and verifies its checksum. The payload is valid
// until the next call.
func (cr *ckptReader) chunk() (kind byte, payload []byte, err error) {
	start := cr.off
	got, err := io.ReadFull(cr.r, cr.hdr[:])
	cr.off += int64(got)
	if err != nil {
		return 0, nil, cr.ioErr(err)
	}
	n := int64(binary.LittleEndian.Uint32(cr.hdr[1:5]))
	// Grow with the data actually present, not with the claimed length, so
	// a damaged length costs a truncation error rather than 4 GiB.
	cr.buf.Reset()
	copied, err := io.CopyN(&cr.buf, cr.r, n)
	cr.off += copied
	if err != nil {
		return 0, nil, cr.ioErr(err)
	}
	payload = cr.buf.Bytes()
	if sum, want := binary.LittleEndian.Uint64(cr.hdr[5:]), checksumOf(cr.hdr[:5], payload); sum != want {
		return 0, nil, corrupt(start, ErrChecksum, "chunk checksum %#x, computed %#x", sum, want)
	}
	_, _ = cr.file.Write(cr.hdr[:])
	_, _ = cr.file.Write(payload)
	return cr.hdr[0], payload, nil
}

// readMeta parses the meta chunk (payload at file offset off) and returns
// the empty keyspace it describes, sized for the configured databases.
func readMeta(p []byte, off int64, databases int) (*Keyspace, LSN, int, error) {
	if len(p) < 16 {
		return nil, 0, 0, corrupt(off, ErrMalformed, "meta chunk of %d bytes", len(p))
	}
	lsn := binary.LittleEndian.Uint64(p)
	d := binary.LittleEndian.Uint32(p[8:])
	next := binary.LittleEndian.Uint32(p[12:])
	if d == 0 || uint64(len(p)) != 16+4*uint64(d) {
		return nil, 0, 0, corrupt(off+8, ErrMalformed, "%d databases in a meta chunk of %d bytes", d, len(p))
	}
	fileDBs := int(d)
	phys := make([]uint32, fileDBs)
	seen := make(map[uint32]bool, fileDBs)
	for i := range phys {
		phys[i] = binary.LittleEndian.Uint32(p[16+4*i:])
		if phys[i] >= next || seen[phys[i]] {
			return nil, 0, 0, corrupt(off+16+4*int64(i), ErrMalformed,
				"physical id %d of database %d is reused or not below next id %d", phys[i], i, next)
		}
		seen[phys[i]] = true
	}
	k := NewKeyspace(databases)
	for i, t := range k.dbs {
		if i < fileDBs {
			t.phys = phys[i]
		} else {
			// Databases added to the configuration since: fresh ids.
			if next == math.MaxUint32 {
				return nil, 0, 0, corrupt(off+12, ErrMalformed, "physical ids exhausted")
			}
			t.phys = next
			next++
		}
	}
	k.nextPhys = next
	return k, lsn, fileDBs, nil
}

// readEntries parses an entries chunk (payload at file offset off) into k
// and returns the number of records.
func readEntries(k *Keyspace, p []byte, off int64, fileDBs int, version uint16) (uint64, error) {
	// i is the read position in p, field the start of the field being
	// parsed: errors point at the field at fault.
	i, field := 0, 0
	bad := func(what string) error { return corrupt(off+int64(field), ErrMalformed, "%s", what) }
	uvarint := func() (uint64, bool) {
		field = i
		v, n := binary.Uvarint(p[i:])
		if n <= 0 {
			return 0, false
		}
		i += n
		return v, true
	}
	varint := func() (int64, bool) {
		field = i
		v, n := binary.Varint(p[i:])
		if n <= 0 {
			return 0, false
		}
		i += n
		return v, true
	}
	db, ok := uvarint()
	if !ok || db >= uint64(fileDBs) {
		return 0, bad("bad database index")
	}
	if db >= uint64(len(k.dbs)) {
		return 0, fmt.Errorf("memtables: checkpoint has keys in database %d, but only %d databases are configured", db, len(k.dbs))
	}
	t := k.dbs[db]
	count, ok := uvarint()
	if !ok || count == 0 || count > uint64(len(p)) {
		return 0, bad("bad record count")
	}
	for range count {
		rec := i
		kl, ok := uvarint()
		if !ok || kl > uint64(len(p)-i) {
			return 0, bad("bad key length")
		}
		key := p[i : i+int(kl)]
		i += int(kl)
		field = i
		if i >= len(p) {
			return 0, bad("record cut short")
		}
		var e Entry
		if e.Type = Type(p[i]); !e.Type.valid() {
			return 0, bad(fmt.Sprintf("unknown type %d", p[i]))
		}
		i++
		if i >= len(p) {
			return 0, bad("record cut short")
		}
		e.Enc = p[i]
		i++
		if e.ExpireAt, ok = varint(); !ok {
			return 0, bad("bad expiry")
		}
		if e.Version, ok = uvarint(); !ok {
			return 0, bad("bad version")
		}
		if e.Type == TypeString && version < ckptVersionStringLSN {
			e.Version = 0 // a creation LSN: the value's last write is not known
		}
		if e.Size, ok = varint(); !ok {
			return 0, bad("bad size")
		}
		h := k.hash(key)
		if _, _, dup := lookup(t, h, key); dup {
			field = rec
			return 0, bad(fmt.Sprintf("duplicate key %q", key))
		}
		t.insert(key, h, e)
	}
	field = i
	if i != len(p) {
		return 0, bad("trailing bytes in entries chunk")
	}
	return count, nil
}

// checksumOf is a chunk's checksum over its kind and length (hdr, 5 bytes)
// and payload.
func checksumOf(hdr, payload []byte) uint64 {
	d := xxhash.New()
	_, _ = d.Write(hdr)
	_, _ = d.Write(payload)
	return d.Sum64()
}
