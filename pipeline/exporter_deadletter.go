package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/chatlake/chatlake/schemas"
)

// deadLetter publishes an event that cannot be exported, with its reason,
// and waits for the stream to store it: if that fails, the epoch fails and
// the event is read again, so it is never lost. The Nats-Msg-Id derives
// from the event's stream sequence, so a replayed epoch does not double it.
func (e *Exporter) deadLetter(ctx context.Context, it *item) error {
	provider, app := subjectTokens(it.msg.Subject())
	dl := schemas.DeadLetter{
		SchemaVersion: schemas.DeadLetterSchemaVersion,
		Subject:       it.msg.Subject(),
		Headers:       it.msg.Headers(),
		Data:          it.msg.Data(),
		StreamSeq:     it.seq,
		Reason:        it.err.Error(),
		Class:         schemas.ClassInvalid,
		Attempts:      1,
		Provider:      provider,
		App:           app,
		FailedAt:      time.Now().UTC(),
	}
	data, err := json.Marshal(&dl)
	if err != nil {
		return fmt.Errorf("encode dead letter: %w", err)
	}
	msg := nats.NewMsg(schemas.DeadLetterSubject(schemas.DeadLetterKindConversations, provider, app))
	msg.Data = data
	msg.Header.Set(nats.MsgIdHdr, "exporter-"+strconv.FormatUint(it.seq, 10))
	if _, err := e.js.PublishMsg(ctx, msg); err != nil {
		return fmt.Errorf("dead letter stream_seq %d: %w", it.seq, err)
	}
	e.log.Warn("event dead-lettered", "stream_seq", it.seq, "provider", provider, "app", app, "err", it.err)
	e.met.deadLetter()
	return nil
}

// subjectTokens returns the provider and app of a conversations subject.
func subjectTokens(subject string) (provider, app string) {
	rest, _ := strings.CutPrefix(subject, schemas.SubjectConversationsPrefix)
	provider, app, _ = strings.Cut(rest, ".")
	return provider, app
}
