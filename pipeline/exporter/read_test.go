package exporter_test

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/parquet-go/parquet-go"

	"github.com/chatlake/chatlake/lake"
	"github.com/chatlake/chatlake/schemas"
)

// lakeFiles returns the visible Parquet files below root, and fails on any
// other file but folders and temp files.
func lakeFiles(t testing.TB, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if strings.HasSuffix(p, ".parquet") && !strings.HasPrefix(d.Name(), ".") {
			out = append(out, p)
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return out
}

// readRows reads a file with parquet-go.
func readRows(t testing.TB, path string) []schemas.ConversationRow {
	t.Helper()
	rows, err := parquet.ReadFile[schemas.ConversationRow](path)
	if err != nil {
		t.Fatalf("parquet.ReadFile(%s): %v", path, err)
	}
	return rows
}

// readLakeRows reads every visible file below root with parquet-go.
func readLakeRows(t testing.TB, root string) []schemas.ConversationRow {
	t.Helper()
	var all []schemas.ConversationRow
	for _, p := range lakeFiles(t, root) {
		all = append(all, readRows(t, p)...)
	}
	return all
}

// readStoreRows reads every published file of store's table with
// parquet-go, through the lake.Storage interface alone: below
// conversations/ in a Parquet lake, data/ in an Iceberg table's location.
func readStoreRows(t testing.TB, store lake.Storage) []schemas.ConversationRow {
	t.Helper()
	ctx := context.Background()
	var names []string
	for _, prefix := range []string{"conversations/", "data/"} {
		n, err := store.List(ctx, prefix)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, n...)
	}
	var all []schemas.ConversationRow
	for _, name := range names {
		r, err := store.Open(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatalf("read %s: %v", name, err)
		}
		rows, err := parquet.Read[schemas.ConversationRow](bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatalf("parquet.Read(%s): %v", name, err)
		}
		all = append(all, rows...)
	}
	return all
}

// readArrow reads a file with Apache Arrow's independent Parquet reader
// into one map per row, keyed by column name. Timestamps must be
// microseconds in UTC; they come back as int64 microseconds.
func readArrow(t testing.TB, path string) (rows []map[string]any, meta map[string]string) {
	t.Helper()
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatalf("arrow open %s: %v", path, err)
	}
	defer pf.Close()
	meta = map[string]string{}
	kv := pf.MetaData().KeyValueMetadata()
	for i, k := range kv.Keys() {
		meta[k] = kv.Values()[i]
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: 4096}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatalf("arrow read %s: %v", path, err)
	}
	defer tbl.Release()
	tr := array.NewTableReader(tbl, 4096)
	defer tr.Release()
	for tr.Next() {
		rec := tr.RecordBatch()
		for r := range int(rec.NumRows()) {
			row := map[string]any{}
			for c, f := range rec.Schema().Fields() {
				row[f.Name] = arrowValue(t, f, rec.Column(c), r)
			}
			rows = append(rows, row)
		}
	}
	return rows, meta
}

func arrowValue(t testing.TB, f arrow.Field, col arrow.Array, i int) any {
	if col.IsNull(i) {
		return nil
	}
	switch a := col.(type) {
	case *array.String:
		return a.Value(i)
	case *array.Int64:
		return a.Value(i)
	case *array.Int32:
		return a.Value(i)
	case *array.Boolean:
		return a.Value(i)
	case *array.Timestamp:
		tt := f.Type.(*arrow.TimestampType)
		if tt.Unit != arrow.Microsecond || tt.TimeZone != "UTC" {
			t.Fatalf("column %s is %v, want timestamp[us, tz=UTC]", f.Name, tt)
		}
		return int64(a.Value(i))
	case *array.Map:
		start, end := a.ValueOffsets(i)
		keys, items := a.Keys().(*array.String), a.Items().(*array.String)
		m := map[string]string{}
		for j := start; j < end; j++ {
			m[keys.Value(int(j))] = items.Value(int(j))
		}
		return m
	case *array.List:
		start, end := a.ValueOffsets(i)
		vals := a.ListValues().(*array.Int64)
		out := []int64{}
		for j := start; j < end; j++ {
			out = append(out, vals.Value(int(j)))
		}
		return out
	}
	t.Fatalf("column %s: unexpected arrow type %v", f.Name, col.DataType())
	return nil
}

// rowMap is what readArrow should return for r: column name to value, nil
// for null, pointers followed.
func rowMap(r *schemas.ConversationRow) map[string]any {
	m := map[string]any{}
	v := reflect.ValueOf(r).Elem()
	for i := range v.NumField() {
		name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("parquet"), ",")
		fv := v.Field(i)
		switch {
		case fv.Kind() == reflect.Pointer && fv.IsNil(),
			fv.Kind() == reflect.Map && fv.IsNil(),
			fv.Kind() == reflect.Slice && fv.IsNil():
			m[name] = nil
		case fv.Kind() == reflect.Pointer:
			m[name] = fv.Elem().Interface()
		default:
			m[name] = fv.Interface()
		}
	}
	return m
}
