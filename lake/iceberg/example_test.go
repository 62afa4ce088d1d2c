package iceberg_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/chatlake/chatlake/lake/iceberg"
)

// An exporter's epoch: write a partition's file where DataLocation says,
// commit it with the epoch's keys, and find where to resume.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "lake")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	type Row struct {
		EventID   string  `parquet:"event_id,id(1)"`
		FetchedAt int64   `parquet:"fetched_at,id(2),timestamp(microsecond:utc)"`
		Provider  string  `parquet:"provider,id(3),dict"`
		App       string  `parquet:"app,id(4),dict"`
		Name      *string `parquet:"name,id(5),optional"`
	}
	schema, err := iceberg.SchemaFromParquet(parquet.SchemaOf(Row{}))
	if err != nil {
		log.Fatal(err)
	}
	tbl, err := iceberg.Open(ctx, iceberg.Config{Warehouse: dir}, schema)
	if err != nil {
		log.Fatal(err)
	}
	defer tbl.Close()

	fetched := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	rows := []Row{
		{EventID: "e1", FetchedAt: fetched.UnixMicro(), Provider: "yunxin", App: "app1"},
		{EventID: "e2", FetchedAt: fetched.UnixMicro(), Provider: "yunxin", App: "app1"},
	}
	rel := iceberg.PartitionDir("yunxin", "app1", fetched) + "/epoch-1.parquet"
	w, err := tbl.Create(ctx, tbl.DataLocation(rel))
	if err != nil {
		log.Fatal(err)
	}
	if err := parquet.Write(w, rows); err != nil {
		log.Fatal(err)
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	if err := tbl.Append(ctx, []string{tbl.DataLocation(rel)}, map[string]string{"chatlake.epoch": "1", "chatlake.last_seq": "2"}); err != nil {
		log.Fatal(err)
	}

	last, found, err := tbl.Latest(ctx, "chatlake.last_seq")
	if err != nil {
		log.Fatal(err)
	}
	n, err := tbl.Count(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rel)
	fmt.Println(found, last["chatlake.last_seq"], n)
	// Output:
	// provider=yunxin/app=app1/fetched_at_day=2026-11-30/epoch-1.parquet
	// true 2 2
}
