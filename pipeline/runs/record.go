package runs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/schemas"
)

// ErrNoRun is returned (wrapped) for a run that has no record.
var ErrNoRun = errors.New("no such run")

// Records reads and changes run records, each change a compare-and-set on
// the record's revision, retried on conflict. It is safe for concurrent use.
type Records struct {
	kv  jetstream.KeyValue
	now func() time.Time
}

// OpenRecords opens schemas.BucketRuns, made by pipeline.EnsureJobBuckets.
func OpenRecords(ctx context.Context, js jetstream.JetStream) (*Records, error) {
	kv, err := js.KeyValue(ctx, schemas.BucketRuns)
	if err != nil {
		return nil, fmt.Errorf("open runs: %w", err)
	}
	return &Records{kv: kv, now: time.Now}, nil
}

// NewName returns a fresh run name: run-<UTC date and time>-<4 random hex
// bytes>.
func NewName(now time.Time) string {
	var b [4]byte
	rand.Read(b[:])
	return "run-" + now.UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b[:])
}

// Get returns the record of run and its revision; ErrNoRun if it has none.
func (r *Records) Get(ctx context.Context, run string) (schemas.Run, uint64, error) {
	rec, rev, ok, err := pipeline.GetJSON[schemas.Run](ctx, r.kv, run)
	if err != nil {
		return rec, 0, fmt.Errorf("run %s: %w", run, err)
	}
	if !ok {
		return rec, 0, fmt.Errorf("run %s: %w", run, ErrNoRun)
	}
	return rec, rev, nil
}

// All returns every run record, by name.
func (r *Records) All(ctx context.Context) ([]schemas.Run, error) {
	lister, err := r.kv.ListKeys(ctx)
	if errors.Is(err, jetstream.ErrNoKeysFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	defer lister.Stop()
	var out []schemas.Run
	for key := range lister.Keys() {
		rec, _, err := r.Get(ctx, key)
		if err != nil {
			continue // deleted since, or not a run
		}
		out = append(out, rec)
	}
	return out, nil
}

// Begin opens run for a submit: it creates the record, or reopens a run
// that completed (a submit adds jobs to it), and unseals it until Seal.
// It reports whether the run is new.
func (r *Records) Begin(ctx context.Context, run string) (bool, error) {
	if err := schemas.ValidateRun(run); err != nil {
		return false, err
	}
	now := r.now().UTC()
	rec := schemas.Run{SchemaVersion: schemas.RunSchemaVersion, Name: run, Created: now, Updated: now, State: schemas.RunOpen}
	b, _ := json.Marshal(rec)
	if _, err := r.kv.Create(ctx, run, b); err == nil {
		return true, nil
	} else if !errors.Is(err, jetstream.ErrKeyExists) {
		return false, fmt.Errorf("create run %s: %w", run, err)
	}
	// Always written, so that a finisher deciding on an older revision
	// loses its compare-and-set.
	return false, r.Update(ctx, run, func(rec *schemas.Run) bool {
		rec.Sealed = false
		reopen(rec)
		return true
	})
}

// Seal marks run as having all its jobs: it may complete from now on.
func (r *Records) Seal(ctx context.Context, run string) error {
	return r.Update(ctx, run, func(rec *schemas.Run) bool {
		changed := !rec.Sealed
		rec.Sealed = true
		return changed
	})
}

// Reopen puts a completed run back to open, because one of its jobs runs
// again (a replayed dead letter); it completes again, with the next
// completion number. The record is written even when open, so that a
// finisher that counted the job as failed loses its compare-and-set. A
// run being completed was decided before the job came back: Reopen waits
// until that completion is signalled (at most 30 s: a finisher must be
// running), then reopens the run.
func (r *Records) Reopen(ctx context.Context, run string) error {
	ctx, cancel := context.WithTimeoutCause(ctx, 30*time.Second, fmt.Errorf("run %s is being completed and no finisher (exporter) finished it in 30s", run))
	defer cancel()
	for {
		err := r.Update(ctx, run, func(rec *schemas.Run) bool {
			if rec.State == schemas.RunCompleting {
				return false
			}
			reopen(rec)
			return true
		})
		if err != nil {
			return err
		}
		rec, _, err := r.Get(ctx, run)
		if err != nil || rec.State != schemas.RunCompleting {
			return err
		}
		// Wait for the finisher to finish signalling that completion.
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func reopen(rec *schemas.Run) {
	if rec.State == schemas.RunComplete {
		rec.State = schemas.RunOpen
	}
}

// Update applies change to run's record and stores it with
// compare-and-set, reading again and retrying when another writer came
// first. change returns false to leave the record as it is.
func (r *Records) Update(ctx context.Context, run string, change func(*schemas.Run) bool) error {
	for {
		rec, rev, err := r.Get(ctx, run)
		if err != nil {
			return err
		}
		if !change(&rec) {
			return nil
		}
		rec.Updated = r.now().UTC()
		b, err := json.Marshal(rec)
		if err != nil {
			return fmt.Errorf("encode run %s: %w", run, err)
		}
		_, err = r.kv.Update(ctx, run, b, rev)
		if err == nil {
			return nil
		}
		if !isConflict(err) {
			return fmt.Errorf("update run %s: %w", run, err)
		}
	}
}

// swap stores rec over revision rev; false when another writer came first.
func (r *Records) swap(ctx context.Context, rec schemas.Run, rev uint64) (bool, error) {
	rec.Updated = r.now().UTC()
	b, err := json.Marshal(rec)
	if err != nil {
		return false, fmt.Errorf("encode run %s: %w", rec.Name, err)
	}
	_, err = r.kv.Update(ctx, rec.Name, b, rev)
	if isConflict(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("update run %s: %w", rec.Name, err)
	}
	return true, nil
}

func isConflict(err error) bool {
	var apiErr *jetstream.APIError
	return errors.Is(err, jetstream.ErrKeyExists) || (errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence)
}
