package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chatlake/chatlake/internal/config"
	"github.com/chatlake/chatlake/internal/stack/lakestack"

	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/providers/volcengine/volcsim"
	"github.com/chatlake/chatlake/providers/yunxin/yunxinsim"
)

// demoRows runs the demo and returns its summary's row count, checking
// that every job is done and nothing was dead-lettered.
func demoRows(t *testing.T, dir string, args ...string) int {
	t.Helper()
	rows, _ := demoOutput(t, dir, args...)
	return rows
}

// demoOutput is demoRows that also returns the demo's standard output.
func demoOutput(t *testing.T, dir string, args ...string) (int, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	sio := &stdio{getenv: func(string) string { return "" }, stdin: bytes.NewReader(nil), stdout: &out, stderr: &errOut}
	if err := run(t.Context(), append([]string{"demo", "--dir", dir}, args...), sio); err != nil {
		t.Fatalf("demo: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
	}
	s := out.String()
	for _, want := range []string{`failed 0\n`, `dead letters   0\n`, `duckdb -c`, `run +demo complete: completion event on chatlake.runs.demo`} {
		if !regexp.MustCompile(want).MatchString(s) {
			t.Errorf("demo output lacks %q:\n%s", want, s)
		}
	}
	m := regexp.MustCompile(`lake +(\d+) rows in (\d+) Parquet files`).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("demo output has no lake line:\n%s", s)
	}
	rows, _ := strconv.Atoi(m[1])
	return rows, s
}

// expectedRows is how many conversations the simulators serve the demo's
// first n users.
func expectedRows(n int, seed uint64) int {
	ds := simulator.Dataset{Seed: seed}
	total := 0
	for _, u := range demoUsers(n) {
		total += len(volcsim.Expected(ds, volcsim.TestAppID, u, 0)) + len(yunxinsim.Expected(ds, yunxinsim.TestAppKey, u))
	}
	return total
}

func TestDemoExportsEveryConversationOnce(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	got := demoRows(t, dir, "--users", "25", "--seed", "7")
	if want := expectedRows(25, 7); got != want {
		t.Errorf("demo lake rows = %d, want %d (the simulators' data set)", got, want)
	}
	// A second demo in the same folder starts afresh instead of adding to it.
	if got := demoRows(t, dir, "--users", "3", "--seed", "7"); got != expectedRows(3, 7) {
		t.Errorf("second demo lake rows = %d, want %d", got, expectedRows(3, 7))
	}
}

func TestDemoRefusesAForeignFolder(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "precious.txt"), []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	sio := &stdio{getenv: func(string) string { return "" }, stdin: bytes.NewReader(nil), stdout: &out, stderr: &errOut}
	if err := run(t.Context(), []string{"demo", "--dir", dir, "--users", "1"}, sio); err == nil {
		t.Fatal("demo in a foreign non-empty folder succeeded, want an error")
	}
	if _, err := os.Stat(filepath.Join(dir, "precious.txt")); err != nil {
		t.Errorf("the foreign folder's file is gone: %v", err)
	}
}

// TestDemoWritesAnIcebergTable runs the demo with --format iceberg and
// checks the table, read with iceberg-go's scanner, against the simulators'
// data set, and that the queries printed name files that exist.
func TestDemoWritesAnIcebergTable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	got, out := demoOutput(t, dir, "--users", "12", "--seed", "7", "--format", "iceberg")
	want := expectedRows(12, 7)
	if got != want {
		t.Errorf("demo summary: %d rows, want %d", got, want)
	}
	for _, s := range []string{"Iceberg table chatlake.conversations", "iceberg_scan('", "read_parquet('",
		"spark.sql.catalog.chatlake=org.apache.iceberg.spark.SparkCatalog", "spark.sql.catalog.chatlake.type=jdbc",
		"spark.sql.catalog.chatlake.uri=jdbc:sqlite:", "iceberg.catalog.type=jdbc", "iceberg.jdbc-catalog.connection-url=jdbc:sqlite:"} {
		if !strings.Contains(out, s) {
			t.Errorf("demo output lacks %q:\n%s", s, out)
		}
	}
	meta := regexp.MustCompile(`iceberg_scan\('([^']+)'\)`).FindStringSubmatch(out)
	if meta == nil || !strings.HasSuffix(meta[1], ".metadata.json") {
		t.Fatalf("no metadata file in the iceberg_scan query:\n%s", out)
	}
	if _, err := os.Stat(meta[1]); err != nil {
		t.Errorf("the metadata file the summary names: %v", err)
	}
	var cfg config.Config
	cfg.Exporter.Root, cfg.Exporter.Format = filepath.Join(dir, "lake"), config.FormatIceberg
	cfg.Exporter.Iceberg.URI = filepath.Join(dir, "lake", "catalog.db")
	tbl, err := lakestack.OpenTable(t.Context(), &cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Close()
	rows, err := tbl.Rows(t.Context(), "event_id")
	if err != nil {
		t.Fatal(err)
	}
	ids := map[any]bool{}
	for _, r := range rows {
		ids[r["event_id"]] = true
	}
	if len(rows) != want || len(ids) != want {
		t.Errorf("table: %d rows, %d distinct event IDs; want %d of each", len(rows), len(ids), want)
	}
	if got := tbl.MetadataLocation(); !strings.HasSuffix(got, meta[1]) {
		t.Errorf("table's metadata %s, summary names %s", got, meta[1])
	}
}
