package dlq

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/schemas"
)

// ErrNotFound is returned for a sequence that holds no dead letter.
var ErrNotFound = errors.New("no such dead letter")

// fetchBatch is how many dead letters one pull returns.
const fetchBatch = 256

// clockSkew is how much earlier than FailedAt the stream may have stored
// a dead letter, by the clock of the process that wrote it: a scan for
// dead letters since a time starts this much before it.
const clockSkew = 10 * time.Minute

// Queue reads, replays and purges the dead letters of the dead-letter
// stream. It is safe for concurrent use; nothing needs closing.
type Queue struct {
	js     jetstream.JetStream
	stream jetstream.Stream
	now    func() time.Time
	// afterPublish, when set, runs between a replay's publish and its
	// record; tests fail there to interrupt a replay.
	afterPublish func(seq uint64) error
}

// Open opens the dead-letter stream, which pipeline.EnsureStreams made.
func Open(ctx context.Context, js jetstream.JetStream) (*Queue, error) {
	s, err := js.Stream(ctx, schemas.StreamDeadLetters)
	if err != nil {
		return nil, fmt.Errorf("open dead letters: %w", err)
	}
	return &Queue{js: js, stream: s, now: time.Now}, nil
}

// Get returns the dead letter at seq, with its replay record; ErrNotFound
// if there is none.
func (q *Queue) Get(ctx context.Context, seq uint64) (Entry, error) {
	m, err := q.stream.GetMsg(ctx, seq)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return Entry{}, fmt.Errorf("dead letter %d: %w", seq, ErrNotFound)
	}
	if err != nil {
		return Entry{}, fmt.Errorf("dead letter %d: %w", seq, err)
	}
	e := newEntry(m.Sequence, m.Subject, m.Time, m.Data)
	kv, err := q.replays(ctx)
	if err != nil || kv == nil {
		return e, err
	}
	rec, _, ok, err := pipeline.GetJSON[schemas.DeadLetterReplay](ctx, kv, replayKey(seq))
	if err != nil {
		return e, fmt.Errorf("replay record: %w", err)
	}
	if ok {
		e.attach(rec)
	}
	return e, nil
}

// Each calls fn with every dead letter f selects, in stream order, until
// fn returns false. With f.Seqs it reads those sequences, in the order
// given, and a missing one is ErrNotFound.
func (q *Queue) Each(ctx context.Context, f Filter, fn func(Entry) bool) error {
	if err := f.Validate(); err != nil {
		return err
	}
	if len(f.Seqs) > 0 {
		return q.eachSeq(ctx, f, fn)
	}
	recs, err := q.allReplays(ctx)
	if err != nil {
		return err
	}
	return q.scan(ctx, f, func(e Entry) bool {
		if rec, ok := recs[e.Seq]; ok {
			e.attach(rec)
		}
		return !f.Match(e) || fn(e)
	})
}

func (q *Queue) eachSeq(ctx context.Context, f Filter, fn func(Entry) bool) error {
	seen := map[uint64]bool{}
	for _, seq := range f.Seqs {
		if seen[seq] {
			continue
		}
		seen[seq] = true
		e, err := q.Get(ctx, seq)
		if err != nil {
			return err
		}
		if f.Match(e) && !fn(e) {
			return nil
		}
	}
	return nil
}

// scan reads, in stream order, every dead letter on f's subject stored
// by the time it started, from about f.Since on.
func (q *Queue) scan(ctx context.Context, f Filter, fn func(Entry) bool) error {
	info, err := q.stream.Info(ctx, jetstream.WithSubjectFilter(f.subject()))
	if err != nil {
		return fmt.Errorf("dead letters: %w", err)
	}
	if len(info.State.Subjects) == 0 {
		return nil
	}
	last := info.State.LastSeq
	cc := jetstream.OrderedConsumerConfig{FilterSubjects: []string{f.subject()}}
	if !f.Since.IsZero() {
		start := f.Since.Add(-clockSkew)
		cc.DeliverPolicy, cc.OptStartTime = jetstream.DeliverByStartTimePolicy, &start
	}
	c, err := q.stream.OrderedConsumer(ctx, cc)
	if err != nil {
		return fmt.Errorf("read dead letters: %w", err)
	}
	for {
		batch, err := c.Fetch(fetchBatch, jetstream.FetchMaxWait(time.Second))
		if err != nil {
			return fmt.Errorf("read dead letters: %w", err)
		}
		got := 0
		for m := range batch.Messages() {
			got++
			md, err := m.Metadata()
			if err != nil {
				return fmt.Errorf("read dead letters: %w", err)
			}
			seq := md.Sequence.Stream
			if seq > last || !fn(newEntry(seq, m.Subject(), md.Timestamp, m.Data())) || seq == last || md.NumPending == 0 {
				return nil
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) {
			return fmt.Errorf("read dead letters: %w", err)
		}
		if got == 0 { // the rest expired or was purged meanwhile
			return nil
		}
	}
}

// attach sets e's replay record if it is this dead letter's, not one of
// an earlier dead-letter stream that had the same sequence.
func (e *Entry) attach(rec schemas.DeadLetterReplay) {
	if rec.DeadLetterSeq == e.Seq && rec.FailedAt.Equal(e.FailedAt) {
		e.Replay = &rec
	}
}

func replayKey(seq uint64) string { return strconv.FormatUint(seq, 10) }
