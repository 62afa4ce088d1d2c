package iceberg

import (
	"context"
	"fmt"

	ice "github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
)

// evolve adds to tbl the columns want has and tbl lacks, keeping want's
// field IDs, in one commit guarded by the current schema ID.
func (t *Table) evolve(ctx context.Context, tbl *table.Table, want *ice.Schema) (*table.Table, error) {
	have := tbl.Schema()
	added, err := additions(have, want, tbl.Metadata().LastColumnID())
	if err != nil || len(added) == 0 {
		return tbl, err
	}
	next := ice.NewSchema(have.ID+1, append(have.Fields(), added...)...)
	reqs := []table.Requirement{
		table.AssertTableUUID(tbl.Metadata().TableUUID()),
		table.AssertCurrentSchemaID(have.ID),
	}
	updates := []table.Update{table.NewAddSchemaUpdate(next), table.NewSetCurrentSchemaUpdate(-1)}
	if _, _, err := t.cat.CommitTable(ctx, t.id, reqs, updates); err != nil {
		return nil, fmt.Errorf("iceberg: evolve schema of %s: %w", t.id, err)
	}
	return t.load(ctx)
}

// additions returns want's top-level fields that have does not have. Every
// field of have must be in want unchanged (same ID, name, type and
// nullability); new fields must be optional, with names and IDs
// (including nested ones) the table never used: IDs above lastID.
func additions(have, want *ice.Schema, lastID int) ([]ice.NestedField, error) {
	byID := map[int]ice.NestedField{}
	for _, f := range want.Fields() {
		byID[f.ID] = f
	}
	for _, f := range have.Fields() {
		w, ok := byID[f.ID]
		switch {
		case !ok:
			return nil, fmt.Errorf("iceberg: schema: column %s (id %d) is missing: columns are never dropped", f.Name, f.ID)
		case w.Name != f.Name:
			return nil, fmt.Errorf("iceberg: schema: column id %d is %s in the table and %s in the new schema: columns are never renamed", f.ID, f.Name, w.Name)
		case !w.Type.Equals(f.Type):
			return nil, fmt.Errorf("iceberg: schema: column %s (id %d) is %s in the table and %s in the new schema: columns are never retyped", f.Name, f.ID, f.Type, w.Type)
		case w.Required != f.Required:
			return nil, fmt.Errorf("iceberg: schema: column %s (id %d) changes nullability", f.Name, f.ID)
		}
		delete(byID, f.ID)
	}
	var added []ice.NestedField
	for _, f := range want.Fields() {
		if _, ok := byID[f.ID]; !ok {
			continue
		}
		if err := checkNew(have, f, lastID); err != nil {
			return nil, err
		}
		added = append(added, f)
	}
	return added, nil
}

func checkNew(have *ice.Schema, f ice.NestedField, lastID int) error {
	if f.Required {
		return fmt.Errorf("iceberg: schema: new column %s must be optional", f.Name)
	}
	if _, ok := have.FindFieldByName(f.Name); ok {
		return fmt.Errorf("iceberg: schema: new column %s (id %d) has the name of an existing column", f.Name, f.ID)
	}
	ids := []int{f.ID}
	ids = append(ids, nestedIDs(f.Type)...)
	for _, id := range ids {
		if id <= lastID {
			return fmt.Errorf("iceberg: schema: new column %s uses field id %d, not above the table's last assigned id %d", f.Name, id, lastID)
		}
	}
	return nil
}

// nestedIDs lists the field IDs inside t.
func nestedIDs(t ice.Type) []int {
	var ids []int
	switch t := t.(type) {
	case *ice.StructType:
		for _, f := range t.FieldList {
			ids = append(ids, f.ID)
			ids = append(ids, nestedIDs(f.Type)...)
		}
	case *ice.ListType:
		ids = append(ids, t.ElementID)
		ids = append(ids, nestedIDs(t.Element)...)
	case *ice.MapType:
		ids = append(ids, t.KeyID, t.ValueID)
		ids = append(ids, nestedIDs(t.KeyType)...)
		ids = append(ids, nestedIDs(t.ValueType)...)
	}
	return ids
}
