package azure

import (
	"bytes"
	"context"
	"crypto/md5"
	"fmt"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"

	"github.com/chatlake/chatlake/lake"
	"github.com/chatlake/chatlake/lake/internal/parts"
)

// object stages the blocks of a blob in progress, each full block in the
// background while the next one fills.
type object struct {
	s     *Storage
	name  string
	nonce string
	w     *parts.Writer
}

func newObject(ctx context.Context, s *Storage, name, nonce string) *object {
	o := &object{s: s, name: name, nonce: nonce}
	bb := s.blob(name)
	stage := func(ctx context.Context, n int, body []byte) error {
		// Content-MD5, which the server checks: Azurite has no CRC64, and
		// the SDK's computed CRC64 copies the block.
		sum := md5.Sum(body)
		_, err := bb.StageBlock(ctx, blockID(nonce, n), streaming.NopCloser(bytes.NewReader(body)),
			&blockblob.StageBlockOptions{TransactionalValidation: blob.TransferValidationTypeMD5(sum[:])})
		return err
	}
	o.w = parts.NewWriter(ctx, s.buffers, maxBlocks, s.partTimeout, stage)
	return o
}

func (o *object) Write(p []byte) (int, error) {
	n, err := o.w.Write(p)
	if err != nil {
		return n, fmt.Errorf("write %s: %w", o.name, err)
	}
	return n, nil
}

// Finish stages the last block and leaves the block list uncommitted:
// Publish commits it. An empty object has no block.
func (o *object) Finish(ctx context.Context) (lake.Ref, error) {
	n, err := o.w.Finish(ctx, false)
	if err != nil {
		return lake.Ref{}, fmt.Errorf("finish %s: %w", o.name, err)
	}
	return lake.Ref{Name: o.name, Upload: upload(o.nonce, n)}, nil
}

// Abort stops the block in flight and discards what was staged.
func (o *object) Abort(ctx context.Context) error {
	if err := o.w.Abort(); err != nil {
		return fmt.Errorf("abort %s: %w", o.name, err)
	}
	if err := o.s.discard(ctx, o.name, o.nonce); err != nil {
		return fmt.Errorf("abort %s: %w", o.name, err)
	}
	return nil
}
