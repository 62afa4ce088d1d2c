package iceberg_test

import (
	"testing"

	"github.com/chatlake/chatlake/lake/iceberg"
)

// TestLocal runs the flows on the embedded default: an SQLite catalog in a
// local warehouse folder.
func TestLocal(t *testing.T) {
	for _, f := range flows {
		t.Run(f.name, func(t *testing.T) {
			f.run(t, iceberg.Config{Warehouse: t.TempDir()})
		})
	}
}
