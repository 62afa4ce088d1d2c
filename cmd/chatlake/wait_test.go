package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/pipeline/runs"
	"github.com/chatlake/chatlake/schemas"
)

// completeRun makes run complete, as producer, exporter and finisher
// would: its jobs ended in states, their events committed.
func (c *cli) completeRun(t *testing.T, run string, states ...string) {
	t.Helper()
	ctx := t.Context()
	recs, err := runs.OpenRecords(ctx, c.js)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := recs.Begin(ctx, run); err != nil {
		t.Fatal(err)
	}
	st, err := pipeline.OpenJobStatuses(ctx, c.js)
	if err != nil {
		t.Fatal(err)
	}
	for i, state := range states {
		s := schemas.JobStatus{JobID: "j" + string(rune('a'+i)), Provider: "yunxin", App: "a1", UserID: "u", State: state, Run: run, UpdatedAt: time.Now()}
		if err := st.Put(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := recs.Seal(ctx, run); err != nil {
		t.Fatal(err)
	}
	if _, err := c.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: schemas.BucketExporter}); err != nil {
		t.Fatal(err)
	}
	f, err := runs.NewFinisher(ctx, c.js, nil, runs.FinisherConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Pass(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestWaitExitCodes(t *testing.T) {
	c := newCLI(t)
	c.completeRun(t, "ok", schemas.JobDone, schemas.JobDone)
	c.completeRun(t, "bad", schemas.JobDone, schemas.JobFailed)
	if out, _, err := c.run(t, "", "wait", "--run", "ok"); err != nil || !strings.Contains(out, "run ok: complete") {
		t.Errorf("wait --run ok = %q, %v; want exit 0", out, err)
	}
	out, _, err := c.run(t, "", "wait", "--run", "bad")
	if code := exitCode(err); code != exitFailures || !strings.Contains(out, "run bad: failed") {
		t.Errorf("wait --run bad = %q, %v (exit %d); want exit %d", out, err, code, exitFailures)
	}
	out, _, err = c.run(t, "", "status", "--run", "bad", "--watch", "--json")
	var s runs.Summary
	if err != nil || json.Unmarshal([]byte(out), &s) != nil || s.State != runs.StateFailed || s.Completions != 1 || s.DeadLetters != 1 {
		t.Errorf("status --run bad --watch --json = %q, %v; want one line, failed with 1 dead letter", out, err)
	}
}
