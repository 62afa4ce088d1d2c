package stack

import (
	"context"
	"errors"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/internal/ops"
	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/pipeline/dlq"
	"github.com/chatlake/chatlake/pipeline/runs"
)

// maxDeadLettersCounted bounds one count of the dead-letter stream for the
// status page; the page then says how many it counted.
const maxDeadLettersCounted = 100_000

// StatusPage is what the status page of every chatlake process reads
// from NATS besides its metrics: the dead letters by reason and the
// exporters' latest commit record, and the export runs.
func StatusPage(js jetstream.JetStream) ops.PageConfig {
	return ops.PageConfig{
		Runs:        func(ctx context.Context) (any, error) { return runs.List(ctx, js) },
		DeadLetters: func(ctx context.Context) ([]ops.DeadLetterCount, error) { return countDeadLetters(ctx, js) },
		LastCommit:  func(ctx context.Context) (ops.Commit, error) { return lastCommit(ctx, js) },
	}
}

// lastCommit returns the most recent commit record of all the parts of the
// conversations stream.
func lastCommit(ctx context.Context, js jetstream.JetStream) (ops.Commit, error) {
	recs, err := pipeline.ReadParts(ctx, js)
	if err != nil {
		return ops.Commit{}, err
	}
	var c ops.Commit
	for _, r := range recs {
		if r.CommittedAt.After(c.CommittedAt) {
			c = ops.Commit{Epoch: r.Epoch, LastSeq: r.LastSeq, Rows: r.Rows, Owner: r.Owner, CommittedAt: r.CommittedAt}
		}
	}
	return c, nil
}

// countDeadLetters counts the dead letters by kind, class and reason, the
// first maxDeadLettersCounted of them.
func countDeadLetters(ctx context.Context, js jetstream.JetStream) ([]ops.DeadLetterCount, error) {
	q, err := dlq.Open(ctx, js)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	type key struct{ kind, class, reason string }
	counts := map[key]int64{}
	var order []key
	n := 0
	err = q.Each(ctx, dlq.Filter{}, func(e dlq.Entry) bool {
		reason := e.Reason
		if e.DecodeError != "" {
			reason = "not a dead letter"
		}
		k := key{e.Kind, string(e.Class), reason}
		if counts[k] == 0 {
			order = append(order, k)
		}
		counts[k]++
		n++
		return n < maxDeadLettersCounted
	})
	out := make([]ops.DeadLetterCount, 0, len(order))
	for _, k := range order {
		out = append(out, ops.DeadLetterCount{Kind: k.kind, Class: k.class, Reason: k.reason, Count: counts[k]})
	}
	if n >= maxDeadLettersCounted {
		err = errors.Join(err, errors.New("counted the first 100000 dead letters only"))
	}
	return out, err
}
