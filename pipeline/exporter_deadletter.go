package pipeline

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/chatlake/chatlake/schemas"
)

// deadLetter publishes an event that cannot be exported, with its reason,
// and waits for the stream to store it: if that fails, the epoch fails and
// the event is read again, so it is never lost. The dead letter's message
// ID derives from the event's stream sequence, so a replayed epoch does
// not double it within the dead-letter stream's duplicate window.
func (e *Exporter) deadLetter(ctx context.Context, it *item) error {
	dl := newDeadLetter(it.msg, schemas.Job{}, it.err, schemas.ClassInvalid, 1, time.Now())
	dl.StreamSeq = it.seq
	dl.Provider, dl.App = subjectTokens(it.msg.Subject())
	if err := publishDeadLetter(ctx, e.js, schemas.DeadLetterKindConversations, dl); err != nil {
		return fmt.Errorf("dead letter stream_seq %d: %w", it.seq, err)
	}
	e.log.Warn("event dead-lettered", "stream_seq", it.seq, "provider", dl.Provider, "app", dl.App, "err", it.err)
	e.met.deadLetter()
	return nil
}

// subjectTokens returns the provider and app of a conversations subject.
func subjectTokens(subject string) (provider, app string) {
	rest, _ := strings.CutPrefix(subject, schemas.SubjectConversationsPrefix)
	provider, app, _ = strings.Cut(rest, ".")
	return provider, app
}
