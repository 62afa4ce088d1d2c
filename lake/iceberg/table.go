package iceberg

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"
	"time"

	ice "github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/catalog"
	iceio "github.com/apache/iceberg-go/io"
	"github.com/apache/iceberg-go/table"
)

// tableProperties are set when the table is created. Streaming commits
// write a metadata file each; old ones are deleted as new ones land.
func tableProperties() ice.Properties {
	return ice.Properties{
		"format-version":                             "2",
		table.CommitNumRetriesKey:                    "0",
		"write.metadata.delete-after-commit.enabled": "true",
		"write.metadata.previous-versions-max":       "20",
	}
}

// Table is the conversations table in its catalog. Its methods are safe
// for concurrent use. Close releases the catalog connection.
//
// A Table remembers the table's state as of Open, Refresh, Find, Latest or
// its own last Append: that state is the base Append commits on, so an
// Append fails with ErrConflict when anyone else committed since.
type Table struct {
	cat   catalog.Catalog
	id    table.Identifier
	close func() error

	mu   sync.Mutex
	base *table.Table
}

// Open connects to cfg's catalog and returns its conversations table,
// creating the namespace and the table with schema (and the partition spec
// identity(provider), identity(app), day(fetched_at)) on first use. On
// later opens it adds the columns schema has and the table lacks; it
// never drops or retypes one, and a schema that would need to is an error.
func Open(ctx context.Context, cfg Config, schema *ice.Schema) (*Table, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	spec, err := partitionSpec(schema)
	if err != nil {
		return nil, err
	}
	cat, closeCat, err := openCatalog(ctx, cfg)
	if err != nil {
		return nil, err
	}
	t := &Table{cat: cat, id: table.Identifier{cfg.namespace(), TableName}, close: closeCat}
	if err := t.open(ctx, schema, spec); err != nil {
		closeCat()
		return nil, err
	}
	return t, nil
}

func (t *Table) open(ctx context.Context, schema *ice.Schema, spec ice.PartitionSpec) error {
	tbl, err := t.cat.LoadTable(ctx, t.id)
	if errors.Is(err, catalog.ErrNoSuchTable) {
		tbl, err = t.create(ctx, schema, spec)
	}
	if err != nil {
		return fmt.Errorf("iceberg: open table %s: %w", t.id, err)
	}
	if n := tbl.Properties().Get(table.CommitNumRetriesKey, "0"); n != "0" {
		return fmt.Errorf("iceberg: table %s has %s=%s: it must be 0, a retried append would not be fenced", t.id, table.CommitNumRetriesKey, n)
	}
	if tbl, err = t.evolve(ctx, tbl, schema); err != nil {
		return err
	}
	t.base = tbl
	return nil
}

// create makes the namespace and the table; another process doing the
// same at the same time is not an error.
func (t *Table) create(ctx context.Context, schema *ice.Schema, spec ice.PartitionSpec) (*table.Table, error) {
	ns := table.Identifier{t.id[0]}
	if err := t.cat.CreateNamespace(ctx, ns, nil); err != nil && !errors.Is(err, catalog.ErrNamespaceAlreadyExists) {
		return nil, fmt.Errorf("create namespace: %w", err)
	}
	tbl, err := t.cat.CreateTable(ctx, t.id, schema, catalog.WithPartitionSpec(&spec), catalog.WithProperties(tableProperties()))
	if errors.Is(err, catalog.ErrTableAlreadyExists) {
		return t.cat.LoadTable(ctx, t.id)
	}
	return tbl, err
}

// Close releases the catalog connection.
func (t *Table) Close() error { return t.close() }

// Identifier is the table's namespace and name.
func (t *Table) Identifier() []string { return append([]string(nil), t.id...) }

// Location is the table's root location (file:///... or s3://...).
func (t *Table) Location() string { return t.current().Location() }

// MetadataLocation is the location of the table's metadata file as of
// the base: what a reader without the catalog opens (DuckDB's
// iceberg_scan, for example).
func (t *Table) MetadataLocation() string { return t.current().MetadataLocation() }

// Schema is the table's current schema.
func (t *Table) Schema() *ice.Schema { return t.current().Schema() }

// DataLocation is the full location for a data file at rel under the
// table's data folder; rel is usually PartitionDir(...) + "/" + name.
func (t *Table) DataLocation(rel string) string {
	return strings.TrimRight(t.Location(), "/") + "/data/" + strings.TrimLeft(rel, "/")
}

// PartitionDir is the Hive-style folder of a partition, relative to the
// data folder: provider=P/app=A/fetched_at_day=YYYY-MM-DD, the day of
// fetchedAt in UTC. Values are escaped as Iceberg escapes them.
func PartitionDir(provider, app string, fetchedAt time.Time) string {
	return ColumnProvider + "=" + url.QueryEscape(provider) +
		"/" + ColumnApp + "=" + url.QueryEscape(app) +
		"/" + DayPartition + "=" + fetchedAt.UTC().Format(time.DateOnly)
}

// Create opens location for writing through the table's FileIO (local
// files or S3 multipart uploads); the file is complete when Close returns
// nil. A written file is part of the table only once Append names it.
func (t *Table) Create(ctx context.Context, location string) (io.WriteCloser, error) {
	fs, err := t.current().FS(ctx)
	if err != nil {
		return nil, fmt.Errorf("iceberg: file io: %w", err)
	}
	wfs, ok := fs.(iceio.WriteFileIO)
	if !ok {
		return nil, fmt.Errorf("iceberg: the file io of %s cannot write", t.Location())
	}
	w, err := wfs.Create(location)
	if err != nil {
		return nil, fmt.Errorf("iceberg: create %s: %w", location, err)
	}
	return w, nil
}

// Refresh reloads the table from the catalog; the next Append commits on
// what it finds.
func (t *Table) Refresh(ctx context.Context) error {
	tbl, err := t.load(ctx)
	if err != nil {
		return err
	}
	t.setBase(tbl)
	return nil
}

// load reads the table's current state from the catalog without changing
// the base.
func (t *Table) load(ctx context.Context) (*table.Table, error) {
	tbl, err := t.cat.LoadTable(ctx, t.id)
	if err != nil {
		return nil, fmt.Errorf("iceberg: load table %s: %w", t.id, err)
	}
	return tbl, nil
}

func (t *Table) current() *table.Table {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.base
}

func (t *Table) setBase(tbl *table.Table) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.base = tbl
}
