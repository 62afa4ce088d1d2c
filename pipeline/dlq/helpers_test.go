package dlq_test

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/internal/natstest"
	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/pipeline/dlq"
	"github.com/chatlake/chatlake/schemas"
)

// t0 is when the test dead letters failed, give or take some hours.
var t0 = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func newJS(t testing.TB) jetstream.JetStream {
	t.Helper()
	_, js := natstest.Start(t).Connect(t)
	if err := pipeline.EnsureStreams(t.Context(), js, pipeline.StreamsConfig{}); err != nil {
		t.Fatal(err)
	}
	if err := pipeline.EnsureJobBuckets(t.Context(), js, pipeline.JobBucketsConfig{}); err != nil {
		t.Fatal(err)
	}
	return js
}

func open(t testing.TB, js jetstream.JetStream) *dlq.Queue {
	t.Helper()
	q, err := dlq.Open(t.Context(), js)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// jobDeadLetter is the dead letter of a job of user on provider and app,
// with origSeq its sequence in the jobs stream.
func jobDeadLetter(provider, app, user string, origSeq uint64, class schemas.ErrorClass, reason string, failedAt time.Time) schemas.DeadLetter {
	data := []byte(`{"provider":"` + provider + `","app":"` + app + `","user_id":"` + user + `","job_id":"j` + user + `"}`)
	sum := sha256.Sum256(data)
	return schemas.DeadLetter{
		SchemaVersion: schemas.DeadLetterSchemaVersion, Subject: schemas.JobSubject(provider, app),
		Headers: map[string][]string{jetstream.MsgIDHeader: {provider + "." + app + ".j" + user}, "Traceparent": {"00-abc-def-01"}},
		Data:    data, DataSize: len(data), DataSHA256: hex.EncodeToString(sum[:]), StreamSeq: origSeq,
		Reason: reason, Class: class, JobID: "j" + user, Provider: provider, App: app, UserID: user, FailedAt: failedAt,
	}
}

// eventDeadLetter is the dead letter of a conversation event the exporter
// could not read.
func eventDeadLetter(provider, app string, origSeq uint64, data string) schemas.DeadLetter {
	sum := sha256.Sum256([]byte(data))
	return schemas.DeadLetter{
		SchemaVersion: schemas.DeadLetterSchemaVersion, Subject: schemas.ConversationSubject(provider, app),
		Headers: map[string][]string{jetstream.MsgIDHeader: {"ev-" + data}},
		Data:    []byte(data), DataSize: len(data), DataSHA256: hex.EncodeToString(sum[:]), StreamSeq: origSeq,
		Reason: "decode event: unexpected end of JSON input", Class: schemas.ClassInvalid, Provider: provider, App: app, Attempts: 1, FailedAt: t0,
	}
}

func publishDL(t testing.TB, js jetstream.JetStream, kind string, dl schemas.DeadLetter) {
	t.Helper()
	if err := pipeline.PublishDeadLetter(t.Context(), js, kind, dl); err != nil {
		t.Fatal(err)
	}
}

// seqs returns the sequences of the dead letters f selects.
func seqs(t testing.TB, q *dlq.Queue, f dlq.Filter) []uint64 {
	t.Helper()
	var out []uint64
	if err := q.Each(t.Context(), f, func(e dlq.Entry) bool { out = append(out, e.Seq); return true }); err != nil {
		t.Fatalf("Each(%+v) = %v", f, err)
	}
	return out
}

// streamMsgs returns every message of stream, in order.
func streamMsgs(t testing.TB, js jetstream.JetStream, stream string) []*jetstream.RawStreamMsg {
	t.Helper()
	s, err := js.Stream(t.Context(), stream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var out []*jetstream.RawStreamMsg
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
		m, err := s.GetMsg(t.Context(), seq)
		if err == nil {
			out = append(out, m)
		}
	}
	return out
}

// replayAll replays what f selects and returns the results.
func replayAll(t testing.TB, q *dlq.Queue, f dlq.Filter, o dlq.ReplayOptions) ([]dlq.ReplayResult, error) {
	t.Helper()
	var out []dlq.ReplayResult
	err := q.Replay(t.Context(), f, o, func(r dlq.ReplayResult) { out = append(out, r) })
	return out, err
}

func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond) // polling, not synchronization
	}
}
