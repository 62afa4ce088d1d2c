package exporter

import (
	"path"
	"time"

	"github.com/chatlake/chatlake/lake/iceberg"
	"github.com/chatlake/chatlake/schemas"
)

// Layout of the lake below the exporter's root:
//
//	conversations/provider=<p>/app=<app>/dt=<YYYY-MM-DD>/part-<epoch>-<owner>-<n>.parquet
//
// dt is the UTC date of the event's fetched_at.
const (
	lakeTable = "conversations"
)

// partitionKey is the partition a row lands in.
type partitionKey struct {
	provider, app, dt string
}

func newPartitionKey(provider, app string, fetchedAt time.Time) partitionKey {
	return partitionKey{provider: provider, app: app, dt: fetchedAt.UTC().Format(time.DateOnly)}
}

// partitionDir returns the folder of key's files relative to the lake's
// root: key.dir() in a Parquet lake; in an Iceberg table (whose location
// is the root) data/ and iceberg.PartitionDir, the folder Iceberg's
// writers use.
func (e *Exporter) partitionDir(key partitionKey) string {
	if e.cfg.Table == nil {
		return key.dir()
	}
	day, _ := time.Parse(time.DateOnly, key.dt) // made by newPartitionKey
	return path.Join(tableData, iceberg.PartitionDir(key.provider, key.app, day))
}

// tablePrefix is the folder below the root holding every file the exporter
// writes.
func (e *Exporter) tablePrefix() string {
	if e.cfg.Table == nil {
		return lakeTable
	}
	return tableData
}

// dir returns the partition's folder relative to the root, slash-separated.
func (k partitionKey) dir() string {
	return path.Join(lakeTable,
		"provider="+schemas.SanitizePathValue(k.provider),
		"app="+schemas.SanitizePathValue(k.app),
		"dt="+schemas.SanitizePathValue(k.dt))
}
