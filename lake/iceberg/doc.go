// Package iceberg keeps the lake's conversations as an Apache Iceberg
// table, through github.com/apache/iceberg-go: a catalog holds the
// table's current metadata, the warehouse (a local folder or S3) its data
// and metadata files. Spark, Trino, Flink, DuckDB and Snowflake read it.
//
// # Catalogs
//
// Config.Catalog picks one:
//
//   - "sql" (the default): iceberg-go's SQL catalog, on an SQLite file
//     (the embedded default, pure Go through modernc.org/sqlite, no server:
//     catalog.db in a local warehouse unless Config.URI names another
//     file) or on PostgreSQL (Config.URI = postgres://..., through pgx).
//     Tested here: SQLite with a local warehouse, PostgreSQL with an S3
//     warehouse (a real PostgreSQL and a real S3 server, versitygw).
//   - "rest": an Iceberg REST catalog (Polaris, Lakekeeper, Nessie,
//     Gravitino, S3 Tables): Config.URI, Credential or Token,
//     RESTWarehouse, and Properties for the rest (rest.sigv4-enabled,
//     scope, prefix, ...). Configured and documented, not tested here.
//   - "glue": the AWS Glue Data Catalog, set up through Properties
//     (glue.region, glue.id, glue.access-key-id, ...) or the standard AWS
//     chain. Configured and documented, not tested here.
//
// # Table, schema and field IDs
//
// Open creates the namespace (default "chatlake") and the table
// "conversations" on first use, partitioned by identity(provider),
// identity(app) and day(fetched_at), and evolves it additively later: new
// optional columns are added with the IDs the caller gives them, columns
// are never dropped, renamed or retyped (Open refuses such a schema).
//
// The schema comes from the exporter's Parquet row type through
// SchemaFromParquet, so the files parquet-go writes carry the IDs the
// table knows. IDs are given in struct tags: id(N) on each field, and
// parquet-element:",id(N)" for list elements, parquet-key:",id(N)" and
// parquet-value:",id(N)" for map keys and values (parquet-go v0.32.0
// supports all of them). Suggested scheme: IDs in declaration order, the
// inner IDs of a list or map right after its own, a new column always
// above every ID used so far; an ID is never reused.
//
// # Writing and committing
//
// The exporter writes each data file, one partition's rows per file (one
// provider, app and UTC day of fetched_at: iceberg-go infers the partition
// from the file's column bounds), at
// DataLocation(PartitionDir(provider, app, fetchedAt) + "/" + name),
// through Create or its own storage. A written file is invisible to
// readers until a snapshot references it. Append then commits the files of
// an epoch in one snapshot whose summary carries the exporter's
// chatlake.* keys (last_seq, epoch, owner, part).
//
// The commit is the commit point, and it is fenced: it asserts that the
// table is still at the Table's base, so a second writer, or one that
// lost the table to another, fails with ErrConflict instead of committing
// over the other's work; iceberg-go's commit retries stay off
// (commit.retry.num-retries = 0; Open refuses a table where they are on).
// After a crash or a conflict the caller asks before it writes again:
// Find(ctx, "chatlake.epoch", e) says whether an epoch is in, Latest(ctx,
// "chatlake.last_seq") where to resume. Both reload the table and make it
// the base, so a commit that lands between the question and the next
// Append makes that Append fail too.
//
// Any commit moves the table, a compaction's or an expiry's too: an
// exporter's Append after one fails with ErrConflict, Find says its epoch
// is not in, and it appends again on the new base. A commit whose answer
// was lost (the catalog committed, then the connection broke) is
// recognised on the reload: when the table's current snapshot is the one
// Append made (its parent is the base and its summary has every key
// given), Append returns nil.
//
// # Maintenance
//
// Streaming commits make small files and many snapshots. Compact rewrites
// the small files of one partition or all into files near a target size,
// in one replace snapshot, safely while an exporter commits: on a conflict
// it reloads, plans and rewrites again, a bounded number of times. Its
// summary repeats the newest chatlake.* keys so Latest finds them after
// Expire removed older snapshots. Expire removes old snapshots and the
// orphan files left by failed commits. Both report what they did, take a
// progress callback and have a dry run that changes nothing.
//
// # Reading back
//
// Count, Rows and DataFiles read the current snapshot with iceberg-go's
// scanner (Arrow), for tests and checks; DataFiles lists the files so
// another reader can check them independently.
package iceberg
