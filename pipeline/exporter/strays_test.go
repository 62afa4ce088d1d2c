package exporter_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/pipeline/exporter"
	"github.com/chatlake/chatlake/schemas"
)

// stray is an event published on a subject no part of the stream takes.
type stray struct {
	subject, why string // why: what the dead letter's reason must say
	seq          uint64
	data         []byte
}

// publishStrays publishes ev on each subject of a stray kind, for a
// stream of n parts, and returns them.
func publishStrays(t *testing.T, js jetstream.JetStream, ev schemas.ConversationEvent, n int, tag string) []stray {
	t.Helper()
	base := schemas.ConversationSubject(ev.Provider, ev.App)
	data := mustJSON(t, ev)
	strays := []stray{
		{subject: base, why: "has no part token"},                                             // an older producer's
		{subject: base + ".9", why: "is not a part below"},                                    // a part above N
		{subject: base + ".x", why: "is not a part below"},                                    // not a number
		{subject: base + ".01", why: "is not a part below"},                                   // not the part's own token
		{subject: base + ".0." + tag, why: "has no part token"},                               // too many tokens
		{subject: schemas.SubjectConversationsPrefix + ev.Provider, why: "has no part token"}, // too few
	}
	for i := range strays {
		strays[i].data = data
		strays[i].seq = publishRaw(t, js, strays[i].subject, "stray-"+tag+"-"+strays[i].subject, data)
	}
	return strays
}

// deadLetterCount returns how many dead letters are stored.
func deadLetterCount(t testing.TB, js jetstream.JetStream) int {
	t.Helper()
	s, err := js.Stream(context.Background(), schemas.StreamDeadLetters)
	if err != nil {
		t.Fatal(err)
	}
	return int(s.CachedInfo().State.Msgs)
}

// checkStrayDeadLetters checks that the dead letters are those of strays,
// each exactly once, whole, with a reason that names its subject.
func checkStrayDeadLetters(t *testing.T, dls []schemas.DeadLetter, strays []stray) {
	t.Helper()
	bySeq := map[uint64]int{}
	for _, dl := range dls {
		bySeq[dl.StreamSeq]++
	}
	for _, s := range strays {
		if bySeq[s.seq] != 1 {
			t.Errorf("stray stream_seq %d on %s: %d dead letters, want 1", s.seq, s.subject, bySeq[s.seq])
		}
	}
	if len(dls) != len(strays) {
		t.Errorf("%d dead letters, want %d, one per stray", len(dls), len(strays))
	}
	want := map[uint64]stray{}
	for _, s := range strays {
		want[s.seq] = s
	}
	for _, dl := range dls {
		s, ok := want[dl.StreamSeq]
		switch {
		case !ok:
			t.Errorf("dead letter of stream_seq %d (%s, %q): not a stray", dl.StreamSeq, dl.Subject, dl.Reason)
		case dl.Subject != s.subject || !bytes.Equal(dl.Data, s.data) || dl.Class != schemas.ClassInvalid:
			t.Errorf("dead letter of stream_seq %d = subject %s, class %s, %d bytes; want %s, invalid, the event's %d bytes",
				dl.StreamSeq, dl.Subject, dl.Class, len(dl.Data), s.subject, len(s.data))
		case !strings.Contains(dl.Reason, "on no part's subject") || !strings.Contains(dl.Reason, s.why) || !strings.Contains(dl.Reason, s.subject):
			t.Errorf("dead letter of %s: reason %q, want it to say the subject is on no part and %q", s.subject, dl.Reason, s.why)
		}
	}
}

// checkNothingLeft checks that the stream holds only events of the parts
// and that no part's consumer has any left to deliver or to be acked.
func checkNothingLeft(t *testing.T, js jetstream.JetStream, n int) {
	t.Helper()
	ctx := context.Background()
	for subject, count := range straySubjects(t, js, n) {
		t.Errorf("stream still holds %d events on %s, which no part takes", count, subject)
	}
	for p := range n {
		ci, err := js.Consumer(ctx, schemas.StreamConversations, schemas.ExporterConsumer(p, n))
		if err != nil {
			t.Fatal(err)
		}
		info := ci.CachedInfo()
		if info.NumPending != 0 || info.NumAckPending != 0 {
			t.Errorf("consumer of part %d: %d pending, %d awaiting ack; want 0", p, info.NumPending, info.NumAckPending)
		}
	}
}

// TestExporterDeadLettersStrays publishes, among the events of a stream of
// 3 parts, events on subjects no part's consumer filters (no part token, a
// part token out of range or malformed, too many or too few tokens),
// before and while 3 exporters run: every event is in the lake exactly
// once, every stray is dead-lettered once with its reason and is gone
// from the stream, and a restart dead-letters none of them again.
func TestExporterDeadLettersStrays(t *testing.T) {
	_, js := exporterStreams(t)
	root := t.TempDir()
	const n = 3
	cfg := exporterTestConfig()
	cfg.Partitions = n
	events := testEvents(600, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	ev := events[0]
	var rs []*runningExporter
	startAll := func() {
		rs = rs[:0]
		for range n {
			rs = append(rs, startExporter(t, js, folderLake(t, root), cfg))
		}
	}
	var strays []stray
	// swept waits until every stray is dead-lettered and deleted, stops
	// the exporters and checks the lake, the dead letters and the stream.
	swept := func(what string) {
		t.Helper()
		waitFor(t, 30*time.Second, what, func() bool {
			return deadLetterCount(t, js) >= len(strays) && strayCount(t, js, n) == 0
		})
		for _, r := range rs {
			if err := r.stop(t); err != nil {
				t.Fatalf("Run() = %v", err)
			}
		}
		checkExactlyOnce(t, folderLake(t, root), events)
		checkStrayDeadLetters(t, deadLettersOf(t, js), strays)
		checkNothingLeft(t, js, n)
	}

	strays = publishStrays(t, js, ev, n, "before")
	last := publishPartEvents(t, js, events[:300], n)
	startAll()
	waitParts(t, js, last, 30*time.Second)
	strays = append(strays, publishStrays(t, js, ev, n, "while")...)
	for p, seq := range publishPartEvents(t, js, events[300:], n) {
		last[p] = max(last[p], seq)
	}
	waitParts(t, js, last, 30*time.Second)
	swept("every stray dead-lettered and deleted")

	// A restart finds nothing to dead-letter again; the strays published
	// after it prove its sweep ran.
	startAll()
	strays = append(strays, publishStrays(t, js, ev, n, "after")...)
	swept("the strays published after the restart dead-lettered and deleted")
	recs, err := exporter.ReadParts(context.Background(), js)
	if err != nil {
		t.Fatal(err)
	}
	for p, rec := range recs {
		if rec.LastSeq < last[p] {
			t.Errorf("part %d committed stream_seq %d, want %d", p, rec.LastSeq, last[p])
		}
	}
}

// TestExporterStrayCrashBeforeDelete crashes part 0's exporter after the
// dead letter of its third stray is stored and before that stray is
// deleted: the next owner dead-letters it again under the same
// Nats-Msg-Id, which the dead-letter stream drops, so every stray still
// has exactly one dead letter, and the events are in the lake once.
func TestExporterStrayCrashBeforeDelete(t *testing.T) {
	_, js := exporterStreams(t)
	root := t.TempDir()
	const n = 2
	cfg := exporterTestConfig()
	cfg.Partitions = n
	events := testEvents(200, time.Date(2026, 6, 2, 0, 0, 0, 0, time.UTC))
	strays := publishStrays(t, js, events[0], n, "crash")
	last := publishPartEvents(t, js, events, n)

	first := cfg
	first.Parts = []int{0}
	e, err := exporter.New(js, folderLake(t, root), exporterTestLogger(), first)
	if err != nil {
		t.Fatal(err)
	}
	var reached atomic.Int32
	exporter.SetCrashHook(e, func(p exporter.CrashPoint) error {
		if p == exporter.StrayPoint && reached.Add(1) == 3 {
			return errInjected
		}
		return nil
	})
	if err := runExporter(t, e).wait(t); !errors.Is(err, errInjected) {
		t.Fatalf("Run() = %v, want the injected crash", err)
	}
	if got := deadLetterCount(t, js); got != 3 {
		t.Fatalf("%d dead letters at the crash, want 3", got)
	}

	var rs []*runningExporter
	for range n {
		rs = append(rs, startExporter(t, js, folderLake(t, root), cfg))
	}
	waitParts(t, js, last, 30*time.Second)
	waitFor(t, 30*time.Second, "every stray gone from the stream", func() bool { return strayCount(t, js, n) == 0 })
	for _, r := range rs {
		if err := r.stop(t); err != nil {
			t.Fatalf("Run() = %v", err)
		}
	}
	checkExactlyOnce(t, folderLake(t, root), events)
	checkStrayDeadLetters(t, deadLettersOf(t, js), strays)
	checkNothingLeft(t, js, n)
}

// strayCount returns how many events the stream of n parts holds on
// subjects no part takes.
func strayCount(t testing.TB, js jetstream.JetStream, n int) int {
	t.Helper()
	count := 0
	for _, k := range straySubjects(t, js, n) {
		count += int(k)
	}
	return count
}

// straySubjects returns the subjects of the stream of n parts that no
// part takes, with how many events each holds.
func straySubjects(t testing.TB, js jetstream.JetStream, n int) map[string]uint64 {
	t.Helper()
	ctx := context.Background()
	s, err := js.Stream(ctx, schemas.StreamConversations)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx, jetstream.WithSubjectFilter(schemas.SubjectConversationsPrefix+">"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]uint64{}
	for subject, k := range info.State.Subjects {
		if _, err := schemas.SubjectPart(subject, n); err != nil {
			out[subject] = k
		}
	}
	return out
}
