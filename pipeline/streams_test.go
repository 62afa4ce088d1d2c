package pipeline_test

import (
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/internal/natstest"
	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/schemas"
)

func TestEnsureStreamsIsIdempotentAndUpdates(t *testing.T) {
	_, js := natstest.Start(t).Connect(t)
	ctx := t.Context()
	if err := pipeline.EnsureStreams(ctx, js, pipeline.StreamsConfig{}); err != nil {
		t.Fatalf("EnsureStreams: %v", err)
	}
	if err := pipeline.EnsureStreams(ctx, js, pipeline.StreamsConfig{ConversationsMaxAge: 48 * time.Hour}); err != nil {
		t.Fatalf("EnsureStreams again: %v", err)
	}
	s, err := js.Stream(ctx, schemas.StreamConversations)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.CachedInfo().Config.MaxAge; got != 48*time.Hour {
		t.Errorf("conversations MaxAge = %v, want 48h", got)
	}
	jobs, err := js.Stream(ctx, schemas.StreamJobs)
	if err != nil {
		t.Fatal(err)
	}
	if got := jobs.CachedInfo().Config.Retention; got != jetstream.WorkQueuePolicy {
		t.Errorf("jobs retention = %v, want work queue", got)
	}
	// A replayed exporter epoch republishes its dead letters: the window
	// that drops them must be the configured one, not JetStream's 2 minutes.
	dlq, err := js.Stream(ctx, schemas.StreamDeadLetters)
	if err != nil {
		t.Fatal(err)
	}
	if got := dlq.CachedInfo().Config.Duplicates; got != 2*time.Hour {
		t.Errorf("dead letters duplicate window = %v, want 2h", got)
	}
}

func TestStreamsConfigValidate(t *testing.T) {
	for _, c := range []pipeline.StreamsConfig{
		{Replicas: -1},
		{Replicas: 7},
		{DuplicateWindow: 48 * time.Hour, ConversationsMaxAge: time.Hour},
	} {
		if err := c.Validate(); err == nil {
			t.Errorf("%+v.Validate() = nil, want an error", c)
		}
	}
}
