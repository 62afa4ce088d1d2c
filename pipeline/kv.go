package pipeline

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/internal/jsonv1"
)

// GetJSON reads the JSON value of key in kv into a T, with its revision,
// decoded as encoding/json would (jsonv1: the producer reads a status
// and a checkpoint for every job).
// An absent key is no error: ok is false and v the zero T.
func GetJSON[T any](ctx context.Context, kv jetstream.KeyValue, key string) (v T, rev uint64, ok bool, err error) {
	e, err := kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return v, 0, false, nil
	}
	if err != nil {
		return v, 0, false, fmt.Errorf("get %s: %w", key, err)
	}
	if v, err = jsonv1.Unmarshal[T](e.Value()); err != nil {
		return v, 0, false, fmt.Errorf("decode %s: %w", key, err)
	}
	return v, e.Revision(), true, nil
}
