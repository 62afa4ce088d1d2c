package pipeline

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/schemas"
)

// Submitter publishes jobs on the jobs stream for the producer, at most
// once each: a job's ID derives from its content (schemas.DeriveJobID), a
// job whose status record exists is skipped, and the job key is the
// message's Nats-Msg-Id, so the stream drops a repeat within its duplicate
// window. It is safe for concurrent use.
type Submitter struct {
	js     jetstream.JetStream
	status *JobStatuses
}

// NewSubmitter opens the job status bucket, which EnsureJobBuckets made.
func NewSubmitter(ctx context.Context, js jetstream.JetStream) (*Submitter, error) {
	st, err := OpenJobStatuses(ctx, js)
	if err != nil {
		return nil, err
	}
	return &Submitter{js: js, status: st}, nil
}

// Submit publishes j, its JobID derived if empty, and records it as
// queued. Unless force, a job whose status exists is skipped and Submit
// reports false. A forced job is published again without a message ID,
// so that the stream does not drop it as a duplicate, and its status is
// reset to queued. A job of a run (j.Run) is also recorded among the
// run's jobs; the caller opens the run first (pipeline/runs).
func (s *Submitter) Submit(ctx context.Context, j schemas.Job, force bool) (bool, error) {
	j.JobID = cmp.Or(j.JobID, schemas.DeriveJobID(j))
	if !force {
		if _, known, err := s.status.Get(ctx, schemas.JobKey(j)); err != nil || known {
			return false, err
		}
	}
	queued := schemas.JobStatus{JobID: j.JobID, Provider: j.Provider, App: j.App, UserID: j.UserID, State: schemas.JobQueued, UpdatedAt: time.Now().UTC(), Run: j.Run}
	// A run's job is counted in the run before it exists, so that the run
	// cannot complete without it whatever instant a submit is interrupted.
	if err := s.status.PutRunJob(ctx, queued); err != nil {
		return false, err
	}
	if err := s.publish(ctx, j, force); err != nil {
		return false, err
	}
	var err error
	if force {
		err = s.status.Put(ctx, queued)
	} else {
		_, err = s.status.Create(ctx, queued) // the producer may have started it already
	}
	return err == nil, err
}

func (s *Submitter) publish(ctx context.Context, j schemas.Job, force bool) error {
	b, err := json.Marshal(j)
	if err != nil {
		return fmt.Errorf("encode job %s: %w", j.JobID, err)
	}
	m := nats.NewMsg(schemas.JobSubject(j.Provider, j.App))
	m.Data = b
	if !force {
		m.Header.Set(jetstream.MsgIDHeader, schemas.JobKey(j))
	}
	if _, err := s.js.PublishMsg(ctx, m); err != nil {
		return fmt.Errorf("publish job %s: %w", j.JobID, err)
	}
	return nil
}
