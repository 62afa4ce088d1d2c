package runs_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/internal/natstest"
	"github.com/chatlake/chatlake/lake/folder"
	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/pipeline/exporter"
	"github.com/chatlake/chatlake/pipeline/runs"
	"github.com/chatlake/chatlake/schemas"
)

const day = "2026-12-01"

type env struct {
	js     jetstream.JetStream
	recs   *runs.Records
	st     *pipeline.JobStatuses
	root   string
	marker exporter.FolderMarker
}

func newEnv(t testing.TB) *env {
	t.Helper()
	_, js := natstest.Start(t).Connect(t)
	ctx := t.Context()
	if err := pipeline.EnsureStreams(ctx, js, pipeline.StreamsConfig{}); err != nil {
		t.Fatal(err)
	}
	if err := pipeline.EnsureJobBuckets(ctx, js, pipeline.JobBucketsConfig{}); err != nil {
		t.Fatal(err)
	}
	recs, err := runs.OpenRecords(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	st, err := pipeline.OpenJobStatuses(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	store, err := folder.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	return &env{js: js, recs: recs, st: st, root: root, marker: exporter.FolderMarker{Lake: store}}
}

// job records a job of run in state with its last event at seq, as the
// producer would.
func (e *env) job(t testing.TB, run, user, state string, seq uint64) schemas.JobStatus {
	t.Helper()
	s := schemas.JobStatus{JobID: "j-" + user, Provider: schemas.ProviderVolcengine, App: "123456", UserID: user, State: state,
		Conversations: 10, LastSeq: seq, Days: []string{day}, Run: run, UpdatedAt: time.Now().UTC()}
	if state == schemas.JobFailed {
		s.Conversations, s.LastSeq, s.Days, s.Reason, s.Class = 0, 0, nil, "user does not exist", schemas.ClassPermanent
	}
	if err := e.st.Put(t.Context(), s); err != nil {
		t.Fatal(err)
	}
	return s
}

// commit stores the exporter's commit record at lastSeq.
func (e *env) commit(t *testing.T, lastSeq uint64) {
	t.Helper()
	kv, err := e.js.CreateOrUpdateKeyValue(t.Context(), jetstream.KeyValueConfig{Bucket: schemas.BucketExporter})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(schemas.ExportCommit{Epoch: 1, LastSeq: lastSeq})
	if _, err := kv.Put(t.Context(), schemas.KeyExporterCommit, b); err != nil {
		t.Fatal(err)
	}
}

func (e *env) finisher(t *testing.T, crash func(string) error) *runs.Finisher {
	t.Helper()
	f, err := runs.NewFinisher(t.Context(), e.js, nil, runs.WithCrash(runs.FinisherConfig{Marker: e.marker}, crash))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// setup makes run "r1": one job done with events up to seq 42, one
// dead-lettered, sealed.
func (e *env) setup(t *testing.T) {
	t.Helper()
	if _, err := e.recs.Begin(t.Context(), "r1"); err != nil {
		t.Fatal(err)
	}
	e.job(t, "r1", "10001", schemas.JobDone, 42)
	e.job(t, "r1", "ghost-1", schemas.JobFailed, 0)
	if err := e.recs.Seal(t.Context(), "r1"); err != nil {
		t.Fatal(err)
	}
}

func (e *env) completions(t *testing.T, run string) []schemas.RunCompletion {
	t.Helper()
	cs, err := runs.Completions(t.Context(), e.js, run)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func (e *env) markerPath() string {
	return filepath.Join(e.root, "conversations", "provider=volcengine", "app=123456", "dt="+day, schemas.RunMarkerPrefix+"r1")
}

// markerCompletion returns the completion number in the marker, 0 if none.
func (e *env) markerCompletion(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile(e.markerPath())
	if errors.Is(err, os.ErrNotExist) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	var c schemas.RunCompletion
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatalf("marker: %v", err)
	}
	return c.Completion
}

func summary(t *testing.T, js jetstream.JetStream, run string) runs.Summary {
	t.Helper()
	r, err := runs.NewReader(t.Context(), js)
	if err != nil {
		t.Fatal(err)
	}
	s, err := r.Get(t.Context(), run)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRunCompletesOnlyOnceExported(t *testing.T) {
	e := newEnv(t)
	e.setup(t)
	f := e.finisher(t, nil)
	e.commit(t, 41) // one event of the done job is not in the lake yet
	if err := f.Pass(t.Context()); err != nil {
		t.Fatal(err)
	}
	if s := summary(t, e.js, "r1"); s.State != runs.StateRunning || s.Exported != 0 || s.Conversations != 10 {
		t.Fatalf("summary before the commit = %+v, want running with 0 of 10 exported", s)
	}
	if n := len(e.completions(t, "r1")); n != 0 {
		t.Fatalf("%d completions before the exporter committed, want 0", n)
	}
	e.commit(t, 42)
	for range 3 {
		if err := f.Pass(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	s := summary(t, e.js, "r1")
	if s.State != runs.StateFailed || s.Exported != 10 || s.DeadLetters != 1 || s.Completions != 1 || s.CompletedAt == nil {
		t.Errorf("summary = %+v, want failed (complete with 1 dead letter), 10 exported, 1 completion", s)
	}
	cs := e.completions(t, "r1")
	if len(cs) != 1 {
		t.Fatalf("%d completion events, want 1", len(cs))
	}
	c := cs[0]
	if c.Completion != 1 || c.JobsSubmitted != 2 || c.JobsDone != 1 || c.JobsFailed != 1 || c.FailuresTotal != 1 ||
		len(c.Failures) != 1 || c.Failures[0].UserID != "ghost-1" || c.LastSeq != 42 || len(c.Lake.Markers) != 1 {
		t.Errorf("completion = %+v", c)
	}
	if n := e.markerCompletion(t); n != 1 {
		t.Errorf("marker completion = %d, want 1", n)
	}
}

func TestUnsealedRunDoesNotComplete(t *testing.T) {
	e := newEnv(t)
	e.setup(t)
	if _, err := e.recs.Begin(t.Context(), "r1"); err != nil { // a second submit joins
		t.Fatal(err)
	}
	e.commit(t, 100)
	if err := e.finisher(t, nil).Pass(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := len(e.completions(t, "r1")); n != 0 {
		t.Fatalf("%d completions of an unsealed run, want 0", n)
	}
}

// TestFinisherCrashAtEveryStep crashes a finisher after each step, then
// lets another finish: the event and the marker are there exactly once.
func TestFinisherCrashAtEveryStep(t *testing.T) {
	for _, step := range runs.Steps {
		t.Run(step, func(t *testing.T) {
			e := newEnv(t)
			e.setup(t)
			e.commit(t, 42)
			boom := errors.New("boom")
			err := e.finisher(t, func(s string) error {
				if s == step {
					return boom
				}
				return nil
			}).Pass(t.Context())
			if !errors.Is(err, boom) {
				t.Fatalf("Pass with a crash at %s = %v, want the crash", step, err)
			}
			for range 2 {
				if err := e.finisher(t, nil).Pass(t.Context()); err != nil {
					t.Fatal(err)
				}
			}
			if n := len(e.completions(t, "r1")); n != 1 {
				t.Errorf("%d completion events after a crash at %s, want 1", n, step)
			}
			if n := e.markerCompletion(t); n != 1 {
				t.Errorf("marker completion = %d, want 1", n)
			}
			if s := summary(t, e.js, "r1"); s.Completions != 1 || s.State != runs.StateFailed {
				t.Errorf("summary = %+v, want 1 completion", s)
			}
		})
	}
}

func TestConcurrentFinishersCompleteOnce(t *testing.T) {
	e := newEnv(t)
	e.setup(t)
	e.commit(t, 42)
	var wg sync.WaitGroup
	for range 4 {
		f := e.finisher(t, nil)
		wg.Go(func() {
			for range 3 {
				f.Pass(t.Context()) // one may fail writing the marker another writes: it tries again
			}
		})
	}
	wg.Wait()
	if err := e.finisher(t, nil).Pass(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := e.markerCompletion(t); n != 1 {
		t.Errorf("marker completion = %d, want 1", n)
	}
	if n := len(e.completions(t, "r1")); n != 1 {
		t.Errorf("%d completion events from 4 finishers, want 1", n)
	}
}

// TestReplayReopensRun: a dead-lettered job requeued (as dlq replay does)
// reopens a completed run; it completes again, a second completion.
func TestReplayReopensRun(t *testing.T) {
	e := newEnv(t)
	e.setup(t)
	e.commit(t, 42)
	f := e.finisher(t, nil)
	if err := f.Pass(t.Context()); err != nil {
		t.Fatal(err)
	}
	ghost := e.job(t, "r1", "ghost-1", schemas.JobFailed, 0)
	ghost.State = schemas.JobQueued
	if err := e.st.PutRunJob(t.Context(), ghost); err != nil {
		t.Fatal(err)
	}
	if err := e.recs.Reopen(t.Context(), "r1"); err != nil {
		t.Fatal(err)
	}
	if err := f.Pass(t.Context()); err != nil {
		t.Fatal(err)
	}
	if s := summary(t, e.js, "r1"); s.State != runs.StateRunning || s.Jobs[schemas.JobQueued] != 1 {
		t.Fatalf("summary after the replay = %+v, want running with 1 queued", s)
	}
	e.job(t, "r1", "ghost-1", schemas.JobDone, 50)
	e.commit(t, 50)
	if err := f.Pass(t.Context()); err != nil {
		t.Fatal(err)
	}
	cs := e.completions(t, "r1")
	if len(cs) != 2 || cs[1].Completion != 2 || cs[1].JobsFailed != 0 || cs[1].JobsDone != 2 {
		t.Fatalf("completions = %+v, want a second one with both jobs done", cs)
	}
	if s := summary(t, e.js, "r1"); s.State != runs.StateComplete || s.Completions != 2 {
		t.Errorf("summary = %+v, want complete, 2 completions", s)
	}
	if n := e.markerCompletion(t); n != 2 {
		t.Errorf("marker completion = %d, want 2", n)
	}
}

func TestListAndNames(t *testing.T) {
	e := newEnv(t)
	e.setup(t)
	name := runs.NewName(time.Date(2026, 12, 1, 23, 0, 0, 0, time.UTC))
	if err := schemas.ValidateRun(name); err != nil {
		t.Fatalf("NewName() = %q: %v", name, err)
	}
	if _, err := e.recs.Begin(context.Background(), name); err != nil {
		t.Fatal(err)
	}
	got, err := runs.List(t.Context(), e.js)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[1].Name != "r1" || got[1].Submitted != 2 || got[0].Name != name || got[0].Submitted != 0 {
		t.Errorf("List() = %+v, want %s (empty) then r1 (2 jobs)", got, name)
	}
	if _, err := e.recs.Begin(t.Context(), "a.b"); err == nil {
		t.Error("Begin(a.b) = nil error, want an invalid name")
	}
}

// TestExportedNeverGoesBack: a running job's checkpoint grows (more
// conversations, a later last sequence) while the exporter commits behind
// it; the run's exported count counts ended jobs only, so it never drops
// when a committed job publishes more.
func TestExportedNeverGoesBack(t *testing.T) {
	e := newEnv(t)
	if _, err := e.recs.Begin(t.Context(), "r1"); err != nil {
		t.Fatal(err)
	}
	e.job(t, "r1", "10001", schemas.JobDone, 5)
	e.job(t, "r1", "10002", schemas.JobRunning, 10)
	e.commit(t, 10)
	before := summary(t, e.js, "r1")
	s := e.job(t, "r1", "10002", schemas.JobRunning, 20) // its second page
	s.Conversations = 20
	if err := e.st.Put(t.Context(), s); err != nil {
		t.Fatal(err)
	}
	after := summary(t, e.js, "r1")
	if after.Exported < before.Exported {
		t.Errorf("exported went back from %d to %d", before.Exported, after.Exported)
	}
	if before.Exported != 10 {
		t.Errorf("exported = %d, want 10 (the done job's)", before.Exported)
	}
}

// TestFollowerSummaryEqualsGet: a Follower's summary equals Reader.Get's
// as jobs are added and change state, and as the exporter commits.
func TestFollowerSummaryEqualsGet(t *testing.T) {
	e := newEnv(t)
	if _, err := e.recs.Begin(t.Context(), "r1"); err != nil {
		t.Fatal(err)
	}
	e.job(t, "r1", "10001", schemas.JobRunning, 5)
	r, err := runs.NewReader(t.Context(), e.js)
	if err != nil {
		t.Fatal(err)
	}
	f, err := r.Follow(t.Context(), "r1")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Stop()
	same := func(step string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			want, err := r.Get(t.Context(), "r1")
			if err != nil {
				t.Fatal(err)
			}
			got, err := f.Summary(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if reflect.DeepEqual(got, want) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: follower %+v, Get %+v", step, got, want)
			}
			time.Sleep(10 * time.Millisecond) // polling interval: the watch delivers asynchronously
		}
	}
	same("at the start")
	e.job(t, "r1", "10001", schemas.JobDone, 5)
	e.job(t, "r1", "ghost-1", schemas.JobFailed, 0)
	e.job(t, "r1", "10002", schemas.JobQueued, 0)
	same("after three writes")
	e.commit(t, 5)
	if err := e.recs.Seal(t.Context(), "r1"); err != nil {
		t.Fatal(err)
	}
	same("after the commit")
	if s, _ := f.Summary(t.Context()); s.Exported != 10 || s.Submitted != 3 || s.DeadLetters != 1 || len(s.Failures) != 1 {
		t.Errorf("summary = %+v, want 3 jobs, 10 exported, 1 dead letter", s)
	}
	e.job(t, "r1", "ghost-1", schemas.JobQueued, 0) // a replay: the failure is gone
	same("after a replay")
	if _, err := (func() (runs.Summary, error) {
		g, err := r.Follow(t.Context(), "nope")
		if err != nil {
			return runs.Summary{}, err
		}
		defer g.Stop()
		return g.Summary(t.Context())
	})(); !errors.Is(err, runs.ErrNoRun) {
		t.Errorf("Summary of an unknown run: %v, want ErrNoRun", err)
	}
}
