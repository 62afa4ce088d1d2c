package exporter_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/chatlake/chatlake/internal/natstest"
	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/schemas"
)

func exporterStreams(t testing.TB) (*natstest.Server, jetstreamJS) {
	t.Helper()
	srv := natstest.Start(t)
	_, js := srv.Connect(t)
	if err := pipeline.EnsureStreams(t.Context(), js, pipeline.StreamsConfig{}); err != nil {
		t.Fatalf("EnsureStreams: %v", err)
	}
	return srv, js
}

func TestExporterRoundTrip(t *testing.T) {
	_, js := exporterStreams(t)
	root := t.TempDir()
	fetched := time.Date(2026, 3, 1, 23, 59, 59, 999_000_000, time.UTC)
	events := testEvents(240, fetched)
	last := publishTestEvents(t, js, events)

	r := startExporter(t, js, folderLake(t, root), exporterTestConfig())
	waitCommitted(t, js, last, 30*time.Second)
	if err := r.stop(t); err != nil {
		t.Fatalf("Run() = %v, want nil after shutdown", err)
	}

	want := map[string]schemas.ConversationRow{}
	for i := range events {
		want[events[i].EventID] = schemas.RowFromEvent(&events[i])
	}
	files := lakeFiles(t, root)
	if len(files) == 0 {
		t.Fatal("no Parquet files")
	}
	seen := map[string]int{}
	for _, p := range files {
		checkLayout(t, root, p)
		checkFileMeta(t, p)
		rows := readRows(t, p)
		arrowRows, meta := readArrow(t, p)
		if got := meta[schemas.ParquetMetaSchemaVersion]; got != "1" {
			t.Errorf("%s metadata %s = %q, want 1", p, schemas.ParquetMetaSchemaVersion, got)
		}
		if len(arrowRows) != len(rows) {
			t.Fatalf("%s: arrow read %d rows, parquet-go %d", p, len(arrowRows), len(rows))
		}
		for i := range rows {
			id := rows[i].EventID
			seen[id]++
			w, ok := want[id]
			if !ok {
				t.Fatalf("unexpected event_id %q", id)
			}
			if d := cmp.Diff(w, rows[i]); d != "" {
				t.Errorf("parquet-go row %s (-want +got):\n%s", id, d)
			}
			if d := cmp.Diff(rowMap(&w), arrowRows[i]); d != "" {
				t.Errorf("arrow row %s (-want +got):\n%s", id, d)
			}
		}
	}
	for id := range want {
		if seen[id] != 1 {
			t.Errorf("event %s in %d rows, want 1", id, seen[id])
		}
	}
	checkHardValues(t, events, readLakeRows(t, root))
}

// checkHardValues checks the values a careless pipeline would damage.
func checkHardValues(t *testing.T, events []schemas.ConversationEvent, rows []schemas.ConversationRow) {
	t.Helper()
	byID := map[string]*schemas.ConversationRow{}
	for i := range rows {
		byID[rows[i].EventID] = &rows[i]
	}
	var big, long, emoji, empty bool
	for i := range events {
		e := &events[i]
		r := byID[e.EventID]
		if r == nil {
			continue
		}
		if r.Raw != string(e.Raw) || strOf(r.Name) != strOf(e.Name) || (r.Name == nil) != (e.Name == nil) {
			t.Errorf("event %s: raw or name changed", e.EventID)
		}
		if v := e.Volcengine; v != nil && (r.ConversationIDInt64 == nil || *r.ConversationIDInt64 != v.ConversationShortID) {
			t.Errorf("event %s: conversation_id_int64 = %v, want %d", e.EventID, r.ConversationIDInt64, v.ConversationShortID)
		}
		big = big || e.Volcengine != nil && e.Volcengine.ConversationShortID > 1<<53
		long = long || len(strOf(e.Name)) > 8000
		emoji = emoji || strings.Contains(strOf(e.Name), "🚀")
		empty = empty || strOf(e.Name) == "" && e.Type != 1
	}
	if !big || !long || !emoji || !empty {
		t.Errorf("test data lacks hard values: big %v long %v emoji %v empty %v", big, long, emoji, empty)
	}
}

// checkLayout checks root/conversations/provider=/app=/dt=/part-*.parquet.
func checkLayout(t *testing.T, root, p string) {
	t.Helper()
	rel, _ := filepath.Rel(root, p)
	parts := strings.Split(filepath.ToSlash(rel), "/")
	if len(parts) != 5 || parts[0] != "conversations" || !strings.HasPrefix(parts[1], "provider=") ||
		!strings.HasPrefix(parts[2], "app=") || parts[3] != "dt=2026-03-01" && parts[3] != "dt=2026-03-02" ||
		!strings.HasPrefix(parts[4], "part-") {
		t.Errorf("file %s breaks the layout", rel)
	}
}

// checkFileMeta checks compression, row group bounds and the writer.
func checkFileMeta(t *testing.T, p string) {
	t.Helper()
	f, err := parquet.OpenFile(openParquet(t, p))
	if err != nil {
		t.Fatal(err)
	}
	for _, rg := range f.Metadata().RowGroups {
		if rg.NumRows == 0 {
			t.Errorf("%s has an empty row group", p)
		}
		for _, c := range rg.Columns {
			if c.MetaData.Codec != format.Zstd {
				t.Fatalf("%s column %v codec = %v, want zstd", p, c.MetaData.PathInSchema, c.MetaData.Codec)
			}
		}
	}
	if kv, ok := f.Lookup(schemas.ParquetMetaWriterVersion); !ok || kv == "" {
		t.Errorf("%s lacks %s", p, schemas.ParquetMetaWriterVersion)
	}
}
