package exporter

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/schemas"
)

// maxGapCheck bounds how many sequences of one gap are looked up.
const maxGapCheck = 256

// ErrGap means a message the stream still holds was not delivered to this
// exporter in order: the consumer's leader moved while the message was
// pending, or another process pulled it from the same consumer. Skipping
// it would lose it, so the export resumes from the last commit, on a new
// consumer.
var ErrGap = errors.New("exporter: stream message skipped in delivery")

// checkGap verifies that the sequences of p in (after, next) are gone
// from the stream (expired or deleted), not delivered elsewhere.
func (e *Exporter) checkGap(ctx context.Context, p part, after, next uint64) error {
	// A shutdown must not turn a gap check into an error.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	s, err := e.js.Stream(ctx, schemas.StreamConversations)
	if err != nil {
		return pipeline.FromNATS(fmt.Errorf("check gap: %w", err))
	}
	if p.n > 1 {
		return checkPartGap(ctx, s, p, after, next)
	}
	from := max(after+1, s.CachedInfo().State.FirstSeq)
	for seq := from; seq < next && seq < from+maxGapCheck; seq++ {
		_, err := s.GetMsg(ctx, seq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue
		}
		if err != nil {
			return pipeline.FromNATS(fmt.Errorf("check gap: %w", err))
		}
		return fmt.Errorf("%w: stream_seq %d before %d", ErrGap, seq, next)
	}
	return nil
}

// checkPartGap is checkGap in a partitioned stream, where the other
// parts' messages lie between this part's: one lookup finds this part's
// first message after after. The strays that part 0 deletes (strays.go)
// are on no part's subject, so they never change what it finds.
func checkPartGap(ctx context.Context, s jetstream.Stream, p part, after, next uint64) error {
	m, err := s.GetMsg(ctx, after+1, jetstream.WithGetMsgSubject(p.filter()))
	switch {
	case errors.Is(err, jetstream.ErrMsgNotFound):
		return nil
	case err != nil:
		return pipeline.FromNATS(fmt.Errorf("check gap: %w", err))
	case m.Sequence < next:
		return fmt.Errorf("%w: stream_seq %d before %d (part %s)", ErrGap, m.Sequence, next, p)
	}
	return nil
}

// follows reports whether a delivery numbered dseq by the consumer came
// right after the one numbered prev (0: none yet). In a partitioned stream
// the stream sequence jumps over the other parts' messages at almost every
// event; a consumer that delivered nothing in between skipped none of its
// own, so the jump needs no lookup. An unpartitioned stream checks every
// jump, which only expiry or deletion make.
func (p part) follows(prev, dseq uint64) bool {
	return p.n > 1 && dseq == prev+1
}
