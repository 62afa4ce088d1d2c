package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// GetJSON reads the JSON value of key in kv into a T, with its revision.
// An absent key is no error: ok is false and v the zero T.
func GetJSON[T any](ctx context.Context, kv jetstream.KeyValue, key string) (v T, rev uint64, ok bool, err error) {
	e, err := kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return v, 0, false, nil
	}
	if err != nil {
		return v, 0, false, fmt.Errorf("get %s: %w", key, err)
	}
	if err := json.Unmarshal(e.Value(), &v); err != nil {
		return v, 0, false, fmt.Errorf("decode %s: %w", key, err)
	}
	return v, e.Revision(), true, nil
}
