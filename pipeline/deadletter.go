package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/schemas"
)

// providerCoded is implemented by provider errors that carry the
// provider's own error code (providers.Error). pipeline cannot import
// providers, so it asks for the method.
type providerCoded interface {
	ProviderCode() string
}

// newDeadLetter describes msg given up because of cause. job may be the
// zero Job when msg did not decode.
func newDeadLetter(msg jetstream.Msg, job schemas.Job, cause error, class schemas.ErrorClass, attempts int, now time.Time) schemas.DeadLetter {
	dl := schemas.DeadLetter{
		SchemaVersion: schemas.DeadLetterSchemaVersion,
		Subject:       msg.Subject(),
		Headers:       msg.Headers(),
		Data:          msg.Data(),
		Reason:        cause.Error(),
		Class:         class,
		Attempts:      attempts,
		JobID:         job.JobID,
		Provider:      job.Provider,
		App:           job.App,
		UserID:        job.UserID,
		FailedAt:      now.UTC(),
	}
	var pc providerCoded
	if errors.As(cause, &pc) {
		dl.ProviderCode = pc.ProviderCode()
	}
	if md, err := msg.Metadata(); err == nil {
		dl.StreamSeq = md.Sequence.Stream
	}
	return dl
}

// publishDeadLetter stores dl on its dead-letter subject and waits for the
// stream's acknowledgement. The message ID makes a repeated attempt for the
// same original message a duplicate.
func publishDeadLetter(ctx context.Context, js jetstream.JetStream, kind string, dl schemas.DeadLetter) error {
	b, err := json.Marshal(dl)
	if err != nil {
		return fmt.Errorf("encode dead letter: %w", err)
	}
	provider, app := dl.Provider, dl.App
	if provider == "" {
		provider, app, _ = schemas.ParseJobSubject(dl.Subject)
	}
	m := nats.NewMsg(schemas.DeadLetterSubject(kind, provider, app))
	m.Data = b
	m.Header.Set(jetstream.MsgIDHeader, "dlq-"+kind+"-"+strconv.FormatUint(dl.StreamSeq, 10))
	if _, err := js.PublishMsg(ctx, m); err != nil {
		return fmt.Errorf("publish dead letter: %w", err)
	}
	return nil
}
