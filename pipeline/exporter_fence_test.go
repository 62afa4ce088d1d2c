package pipeline_test

import (
	"errors"
	"testing"
	"time"

	"github.com/chatlake/chatlake/pipeline"
)

// TestExporterSecondExporterFencesFirst starts a second exporter on the
// same stream and folder while the first runs: the first must stop without
// publishing anything, and the lake still holds every event exactly once.
func TestExporterSecondExporterFencesFirst(t *testing.T) {
	_, js := exporterStreams(t)
	root := t.TempDir()
	events := testEvents(400, time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC))
	cfg := exporterTestConfig(root)
	cfg.MaxFileRows = 20

	first := startExporter(t, js, cfg)
	waitCommitted(t, js, publishTestEvents(t, js, events[:100]), 20*time.Second)
	second := startExporter(t, js, cfg)
	last := publishTestEvents(t, js, events[100:])

	if err := first.wait(t); err == nil {
		t.Fatal("first exporter's Run() = nil after a second took over, want an error")
	} else {
		t.Logf("first exporter stopped: %v", err)
	}
	// The second may stop on a gap the first left; a restart resumes it.
	for rec := commitRecord(t, js); rec.LastSeq < last; rec = commitRecord(t, js) {
		if err := second.waitOrStop(t, 2*time.Second); err != nil {
			if !errors.Is(err, pipeline.ErrGap) {
				t.Fatalf("second exporter's Run() = %v, want nil or ErrGap", err)
			}
			t.Logf("second exporter restarts after: %v", err)
		}
		second = startExporter(t, js, cfg)
	}
	if err := second.stop(t); err != nil {
		t.Fatalf("second exporter's Run() = %v", err)
	}
	checkExactlyOnce(t, root, events)
}

// TestExporterTakenOverMidCommitPublishesNothing holds the first exporter
// just before its commit while a second one takes over: the first must
// stop and publish nothing (it sees its consumer replaced, or its
// compare-and-set fails).
func TestExporterTakenOverMidCommitPublishesNothing(t *testing.T) {
	_, js := exporterStreams(t)
	root := t.TempDir()
	events := testEvents(120, time.Date(2026, 9, 2, 0, 0, 0, 0, time.UTC))
	last := publishTestEvents(t, js, events)
	cfg := exporterTestConfig(root)

	held, release := make(chan struct{}), make(chan struct{})
	first, err := pipeline.NewExporter(js, exporterTestLogger(), nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	pipeline.SetExporterCrashHook(first, func(point string) error {
		if point == "before-commit" {
			close(held)
			<-release
		}
		return nil
	})
	r1 := runExporter(t, first)
	<-held
	owner := commitRecord(t, js).Owner
	r2 := startExporter(t, js, cfg)
	for deadline := time.Now().Add(20 * time.Second); commitRecord(t, js).Owner == owner; {
		if time.Now().After(deadline) {
			t.Fatal("second exporter did not claim the commit record")
		}
		time.Sleep(10 * time.Millisecond) // poll interval
	}
	close(release)
	if err := r1.wait(t); err == nil {
		t.Fatal("first exporter's Run() = nil after a takeover, want an error")
	}
	waitCommitted(t, js, last, 20*time.Second)
	if err := r2.stop(t); err != nil {
		t.Fatalf("second exporter's Run() = %v", err)
	}
	checkExactlyOnce(t, root, events)
}
