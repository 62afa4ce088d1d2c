package exporter

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/chatlake/chatlake/internal/natstest"
	"github.com/chatlake/chatlake/lake/iceberg"
	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/schemas"
)

// TestPartRecordsAreIndependent checks, on the real bucket, that each
// part's commit record is its own lease: claims and commits of one part
// never fence another's owner, while a stale owner of the same part is
// fenced.
func TestPartRecordsAreIndependent(t *testing.T) {
	_, js := natstest.Start(t).Connect(t)
	ctx := t.Context()
	kv, err := openCommitBucket(ctx, js, 1)
	if err != nil {
		t.Fatal(err)
	}
	store := func(p part) *commitStore {
		return newCommitStore(kvRecords{kv: kv, key: p.key()}, p, time.Minute)
	}
	p0, p1 := part{0, 3}, part{1, 3}
	a, b := store(p0), store(p1)
	if _, err := a.acquire(ctx, "a", discard); err != nil {
		t.Fatalf("acquire(part 0) = %v", err)
	}
	if _, err := b.acquire(ctx, "b", discard); err != nil {
		t.Fatalf("acquire(part 1) while part 0 is owned = %v, want nil", err)
	}
	for i, s := range []*commitStore{a, b} {
		rec := schemas.ExportCommit{Epoch: 1, LastSeq: uint64(10 + i), Owner: []string{"a", "b"}[i]}
		if err := s.commit(ctx, rec); err != nil {
			t.Fatalf("commit of part %s = %v, want nil", s.part, err)
		}
	}
	// c takes part 1 over from b (as after b's lease lapsed): b is fenced,
	// a is not.
	c := store(p1)
	cur, rev, err := c.recs.get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.claim(ctx, "c", cur, rev); err != nil {
		t.Fatalf("claim of part 1 by c = %v", err)
	}
	if err := b.commit(ctx, schemas.ExportCommit{Epoch: 2, LastSeq: 20, Owner: "b"}); !errors.Is(err, ErrFenced) {
		t.Errorf("commit by b, the stale owner of part 1 = %v, want ErrFenced", err)
	}
	if err := a.commit(ctx, schemas.ExportCommit{Epoch: 2, LastSeq: 30, Owner: "a"}); err != nil {
		t.Errorf("commit by a of part 0 after part 1's takeover = %v, want nil", err)
	}
	if err := pipeline.AgreePartitions(ctx, js, 3, 1); err != nil {
		t.Fatal(err)
	}
	recs, err := ReadParts(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[0].LastSeq != 30 || recs[0].Owner != "a" || recs[1].LastSeq != 11 || recs[1].Owner != "c" || recs[2].Owner != "" {
		t.Errorf("ReadParts() = %+v; want part 0 at 30 by a, part 1 at 11 by c, part 2 unclaimed", recs)
	}
}

// TestAgreePartitions: the first count stored wins; another is refused
// with both counts named, and the stored one is kept.
func TestAgreePartitions(t *testing.T) {
	_, js := natstest.Start(t).Connect(t)
	ctx := t.Context()
	if err := pipeline.AgreePartitions(ctx, js, 3, 1); err != nil {
		t.Fatalf("AgreePartitions(3) on a fresh NATS = %v, want nil", err)
	}
	if err := pipeline.AgreePartitions(ctx, js, 3, 1); err != nil {
		t.Fatalf("AgreePartitions(3) again = %v, want nil", err)
	}
	err := pipeline.AgreePartitions(ctx, js, 0, 1)
	if err == nil || !strings.Contains(err.Error(), "streams.partitions is 1") || !strings.Contains(err.Error(), "into 3 parts") {
		t.Errorf("AgreePartitions(0) after 3 = %v, want a mismatch naming 1 and 3", err)
	}
	if recs, err := ReadParts(ctx, js); err != nil || len(recs) != 3 {
		t.Errorf("ReadParts() = %d records, %v; want 3", len(recs), err)
	}
}

// TestPartNames: the part of a job's events is the one its subject names,
// the exporter's commit key and consumer follow, and one part of one keeps
// the unpartitioned names.
func TestPartNames(t *testing.T) {
	job := schemas.Job{Provider: schemas.ProviderYunxin, App: "k1", JobID: "j-42"}
	want := schemas.PartOf(schemas.JobKey(job), 4)
	subject := schemas.EventSubject(job, 4)
	got, key, err := PartOf(subject, 4)
	if err != nil || got != want || key != fmt.Sprintf("%s.%d", schemas.KeyExporterCommit, want) {
		t.Errorf("PartOf(%q, 4) = %d, %q, %v; want %d, %s.%d", subject, got, key, err, want, schemas.KeyExporterCommit, want)
	}
	if got, key, err := PartOf(schemas.ConversationSubject(job.Provider, job.App), 1); err != nil || got != 0 || key != schemas.KeyExporterCommit {
		t.Errorf("PartOf(unpartitioned) = %d, %q, %v; want 0, %s", got, key, err, schemas.KeyExporterCommit)
	}
	for _, bad := range []string{schemas.ConversationSubject(job.Provider, job.App), subject + ".x", schemas.ConversationSubject(job.Provider, job.App) + ".4", schemas.ConversationSubject(job.Provider, job.App) + ".01", "chatlake.jobs.yunxin.k1.1"} {
		if _, _, err := PartOf(bad, 4); err == nil {
			t.Errorf("PartOf(%q, 4) = nil error, want one", bad)
		}
	}
	one, three := part{0, 1}, part{2, 3}
	if one.consumer() != schemas.ConsumerExporter || one.key() != schemas.KeyExporterCommit || one.filter() != "" || one.summaryKey("epoch") != "chatlake.epoch" {
		t.Errorf("part 0 of 1: consumer %q, key %q, filter %q, summary %q; want the unpartitioned names", one.consumer(), one.key(), one.filter(), one.summaryKey("epoch"))
	}
	if three.consumer() != "chatlake-exporter-2" || three.filter() != "chatlake.conversations.*.*.2" || three.summaryKey("epoch") != "chatlake.p2.epoch" {
		t.Errorf("part 2 of 3: consumer %q, filter %q, summary %q", three.consumer(), three.filter(), three.summaryKey("epoch"))
	}
	if !three.owns("data/a/part-p2-0000000001-ab-0000.parquet") || three.owns("data/a/part-p1-0000000001-ab-0000.parquet") || three.owns("data/a/part-p22-1.parquet") {
		t.Error("part 2 of 3 owns files of other parts, or not its own")
	}
	counts := make([]int, 3)
	for i := range 3000 {
		counts[schemas.PartOf(fmt.Sprintf("volcengine.1.job-%d", i), 3)]++
	}
	for p, n := range counts {
		if n < 800 {
			t.Errorf("part %d holds %d of 3000 jobs, want about 1000", p, n)
		}
	}
}

// TestAcquireAnyPart: a standby that may own any part claims a free one
// at once, waits while every part is renewed, and takes over the part
// whose owner stopped renewing one lease later, not another.
func TestAcquireAnyPart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		recs := []*memRecords{{}, {}, {}}
		stores := func() []*commitStore {
			s := make([]*commitStore, len(recs))
			for i := range recs {
				s[i] = newCommitStore(recs[i], part{i, len(recs)}, lease)
			}
			return s
		}
		// Parts 0 and 2 owned and renewed; part 1 free.
		var kill []context.CancelFunc
		for _, i := range []int{0, 2} {
			s := stores()[i]
			if _, err := s.acquire(t.Context(), fmt.Sprint("owner-", i), discard); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(t.Context())
			kill = append(kill, cancel)
			go s.keep(ctx, discard)
		}
		first, _, err := acquireAny(t.Context(), stores(), "x", discard)
		if err != nil || first.part.index != 1 {
			t.Fatalf("acquireAny() = part %v, %v; want the free part 1", first.part, err)
		}
		ctx, stopFirst := context.WithCancel(t.Context())
		go first.keep(ctx, discard)
		done := make(chan *commitStore, 1)
		go func() {
			s, _, err := acquireAny(t.Context(), stores(), "y", discard)
			if err != nil {
				t.Error(err)
			}
			done <- s
		}()
		time.Sleep(3 * lease) // every part renewed: y must wait
		synctest.Wait()
		select {
		case s := <-done:
			t.Fatalf("acquireAny() claimed part %s while every owner renews", s.part)
		default:
		}
		kill[1]() // part 2's owner dies
		start := time.Now()
		s := <-done
		if s.part.index != 2 || time.Since(start) < lease {
			t.Errorf("acquireAny() took part %s after %v; want part 2, after at least %v", s.part, time.Since(start), lease)
		}
		if rec, _ := recs[2].state(); rec.Owner != "y" {
			t.Errorf("part 2's record names %q, want y", rec.Owner)
		}
		stopFirst()
		kill[0]()
	})
}

// TestIcebergAppendBetweenParts runs appendEpoch of two parts on one
// table through handles whose bases go stale: a conflict caused by
// another part's commit is retried on the new base and appends once; a
// stale owner of the same part, whose epoch the new owner appended, adds
// nothing, and one whose lease lapsed is fenced. Every part's last epoch
// stays in the current snapshot.
func TestIcebergAppendBetweenParts(t *testing.T) {
	ctx := t.Context()
	sch, err := iceberg.SchemaFromParquet(schemas.ParquetSchema())
	if err != nil {
		t.Fatal(err)
	}
	cfg := iceberg.Config{Warehouse: t.TempDir()}
	open := func() *iceberg.Table {
		tbl, err := iceberg.Open(ctx, cfg, sch)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { tbl.Close() })
		return tbl
	}
	// exporterOf is the owner of p appending through its own handle.
	exporterOf := func(p part, lease time.Duration) (*Exporter, *commitStore, *iceberg.Table) {
		tbl := open()
		s := newCommitStore(&memRecords{}, p, lease)
		if _, err := s.acquire(ctx, "o", discard); err != nil {
			t.Fatal(err)
		}
		return &Exporter{log: discard, cfg: Config{Table: tbl}.withDefaults()}, s, tbl
	}
	day := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	epoch := func(tbl *iceberg.Table, p part, n uint64, rows int) schemas.ExportCommit {
		rel := path.Join(iceberg.PartitionDir(schemas.ProviderVolcengine, "1", day), fmt.Sprintf("%s%d.parquet", p.fileStem(), n))
		writeRows(t, tbl, tbl.DataLocation(rel), p, n, rows, day)
		return schemas.ExportCommit{Epoch: n, LastSeq: 10 * n, Owner: "o", Files: []string{tableData + "/" + rel}}
	}

	e0, s0, t0 := exporterOf(part{0, 2}, time.Minute)
	e1, s1, t1 := exporterOf(part{1, 2}, time.Minute)
	for _, tbl := range []*iceberg.Table{t0, t1} {
		if err := tbl.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := e1.appendEpoch(ctx, s1, epoch(t1, part{1, 2}, 1, 5)); err != nil {
		t.Fatalf("part 1 appends epoch 1: %v", err)
	}
	// t0's base is before part 1's commit: the append conflicts and is
	// retried on the new base.
	if err := e0.appendEpoch(ctx, s0, epoch(t0, part{0, 2}, 1, 7)); err != nil {
		t.Fatalf("part 0 appends epoch 1 on a stale base: %v", err)
	}
	wantCount(t, t0, 12)

	// Part 0 changes hands: stale keeps its old base, fresh (the new
	// owner) appends epoch 2 as recovery would.
	stale, staleStore, staleTbl := exporterOf(part{0, 2}, time.Minute)
	if err := staleTbl.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	rec2 := epoch(t0, part{0, 2}, 2, 3)
	if err := e0.appendEpoch(ctx, s0, rec2); err != nil {
		t.Fatal(err)
	}
	if err := e1.appendEpoch(ctx, s1, epoch(t1, part{1, 2}, 2, 4)); err != nil {
		t.Fatal(err)
	}
	if err := stale.appendEpoch(ctx, staleStore, rec2); err != nil {
		t.Fatalf("stale owner of part 0 appends an epoch already in = %v, want nil", err)
	}
	wantCount(t, t0, 19)

	// A lease of a nanosecond has lapsed by the time of the append.
	fenced, fencedStore, fencedTbl := exporterOf(part{0, 2}, time.Nanosecond)
	if err := fencedTbl.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e1.appendEpoch(ctx, s1, epoch(t1, part{1, 2}, 3, 2)); err != nil {
		t.Fatal(err)
	}
	if err := fenced.appendEpoch(ctx, fencedStore, epoch(fencedTbl, part{0, 2}, 3, 6)); !errors.Is(err, ErrFenced) {
		t.Errorf("owner of part 0 whose lease lapsed appends = %v, want ErrFenced", err)
	}
	wantCount(t, t0, 21)

	last, found, err := t0.Latest(ctx, "chatlake.p0.epoch")
	if err != nil || !found || last["chatlake.p0.epoch"] != "2" || last["chatlake.p1.epoch"] != "3" {
		t.Errorf("current snapshot summary = %v (%v); want chatlake.p0.epoch 2 and chatlake.p1.epoch 3", last, err)
	}
}

// writeRows writes a data file of n rows of part p's epoch at location.
func writeRows(t *testing.T, tbl *iceberg.Table, location string, p part, epoch uint64, n int, day time.Time) {
	t.Helper()
	f, err := tbl.Create(t.Context(), location)
	if err != nil {
		t.Fatal(err)
	}
	w := parquet.NewGenericWriter[schemas.ConversationRow](f, Config{}.withDefaults().writerOptions()...)
	rows := make([]schemas.ConversationRow, n)
	for i := range rows {
		ev := schemas.ConversationEvent{
			SchemaVersion: schemas.EventSchemaVersion, EventID: fmt.Sprintf("%s-%d-%d", p, epoch, i), JobID: "j", FetchedAt: day,
			Conversation: schemas.Conversation{Provider: schemas.ProviderVolcengine, App: "1", UserID: "u", ConversationID: fmt.Sprint(i)},
		}
		rows[i] = schemas.RowFromEvent(&ev)
	}
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func wantCount(t *testing.T, tbl *iceberg.Table, want int64) {
	t.Helper()
	if n, err := tbl.Count(t.Context()); err != nil || n != want {
		t.Fatalf("table holds %d rows (%v), want %d", n, err, want)
	}
}
