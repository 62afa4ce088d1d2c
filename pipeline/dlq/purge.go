package dlq

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// Purge deletes every dead letter f selects, stored by the time it
// started, and returns how many. With dryRun it deletes nothing and
// returns how many it would. fn, if not nil, is called with each dead
// letter deleted (or that would be), except when f selects by kind,
// provider and app alone: then the stream purges the subject in one
// request, and fn is not called.
func (q *Queue) Purge(ctx context.Context, f Filter, dryRun bool, fn func(Entry)) (int, error) {
	if err := f.Validate(); err != nil {
		return 0, err
	}
	if f.bySubjectOnly() && !dryRun {
		return q.purgeSubject(ctx, f)
	}
	var seqs []uint64
	err := q.Each(ctx, f, func(e Entry) bool {
		seqs = append(seqs, e.Seq)
		if fn != nil {
			fn(e)
		}
		return true
	})
	if err != nil || dryRun {
		return len(seqs), err
	}
	deleted := 0
	for _, seq := range seqs {
		err := q.stream.DeleteMsg(ctx, seq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue // gone meanwhile: expired, or purged by another
		}
		if err != nil {
			return deleted, fmt.Errorf("delete dead letter %d: %w", seq, err)
		}
		deleted++
	}
	return deleted, nil
}

// purgeSubject purges f's subject up to the last sequence stored now, so
// that a dead letter arriving meanwhile stays.
func (q *Queue) purgeSubject(ctx context.Context, f Filter) (int, error) {
	info, err := q.stream.Info(ctx, jetstream.WithSubjectFilter(f.subject()))
	if err != nil {
		return 0, fmt.Errorf("dead letters: %w", err)
	}
	n := 0
	for _, c := range info.State.Subjects {
		n += int(c)
	}
	if n == 0 {
		return 0, nil
	}
	err = q.stream.Purge(ctx, jetstream.WithPurgeSubject(f.subject()), jetstream.WithPurgeSequence(info.State.LastSeq+1))
	if err != nil {
		return 0, fmt.Errorf("purge dead letters: %w", err)
	}
	return n, nil
}
