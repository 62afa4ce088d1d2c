package lakestack

import (
	"log/slog"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/internal/config"
	"github.com/chatlake/chatlake/internal/stack"
	"github.com/chatlake/chatlake/pipeline/retention"
)

// Retention returns the part that deletes exported events when
// streams.conversations_retention is "exported", keeping each a duplicate
// window after its commit; a part that does nothing otherwise. Run it next
// to the exporter.
func Retention(cfg *config.Config, js jetstream.JetStream, log *slog.Logger) (stack.Part, error) {
	if cfg.Streams.ConversationsRetention != config.RetentionExported {
		return stack.Part{Name: "retention"}, nil
	}
	p, err := retention.New(js, log.With("component", "retention"), retention.Config{Keep: cfg.Streams.DuplicateWindow})
	if err != nil {
		return stack.Part{}, err
	}
	return stack.Part{Name: "retention", Run: p.Run}, nil
}
