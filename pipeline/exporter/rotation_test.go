package exporter_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/chatlake/chatlake/pipeline/exporter"
	"github.com/chatlake/chatlake/schemas"
)

// epochsBy returns how many epochs ended for reason.
func epochsBy(t testing.TB, reg *prometheus.Registry, reason string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "chatlake_exporter_epochs_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			if m.GetLabel()[0].GetValue() == reason {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// oneProvider returns n events of one provider, hence one partition.
func oneProvider(n int) []schemas.ConversationEvent {
	all := testEvents(2*n, time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC))
	out := make([]schemas.ConversationEvent, 0, n)
	for i := 0; i < len(all); i += 2 {
		out = append(out, all[i])
	}
	return out
}

func TestExporterRotation(t *testing.T) {
	hour := time.Hour
	for _, c := range []struct {
		name   string
		cfg    func(*exporter.Config)
		events []schemas.ConversationEvent
		// minFiles is how many files the trigger must have made before
		// shutdown.
		minFiles int
	}{
		{"rows", func(c *exporter.Config) { c.MaxFileRows, c.BatchSize = 10, 5 }, oneProvider(45), 4},
		{"bytes", func(c *exporter.Config) { c.MaxFileBytes, c.RowGroupRows, c.BatchSize = 20_000, 4, 4 }, oneProvider(80), 2},
		{"age", func(c *exporter.Config) { c.MaxFileAge = 200 * time.Millisecond }, oneProvider(1), 1},
		{"idle", func(c *exporter.Config) { c.IdleFlush = 150 * time.Millisecond }, oneProvider(1), 1},
		{"files", func(c *exporter.Config) { c.MaxOpenFiles = 1 }, testEvents(2, time.Now()), 2},
		{"pending", func(c *exporter.Config) { c.MaxEpochEvents, c.BatchSize = 7, 7 }, oneProvider(21), 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, js := exporterStreams(t)
			root := t.TempDir()
			cfg := exporter.Config{MaxFileAge: hour, IdleFlush: hour}
			c.cfg(&cfg)
			reg := prometheus.NewRegistry()
			cfg.Registerer = reg
			e, err := exporter.New(js, folderLake(t, root), exporterTestLogger(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			last := publishTestEvents(t, js, c.events)
			r := runExporter(t, e)
			deadline := time.Now().Add(20 * time.Second)
			for epochsBy(t, reg, c.name) == 0 || len(lakeFiles(t, root)) < c.minFiles {
				if time.Now().After(deadline) {
					t.Fatalf("no epoch ended by %s: %d files", c.name, len(lakeFiles(t, root)))
				}
				time.Sleep(10 * time.Millisecond) // poll interval
			}
			took := time.Since(start)
			if err := r.stop(t); err != nil {
				t.Fatalf("Run() = %v", err)
			}
			checkRotation(t, c.name, cfg, root, took)
			// What the trigger left unfetched or open is exported by the next run.
			r = startExporter(t, js, folderLake(t, root), exporterTestConfig())
			waitCommitted(t, js, last, 20*time.Second)
			if err := r.stop(t); err != nil {
				t.Fatalf("second Run() = %v", err)
			}
			checkExactlyOnce(t, folderLake(t, root), c.events)
		})
	}
}

// checkRotation checks what the trigger promises of the files it closed.
func checkRotation(t *testing.T, reason string, cfg exporter.Config, root string, took time.Duration) {
	t.Helper()
	files := lakeFiles(t, root)
	switch reason {
	case "rows":
		for _, p := range files[:len(files)-1] {
			if n := len(readRows(t, p)); n != int(cfg.MaxFileRows) {
				t.Errorf("file %s has %d rows, want %d", filepath.Base(p), n, cfg.MaxFileRows)
			}
		}
	case "bytes":
		for _, p := range files[:len(files)-1] {
			if st, _ := os.Stat(p); st.Size() < cfg.MaxFileBytes {
				t.Errorf("file %s has %d bytes, want at least %d", filepath.Base(p), st.Size(), cfg.MaxFileBytes)
			}
		}
	case "age", "idle":
		if min := min(cfg.MaxFileAge, cfg.IdleFlush); took < min {
			t.Errorf("%s flush after %v, want at least %v", reason, took, min)
		}
	}
}
