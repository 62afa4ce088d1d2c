package exporter

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/schemas"
)

// acksAsWritten reports whether the exporter may acknowledge each batch as
// soon as it is written, before its epoch is committed. Under limits
// retention it may: an ack then removes nothing from the stream, and the
// commit record, not the consumer's ack floor, is where every (re)start
// resumes (resetConsumer). Acking early keeps the consumer's pending set
// to the batches in flight, so nats-server does not re-encode a whole
// epoch of pending acks on every flush, however large the epoch. Under
// interest or work-queue retention an ack deletes the event, so acks
// follow the commit.
func (e *Exporter) acksAsWritten(ctx context.Context) (bool, error) {
	s, err := e.js.Stream(ctx, schemas.StreamConversations)
	if err != nil {
		return false, pipeline.FromNATS(fmt.Errorf("stream info: %w", err))
	}
	return s.CachedInfo().Config.Retention == jetstream.LimitsPolicy, nil
}

// ackWritten acknowledges the batch just written (every message up to the
// last one processed: the consumer acknowledges all) when acks need not
// wait for the commit. Like the commit's ack it waits for the server's
// answer: an ack still in flight when this exporter stops could reach the
// consumer its successor recreates under the same name.
func (w *epochWriter) ackWritten(ctx context.Context) {
	if w.early {
		w.ack(ctx)
	}
}
