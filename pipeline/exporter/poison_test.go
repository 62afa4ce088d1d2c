package exporter_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/chatlake/chatlake/internal/lockedbuf"
	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/pipeline/exporter"
	"github.com/chatlake/chatlake/pipeline/internal/deadlettertest"
	"github.com/chatlake/chatlake/schemas"
)

// nearMaxPayload returns undecodable event bytes just under the
// connection's max payload, with room for a Nats-Msg-Id header.
func nearMaxPayload(t testing.TB, nc *nats.Conn) []byte {
	t.Helper()
	n := int(nc.MaxPayload()) - 200
	if n < 1<<16 {
		t.Fatalf("max payload %d too small for the test", nc.MaxPayload())
	}
	return append([]byte(`{"schema_version":1,"raw":"`), bytes.Repeat([]byte("x"), n-27)...)
}

func TestExporterDeadLettersEventNearMaxPayload(t *testing.T) {
	srv, js := exporterStreams(t)
	nc, _ := srv.Connect(t)
	root := t.TempDir()
	good := testEvents(3, time.Date(2026, 6, 3, 0, 0, 0, 0, time.UTC))
	huge := nearMaxPayload(t, nc)
	subject := schemas.ConversationSubject(schemas.ProviderYunxin, "yx_app-1")

	publishTestEvents(t, js, good[:1])
	seq := publishRaw(t, js, subject, "huge", huge)
	last := publishTestEvents(t, js, good[1:])

	dl := exportDeadLetters(t, js, root, last, good, 1)[0]
	if !dl.DataTruncated || len(dl.Data) < len(huge)/2 || dl.StreamSeq != seq || dl.Subject != subject ||
		dl.Class != schemas.ClassInvalid || !strings.Contains(dl.Reason, "undecodable") {
		t.Errorf("dead letter truncated %v, %d of %d bytes, stream_seq %d, subject %s, class %s, reason %q; want a truncated copy of most of it, %d, %s, invalid, undecodable",
			dl.DataTruncated, len(dl.Data), len(huge), dl.StreamSeq, dl.Subject, dl.Class, dl.Reason, seq, subject)
	}
	deadlettertest.CheckDigest(t, dl, huge)
}

func TestExporterDeadLetterLastResort(t *testing.T) {
	_, js := exporterStreams(t)
	deadlettertest.Limit(t, js, 1500)
	root := t.TempDir()
	good := testEvents(2, time.Date(2026, 6, 4, 0, 0, 0, 0, time.UTC))
	// A subject longer than the dead-letter stream's max message size:
	// no form of the dead letter but the last resort fits.
	subject := schemas.ConversationSubject(schemas.ProviderVolcengine, strings.Repeat("9", 2000))
	bad := []byte("not json")

	publishTestEvents(t, js, good[:1])
	seq := publishRaw(t, js, subject, "long", bad)
	last := publishTestEvents(t, js, good[1:])

	dl := exportDeadLetters(t, js, root, last, good, 1)[0]
	if dl.Subject != subject[:schemas.DeadLetterClipBytes] || len(dl.Data) != 0 || !dl.DataTruncated || !dl.HeadersOmitted ||
		dl.StreamSeq != seq || dl.Reason == "" || dl.Class != schemas.ClassInvalid {
		t.Errorf("dead letter %+v, want the last resort: subject cut to %d bytes, no data, no headers, stream_seq %d, reason, class invalid",
			dl, schemas.DeadLetterClipBytes, seq)
	}
	deadlettertest.CheckDigest(t, dl, bad)
}

func TestExporterWaitsForTheDeadLetterStream(t *testing.T) {
	_, js := exporterStreams(t)
	root := t.TempDir()
	if err := js.DeleteStream(t.Context(), schemas.StreamDeadLetters); err != nil {
		t.Fatal(err)
	}
	good := testEvents(2, time.Date(2026, 6, 6, 0, 0, 0, 0, time.UTC))
	publishTestEvents(t, js, good[:1])
	publishRaw(t, js, schemas.ConversationSubject(schemas.ProviderYunxin, "yx_app-1"), "bad", []byte("not json"))
	last := publishTestEvents(t, js, good[1:])

	var logs lockedbuf.Buffer
	e, err := exporter.New(js, folderLake(t, root), slog.New(slog.NewTextHandler(&logs, nil)), exporterTestConfig())
	if err != nil {
		t.Fatal(err)
	}
	r := runExporter(t, e)
	waitFor(t, 20*time.Second, "a failed dead letter", func() bool {
		return strings.Contains(logs.String(), "dead letter failed, will retry")
	})
	select {
	case err := <-r.done:
		t.Fatalf("Run() = %v while the dead-letter stream was away, want it to wait", err)
	default:
	}
	if err := pipeline.EnsureStreams(t.Context(), js, pipeline.StreamsConfig{}); err != nil {
		t.Fatal(err)
	}
	waitCommitted(t, js, last, 20*time.Second)
	if err := r.stop(t); err != nil {
		t.Fatalf("Run() = %v", err)
	}
	checkExactlyOnce(t, folderLake(t, root), good)
	if dls := deadLettersOf(t, js); len(dls) != 1 {
		t.Errorf("%d dead letters, want 1", len(dls))
	}
}

func TestExporterStopsCleanlyWhileDeadLettersWait(t *testing.T) {
	_, js := exporterStreams(t)
	root := t.TempDir()
	if err := js.DeleteStream(t.Context(), schemas.StreamDeadLetters); err != nil {
		t.Fatal(err)
	}
	good := testEvents(2, time.Date(2026, 6, 7, 0, 0, 0, 0, time.UTC))
	before := publishTestEvents(t, js, good[:1])
	publishRaw(t, js, schemas.ConversationSubject(schemas.ProviderYunxin, "yx_app-1"), "bad", []byte("not json"))
	publishTestEvents(t, js, good[1:])

	var logs lockedbuf.Buffer
	e, err := exporter.New(js, folderLake(t, root), slog.New(slog.NewTextHandler(&logs, nil)), exporterTestConfig())
	if err != nil {
		t.Fatal(err)
	}
	r := runExporter(t, e)
	waitFor(t, 20*time.Second, "a failed dead letter", func() bool {
		return strings.Contains(logs.String(), "dead letter failed, will retry")
	})
	if err := r.stop(t); err != nil {
		t.Fatalf("Run() = %v when stopped while a dead letter waits, want nil", err)
	}
	if rec := commitRecord(t, js); rec.LastSeq != before {
		t.Errorf("committed stream_seq %d, want %d: the events before the waiting dead letter", rec.LastSeq, before)
	}
	checkExactlyOnce(t, folderLake(t, root), good[:1])
}
