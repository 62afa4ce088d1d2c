package exporter

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/schemas"
)

// Strays of a partitioned stream.
//
// With N parts, part p's consumer filters chatlake.conversations.*.*.<p>
// (schemas.PartFilter). An event on any other subject of the stream
// matches no part's filter, so no consumer ever delivers it: no part token
// (chatlake.conversations.<provider>.<app>, from an older producer or
// published by hand), a last token that is not a part below N (7 with
// N = 4, x, 07), too few or too many tokens. Such a stray is dead-lettered
// by the owner of part 0, beside its consumer: when it takes the part
// over, and then every Config.IdleFlush, it lists the stream's subjects
// (the server answers from its subject index, reading no message), and
// for each subject that names no part (schemas.SubjectPart fails) it
// reads the messages by sequence, publishes each one's dead letter (class
// invalid, the reason naming the subject), waits for the dead-letter
// stream to store it, and then deletes the message from the stream.
//
// Nothing else would do it alone: NATS filters cannot say "a last token
// other than 0..N-1", so widening part 0's filters (FilterSubjects) would
// still miss the bad-token strays; narrowing the stream's subjects to the
// valid forms would need N where the streams are created, before it is
// agreed, one subject per part, and would leave the strays already
// stored; a consumer on chatlake.conversations.> would read every event a
// second time.
//
// Once: the dead letter's Nats-Msg-Id derives from the stray's stream
// sequence, as every exporter dead letter's does, so a sweep stopped
// between the dead letter and the delete (or an old and a new owner of
// part 0 sweeping at once) publishes a duplicate that the dead-letter
// stream drops within its duplicate window; once deleted, a stray is never
// seen again. Nor is one lost: the retention purger deletes nothing from
// the first stray on (FirstStray), whatever the parts committed. The
// parts are untouched: a stray is on no part's subject, so deleting it
// changes neither what a part's consumer delivers nor its gap checks,
// which look up the part's own subjects only (checkPartGap). In an
// unpartitioned stream the one consumer takes every subject, and
// checkEventSubject dead-letters the wrong ones in order.

// sweepStrays dead-letters the strays of the stream now and every
// IdleFlush, until ctx ends; then it returns nil. Only part 0 of a
// partitioned stream sweeps. A failed sweep is logged and tried again at
// the next: a stray waits in the stream until one succeeds.
func (e *Exporter) sweepStrays(ctx context.Context, p part) error {
	if p.index != 0 || p.n <= 1 {
		return nil
	}
	t := time.NewTicker(e.cfg.IdleFlush)
	defer t.Stop()
	for {
		n, err := e.deadLetterStrays(ctx, p.n)
		if errors.As(err, new(errCrash)) {
			return err
		}
		if err != nil && ctx.Err() == nil {
			e.log.Warn("exporter stray sweep failed, will retry", "dead_lettered", n, "delay", e.cfg.IdleFlush, "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// deadLetterStrays dead-letters and deletes every stray the stream of n
// parts holds now, and returns how many.
func (e *Exporter) deadLetterStrays(ctx context.Context, n int) (int, error) {
	s, err := e.js.Stream(ctx, schemas.StreamConversations)
	if err != nil {
		return 0, pipeline.FromNATS(fmt.Errorf("strays: %w", err))
	}
	subjects, err := straySubjects(ctx, s, n)
	if err != nil {
		return 0, err
	}
	done := 0
	for _, subject := range subjects {
		k, err := e.deadLetterStraysOn(ctx, s, subject, strayCause(subject, n))
		done += k
		if err != nil {
			return done, err
		}
	}
	return done, nil
}

// FirstStray returns the lowest stream sequence of a stray (an event on a
// subject no part's consumer takes, see strays.go) that s, the
// conversations stream of n parts, holds now; 0 if it holds none. The
// retention purger deletes nothing from it on, so that every stray is
// dead-lettered first.
func FirstStray(ctx context.Context, s jetstream.Stream, n int) (uint64, error) {
	if n <= 1 {
		return 0, nil
	}
	subjects, err := straySubjects(ctx, s, n)
	if err != nil {
		return 0, err
	}
	var first uint64
	for _, subject := range subjects {
		m, err := nextOn(ctx, s, subject, 1)
		if err != nil {
			return 0, err
		}
		if m != nil && (first == 0 || m.Sequence < first) {
			first = m.Sequence
		}
	}
	return first, nil
}

// straySubjects returns, sorted, the subjects of s, a stream of n parts,
// that hold events and name no part. The server lists them from its
// subject index, reading no message.
func straySubjects(ctx context.Context, s jetstream.Stream, n int) ([]string, error) {
	info, err := s.Info(ctx, jetstream.WithSubjectFilter(schemas.SubjectConversationsPrefix+">"))
	if err != nil {
		return nil, pipeline.FromNATS(fmt.Errorf("strays: list subjects: %w", err))
	}
	var out []string
	for _, subject := range slices.Sorted(maps.Keys(info.State.Subjects)) {
		if info.State.Subjects[subject] > 0 && strayCause(subject, n) != nil {
			out = append(out, subject)
		}
	}
	return out, nil
}

// strayCause returns why no part of a stream of n parts takes the events
// on subject, or nil if one does. The error is an *EventError.
func strayCause(subject string, n int) error {
	if _, err := schemas.SubjectPart(subject, n); err != nil {
		return &EventError{Reason: "on no part's subject", Err: err}
	}
	return nil
}

// deadLetterStraysOn dead-letters and deletes the messages stored on
// subject, oldest first, and returns how many.
func (e *Exporter) deadLetterStraysOn(ctx context.Context, s jetstream.Stream, subject string, cause error) (int, error) {
	done := 0
	for seq := uint64(1); ; done++ {
		m, err := nextOn(ctx, s, subject, seq)
		if m == nil || err != nil {
			return done, err
		}
		seq = m.Sequence + 1
		dl := pipeline.NewStoredDeadLetter(m, cause, schemas.ClassInvalid, time.Now())
		if err := e.publishDeadLetter(ctx, dl, cause); err != nil {
			return done, err
		}
		if err := e.hook(afterStrayDeadLetter); err != nil {
			return done, err
		}
		if err := deleteMsg(ctx, s, m.Sequence); err != nil {
			return done, err
		}
	}
}

// nextOn returns the first message at or after seq whose subject is
// subject; nil if there is none.
func nextOn(ctx context.Context, s jetstream.Stream, subject string, seq uint64) (*jetstream.RawStreamMsg, error) {
	for {
		m, err := s.GetMsg(ctx, seq, jetstream.WithGetMsgSubject(subject))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, pipeline.FromNATS(fmt.Errorf("strays: read %.160q: %w", subject, err))
		}
		if m.Subject == subject { // not another one a wildcard in subject matched
			return m, nil
		}
		seq = m.Sequence + 1
	}
}

// deleteMsg deletes the message at seq, even while shutting down: its
// dead letter is stored. One already gone is no error.
func deleteMsg(ctx context.Context, s jetstream.Stream, seq uint64) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	err := s.DeleteMsg(ctx, seq)
	if err == nil {
		return nil
	}
	if _, gerr := s.GetMsg(ctx, seq); errors.Is(gerr, jetstream.ErrMsgNotFound) {
		return nil
	}
	return pipeline.FromNATS(fmt.Errorf("strays: delete stream_seq %d: %w", seq, err))
}
