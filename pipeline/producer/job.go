package producer

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/sync/errgroup"

	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/schemas"
)

// handle runs one job message to its fate: acknowledged, handed back, or
// dead-lettered. ctx ends Grace after the producer was asked to stop.
func (p *Producer) handle(ctx context.Context, msg jetstream.Msg) {
	job, err := schemas.DecodeJob(msg.Subject(), msg.Data())
	if err != nil {
		p.settle(ctx, msg, job, schemas.JobStatus{}, err)
		return
	}
	app := appKey(job)
	if wait := p.pauses.remaining(app, p.now()); wait > 0 {
		p.metrics.jobs.WithLabelValues(outcomePaused).Inc()
		p.nak(msg, wait)
		return
	}
	key := schemas.JobKey(job)
	if _, dup := p.running.LoadOrStore(key, struct{}{}); dup {
		// The same job twice at once would share a checkpoint.
		p.nak(msg, p.cfg.PauseFor)
		return
	}
	defer p.running.Delete(key)
	p.metrics.inFlight.Inc()
	defer p.metrics.inFlight.Dec()

	st, err := p.startStatus(ctx, job)
	if err == nil {
		stop := keepAlive(msg, p.cfg.InProgressEvery)
		err = p.runJob(ctx, msg, job, &st)
		stop()
	}
	p.settle(ctx, msg, job, st, err)
}

// startStatus loads the job's status, keeping its attempt count, and marks
// it running in memory: the record says running only once a page is
// stored and statusEvery has passed, so a short job, most of them, costs
// one status write, not one a page. A job that comes back after it failed (replayed from its dead
// letter) starts a fresh run, with no attempt spent.
func (p *Producer) startStatus(ctx context.Context, job schemas.Job) (schemas.JobStatus, error) {
	st, _, err := p.status.Get(ctx, schemas.JobKey(job))
	if err != nil {
		return st, pipeline.FromNATS(err)
	}
	if st.State == schemas.JobFailed {
		st.Attempts = 0
	}
	st.JobID, st.Provider, st.App, st.UserID, st.Run = job.JobID, job.Provider, job.App, job.UserID, job.Run
	st.State = schemas.JobRunning
	return st, nil
}

// statusEvery is how often a running job's status record shows its
// progress: a job that ends sooner writes its status once, at its end
// (settle), whatever its pages. The checkpoint, written after every page,
// is what a job resumes from; the status is for people and runs' progress.
const statusEvery = time.Second

// runJob pages through the provider from the job's checkpoint. After each
// page's events are acknowledged it saves the next cursor, and at most
// every statusEvery the status; after the last page it deletes the
// checkpoint, if there is one: a job done in one page never writes one.
// It returns the first error.
func (p *Producer) runJob(ctx context.Context, msg jetstream.Msg, job schemas.Job, st *schemas.JobStatus) error {
	key := schemas.JobKey(job)
	shown := p.now()
	cp, stored, err := p.checkpoints.load(ctx, key)
	if err != nil {
		return pipeline.FromNATS(err)
	}
	if cp.Pages > 0 {
		p.log.Info("job resumes from checkpoint", "job_id", job.JobID, "provider", job.Provider, "app", job.App, "pages", cp.Pages)
	}
	for {
		page, err := p.prov.FetchPage(ctx, job, cp.Cursor)
		if err != nil {
			return fmt.Errorf("fetch page %d: %w", cp.Pages+1, err)
		}
		fetchedAt := p.now().UTC()
		last, err := p.publishPage(ctx, job, page, fetchedAt)
		cp.LastSeq = max(cp.LastSeq, last)
		st.LastSeq = cp.LastSeq // also when a failure follows: those events are in the stream
		if err != nil {
			return err
		}
		if day := fetchedAt.Format(time.DateOnly); len(page.Conversations) > 0 && !slices.Contains(cp.Days, day) {
			cp.Days = append(cp.Days, day)
		}
		cp.Cursor = page.Next
		cp.Pages++
		cp.Conversations += len(page.Conversations)
		cp.FailedItems = append(cp.FailedItems, page.Failed[:min(len(page.Failed), schemas.MaxFailedItems-len(cp.FailedItems))]...)
		cp.FailedItemsTotal += len(page.Failed)
		p.metrics.pages.Inc()
		p.metrics.failedItems.Add(float64(len(page.Failed)))
		st.Pages, st.Conversations, st.FailedItems, st.FailedItemsTotal = cp.Pages, cp.Conversations, cp.FailedItems, cp.FailedItemsTotal
		st.LastSeq, st.Days = cp.LastSeq, cp.Days
		if page.Done {
			if !stored {
				return nil
			}
			return pipeline.FromNATS(p.checkpoints.remove(ctx, key))
		}
		if err := p.checkpoints.save(ctx, key, cp); err != nil {
			return pipeline.FromNATS(err)
		}
		stored = true
		if now := p.now(); now.Sub(shown) >= statusEvery {
			shown, st.UpdatedAt = now, now.UTC()
			if err := p.status.Put(ctx, *st); err != nil {
				return pipeline.FromNATS(err)
			}
		}
	}
}

// publishPage publishes one event per conversation of page asynchronously,
// at most PublishWindow unacknowledged at a time, and returns when every
// one is acknowledged by the stream or one failed. It returns the highest
// stream sequence acknowledged (a duplicate's is the original's), 0 for
// an empty page, also with an error.
func (p *Producer) publishPage(ctx context.Context, job schemas.Job, page schemas.Page, fetchedAt time.Time) (uint64, error) {
	subject := schemas.EventSubject(job, p.cfg.Partitions)
	if err := waitEvents(ctx, p.events, len(page.Conversations)); err != nil {
		return 0, err
	}
	var pending []published
	var last uint64
	await := func(pub published) error {
		seq, err := p.awaitAck(ctx, pub)
		last = max(last, seq)
		return err
	}
	for i := range page.Conversations {
		if len(pending) >= p.cfg.PublishWindow {
			if err := await(pending[0]); err != nil {
				return last, err
			}
			pending = pending[1:]
		}
		m := p.eventMsg()
		if err := newEventMsg(m, subject, job, &page.Conversations[i], fetchedAt); err != nil {
			return last, err
		}
		f, err := p.js.PublishMsgAsync(&m.Msg)
		if err != nil {
			return last, pipeline.FromNATS(fmt.Errorf("publish event: %w", err))
		}
		pending = append(pending, published{f, m})
	}
	for _, pub := range pending {
		if err := await(pub); err != nil {
			return last, err
		}
	}
	return last, nil
}

// eventMsg returns a recycled event message, or a new one.
func (p *Producer) eventMsg() *eventMsg {
	if m, ok := p.msgs.Get().(*eventMsg); ok {
		return m
	}
	return new(eventMsg)
}

// eventMsg is the NATS message of one event with the storage it reuses
// from event to event: its data buffer, its header and the header's
// value. The producer recycles it once the stream acknowledged the event.
type eventMsg struct {
	nats.Msg
	id [1]string // the Nats-Msg-Id header's value
}

// published is an event handed to the async publisher: its future and
// its message, which the publisher may send again until the future
// resolves.
type published struct {
	ack jetstream.PubAckFuture
	msg *eventMsg
}

// awaitAck waits for pub's acknowledgement, then recycles its message
// and returns its stream sequence. A failed or abandoned one keeps its
// message: the publisher may still hold it. An answer already there, as
// most are behind a window of publishes, is taken without a timer.
func (p *Producer) awaitAck(ctx context.Context, pub published) (uint64, error) {
	select {
	case ack := <-pub.ack.Ok():
		return p.acked(pub, ack), nil
	case err := <-pub.ack.Err():
		return 0, publishFailed(err)
	default:
	}
	t := time.NewTimer(p.cfg.PublishTimeout)
	defer t.Stop()
	select {
	case ack := <-pub.ack.Ok():
		return p.acked(pub, ack), nil
	case err := <-pub.ack.Err():
		return 0, publishFailed(err)
	case <-t.C:
		return 0, pipeline.NATSFault{Err: fmt.Errorf("publish event: no acknowledgement in %v", p.cfg.PublishTimeout)}
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// acked counts and recycles an acknowledged event and returns its stream
// sequence.
func (p *Producer) acked(pub published, ack *jetstream.PubAck) uint64 {
	p.metrics.events.Inc()
	p.msgs.Put(pub.msg)
	return ack.Sequence
}

func publishFailed(err error) error {
	return pipeline.FromNATS(fmt.Errorf("publish event: %w", err))
}

// newEventMsg builds in m the event message of one conversation on
// subject, its JSON written over m's buffer; its event ID is the
// Nats-Msg-Id so the stream drops a republished duplicate. A recycled m
// allocates nothing but the event ID.
func newEventMsg(m *eventMsg, subject string, job schemas.Job, c *schemas.Conversation, fetchedAt time.Time) error {
	if c.Provider == "" {
		c.Provider, c.App = job.Provider, job.App
	}
	c.UserID = cmp.Or(c.UserID, job.UserID)
	ev := schemas.ConversationEvent{
		SchemaVersion: schemas.EventSchemaVersion,
		EventID:       schemas.EventID(c),
		JobID:         job.JobID,
		FetchedAt:     fetchedAt,
		Conversation:  *c,
	}
	// AppendEvent copies the provider's item bytes verbatim.
	b, err := schemas.AppendEvent(m.Data[:0], &ev)
	if err != nil {
		return fmt.Errorf("encode event %s: %w", c.ConversationID, err)
	}
	if m.Header == nil {
		m.Header = nats.Header{jetstream.MsgIDHeader: m.id[:]}
	}
	m.Subject, m.Data, m.id[0] = subject, b, ev.EventID
	return nil
}

// keepAlive tells JetStream every interval that msg is still being worked
// on, until the returned stop is called; stop waits for the signalling
// goroutine, so no signal follows the job's final ack.
func keepAlive(msg interface{ InProgress() error }, every time.Duration) (stop func()) {
	done := make(chan struct{})
	var g errgroup.Group
	g.Go(func() error {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				msg.InProgress()
			case <-done:
				return nil
			}
		}
	})
	return func() {
		close(done)
		g.Wait()
	}
}
