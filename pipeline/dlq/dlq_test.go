package dlq_test

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/pipeline/dlq"
	"github.com/chatlake/chatlake/schemas"
)

const (
	volc = schemas.ProviderVolcengine
	yx   = schemas.ProviderYunxin
)

// fourDeadLetters publishes, at sequences 1 to 4: a Volcengine job that
// failed permanently at t0, a Yunxin job that ran out of attempts an hour
// later, an event of the Volcengine app, and a Volcengine job of another
// app two hours later.
func fourDeadLetters(t testing.TB, js jetstream.JetStream) {
	t.Helper()
	publishDL(t, js, schemas.DeadLetterKindJobs, jobDeadLetter(volc, "123456", "10001", 11, schemas.ClassPermanent, "fetch page 1: User Not Found", t0))
	publishDL(t, js, schemas.DeadLetterKindJobs, jobDeadLetter(yx, "appkey1", "u2", 12, schemas.ClassTransient, "fetch page 3: code 500", t0.Add(time.Hour)))
	publishDL(t, js, schemas.DeadLetterKindConversations, eventDeadLetter(volc, "123456", 13, `{"schema_version":`))
	publishDL(t, js, schemas.DeadLetterKindJobs, jobDeadLetter(volc, "654321", "10004", 14, schemas.ClassPermanent, "AppNotFound", t0.Add(2*time.Hour)))
}

func TestEachFilters(t *testing.T) {
	js := newJS(t)
	fourDeadLetters(t, js)
	q := open(t, js)
	for _, tc := range []struct {
		name string
		f    dlq.Filter
		want []uint64
	}{
		{"all", dlq.Filter{}, []uint64{1, 2, 3, 4}},
		{"kind jobs", dlq.Filter{Kind: schemas.DeadLetterKindJobs}, []uint64{1, 2, 4}},
		{"kind conversations", dlq.Filter{Kind: schemas.DeadLetterKindConversations}, []uint64{3}},
		{"provider", dlq.Filter{Provider: volc}, []uint64{1, 3, 4}},
		{"app", dlq.Filter{App: "123456"}, []uint64{1, 3}},
		{"provider and app", dlq.Filter{Provider: yx, App: "appkey1"}, []uint64{2}},
		{"class", dlq.Filter{Class: schemas.ClassPermanent}, []uint64{1, 4}},
		{"reason in any case", dlq.Filter{Reason: "user not"}, []uint64{1}},
		{"since", dlq.Filter{Since: t0.Add(time.Hour)}, []uint64{2, 4}},
		{"until, exclusive", dlq.Filter{Until: t0.Add(time.Hour)}, []uint64{1, 3}},
		{"seqs", dlq.Filter{Seqs: []uint64{4, 2, 4}}, []uint64{4, 2}},
		{"seqs and kind", dlq.Filter{Seqs: []uint64{3, 4}, Kind: schemas.DeadLetterKindJobs}, []uint64{4}},
		{"nothing", dlq.Filter{Provider: yx, Class: schemas.ClassPermanent}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := seqs(t, q, tc.f); !slices.Equal(got, tc.want) {
				t.Errorf("Each(%+v) = %v, want %v", tc.f, got, tc.want)
			}
		})
	}
}

func TestEachEmptyAndBadFilters(t *testing.T) {
	js := newJS(t)
	q := open(t, js)
	if got := seqs(t, q, dlq.Filter{}); got != nil {
		t.Errorf("Each on an empty stream = %v, want nothing", got)
	}
	for _, f := range []dlq.Filter{
		{Kind: "events"}, {Class: "fatal"}, {Provider: "volc.*"}, {App: ">"},
		{Since: t0, Until: t0}, {Seqs: []uint64{0}},
	} {
		if err := q.Each(t.Context(), f, func(dlq.Entry) bool { return true }); err == nil {
			t.Errorf("Each(%+v) = nil, want an error", f)
		}
	}
	if _, err := q.Get(t.Context(), 9); !errors.Is(err, dlq.ErrNotFound) {
		t.Errorf("Get(9) = %v, want ErrNotFound", err)
	}
}

func TestGetDecodesAndReportsForeignMessages(t *testing.T) {
	js := newJS(t)
	fourDeadLetters(t, js)
	if _, err := js.Publish(t.Context(), schemas.SubjectDeadLetterPrefix+"jobs.volcengine.123456", []byte("not json")); err != nil {
		t.Fatal(err)
	}
	q := open(t, js)
	e, err := q.Get(t.Context(), 1)
	if err != nil || e.UserID != "10001" || e.Kind != schemas.DeadLetterKindJobs || e.Provider != volc || e.App != "123456" || e.StreamSeq != 11 || e.DecodeError != "" {
		t.Errorf("Get(1) = %+v, %v; want user 10001's job dead letter", e, err)
	}
	e, err = q.Get(t.Context(), 5)
	if err != nil || e.DecodeError == "" {
		t.Errorf("Get(5) = %+v, %v; want a decode error", e, err)
	}
}

func TestReplayRepublishesJobOnceThenForced(t *testing.T) {
	js := newJS(t)
	fourDeadLetters(t, js)
	// The original job is still within the duplicate window under its own
	// message ID: a replay under that ID would be dropped.
	dl := jobDeadLetter(volc, "123456", "10001", 11, schemas.ClassPermanent, "", t0)
	orig := nats.NewMsg(dl.Subject)
	orig.Data, orig.Header = dl.Data, nats.Header(dl.Headers)
	if _, err := js.PublishMsg(t.Context(), orig); err != nil {
		t.Fatal(err)
	}
	q := open(t, js)
	f := dlq.Filter{Seqs: []uint64{1}}
	res, err := replayAll(t, q, f, dlq.ReplayOptions{By: "ops@host"})
	if err != nil || len(res) != 1 || res[0].Outcome != dlq.Replayed {
		t.Fatalf("Replay(seq 1) = %+v, %v; want replayed", res, err)
	}
	rec := res[0].Record
	msgs := streamMsgs(t, js, schemas.StreamJobs)
	if len(msgs) != 2 {
		t.Fatalf("jobs stream holds %d messages, want the original and its replay", len(msgs))
	}
	m := msgs[1]
	if string(m.Data) != string(dl.Data) || m.Subject != dl.Subject || m.Header.Get("Traceparent") != "00-abc-def-01" ||
		!isReplayID(m.Header.Get(jetstream.MsgIDHeader), 1, 1) || rec.MsgID != m.Header.Get(jetstream.MsgIDHeader) || m.Header.Get(schemas.HeaderReplayOf) != "1" {
		t.Errorf("replayed message %s %q headers %v; want the original's data and subject, its Traceparent, the replay's message ID and origin", m.Subject, m.Data, m.Header)
	}
	if rec.Stream != schemas.StreamJobs || rec.StreamSeq != m.Sequence || rec.By != "ops@host" || rec.Replays != 1 || rec.Duplicate || !rec.FailedAt.Equal(t0) {
		t.Errorf("record = %+v, want stream %s seq %d by ops@host, replay 1", rec, schemas.StreamJobs, m.Sequence)
	}
	e, err := q.Get(t.Context(), 1)
	if err != nil || e.Replay == nil || e.Replay.StreamSeq != m.Sequence {
		t.Errorf("Get(1).Replay = %+v, %v; want the record", e.Replay, err)
	}

	res, err = replayAll(t, q, dlq.Filter{Kind: schemas.DeadLetterKindJobs, Provider: volc, App: "123456"}, dlq.ReplayOptions{})
	if err != nil || len(res) != 1 || res[0].Outcome != dlq.AlreadyReplayed || res[0].Record.StreamSeq != m.Sequence {
		t.Errorf("second Replay = %+v, %v; want already replayed", res, err)
	}
	if n := len(streamMsgs(t, js, schemas.StreamJobs)); n != 2 {
		t.Errorf("jobs stream holds %d messages after a second replay, want 2", n)
	}
	res, err = replayAll(t, q, f, dlq.ReplayOptions{Force: true})
	if err != nil || len(res) != 1 || res[0].Outcome != dlq.Replayed || res[0].Record.Replays != 2 {
		t.Errorf("forced Replay = %+v, %v; want replay 2", res, err)
	}
	if msgs := streamMsgs(t, js, schemas.StreamJobs); len(msgs) != 3 || !isReplayID(msgs[2].Header.Get(jetstream.MsgIDHeader), 1, 2) {
		t.Errorf("jobs stream after a forced replay: %d messages, want 3, the last with the message ID of replay 2 of seq 1", len(msgs))
	}
}

func TestReplayInterruptedBeforeRecordIsNotDoubled(t *testing.T) {
	js := newJS(t)
	fourDeadLetters(t, js)
	q := open(t, js)
	crash := errors.New("crash")
	dlq.SetAfterPublish(q, func(uint64) error { return crash })
	f := dlq.Filter{Kind: schemas.DeadLetterKindJobs}
	if _, err := replayAll(t, q, f, dlq.ReplayOptions{}); !errors.Is(err, crash) {
		t.Fatalf("Replay with a crash after publish = %v, want it", err)
	}
	if n := len(streamMsgs(t, js, schemas.StreamJobs)); n != 1 {
		t.Fatalf("jobs stream holds %d messages after the crash, want the one published", n)
	}
	dlq.SetAfterPublish(q, nil)
	res, err := replayAll(t, q, f, dlq.ReplayOptions{})
	if err != nil || len(res) != 3 {
		t.Fatalf("Replay again = %+v, %v; want 3 results", res, err)
	}
	for i, r := range res {
		if r.Outcome != dlq.Replayed || r.Record.Duplicate != (i == 0) {
			t.Errorf("result %d (seq %d) = %s, duplicate %v; want replayed, a duplicate only for the interrupted one", i, r.Entry.Seq, r.Outcome, r.Record.Duplicate)
		}
	}
	msgs := streamMsgs(t, js, schemas.StreamJobs)
	if len(msgs) != 3 || res[0].Record.StreamSeq != msgs[0].Sequence {
		t.Errorf("jobs stream holds %d messages, want 3, once each; the duplicate's record names seq %d", len(msgs), res[0].Record.StreamSeq)
	}
}

func TestReplayRefusesTruncatedAndSkipsEvents(t *testing.T) {
	js := newJS(t)
	fourDeadLetters(t, js)
	cut := jobDeadLetter(volc, "123456", "10005", 15, schemas.ClassInvalid, "job exceeds", t0)
	cut.DataSize, cut.DataTruncated = cut.DataSize*10, true
	publishDL(t, js, schemas.DeadLetterKindJobs, cut)
	forged := jobDeadLetter(volc, "123456", "10006", 16, schemas.ClassInvalid, "forged", t0)
	forged.Subject = schemas.SubjectDeadLetterPrefix + "jobs.volcengine.123456"
	publishDL(t, js, schemas.DeadLetterKindJobs, forged)
	q := open(t, js)

	res, err := replayAll(t, q, dlq.Filter{Provider: volc}, dlq.ReplayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[uint64]dlq.ReplayResult{}
	for _, r := range res {
		got[r.Entry.Seq] = r
	}
	for seq, want := range map[uint64]struct {
		outcome dlq.Outcome
		why     string
	}{1: {dlq.Replayed, ""}, 3: {dlq.SkippedEvent, "--kind conversations"}, 4: {dlq.Replayed, ""}, 5: {dlq.Refused, "truncated"}, 6: {dlq.Refused, "not under chatlake.jobs."}} {
		if r := got[seq]; r.Outcome != want.outcome || !strings.Contains(r.Why, want.why) {
			t.Errorf("seq %d: %s (%s), want %s (%s)", seq, r.Outcome, r.Why, want.outcome, want.why)
		}
	}
	if n := len(streamMsgs(t, js, schemas.StreamConversations)); n != 0 {
		t.Errorf("conversations stream holds %d events, want none without --kind conversations", n)
	}

	res, err = replayAll(t, q, dlq.Filter{Kind: schemas.DeadLetterKindConversations}, dlq.ReplayOptions{})
	if err != nil || len(res) != 1 || res[0].Outcome != dlq.Replayed || res[0].Record.Stream != schemas.StreamConversations {
		t.Fatalf("Replay(kind conversations) = %+v, %v; want the event replayed", res, err)
	}
	evs := streamMsgs(t, js, schemas.StreamConversations)
	if len(evs) != 1 || string(evs[0].Data) != `{"schema_version":` || !isReplayID(evs[0].Header.Get(jetstream.MsgIDHeader), 3, 1) {
		t.Errorf("conversations stream = %d messages, want the event with the message ID of replay 1 of seq 3", len(evs))
	}
}

func TestPurge(t *testing.T) {
	js := newJS(t)
	fourDeadLetters(t, js)
	q := open(t, js)
	var listed []uint64
	n, err := q.Purge(t.Context(), dlq.Filter{Provider: volc}, true, func(e dlq.Entry) { listed = append(listed, e.Seq) })
	if err != nil || n != 3 || !slices.Equal(listed, []uint64{1, 3, 4}) || len(seqs(t, q, dlq.Filter{})) != 4 {
		t.Fatalf("Purge(dry run) = %d, %v, listed %v; want 3 listed and nothing deleted", n, err, listed)
	}
	// Reason is no subject: deleted one by one.
	n, err = q.Purge(t.Context(), dlq.Filter{Reason: "appnotfound"}, false, nil)
	if got := seqs(t, q, dlq.Filter{}); err != nil || n != 1 || !slices.Equal(got, []uint64{1, 2, 3}) {
		t.Errorf("Purge(reason) = %d, %v, left %v; want 1 deleted, 1 2 3 left", n, err, got)
	}
	publishDL(t, js, schemas.DeadLetterKindJobs, jobDeadLetter(volc, "123456", "10009", 19, schemas.ClassPermanent, "later", t0))
	n, err = q.Purge(t.Context(), dlq.Filter{Kind: schemas.DeadLetterKindJobs, Provider: volc}, false, nil)
	if got := seqs(t, q, dlq.Filter{}); err != nil || n != 2 || !slices.Equal(got, []uint64{2, 3}) {
		t.Errorf("Purge(kind, provider) = %d, %v, left %v; want 2 deleted, 2 3 left", n, err, got)
	}
	if n, err := q.Purge(t.Context(), dlq.Filter{Provider: "none"}, false, nil); err != nil || n != 0 {
		t.Errorf("Purge(nothing) = %d, %v; want 0, nil", n, err)
	}
}

// isReplayID reports whether id is the message ID of the n-th replay of
// the dead letter at seq.
func isReplayID(id string, seq uint64, n int) bool {
	rest, ok := strings.CutPrefix(id, schemas.ReplayMsgIDPrefix+strconv.FormatUint(seq, 10)+"-")
	stored, num, _ := strings.Cut(rest, "-")
	_, err := strconv.ParseInt(stored, 10, 64)
	return ok && err == nil && num == strconv.Itoa(n)
}

func TestReplayTellsARecreatedStreamsDeadLetters(t *testing.T) {
	js := newJS(t)
	fourDeadLetters(t, js)
	q := open(t, js)
	if res, err := replayAll(t, q, dlq.Filter{Seqs: []uint64{1}}, dlq.ReplayOptions{}); err != nil || res[0].Outcome != dlq.Replayed {
		t.Fatalf("Replay(seq 1) = %+v, %v", res, err)
	}
	// The dead-letter stream is deleted and made again: sequence 1 is
	// another dead letter, and its replay record is not the old one's.
	if err := js.DeleteStream(t.Context(), schemas.StreamDeadLetters); err != nil {
		t.Fatal(err)
	}
	if err := pipeline.EnsureStreams(t.Context(), js, pipeline.StreamsConfig{}); err != nil {
		t.Fatal(err)
	}
	publishDL(t, js, schemas.DeadLetterKindJobs, jobDeadLetter(volc, "123456", "10007", 17, schemas.ClassPermanent, "other", t0.Add(time.Minute)))
	q = open(t, js)
	if e, err := q.Get(t.Context(), 1); err != nil || e.Replay != nil {
		t.Errorf("Get(1) on the new stream = replay %+v, %v; want no replay record", e.Replay, err)
	}
	res, err := replayAll(t, q, dlq.Filter{Seqs: []uint64{1}}, dlq.ReplayOptions{})
	if err != nil || len(res) != 1 || res[0].Outcome != dlq.Replayed {
		t.Fatalf("Replay(new seq 1) = %d results, %v; want 1 replayed", len(res), err)
	}
	if rec := res[0].Record; rec.Duplicate || rec.Replays != 1 {
		t.Errorf("record of the new seq 1 = %+v, want replay 1, not a duplicate", rec)
	}
	if n := len(streamMsgs(t, js, schemas.StreamJobs)); n != 2 {
		t.Errorf("jobs stream holds %d messages, want both replays", n)
	}
}
