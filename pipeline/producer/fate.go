package producer

import (
	"context"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/schemas"
)

// settleTimeout bounds the final acks, naks, status and dead-letter writes,
// which run even after the job's context ended.
const settleTimeout = 10 * time.Second

// settle decides the fate of a job that ran, in one place:
//
//	no error                     -> status done, Ack
//	context ended (shutdown)     -> Nak now, no attempt spent
//	ClassUnavailable             -> pause the app, NakWithDelay(PauseFor), no attempt spent
//	pipeline.NATSFault           -> NakWithDelay(backoff of deliveries), no attempt spent
//	ClassPermanent, ClassInvalid -> dead letter, Term
//	throttled, transient, other  -> attempt spent; NakWithDelay(backoff),
//	                                or dead letter and Term on the last attempt
func (p *Producer) settle(ctx context.Context, msg jetstream.Msg, job schemas.Job, st schemas.JobStatus, err error) {
	fin, cancel := context.WithTimeout(context.WithoutCancel(ctx), settleTimeout)
	defer cancel()
	class := schemas.ClassOf(err)
	app := appKey(job)
	switch {
	case err == nil:
		p.done(fin, msg, job, st)
	case ctx.Err() != nil:
		p.log.Info("job handed back at shutdown", jobAttrs(job, st)...)
		p.metrics.jobs.WithLabelValues(outcomeHandedBack).Inc()
		p.putStatus(fin, st, schemas.JobQueued, "handed back at shutdown", "")
		p.handBack(msg)
	case class == schemas.ClassUnavailable:
		p.pauses.pause(app, p.now().Add(p.cfg.PauseFor))
		p.log.Warn("provider unavailable, app paused", append(jobAttrs(job, st), "pause", p.cfg.PauseFor, "err", err)...)
		p.metrics.jobs.WithLabelValues(outcomePaused).Inc()
		p.putStatus(fin, st, schemas.JobWaiting, err.Error(), class)
		p.nak(msg, p.cfg.PauseFor)
	case pipeline.IsNATSFault(err):
		p.natsWait(fin, msg, job, st, err)
	case class == schemas.ClassPermanent || class == schemas.ClassInvalid:
		p.deadLetter(fin, msg, job, st, err, class)
	default:
		p.retry(fin, msg, job, st, err, class)
	}
}

func (p *Producer) done(ctx context.Context, msg jetstream.Msg, job schemas.Job, st schemas.JobStatus) {
	if err := p.putStatus(ctx, st, schemas.JobDone, "", ""); err != nil && job.Run != "" {
		// A run's completion reads the status: without it the run would
		// wait for this job for ever. Redoing the job is harmless.
		p.natsWait(ctx, msg, job, st, pipeline.NATSFault{Err: err})
		return
	}
	if err := msg.DoubleAck(ctx); err != nil {
		// The job will be redelivered and redone; its events are duplicates.
		p.log.Warn("job ack failed", append(jobAttrs(job, st), "err", err)...)
		return
	}
	p.metrics.jobs.WithLabelValues(outcomeDone).Inc()
	p.log.Info("job done", append(jobAttrs(job, st), "pages", st.Pages, "conversations", st.Conversations, "failed_items", st.FailedItemsTotal)...)
}

// natsRetryMax bounds the delay of a job handed back for a NATS fault, so
// jobs resume soon after an outage however many times they came back.
const natsRetryMax = 30 * time.Second

// natsWait hands back a job that NATS failed, spending no attempt, with a
// delay growing with its deliveries up to natsRetryMax. The status write
// may fail too while NATS is away; the job does not depend on it.
func (p *Producer) natsWait(ctx context.Context, msg jetstream.Msg, job schemas.Job, st schemas.JobStatus, err error) {
	delay := pipeline.Backoff(p.cfg.RetryInitial, min(p.cfg.RetryMax, natsRetryMax), deliveries(msg))
	p.log.Warn("nats unavailable, job handed back", append(jobAttrs(job, st), "delay", delay, "err", err)...)
	p.metrics.jobs.WithLabelValues(outcomeHandedBack).Inc()
	p.putStatus(ctx, st, schemas.JobWaiting, err.Error(), "")
	p.nak(msg, delay)
}

// retry spends an attempt: the job comes back after a backoff, or goes to
// the dead letters when it was the last.
func (p *Producer) retry(ctx context.Context, msg jetstream.Msg, job schemas.Job, st schemas.JobStatus, err error, class schemas.ErrorClass) {
	st.Attempts++
	if st.Attempts >= p.cfg.MaxAttempts {
		p.deadLetter(ctx, msg, job, st, err, class)
		return
	}
	delay := p.backoff(st.Attempts)
	p.log.Warn("job failed, will retry", append(jobAttrs(job, st), "delay", delay, "err", err)...)
	p.metrics.jobs.WithLabelValues(outcomeRetried).Inc()
	p.putStatus(ctx, st, schemas.JobRetrying, err.Error(), class)
	p.nak(msg, delay)
}

// deadLetter publishes msg with its reason to the dead letters, then
// terminates it. A job too large for a dead letter still gets one, cut
// down (see pipeline.PublishDeadLetter). If the dead-letter stream cannot store it,
// the job is handed back instead, so it is never lost, with a delay that
// grows with its deliveries up to RetryMax, so an outage of the dead-letter
// stream does not spin.
func (p *Producer) deadLetter(ctx context.Context, msg jetstream.Msg, job schemas.Job, st schemas.JobStatus, cause error, class schemas.ErrorClass) {
	dl := pipeline.NewDeadLetter(msg, job, cause, class, st.Attempts, p.now())
	if err := pipeline.PublishDeadLetter(ctx, p.js, schemas.DeadLetterKindJobs, dl); err != nil {
		delay := p.backoff(deliveries(msg))
		p.log.Error("dead letter failed, job handed back", append(jobAttrs(job, st), "delay", delay, "err", err)...)
		p.nak(msg, delay)
		return
	}
	p.log.Warn("job dead-lettered", append(jobAttrs(job, st), "class", class, "err", cause)...)
	p.metrics.jobs.WithLabelValues(outcomeDeadLetter).Inc()
	if job.JobID != "" {
		if err := p.putStatus(ctx, st, schemas.JobFailed, cause.Error(), class); err != nil && job.Run != "" {
			// As in done: the run must see the job failed. The job comes
			// back and is dead-lettered again, which the dead letter's
			// message ID makes a duplicate the stream drops.
			p.nak(msg, p.backoff(deliveries(msg)))
			return
		}
		if err := p.checkpoints.remove(ctx, schemas.JobKey(job)); err != nil {
			p.log.Warn("checkpoint not removed", append(jobAttrs(job, st), "err", err)...)
		}
	}
	if err := msg.Term(); err != nil {
		p.log.Warn("job term failed", append(jobAttrs(job, st), "err", err)...)
	}
}

// putStatus records the job's state; a failure is logged and returned,
// and fatal only to the end of a job of a run (see done): otherwise the
// status is for people, the stream and checkpoint hold the truth.
func (p *Producer) putStatus(ctx context.Context, st schemas.JobStatus, state, reason string, class schemas.ErrorClass) error {
	if st.JobID == "" {
		return nil
	}
	st.State, st.Reason, st.Class, st.UpdatedAt = state, reason, class, p.now().UTC()
	err := p.status.Put(ctx, st)
	if err != nil {
		p.log.Warn("job status not stored", "job_id", st.JobID, "err", err)
	}
	return err
}

func (p *Producer) nak(msg jetstream.Msg, delay time.Duration) {
	if err := msg.NakWithDelay(delay); err != nil {
		p.log.Warn("job nak failed", "subject", msg.Subject(), "err", err)
	}
}

// handBack returns msg for immediate redelivery, spending nothing.
func (p *Producer) handBack(msg jetstream.Msg) {
	if err := msg.Nak(); err != nil {
		p.log.Warn("job nak failed", "subject", msg.Subject(), "err", err)
	}
}

// backoff returns the delay after the n-th failed attempt: RetryInitial
// doubled n-1 times, at most RetryMax, ±20% jitter.
func (p *Producer) backoff(n int) time.Duration {
	return pipeline.Backoff(p.cfg.RetryInitial, p.cfg.RetryMax, n)
}

// deliveries returns how many times msg was delivered, at least 1.
func deliveries(msg jetstream.Msg) int {
	md, err := msg.Metadata()
	if err != nil || md.NumDelivered < 1 {
		return 1
	}
	return int(md.NumDelivered)
}

func jobAttrs(job schemas.Job, st schemas.JobStatus) []any {
	return []any{"job_id", job.JobID, "provider", job.Provider, "app", job.App, "user_id", job.UserID, "attempt", st.Attempts}
}
