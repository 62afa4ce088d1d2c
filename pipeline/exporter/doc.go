// Package exporter turns the conversations stream into Parquet files in a
// lake, each event in exactly one visible file, even across crashes: it
// writes in epochs, commits each epoch in a key-value record with
// compare-and-set, and only then publishes its files (see Exporter). The
// commit record is also a lease, so a second exporter stands by. The
// stream may be split into parts (Config.Partitions, see parts.go), each
// with its own consumer, commit record and lease, so several exporters
// share one lake, one part each. Part 0's owner also dead-letters the
// events on subjects no part takes (see strays.go).
//
// The lake is a lake.Storage: a local folder (lake/folder) or object
// storage (lake/s3). The exporter talks only to that interface, and its
// crash and exactly-once tests run against every driver. ReadParts (and
// ReadCommit, for one part) reads the commit records for other programs,
// and PartOf tells which part holds an event's subject. FolderMarker and
// TableMarker mark a completed export run in the lake (runs.Marker).
package exporter
