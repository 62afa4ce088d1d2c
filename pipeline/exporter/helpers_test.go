package exporter_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/lake"
	"github.com/chatlake/chatlake/lake/folder"
	"github.com/chatlake/chatlake/pipeline/exporter"
	"github.com/chatlake/chatlake/schemas"
)

// exporterTestConfig commits often so tests finish quickly.
func exporterTestConfig() exporter.Config {
	return exporter.Config{
		MaxFileAge: 300 * time.Millisecond,
		IdleFlush:  100 * time.Millisecond,
		BatchSize:  100,
		Lease:      time.Second,
	}
}

func exporterTestLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// runningExporter is an exporter running in the background.
type runningExporter struct {
	cancel context.CancelFunc
	done   chan error
}

// folderLake returns the folder lake at root.
func folderLake(t testing.TB, root string) *folder.Storage {
	t.Helper()
	s, err := folder.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// startExporter runs an exporter until stop or the end of the test.
func startExporter(t testing.TB, js jetstream.JetStream, store lake.Storage, cfg exporter.Config) *runningExporter {
	t.Helper()
	e, err := exporter.New(js, store, exporterTestLogger(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return runExporter(t, e)
}

func runExporter(t testing.TB, e *exporter.Exporter) *runningExporter {
	ctx, cancel := context.WithCancel(context.Background())
	r := &runningExporter{cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- e.Run(ctx) }()
	t.Cleanup(func() { r.stop(t) })
	return r
}

// stop cancels the exporter and returns Run's error.
func (r *runningExporter) stop(t testing.TB) error {
	t.Helper()
	r.cancel()
	select {
	case err, ok := <-r.done:
		if ok {
			close(r.done)
		}
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("exporter did not stop within 30s")
		return nil
	}
}

// wait returns Run's error once it returns by itself.
func (r *runningExporter) wait(t testing.TB) error {
	t.Helper()
	select {
	case err := <-r.done:
		close(r.done)
		r.done = make(chan error, 1)
		r.done <- err
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("exporter did not return within 30s")
		return nil
	}
}

// publishTestEvents stores events on their subjects, Nats-Msg-Id = event_id,
// and returns the last stream sequence.
func publishTestEvents(t testing.TB, js jetstream.JetStream, events []schemas.ConversationEvent) uint64 {
	t.Helper()
	var last uint64
	for i := range events {
		data, err := json.Marshal(&events[i])
		if err != nil {
			t.Fatal(err)
		}
		last = publishRaw(t, js, schemas.ConversationSubject(events[i].Provider, events[i].App), events[i].EventID, data)
	}
	return last
}

// publishRaw stores data and returns its stream sequence.
func publishRaw(t testing.TB, js jetstream.JetStream, subject, id string, data []byte) uint64 {
	t.Helper()
	m := nats.NewMsg(subject)
	m.Data = data
	if id != "" {
		m.Header.Set(nats.MsgIdHdr, id)
	}
	ack, err := js.PublishMsg(context.Background(), m)
	if err != nil {
		t.Fatalf("publish: %v", err)
	}
	return ack.Sequence
}

// commitRecord reads the exporter's commit record; zero if none.
func commitRecord(t testing.TB, js jetstream.JetStream) schemas.ExportCommit {
	t.Helper()
	rec, err := exporter.ReadCommit(context.Background(), js)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// waitCommitted polls until the commit record reaches seq.
func waitCommitted(t testing.TB, js jetstream.JetStream, seq uint64, within time.Duration) schemas.ExportCommit {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		rec := commitRecord(t, js)
		if rec.LastSeq >= seq {
			return rec
		}
		if time.Now().After(deadline) {
			t.Fatalf("commit record at stream_seq %d after %v, want %d", rec.LastSeq, within, seq)
		}
		time.Sleep(20 * time.Millisecond) // poll interval, not synchronization
	}
}

type jetstreamJS = jetstream.JetStream

// openParquet opens p for parquet.OpenFile, closed at cleanup.
func openParquet(t testing.TB, p string) (*os.File, int64) {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	return f, st.Size()
}

// waitFor polls cond every 10ms until it holds or timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond) // poll interval, not synchronization
	}
}

// fullTests reports whether CHATLAKE_TEST_FULL is set: the crash tests
// then run more rounds, and also on GCS and Azure (whose drivers' own
// conformance and crash tests always run, in lake/gcs and lake/azure).
// Without it they fit CI's time budget.
func fullTests() bool { return os.Getenv("CHATLAKE_TEST_FULL") != "" }

// skipUnlessFull skips t unless fullTests.
func skipUnlessFull(t *testing.T) {
	t.Helper()
	if !fullTests() {
		t.Skip("part of the extended matrix: set CHATLAKE_TEST_FULL=1")
	}
}
