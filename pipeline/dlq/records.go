package dlq

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/schemas"
)

// replays opens the replay bucket; nil, without error, if no replay has
// made it yet.
func (q *Queue) replays(ctx context.Context) (jetstream.KeyValue, error) {
	kv, err := q.js.KeyValue(ctx, schemas.BucketDeadLetterReplays)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open replay records: %w", err)
	}
	return kv, nil
}

// ensureReplays creates the replay bucket, like the dead-letter stream:
// same replicas, and records kept as long as the dead letters.
func (q *Queue) ensureReplays(ctx context.Context) (jetstream.KeyValue, error) {
	cfg := q.stream.CachedInfo().Config
	kv, err := q.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      schemas.BucketDeadLetterReplays,
		Description: "chatlake: replays of dead letters, by their sequence in " + schemas.StreamDeadLetters,
		Storage:     jetstream.FileStorage,
		Replicas:    cfg.Replicas,
		TTL:         cfg.MaxAge,
	})
	if err != nil {
		return nil, fmt.Errorf("ensure bucket %s: %w", schemas.BucketDeadLetterReplays, err)
	}
	return kv, nil
}

// allReplays reads every replay record by dead-letter sequence, in one
// pass over the bucket.
func (q *Queue) allReplays(ctx context.Context) (map[uint64]schemas.DeadLetterReplay, error) {
	recs := map[uint64]schemas.DeadLetterReplay{}
	kv, err := q.replays(ctx)
	if err != nil || kv == nil {
		return recs, err
	}
	w, err := kv.WatchAll(ctx, jetstream.IgnoreDeletes())
	if err != nil {
		return nil, fmt.Errorf("read replay records: %w", err)
	}
	defer w.Stop()
	for {
		select {
		case e := <-w.Updates():
			if e == nil { // every current value was delivered
				return recs, nil
			}
			var rec schemas.DeadLetterReplay
			if json.Unmarshal(e.Value(), &rec) == nil {
				recs[rec.DeadLetterSeq] = rec
			}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}
