package runs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/schemas"
)

// Completions returns the completion events of run stored in
// schemas.StreamRuns, oldest first.
func Completions(ctx context.Context, js jetstream.JetStream, run string) ([]schemas.RunCompletion, error) {
	cons, err := js.OrderedConsumer(ctx, schemas.StreamRuns, jetstream.OrderedConsumerConfig{FilterSubjects: []string{schemas.RunSubject(run)}})
	if err != nil {
		return nil, fmt.Errorf("read completions of %s: %w", run, err)
	}
	info, err := cons.Info(ctx)
	if err != nil {
		return nil, fmt.Errorf("read completions of %s: %w", run, err)
	}
	var out []schemas.RunCompletion
	for left := info.NumPending; left > 0; {
		batch, err := cons.Fetch(int(min(left, 256)), jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			return nil, fmt.Errorf("read completions of %s: %w", run, err)
		}
		n := 0
		for m := range batch.Messages() {
			n++
			var c schemas.RunCompletion
			if json.Unmarshal(m.Data(), &c) == nil {
				out = append(out, c)
			}
		}
		if err := batch.Error(); err != nil {
			return nil, fmt.Errorf("read completions of %s: %w", run, err)
		}
		if n == 0 {
			break
		}
		left -= uint64(n)
	}
	return out, nil
}
