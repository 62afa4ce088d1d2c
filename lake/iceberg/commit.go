package iceberg

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	ice "github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
)

// ErrConflict says a commit was refused because the table moved on since
// its base: another writer committed first. Nothing of the refused commit
// is in the table. Append never retries it: the caller reloads (Refresh,
// Find, Latest), decides, and commits again if it still should.
var ErrConflict = errors.New("iceberg: the table changed since its base (a concurrent commit)")

// SummaryPrefix starts every summary key chatlake writes; Compact copies
// such keys forward.
const SummaryPrefix = "chatlake."

// Append adds files, complete Parquet data files at full locations (see
// DataLocation), to the table in one snapshot whose summary carries
// summary, and every other chatlake.* key of the base's ancestry with its
// newest value (as Compact does): so the current snapshot names the last
// epoch of every writer that keeps its own keys, such as the exporters of
// a partitioned stream, even once older snapshots are expired. Each file
// must hold one partition's rows (one provider, app and UTC day of
// fetched_at). It commits on the Table's base: when another
// writer committed since, it fails with an error wrapping ErrConflict and
// commits nothing. When the catalog's answer is lost but the commit
// happened (the current snapshot is this one), it returns nil.
func (t *Table) Append(ctx context.Context, files []string, summary map[string]string) error {
	if len(files) == 0 {
		return errors.New("iceberg: append: no files")
	}
	base := t.current()
	props := carried(base)
	maps.Copy(props, summary)
	tx := base.NewTransaction()
	if err := tx.AddFiles(ctx, files, props, true); err != nil {
		return fmt.Errorf("iceberg: append: %w", err)
	}
	next, err := tx.Commit(ctx)
	if err != nil {
		return t.commitError(ctx, base, summary, err)
	}
	t.setBase(next)
	return nil
}

// commitError decides what a failed commit on base means, by reloading
// the table: iceberg-go's stale-base error wraps no sentinel.
func (t *Table) commitError(ctx context.Context, base *table.Table, summary map[string]string, err error) error {
	cur, lerr := t.load(ctx)
	if lerr != nil {
		return fmt.Errorf("iceberg: commit: %w (and then: %v)", err, lerr)
	}
	was, now := snapshotID(base.CurrentSnapshot()), snapshotID(cur.CurrentSnapshot())
	if was == now {
		return fmt.Errorf("iceberg: commit: %w", err)
	}
	if s := cur.CurrentSnapshot(); len(summary) > 0 && parentID(s) == was && hasAll(s.Summary, summary) {
		t.setBase(cur) // ours: the commit landed, its answer was lost
		return nil
	}
	return fmt.Errorf("%w: snapshot %d is now %d: %v", ErrConflict, was, now, err)
}

func snapshotID(s *table.Snapshot) int64 {
	if s == nil {
		return 0
	}
	return s.SnapshotID
}

func parentID(s *table.Snapshot) int64 {
	if s == nil || s.ParentSnapshotID == nil {
		return 0
	}
	return *s.ParentSnapshotID
}

func hasAll(s *table.Summary, want map[string]string) bool {
	if s == nil {
		return false
	}
	for k, v := range want {
		if s.Properties[k] != v {
			return false
		}
	}
	return true
}

// Find reloads the table and walks the current snapshot's ancestry, newest
// first, for a snapshot whose summary has key=value; it returns a copy of
// that summary. The reloaded state becomes the Table's base, so "Find,
// then Append if not found" is fenced: a commit in between makes Append
// fail with ErrConflict.
func (t *Table) Find(ctx context.Context, key, value string) (map[string]string, bool, error) {
	return t.walk(ctx, func(p ice.Properties) bool { return p[key] == value })
}

// Latest is Find for the newest snapshot whose summary has key at all,
// whatever its value (for example the last committed chatlake.last_seq;
// compaction copies chatlake.* keys forward, so it stays findable after
// older snapshots are expired).
func (t *Table) Latest(ctx context.Context, key string) (map[string]string, bool, error) {
	return t.walk(ctx, func(p ice.Properties) bool { _, ok := p[key]; return ok })
}

func (t *Table) walk(ctx context.Context, match func(ice.Properties) bool) (map[string]string, bool, error) {
	tbl, err := t.load(ctx)
	if err != nil {
		return nil, false, err
	}
	t.setBase(tbl)
	for s := range ancestry(tbl) {
		if s.Summary != nil && match(s.Summary.Properties) {
			return maps.Clone(map[string]string(s.Summary.Properties)), true, nil
		}
	}
	return nil, false, nil
}

// ancestry yields tbl's current snapshot and its ancestors, newest first,
// as far as they are kept.
func ancestry(tbl *table.Table) func(yield func(*table.Snapshot) bool) {
	return func(yield func(*table.Snapshot) bool) {
		for s := tbl.CurrentSnapshot(); s != nil; {
			if !yield(s) || s.ParentSnapshotID == nil {
				return
			}
			s = tbl.SnapshotByID(*s.ParentSnapshotID)
		}
	}
}

// carried returns, for each chatlake.* key in tbl's ancestry, its newest
// value: what a compaction's summary must repeat so that Latest still finds
// it once older snapshots are expired.
func carried(tbl *table.Table) ice.Properties {
	out := ice.Properties{}
	for s := range ancestry(tbl) {
		if s.Summary == nil {
			continue
		}
		for k, v := range s.Summary.Properties {
			if _, seen := out[k]; !seen && strings.HasPrefix(k, SummaryPrefix) {
				out[k] = v
			}
		}
	}
	return out
}
