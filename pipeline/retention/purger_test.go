package retention_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/internal/natstest"
	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/pipeline/retention"
	"github.com/chatlake/chatlake/schemas"
)

const keep = time.Minute

// TestPurgeFollowsTheCommitNeverBeyond: events go once committed Keep
// ago, never past the committed sequence nor past a consumer's
// acknowledged floor.
func TestPurgeFollowsTheCommitNeverBeyond(t *testing.T) {
	_, js := natstest.Start(t).Connect(t)
	if err := pipeline.EnsureStreams(t.Context(), js, pipeline.StreamsConfig{}); err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		if _, err := js.Publish(t.Context(), schemas.ConversationSubject("volcengine", "1"), fmt.Appendf(nil, `{"n":%d}`, i)); err != nil {
			t.Fatal(err)
		}
	}
	p, err := retention.New(js, nil, retention.Config{Keep: keep})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	step := func(at time.Duration, wantFirst uint64) {
		t.Helper()
		if err := retention.Step(t.Context(), p, t0.Add(at)); err != nil {
			t.Fatalf("Step(+%v) = %v", at, err)
		}
		if got := firstSeq(t, js); got != wantFirst {
			t.Errorf("after Step(+%v): first stream_seq %d, want %d", at, got, wantFirst)
		}
	}

	step(0, 1) // no commit yet
	writeCommit(t, js, 60)
	step(time.Second, 1)       // committed, not Keep ago
	step(keep, 1)              // still not Keep after it was seen
	step(keep+time.Second, 61) // 1..60 go, 61 stays

	downstream := ackUpTo(t, js, 70)
	writeCommit(t, js, 100)
	step(keep+2*time.Second, 61)
	step(2*keep+2*time.Second, 71) // the consumer has acknowledged 70
	if err := js.DeleteConsumer(t.Context(), schemas.StreamConversations, downstream); err != nil {
		t.Fatal(err)
	}
	step(2*keep+3*time.Second, 101) // everything committed is gone
}

func writeCommit(t *testing.T, js jetstream.JetStream, seq uint64) {
	t.Helper()
	kv, err := js.CreateOrUpdateKeyValue(t.Context(), jetstream.KeyValueConfig{Bucket: schemas.BucketExporter, History: 8})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(schemas.ExportCommit{Epoch: seq, LastSeq: seq, Owner: "test"})
	if _, err := kv.Put(t.Context(), schemas.KeyExporterCommit, b); err != nil {
		t.Fatal(err)
	}
}

// ackUpTo reads the stream on a durable consumer and acknowledges up to
// seq; it returns the consumer's name.
func ackUpTo(t *testing.T, js jetstream.JetStream, seq uint64) string {
	t.Helper()
	c, err := js.CreateConsumer(t.Context(), schemas.StreamConversations, jetstream.ConsumerConfig{
		Durable: "downstream", AckPolicy: jetstream.AckAllPolicy,
	})
	if err != nil {
		t.Fatal(err)
	}
	for {
		b, err := c.Fetch(100, jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		for m := range b.Messages() {
			if md, _ := m.Metadata(); md.Sequence.Stream == seq {
				if err := m.DoubleAck(t.Context()); err != nil {
					t.Fatal(err)
				}
				return "downstream"
			}
		}
		if b.Error() != nil {
			t.Fatal(b.Error())
		}
	}
}

func firstSeq(t *testing.T, js jetstream.JetStream) uint64 {
	t.Helper()
	s, err := js.Stream(t.Context(), schemas.StreamConversations)
	if err != nil {
		t.Fatal(err)
	}
	return s.CachedInfo().State.FirstSeq
}

// TestPurgeKeepsStrays: in a stream of 2 parts, an event on a subject no
// part takes (no part token) is not purged however far the commits go,
// nor anything after it, until the exporter dead-lettered and deleted it.
func TestPurgeKeepsStrays(t *testing.T) {
	_, js := natstest.Start(t).Connect(t)
	if err := pipeline.EnsureStreams(t.Context(), js, pipeline.StreamsConfig{}); err != nil {
		t.Fatal(err)
	}
	const n = 2
	if err := pipeline.AgreePartitions(t.Context(), js, n, 1); err != nil {
		t.Fatal(err)
	}
	var stray uint64
	for i := range 21 {
		subject := schemas.ConversationSubject("volcengine", "1") + "." + fmt.Sprint(i%n)
		if i == 10 {
			subject = schemas.ConversationSubject("volcengine", "1")
		}
		ack, err := js.Publish(t.Context(), subject, fmt.Appendf(nil, `{"n":%d}`, i))
		if err != nil {
			t.Fatal(err)
		}
		if i == 10 {
			stray = ack.Sequence
		}
	}
	kv, err := js.KeyValue(t.Context(), schemas.BucketExporter)
	if err != nil {
		t.Fatal(err)
	}
	for p := range n {
		b, _ := json.Marshal(schemas.ExportCommit{Epoch: 1, LastSeq: 21, Owner: "test"})
		if _, err := kv.Put(t.Context(), schemas.ExporterCommitKey(p, n), b); err != nil {
			t.Fatal(err)
		}
	}
	p, err := retention.New(js, nil, retention.Config{Keep: keep})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for i, at := range []time.Duration{0, keep + time.Second, keep + 2*time.Second} {
		if err := retention.Step(t.Context(), p, t0.Add(at)); err != nil {
			t.Fatalf("Step(+%v) = %v", at, err)
		}
		if got := firstSeq(t, js); i > 0 && got != stray {
			t.Errorf("after Step(+%v): first stream_seq %d, want the stray's, %d", at, got, stray)
		}
	}
	s, err := js.Stream(t.Context(), schemas.StreamConversations)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteMsg(t.Context(), stray); err != nil {
		t.Fatal(err)
	}
	if err := retention.Step(t.Context(), p, t0.Add(keep+3*time.Second)); err != nil {
		t.Fatal(err)
	}
	if got := firstSeq(t, js); got != 22 {
		t.Errorf("once the stray is gone: first stream_seq %d, want 22", got)
	}
}
