package schemas

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Values of the Hive-style partition folders of a Parquet lake
// (provider=<p>/app=<app>/dt=<day>, see pipeline/exporter), which a
// RunCompletion's RunLake.Partitions name too.
const (
	emptyPartValue  = "__HIVE_DEFAULT_PARTITION__"
	maxPartValueLen = 128
)

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
		b.WriteByte(pathHexDigits[c>>4])
		b.WriteByte(pathHexDigits[c&15])
	}
	s := b.String()
	if len(s) <= maxPartValueLen {
		return s
	}
	sum := sha256.Sum256([]byte(v))
	return s[:maxPartValueLen-17] + "~" + hex.EncodeToString(sum[:8])
}

const pathHexDigits = "0123456789ABCDEF"

func isSafePathByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '_' || c == '.'
}
