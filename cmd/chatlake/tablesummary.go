package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/chatlake/chatlake/internal/config"
	"github.com/chatlake/chatlake/internal/stack/lakestack"
)

// tableInfo says where an Iceberg lake's table is, for the queries the
// demo prints.
type tableInfo struct {
	name      string // namespace.table
	metadata  string // the current metadata file, a local path
	location  string // the table's folder, a local path
	warehouse string // file:///...
	catalog   string // the SQLite catalog file, absolute
}

// icebergStats reads the lake's Iceberg table: its current snapshot's data
// files, and its rows counted by a scan.
func icebergStats(ctx context.Context, cfg *config.Config) (lakeStats, error) {
	tbl, err := lakestack.OpenTable(ctx, cfg)
	if err != nil {
		return lakeStats{}, err
	}
	defer tbl.Close()
	files, err := tbl.DataFiles(ctx)
	if err != nil {
		return lakeStats{}, err
	}
	st := lakeStats{files: len(files), root: absPath(cfg.Exporter.Root)}
	for _, f := range files {
		st.bytes += f.Bytes
	}
	if st.rows, err = tbl.Count(ctx); err != nil {
		return lakeStats{}, err
	}
	st.table = &tableInfo{
		name:      strings.Join(tbl.Identifier(), "."),
		metadata:  strings.TrimPrefix(tbl.MetadataLocation(), "file://"),
		location:  strings.TrimPrefix(tbl.Location(), "file://"),
		warehouse: "file://" + st.root,
		catalog:   absPath(cfg.Exporter.Iceberg.URI),
	}
	return st, nil
}

// printQueries shows how DuckDB, Spark and Trino read the table.
func (t *tableInfo) printQueries(w io.Writer) {
	const q = "SELECT provider, app, count(*) AS conversations, count(DISTINCT user_id) AS users FROM %s GROUP BY provider, app ORDER BY provider, app"
	fmt.Fprintf(w, "\nThe table's catalog is the SQLite file %s; its current metadata file is\n  %s\n", t.catalog, t.metadata)
	fmt.Fprintf(w, "\nQuery it with DuckDB (the iceberg extension reads that metadata file, the snapshot as of now):\n")
	fmt.Fprintf(w, "  duckdb -c \"INSTALL iceberg; LOAD iceberg; "+q+"\"\n", "iceberg_scan('"+t.metadata+"')")
	fmt.Fprintf(w, "or, without the extension, its data files (right until a compaction or a failed commit leaves files no snapshot uses):\n")
	fmt.Fprintf(w, "  duckdb -c \""+q+"\"\n", "read_parquet('"+t.location+"/data/**/*.parquet')")
	fmt.Fprintf(w, "\nSpark, through Iceberg's JDBC catalog on the same SQLite file (the catalog must be named chatlake):\n")
	fmt.Fprintf(w, "  spark-sql --packages org.apache.iceberg:iceberg-spark-runtime-3.5_2.12:1.10.1,org.xerial:sqlite-jdbc:3.50.3.0 \\\n")
	fmt.Fprintf(w, "    --conf spark.sql.catalog.chatlake=org.apache.iceberg.spark.SparkCatalog \\\n")
	fmt.Fprintf(w, "    --conf spark.sql.catalog.chatlake.type=jdbc \\\n")
	fmt.Fprintf(w, "    --conf spark.sql.catalog.chatlake.uri=jdbc:sqlite:%s \\\n", t.catalog)
	fmt.Fprintf(w, "    --conf spark.sql.catalog.chatlake.warehouse=%s \\\n", t.warehouse)
	fmt.Fprintf(w, "    -e \""+q+"\"\n", "chatlake."+t.name)
	fmt.Fprintf(w, "\nTrino: etc/catalog/chatlake.properties (and the sqlite-jdbc jar in plugin/iceberg/):\n")
	fmt.Fprintf(w, "  connector.name=iceberg\n  iceberg.catalog.type=jdbc\n  iceberg.jdbc-catalog.catalog-name=chatlake\n")
	fmt.Fprintf(w, "  iceberg.jdbc-catalog.driver-class=org.sqlite.JDBC\n  iceberg.jdbc-catalog.connection-url=jdbc:sqlite:%s\n", t.catalog)
	fmt.Fprintf(w, "  iceberg.jdbc-catalog.default-warehouse-dir=%s\n  fs.native-local.enabled=true\n  local.location=/\n", t.warehouse)
	fmt.Fprintf(w, "then: "+q+";\n", "chatlake."+t.name)
}
