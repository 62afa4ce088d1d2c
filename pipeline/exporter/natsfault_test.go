package exporter_test

import (
	"testing"
	"time"

	"github.com/chatlake/chatlake/internal/natstest"
	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/schemas"
)

// TestExporterResumesWhenConsumerLost: the exporter's consumer vanishes
// under it (deleted here; in a cluster, lost with its leader's node). The
// exporter does not stop: it resumes from its last commit on a new
// consumer, and every event is in exactly one visible file.
func TestExporterResumesWhenConsumerLost(t *testing.T) {
	_, js := natstest.Start(t).Connect(t)
	if err := pipeline.EnsureStreams(t.Context(), js, pipeline.StreamsConfig{}); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	events := testEvents(600, time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
	r := startExporter(t, js, folderLake(t, root), exporterTestConfig())
	waitCommitted(t, js, publishTestEvents(t, js, events[:300]), 20*time.Second)

	if err := js.DeleteConsumer(t.Context(), schemas.StreamConversations, schemas.ConsumerExporter); err != nil {
		t.Fatal(err)
	}
	last := publishTestEvents(t, js, events[300:])
	deadline := time.Now().Add(20 * time.Second)
	for commitRecord(t, js).LastSeq < last {
		select {
		case err := <-r.done:
			r.done <- err // for the cleanup's stop
			t.Fatalf("Run() = %v after its consumer was lost, want it to carry on", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("commit record at stream_seq %d after 20s, want %d", commitRecord(t, js).LastSeq, last)
		}
		time.Sleep(20 * time.Millisecond) // poll interval, not synchronization
	}
	if err := r.stop(t); err != nil {
		t.Fatalf("Run() = %v, want nil", err)
	}
	seen := map[string]int{}
	for _, row := range readLakeRows(t, root) {
		seen[row.EventID]++
	}
	for _, ev := range events {
		if seen[ev.EventID] != 1 {
			t.Errorf("event %s in %d rows, want 1", ev.EventID, seen[ev.EventID])
		}
	}
	if len(seen) != len(events) {
		t.Errorf("%d distinct events in the lake, want %d", len(seen), len(events))
	}
}
