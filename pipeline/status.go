package pipeline

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/schemas"
)

// JobBucketsConfig sizes the producer's key-value buckets. Zero values mean
// the documented defaults.
type JobBucketsConfig struct {
	// Replicas of both buckets. Default 1.
	Replicas int
	// StatusTTL is how long a job's status record is kept after its last
	// change. Default 30 days.
	StatusTTL time.Duration
}

// EnsureJobBuckets creates or updates the checkpoint and job status
// buckets, and those of export runs (their records, and their jobs'
// statuses), so every process can call it at start-up.
func EnsureJobBuckets(ctx context.Context, js jetstream.JetStream, cfg JobBucketsConfig) error {
	cfg.Replicas = cmp.Or(cfg.Replicas, 1)
	cfg.StatusTTL = cmp.Or(cfg.StatusTTL, 30*24*time.Hour)
	for _, kc := range []jetstream.KeyValueConfig{{
		Bucket:      schemas.BucketCheckpoints,
		Description: "chatlake: cursor after the last stored page of each running job",
		Storage:     jetstream.FileStorage,
		Replicas:    cfg.Replicas,
	}, {
		Bucket:      schemas.BucketJobStatus,
		Description: "chatlake: status of each job",
		Storage:     jetstream.FileStorage,
		Replicas:    cfg.Replicas,
		TTL:         cfg.StatusTTL,
	}, {
		Bucket:      schemas.BucketRunJobs,
		Description: "chatlake: status of each job of an export run, keyed by run",
		Storage:     jetstream.FileStorage,
		Replicas:    cfg.Replicas,
		TTL:         cfg.StatusTTL,
	}, {
		Bucket:      schemas.BucketRuns,
		Description: "chatlake: export runs",
		Storage:     jetstream.FileStorage,
		Replicas:    cfg.Replicas,
		TTL:         cfg.StatusTTL,
	}} {
		if _, err := js.CreateOrUpdateKeyValue(ctx, kc); err != nil {
			return fmt.Errorf("ensure bucket %s: %w", kc.Bucket, err)
		}
	}
	return nil
}

// JobStatuses reads job status records. It is safe for concurrent use.
//
// A job of an export run (JobStatus.Run) has its status in two buckets:
// BucketJobStatus, like every job, and BucketRunJobs under
// schemas.RunJobKey, where a run's jobs are read together.
type JobStatuses struct {
	kv, runJobs jetstream.KeyValue
}

// OpenJobStatuses opens the job status bucket made by EnsureJobBuckets.
func OpenJobStatuses(ctx context.Context, js jetstream.JetStream) (*JobStatuses, error) {
	kv, err := js.KeyValue(ctx, schemas.BucketJobStatus)
	if err != nil {
		return nil, fmt.Errorf("open job status: %w", err)
	}
	runJobs, err := js.KeyValue(ctx, schemas.BucketRunJobs)
	if err != nil {
		return nil, fmt.Errorf("open run jobs: %w", err)
	}
	return &JobStatuses{kv: kv, runJobs: runJobs}, nil
}

// Get returns the status of the job with key schemas.JobKey(job), and
// false when there is none.
func (s *JobStatuses) Get(ctx context.Context, key string) (schemas.JobStatus, bool, error) {
	st, _, ok, err := GetJSON[schemas.JobStatus](ctx, s.kv, key)
	if err != nil {
		return schemas.JobStatus{}, false, fmt.Errorf("job status: %w", err)
	}
	return st, ok, nil
}

// Put stores st under schemas.JobKey of its job, and for a job of a run
// also under schemas.RunJobKey.
func (s *JobStatuses) Put(ctx context.Context, st schemas.JobStatus) error {
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("encode job status: %w", err)
	}
	key := statusKey(st)
	if _, err := s.kv.Put(ctx, key, b); err != nil {
		return fmt.Errorf("put job status %s: %w", key, err)
	}
	return s.putRunJob(ctx, st, b)
}

// PutRunJob stores st under schemas.RunJobKey only: a replay requeues a
// run's job there before the job runs again.
func (s *JobStatuses) PutRunJob(ctx context.Context, st schemas.JobStatus) error {
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("encode job status: %w", err)
	}
	return s.putRunJob(ctx, st, b)
}

func (s *JobStatuses) putRunJob(ctx context.Context, st schemas.JobStatus, b []byte) error {
	if st.Run == "" {
		return nil
	}
	key := runJobKey(st)
	if _, err := s.runJobs.Put(ctx, key, b); err != nil {
		return fmt.Errorf("put run job %s: %w", key, err)
	}
	return nil
}

// Create stores st only if the job has no status yet, and reports whether
// it did. Submitters use it to skip jobs already known.
func (s *JobStatuses) Create(ctx context.Context, st schemas.JobStatus) (bool, error) {
	b, err := json.Marshal(st)
	if err != nil {
		return false, fmt.Errorf("encode job status: %w", err)
	}
	key := statusKey(st)
	_, err = s.kv.Create(ctx, key, b)
	if errors.Is(err, jetstream.ErrKeyExists) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("create job status %s: %w", key, err)
	}
	return true, s.createRunJob(ctx, st, b)
}

// createRunJob stores a new job's status under schemas.RunJobKey unless
// the producer already wrote one.
func (s *JobStatuses) createRunJob(ctx context.Context, st schemas.JobStatus, b []byte) error {
	if st.Run == "" {
		return nil
	}
	key := runJobKey(st)
	if _, err := s.runJobs.Create(ctx, key, b); err != nil && !errors.Is(err, jetstream.ErrKeyExists) {
		return fmt.Errorf("create run job %s: %w", key, err)
	}
	return nil
}

// RunJobs calls fn with the status of every job of run, in no set order,
// until fn returns false. Records that do not decode are skipped.
func (s *JobStatuses) RunJobs(ctx context.Context, run string, fn func(schemas.JobStatus) bool) error {
	w, err := s.runJobs.Watch(ctx, run+".>", jetstream.IgnoreDeletes())
	if err != nil {
		return fmt.Errorf("list run jobs %s: %w", run, err)
	}
	defer w.Stop()
	for {
		select {
		case e := <-w.Updates():
			if e == nil {
				return nil // the initial values are all delivered
			}
			var st schemas.JobStatus
			if json.Unmarshal(e.Value(), &st) != nil {
				continue
			}
			if !fn(st) {
				return nil
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// WatchRunJobs watches the statuses of run's jobs: every one stored, then
// nil, then each change as it is written.
func (s *JobStatuses) WatchRunJobs(ctx context.Context, run string) (jetstream.KeyWatcher, error) {
	w, err := s.runJobs.Watch(ctx, run+".>")
	if err != nil {
		return nil, fmt.Errorf("watch run jobs %s: %w", run, err)
	}
	return w, nil
}

// All calls fn with every job status, in key order, until fn returns false.
// Records that do not decode are skipped.
func (s *JobStatuses) All(ctx context.Context, fn func(schemas.JobStatus) bool) error {
	lister, err := s.kv.ListKeys(ctx)
	if err != nil {
		return fmt.Errorf("list job status: %w", err)
	}
	defer lister.Stop()
	for key := range lister.Keys() {
		st, ok, err := s.Get(ctx, key)
		if err != nil || !ok {
			continue
		}
		if !fn(st) {
			return nil
		}
	}
	return nil
}

// runJobKey is the key of st in BucketRunJobs: schemas.RunJobKey.
func runJobKey(st schemas.JobStatus) string {
	return schemas.RunJobKey(st.Run, schemas.Job{Provider: st.Provider, App: st.App, JobID: st.JobID})
}

// statusKey is the key of st: schemas.JobKey of its job.
func statusKey(st schemas.JobStatus) string {
	return schemas.JobKey(schemas.Job{Provider: st.Provider, App: st.App, JobID: st.JobID})
}
