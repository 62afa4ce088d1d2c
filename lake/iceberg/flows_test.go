package iceberg_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chatlake/chatlake/lake/iceberg"
)

// The flows run against every catalog and warehouse: SQLite + local folder
// here, PostgreSQL + S3 in remote_test.go.
var flows = []struct {
	name string
	run  func(t *testing.T, cfg iceberg.Config)
}{
	{"AppendFind", testAppendFind},
	{"Conflict", testConflict},
	{"CompactExpire", testCompactExpire},
	{"LostAnswer", testLostAnswer},
}

// testLostAnswer: an Append whose commit landed but whose answer was lost
// looks, on the reload, like a conflict with a snapshot that is its own
// (parent = its base, its summary); it is recognised as committed, and
// nothing is doubled. The commit of a second handle with the same base
// stands in for the lost answer.
func testLostAnswer(t *testing.T, cfg iceberg.Config) {
	ctx := t.Context()
	landed, retried := open(t, cfg), open(t, cfg)
	rs := makeRows("volcengine", "a", day, 3, "once")
	f := writeFile(t, landed, "volcengine", "a", day, rs)
	summary := map[string]string{"chatlake.owner": "exp-1", "chatlake.epoch": "4", "chatlake.last_seq": "30"}
	if err := landed.Append(ctx, []string{f}, summary); err != nil {
		t.Fatal(err)
	}
	if err := retried.Append(ctx, []string{f}, summary); err != nil {
		t.Fatalf("Append() of a commit that already landed = %v, want nil", err)
	}
	if got := eventIDs(t, retried); !slices.Equal(got, idsOf(rs)) {
		t.Fatalf("event IDs = %v, want %v once", got, idsOf(rs))
	}
	other := map[string]string{"chatlake.owner": "exp-1", "chatlake.epoch": "5", "chatlake.last_seq": "33"}
	if err := retried.Append(ctx, []string{writeFile(t, retried, "volcengine", "a", day, makeRows("volcengine", "a", day, 1, "next"))}, other); err != nil {
		t.Fatalf("Append() on the recognised commit = %v, want nil", err)
	}
}

// testAppendFind: one Append of two files is one snapshot whose summary
// Find and Latest return; the rows are all there.
func testAppendFind(t *testing.T, cfg iceberg.Config) {
	ctx := t.Context()
	tbl := open(t, cfg)
	ns := cfg.Namespace
	if ns == "" {
		ns = iceberg.DefaultNamespace
	}
	if want := "/" + ns + ".db/" + iceberg.TableName; !strings.HasSuffix(tbl.Location(), want) {
		t.Errorf("Location() = %s, want it to end in %s", tbl.Location(), want)
	}
	if _, found, err := tbl.Latest(ctx, "chatlake.last_seq"); err != nil || found {
		t.Fatalf("Latest() on a new table = %v, %v; want not found", found, err)
	}
	f1 := writeFile(t, tbl, "volcengine", "a", day, makeRows("volcengine", "a", day, 10, "v"))
	f2 := writeFile(t, tbl, "yunxin", "b", day.AddDate(0, 0, 1), makeRows("yunxin", "b", day.AddDate(0, 0, 1), 5, "y"))
	summary := map[string]string{"chatlake.last_seq": "15", "chatlake.epoch": "1", "chatlake.owner": "exp-1", "chatlake.part": "0"}
	if err := tbl.Append(ctx, []string{f1, f2}, summary); err != nil {
		t.Fatalf("Append() = %v", err)
	}
	got, found, err := tbl.Find(ctx, "chatlake.epoch", "1")
	if err != nil || !found {
		t.Fatalf("Find(epoch 1) = %v, %v; want found", found, err)
	}
	for k, v := range summary {
		if got[k] != v {
			t.Errorf("Find(epoch 1) summary[%s] = %q, want %q", k, got[k], v)
		}
	}
	if got["added-data-files"] != "2" {
		t.Errorf("snapshot added-data-files = %s, want 2 (one snapshot for both files)", got["added-data-files"])
	}
	if _, found, _ := tbl.Find(ctx, "chatlake.epoch", "2"); found {
		t.Error("Find(epoch 2) = found, want not found")
	}
	appendRows(t, tbl, makeRows("volcengine", "a", day, 3, "w"), map[string]string{"chatlake.last_seq": "18", "chatlake.epoch": "2"})
	if got, _, _ := tbl.Latest(ctx, "chatlake.last_seq"); got["chatlake.last_seq"] != "18" {
		t.Errorf("Latest(last_seq) = %v, want 18", got)
	}
	if got, _, _ := tbl.Find(ctx, "chatlake.epoch", "1"); got["chatlake.last_seq"] != "15" {
		t.Errorf("Find(epoch 1) after epoch 2 = %v, want last_seq 15", got)
	}
	if n := count(t, tbl); n != 18 {
		t.Errorf("Count() = %d, want 18", n)
	}
	files, err := tbl.DataFiles(ctx)
	if err != nil || len(files) != 3 {
		t.Fatalf("DataFiles() = %v, %v; want 3 files", files, err)
	}
	for _, f := range files {
		if !strings.Contains(f.Location, "/data/provider=") || f.Records == 0 || f.Bytes == 0 {
			t.Errorf("DataFiles() has %+v", f)
		}
	}
}

// testConflict: two writers on the same base; the second commit fails
// with ErrConflict, adds nothing, and stays refused until the writer
// reloads.
func testConflict(t *testing.T, cfg iceberg.Config) {
	ctx := t.Context()
	a, b := open(t, cfg), open(t, cfg)
	appendRows(t, a, makeRows("volcengine", "a", day, 3, "a"), map[string]string{"chatlake.owner": "a", "chatlake.epoch": "1"})
	fb := writeFile(t, b, "volcengine", "a", day, makeRows("volcengine", "a", day, 4, "b"))
	err := b.Append(ctx, []string{fb}, map[string]string{"chatlake.owner": "b", "chatlake.epoch": "1"})
	if !errors.Is(err, iceberg.ErrConflict) {
		t.Fatalf("Append() on a stale base = %v, want ErrConflict", err)
	}
	if err := b.Append(ctx, []string{fb}, nil); !errors.Is(err, iceberg.ErrConflict) {
		t.Fatalf("second Append() on the same stale base = %v, want ErrConflict (no blind retry)", err)
	}
	if n := count(t, a); n != 3 {
		t.Fatalf("Count() after the refused append = %d, want 3", n)
	}
	if got, found, _ := b.Find(ctx, "chatlake.owner", "b"); found {
		t.Fatalf("Find(owner b) = %v, want not found", got)
	}
	if err := b.Append(ctx, []string{fb}, map[string]string{"chatlake.owner": "b"}); err != nil {
		t.Fatalf("Append() after Find = %v", err)
	}
	if n := count(t, a); n != 7 {
		t.Errorf("Count() = %d, want 7", n)
	}
}

// testCompactExpire: compaction with an append landing between its plan
// and its commit retries, loses and doubles nothing, carries the chatlake
// keys forward; expiry keeps the rows, and its dry run changes nothing.
func testCompactExpire(t *testing.T, cfg iceberg.Config) {
	ctx := t.Context()
	tbl, exporter := open(t, cfg), open(t, cfg)
	for i := range 5 {
		appendRows(t, tbl, makeRows("volcengine", "a", day, 4, "s"+string(rune('a'+i))), map[string]string{"chatlake.last_seq": "1" + string(rune('0'+i))})
	}
	appendRows(t, tbl, makeRows("yunxin", "b", day, 2, "other"), nil)
	next := day.AddDate(0, 0, 1)
	appendRows(t, tbl, makeRows("volcengine", "a", next, 2, "next1"), nil)
	appendRows(t, tbl, makeRows("volcengine", "a", next, 2, "next2"), nil)
	before := eventIDs(t, tbl)

	dry, err := tbl.Compact(ctx, iceberg.CompactOptions{DryRun: true})
	if err != nil || dry.FilesBefore != 8 || dry.FilesAfter != 3 {
		t.Fatalf("Compact(dry run) = %+v, %v; want 8 files before, 3 after", dry, err)
	}
	if files, _ := tbl.DataFiles(ctx); len(files) != 8 {
		t.Fatalf("DataFiles() after a dry run = %d files, want 8", len(files))
	}

	var steps []string
	late := makeRows("volcengine", "a", day, 3, "late")
	progress := func(p iceberg.Progress) {
		steps = append(steps, p.Step)
		if p.Step == "rewritten" && p.Attempt == 1 {
			if err := exporter.Refresh(ctx); err != nil {
				t.Fatal(err)
			}
			appendRows(t, exporter, late, map[string]string{"chatlake.last_seq": "99", "chatlake.epoch": "7"})
		}
	}
	part := &iceberg.Partition{Provider: "volcengine", App: "a", Day: day.Add(5 * time.Hour)}
	rep, err := tbl.Compact(ctx, iceberg.CompactOptions{Partition: part, Progress: progress})
	if err != nil {
		t.Fatalf("Compact() = %v (steps %v)", err, steps)
	}
	if rep.Attempts != 2 || !slices.Contains(steps, "conflict") {
		t.Errorf("Compact() attempts = %d, steps %v; want a conflict and a second attempt", rep.Attempts, steps)
	}
	if rep.FilesBefore != 6 || rep.FilesAfter != 1 || rep.SnapshotID == 0 {
		t.Errorf("Compact() = %+v, want the partition's 6 files into 1", rep)
	}
	want := slices.Sorted(slices.Values(append(before, idsOf(late)...)))
	if got := eventIDs(t, tbl); !slices.Equal(got, want) {
		t.Fatalf("event IDs after compaction = %v, want %v", got, want)
	}
	if files, _ := tbl.DataFiles(ctx); len(files) != 4 {
		t.Errorf("DataFiles() after compaction = %d files, want 4 (the day after is another partition)", len(files))
	}

	expireAll := iceberg.ExpireOptions{OlderThan: time.Nanosecond, OrphansOlderThan: time.Nanosecond, DryRun: true}
	dr, err := tbl.Expire(ctx, expireAll)
	if err != nil || dr.SnapshotsRemoved() == 0 || len(dr.OrphanFiles) == 0 {
		t.Fatalf("Expire(dry run) = %+v, %v; want snapshots and orphans to remove", dr, err)
	}
	dr2, err := tbl.Expire(ctx, expireAll)
	if err != nil || dr2.SnapshotsBefore != dr.SnapshotsBefore || len(dr2.OrphanFiles) != len(dr.OrphanFiles) {
		t.Fatalf("Expire(dry run) twice = %+v then %+v (%v): the dry run changed the table", dr, dr2, err)
	}
	expireAll.DryRun = false
	er, err := tbl.Expire(ctx, expireAll)
	if err != nil || er.SnapshotsAfter != 1 || len(er.OrphanFiles) == 0 {
		t.Fatalf("Expire() = %+v, %v; want 1 snapshot left and orphans deleted", er, err)
	}
	if again, err := tbl.Expire(ctx, expireAll); err != nil || again.SnapshotsRemoved() != 0 || len(again.OrphanFiles) != 0 {
		t.Errorf("Expire() with nothing to remove = %+v, %v", again, err)
	}
	expireAll.DryRun = true
	if after, _ := tbl.Expire(ctx, expireAll); len(after.OrphanFiles) != 0 || after.SnapshotsBefore != 1 {
		t.Errorf("Expire(dry run) after Expire() = %+v, want nothing left to remove", after)
	}
	if got := eventIDs(t, tbl); !slices.Equal(got, want) {
		t.Fatalf("event IDs after expiry = %d rows, want %d", len(got), len(want))
	}
	if got, found, _ := tbl.Latest(ctx, "chatlake.last_seq"); !found || got["chatlake.last_seq"] != "99" || got["chatlake.epoch"] != "7" {
		t.Errorf("Latest(last_seq) after compaction and expiry = %v, %v; want last_seq 99 epoch 7 carried forward", got, found)
	}
}

func idsOf(rs []row) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.EventID
	}
	return out
}
