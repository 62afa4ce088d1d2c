package runs

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/schemas"
)

// FinisherConfig tunes a Finisher. Zero values mean the defaults.
type FinisherConfig struct {
	// Interval between two looks at the open runs. Default 2s.
	Interval time.Duration
	// Marker marks the lake of a completed run; nil marks nothing.
	Marker Marker
	// Format is the lake's format for the completion event when Marker
	// is nil ("parquet" or "iceberg"; may be empty).
	Format string

	crash func(step string) error // tests: called at each step, its error stops the finisher as a crash would
}

// Steps of a completion, where a test's crash hook is called.
const (
	stepDecided   = "decided"   // the record says completing, nothing signalled
	stepMarked    = "marked"    // the lake is marked, no event
	stepPublished = "published" // the event is stored, the record still completing
)

// Finisher signals the completion of export runs, each completion exactly
// once, however many finishers run and wherever one crashes:
//
//  1. An open, sealed run whose jobs all ended and are exported is
//     switched to completing, with its RunCompletion in the record, by
//     compare-and-set: one finisher wins.
//  2. The lake is marked (Marker.Mark, idempotent).
//  3. The event is published on chatlake.runs.<run> with Nats-Msg-Id
//     RunCompletion.ID(), unless the subject's last message already is it
//     (so a redo after the duplicate window does not double it either).
//  4. The record is switched to complete by compare-and-set.
//
// A finisher that finds a run completing (another one crashed in between)
// redoes 2 to 4 with the completion in the record.
//
// A Finisher is safe for concurrent use; call Run once.
type Finisher struct {
	js       jetstream.JetStream
	log      *slog.Logger
	cfg      FinisherConfig
	records  *Records
	statuses *pipeline.JobStatuses
}

// NewFinisher opens the buckets (pipeline.EnsureJobBuckets) and the stream
// (pipeline.EnsureStreams) the finisher needs. A nil log discards.
func NewFinisher(ctx context.Context, js jetstream.JetStream, log *slog.Logger, cfg FinisherConfig) (*Finisher, error) {
	r, err := NewReader(ctx, js)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg.Interval = cmp.Or(cfg.Interval, 2*time.Second)
	return &Finisher{js: js, log: log, cfg: cfg, records: r.records, statuses: r.statuses}, nil
}

// Run looks at the runs every Interval until ctx ends, then returns nil.
// A failed pass is logged and tried again at the next.
func (f *Finisher) Run(ctx context.Context) error {
	t := time.NewTicker(f.cfg.Interval)
	defer t.Stop()
	for {
		if err := f.Pass(ctx); err != nil && ctx.Err() == nil {
			f.log.Warn("run finisher pass failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Pass completes every run that is complete and signals every completion
// not signalled yet. It returns the first error, after trying every run.
func (f *Finisher) Pass(ctx context.Context) error {
	recs, err := f.records.All(ctx)
	if err != nil {
		return err
	}
	c, err := ReadCommits(ctx, f.js)
	if err != nil {
		return err
	}
	var errs []error
	for _, rec := range recs {
		if rec.State == schemas.RunComplete || (rec.State == schemas.RunOpen && !rec.Sealed) {
			continue
		}
		if err := f.finish(ctx, rec.Name, c); err != nil {
			if isCrash(err) {
				return err
			}
			errs = append(errs, fmt.Errorf("run %s: %w", rec.Name, err))
		}
	}
	return errors.Join(errs...)
}

func (f *Finisher) finish(ctx context.Context, run string, c Commits) error {
	rec, rev, err := f.records.Get(ctx, run)
	if err != nil {
		return err
	}
	if rec.State == schemas.RunOpen {
		if rec, err = f.decide(ctx, rec, rev, c); err != nil || rec.State != schemas.RunCompleting {
			return err
		}
	}
	if rec.State != schemas.RunCompleting || rec.Completion == nil {
		return nil
	}
	return f.signal(ctx, rec)
}

// decide switches a sealed run whose jobs all ended and are exported to
// completing; the record returned says whether it did.
func (f *Finisher) decide(ctx context.Context, rec schemas.Run, rev uint64, c Commits) (schemas.Run, error) {
	if !rec.Sealed {
		return rec, nil
	}
	if ok, err := ended(ctx, f.statuses, rec.Name, c); err != nil || !ok {
		return rec, err
	}
	t, err := sum(ctx, f.statuses, rec.Name, c)
	if err != nil || !t.terminal || t.submitted == 0 {
		return rec, err
	}
	comp := schemas.RunCompletion{
		SchemaVersion: schemas.RunSchemaVersion, Run: rec.Name, Completion: rec.Completions + 1,
		CompletedAt: time.Now().UTC(), JobsSubmitted: t.submitted, JobsDone: t.byState[schemas.JobDone], JobsFailed: t.failed,
		Conversations: t.conversations, Failures: t.failures, FailuresTotal: t.failed, LastSeq: t.lastSeq,
		Lake: schemas.RunLake{Format: f.cfg.Format, Partitions: t.partitions},
	}
	rec.State, rec.Completion = schemas.RunCompleting, &comp
	won, err := f.records.swap(ctx, rec, rev)
	if err != nil || !won {
		rec.State = schemas.RunOpen // another writer came first; look again next pass
		return rec, err
	}
	f.log.Info("run complete", "run", rec.Name, "completion", comp.Completion, "jobs", comp.JobsSubmitted, "failed", comp.JobsFailed, "conversations", comp.Conversations)
	return rec, f.hook(stepDecided)
}

// signal marks the lake, publishes the event and records the completion
// as signalled; every step may be repeated.
func (f *Finisher) signal(ctx context.Context, rec schemas.Run) error {
	comp := *rec.Completion
	if f.cfg.Marker != nil {
		l, err := f.cfg.Marker.Mark(ctx, comp)
		if err != nil {
			return fmt.Errorf("mark the lake: %w", err)
		}
		comp.Lake = l
	}
	if err := f.hook(stepMarked); err != nil {
		return err
	}
	if err := f.publish(ctx, comp); err != nil {
		return err
	}
	if err := f.hook(stepPublished); err != nil {
		return err
	}
	return f.records.Update(ctx, rec.Name, func(r *schemas.Run) bool {
		if r.State != schemas.RunCompleting || r.Completion == nil || r.Completion.Completion != comp.Completion {
			return false
		}
		r.State, r.Completions, r.Completion = schemas.RunComplete, comp.Completion, &comp
		return true
	})
}

// publish stores comp on its run's subject once: unless the subject's last
// message is it, and with its ID as Nats-Msg-Id, so a repeat within the
// duplicate window is dropped too.
func (f *Finisher) publish(ctx context.Context, comp schemas.RunCompletion) error {
	subject := schemas.RunSubject(comp.Run)
	stream, err := f.js.Stream(ctx, schemas.StreamRuns)
	if err != nil {
		return fmt.Errorf("runs stream: %w", err)
	}
	last, err := stream.GetLastMsgForSubject(ctx, subject)
	switch {
	case err == nil && last.Header.Get(jetstream.MsgIDHeader) == comp.ID():
		return nil
	case err != nil && !errors.Is(err, jetstream.ErrMsgNotFound):
		return fmt.Errorf("last completion of %s: %w", comp.Run, err)
	}
	b, err := json.Marshal(comp)
	if err != nil {
		return fmt.Errorf("encode completion: %w", err)
	}
	m := nats.NewMsg(subject)
	m.Data = b
	m.Header.Set(jetstream.MsgIDHeader, comp.ID())
	if _, err := f.js.PublishMsg(ctx, m); err != nil {
		return fmt.Errorf("publish completion of %s: %w", comp.Run, err)
	}
	return nil
}

// errCrash wraps a crash hook's error.
type errCrash struct{ err error }

func (e errCrash) Error() string { return "crash: " + e.err.Error() }
func (e errCrash) Unwrap() error { return e.err }

func isCrash(err error) bool {
	var c errCrash
	return errors.As(err, &c)
}

func (f *Finisher) hook(step string) error {
	if f.cfg.crash == nil {
		return nil
	}
	if err := f.cfg.crash(step); err != nil {
		return errCrash{err}
	}
	return nil
}
