package exporter_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/lake"
	"github.com/chatlake/chatlake/pipeline/exporter"
	"github.com/chatlake/chatlake/schemas"
)

// publishPartEvents stores events on their subjects in a stream of n
// parts and returns the last stream sequence of each part.
func publishPartEvents(t testing.TB, js jetstream.JetStream, events []schemas.ConversationEvent, n int) []uint64 {
	t.Helper()
	last := make([]uint64, n)
	for i := range events {
		job := schemas.Job{Provider: events[i].Provider, App: events[i].App, JobID: events[i].JobID}
		seq := publishRaw(t, js, schemas.EventSubject(job, n), events[i].EventID, mustJSON(t, events[i]))
		last[schemas.PartOf(schemas.JobKey(job), n)] = seq
	}
	return last
}

// waitParts polls until every part's commit record reaches its sequence.
func waitParts(t testing.TB, js jetstream.JetStream, last []uint64, within time.Duration) {
	t.Helper()
	waitFor(t, within, "every part committed", func() bool {
		recs, err := exporter.ReadParts(context.Background(), js)
		if err != nil || len(recs) != len(last) {
			return false
		}
		for p, rec := range recs {
			if rec.LastSeq < last[p] {
				return false
			}
		}
		return true
	})
}

// TestExporterPartsShareAFolder runs three exporters, each free to own
// any of three parts, on one folder lake: each takes one part, their
// files carry the part's number, the lake holds every event exactly once,
// an event published on another part's subject is dead-lettered, and an
// exporter's start-up sweep leaves the hidden files of other parts alone.
func TestExporterPartsShareAFolder(t *testing.T) {
	_, js := exporterStreams(t)
	root := t.TempDir()
	const n = 3
	cfg := exporterTestConfig()
	cfg.Partitions = n

	// Part 1's exporter is writing a file when part 0's starts.
	store := folderLake(t, root)
	other := "conversations/provider=volcengine/app=1/dt=2026-06-01/part-p1-0000000001-ab-0000.parquet"
	obj, err := store.Create(t.Context(), other)
	if err != nil {
		t.Fatal(err)
	}
	first := cfg
	first.Parts = []int{0}
	r := startExporter(t, js, store, first)
	waitFor(t, 20*time.Second, "part 0 claimed", func() bool {
		recs, err := exporter.ReadParts(context.Background(), js)
		return err == nil && len(recs) == n && recs[0].Owner != ""
	})
	if _, err := obj.Write([]byte("still written")); err != nil {
		t.Fatal(err)
	}
	ref, err := obj.Finish(t.Context())
	if err != nil {
		t.Fatalf("Finish() of part 1's file after part 0's start = %v", err)
	}
	if err := store.Publish(t.Context(), []lake.Ref{ref}); err != nil {
		t.Fatalf("Publish() of part 1's file after part 0's sweep = %v, want nil", err)
	}
	if err := r.stop(t); err != nil {
		t.Fatalf("Run() = %v", err)
	}
	if err := store.Sweep(t.Context(), "", nil); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(root, filepath.FromSlash(other))); err != nil {
		t.Fatal(err)
	}

	events := testEvents(1200, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	liar := events[len(events)-1]
	events = events[:len(events)-1]
	job := schemas.Job{Provider: liar.Provider, App: liar.App, JobID: liar.JobID}
	wrong := schemas.ConversationSubject(liar.Provider, liar.App) + "." + string(rune('0'+(schemas.PartOf(schemas.JobKey(job), n)+1)%n))
	publishRaw(t, js, wrong, liar.EventID, mustJSON(t, liar))
	last := publishPartEvents(t, js, events, n)
	var rs []*runningExporter
	for range n {
		rs = append(rs, startExporter(t, js, folderLake(t, root), cfg))
	}
	waitParts(t, js, last, 30*time.Second)
	for _, r := range rs {
		if err := r.stop(t); err != nil {
			t.Fatalf("Run() = %v", err)
		}
	}
	checkExactlyOnce(t, folderLake(t, root), events)
	perPart := map[string]int{}
	for _, f := range lakeFiles(t, root) {
		stem, _, ok := strings.Cut(strings.TrimPrefix(filepath.Base(f), "part-p"), "-")
		if !ok || !strings.HasPrefix(filepath.Base(f), "part-p") {
			t.Errorf("file %s is named after no part", f)
		}
		perPart[stem]++
	}
	if len(perPart) != n {
		t.Errorf("files by part = %v, want files of each of %d parts", perPart, n)
	}
	dls := deadLettersOf(t, js)
	if len(dls) != 1 || dls[0].Subject != wrong || !strings.Contains(dls[0].Reason, "do not match subject") {
		t.Errorf("dead letters = %+v, want the event on %s, another part's subject", dls, wrong)
	}
}
