package iceberg

import (
	"fmt"

	ice "github.com/apache/iceberg-go"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// Partition field IDs of the table's spec; Iceberg numbers partition
// fields from 1000.
const (
	partProviderID = 1000 + iota
	partAppID
	partDayID
)

// Columns the partition spec is built on; SchemaFromParquet's result must
// have them, required.
const (
	ColumnProvider  = "provider"
	ColumnApp       = "app"
	ColumnFetchedAt = "fetched_at"
	// DayPartition is the name of the day(fetched_at) partition field, as
	// it appears in data paths (fetched_at_day=2026-11-30).
	DayPartition = "fetched_at_day"
)

// SchemaFromParquet maps a parquet-go schema to an Iceberg schema with the
// same field IDs, so the Parquet files written with s carry IDs the table
// knows. Every field needs an ID: id(N) in the parquet struct tag, and
// for nested types parquet-element:",id(N)" (list elements),
// parquet-key:",id(N)" and parquet-value:",id(N)" (map keys and values).
//
// Mapping: BOOLEAN -> boolean; INT32 (signed, any width) -> int; INT64 ->
// long; TIMESTAMP(MICROS) -> timestamptz when adjusted to UTC, else
// timestamp; DATE -> date; FLOAT -> float; DOUBLE -> double; STRING, ENUM,
// JSON -> string; other BYTE_ARRAY -> binary; UUID -> uuid; other
// FIXED_LEN_BYTE_ARRAY -> fixed; LIST -> list; MAP -> map; other groups ->
// struct. Optional fields are optional, required ones required, except
// map values, always optional (see mapOf). Anything
// else (unsigned integers, INT96, decimals, millisecond or nanosecond
// timestamps, repeated fields outside a LIST, missing or duplicate IDs)
// is an error naming the field.
func SchemaFromParquet(s *parquet.Schema) (*ice.Schema, error) {
	if s == nil {
		return nil, fmt.Errorf("iceberg: schema: nil parquet schema")
	}
	fields, err := nestedFields("", s.Fields())
	if err != nil {
		return nil, err
	}
	return newSchema(fields)
}

func nestedFields(parent string, fs []parquet.Field) ([]ice.NestedField, error) {
	out := make([]ice.NestedField, 0, len(fs))
	for _, f := range fs {
		path := parent + f.Name()
		if f.ID() <= 0 {
			return nil, fmt.Errorf("iceberg: schema: field %s has no field id", path)
		}
		if f.Repeated() {
			return nil, fmt.Errorf("iceberg: schema: field %s is repeated outside a LIST", path)
		}
		typ, err := typeOf(path, f)
		if err != nil {
			return nil, err
		}
		out = append(out, ice.NestedField{ID: f.ID(), Name: f.Name(), Type: typ, Required: f.Required()})
	}
	return out, nil
}

// logical returns n's logical type, nil when it has none.
func logical(n parquet.Node) format.LogicalTypeValue {
	if lt := n.Type().LogicalType(); lt != nil {
		return lt.Value
	}
	return nil
}

func typeOf(path string, n parquet.Node) (ice.Type, error) {
	if n.Leaf() {
		return primitiveOf(path, n)
	}
	switch logical(n).(type) {
	case *format.ListType:
		return listOf(path, n)
	case *format.MapType:
		return mapOf(path, n)
	case nil:
		fields, err := nestedFields(path+".", n.Fields())
		if err != nil {
			return nil, err
		}
		return &ice.StructType{FieldList: fields}, nil
	default:
		return nil, fmt.Errorf("iceberg: schema: field %s: unsupported group type %v", path, n.Type().LogicalType())
	}
}

// repeatedChild returns the repeated group a LIST or MAP wraps.
func repeatedChild(path string, n parquet.Node) (parquet.Field, error) {
	fs := n.Fields()
	if len(fs) != 1 || !fs[0].Repeated() {
		return nil, fmt.Errorf("iceberg: schema: field %s is not a standard 3-level LIST or MAP", path)
	}
	return fs[0], nil
}

// innerID returns the field ID of a list element or map key or value.
func innerID(path string, f parquet.Field) (int, error) {
	if f.ID() <= 0 {
		return 0, fmt.Errorf("iceberg: schema: field %s has no field id (tag it with parquet-element, parquet-key or parquet-value \",id(N)\")", path)
	}
	return f.ID(), nil
}

func listOf(path string, n parquet.Node) (ice.Type, error) {
	rep, err := repeatedChild(path, n)
	if err != nil {
		return nil, err
	}
	if len(rep.Fields()) != 1 {
		return nil, fmt.Errorf("iceberg: schema: field %s is not a standard 3-level LIST", path)
	}
	elem := rep.Fields()[0]
	epath := path + ".element"
	id, err := innerID(epath, elem)
	if err != nil {
		return nil, err
	}
	typ, err := typeOf(epath, elem)
	if err != nil {
		return nil, err
	}
	return &ice.ListType{ElementID: id, Element: typ, ElementRequired: elem.Required()}, nil
}

func mapOf(path string, n parquet.Node) (ice.Type, error) {
	rep, err := repeatedChild(path, n)
	if err != nil {
		return nil, err
	}
	kv := rep.Fields()
	if len(kv) != 2 {
		return nil, fmt.Errorf("iceberg: schema: field %s is not a standard MAP", path)
	}
	// Map values are optional in the table even when the file's are
	// required (a valid widening): iceberg-go v0.7.0 reads map values back
	// as nullable whatever the file says, and its compaction then refuses
	// to write them under a required-value schema.
	m := &ice.MapType{ValueRequired: false}
	for i, dst := range []struct {
		id  *int
		typ *ice.Type
	}{{&m.KeyID, &m.KeyType}, {&m.ValueID, &m.ValueType}} {
		p := path + "." + []string{"key", "value"}[i]
		if *dst.id, err = innerID(p, kv[i]); err != nil {
			return nil, err
		}
		if *dst.typ, err = typeOf(p, kv[i]); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func primitiveOf(path string, n parquet.Node) (ice.Type, error) {
	lt := logical(n)
	unsupported := func() (ice.Type, error) {
		return nil, fmt.Errorf("iceberg: schema: field %s: unsupported parquet type %s %v", path, n.Type().Kind(), n.Type().LogicalType())
	}
	switch n.Type().Kind() {
	case parquet.Boolean:
		return ice.PrimitiveTypes.Bool, nil
	case parquet.Int32:
		switch t := lt.(type) {
		case nil:
			return ice.PrimitiveTypes.Int32, nil
		case *format.IntType:
			if t.IsSigned {
				return ice.PrimitiveTypes.Int32, nil
			}
		case *format.DateType:
			return ice.PrimitiveTypes.Date, nil
		}
	case parquet.Int64:
		switch t := lt.(type) {
		case nil:
			return ice.PrimitiveTypes.Int64, nil
		case *format.IntType:
			if t.IsSigned {
				return ice.PrimitiveTypes.Int64, nil
			}
		case *format.TimestampType:
			if _, micros := t.Unit.Value.(*format.MicroSeconds); !micros {
				break
			}
			if t.IsAdjustedToUTC {
				return ice.PrimitiveTypes.TimestampTz, nil
			}
			return ice.PrimitiveTypes.Timestamp, nil
		}
	case parquet.Float:
		return ice.PrimitiveTypes.Float32, nil
	case parquet.Double:
		return ice.PrimitiveTypes.Float64, nil
	case parquet.ByteArray:
		switch lt.(type) {
		case nil:
			return ice.PrimitiveTypes.Binary, nil
		case *format.StringType, *format.EnumType, *format.JsonType:
			return ice.PrimitiveTypes.String, nil
		}
	case parquet.FixedLenByteArray:
		switch lt.(type) {
		case nil:
			return ice.FixedTypeOf(n.Type().Length()), nil
		case *format.UUIDType:
			return ice.PrimitiveTypes.UUID, nil
		}
	}
	return unsupported()
}

// newSchema is ice.NewSchema, which panics on a duplicate field ID, with
// the panic turned into an error.
func newSchema(fields []ice.NestedField) (sc *ice.Schema, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("iceberg: schema: %v", r)
		}
	}()
	return ice.NewSchema(0, fields...), nil
}

// partitionSpec is identity(provider), identity(app), day(fetched_at) on
// sc.
func partitionSpec(sc *ice.Schema) (ice.PartitionSpec, error) {
	src := map[string]int{}
	for _, name := range []string{ColumnProvider, ColumnApp, ColumnFetchedAt} {
		f, ok := sc.FindFieldByName(name)
		if !ok || !f.Required {
			return ice.PartitionSpec{}, fmt.Errorf("iceberg: schema: the partition spec needs a required column %s", name)
		}
		src[name] = f.ID
	}
	return ice.NewPartitionSpec(
		ice.PartitionField{SourceIDs: []int{src[ColumnProvider]}, FieldID: partProviderID, Name: ColumnProvider, Transform: ice.IdentityTransform{}},
		ice.PartitionField{SourceIDs: []int{src[ColumnApp]}, FieldID: partAppID, Name: ColumnApp, Transform: ice.IdentityTransform{}},
		ice.PartitionField{SourceIDs: []int{src[ColumnFetchedAt]}, FieldID: partDayID, Name: DayPartition, Transform: ice.DayTransform{}},
	), nil
}
