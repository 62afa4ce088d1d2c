package iceberg_test

import (
	"errors"
	"testing"
	"time"

	"github.com/chatlake/chatlake/lake/iceberg"
)

// TestTag: a tag names a snapshot only once the table holds the sequence,
// is idempotent, and moves forward for a later sequence.
func TestTag(t *testing.T) {
	tbl := open(t, iceberg.Config{Warehouse: t.TempDir()})
	ctx := t.Context()
	if id, err := tbl.Tag(ctx, "chatlake-run-r", 0); err != nil || id != 0 {
		t.Fatalf("Tag(empty table, 0) = %d, %v; want 0, nil", id, err)
	}
	d := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	appendRows(t, tbl, makeRows("volcengine", "1", d, 3, "a"), map[string]string{iceberg.LastSeqKey: "10"})
	if _, err := tbl.Tag(ctx, "chatlake-run-r", 11); !errors.Is(err, iceberg.ErrBehind) {
		t.Fatalf("Tag(seq 11 of a table at 10) = %v, want ErrBehind", err)
	}
	first, err := tbl.Tag(ctx, "chatlake-run-r", 10)
	if err != nil || first == 0 {
		t.Fatalf("Tag(10) = %d, %v", first, err)
	}
	appendRows(t, tbl, makeRows("volcengine", "1", d, 2, "b"), map[string]string{iceberg.LastSeqKey: "20"})
	if again, err := tbl.Tag(ctx, "chatlake-run-r", 10); err != nil || again != first {
		t.Errorf("Tag(10) again = %d, %v; want the same snapshot %d", again, err, first)
	}
	moved, err := tbl.Tag(ctx, "chatlake-run-r", 20)
	if err != nil || moved == first || moved == 0 {
		t.Errorf("Tag(20) = %d, %v; want a newer snapshot than %d", moved, err, first)
	}
}
