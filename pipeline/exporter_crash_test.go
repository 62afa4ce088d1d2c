package pipeline_test

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/schemas"
)

var errInjected = errors.New("injected crash")

// checkExactlyOnce fails unless the visible files hold every event exactly
// once and nothing else, and no temp file is left.
func checkExactlyOnce(t *testing.T, root string, events []schemas.ConversationEvent) {
	t.Helper()
	seen := map[string]int{}
	for _, r := range readLakeRows(t, root) {
		seen[r.EventID]++
	}
	missing, doubled := 0, 0
	for i := range events {
		switch seen[events[i].EventID] {
		case 0:
			missing++
		case 1:
		default:
			doubled++
		}
		delete(seen, events[i].EventID)
	}
	if missing+doubled+len(seen) > 0 {
		t.Errorf("lake holds %d events missing, %d doubled, %d unknown of %d; want each exactly once",
			missing, doubled, len(seen), len(events))
	}
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".tmp") {
			t.Errorf("temp file left: %s", p)
		}
		return nil
	})
}

// waitOrStop returns Run's error if it returns within d, else stops it.
func (r *runningExporter) waitOrStop(t testing.TB, d time.Duration) error {
	t.Helper()
	select {
	case err := <-r.done:
		close(r.done)
		return err
	case <-time.After(d):
		return r.stop(t)
	}
}

func TestExporterCrashAtEveryStepExactlyOnce(t *testing.T) {
	_, js := exporterStreams(t)
	root := t.TempDir()
	iterations, perIter := 48, 100
	if testing.Short() {
		iterations = 16
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	events := testEvents(iterations*perIter, time.Date(2026, 5, 5, 12, 0, 0, 0, time.UTC))
	cfg := exporterTestConfig(root)
	cfg.MaxFileRows, cfg.BatchSize = 23, 16
	points := pipeline.ExporterCrashPoints
	var last uint64
	for i := range iterations {
		last = publishTestEvents(t, js, events[i*perIter:(i+1)*perIter])
		point, k := points[i%len(points)], 1+rng.IntN(3)
		e, err := pipeline.NewExporter(js, exporterTestLogger(), nil, cfg)
		if err != nil {
			t.Fatal(err)
		}
		pipeline.SetExporterCrashHook(e, func(p string) error {
			if p == point {
				if k--; k == 0 {
					return errInjected
				}
			}
			return nil
		})
		start := time.Now()
		err = runExporter(t, e).waitOrStop(t, 1500*time.Millisecond)
		t.Logf("iteration %d %s/%d: %v in %v", i, point, k, err, time.Since(start))
		if err != nil && !errors.Is(err, errInjected) {
			t.Fatalf("iteration %d: Run() = %v, want the injected crash or nil", i, err)
		}
	}
	r := startExporter(t, js, cfg)
	waitCommitted(t, js, last, 30*time.Second)
	if err := r.stop(t); err != nil {
		t.Fatalf("final Run() = %v, want nil", err)
	}
	checkExactlyOnce(t, root, events)
}

// TestExporterStopAnywhereExactlyOnce stops the exporter (as SIGTERM does)
// at random instants while batches are in flight: every stop must commit
// cleanly, and restarts must neither lose nor double an event.
func TestExporterStopAnywhereExactlyOnce(t *testing.T) {
	_, js := exporterStreams(t)
	root := t.TempDir()
	events := testEvents(3000, time.Date(2026, 5, 6, 0, 0, 0, 0, time.UTC))
	last := publishTestEvents(t, js, events)
	cfg := exporterTestConfig(root)
	cfg.MaxFileRows, cfg.BatchSize, cfg.RowGroupRows = 200, 7, 50
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 3))
	stops := 16
	if testing.Short() {
		stops = 6
	}
	for i := range stops {
		r := startExporter(t, js, cfg)
		time.Sleep(time.Duration(5+rng.IntN(40)) * time.Millisecond) // a random instant to stop at
		if err := r.stop(t); err != nil {
			t.Fatalf("stop %d: Run() = %v, want nil", i, err)
		}
	}
	r := startExporter(t, js, cfg)
	waitCommitted(t, js, last, 30*time.Second)
	if err := r.stop(t); err != nil {
		t.Fatalf("final Run() = %v", err)
	}
	checkExactlyOnce(t, root, events)
}
