package pipeline

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/schemas"
)

// StreamsConfig sizes the streams. Zero values mean the documented defaults.
type StreamsConfig struct {
	// Replicas for every stream and bucket; 1 on a single server, 3 in a
	// cluster. Default 1.
	Replicas int
	// ConversationsMaxAge bounds how long events are kept. Default 7 days.
	ConversationsMaxAge time.Duration
	// ConversationsMaxBytes bounds the events stream's size; -1 or 0 is
	// unlimited.
	ConversationsMaxBytes int64
	// DuplicateWindow is how long JetStream remembers Nats-Msg-Id values to
	// drop republished events. Default 2 hours: longer than any job's
	// redelivery cycle, so a job resumed from its checkpoint cannot double
	// the events of the page it re-fetches.
	DuplicateWindow time.Duration
	// DeadLetterMaxAge bounds how long dead letters, and the completion
	// events of export runs, are kept. Default 30 days.
	DeadLetterMaxAge time.Duration
}

func (c StreamsConfig) withDefaults() StreamsConfig {
	c.Replicas = cmp.Or(c.Replicas, 1)
	c.ConversationsMaxAge = cmp.Or(c.ConversationsMaxAge, 7*24*time.Hour)
	c.ConversationsMaxBytes = cmp.Or(c.ConversationsMaxBytes, -1)
	c.DuplicateWindow = cmp.Or(c.DuplicateWindow, 2*time.Hour)
	c.DeadLetterMaxAge = cmp.Or(c.DeadLetterMaxAge, 30*24*time.Hour)
	return c
}

// Validate reports a setting that cannot work.
func (c StreamsConfig) Validate() error {
	switch {
	case c.Replicas < 0 || c.Replicas > 5:
		return fmt.Errorf("streams: replicas %d out of 1..5", c.Replicas)
	case c.ConversationsMaxAge < 0, c.DuplicateWindow < 0, c.DeadLetterMaxAge < 0:
		return fmt.Errorf("streams: negative duration")
	case c.DuplicateWindow > 0 && c.ConversationsMaxAge > 0 && c.DuplicateWindow > c.ConversationsMaxAge:
		return fmt.Errorf("streams: duplicate window %v longer than max age %v", c.DuplicateWindow, c.ConversationsMaxAge)
	}
	return nil
}

// StreamConfigs returns the configuration of every chatlake stream.
func (c StreamsConfig) StreamConfigs() []jetstream.StreamConfig {
	c = c.withDefaults()
	return []jetstream.StreamConfig{{
		Name:        schemas.StreamJobs,
		Description: "chatlake jobs: one user of one provider app each",
		Subjects:    []string{schemas.SubjectJobsPrefix + ">"},
		Retention:   jetstream.WorkQueuePolicy,
		Storage:     jetstream.FileStorage,
		Replicas:    c.Replicas,
		Duplicates:  c.DuplicateWindow,
	}, {
		Name:        schemas.StreamConversations,
		Description: "chatlake conversation events",
		Subjects:    []string{schemas.SubjectConversationsPrefix + ">"},
		Retention:   jetstream.LimitsPolicy,
		Storage:     jetstream.FileStorage,
		Replicas:    c.Replicas,
		MaxAge:      c.ConversationsMaxAge,
		MaxBytes:    c.ConversationsMaxBytes,
		Duplicates:  c.DuplicateWindow,
	}, {
		Name:        schemas.StreamDeadLetters,
		Description: "chatlake dead letters: the original message and why it failed",
		Subjects:    []string{schemas.SubjectDeadLetterPrefix + ">"},
		Retention:   jetstream.LimitsPolicy,
		Storage:     jetstream.FileStorage,
		Replicas:    c.Replicas,
		MaxAge:      c.DeadLetterMaxAge,
		Duplicates:  c.DuplicateWindow,
	}, {
		Name:        schemas.StreamRuns,
		Description: "chatlake export runs: one completion event per completion of a run",
		Subjects:    []string{schemas.SubjectRunsPrefix + ">"},
		Retention:   jetstream.LimitsPolicy,
		Storage:     jetstream.FileStorage,
		Replicas:    c.Replicas,
		MaxAge:      c.DeadLetterMaxAge,
		Duplicates:  c.DuplicateWindow,
	}}
}

// EnsureStreams creates the streams, or updates them to cfg, so every
// process can call it at start-up whatever ran before.
func EnsureStreams(ctx context.Context, js jetstream.JetStream, cfg StreamsConfig) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	for _, sc := range cfg.StreamConfigs() {
		if _, err := js.CreateOrUpdateStream(ctx, sc); err != nil {
			return fmt.Errorf("ensure stream %s: %w", sc.Name, err)
		}
	}
	return nil
}
