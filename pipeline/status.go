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
// buckets, so every process can call it at start-up.
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
	}} {
		if _, err := js.CreateOrUpdateKeyValue(ctx, kc); err != nil {
			return fmt.Errorf("ensure bucket %s: %w", kc.Bucket, err)
		}
	}
	return nil
}

// JobStatuses reads job status records. It is safe for concurrent use.
type JobStatuses struct {
	kv jetstream.KeyValue
}

// OpenJobStatuses opens the job status bucket made by EnsureJobBuckets.
func OpenJobStatuses(ctx context.Context, js jetstream.JetStream) (*JobStatuses, error) {
	kv, err := js.KeyValue(ctx, schemas.BucketJobStatus)
	if err != nil {
		return nil, fmt.Errorf("open job status: %w", err)
	}
	return &JobStatuses{kv: kv}, nil
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

// Put stores st under schemas.JobKey of its job.
func (s *JobStatuses) Put(ctx context.Context, st schemas.JobStatus) error {
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("encode job status: %w", err)
	}
	key := statusKey(st)
	if _, err := s.kv.Put(ctx, key, b); err != nil {
		return fmt.Errorf("put job status %s: %w", key, err)
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
	return true, nil
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

// statusKey is the key of st: schemas.JobKey of its job.
func statusKey(st schemas.JobStatus) string {
	return schemas.JobKey(schemas.Job{Provider: st.Provider, App: st.App, JobID: st.JobID})
}
