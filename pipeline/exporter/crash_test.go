package exporter_test

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatlake/chatlake/internal/azuritetest"
	"github.com/chatlake/chatlake/internal/gcstest"
	"github.com/chatlake/chatlake/internal/s3test"
	"github.com/chatlake/chatlake/internal/secret"
	"github.com/chatlake/chatlake/lake"
	"github.com/chatlake/chatlake/lake/azure"
	"github.com/chatlake/chatlake/lake/folder"
	"github.com/chatlake/chatlake/lake/gcs"
	"github.com/chatlake/chatlake/lake/s3"
	"github.com/chatlake/chatlake/pipeline/exporter"
	"github.com/chatlake/chatlake/schemas"
)

var errInjected = errors.New("injected crash")

// testLake is a lake driver the exactly-once tests run against.
type testLake struct {
	name string
	open func(t *testing.T) lake.Storage
	// extra marks the drivers whose Publish is tested by crashes at every
	// step only, and once per step, to keep CI short; S3 runs everything.
	extra bool
}

// testLakes are every driver: a local folder, S3 on a real versitygw, GCS
// on fake-gcs-server and Azure on Azurite.
var testLakes = []testLake{
	{"folder", func(t *testing.T) lake.Storage { return folderLake(t, t.TempDir()) }, false},
	{"s3", s3Lake, false},
	{"gcs", gcsLake, true},
	{"azure", azureLake, true},
}

// gcsLake returns a lake on a fake-gcs-server of its own, with the
// smallest chunks.
func gcsLake(t *testing.T) lake.Storage {
	t.Helper()
	srv := gcstest.Start(t)
	s, err := gcs.Open(t.Context(), gcs.Config{
		Bucket: srv.Bucket, Prefix: "lake/", Endpoint: srv.Endpoint, Anonymous: true, PartSize: gcs.PartQuantum,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// azureLake returns a lake on an Azurite of its own, with the smallest
// blocks.
func azureLake(t *testing.T) lake.Storage {
	t.Helper()
	srv := azuritetest.Start(t)
	s, err := azure.Open(t.Context(), azure.Config{
		Account: srv.Account, Container: srv.Container, Prefix: "lake/", Endpoint: srv.Endpoint,
		AccountKey: secret.String(srv.AccountKey), PartSize: azure.MinPartSize,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// s3Lake returns a lake on a versitygw of its own, with the smallest parts.
func s3Lake(t *testing.T) lake.Storage {
	t.Helper()
	srv := s3test.Start(t)
	s, err := s3.Open(t.Context(), s3.Config{
		Bucket: srv.Bucket, Prefix: "lake/", Endpoint: srv.Endpoint, Region: srv.Region, PathStyle: true,
		AccessKeyID: srv.AccessKey, SecretAccessKey: secret.String(srv.SecretKey), PartSize: s3.MinPartSize,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// checkExactlyOnce fails unless the published files hold every event
// exactly once and nothing else, and, in a folder, no temp file is left.
func checkExactlyOnce(t *testing.T, store lake.Storage, events []schemas.ConversationEvent) {
	t.Helper()
	seen := map[string]int{}
	for _, r := range readStoreRows(t, store) {
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
	if f, ok := store.(*folder.Storage); ok {
		filepath.WalkDir(f.Root(), func(p string, d os.DirEntry, err error) error {
			if err == nil && strings.HasSuffix(p, ".tmp") {
				t.Errorf("temp file left: %s", p)
			}
			return nil
		})
	}
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

// TestExporterCrashAtEveryStepExactlyOnce crashes the exporter at every
// crash point in turn, the k-th time it is reached, on every driver, and
// fails unless each point did crash it at least once and the lake still
// holds every event exactly once.
func TestExporterCrashAtEveryStepExactlyOnce(t *testing.T) {
	for _, l := range testLakes {
		t.Run(l.name, func(t *testing.T) {
			// Object-storage round trips make each iteration slower.
			rounds := 2
			switch {
			case l.extra:
				skipUnlessFull(t)
				rounds = 1
			case l.name != "folder" || testing.Short():
				rounds = 1
			}
			if fullTests() && !l.extra {
				rounds *= 2
			}
			store := l.open(t)
			crashAtEveryStepIn(t, store, nil, rounds, func(events []schemas.ConversationEvent) {
				checkExactlyOnce(t, store, events)
			})
		})
	}
}

// crashAtEveryStepIn runs the crashes on store, appending to table if not
// nil (then store is at the table's location), and calls check with the
// events once a last run has committed them all.
func crashAtEveryStepIn(t *testing.T, store lake.Storage, table exporter.Table, rounds int, check func([]schemas.ConversationEvent)) {
	_, js := exporterStreams(t)
	points := exporter.CrashPoints
	if table == nil {
		points = slices.DeleteFunc(slices.Clone(points), func(p exporter.CrashPoint) bool {
			return slices.Contains(exporter.TablePoints, p)
		})
	}
	// A point a loaded machine did not reach before the stop gets up to
	// retries more iterations of its own.
	const retries = 3
	iterations, perIter := rounds*len(points), 100
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	events := testEvents((iterations+retries*len(points))*perIter, time.Date(2026, 5, 5, 12, 0, 0, 0, time.UTC))
	cfg := exporterTestConfig()
	cfg.MaxFileRows, cfg.BatchSize, cfg.Table = 23, 16, table
	fired := map[exporter.CrashPoint]bool{}
	var last uint64
	done := 0 // iterations run, each with its own perIter events
	iteration := func(point exporter.CrashPoint, k int) {
		last = publishTestEvents(t, js, events[done*perIter:(done+1)*perIter])
		e, err := exporter.New(js, store, exporterTestLogger(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex // the lease renewal calls the hook concurrently
		exporter.SetCrashHook(e, func(p exporter.CrashPoint) error {
			mu.Lock()
			defer mu.Unlock()
			if p == point {
				if k--; k == 0 {
					fired[p] = true
					return errInjected
				}
			}
			return nil
		})
		start := time.Now()
		err = runExporter(t, e).waitOrStop(t, 1500*time.Millisecond)
		t.Logf("iteration %d %s: %v in %v", done, point, err, time.Since(start))
		if err != nil && !errors.Is(err, errInjected) {
			t.Fatalf("iteration %d: Run() = %v, want the injected crash or nil", done, err)
		}
		done++
	}
	for i := range iterations {
		point, k := points[i%len(points)], 1+rng.IntN(3)
		if i < len(points) {
			k = 1 // the first round crashes at the first time each point is reached
		}
		iteration(point, k)
	}
	for _, p := range points {
		for try := 0; !fired[p] && try < retries; try++ {
			iteration(p, 1)
		}
		if !fired[p] {
			t.Errorf("crash point %s never fired", p)
		}
	}
	events = events[:done*perIter]
	r := startExporter(t, js, store, cfg)
	waitCommitted(t, js, last, 2*time.Minute)
	if err := r.stop(t); err != nil {
		t.Fatalf("final Run() = %v, want nil", err)
	}
	check(events)
}

// TestExporterStopAnywhereExactlyOnce stops the exporter (as SIGTERM does)
// at random instants while batches are in flight, on every driver: every
// stop must commit cleanly, and restarts must neither lose nor double an
// event.
func TestExporterStopAnywhereExactlyOnce(t *testing.T) {
	for _, l := range testLakes {
		if l.extra {
			continue
		}
		t.Run(l.name, func(t *testing.T) {
			store := l.open(t)
			stopAnywhereIn(t, store, nil, func(events []schemas.ConversationEvent) { checkExactlyOnce(t, store, events) })
		})
	}
}

// stopAnywhereIn runs the stops on store, appending to table if not nil,
// and calls check with the events once a last run has committed them all.
func stopAnywhereIn(t *testing.T, store lake.Storage, table exporter.Table, check func([]schemas.ConversationEvent)) {
	_, js := exporterStreams(t)
	events := testEvents(3000, time.Date(2026, 5, 6, 0, 0, 0, 0, time.UTC))
	last := publishTestEvents(t, js, events)
	cfg := exporterTestConfig()
	cfg.MaxFileRows, cfg.BatchSize, cfg.RowGroupRows, cfg.Table = 200, 7, 50, table
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 3))
	stops := 8
	switch {
	case fullTests():
		stops = 16
	case testing.Short():
		stops = 6
	}
	for i := range stops {
		r := startExporter(t, js, store, cfg)
		time.Sleep(time.Duration(5+rng.IntN(40)) * time.Millisecond) // a random instant to stop at
		if err := r.stop(t); err != nil {
			t.Fatalf("stop %d: Run() = %v, want nil", i, err)
		}
	}
	r := startExporter(t, js, store, cfg)
	waitCommitted(t, js, last, 2*time.Minute)
	if err := r.stop(t); err != nil {
		t.Fatalf("final Run() = %v", err)
	}
	check(events)
}
