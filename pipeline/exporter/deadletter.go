package exporter

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/schemas"
)

// The exporter retries a dead letter the stream could not store after
// these delays, doubling: it reads in stream order, so it cannot move on.
const (
	deadLetterRetryInitial = 250 * time.Millisecond
	deadLetterRetryMax     = 30 * time.Second
)

// deadLetter publishes an event that cannot be exported, with its reason,
// and waits for the stream to store it. An event too large for a dead
// letter still gets one, cut down (see pipeline.PublishDeadLetter), so no event can
// stop the exporter. While the dead-letter stream cannot store it, the
// exporter waits and tries again, with a growing delay, until ctx ends;
// then it returns errStopping, the events before this one are committed,
// and this one is read again at the next start, so it is never lost. The dead letter's message ID derives from
// the event's stream sequence, so a replayed epoch does not double it
// within the dead-letter stream's duplicate window.
func (e *Exporter) deadLetter(ctx context.Context, it *item) error {
	dl := pipeline.NewDeadLetter(it.msg, schemas.Job{}, it.err, schemas.ClassInvalid, 1, time.Now())
	dl.StreamSeq = it.seq
	return e.publishDeadLetter(ctx, dl, it.err)
}

// publishDeadLetter publishes dl, the dead letter of the event at
// dl.StreamSeq failed with cause, as deadLetter says.
func (e *Exporter) publishDeadLetter(ctx context.Context, dl schemas.DeadLetter, cause error) error {
	dl.Provider, dl.App = subjectTokens(dl.Subject)
	for attempt := 1; ; attempt++ {
		err := pipeline.PublishDeadLetter(ctx, e.js, schemas.DeadLetterKindConversations, dl)
		if err == nil {
			break
		}
		delay := pipeline.Backoff(deadLetterRetryInitial, deadLetterRetryMax, attempt)
		if ctx.Err() == nil {
			e.log.Error("dead letter failed, will retry", "stream_seq", dl.StreamSeq, "attempt", attempt, "delay", delay, "err", err)
		}
		if !sleepCtx(ctx, delay) {
			return fmt.Errorf("dead letter stream_seq %d: %w", dl.StreamSeq, errStopping)
		}
	}
	e.log.Warn("event dead-lettered", "stream_seq", dl.StreamSeq, "provider", dl.Provider, "app", dl.App, "err", cause)
	e.met.deadLetter()
	return nil
}

// sleepCtx waits d, or until ctx ends; false if it ended.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// subjectTokens returns the provider and app of a conversations subject.
func subjectTokens(subject string) (provider, app string) {
	rest, _ := strings.CutPrefix(subject, schemas.SubjectConversationsPrefix)
	provider, app, _ = strings.Cut(rest, ".")
	return provider, app
}
