package exporter_test

import (
	"encoding/json"
	"log/slog"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/chatlake/chatlake/internal/config"
	"github.com/chatlake/chatlake/internal/gcstest"
	"github.com/chatlake/chatlake/internal/lockedbuf"
	"github.com/chatlake/chatlake/internal/pgtest"
	"github.com/chatlake/chatlake/internal/s3test"
	"github.com/chatlake/chatlake/internal/stack/lakestack"
	"github.com/chatlake/chatlake/lake/iceberg"
	"github.com/chatlake/chatlake/pipeline/exporter"
	"github.com/chatlake/chatlake/schemas"
)

// icebergLake is an Iceberg warehouse and catalog the exactly-once tests
// run against, configured as a user would.
type icebergLake struct {
	name string
	cfg  func(t *testing.T) *config.Config
}

var (
	sqliteFolder = icebergLake{"sqlite-folder", func(t *testing.T) *config.Config {
		return &config.Config{Exporter: config.Exporter{Format: config.FormatIceberg, Root: t.TempDir()}}
	}}
	sqliteS3   = icebergLake{"sqlite-s3", func(t *testing.T) *config.Config { return s3Iceberg(t, filepath.Join(t.TempDir(), "catalog.db")) }}
	postgresS3 = icebergLake{"postgres-s3", func(t *testing.T) *config.Config { return s3Iceberg(t, pgtest.Start(t).DSN) }}
	sqliteGCS  = icebergLake{"sqlite-gcs", func(t *testing.T) *config.Config {
		srv := gcstest.Start(t)
		return &config.Config{Exporter: config.Exporter{
			Format:  config.FormatIceberg,
			GCS:     config.LakeGCS{Endpoint: srv.Endpoint, Anonymous: true},
			Iceberg: config.Iceberg{URI: filepath.Join(t.TempDir(), "catalog.db"), Warehouse: "gs://" + srv.Bucket + "/warehouse"},
		}}
	}}
)

// s3Iceberg is a warehouse on a versitygw of its own, the catalog at uri.
func s3Iceberg(t *testing.T, uri string) *config.Config {
	srv := s3test.Start(t)
	return &config.Config{Exporter: config.Exporter{
		Format: config.FormatIceberg,
		S3: config.LakeS3{
			Endpoint: srv.Endpoint, Region: srv.Region, PathStyle: true,
			AccessKeyID: srv.AccessKey, SecretAccessKey: config.Secret(srv.SecretKey),
		},
		Iceberg: config.Iceberg{URI: uri, Warehouse: "s3://" + srv.Bucket + "/warehouse"},
	}}
}

// openIceberg opens the lake of cfg as the exporter command does.
func openIceberg(t testing.TB, cfg *config.Config) *lakestack.TableLake {
	t.Helper()
	store, err := lakestack.OpenLake(t.Context(), cfg)
	if err != nil {
		t.Fatalf("OpenLake: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	return store.(*lakestack.TableLake)
}

// tableConfig is cfg with the lake's table.
func tableConfig(cfg exporter.Config, tl *lakestack.TableLake) exporter.Config {
	cfg.Table = tl.Table
	return cfg
}

// checkTableExactlyOnce fails unless the table, read with iceberg-go's
// scanner, holds every event exactly once, and the published objects
// below data/ are exactly the table's data files: nothing visible there
// is outside the table.
func checkTableExactlyOnce(t *testing.T, tl *lakestack.TableLake, events []schemas.ConversationEvent) {
	t.Helper()
	rows, err := tl.Table.Rows(t.Context(), "event_id")
	if err != nil {
		t.Fatal(err)
	}
	got := make([]string, 0, len(rows))
	for _, r := range rows {
		got = append(got, r["event_id"].(string))
	}
	want := make([]string, 0, len(events))
	for i := range events {
		want = append(want, events[i].EventID)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("table holds %d rows, want the %d events exactly once", len(got), len(want))
	}
	checkExactlyOnce(t, tl.Storage, events) // the published files, and no temp file
	files, err := tl.Table.DataFiles(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var inTable []string
	for _, f := range files {
		inTable = append(inTable, "data/"+strings.TrimPrefix(f.Location, tl.Table.DataLocation("")))
	}
	published, err := tl.List(t.Context(), "data/")
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(inTable)
	if d := cmp.Diff(inTable, published); d != "" {
		t.Errorf("published data files differ from the table's (-table +published):\n%s", d)
	}
}

// TestExporterIcebergCrashAtEveryStepExactlyOnce crashes an exporter
// writing an Iceberg table at every crash point, on an SQLite catalog
// with a local warehouse, on PostgreSQL with a warehouse on S3, and on
// SQLite with a warehouse on GCS.
func TestExporterIcebergCrashAtEveryStepExactlyOnce(t *testing.T) {
	for _, l := range []icebergLake{sqliteFolder, postgresS3, sqliteGCS} {
		t.Run(l.name, func(t *testing.T) {
			if l.name == sqliteGCS.name {
				skipUnlessFull(t)
			}
			rounds := 2
			if testing.Short() || !fullTests() || l.name != sqliteFolder.name {
				rounds = 1 // object-storage and catalog round trips make each iteration slower
			}
			tl := openIceberg(t, l.cfg(t))
			crashAtEveryStepIn(t, tl, tl.Table, rounds, func(events []schemas.ConversationEvent) {
				checkTableExactlyOnce(t, tl, events)
			})
		})
	}
}

// TestExporterIcebergStopAnywhereExactlyOnce stops an exporter writing
// an Iceberg table (SQLite catalog, warehouse on S3) at random instants.
func TestExporterIcebergStopAnywhereExactlyOnce(t *testing.T) {
	tl := openIceberg(t, sqliteS3.cfg(t))
	stopAnywhereIn(t, tl, tl.Table, func(events []schemas.ConversationEvent) { checkTableExactlyOnce(t, tl, events) })
}

// TestExporterIcebergReadBack exports events into an Iceberg table and
// reads it back field by field twice: with iceberg-go's scanner, and
// independently by opening the current snapshot's data files with Arrow
// and parquet-go. It also checks where the files are: one partition each,
// in the table's partition folders.
func TestExporterIcebergReadBack(t *testing.T) {
	_, js := exporterStreams(t)
	tl := openIceberg(t, sqliteFolder.cfg(t))
	events := testEvents(400, time.Date(2026, 5, 5, 23, 59, 59, 999_900, time.UTC)) // across a UTC day
	last := publishTestEvents(t, js, events)
	r := startExporter(t, js, tl, tableConfig(exporterTestConfig(), tl))
	waitCommitted(t, js, last, 30*time.Second)
	if err := r.stop(t); err != nil {
		t.Fatalf("Run() = %v", err)
	}
	want := map[string]map[string]any{}
	for i := range events {
		row := schemas.RowFromEvent(&events[i])
		want[row.EventID] = rowMap(&row)
	}

	scanned, err := tl.Table.Rows(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(scanned) != len(events) {
		t.Fatalf("scanner read %d rows, want %d", len(scanned), len(events))
	}
	for _, got := range scanned {
		id := got["event_id"].(string)
		if d := cmp.Diff(want[id], scanValues(t, got, want[id])); d != "" {
			t.Fatalf("scanned row %s (-want +got):\n%s", id, d)
		}
	}

	files, err := tl.Table.DataFiles(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var n int
	for _, f := range files {
		u, err := url.Parse(f.Location)
		if err != nil || u.Scheme != "file" {
			t.Fatalf("data file %q: want a file:// location", f.Location)
		}
		byArrow, _ := readArrow(t, u.Path)
		for i, r := range readRows(t, u.Path) {
			w := want[r.EventID]
			if d := cmp.Diff(w, rowMap(&r)); d != "" {
				t.Fatalf("parquet-go row %s of %s (-want +got):\n%s", r.EventID, f.Location, d)
			}
			if d := cmp.Diff(w, byArrow[i]); d != "" {
				t.Fatalf("arrow row %s of %s (-want +got):\n%s", r.EventID, f.Location, d)
			}
			day := time.UnixMicro(r.FetchedAt).UTC()
			if dir := iceberg.PartitionDir(r.Provider, r.App, day); !strings.Contains(f.Location, "/data/"+dir+"/") {
				t.Fatalf("row %s (%s) is in %s, want the folder %s", r.EventID, day, f.Location, dir)
			}
			n++
		}
	}
	if n != len(events) {
		t.Errorf("data files hold %d rows, want %d", n, len(events))
	}
}

// scanValues turns a row of the scanner's JSON-ready values back into
// rowMap's types, guided by want: timestamps from RFC 3339 to
// microseconds, lists and maps from JSON.
func scanValues(t *testing.T, got, want map[string]any) map[string]any {
	out := make(map[string]any, len(got))
	for k, v := range got {
		switch v := v.(type) {
		case string:
			if _, ok := want[k].(int64); ok {
				ts, err := time.Parse(time.RFC3339Nano, v)
				if err != nil {
					t.Fatalf("column %s: %v", k, err)
				}
				out[k] = ts.UnixMicro()
				continue
			}
		case json.RawMessage:
			switch want[k].(type) {
			case map[string]string:
				var kvs []struct{ Key, Value string }
				if err := json.Unmarshal(v, &kvs); err != nil {
					t.Fatalf("column %s: %v", k, err)
				}
				m := map[string]string{}
				for _, kv := range kvs {
					m[kv.Key] = kv.Value
				}
				out[k] = m
			default:
				var l []int64
				if err := json.Unmarshal(v, &l); err != nil {
					t.Fatalf("column %s: %v", k, err)
				}
				out[k] = l
			}
			continue
		}
		out[k] = v
	}
	return out
}

// TestExporterIcebergCompactionUnderExport compacts the table again and
// again while an exporter appends to it: the exporter's appends meet
// conflicts, find their epoch not in and append again on the new state,
// and the table ends with every event exactly once.
func TestExporterIcebergCompactionUnderExport(t *testing.T) {
	_, js := exporterStreams(t)
	lc := sqliteFolder.cfg(t)
	tl := openIceberg(t, lc)
	compactor, err := lakestack.OpenTable(t.Context(), lc)
	if err != nil {
		t.Fatal(err)
	}
	defer compactor.Close()
	events := testEvents(3000, time.Date(2026, 5, 7, 0, 0, 0, 0, time.UTC))
	cfg := tableConfig(exporterTestConfig(), tl)
	cfg.MaxFileRows, cfg.BatchSize = 40, 20
	logs := &lockedbuf.Buffer{}
	e, err := exporter.New(js, tl, slog.New(slog.NewTextHandler(logs, nil)), cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := runExporter(t, e)
	var last uint64
	compactions := 0
	for i := range 10 {
		last = publishTestEvents(t, js, events[i*300:(i+1)*300])
		for range 3 {
			rep, err := compactor.Compact(t.Context(), iceberg.CompactOptions{MinInputFiles: 2, MaxAttempts: 20})
			if err != nil {
				t.Fatalf("Compact: %v", err)
			}
			if rep.SnapshotID != 0 {
				compactions++
			}
		}
	}
	waitCommitted(t, js, last, 30*time.Second)
	if err := r.stop(t); err != nil {
		t.Fatalf("Run() = %v, want nil", err)
	}
	if compactions == 0 || !strings.Contains(logs.String(), "exporter append conflict") {
		t.Errorf("%d compactions, conflicts logged: %v; want the exporter to meet some", compactions, strings.Contains(logs.String(), "exporter append conflict"))
	}
	rows, err := tl.Table.Rows(t.Context(), "event_id")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, row := range rows {
		seen[row["event_id"].(string)]++
	}
	for i := range events {
		if seen[events[i].EventID] != 1 {
			t.Fatalf("event %d is %d times in the table, want once", i, seen[events[i].EventID])
		}
	}
	if len(rows) != len(events) {
		t.Errorf("table holds %d rows, want %d", len(rows), len(events))
	}
}

// TestExporterIcebergRefusesATableAhead starts an exporter with a fresh
// commit record (a new NATS) on a table another record wrote: appending
// would double the events, so Run must refuse.
func TestExporterIcebergRefusesATableAhead(t *testing.T) {
	tl := openIceberg(t, sqliteFolder.cfg(t))
	_, js := exporterStreams(t)
	last := publishTestEvents(t, js, testEvents(50, time.Date(2026, 5, 8, 0, 0, 0, 0, time.UTC)))
	r := startExporter(t, js, tl, tableConfig(exporterTestConfig(), tl))
	waitCommitted(t, js, last, 30*time.Second)
	if err := r.stop(t); err != nil {
		t.Fatalf("Run() = %v", err)
	}
	_, js2 := exporterStreams(t)
	publishTestEvents(t, js2, testEvents(50, time.Date(2026, 5, 8, 0, 0, 0, 0, time.UTC)))
	err := startExporter(t, js2, tl, tableConfig(exporterTestConfig(), tl)).wait(t)
	if err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Fatalf("Run() on a table ahead of the record = %v, want a refusal", err)
	}
	if n, err := tl.Table.Count(t.Context()); err != nil || n != 50 {
		t.Errorf("table holds %d rows (%v), want the first 50 only", n, err)
	}
}
