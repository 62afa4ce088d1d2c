package s3

import (
	"bytes"
	"context"
	"fmt"

	s3api "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/chatlake/chatlake/lake"
	"github.com/chatlake/chatlake/lake/internal/parts"
)

// object is a multipart upload in progress: a full part is uploaded in
// the background while the next one fills, so writing and uploading
// overlap and memory stays at two parts.
type object struct {
	s      *Storage
	name   string
	key    string
	upload string
	w      *parts.Writer
}

func newObject(ctx context.Context, s *Storage, name, upload string) *object {
	o := &object{s: s, name: name, key: s.key(name), upload: upload}
	o.w = parts.NewWriter(ctx, s.buffers, maxParts, s.partTimeout, o.uploadPart)
	return o
}

func (o *object) Write(p []byte) (int, error) {
	n, err := o.w.Write(p)
	if err != nil {
		return n, fmt.Errorf("write %s: %w", o.name, err)
	}
	return n, nil
}

func (o *object) uploadPart(ctx context.Context, part int, body []byte) error {
	_, err := o.s.client.UploadPart(ctx, &s3api.UploadPartInput{
		Bucket: &o.s.bucket, Key: &o.key, UploadId: &o.upload,
		PartNumber: new(int32(part)), Body: bytes.NewReader(body), ContentLength: new(int64(len(body))),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
	})
	return err
}

// Finish uploads the last part, an empty one for an empty object (S3
// completes no upload without parts), and leaves the upload uncompleted:
// Publish completes it.
func (o *object) Finish(ctx context.Context) (lake.Ref, error) {
	if _, err := o.w.Finish(ctx, true); err != nil {
		return lake.Ref{}, fmt.Errorf("finish %s: %w", o.name, err)
	}
	return lake.Ref{Name: o.name, Upload: o.upload}, nil
}

// Abort stops the part in flight and aborts the upload.
func (o *object) Abort(ctx context.Context) error {
	if err := o.w.Abort(); err != nil {
		return fmt.Errorf("abort %s: %w", o.name, err)
	}
	_, err := o.s.client.AbortMultipartUpload(ctx, &s3api.AbortMultipartUploadInput{
		Bucket: &o.s.bucket, Key: &o.key, UploadId: &o.upload,
	})
	if err != nil && !isNoSuchUpload(err) {
		return fmt.Errorf("abort %s: %w", o.name, err)
	}
	return nil
}
