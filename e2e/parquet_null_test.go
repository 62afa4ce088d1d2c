package e2e_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/chatlake/chatlake/schemas"
)

// TestDuckDBReadsNullApartFromEmpty writes batches of rows whose volc_ext
// and yx_group_ids are nil, empty or not, interleaved, one Write per batch
// as the exporter does, and reads them back with DuckDB. parquet-go
// v0.32.0 turns some nil maps of an optional map field into empty maps.
func TestDuckDBReadsNullApartFromEmpty(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rows.parquet")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := parquet.NewGenericWriter[schemas.ConversationRow](f)
	rnd := rand.New(rand.NewPCG(1, 2))
	var want []string
	for k := range 300 {
		rows := make([]schemas.ConversationRow, 1+rnd.IntN(300))
		for i := range rows {
			r := &rows[i]
			switch rnd.IntN(1 + k%4) {
			case 1:
				r.VolcExt, r.YxGroupIDs = &map[string]string{"k": "v"}, []int64{int64(i)}
			case 2:
				r.VolcExt, r.YxGroupIDs = &map[string]string{}, []int64{}
			}
			want = append(want, shape(r))
		}
		if _, err := w.Write(rows); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	got := duckDB(t, fmt.Sprintf(`SELECT file_row_number AS i,
		coalesce(cardinality(volc_ext)::VARCHAR, 'null') || '/' || coalesce(len(yx_group_ids)::VARCHAR, 'null') AS shape
		FROM read_parquet('%s', file_row_number = true) ORDER BY i`, path))
	if len(got) != len(want) {
		t.Fatalf("DuckDB reads %d rows, wrote %d", len(got), len(want))
	}
	bad := 0
	for i, r := range got {
		if r["shape"] != want[i] && bad < 10 {
			bad++
			t.Errorf("row %d: volc_ext/yx_group_ids sizes = %v, wrote %s", i, r["shape"], want[i])
		}
	}
}

// shape is the sizes of volc_ext and yx_group_ids, null for nil.
func shape(r *schemas.ConversationRow) string {
	ext, ids := "null", "null"
	if r.VolcExt != nil {
		ext = fmt.Sprint(len(*r.VolcExt))
	}
	if r.YxGroupIDs != nil {
		ids = fmt.Sprint(len(r.YxGroupIDs))
	}
	return ext + "/" + ids
}
