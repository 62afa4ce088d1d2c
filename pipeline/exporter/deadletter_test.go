package exporter_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/pipeline/exporter"
	"github.com/chatlake/chatlake/schemas"
)

// deadLettersOf reads every dead letter stored so far.
func deadLettersOf(t testing.TB, js jetstream.JetStream) []schemas.DeadLetter {
	t.Helper()
	ctx := context.Background()
	c, err := js.OrderedConsumer(ctx, schemas.StreamDeadLetters, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var out []schemas.DeadLetter
	mb, err := c.FetchNoWait(1000)
	if err != nil {
		t.Fatal(err)
	}
	for m := range mb.Messages() {
		var dl schemas.DeadLetter
		if err := json.Unmarshal(m.Data(), &dl); err != nil {
			t.Fatalf("dead letter %q: %v", m.Data(), err)
		}
		out = append(out, dl)
	}
	return out
}

// exportDeadLetters runs an exporter over the stream until it commits
// last, stops it, checks that the lake holds good exactly once, and
// returns the dead letters, failing unless there are n.
func exportDeadLetters(t *testing.T, js jetstream.JetStream, root string, last uint64, good []schemas.ConversationEvent, n int) []schemas.DeadLetter {
	t.Helper()
	r := startExporter(t, js, folderLake(t, root), exporterTestConfig())
	waitCommitted(t, js, last, 20*time.Second)
	if err := r.stop(t); err != nil {
		t.Fatalf("Run() = %v", err)
	}
	checkExactlyOnce(t, folderLake(t, root), good)
	dls := deadLettersOf(t, js)
	if len(dls) != n {
		t.Fatalf("%d dead letters, want %d", len(dls), n)
	}
	return dls
}

func TestExporterDeadLettersBadEvents(t *testing.T) {
	_, js := exporterStreams(t)
	root := t.TempDir()
	good := testEvents(2, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	v99 := good[0]
	v99.SchemaVersion, v99.EventID = 99, "v99"
	noID := good[1]
	noID.EventID = ""
	subject := schemas.ConversationSubject(schemas.ProviderYunxin, "yx_app-1")
	bad := map[string][]byte{
		"undecodable":               {0xff, '{', 'x'},
		"unknown schema version 99": mustJSON(t, v99),
		"missing event_id":          mustJSON(t, noID),
		"unknown provider":          []byte(`{"schema_version":1,"event_id":"x","provider":"wechat","app":"a","fetched_at":"2026-01-01T00:00:00Z"}`),
		"missing fetched_at":        []byte(`{"schema_version":1,"event_id":"y","provider":"yunxin","app":"a"}`),
	}
	publishTestEvents(t, js, good[:1])
	for reason, data := range bad {
		publishRaw(t, js, subject, reason, data)
	}
	last := publishTestEvents(t, js, good[1:])

	for _, dl := range exportDeadLetters(t, js, root, last, good, len(bad)) {
		var want string
		for reason, data := range bad {
			if string(data) == string(dl.Data) {
				want = reason
			}
		}
		if want == "" || !strings.Contains(dl.Reason, want) || dl.Class != schemas.ClassInvalid ||
			dl.StreamSeq == 0 || dl.Subject != subject {
			t.Errorf("dead letter %+v, want reason %q, class invalid, its stream_seq and subject", dl, want)
		}
	}
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestExporterKeepsHostileNamesInsideRoot(t *testing.T) {
	_, js := exporterStreams(t)
	parent := t.TempDir()
	root := filepath.Join(parent, "lake")
	events := testEvents(4, time.Date(2026, 6, 2, 0, 0, 0, 0, time.UTC))
	for i, app := range []string{"../../escape", "/abs/path", "..", `a\..\b`} {
		events[i].App = app
	}
	var last uint64
	for i := range events { // the payload's app is hostile, the subject's token is not
		last = publishRaw(t, js, schemas.ConversationSubject(events[i].Provider, "x"), events[i].EventID, mustJSON(t, events[i]))
	}
	exportDeadLetters(t, js, root, last, nil, len(events)) // an event's app must be its subject's
	if files := lakeFiles(t, root); len(files) != 0 {
		t.Errorf("exporter wrote %v, want nothing", files)
	}
	if entries, _ := os.ReadDir(parent); len(entries) > 1 {
		t.Errorf("exporter wrote outside its root: %v", entries)
	}
}

// FuzzDecodeConversationEvent checks that no input panics the decoder and
// that whatever it accepts can be placed and flattened.
func FuzzDecodeConversationEvent(f *testing.F) {
	for _, e := range testEvents(4, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) {
		b, _ := json.Marshal(e)
		f.Add(b)
	}
	f.Add([]byte(`{"schema_version":1,"event_id":"x","provider":"yunxin","app":"..","fetched_at":"2026-01-01T00:00:00Z","raw":null}`))
	f.Add([]byte(`{"schema_version":2}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ev, err := exporter.DecodeConversationEvent(data)
		if err != nil {
			return
		}
		if ev.SchemaVersion != schemas.EventSchemaVersion || ev.EventID == "" || ev.FetchedAt.IsZero() {
			t.Fatalf("DecodeConversationEvent(%q) accepted %+v", data, ev)
		}
		r := schemas.RowFromEvent(&ev)
		if r.EventID != ev.EventID || r.Raw != string(ev.Raw) {
			t.Fatalf("RowFromEvent lost the event_id or raw of %q", data)
		}
	})
}
