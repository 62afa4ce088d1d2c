package exporter

import (
	"context"
	"errors"
	"fmt"
	"time"

	json "github.com/goccy/go-json"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/schemas"
)

// fetchWait bounds one pull, and so how long shutdown waits for it.
const fetchWait = 500 * time.Millisecond

// batch is one pull of messages. The fetcher hands it to a decoder and,
// in stream order, to the writer, which waits for done.
type batch struct {
	msgs  []jetstream.Msg
	items []item
	done  chan struct{}
}

// item is one decoded message: a row, or why it is a dead letter.
type item struct {
	seq     uint64
	dseq    uint64 // the consumer's delivery sequence
	pending uint64 // messages left in the stream after this one
	msg     jetstream.Msg
	key     partitionKey
	row     schemas.ConversationRow
	size    int64
	err     error
}

// fetch pulls messages in order, with the server streaming ahead of the
// writer (a bounded prefetch of two batches), and hands each batch to the
// decoders and, in the same order, to the writer.
func (e *Exporter) fetch(ctx context.Context, cons jetstream.Consumer, work, ordered chan<- *batch) error {
	it, err := cons.Messages(jetstream.PullMaxMessages(2 * e.cfg.BatchSize))
	if err != nil {
		return pipeline.FromNATS(fmt.Errorf("consume: %w", err))
	}
	defer it.Stop()
	defer context.AfterFunc(ctx, it.Stop)()
	for ctx.Err() == nil {
		msgs, err := nextBatch(it, e.cfg.BatchSize)
		if ctx.Err() != nil {
			break
		}
		if err != nil {
			return pipeline.FromNATS(fmt.Errorf("consume: %w", err))
		}
		if len(msgs) == 0 {
			continue
		}
		b := &batch{msgs: msgs, done: make(chan struct{})}
		if !send(ctx, ordered, b) || !send(ctx, work, b) {
			break
		}
	}
	return nil
}

// nextBatch returns up to n messages: it waits up to fetchWait for the
// first, then takes more while the stream says more are pending, so a
// batch ships as soon as the backlog is drained.
func nextBatch(it jetstream.MessagesContext, n int) ([]jetstream.Msg, error) {
	var msgs []jetstream.Msg
	for len(msgs) < n {
		m, err := it.Next(jetstream.NextMaxWait(fetchWait))
		if errors.Is(err, nats.ErrTimeout) {
			return msgs, nil
		}
		if err != nil {
			return msgs, err
		}
		if msgs == nil {
			msgs = make([]jetstream.Msg, 0, n)
		}
		msgs = append(msgs, m)
		if md, err := m.Metadata(); err != nil || md.NumPending == 0 {
			break
		}
	}
	return msgs, nil
}

func send[T any](ctx context.Context, ch chan<- T, v T) bool {
	select {
	case ch <- v:
		return true
	case <-ctx.Done():
		return false
	}
}

// decodeLoop decodes batches until ctx is done.
func decodeLoop(ctx context.Context, work <-chan *batch, p part) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case b := <-work:
			b.items = make([]item, len(b.msgs))
			for i, m := range b.msgs {
				decodeItem(&b.items[i], m, p)
			}
			close(b.done)
		}
	}
}

func decodeItem(it *item, m jetstream.Msg, p part) {
	it.msg = m
	if md, err := m.Metadata(); err == nil {
		it.seq, it.dseq, it.pending = md.Sequence.Stream, md.Sequence.Consumer, md.NumPending
	}
	data := m.Data()
	it.size = int64(len(data))
	ev, err := DecodeConversationEvent(data)
	if err == nil {
		err = checkEventSubject(m.Subject(), &ev, p)
	}
	if err != nil {
		it.err = err
		return
	}
	it.key = newPartitionKey(ev.Provider, ev.App, ev.FetchedAt)
	it.row = schemas.RowFromEvent(&ev)
}

// EventError says why an event cannot be exported. It goes into the dead
// letter; its class is always schemas.ClassInvalid.
type EventError struct {
	Reason string
	Err    error
}

func (e *EventError) Error() string {
	if e.Err != nil {
		return "event: " + e.Reason + ": " + e.Err.Error()
	}
	return "event: " + e.Reason
}

func (e *EventError) Unwrap() error { return e.Err }

// ErrorClass implements schemas.Classed.
func (e *EventError) ErrorClass() schemas.ErrorClass { return schemas.ClassInvalid }

// DecodeConversationEvent decodes and checks one event as the exporter
// does: JSON, a known schema version, and the fields that place it in the
// lake. The error is an *EventError.
func DecodeConversationEvent(data []byte) (schemas.ConversationEvent, error) {
	var ev schemas.ConversationEvent
	if err := json.Unmarshal(data, &ev); err != nil {
		return ev, &EventError{Reason: "undecodable", Err: err}
	}
	switch {
	case ev.SchemaVersion != schemas.EventSchemaVersion:
		return ev, &EventError{Reason: fmt.Sprintf("unknown schema version %d", ev.SchemaVersion)}
	case ev.EventID == "":
		return ev, &EventError{Reason: "missing event_id"}
	case schemas.ValidateProvider(ev.Provider) != nil:
		return ev, &EventError{Reason: "unknown provider", Err: schemas.ValidateProvider(ev.Provider)}
	case ev.App == "":
		return ev, &EventError{Reason: "missing app"}
	case ev.FetchedAt.IsZero():
		return ev, &EventError{Reason: "missing fetched_at"}
	}
	return ev, nil
}
