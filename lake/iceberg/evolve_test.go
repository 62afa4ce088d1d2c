package iceberg_test

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	ice "github.com/apache/iceberg-go"
	sqlcat "github.com/apache/iceberg-go/catalog/sql"
	"github.com/apache/iceberg-go/table"

	"github.com/chatlake/chatlake/lake/iceberg"
)

// TestEvolve: a later schema with a new optional column is added to the
// table with its own field ID, and old and new files read together;
// dropping, retyping or adding a required column is refused.
func TestEvolve(t *testing.T) {
	ctx := t.Context()
	cfg := iceberg.Config{Warehouse: t.TempDir()}
	v1 := open(t, cfg)
	appendRows(t, v1, makeRows("volcengine", "a", day, 2, "old"), nil)

	v2, err := iceberg.Open(ctx, cfg, schemaOf[rowV2](t))
	if err != nil {
		t.Fatalf("Open(v2) = %v", err)
	}
	defer v2.Close()
	if f, ok := v2.Schema().FindFieldByName("extra"); !ok || f.ID != 18 || f.Required {
		t.Fatalf("table schema after Open(v2) has extra = %+v, %v; want optional id 18", f, ok)
	}
	s := "x"
	file := writeFile(t, v2, "volcengine", "a", day, []rowV2{{row: makeRows("volcengine", "a", day, 1, "new")[0], Extra: &s}})
	if err := v2.Append(ctx, []string{file}, nil); err != nil {
		t.Fatalf("Append(v2 file) = %v", err)
	}
	rows, err := v2.Rows(ctx, "event_id", "extra")
	if err != nil || len(rows) != 3 {
		t.Fatalf("Rows() = %v, %v; want 3 rows", rows, err)
	}
	for _, r := range rows {
		if want := map[bool]any{true: "x", false: nil}[r["event_id"] == "new-0"]; r["extra"] != want {
			t.Errorf("row %v: extra = %v, want %v", r["event_id"], r["extra"], want)
		}
	}
	// Reopening with the old schema keeps the column.
	again, err := iceberg.Open(ctx, cfg, schemaOf[row](t))
	if err == nil {
		defer again.Close()
	}
	if err == nil {
		t.Error("Open(v1) after v2 = nil error, want the missing column refused")
	}

	base := schemaOf[rowV2](t)
	fields := base.Fields()
	retyped := replaceField(fields, "raw", ice.NestedField{ID: 17, Name: "raw", Type: ice.PrimitiveTypes.Int64, Required: true})
	required := append(fields[:len(fields):len(fields)], ice.NestedField{ID: 19, Name: "must", Type: ice.PrimitiveTypes.String, Required: true})
	for _, tc := range []struct {
		name, want string
		fields     []ice.NestedField
	}{
		{"retype", "never retyped", retyped},
		{"required", "must be optional", required},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tbl, err := iceberg.Open(ctx, cfg, ice.NewSchema(0, tc.fields...))
			if err == nil {
				tbl.Close()
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Open() = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func replaceField(fs []ice.NestedField, name string, f ice.NestedField) []ice.NestedField {
	out := make([]ice.NestedField, len(fs))
	for i, g := range fs {
		out[i] = g
		if g.Name == name {
			out[i] = f
		}
	}
	return out
}

// TestRefusesCommitRetries: a table whose iceberg-go commit retries were
// turned on is refused, since a retried append is not fenced.
func TestRefusesCommitRetries(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	cfg := iceberg.Config{Warehouse: dir}
	open(t, cfg).Close()

	db, err := sql.Open("sqlite", filepath.Join(dir, "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cat, err := sqlcat.NewCatalog(iceberg.DefaultCatalogName, db, sqlcat.SQLite, ice.Properties{"warehouse": "file://" + dir})
	if err != nil {
		t.Fatal(err)
	}
	id := table.Identifier{iceberg.DefaultNamespace, iceberg.TableName}
	tbl, err := cat.LoadTable(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	tx := tbl.NewTransaction()
	if err := tx.SetProperties(ice.Properties{table.CommitNumRetriesKey: "3"}); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if tbl, err := iceberg.Open(ctx, cfg, schemaOf[row](t)); err == nil || !strings.Contains(err.Error(), table.CommitNumRetriesKey) {
		if err == nil {
			tbl.Close()
		}
		t.Errorf("Open() of a table with commit retries = %v, want refused", err)
	}
}

// TestOpenFreshWarehouse: the embedded SQLite catalog works on a warehouse
// folder that does not exist yet, as a first start of the exporter has.
func TestOpenFreshWarehouse(t *testing.T) {
	cfg := iceberg.Config{Warehouse: filepath.Join(t.TempDir(), "new", "lake")}
	tbl := open(t, cfg)
	if n, err := tbl.Count(t.Context()); err != nil || n != 0 {
		t.Fatalf("Count() on a fresh table = %d, %v; want 0, nil", n, err)
	}
}
