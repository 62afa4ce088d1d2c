package exporter

import (
	"crypto/sha256"
	"encoding/hex"
	"path"
	"strings"
	"time"

	"github.com/chatlake/chatlake/lake/iceberg"
)

// Layout of the lake below the exporter's root:
//
//	conversations/provider=<p>/app=<app>/dt=<YYYY-MM-DD>/part-<epoch>-<owner>-<n>.parquet
//
// dt is the UTC date of the event's fetched_at.
const (
	lakeTable       = "conversations"
	emptyPartValue  = "__HIVE_DEFAULT_PARTITION__"
	maxPartValueLen = 128
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
		"provider="+SanitizePathValue(k.provider),
		"app="+SanitizePathValue(k.app),
		"dt="+SanitizePathValue(k.dt))
}

// SanitizePathValue makes a partition value safe as one path element, in the
// Hive style: bytes other than ASCII letters, digits, '-', '_' and '.' become
// %XX; a leading '.' is escaped too, so no value is "." or ".." or a hidden
// file. The empty value becomes __HIVE_DEFAULT_PARTITION__. Values longer
// than 128 bytes once escaped are cut and suffixed with a hash of the whole
// value, so distinct values stay distinct. The result never contains a path
// separator; no event can make the exporter write outside its root.
func SanitizePathValue(v string) string {
	if v == "" {
		return emptyPartValue
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if isSafePathByte(c) && (c != '.' || i > 0) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	s := b.String()
	if len(s) <= maxPartValueLen {
		return s
	}
	sum := sha256.Sum256([]byte(v))
	return s[:maxPartValueLen-17] + "~" + hex.EncodeToString(sum[:8])
}

const hexDigits = "0123456789ABCDEF"

func isSafePathByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '_' || c == '.'
}
