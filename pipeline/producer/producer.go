package producer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/sync/errgroup"
	"golang.org/x/time/rate"

	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/schemas"
)

// Provider fetches one page of a job's conversations. cursor "" asks for
// the first page; Page.Next resumes after the page; Page.Done marks the
// last. Errors should implement schemas.Classed; unclassed errors count as
// transient. providers.Router implements it.
type Provider interface {
	FetchPage(ctx context.Context, job schemas.Job, cursor string) (schemas.Page, error)
}

// Producer turns jobs from the jobs stream into conversation events: for
// each job it pages through the Provider, publishes one event per
// conversation, checkpoints after each page, and acknowledges the job when
// every event is stored.
//
// Attempts are counted in the job's status record, not by JetStream: the
// consumer redelivers without limit (MaxDeliver -1) and the producer
// dead-letters a job on its MaxAttempts-th failed attempt. Jobs handed back
// because their provider app is paused (circuit breaker open) or because the
// producer is stopping spend no attempt.
//
// While a provider app is paused, its jobs are handed back with a delay as
// soon as they are pulled, without calling the provider; other apps keep
// flowing. The pause is local to the process and lasts PauseFor, after
// which one job probes the provider again. A failed probe of a half-open
// breaker comes back from providers.Guard as unavailable too (its retry
// meets the reopened breaker), so a long outage spends at most the attempts
// of the jobs that ran before the breaker opened.
//
// All jobs come through one durable pull consumer: a consumer per account
// would need filter subjects that cover every app, and jobs for apps no
// account serves must still reach the producer to be dead-lettered. The
// price is that a paused app's jobs cycle through the producer once per
// PauseFor; MaxAckPending is large so they cannot crowd out other apps.
//
// Conversations a provider reports as failed within a successful call
// (Yunxin batch query failed_list) are recorded in the job's status
// (failed_items, failed_items_total) and counted in
// chatlake_producer_failed_items_total; the job still completes, as
// retrying would get the same answer, and nothing is dead-lettered.
//
// Completion order: the checkpoint is deleted, the status set to done, then
// the job acknowledged. A crash in between redoes the job from its first
// page; the events stream's duplicate window drops the repeated events.
//
// Several producers may share the durable consumer. A Producer is safe for
// concurrent use; call Run once.
type Producer struct {
	js      jetstream.JetStream
	prov    Provider
	log     *slog.Logger
	cfg     Config
	metrics *producerMetrics
	pauses  appPauses
	now     func() time.Time

	events   *rate.Limiter // Config.MaxEventsPerSecond; nil for none
	running  sync.Map      // schemas.JobKey -> struct{}: jobs in flight here
	lastPull atomic.Int64  // unix nanos of the last pull that did not fail
	started  atomic.Bool
	// backlogOKUntil is when the last look below MaxBacklog stops
	// standing; only the pull loop uses it.
	backlogOKUntil time.Time

	status      *pipeline.JobStatuses
	checkpoints *checkpoints
	// msgs recycles the messages (*eventMsg) of events the stream
	// acknowledged: the producer encodes every event, and allocating each
	// buffer, header and message anew made much of its garbage.
	msgs sync.Pool
}

// New returns a Producer reading jobs with js and fetching with
// prov. A nil log discards. It fails if cfg does not validate or its
// metrics cannot be registered.
func New(js jetstream.JetStream, prov Provider, log *slog.Logger, cfg Config) (*Producer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m, err := newProducerMetrics(cfg.Registerer)
	if err != nil {
		return nil, fmt.Errorf("producer metrics: %w", err)
	}
	return &Producer{js: js, prov: prov, log: log, cfg: cfg.withDefaults(), metrics: m, now: time.Now, events: newEventLimiter(cfg.MaxEventsPerSecond)}, nil
}

// ConsumerConfig returns the durable pull consumer the producer uses.
func (p *Producer) ConsumerConfig() jetstream.ConsumerConfig {
	return jetstream.ConsumerConfig{
		Durable:       schemas.ConsumerProducer,
		Description:   "chatlake producer: jobs to conversation events",
		FilterSubject: schemas.SubjectJobsPrefix + ">",
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       p.cfg.AckWait,
		MaxDeliver:    -1, // attempts are counted in the job status
		MaxAckPending: p.cfg.MaxAckPending,
		MaxWaiting:    512,
	}
}

// Run creates or updates the consumer and the job buckets' handles, then
// pulls and runs jobs until ctx ends. It then stops pulling, gives running
// jobs Grace to finish, hands back the rest, and returns nil. It returns an
// error only when it cannot start, for example with a partition count
// other than the exporters'. The streams and buckets must exist
// (EnsureStreams, EnsureJobBuckets).
func (p *Producer) Run(ctx context.Context) error {
	if err := pipeline.AgreePartitions(ctx, p.js, p.cfg.Partitions, 0); err != nil {
		return fmt.Errorf("producer: %w", err)
	}
	cons, err := p.js.CreateOrUpdateConsumer(ctx, schemas.StreamJobs, p.ConsumerConfig())
	if err != nil {
		return fmt.Errorf("producer consumer: %w", err)
	}
	if p.status, err = pipeline.OpenJobStatuses(ctx, p.js); err != nil {
		return err
	}
	if p.checkpoints, err = openCheckpoints(ctx, p.js); err != nil {
		return err
	}
	p.started.Store(true)
	p.log.Info("producer started", "concurrency", p.cfg.Concurrency, "max_attempts", p.cfg.MaxAttempts)

	// Jobs run under work, which outlives ctx by Grace so that they can
	// finish; then it ends and they hand themselves back.
	work, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	stopGrace := context.AfterFunc(ctx, func() { time.AfterFunc(p.cfg.Grace, stopWork) })
	defer stopGrace()

	// Concurrency workers run the jobs, each holding a slot: a worker
	// lives as long as Run, so its stack, grown by the first job, serves
	// the next ones (a goroutine a job grew a fresh one every time).
	g := new(errgroup.Group)
	slots := make(chan struct{}, p.cfg.Concurrency)
	jobs := make(chan jetstream.Msg)
	for range p.cfg.Concurrency {
		g.Go(func() error {
			for msg := range jobs {
				p.handle(work, msg)
				<-slots
			}
			return nil
		})
	}
	p.pullLoop(ctx, cons, jobs, slots)
	close(jobs)
	g.Wait()
	p.log.Info("producer stopped")
	return nil
}

// pullLoop pulls as many jobs as there are free slots, in one request, and
// hands each to a worker, until ctx ends. A worker is free for every job:
// there are as many as slots, and each job holds one.
func (p *Producer) pullLoop(ctx context.Context, cons jetstream.Consumer, jobs chan<- jetstream.Msg, slots chan struct{}) {
	for {
		if !p.waitBacklog(ctx) {
			return
		}
		n, ok := p.acquire(ctx, slots)
		if !ok {
			return
		}
		batch, err := cons.Fetch(n, jetstream.FetchMaxWait(p.cfg.FetchWait))
		if err != nil {
			p.pullFailed(ctx, err, slots, n)
			continue
		}
		for msg := range batch.Messages() {
			n--
			if ctx.Err() != nil {
				p.handBack(msg)
				<-slots
				continue
			}
			jobs <- msg
		}
		if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) {
			p.pullFailed(ctx, err, slots, 0)
		} else {
			p.lastPull.Store(p.now().UnixNano())
		}
		release(slots, n)
	}
}

// acquire waits for one free slot, then takes up to Batch-1 more that are
// free now. It returns how many it took, or false when ctx ended.
func (p *Producer) acquire(ctx context.Context, slots chan struct{}) (int, bool) {
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return 0, false
	}
	n := 1
	for n < p.cfg.Batch {
		select {
		case slots <- struct{}{}:
			n++
		default:
			return n, true
		}
	}
	return n, true
}

func release(slots chan struct{}, n int) {
	for range n {
		<-slots
	}
}

// pullFailed logs a failed pull and waits FetchWait so a broken connection
// does not spin.
func (p *Producer) pullFailed(ctx context.Context, err error, slots chan struct{}, n int) {
	release(slots, n)
	if ctx.Err() != nil {
		return
	}
	p.log.Warn("producer pull failed", "err", err)
	t := time.NewTimer(p.cfg.FetchWait)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// Ready reports whether the producer is pulling: started, and a pull
// succeeded within the last few FetchWaits.
func (p *Producer) Ready() error {
	if !p.started.Load() {
		return errors.New("producer not started")
	}
	last := time.Unix(0, p.lastPull.Load())
	if age := p.now().Sub(last); age > 3*p.cfg.FetchWait+5*time.Second {
		return fmt.Errorf("producer: no successful pull for %v", age.Round(time.Second))
	}
	return nil
}

// Paused lists the provider apps ("<provider>.<app>") whose jobs are being
// handed back because their circuit breaker is open.
func (p *Producer) Paused() []string {
	keys := p.pauses.paused(p.now())
	slices.Sort(keys)
	return keys
}
