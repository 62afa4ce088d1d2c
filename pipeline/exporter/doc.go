// Package exporter turns the conversations stream into Parquet files in a
// lake, each event in exactly one visible file, even across crashes: it
// writes in epochs, commits each epoch in a key-value record with
// compare-and-set, and only then publishes its files (see Exporter). The
// commit record is also a lease, so a second exporter stands by.
//
// The lake is a lake.Storage: a local folder (lake/folder) or object
// storage (lake/s3). The exporter talks only to that interface, and its
// crash and exactly-once tests run against every driver. ReadCommit reads
// the commit record for other programs.
package exporter
