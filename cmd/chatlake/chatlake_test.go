package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatlake/chatlake/internal/lockedbuf"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/internal/natstest"
	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/schemas"
)

type cli struct {
	url string
	js  jetstream.JetStream
}

func newCLI(t *testing.T) *cli {
	t.Helper()
	srv := natstest.Start(t)
	_, js := srv.Connect(t)
	if err := pipeline.EnsureStreams(t.Context(), js, pipeline.StreamsConfig{}); err != nil {
		t.Fatal(err)
	}
	if err := pipeline.EnsureJobBuckets(t.Context(), js, pipeline.JobBucketsConfig{}); err != nil {
		t.Fatal(err)
	}
	return &cli{url: srv.ClientURL(), js: js}
}

// run runs chatlake with args and stdin, and returns stdout and stderr.
func (c *cli) run(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out bytes.Buffer
	var errOut lockedbuf.Buffer
	env := map[string]string{"CHATLAKE_NATS_URL": c.url}
	err := run(t.Context(), args, &stdio{getenv: func(k string) string { return env[k] }, stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut})
	return out.String(), errOut.String(), err
}

func (c *cli) jobsInStream(t *testing.T) uint64 {
	t.Helper()
	return natstest.StreamLen(t, c.js, schemas.StreamJobs)
}

func TestSubmitTwiceDoesNotDoubleWork(t *testing.T) {
	c := newCLI(t)
	file := filepath.Join(t.TempDir(), "users.txt")
	if err := os.WriteFile(file, []byte("# users\n10001\n10002\n\n10003\n10002\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err := c.run(t, "", "submit", "--run", "r1", "--provider", "volcengine", "--app", "123456", "--file", file)
	if err != nil || !strings.Contains(out, "run r1: submitted 3, skipped 1 already known, invalid 0") {
		t.Fatalf("first submit = %q, %v; want 3 submitted, 1 skipped (the repeated line)", out, err)
	}
	out, _, err = c.run(t, "", "submit", "--run", "r1", "--provider", "volcengine", "--app", "123456", "--file", file)
	if err != nil || !strings.Contains(out, "submitted 0, skipped 4") {
		t.Errorf("second submit = %q, %v; want 0 submitted, 4 skipped", out, err)
	}
	if n := c.jobsInStream(t); n != 3 {
		t.Errorf("jobs stream holds %d jobs, want 3", n)
	}
	out, _, err = c.run(t, "", "submit", "--run", "r1", "--provider", "volcengine", "--app", "123456", "--force", "10001")
	if err != nil || !strings.Contains(out, "submitted 1") || c.jobsInStream(t) != 4 {
		t.Errorf("forced submit = %q, %v, %d jobs; want 1 submitted, 4 jobs", out, err, c.jobsInStream(t))
	}
	// Another run is another export of the same users.
	out, _, err = c.run(t, "", "submit", "--provider", "volcengine", "--app", "123456", "--file", file)
	if err != nil || !strings.Contains(out, ": submitted 3,") || !strings.HasPrefix(out, "run run-") {
		t.Errorf("submit to a new run = %q, %v; want a generated run name and 3 submitted", out, err)
	}
}

// TestSubmitManyAtOnce: jobs go out submitWorkers at a time, yet every
// job is published once, recorded in the run, and counted once, with the
// input's repeats skipped.
func TestSubmitManyAtOnce(t *testing.T) {
	c := newCLI(t)
	var in strings.Builder
	for i := range 400 {
		fmt.Fprintf(&in, "u%d\n", i*3/4) // 100 repeats, each right after its first: both in flight at once
	}
	out, _, err := c.run(t, in.String(), "submit", "--run", "many", "--provider", "yunxin", "--app", "appkey1", "-")
	if err != nil || !strings.Contains(out, "submitted 300, skipped 100 already known") {
		t.Fatalf("submit = %q, %v; want 300 submitted, 100 skipped", out, err)
	}
	if n := c.jobsInStream(t); n != 300 {
		t.Errorf("jobs stream holds %d jobs, want 300", n)
	}
	out, _, err = c.run(t, "", "status", "--run", "many", "--json")
	if err != nil || !strings.Contains(out, `"jobs_submitted":300`) || !strings.Contains(out, `"sealed":true`) {
		t.Errorf("status --run many --json = %q, %v; want 300 jobs, sealed", out, err)
	}
}

// TestRunsAndStatusOfARun: submitted jobs show in chatlake runs and
// status --run, the run is sealed once submit ends, and wait times out
// with exit code 3 while no producer runs.
func TestRunsAndStatusOfARun(t *testing.T) {
	c := newCLI(t)
	if _, _, err := c.run(t, "", "submit", "--run", "r2", "--provider", "yunxin", "--app", "appkey1", "u1", "u2"); err != nil {
		t.Fatal(err)
	}
	out, _, err := c.run(t, "", "runs")
	if err != nil || !strings.Contains(out, "r2") || !strings.Contains(out, "0/2") {
		t.Errorf("runs = %q, %v; want r2 with 0 of 2 jobs ended", out, err)
	}
	out, _, err = c.run(t, "", "status", "--run", "r2", "--json")
	if err != nil || !strings.Contains(out, `"jobs_submitted":2`) || !strings.Contains(out, `"sealed":true`) || !strings.Contains(out, `"state":"running"`) {
		t.Errorf("status --run r2 --json = %q, %v", out, err)
	}
	_, _, err = c.run(t, "", "wait", "--run", "r2", "--timeout", "300ms", "--every", "50ms")
	if code := exitCode(err); code != exitTimeout {
		t.Errorf("wait with no producer = %v (exit %d), want exit %d", err, code, exitTimeout)
	}
	_, _, err = c.run(t, "", "wait", "--run", "nope", "--timeout", "1s")
	if code := exitCode(err); code != exitError {
		t.Errorf("wait for a run that does not exist = %v (exit %d), want exit %d", err, code, exitError)
	}
}

func TestSubmitInputs(t *testing.T) {
	tests := []struct {
		name, stdin string
		args        []string
		want        string
		wantErr     string
	}{
		{"csv stdin", "name,user_id\nann,u1\nbob, u2\n", []string{"-"}, "submitted 2,", ""},
		{"args", "", []string{"a1", "a2", "a3"}, "submitted 3,", ""},
		{"invalid ids", "ok1\nbad id\n", []string{"-"}, "submitted 1, skipped 0 already known, invalid 1", "1 invalid user IDs"},
		{"csv without column", "name,email\nx,y\n", []string{"-"}, "", "no user_id column"},
		{"none", "", nil, "", "no user IDs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCLI(t)
			args := append([]string{"submit", "--provider", "yunxin", "--app", "appkey1"}, tt.args...)
			out, _, err := c.run(t, tt.stdin, args...)
			if !strings.Contains(out, tt.want) {
				t.Errorf("chatlake %v stdout = %q, want %q", args, out, tt.want)
			}
			if (tt.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("chatlake %v = %v, want error %q", args, err, tt.wantErr)
			}
		})
	}
}

func TestSubmitRejectsBadTarget(t *testing.T) {
	c := newCLI(t)
	for _, args := range [][]string{
		{"submit", "--provider", "wechat", "--app", "1", "u"},
		{"submit", "--provider", "volcengine", "--app", "x.>", "u"},
		{"submit", "--provider", "yunxin", "--app", "a", "--data-type", "1", "u"},
	} {
		if _, _, err := c.run(t, "", args...); err == nil {
			t.Errorf("chatlake %v = nil, want an error", args)
		}
	}
}

func TestStatusCountsAndFailures(t *testing.T) {
	c := newCLI(t)
	st, err := pipeline.OpenJobStatuses(t.Context(), c.js)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for i, s := range []schemas.JobStatus{
		{JobID: "j1", Provider: "volcengine", App: "1", UserID: "u1", State: schemas.JobDone, Pages: 2, Conversations: 30},
		{JobID: "j2", Provider: "volcengine", App: "1", UserID: "u2", State: schemas.JobFailed, Class: schemas.ClassPermanent, Reason: "user not found"},
		{JobID: "j3", Provider: "yunxin", App: "k", UserID: "u3", State: schemas.JobQueued},
	} {
		s.UpdatedAt = now.Add(time.Duration(i) * time.Second)
		if err := st.Put(t.Context(), s); err != nil {
			t.Fatal(err)
		}
	}
	out, _, err := c.run(t, "", "status")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"jobs 3, pages 2, conversations 30", "done      1", "failed    1", "queued    1", "user not found", "permanent"} {
		if !strings.Contains(out, want) {
			t.Errorf("status output lacks %q:\n%s", want, out)
		}
	}
	out, _, _ = c.run(t, "", "status", "--provider", "yunxin")
	if !strings.Contains(out, "jobs 1,") || strings.Contains(out, "user not found") {
		t.Errorf("status --provider yunxin:\n%s", out)
	}
}

func TestUsage(t *testing.T) {
	c := newCLI(t)
	_, errOut, err := c.run(t, "", "submit", "--help")
	if err != nil || !strings.Contains(errOut, "CHATLAKE_NATS_URL") || !strings.Contains(errOut, "user_id column") {
		t.Errorf("submit --help = %v:\n%s", err, errOut)
	}
	if _, _, err := c.run(t, "", "frobnicate"); err == nil {
		t.Error("unknown command = nil error")
	}
}
