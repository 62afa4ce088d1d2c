package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	s3api "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/chatlake/chatlake/lake"
)

var (
	errFinished = errors.New("s3 lake: object is finished")
	errAborted  = errors.New("s3 lake: object is aborted")
)

// object is a multipart upload in progress. A full buffer is uploaded in
// the background while the other one fills, so writing and uploading
// overlap and memory stays at two parts.
type object struct {
	s      *Storage
	name   string
	key    string
	upload string

	// ctx governs the background part uploads. It is the ctx of Create
	// without its cancellation (lake.Storage.Create: writes may outlive
	// it); each part has its own timeout and Abort cancels it. As in
	// go-cloud's blob.Writer, the writer, not the caller, owns this ctx.
	ctx    context.Context
	cancel context.CancelFunc

	buf      []byte     // the part being filled
	spare    []byte     // the part in flight, free once inflight reports
	parts    int32      // parts started
	inflight chan error // the result of the part in flight, nil if none
	err      error      // sticky: the first failure, or errFinished/errAborted
}

func newObject(ctx context.Context, s *Storage, name, upload string) *object {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	return &object{s: s, name: name, key: s.key(name), upload: upload, ctx: ctx, cancel: cancel}
}

// Write copies p into the current part, uploading each part that fills.
func (o *object) Write(p []byte) (int, error) {
	if o.err != nil {
		return 0, o.err
	}
	if o.buf == nil {
		o.buf = o.s.buffer()
	}
	n := 0
	for len(p) > 0 {
		k := copy(o.buf[len(o.buf):cap(o.buf)], p)
		o.buf, p, n = o.buf[:len(o.buf)+k], p[k:], n+k
		if len(o.buf) == cap(o.buf) {
			if err := o.startPart(); err != nil {
				o.err = err
				return n, err
			}
		}
	}
	return n, nil
}

// startPart waits for the part in flight, then uploads the full buffer in
// the background and swaps in the free one.
func (o *object) startPart() error {
	if err := o.wait(o.ctx); err != nil {
		return err
	}
	if o.parts == maxParts {
		return fmt.Errorf("write %s: more than %d parts of %d bytes", o.name, maxParts, o.s.partSize)
	}
	o.parts++
	part, body := o.parts, o.buf
	o.buf, o.spare = o.spare, body
	if o.buf == nil {
		o.buf = o.s.buffer()
	}
	o.buf = o.buf[:0]
	done := make(chan error, 1)
	o.inflight = done
	go func() { done <- o.uploadPart(o.ctx, part, body) }()
	return nil
}

// wait returns the result of the part in flight, if any.
func (o *object) wait(ctx context.Context) error {
	if o.inflight == nil {
		return nil
	}
	select {
	case err := <-o.inflight:
		o.inflight = nil
		return err
	case <-ctx.Done():
		return fmt.Errorf("write %s: %w", o.name, ctx.Err())
	}
}

func (o *object) uploadPart(ctx context.Context, part int32, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, o.s.partTimeout)
	defer cancel()
	_, err := o.s.client.UploadPart(ctx, &s3api.UploadPartInput{
		Bucket: &o.s.bucket, Key: &o.key, UploadId: &o.upload,
		PartNumber: &part, Body: bytes.NewReader(body), ContentLength: new(int64(len(body))),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
	})
	if err != nil {
		return fmt.Errorf("write %s: upload part %d: %w", o.name, part, err)
	}
	return nil
}

// Finish uploads the last part, an empty one for an empty object (S3
// completes no upload without parts), and leaves the upload uncompleted:
// Publish completes it.
func (o *object) Finish(ctx context.Context) (lake.Ref, error) {
	if o.err != nil {
		return lake.Ref{}, o.err
	}
	if err := o.wait(ctx); err != nil {
		o.err = err
		return lake.Ref{}, err
	}
	if len(o.buf) > 0 || o.parts == 0 {
		o.parts++
		if err := o.uploadPart(ctx, o.parts, o.buf); err != nil {
			o.err = err
			return lake.Ref{}, err
		}
	}
	o.release(errFinished)
	return lake.Ref{Name: o.name, Upload: o.upload}, nil
}

// release ends the object with err and gives its buffers back to the
// Storage, once no part is in flight.
func (o *object) release(err error) {
	o.cancel()
	o.s.recycle(o.buf)
	o.s.recycle(o.spare)
	o.err, o.buf, o.spare = err, nil, nil
}

// Abort stops the part in flight and aborts the upload.
func (o *object) Abort(ctx context.Context) error {
	if errors.Is(o.err, errFinished) || errors.Is(o.err, errAborted) {
		return o.err
	}
	o.cancel()
	if o.inflight != nil {
		<-o.inflight
	}
	o.inflight = nil
	o.release(errAborted)
	_, err := o.s.client.AbortMultipartUpload(ctx, &s3api.AbortMultipartUploadInput{
		Bucket: &o.s.bucket, Key: &o.key, UploadId: &o.upload,
	})
	if err != nil && !isNoSuchUpload(err) {
		return fmt.Errorf("abort %s: %w", o.name, err)
	}
	return nil
}
