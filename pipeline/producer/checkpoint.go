package producer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/schemas"
)

// checkpoints stores each running job's progress in BucketCheckpoints,
// under schemas.JobKey. A checkpoint is written only after the page's
// events are acknowledged, so resuming from it loses nothing and re-fetches
// at most one page.
type checkpoints struct {
	kv jetstream.KeyValue
}

func openCheckpoints(ctx context.Context, js jetstream.JetStream) (*checkpoints, error) {
	kv, err := js.KeyValue(ctx, schemas.BucketCheckpoints)
	if err != nil {
		return nil, fmt.Errorf("open checkpoints: %w", err)
	}
	return &checkpoints{kv: kv}, nil
}

// load returns the job's checkpoint, the zero Checkpoint when it has
// none, and whether it has one.
func (c *checkpoints) load(ctx context.Context, key string) (schemas.Checkpoint, bool, error) {
	cp, _, ok, err := pipeline.GetJSON[schemas.Checkpoint](ctx, c.kv, key)
	if err != nil {
		return cp, false, fmt.Errorf("load checkpoint: %w", err)
	}
	return cp, ok, nil
}

func (c *checkpoints) save(ctx context.Context, key string, cp schemas.Checkpoint) error {
	b, err := json.Marshal(cp)
	if err != nil {
		return fmt.Errorf("encode checkpoint: %w", err)
	}
	if _, err := c.kv.Put(ctx, key, b); err != nil {
		return fmt.Errorf("save checkpoint %s: %w", key, err)
	}
	return nil
}

// remove deletes the job's checkpoint once the job is complete.
func (c *checkpoints) remove(ctx context.Context, key string) error {
	if err := c.kv.Delete(ctx, key); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("delete checkpoint %s: %w", key, err)
	}
	return nil
}
