package iceberg

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/iceberg-go/table"
)

// DataFile is one data file of the current snapshot.
type DataFile struct {
	Location string
	Records  int64
	Bytes    int64
}

// DataFiles lists the data files of the table's current snapshot, as
// iceberg-go's scan planning finds them; other readers (Arrow, DuckDB) can
// open them to check the table independently.
func (t *Table) DataFiles(ctx context.Context) ([]DataFile, error) {
	tbl, err := t.load(ctx)
	if err != nil {
		return nil, err
	}
	tasks, err := partitionTasks(ctx, tbl, nil)
	if err != nil {
		return nil, err
	}
	out := make([]DataFile, 0, len(tasks))
	for _, task := range tasks {
		out = append(out, DataFile{Location: task.File.FilePath(), Records: task.File.Count(), Bytes: task.File.FileSizeBytes()})
	}
	return out, nil
}

// Count scans the current snapshot with iceberg-go's reader and counts its
// rows.
func (t *Table) Count(ctx context.Context) (int64, error) {
	var n int64
	err := t.scan(ctx, nil, func(cols []string, rec arrow.RecordBatch) {
		n += rec.NumRows()
	})
	return n, err
}

// Rows scans the current snapshot with iceberg-go's reader and returns its
// rows as column name -> value (Arrow's JSON-ready value, nil for null),
// only columns when any are named. It holds every row in memory: for
// tests and small tables.
func (t *Table) Rows(ctx context.Context, columns ...string) ([]map[string]any, error) {
	var rows []map[string]any
	err := t.scan(ctx, columns, func(cols []string, rec arrow.RecordBatch) {
		for i := range int(rec.NumRows()) {
			row := make(map[string]any, len(cols))
			for c, name := range cols {
				if col := rec.Column(c); !col.IsNull(i) {
					row[name] = col.GetOneForMarshal(i)
				} else {
					row[name] = nil
				}
			}
			rows = append(rows, row)
		}
	})
	return rows, err
}

func (t *Table) scan(ctx context.Context, columns []string, each func([]string, arrow.RecordBatch)) error {
	tbl, err := t.load(ctx)
	if err != nil {
		return err
	}
	var opts []table.ScanOption
	if len(columns) > 0 {
		opts = append(opts, table.WithSelectedFields(columns...))
	}
	sc, batches, err := tbl.Scan(opts...).ToArrowRecords(ctx)
	if err != nil {
		return fmt.Errorf("iceberg: scan: %w", err)
	}
	names := make([]string, sc.NumFields())
	for i, f := range sc.Fields() {
		names[i] = f.Name
	}
	for rec, err := range batches {
		if err != nil {
			return fmt.Errorf("iceberg: scan: %w", err)
		}
		each(names, rec)
		rec.Release()
	}
	return nil
}
