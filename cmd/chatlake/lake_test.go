package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/parquet-go/parquet-go"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/chatlake/chatlake/internal/config"
	"github.com/chatlake/chatlake/internal/lockedbuf"
	"github.com/chatlake/chatlake/internal/natstest"
	"github.com/chatlake/chatlake/internal/stack/lakestack"
	"github.com/chatlake/chatlake/lake/iceberg"
	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/schemas"
)

// icebergLake is an Iceberg lake in a temp folder (SQLite catalog, local
// warehouse) and the config file that names it.
type icebergLake struct {
	cfg     config.Config
	cfgFile string
	tbl     *iceberg.Table
}

func newIcebergLake(t *testing.T) *icebergLake {
	t.Helper()
	dir := t.TempDir()
	l := &icebergLake{cfgFile: filepath.Join(dir, "chatlake.yaml")}
	l.cfg.Exporter.Root = filepath.Join(dir, "lake")
	l.cfg.Exporter.Format = config.FormatIceberg
	if err := os.MkdirAll(l.cfg.Exporter.Root, 0o755); err != nil {
		t.Fatal(err)
	}
	yaml := fmt.Sprintf("exporter:\n  root: %s\n  format: iceberg\n", l.cfg.Exporter.Root)
	if err := os.WriteFile(l.cfgFile, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	tbl, err := lakestack.OpenTable(t.Context(), &l.cfg)
	if err != nil {
		t.Fatalf("OpenTable: %v", err)
	}
	t.Cleanup(func() { tbl.Close() })
	l.tbl = tbl
	return l
}

var lakeDay = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)

// appendFile commits n rows of provider/app on lakeDay as one data file in
// one snapshot, as an exporter's epoch does.
func (l *icebergLake) appendFile(t *testing.T, provider, app string, n int, prefix string) {
	t.Helper()
	rows := make([]schemas.ConversationRow, n)
	for i := range rows {
		rows[i] = schemas.ConversationRow{
			EventID: fmt.Sprintf("%s-%d", prefix, i), SchemaVersion: 1, JobID: "job", UserID: "u",
			FetchedAt: lakeDay.Add(time.Duration(i) * time.Second).UnixMicro(),
			Provider:  provider, App: app, ConversationID: fmt.Sprint(i), Type: 1, Raw: `{"x":1}`,
		}
	}
	loc := l.tbl.DataLocation(iceberg.PartitionDir(provider, app, lakeDay) + "/" + prefix + ".parquet")
	w, err := l.tbl.Create(t.Context(), loc)
	if err != nil {
		t.Fatal(err)
	}
	pw := parquet.NewGenericWriter[schemas.ConversationRow](w, schemas.ParquetSchema())
	if _, err := pw.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := pw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.tbl.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := l.tbl.Append(t.Context(), []string{loc}, map[string]string{"chatlake.epoch": prefix}); err != nil {
		t.Fatalf("Append: %v", err)
	}
}

// state is what the table holds: its sorted event IDs and data files.
func (l *icebergLake) state(t *testing.T) (ids []string, files int) {
	t.Helper()
	rows, err := l.tbl.Rows(t.Context(), "event_id")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		ids = append(ids, r["event_id"].(string))
	}
	slices.Sort(ids)
	df, err := l.tbl.DataFiles(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return ids, len(df)
}

// lakeRun runs chatlake lake with args and the lake's config file.
func (l *icebergLake) run(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	args = append(append([]string{"lake"}, args...), "--config", l.cfgFile)
	err = run(t.Context(), args, &stdio{getenv: func(string) string { return "" }, stdin: strings.NewReader(""), stdout: &out, stderr: &errOut})
	return out.String(), errOut.String(), err
}

func TestLakeCompactMergesFilesKeepingRows(t *testing.T) {
	l := newIcebergLake(t)
	for i := range 4 {
		l.appendFile(t, "volcengine", "123456", 5, fmt.Sprintf("v%d", i))
	}
	l.appendFile(t, "yunxin", "k1", 3, "y0")
	l.appendFile(t, "yunxin", "k1", 3, "y1")
	ids, files := l.state(t)
	if len(ids) != 26 || files != 6 {
		t.Fatalf("before: %d rows in %d files, want 26 in 6", len(ids), files)
	}

	out, errOut, err := l.run(t, "compact", "--dry-run")
	if err != nil || !strings.Contains(out, "dry run: would compact 2 groups of small files: files 6 -> 2") || !strings.Contains(errOut, "compact: planned 6 files") {
		t.Errorf("compact --dry-run = %v\nstdout: %s\nstderr: %s", err, out, errOut)
	}
	if got, n := l.state(t); !slices.Equal(got, ids) || n != files {
		t.Errorf("after a dry run: %d rows in %d files, want the table unchanged (%d in %d)", len(got), n, len(ids), files)
	}

	out, errOut, err = l.run(t, "compact", "--partition", "volcengine/123456/2026-11-30")
	if err != nil || !strings.Contains(out, "files 4 -> 1") {
		t.Errorf("compact --partition = %v\nstdout: %s\nstderr: %s", err, out, errOut)
	}
	if got, n := l.state(t); !slices.Equal(got, ids) || n != 3 {
		t.Errorf("after compacting one partition: %d rows in %d files, want the same %d rows in 3", len(got), n, len(ids))
	}

	out, errOut, err = l.run(t, "compact")
	if err != nil || !strings.Contains(out, "files 3 -> 2") || !strings.Contains(errOut, "compact: committed") {
		t.Errorf("compact = %v\nstdout: %s\nstderr: %s", err, out, errOut)
	}
	if got, n := l.state(t); !slices.Equal(got, ids) || n != 2 {
		t.Errorf("after compact: %d rows in %d files, want the same %d rows in 2", len(got), n, len(ids))
	}
	if out, _, err := l.run(t, "compact"); err != nil || !strings.Contains(out, "nothing to compact: 2 files") {
		t.Errorf("compact of a compacted table = %q, %v; want nothing to compact", out, err)
	}
}

func TestLakeExpireRemovesOldSnapshots(t *testing.T) {
	l := newIcebergLake(t)
	for i := range 3 {
		l.appendFile(t, "yunxin", "k1", 2, fmt.Sprintf("y%d", i))
	}
	if _, _, err := l.run(t, "compact"); err != nil {
		t.Fatal(err)
	}
	ids, _ := l.state(t)
	out, errOut, err := l.run(t, "expire", "--older-than", "1ns", "--dry-run")
	if err != nil || !strings.Contains(out, "dry run: would expire 3 snapshots (4 -> 1)") {
		t.Errorf("expire --dry-run = %v\nstdout: %s\nstderr: %s", err, out, errOut)
	}
	out, errOut, err = l.run(t, "expire", "--older-than", "1ns", "--orphans-older-than", "1ns")
	if err != nil || !strings.Contains(out, "expired 3 snapshots (4 -> 1)") || !strings.Contains(errOut, "expire: expired 3 snapshots") {
		t.Errorf("expire = %v\nstdout: %s\nstderr: %s", err, out, errOut)
	}
	if got, _ := l.state(t); !slices.Equal(got, ids) {
		t.Errorf("after expire the table holds %v, want %v", got, ids)
	}
	if out, _, err := l.run(t, "expire", "--older-than", "1ns"); err != nil || !strings.Contains(out, "expired 0 snapshots (1 -> 1)") {
		t.Errorf("a second expire = %q, %v; want nothing expired", out, err)
	}
}

func TestLakeCommandErrors(t *testing.T) {
	l := newIcebergLake(t)
	parquetCfg := filepath.Join(t.TempDir(), "parquet.yaml")
	if err := os.WriteFile(parquetCfg, []byte("exporter:\n  root: "+t.TempDir()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"compact", "--partition", "volcengine/123456"}, "want provider/app/YYYY-MM-DD"},
		{[]string{"compact", "--partition", "volcengine/123456/30-11-2026"}, "YYYY-MM-DD"},
		{[]string{"expire", "--retain-last", "0"}, "--retain-last"},
		{[]string{"vacuum"}, "unknown subcommand"},
	} {
		if _, _, err := l.run(t, tt.args...); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("chatlake lake %v = %v, want an error with %q", tt.args, err, tt.want)
		}
	}
	var out, errOut bytes.Buffer
	sio := &stdio{getenv: func(string) string { return "" }, stdin: strings.NewReader(""), stdout: &out, stderr: &errOut}
	if err := run(t.Context(), []string{"lake", "compact", "--config", parquetCfg}, sio); err == nil || !strings.Contains(err.Error(), "iceberg") {
		t.Errorf("compact of a parquet lake = %v, want an error saying it needs iceberg", err)
	}
	errOut.Reset()
	if err := run(t.Context(), []string{"lake", "expire", "--help"}, sio); err != nil || !strings.Contains(errOut.String(), "--orphans-older-than must stay well above") {
		t.Errorf("lake expire --help = %v:\n%s", err, errOut.String())
	}
}

// lakeEvent is the i-th event of the concurrent test: two partitions, one
// day.
func lakeEvent(i int) schemas.ConversationEvent {
	provider, app := schemas.ProviderVolcengine, "123456"
	if i%2 == 1 {
		provider, app = schemas.ProviderYunxin, "k1"
	}
	c := schemas.Conversation{Provider: provider, App: app, UserID: "u1", ConversationID: fmt.Sprint(i), Type: 1,
		Raw: json.RawMessage(fmt.Sprintf(`{"i":%d}`, i))}
	return schemas.ConversationEvent{SchemaVersion: schemas.EventSchemaVersion, EventID: schemas.EventID(&c), JobID: "j1",
		FetchedAt: lakeDay.Add(time.Duration(i) * time.Millisecond), Conversation: c}
}

func publishLakeEvents(t *testing.T, js jetstream.JetStream, from, n int) []string {
	t.Helper()
	ids := make([]string, 0, n)
	for i := from; i < from+n; i++ {
		ev := lakeEvent(i)
		b, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		m := nats.NewMsg(schemas.ConversationSubject(ev.Provider, ev.App))
		m.Data = b
		m.Header.Set(nats.MsgIdHdr, ev.EventID)
		if _, err := js.PublishMsg(t.Context(), m); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, ev.EventID)
	}
	return ids
}

// waitRows polls the table until it holds at least n rows.
func (l *icebergLake) waitRows(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, err := l.tbl.Count(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if got >= int64(n) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the table holds %d rows after 30s, want %d", got, n)
		}
		time.Sleep(20 * time.Millisecond) // polling interval
	}
}

// TestLakeCompactUnderARunningExporter compacts, again and again, while an
// exporter keeps committing epochs to the same table: every event must be
// in the table exactly once.
func TestLakeCompactUnderARunningExporter(t *testing.T) {
	srv := natstest.Start(t)
	_, js := srv.Connect(t)
	if err := pipeline.EnsureStreams(t.Context(), js, pipeline.StreamsConfig{}); err != nil {
		t.Fatal(err)
	}
	l := newIcebergLake(t)
	cfg := l.cfg
	cfg.Exporter.IdleFlush, cfg.Exporter.MaxFileAge = 30*time.Millisecond, 100*time.Millisecond
	store, err := lakestack.OpenLake(t.Context(), &cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var logs lockedbuf.Buffer
	e, err := lakestack.NewExporter(&cfg, js, store, prometheus.NewRegistry(), slog.New(slog.NewJSONHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	exported := make(chan error, 1)
	go func() { exported <- e.Run(ctx) }()

	// The compactor runs until the publisher is done.
	stop := make(chan struct{})
	type result struct {
		committed, gaveUp int
		err               error
	}
	compacted := make(chan result, 1)
	go func() {
		var r result
		for {
			select {
			case <-stop:
				compacted <- r
				return
			default:
			}
			out, errOut, err := l.run(t, "compact")
			if err != nil && errors.Is(err, iceberg.ErrConflict) {
				// Appends kept landing first for every attempt: a
				// compaction that gives up changes nothing.
				r.gaveUp++
				continue
			}
			if err != nil {
				r.err = fmt.Errorf("%v\nstdout: %s\nstderr: %s", err, out, errOut)
				compacted <- r
				return
			}
			if strings.HasPrefix(out, "compacted") {
				r.committed++
			}
		}
	}()
	var want []string
	const batches, size = 30, 10
	for b := range batches {
		want = append(want, publishLakeEvents(t, js, b*size, size)...)
		l.waitRows(t, len(want))
	}
	close(stop)
	r := <-compacted
	if r.err != nil {
		t.Fatalf("lake compact under a running exporter: %v", r.err)
	}
	if r.committed == 0 {
		t.Errorf("no compaction committed while the exporter ran: the test proves nothing")
	}
	if _, _, err := l.run(t, "compact"); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-exported; err != nil {
		t.Fatalf("exporter: %v\nlog:\n%s", err, logs.String())
	}
	got, files := l.state(t)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("the table holds %d rows (%d distinct), want the %d events once each", len(got), len(slices.Compact(slices.Clone(got))), len(want))
	}
	t.Logf("%d compactions committed while the exporter ran, %d gave up after conflicts; %d files at the end", r.committed, r.gaveUp, files)
}
