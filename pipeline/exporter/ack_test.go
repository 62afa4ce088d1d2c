package exporter_test

import (
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/internal/natstest"
	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/pipeline/exporter"
	"github.com/chatlake/chatlake/schemas"
)

// TestExporterAcksAsWrittenUnderLimits: under limits retention the
// consumer's pending set does not grow with the epoch: events are
// acknowledged as they are written, long before the epoch is committed.
func TestExporterAcksAsWrittenUnderLimits(t *testing.T) {
	_, js := exporterStreams(t)
	last := publishTestEvents(t, js, testEvents(500, time.Date(2026, 5, 7, 0, 0, 0, 0, time.UTC)))
	cfg := exporterTestConfig()
	cfg.MaxFileAge, cfg.IdleFlush = time.Hour, time.Hour // no commit but at shutdown
	startExporter(t, js, folderLake(t, t.TempDir()), cfg)
	waitFor(t, 30*time.Second, "every event acknowledged", func() bool {
		return ackFloor(t, js) == last
	})
	if rec := commitRecord(t, js); rec.LastSeq != 0 {
		t.Errorf("commit record at stream_seq %d, want no commit yet", rec.LastSeq)
	}
}

// TestExporterAcksAfterCommitUnderInterest: under interest retention an
// ack deletes the event, so nothing is acknowledged before its commit.
func TestExporterAcksAfterCommitUnderInterest(t *testing.T) {
	srv := natstest.Start(t)
	_, js := srv.Connect(t)
	for _, sc := range (pipeline.StreamsConfig{}).StreamConfigs() {
		if sc.Name == schemas.StreamConversations {
			sc.Retention = jetstream.InterestPolicy
		}
		if _, err := js.CreateStream(t.Context(), sc); err != nil {
			t.Fatal(err)
		}
	}
	e, err := exporter.New(js, folderLake(t, t.TempDir()), exporterTestLogger(), exporterTestConfig())
	if err != nil {
		t.Fatal(err)
	}
	floors := make(chan uint64, 1)
	exporter.SetCrashHook(e, func(p exporter.CrashPoint) error {
		if p == exporter.CrashPoint("before-commit") {
			select {
			case floors <- ackFloor(t, js):
			default:
			}
		}
		return nil
	})
	runExporter(t, e)
	// An event no consumer is interested in is not stored: publish once the
	// exporter's consumer exists.
	waitFor(t, 30*time.Second, "the exporter's consumer", func() bool {
		_, err := js.Consumer(t.Context(), schemas.StreamConversations, schemas.ConsumerExporter)
		return err == nil
	})
	last := publishTestEvents(t, js, testEvents(500, time.Date(2026, 5, 7, 0, 0, 0, 0, time.UTC)))
	select {
	case f := <-floors:
		if f != 0 {
			t.Errorf("consumer acknowledged stream_seq %d before the first commit, want 0", f)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no epoch ended within 30s")
	}
	waitCommitted(t, js, last, 30*time.Second)
	waitFor(t, 30*time.Second, "the committed events acknowledged", func() bool { return ackFloor(t, js) == last })
}

// ackFloor is the stream sequence the exporter's consumer has acknowledged
// up to; 0 while it does not exist.
func ackFloor(t testing.TB, js jetstream.JetStream) uint64 {
	t.Helper()
	c, err := js.Consumer(t.Context(), schemas.StreamConversations, schemas.ConsumerExporter)
	if err != nil {
		return 0
	}
	ci, err := c.Info(t.Context())
	if err != nil {
		return 0
	}
	return ci.AckFloor.Stream
}
