// Package parts streams an object to a store that takes it in numbered
// parts (Azure blocks, S3 parts): writes fill a part buffer, and each
// full part is uploaded in the background while the next one fills, so
// writing and uploading overlap and memory stays at two parts whatever
// the object's size.
package parts

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

var (
	// ErrFinished and ErrAborted are what a Writer returns once ended.
	ErrFinished = errors.New("object is finished")
	ErrAborted  = errors.New("object is aborted")
)

// Upload stores part number (from 1) of an object. body is not retained.
type Upload func(ctx context.Context, number int, body []byte) error

// Buffers keeps the part buffers of ended Writers for the next ones, so a
// stream of objects allocates no buffer in the steady state. It is safe
// for concurrent use.
type Buffers struct {
	size int
	pool sync.Pool
}

// NewBuffers returns a pool of buffers of size bytes.
func NewBuffers(size int) *Buffers { return &Buffers{size: size} }

// Size is the part size.
func (b *Buffers) Size() int { return b.size }

func (b *Buffers) get() []byte {
	if p, ok := b.pool.Get().(*[]byte); ok {
		return (*p)[:0]
	}
	return make([]byte, 0, b.size)
}

func (b *Buffers) put(p []byte) {
	if cap(p) == b.size {
		b.pool.Put(&p)
	}
}

// Writer is an object being uploaded in parts. It is not safe for
// concurrent use.
type Writer struct {
	bufs     *Buffers
	maxParts int
	timeout  time.Duration
	upload   Upload

	// ctx governs the background uploads. It is the ctx of NewWriter
	// without its cancellation (the object's writes may outlive it); each
	// part has its own timeout and Abort cancels it. As in go-cloud's
	// blob.Writer, the writer, not the caller, owns this ctx.
	ctx    context.Context
	cancel context.CancelFunc

	buf      []byte     // the part being filled
	spare    []byte     // the part in flight, free once inflight reports
	parts    int        // parts started
	inflight chan error // the result of the part in flight, nil if none
	err      error      // sticky: the first failure, or ErrFinished/ErrAborted
}

// NewWriter returns a Writer that sends its parts to upload, each within
// timeout, at most maxParts of them.
func NewWriter(ctx context.Context, bufs *Buffers, maxParts int, timeout time.Duration, upload Upload) *Writer {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	return &Writer{bufs: bufs, maxParts: maxParts, timeout: timeout, upload: upload, ctx: ctx, cancel: cancel}
}

// Write copies p into the current part, uploading each part that fills.
func (w *Writer) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	if w.buf == nil {
		w.buf = w.bufs.get()
	}
	n := 0
	for len(p) > 0 {
		k := copy(w.buf[len(w.buf):cap(w.buf)], p)
		w.buf, p, n = w.buf[:len(w.buf)+k], p[k:], n+k
		if len(w.buf) == cap(w.buf) {
			if err := w.startPart(); err != nil {
				w.err = err
				return n, err
			}
		}
	}
	return n, nil
}

// startPart waits for the part in flight, then uploads the full buffer in
// the background and swaps in the free one.
func (w *Writer) startPart() error {
	if err := w.wait(w.ctx); err != nil {
		return err
	}
	if w.parts == w.maxParts {
		return fmt.Errorf("more than %d parts of %d bytes", w.maxParts, w.bufs.size)
	}
	w.parts++
	part, body := w.parts, w.buf
	w.buf, w.spare = w.spare, body
	if w.buf == nil {
		w.buf = w.bufs.get()
	}
	w.buf = w.buf[:0]
	done := make(chan error, 1)
	w.inflight = done
	go func() { done <- w.send(w.ctx, part, body) }()
	return nil
}

// wait returns the result of the part in flight, if any.
func (w *Writer) wait(ctx context.Context) error {
	if w.inflight == nil {
		return nil
	}
	select {
	case err := <-w.inflight:
		w.inflight = nil
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (w *Writer) send(ctx context.Context, part int, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	if err := w.upload(ctx, part, body); err != nil {
		return fmt.Errorf("part %d: %w", part, err)
	}
	return nil
}

// Finish uploads the last part, an empty one for an empty object when
// emptyPart says the store needs one, and returns the number of parts.
func (w *Writer) Finish(ctx context.Context, emptyPart bool) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	if err := w.wait(ctx); err != nil {
		w.err = err
		return 0, err
	}
	if len(w.buf) > 0 || (w.parts == 0 && emptyPart) {
		w.parts++
		if err := w.send(ctx, w.parts, w.buf); err != nil {
			w.err = err
			return 0, err
		}
	}
	w.release(ErrFinished)
	return w.parts, nil
}

// Abort stops the part in flight and releases the buffers; the caller
// discards what was uploaded. It returns ErrFinished or ErrAborted if the
// Writer has ended before.
func (w *Writer) Abort() error {
	if errors.Is(w.err, ErrFinished) || errors.Is(w.err, ErrAborted) {
		return w.err
	}
	w.cancel()
	if w.inflight != nil {
		<-w.inflight
	}
	w.inflight = nil
	w.release(ErrAborted)
	return nil
}

// release ends the Writer with err and gives its buffers back, once no
// part is in flight.
func (w *Writer) release(err error) {
	w.cancel()
	w.bufs.put(w.buf)
	w.bufs.put(w.spare)
	w.err, w.buf, w.spare = err, nil, nil
}
