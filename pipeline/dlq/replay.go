package dlq

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/schemas"
)

// Outcome is what Replay did with one dead letter.
type Outcome string

// Outcomes of Replay.
const (
	// Replayed: the original message is in its stream again.
	Replayed Outcome = "replayed"
	// AlreadyReplayed: a replay record exists and Force was not set.
	AlreadyReplayed Outcome = "already replayed"
	// SkippedEvent: a conversation event, and the filter's Kind was not
	// schemas.DeadLetterKindConversations.
	SkippedEvent Outcome = "skipped"
	// Refused: the dead letter cannot be replayed; Why says why.
	Refused Outcome = "refused"
)

// ReplayOptions tune Replay. The zero value replays each dead letter at
// most once.
type ReplayOptions struct {
	// Force replays dead letters that were replayed before, again.
	Force bool
	// By names who replays, for the record.
	By string
}

// ReplayResult is the fate of one dead letter in Replay.
type ReplayResult struct {
	Entry   Entry
	Outcome Outcome
	// Why explains a skip or a refusal.
	Why string
	// Record is the replay record written (Replayed) or found
	// (AlreadyReplayed).
	Record *schemas.DeadLetterReplay
}

// Replay republishes, for every dead letter f selects, the original
// message: its data and headers on its subject, into the jobs or the
// conversations stream, with a Nats-Msg-Id of schemas.ReplayMsgIDPrefix
// (the original's Nats-* headers are dropped) and schemas.HeaderReplayOf. Then it records the
// replay in schemas.BucketDeadLetterReplays, which it creates if needed.
// It calls fn with each result.
//
// Conversation events are replayed only when f.Kind is
// schemas.DeadLetterKindConversations. A dead letter whose data was
// truncated, or that does not match its digest, is refused. An error
// means a stream or the bucket failed; the dead letters before it have
// their results, and running Replay again is safe.
func (q *Queue) Replay(ctx context.Context, f Filter, o ReplayOptions, fn func(ReplayResult)) error {
	if err := f.Validate(); err != nil {
		return err
	}
	kv, err := q.ensureReplays(ctx)
	if err != nil {
		return err
	}
	var failed error
	err = q.Each(ctx, f, func(e Entry) bool {
		r, err := q.replayOne(ctx, kv, f, o, e)
		if err != nil {
			failed = err
			return false
		}
		fn(r)
		return true
	})
	if failed != nil {
		return failed
	}
	return err
}

func (q *Queue) replayOne(ctx context.Context, kv jetstream.KeyValue, f Filter, o ReplayOptions, e Entry) (ReplayResult, error) {
	r := ReplayResult{Entry: e}
	if e.Kind == schemas.DeadLetterKindConversations && f.Kind != schemas.DeadLetterKindConversations {
		r.Outcome, r.Why = SkippedEvent, "a conversation event: replay events with --kind "+schemas.DeadLetterKindConversations
		return r, nil
	}
	key := replayKey(e.Seq)
	rec, rev, exists, err := pipeline.GetJSON[schemas.DeadLetterReplay](ctx, kv, key)
	if err != nil {
		return r, fmt.Errorf("replay record %d: %w", e.Seq, err)
	}
	mine := exists && rec.DeadLetterSeq == e.Seq && rec.FailedAt.Equal(e.FailedAt)
	if mine && !o.Force {
		r.Outcome, r.Record = AlreadyReplayed, &rec
		return r, nil
	}
	if why := unreplayable(e); why != "" {
		r.Outcome, r.Why = Refused, why
		return r, nil
	}
	n := 1
	if mine {
		n = rec.Replays + 1
	}
	if err := q.reopenRun(ctx, e); err != nil {
		return r, err
	}
	next, err := q.republish(ctx, e, n, o.By)
	if err != nil {
		return r, err
	}
	if q.afterPublish != nil {
		if err := q.afterPublish(e.Seq); err != nil {
			return r, err
		}
	}
	if err := putRecord(ctx, kv, key, next, rev, exists); err != nil {
		return r, err
	}
	r.Outcome, r.Record = Replayed, &next
	return r, nil
}

// unreplayable says why e cannot be replayed; "" if it can.
func unreplayable(e Entry) string {
	prefix := map[string]string{schemas.DeadLetterKindJobs: schemas.SubjectJobsPrefix, schemas.DeadLetterKindConversations: schemas.SubjectConversationsPrefix}[e.Kind]
	sum := sha256.Sum256(e.Data)
	switch {
	case e.DecodeError != "":
		return e.DecodeError
	case prefix == "":
		return fmt.Sprintf("kind %q has no stream to replay into", e.Kind)
	case e.DataTruncated:
		return fmt.Sprintf("its data was truncated to %d of %d bytes to fit in a message: the original is lost, only its size and data_sha256 %s remain", len(e.Data), e.DataSize, e.DataSHA256)
	case len(e.Data) != e.DataSize || e.DataSHA256 != "" && e.DataSHA256 != hex.EncodeToString(sum[:]):
		return "its data does not match data_size and data_sha256"
	case !strings.HasPrefix(e.Subject, prefix):
		return fmt.Sprintf("its original subject %q is not under %s", e.Subject, prefix)
	}
	return ""
}

// republish publishes e's original message as its n-th replay and returns
// the record of it.
func (q *Queue) republish(ctx context.Context, e Entry, n int, by string) (schemas.DeadLetterReplay, error) {
	stream := schemas.StreamJobs
	if e.Kind == schemas.DeadLetterKindConversations {
		stream = schemas.StreamConversations
	}
	m := nats.NewMsg(e.Subject)
	m.Data = e.Data
	for k, vs := range e.Headers {
		// Nats-* headers were controls of the original publish (its
		// message ID above all, which the stream would drop as a
		// duplicate), not part of the message.
		if strings.HasPrefix(strings.ToLower(k), "nats-") {
			continue
		}
		for _, v := range vs {
			m.Header.Add(k, v)
		}
	}
	// The time the dead letter was stored tells it from one that had the
	// same sequence in an earlier dead-letter stream.
	id := schemas.ReplayMsgIDPrefix + replayKey(e.Seq) + "-" + strconv.FormatInt(e.Stored.UnixMilli(), 10) + "-" + strconv.Itoa(n)
	m.Header.Set(jetstream.MsgIDHeader, id)
	m.Header.Set(schemas.HeaderReplayOf, replayKey(e.Seq))
	ack, err := q.js.PublishMsg(ctx, m, jetstream.WithExpectStream(stream))
	if err != nil {
		return schemas.DeadLetterReplay{}, fmt.Errorf("replay dead letter %d: %w", e.Seq, err)
	}
	return schemas.DeadLetterReplay{
		DeadLetterSeq: e.Seq, FailedAt: e.FailedAt, Replays: n, ReplayedAt: q.now().UTC(), By: by,
		Subject: e.Subject, Stream: ack.Stream, StreamSeq: ack.Sequence, MsgID: id, Duplicate: ack.Duplicate,
	}, nil
}

// putRecord stores rec under key: created if the key did not exist, else
// updated from revision rev, so that two replays at once cannot both
// record theirs.
func putRecord(ctx context.Context, kv jetstream.KeyValue, key string, rec schemas.DeadLetterReplay, rev uint64, exists bool) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode replay record: %w", err)
	}
	if exists {
		_, err = kv.Update(ctx, key, b, rev)
	} else {
		_, err = kv.Create(ctx, key, b)
	}
	if err != nil {
		return fmt.Errorf("record replay of dead letter %s (run replay again: its publish is a duplicate the stream drops): %w", key, err)
	}
	return nil
}
