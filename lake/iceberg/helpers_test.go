package iceberg_test

import (
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	ice "github.com/apache/iceberg-go"
	"github.com/parquet-go/parquet-go"

	"github.com/chatlake/chatlake/lake/iceberg"
)

// row mirrors the shapes of schemas.ConversationRow (required and
// dictionary strings, int32, timestamps, optional scalars, a map and a
// list) with Iceberg field IDs: IDs in declaration order, the inner IDs of
// a map or list right after its own.
type row struct {
	EventID             string            `parquet:"event_id,id(1)"`
	SchemaVersion       int32             `parquet:"schema_version,id(2)"`
	JobID               string            `parquet:"job_id,id(3),dict"`
	FetchedAt           int64             `parquet:"fetched_at,id(4),timestamp(microsecond:utc)"`
	Provider            string            `parquet:"provider,id(5),dict"`
	App                 string            `parquet:"app,id(6),dict"`
	ConversationIDInt64 *int64            `parquet:"conversation_id_int64,id(7),optional"`
	CreateTime          *int64            `parquet:"create_time,id(8),optional,timestamp(microsecond:utc)"`
	VolcAvatarURL       *string           `parquet:"volc_avatar_url,id(9),optional"`
	VolcStatus          *int32            `parquet:"volc_status,id(10),optional"`
	VolcExt             map[string]string `parquet:"volc_ext,id(11),optional" parquet-key:",id(12)" parquet-value:",id(13)"`
	YxStickTop          *bool             `parquet:"yx_stick_top,id(14),optional"`
	YxGroupIDs          []int64           `parquet:"yx_group_ids,id(15),optional,list" parquet-element:",id(16)"`
	Raw                 string            `parquet:"raw,id(17)"`
}

// rowV2 is row with one more optional column, as a later schema version.
type rowV2 struct {
	row
	Extra *string `parquet:"extra,id(18),optional"`
}

func schemaOf[T any](t testing.TB) *ice.Schema {
	t.Helper()
	sc, err := iceberg.SchemaFromParquet(parquet.SchemaOf(new(T)))
	if err != nil {
		t.Fatalf("SchemaFromParquet() = %v", err)
	}
	return sc
}

var day = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)

// makeRows returns n rows of one partition with event IDs prefix-0...
func makeRows(provider, app string, d time.Time, n int, prefix string) []row {
	out := make([]row, n)
	for i := range out {
		ct := d.Add(time.Duration(i) * time.Minute).UnixMicro()
		url := fmt.Sprintf("https://a/%d", i)
		out[i] = row{
			EventID: fmt.Sprintf("%s-%d", prefix, i), SchemaVersion: 1, JobID: "job",
			FetchedAt: d.Add(time.Duration(i) * time.Second).UnixMicro(),
			Provider:  provider, App: app, CreateTime: &ct, VolcAvatarURL: &url,
			VolcExt: map[string]string{"k": "v"}, YxGroupIDs: []int64{int64(i), 7},
			Raw: `{"x":1}`,
		}
	}
	return out
}

var fileSeq atomic.Int64

// writeFile writes rs through tbl's FileIO into their partition's folder
// and returns the file's location.
func writeFile[T any](t testing.TB, tbl *iceberg.Table, provider, app string, d time.Time, rs []T) string {
	t.Helper()
	name := fmt.Sprintf("part-%05d.parquet", fileSeq.Add(1))
	loc := tbl.DataLocation(iceberg.PartitionDir(provider, app, d) + "/" + name)
	w, err := tbl.Create(t.Context(), loc)
	if err != nil {
		t.Fatal(err)
	}
	pw := parquet.NewGenericWriter[T](w)
	if _, err := pw.Write(rs); err != nil {
		t.Fatal(err)
	}
	if err := pw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return loc
}

func open(t testing.TB, cfg iceberg.Config) *iceberg.Table {
	t.Helper()
	tbl, err := iceberg.Open(t.Context(), cfg, schemaOf[row](t))
	if err != nil {
		t.Fatalf("Open(%v) = %v", cfg, err)
	}
	t.Cleanup(func() { tbl.Close() })
	return tbl
}

func appendRows(t testing.TB, tbl *iceberg.Table, rs []row, summary map[string]string) {
	t.Helper()
	f := writeFile(t, tbl, rs[0].Provider, rs[0].App, time.UnixMicro(rs[0].FetchedAt), rs)
	if err := tbl.Append(t.Context(), []string{f}, summary); err != nil {
		t.Fatalf("Append() = %v", err)
	}
}

// eventIDs is the sorted multiset of the table's event IDs.
func eventIDs(t testing.TB, tbl *iceberg.Table) []string {
	t.Helper()
	rows, err := tbl.Rows(t.Context(), "event_id")
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r["event_id"].(string))
	}
	slices.Sort(ids)
	return ids
}

func count(t testing.TB, tbl *iceberg.Table) int64 {
	t.Helper()
	n, err := tbl.Count(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return n
}
