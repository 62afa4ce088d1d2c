package iceberg

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/apache/iceberg-go/table"
)

// ErrBehind says the table does not hold the events asked for yet: the
// exporter has committed them but not appended them to the table. Ask
// again later.
var ErrBehind = errors.New("iceberg: the table is behind the commit record")

// TagMaxAge is the max-ref-age of a tag Tag sets: a tag keeps its
// snapshot (and the files only it references) from expiring, until
// `chatlake lake expire` drops the tag once older than this.
const TagMaxAge = 30 * 24 * time.Hour

// LastSeqKey is the snapshot summary key of the last stream sequence an
// epoch's append holds (the exporter writes it; compaction carries it).
const LastSeqKey = SummaryPrefix + "last_seq"

// Tag names with tag (an Iceberg tag ref, which engines query as
// `VERSION AS OF 'tag'`) the table's current snapshot, provided it holds
// every event up to stream sequence lastSeq (its chatlake.last_seq is at
// least that), and returns the snapshot's ID. It is idempotent: a tag that
// names a snapshot holding lastSeq already is left as it is; an older one
// is moved, with compare-and-set on the ref, so two callers cannot both
// move it. A table behind lastSeq gives ErrBehind; an empty table and
// lastSeq 0 give 0 and no tag.
func (t *Table) Tag(ctx context.Context, tag string, lastSeq uint64) (int64, error) {
	tbl, err := t.load(ctx)
	if err != nil {
		return 0, err
	}
	var old *int64
	if ref, ok := refOf(tbl, tag); ok {
		if holds(tbl.SnapshotByID(ref.SnapshotID), tbl, lastSeq) {
			return ref.SnapshotID, nil
		}
		old = &ref.SnapshotID
	}
	cur := tbl.CurrentSnapshot()
	if cur == nil && lastSeq == 0 {
		return 0, nil // nothing to hold and nothing to name
	}
	if cur == nil || !holds(cur, tbl, lastSeq) {
		return 0, fmt.Errorf("tag %s at sequence %d: %w", tag, lastSeq, ErrBehind)
	}
	_, _, err = t.cat.CommitTable(ctx, t.id,
		[]table.Requirement{table.AssertTableUUID(tbl.Metadata().TableUUID()), table.AssertRefSnapshotID(tag, old)},
		[]table.Update{table.NewSetSnapshotRefUpdate(tag, cur.SnapshotID, table.TagRef, TagMaxAge.Milliseconds(), 0, 0)})
	if err != nil {
		return 0, fmt.Errorf("iceberg: tag %s: %w", tag, err)
	}
	return cur.SnapshotID, nil
}

func refOf(tbl *table.Table, name string) (table.SnapshotRef, bool) {
	for n, ref := range tbl.Metadata().Refs() {
		if n == name {
			return ref, true
		}
	}
	return table.SnapshotRef{}, false
}

// holds reports whether snapshot s of tbl holds every event up to lastSeq:
// the newest chatlake.last_seq in its ancestry is at least lastSeq.
func holds(s *table.Snapshot, tbl *table.Table, lastSeq uint64) bool {
	if lastSeq == 0 {
		return s != nil
	}
	for ; s != nil; s = parentOf(tbl, s) {
		if s.Summary == nil {
			continue
		}
		if v, ok := s.Summary.Properties[LastSeqKey]; ok {
			n, err := strconv.ParseUint(v, 10, 64)
			return err == nil && n >= lastSeq
		}
	}
	return false
}

func parentOf(tbl *table.Table, s *table.Snapshot) *table.Snapshot {
	if s.ParentSnapshotID == nil {
		return nil
	}
	return tbl.SnapshotByID(*s.ParentSnapshotID)
}
