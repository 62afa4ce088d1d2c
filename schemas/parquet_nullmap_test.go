package schemas_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/chatlake/chatlake/schemas"
)

// TestParquetKeepsNullApartFromEmpty writes nil, empty and non-empty maps
// and lists interleaved in one Write and reads them back. parquet-go
// v0.32.0 writes some nil maps of an optional map field as empty maps
// (its null-bitmap run scan misreads the last word); volc_ext is a pointer
// to a map so that nil is told by the pointer path.
func TestParquetKeepsNullApartFromEmpty(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for k := range 300 {
		n := 1 + rnd.IntN(300)
		rows := make([]schemas.ConversationRow, n)
		for i := range rows {
			switch rnd.IntN(1 + k%4) {
			case 1:
				rows[i].VolcExt, rows[i].YxGroupIDs = &map[string]string{"k": fmt.Sprint(i)}, []int64{int64(i)}
			case 2:
				rows[i].VolcExt, rows[i].YxGroupIDs = &map[string]string{}, []int64{}
			}
		}
		var buf bytes.Buffer
		w := parquet.NewGenericWriter[schemas.ConversationRow](&buf)
		if _, err := w.Write(rows); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		got, err := parquet.Read[schemas.ConversationRow](bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		for i := range rows {
			if (rows[i].VolcExt == nil) != (got[i].VolcExt == nil) || (rows[i].VolcExt != nil && len(*rows[i].VolcExt) != len(*got[i].VolcExt)) {
				t.Errorf("batch of %d, row %d: volc_ext = %#v, wrote %#v", n, i, got[i].VolcExt, rows[i].VolcExt)
			}
			if (rows[i].YxGroupIDs == nil) != (got[i].YxGroupIDs == nil) || len(rows[i].YxGroupIDs) != len(got[i].YxGroupIDs) {
				t.Errorf("batch of %d, row %d: yx_group_ids = %#v, wrote %#v", n, i, got[i].YxGroupIDs, rows[i].YxGroupIDs)
			}
		}
	}
}
