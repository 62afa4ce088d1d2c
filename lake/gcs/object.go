package gcs

import (
	"context"
	"errors"
	"fmt"

	"cloud.google.com/go/storage"

	"github.com/chatlake/chatlake/lake"
)

var (
	errFinished = errors.New("gcs lake: object is finished")
	errAborted  = errors.New("gcs lake: object is aborted")
)

// object is a resumable upload of a staging object in progress. The SDK's
// Writer buffers one chunk and sends each full one while the caller
// writes on, so memory stays at one chunk whatever the object's size.
type object struct {
	s      *Storage
	name   string
	upload string
	obj    *storage.ObjectHandle
	w      *storage.Writer
	// cancel ends the Writer's context: the ctx of Create without its
	// cancellation (lake.Storage.Create: writes may outlive it), which
	// Abort cancels.
	cancel context.CancelFunc
	err    error // sticky: the first failure, or errFinished/errAborted
}

// newObject uploads to the staging object of name, which must still be
// the placeholder of generation placeholder when the upload finalizes.
func newObject(ctx context.Context, s *Storage, name, upload string, placeholder int64) *object {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	obj := s.bucket.Object(s.stagingKey(name, upload))
	w := obj.If(storage.Conditions{GenerationMatch: placeholder}).NewWriter(ctx)
	w.ChunkSize = s.partSize
	w.ChunkTransferTimeout = s.partTimeout
	w.ContentType = "application/octet-stream"
	return &object{s: s, name: name, upload: upload, obj: obj, w: w, cancel: cancel}
}

// Write passes p to the upload.
func (o *object) Write(p []byte) (int, error) {
	if o.err != nil {
		return 0, o.err
	}
	n, err := o.w.Write(p)
	if err != nil {
		o.err = fmt.Errorf("write %s: %w", o.name, err)
		return n, o.err
	}
	return n, nil
}

// Finish sends the last chunk and finalizes the staging object, still
// hidden from List and Open: Publish copies it to its name. ctx bounds the
// wait.
func (o *object) Finish(ctx context.Context) (lake.Ref, error) {
	if o.err != nil {
		return lake.Ref{}, o.err
	}
	stop := context.AfterFunc(ctx, o.cancel)
	err := o.w.Close()
	stop()
	o.cancel()
	if err != nil {
		o.err = fmt.Errorf("finish %s: %w", o.name, err)
		return lake.Ref{}, o.err
	}
	o.err = errFinished
	return lake.Ref{Name: o.name, Upload: o.upload}, nil
}

// Abort stops the upload and deletes the staging object: the placeholder,
// or the upload if it finalized anyway.
func (o *object) Abort(ctx context.Context) error {
	if errors.Is(o.err, errFinished) || errors.Is(o.err, errAborted) {
		return o.err
	}
	o.cancel()
	_ = o.w.Close() // fails: its context is cancelled
	o.err = errAborted
	if err := o.obj.Delete(ctx); err != nil && !errors.Is(err, storage.ErrObjectNotExist) {
		return fmt.Errorf("abort %s: %w", o.name, err)
	}
	return nil
}
