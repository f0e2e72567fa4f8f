package wal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Reader iterates records in LSN order, from a start LSN up to the last
// durable LSN, seen afresh whenever it runs out: a Reader at io.EOF returns
// more records once more are durable.
//
// A Reader is not safe for concurrent use; distinct Readers are independent
// of each other and of the writer. Readers never call tidwall's Read (whose
// segment cache races with itself): each one reads segment files through its
// own descriptor. That is safe because segment files are append-only, a
// Reader parses only records <= DurableLSN (whose bytes are fully written),
// and a file that TruncateFront replaced is noticed at its end.
type Reader struct {
	l     *Log
	next  LSN // the LSN Next returns next
	limit LSN // durable LSN when last looked at; next <= limit can be read

	seg  *segment // segment that f belongs to; nil when no file is open
	path string
	f    *os.File
	buf  []byte // buf[rpos:wpos] are the file bytes from offset off
	rpos int
	wpos int
	off  int64

	closed bool
}

// errNeedMore: the file ends before the entry does.
var errNeedMore = errors.New("wal: entry continues past end of file")

const readerBufSize = 256 << 10

// NewReader returns a Reader positioned at from, which must be within
// [FirstLSN(), LastLSN()+1]; from == 0 means FirstLSN(). Asking for records
// that were truncated returns an error wrapping ErrTruncated.
func (l *Log) NewReader(from LSN) (*Reader, error) {
	l.mu.Lock()
	closed := l.closed
	l.mu.Unlock()
	if closed {
		return nil, ErrClosed
	}
	first, last := LSN(l.first.Load()), l.LastLSN()
	if from == 0 {
		from = first
	}
	if from < first {
		return nil, fmt.Errorf("%w: lsn %d < first retained lsn %d", ErrTruncated, from, first)
	}
	if from > last+1 {
		return nil, fmt.Errorf("%w: reader from %d past last lsn %d", ErrOutOfRange, from, last)
	}
	return &Reader{l: l, next: from, limit: from - 1}, nil
}

// Next returns the next record, or io.EOF when it has returned every record
// durable so far. Damage is a *CorruptionError. The Record owns its memory.
func (r *Reader) Next() (Record, error) {
	if r.closed {
		return Record{}, ErrClosed
	}
	if r.next > r.limit {
		if d := r.l.DurableLSN(); d > r.limit {
			r.limit = d
			// Bytes buffered past the old limit may have been read while
			// the writer was writing them: read them again.
			r.dropBuffered()
		}
		if r.next > r.limit {
			return Record{}, io.EOF
		}
	}
	for {
		if r.f == nil {
			if err := r.open(); err != nil {
				return Record{}, err
			}
		}
		frame, at, err := r.readEntry()
		if errors.Is(err, errNeedMore) {
			// The segment ended: it was sealed and next lives in the
			// following one, or TruncateFront replaced the file.
			seg, ferr := r.l.findSegment(r.next)
			if ferr != nil {
				return Record{}, ferr
			}
			if seg != r.seg {
				r.closeFile()
				continue
			}
			err = &CorruptionError{Path: r.path, Offset: at, LSN: r.next,
				Err: fmt.Errorf("%w: file ends before durable lsn %d", ErrTruncated, r.limit)}
		}
		if err != nil {
			return Record{}, err
		}
		v, err := decodeFrame(frame)
		if err == nil && v.lsn != r.next {
			err = fmt.Errorf("%w: holds lsn %d", ErrMisplaced, v.lsn)
		}
		if err != nil {
			return Record{}, &CorruptionError{Path: r.path, Offset: at, LSN: r.next, Err: err}
		}
		rec := v.record()
		r.next++
		return rec, nil
	}
}

// Close releases the Reader's file. It is idempotent.
func (r *Reader) Close() error {
	r.closed = true
	return r.closeFile()
}

func (r *Reader) closeFile() error {
	if r.f == nil {
		return nil
	}
	err := r.f.Close()
	r.f, r.seg = nil, nil
	r.rpos, r.wpos = 0, 0
	return err
}

func (r *Reader) dropBuffered() {
	r.wpos = r.rpos // r.off stays the offset of buf[rpos]
}

// open opens the segment holding r.next and skips to it.
func (r *Reader) open() error {
	for {
		seg, err := r.l.findSegment(r.next)
		if err != nil {
			return err
		}
		r.l.segMu.Lock()
		path, first := seg.path, seg.first
		r.l.segMu.Unlock()
		f, err := os.Open(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue // TruncateFront removed or renamed it meanwhile: look again
		}
		if err != nil {
			return err
		}
		r.f, r.seg, r.path, r.off, r.rpos, r.wpos = f, seg, path, 0, 0, 0
		if r.buf == nil {
			r.buf = make([]byte, readerBufSize)
		}
		for lsn := first; lsn < r.next; lsn++ {
			_, at, err := r.readEntry()
			if errors.Is(err, errNeedMore) {
				err = &CorruptionError{Path: path, Offset: at, LSN: lsn,
					Err: fmt.Errorf("%w: segment ends before lsn %d", ErrTruncated, r.next)}
			}
			if err != nil {
				r.closeFile()
				return err
			}
		}
		return nil
	}
}

// readEntry returns the next tidwall entry's frame (valid until the next
// call) and the entry's file offset, and consumes it.
func (r *Reader) readEntry() ([]byte, int64, error) {
	at := r.off
	if err := r.fill(binary.MaxVarintLen64); err != nil && r.wpos == r.rpos {
		return nil, at, err
	}
	size, n := binary.Uvarint(r.buf[r.rpos:r.wpos])
	if n == 0 {
		return nil, at, errNeedMore
	}
	if n < 0 || size > MaxRecordSize+frameMinSize+2*binary.MaxVarintLen64 {
		return nil, at, &CorruptionError{Path: r.path, Offset: at, LSN: r.next,
			Err: fmt.Errorf("%w: entry length", ErrBadFrame)}
	}
	total := n + int(size)
	if err := r.fill(total); err != nil {
		return nil, at, err
	}
	frame := r.buf[r.rpos+n : r.rpos+total]
	r.rpos += total
	r.off += int64(total)
	return frame, at, nil
}

// fill makes at least min bytes available in buf[rpos:wpos], or returns
// errNeedMore if the file ends first (with whatever it has buffered).
func (r *Reader) fill(min int) error {
	if r.wpos-r.rpos >= min {
		return nil
	}
	if r.rpos > 0 {
		r.wpos = copy(r.buf, r.buf[r.rpos:r.wpos])
		r.rpos = 0
	}
	if min > len(r.buf) {
		nb := make([]byte, min)
		copy(nb, r.buf[:r.wpos])
		r.buf = nb
	}
	for r.wpos < min {
		n, err := r.f.ReadAt(r.buf[r.wpos:], r.off+int64(r.wpos))
		r.wpos += n
		if r.wpos >= min {
			return nil
		}
		if err == io.EOF || (err == nil && n == 0) {
			return errNeedMore
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// findSegment returns the segment holding lsn, or ErrTruncated if lsn is
// below the first retained LSN.
func (l *Log) findSegment(lsn LSN) (*segment, error) {
	l.segMu.Lock()
	defer l.segMu.Unlock()
	if lsn < l.segs[0].first {
		return nil, fmt.Errorf("%w: lsn %d < first retained lsn %d", ErrTruncated, lsn, l.segs[0].first)
	}
	i, j := 0, len(l.segs)
	for i < j {
		h := int(uint(i+j) >> 1)
		if l.segs[h].first <= lsn {
			i = h + 1
		} else {
			j = h
		}
	}
	return l.segs[i-1], nil
}
