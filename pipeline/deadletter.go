package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/schemas"
)

// deadLetterSlack is room left under the size limit for what sizing the
// JSON does not count: the dead letter's own Nats-Msg-Id header.
const deadLetterSlack = 512

// defaultMaxPayload is NATS's default max payload, assumed when the
// connection does not know the server's.
const defaultMaxPayload = 1 << 20

// providerCoded is implemented by provider errors that carry the
// provider's own error code (providers.Error). pipeline cannot import
// providers, so it asks for the method.
type providerCoded interface {
	ProviderCode() string
}

// NewDeadLetter describes msg given up because of cause. job may be the
// zero Job when msg did not decode.
func NewDeadLetter(msg jetstream.Msg, job schemas.Job, cause error, class schemas.ErrorClass, attempts int, now time.Time) schemas.DeadLetter {
	dl := newDeadLetter(msg.Subject(), msg.Headers(), msg.Data(), job, cause, class, attempts, now)
	if md, err := msg.Metadata(); err == nil {
		dl.StreamSeq = md.Sequence.Stream
	}
	return dl
}

// NewStoredDeadLetter describes a message read from its stream by
// sequence (jetstream.Stream.GetMsg) rather than delivered by a consumer,
// given up at its first attempt.
func NewStoredDeadLetter(msg *jetstream.RawStreamMsg, cause error, class schemas.ErrorClass, now time.Time) schemas.DeadLetter {
	dl := newDeadLetter(msg.Subject, msg.Header, msg.Data, schemas.Job{}, cause, class, 1, now)
	dl.StreamSeq = msg.Sequence
	return dl
}

func newDeadLetter(subject string, headers nats.Header, data []byte, job schemas.Job, cause error, class schemas.ErrorClass, attempts int, now time.Time) schemas.DeadLetter {
	sum := sha256.Sum256(data)
	dl := schemas.DeadLetter{
		SchemaVersion: schemas.DeadLetterSchemaVersion,
		Subject:       subject,
		Headers:       headers,
		Data:          data,
		DataSize:      len(data),
		DataSHA256:    hex.EncodeToString(sum[:]),
		Reason:        cause.Error(),
		Class:         class,
		Attempts:      attempts,
		JobID:         job.JobID,
		Provider:      job.Provider,
		App:           job.App,
		UserID:        job.UserID,
		Run:           job.Run,
		FailedAt:      now.UTC(),
	}
	var pc providerCoded
	if errors.As(cause, &pc) {
		dl.ProviderCode = pc.ProviderCode()
	}
	return dl
}

// PublishDeadLetter stores dl on its dead-letter subject and waits for the
// stream's acknowledgement. The message ID makes a repeated attempt for the
// same original message a duplicate.
//
// A dead letter too large for one message is cut down (see
// deadLetterForms): the largest form that fits the limit is published, and
// if the stream still finds it too large, the last resort. An error is
// never about size: the dead-letter stream could not be reached, and the
// caller tries again later.
func PublishDeadLetter(ctx context.Context, js jetstream.JetStream, kind string, dl schemas.DeadLetter) error {
	provider, app := dl.Provider, dl.App
	if provider == "" {
		provider, app, _ = schemas.ParseJobSubject(dl.Subject)
	}
	subject := schemas.DeadLetterSubject(kind, provider, app)
	id := "dlq-" + kind + "-" + strconv.FormatUint(dl.StreamSeq, 10)
	forms, err := deadLetterForms(dl, deadLetterLimit(ctx, js))
	if err != nil {
		return err
	}
	for i, b := range forms {
		m := nats.NewMsg(subject)
		m.Data = b
		m.Header.Set(jetstream.MsgIDHeader, id)
		_, err = js.PublishMsg(ctx, m)
		if err == nil || !tooLarge(err) || i == len(forms)-1 {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("publish dead letter: %w", err)
	}
	return nil
}

// deadLetterForms returns the encodings of dl to try in order, each smaller
// than the one before: dl whole, if it fits limit bytes; its data truncated
// to fit, with the headers, then without; and always, last, the last
// resort, which holds only the required fields, the sequence, the size and
// the digest, with Subject and Reason cut to schemas.DeadLetterClipBytes.
func deadLetterForms(dl schemas.DeadLetter, limit int) ([][]byte, error) {
	budget := limit - deadLetterSlack
	var forms [][]byte
	whole, err := json.Marshal(dl)
	if err != nil {
		return nil, fmt.Errorf("encode dead letter: %w", err)
	}
	if len(whole) <= budget {
		forms = append(forms, whole)
	} else {
		if b, ok := truncatedDeadLetter(dl, budget); ok {
			forms = append(forms, b)
		}
		if dl.Headers != nil {
			dl.Headers, dl.HeadersOmitted = nil, true
			if b, ok := truncatedDeadLetter(dl, budget); ok {
				forms = append(forms, b)
			}
		}
	}
	last, err := json.Marshal(lastResort(dl))
	if err != nil {
		return nil, fmt.Errorf("encode dead letter: %w", err)
	}
	return append(forms, last), nil
}

// truncatedDeadLetter encodes dl with as much of its data as fits budget
// bytes; false if not even the rest of dl fits.
func truncatedDeadLetter(dl schemas.DeadLetter, budget int) ([]byte, bool) {
	data := dl.Data
	dl.Data, dl.DataTruncated = []byte{}, true // sized as if cut: a little larger
	skeleton, err := json.Marshal(dl)
	if err != nil || len(skeleton) > budget {
		return nil, false
	}
	// base64 turns every 3 bytes into 4 characters, none of them escaped.
	n := min(len(data), (budget-len(skeleton))/4*3)
	dl.Data, dl.DataTruncated = data[:n], n < len(data)
	b, err := json.Marshal(dl)
	return b, err == nil && len(b) <= budget
}

// lastResort returns dl reduced to what cannot grow with the original
// message.
func lastResort(dl schemas.DeadLetter) schemas.DeadLetter {
	return schemas.DeadLetter{
		SchemaVersion:  dl.SchemaVersion,
		Subject:        clipBytes(dl.Subject, schemas.DeadLetterClipBytes),
		Data:           []byte{},
		DataSize:       dl.DataSize,
		DataSHA256:     dl.DataSHA256,
		DataTruncated:  dl.DataSize > 0,
		HeadersOmitted: dl.HeadersOmitted || len(dl.Headers) > 0,
		StreamSeq:      dl.StreamSeq,
		Reason:         clipBytes(dl.Reason, schemas.DeadLetterClipBytes),
		Class:          dl.Class,
		Attempts:       dl.Attempts,
		FailedAt:       dl.FailedAt,
	}
}

// clipBytes returns at most the first n bytes of s, as valid UTF-8.
func clipBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

// deadLetterLimit returns the largest message a dead letter can be: the
// connection's max payload, or the dead-letter stream's max message size
// if that is set and smaller. A stream that cannot be looked up sets no
// limit; the publish that follows finds out why.
func deadLetterLimit(ctx context.Context, js jetstream.JetStream) int {
	limit := defaultMaxPayload
	if mp := js.Conn().MaxPayload(); mp > 0 {
		limit = int(mp)
	}
	s, err := js.Stream(ctx, schemas.StreamDeadLetters)
	if err != nil {
		return limit
	}
	if m := int(s.CachedInfo().Config.MaxMsgSize); m > 0 && m < limit {
		limit = m
	}
	return limit
}

// tooLarge reports whether a publish failed for the message's size: the
// connection refused it, or the stream did.
func tooLarge(err error) bool {
	var apiErr *jetstream.APIError
	return errors.Is(err, nats.ErrMaxPayload) ||
		errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamMessageExceedsMaximum
}
