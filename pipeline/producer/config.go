package producer

import (
	"cmp"
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Config tunes a Producer. Zero values mean the documented defaults.
type Config struct {
	// Concurrency is how many jobs run at once. Default 32: enough to keep
	// an account's quota busy at 100 QPS with 300 ms answers, and the
	// producer's own CPU per event falls with it (its publishes and acks
	// share NATS writes and wake-ups): 40 µs at 8, 26-29 at 32
	// (BENCHMARKS.md).
	Concurrency int
	// Batch caps the messages of one pull request; a pull asks for as many
	// jobs as there are free slots, up to Batch. Default Concurrency.
	Batch int
	// FetchWait is how long one pull waits for jobs. It also bounds how
	// long a stop request waits for the pull loop. Default 1s.
	FetchWait time.Duration
	// AckWait is the consumer's AckWait. A running job signals progress
	// every InProgressEvery, so it may be short. Default 30s.
	AckWait time.Duration
	// InProgressEvery is how often a running job tells JetStream it is
	// alive. Default AckWait/3.
	InProgressEvery time.Duration
	// MaxAckPending bounds the jobs delivered and not yet acknowledged,
	// including those handed back with a delay while their provider is
	// paused. Default 10000.
	MaxAckPending int
	// MaxAttempts is how many failed attempts (throttled or transient) a
	// job gets; the last one sends it to the dead letters. Attempts handed
	// back because a provider was unavailable, or at shutdown, do not
	// count. Default 5.
	MaxAttempts int
	// RetryInitial is the delay before the second attempt; it doubles for
	// each failed attempt, with ±20% jitter, up to RetryMax. Defaults 1s
	// and 5m.
	RetryInitial time.Duration
	RetryMax     time.Duration
	// PauseFor is how long a provider app whose circuit breaker is open
	// takes no jobs; its jobs are handed back with that delay. Default 5s.
	PauseFor time.Duration
	// PublishWindow bounds a job's events published and not yet
	// acknowledged by the stream. Default 256.
	PublishWindow int
	// PublishTimeout bounds the wait for one event's acknowledgement.
	// Default 30s.
	PublishTimeout time.Duration
	// Partitions is how many parts the conversations stream is split into
	// (see schemas.EventSubject); Run refuses a count other than the one
	// every producer and exporter agreed on (pipeline.AgreePartitions).
	// Default 1.
	Partitions int
	// MaxBacklog, if above 0, holds the producer from taking new jobs
	// while more events than that wait for the exporters (the pending
	// count of their consumers, looked at every 250ms): a producer faster
	// than the exporter would otherwise fill the store, and the exporter,
	// reading far behind, makes nats-server load every block again.
	// Running jobs go on. Default 0 (never held); chatlake run and the
	// demo set it.
	MaxBacklog int
	// MaxEventsPerSecond, if above 0, is the most events this producer
	// publishes per second, spread evenly: the pages of running jobs wait
	// for their turn. An embedded nats-server keeps about 10 s of the
	// stream's traffic in memory, so its memory follows this rate, and a
	// steady rate keeps it lower than bursts to the same average. Default 0
	// (no limit); chatlake run and the demo set it.
	MaxEventsPerSecond int
	// Grace is how long running jobs may take to finish after Run's
	// context ends; then they are handed back. Default 20s.
	Grace time.Duration
	// Registerer, if not nil, gets the producer's metrics.
	Registerer prometheus.Registerer
}

// Validate reports settings that are negative or contradict each other.
func (c Config) Validate() error {
	var errs []error
	for _, f := range []struct {
		name string
		bad  bool
	}{
		{"concurrency", c.Concurrency < 0}, {"batch", c.Batch < 0}, {"fetch wait", c.FetchWait < 0},
		{"ack wait", c.AckWait < 0}, {"in progress every", c.InProgressEvery < 0}, {"max ack pending", c.MaxAckPending < 0},
		{"max attempts", c.MaxAttempts < 0}, {"retry initial", c.RetryInitial < 0}, {"retry max", c.RetryMax < 0},
		{"pause for", c.PauseFor < 0}, {"publish window", c.PublishWindow < 0}, {"publish timeout", c.PublishTimeout < 0},
		{"grace", c.Grace < 0}, {"partitions", c.Partitions < 0}, {"max backlog", c.MaxBacklog < 0},
		{"max events per second", c.MaxEventsPerSecond < 0},
	} {
		if f.bad {
			errs = append(errs, fmt.Errorf("%s must not be negative", f.name))
		}
	}
	d := c.withDefaults()
	if d.InProgressEvery >= d.AckWait {
		errs = append(errs, fmt.Errorf("in progress every %v must be shorter than ack wait %v", d.InProgressEvery, d.AckWait))
	}
	if d.AckWait < time.Second {
		errs = append(errs, fmt.Errorf("ack wait %v below 1s", d.AckWait))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("producer config: %w", err)
	}
	return nil
}

func (c Config) withDefaults() Config {
	c.Concurrency = cmp.Or(c.Concurrency, 32)
	c.Batch = cmp.Or(c.Batch, c.Concurrency)
	c.FetchWait = cmp.Or(c.FetchWait, time.Second)
	c.AckWait = cmp.Or(c.AckWait, 30*time.Second)
	c.InProgressEvery = cmp.Or(c.InProgressEvery, c.AckWait/3)
	c.MaxAckPending = cmp.Or(c.MaxAckPending, 10000)
	c.MaxAttempts = cmp.Or(c.MaxAttempts, 5)
	c.RetryInitial = cmp.Or(c.RetryInitial, time.Second)
	c.RetryMax = cmp.Or(c.RetryMax, 5*time.Minute)
	c.PauseFor = cmp.Or(c.PauseFor, 5*time.Second)
	c.PublishWindow = cmp.Or(c.PublishWindow, 256)
	c.PublishTimeout = cmp.Or(c.PublishTimeout, 30*time.Second)
	c.Grace = cmp.Or(c.Grace, 20*time.Second)
	return c
}
