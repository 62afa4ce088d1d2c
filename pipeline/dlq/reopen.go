package dlq

import (
	"context"
	"errors"
	"fmt"

	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/pipeline/runs"
	"github.com/chatlake/chatlake/schemas"
)

// reopenRun, for a job of an export run, puts the job back among the run's
// pending jobs (queued) and reopens the run if it completed, before the
// job is republished: the run then waits for it, and completes again
// (its next completion) once it ended. Done first, so that an interrupted
// replay leaves a run waiting, never one complete while its job runs
// again; replaying again republishes the job.
func (q *Queue) reopenRun(ctx context.Context, e Entry) error {
	if e.Kind != schemas.DeadLetterKindJobs || e.Run == "" {
		return nil
	}
	job, err := schemas.DecodeJob(e.Subject, e.Data)
	if err != nil {
		return nil // the producer dead-letters it again, the run sees it fail again
	}
	st, err := pipeline.OpenJobStatuses(ctx, q.js)
	if err != nil {
		return err
	}
	queued := schemas.JobStatus{JobID: job.JobID, Provider: job.Provider, App: job.App, UserID: job.UserID,
		State: schemas.JobQueued, Run: job.Run, Reason: "replayed from dead letter", UpdatedAt: q.now().UTC()}
	if err := st.PutRunJob(ctx, queued); err != nil {
		return fmt.Errorf("requeue job %s in run %s: %w", job.JobID, job.Run, err)
	}
	recs, err := runs.OpenRecords(ctx, q.js)
	if err != nil {
		return err
	}
	if err := recs.Reopen(ctx, job.Run); err != nil && !errors.Is(err, runs.ErrNoRun) {
		return fmt.Errorf("reopen run %s: %w", job.Run, err)
	}
	return nil
}
