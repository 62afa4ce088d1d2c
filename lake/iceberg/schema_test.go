package iceberg_test

import (
	"bytes"
	"strings"
	"testing"

	ice "github.com/apache/iceberg-go"
	"github.com/parquet-go/parquet-go"

	"github.com/chatlake/chatlake/lake/iceberg"
)

func TestSchemaFromParquet(t *testing.T) {
	p := ice.PrimitiveTypes
	want := ice.NewSchema(0,
		ice.NestedField{ID: 1, Name: "event_id", Type: p.String, Required: true},
		ice.NestedField{ID: 2, Name: "schema_version", Type: p.Int32, Required: true},
		ice.NestedField{ID: 3, Name: "job_id", Type: p.String, Required: true},
		ice.NestedField{ID: 4, Name: "fetched_at", Type: p.TimestampTz, Required: true},
		ice.NestedField{ID: 5, Name: "provider", Type: p.String, Required: true},
		ice.NestedField{ID: 6, Name: "app", Type: p.String, Required: true},
		ice.NestedField{ID: 7, Name: "conversation_id_int64", Type: p.Int64},
		ice.NestedField{ID: 8, Name: "create_time", Type: p.TimestampTz},
		ice.NestedField{ID: 9, Name: "volc_avatar_url", Type: p.String},
		ice.NestedField{ID: 10, Name: "volc_status", Type: p.Int32},
		ice.NestedField{ID: 11, Name: "volc_ext", Type: &ice.MapType{KeyID: 12, KeyType: p.String, ValueID: 13, ValueType: p.String}},
		ice.NestedField{ID: 14, Name: "yx_stick_top", Type: p.Bool},
		ice.NestedField{ID: 15, Name: "yx_group_ids", Type: &ice.ListType{ElementID: 16, Element: p.Int64, ElementRequired: true}},
		ice.NestedField{ID: 17, Name: "raw", Type: p.String, Required: true},
	)
	got := schemaOf[row](t)
	if !got.Equals(want) {
		t.Errorf("SchemaFromParquet(row) =\n%s\nwant\n%s", got, want)
	}
}

// TestFieldIDsInFile: the IDs parquet-go writes into a file, read back
// from its footer, are the Iceberg schema's, inner list and map IDs too.
func TestFieldIDsInFile(t *testing.T) {
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[row](&buf)
	if _, err := w.Write(makeRows("volcengine", "a", day, 2, "e")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := parquet.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	inFile := map[string]int{}
	var walk func(prefix string, n parquet.Node)
	walk = func(prefix string, n parquet.Node) {
		for _, c := range n.Fields() {
			inFile[prefix+c.Name()] = c.ID()
			walk(prefix+c.Name()+".", c)
		}
	}
	walk("", f.Schema())

	sc := schemaOf[row](t)
	want := map[string]int{}
	for _, fld := range sc.Fields() {
		want[fld.Name] = fld.ID
		switch typ := fld.Type.(type) {
		case *ice.ListType:
			want[fld.Name+".list.element"] = typ.ElementID
		case *ice.MapType:
			want[fld.Name+".key_value.key"] = typ.KeyID
			want[fld.Name+".key_value.value"] = typ.ValueID
		}
	}
	for path, id := range want {
		if inFile[path] != id {
			t.Errorf("field ID of %s in the file = %d, want %d", path, inFile[path], id)
		}
	}
}

func TestSchemaFromParquetErrors(t *testing.T) {
	type noID struct {
		A string `parquet:"a"`
	}
	type unsigned struct {
		A uint32 `parquet:"a,id(1)"`
	}
	type elemNoID struct {
		A []int64 `parquet:"a,id(1),list"`
	}
	type keyNoID struct {
		A map[string]string `parquet:"a,id(1)" parquet-value:",id(3)"`
	}
	type dupID struct {
		A string `parquet:"a,id(1)"`
		B string `parquet:"b,id(1)"`
	}
	type dupInner struct {
		A []int64 `parquet:"a,id(1),list" parquet-element:",id(1)"`
	}
	type millis struct {
		A int64 `parquet:"a,id(1),timestamp(millisecond:utc)"`
	}
	type repeated struct {
		A []int64 `parquet:"a,id(1)"`
	}
	for _, tc := range []struct {
		name, want string
		schema     *parquet.Schema
	}{
		{"no id", "field a has no field id", parquet.SchemaOf(noID{})},
		{"unsigned", "field a: unsupported", parquet.SchemaOf(unsigned{})},
		{"list element without id", "field a.element has no field id", parquet.SchemaOf(elemNoID{})},
		{"map key without id", "field a.key has no field id", parquet.SchemaOf(keyNoID{})},
		{"duplicate id", "multiple fields for id 1", parquet.SchemaOf(dupID{})},
		{"duplicate inner id", "multiple fields for id 1", parquet.SchemaOf(dupInner{})},
		{"milliseconds", "field a: unsupported", parquet.SchemaOf(millis{})},
		{"repeated", "repeated outside a LIST", parquet.SchemaOf(repeated{})},
		{"nil", "nil parquet schema", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := iceberg.SchemaFromParquet(tc.schema)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("SchemaFromParquet() = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
