package e2e_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/pipeline/runs"
	"github.com/chatlake/chatlake/providers/volcengine/volcsim"
	"github.com/chatlake/chatlake/providers/yunxin/yunxinsim"
	"github.com/chatlake/chatlake/schemas"
)

const e2eRun = "e2e-run"

// runUsers is the number of users per provider of the export run test:
// CHATLAKE_E2E_RUN_USERS, default 200 (CI's budget; the run of
// 1,000 is CHATLAKE_E2E_RUN_USERS=1000).
func runUsers(t *testing.T) int {
	v := os.Getenv("CHATLAKE_E2E_RUN_USERS")
	if v == "" {
		return 200
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("CHATLAKE_E2E_RUN_USERS=%q: want a positive number", v)
	}
	return n
}

// testExportRun follows one export run end to end: users of both
// providers, some of whom do not exist, against simulators that inject
// faults. status --run --json progresses to complete, wait exits 1 (jobs
// failed), the completion event and the lake's markers appear exactly
// once, the dead letters are listed by run, and replaying them reopens
// the run, which completes a second time.
func testExportRun(t *testing.T, bin string) {
	const ghosts = 3
	n := runUsers(t)
	c := newCluster(t, bin, "-missing-user-prefix", "ghost-", "-server-error-rate", "0.03", "-throttle-rate", "0.03",
		"-malformed-rate", "0.02", "-drop-rate", "0.02")
	var users []string
	for i := range n {
		users = append(users, strconv.Itoa(300000+i))
	}
	want := expected(users)
	for i := range ghosts {
		users = append(users, "ghost-"+strconv.Itoa(i))
	}
	file := filepath.Join(c.dir, "run-users.txt")
	if err := os.WriteFile(file, []byte(strings.Join(users, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, pa := range [][2]string{{schemas.ProviderVolcengine, strconv.Itoa(int(volcsim.TestAppID))}, {schemas.ProviderYunxin, yunxinsim.TestAppKey}} {
		out := c.chatlake("submit", "--run", e2eRun, "--provider", pa[0], "--app", pa[1], "--file", file)
		if !strings.Contains(out, "run "+e2eRun+": submitted "+strconv.Itoa(len(users))) {
			t.Fatalf("chatlake submit: %s", out)
		}
	}

	// status --json progresses: ended jobs and exported events never go
	// back, and it ends complete with the ghosts failed.
	var last runs.Summary
	waitFor(t, 90*time.Second+time.Duration(n)*100*time.Millisecond, "the run to complete", func() (bool, error) {
		var s runs.Summary
		if err := json.Unmarshal([]byte(c.chatlake("status", "--run", e2eRun, "--json")), &s); err != nil {
			return false, err
		}
		if s.Ended() < last.Ended() || s.Exported < last.Exported {
			t.Fatalf("status went back: %+v after %+v", s, last)
		}
		last = s
		return s.State != runs.StateRunning, errors.New(s.State)
	})
	if last.State != runs.StateFailed || last.Submitted != int64(2*len(users)) || last.DeadLetters != 2*ghosts || last.Exported != int64(len(want)) || last.Conversations != int64(len(want)) {
		t.Errorf("final status = %+v, want failed, %d jobs, %d dead letters, %d of %d exported", last, 2*len(users), 2*ghosts, len(want), len(want))
	}
	if code, out := c.wait(); code != 1 || !strings.Contains(out, "dead letters   6") {
		t.Errorf("chatlake wait = exit %d\n%s\nwant 1 (jobs failed)", code, out)
	}
	c.check(want)

	js := c.js()
	first := c.completions(js, 1)[0]
	if first.Completion != 1 || first.JobsFailed != 2*ghosts || first.Conversations != int64(len(want)) || len(first.Failures) != 2*ghosts {
		t.Errorf("completion = %+v", first)
	}
	for _, f := range first.Failures {
		if !strings.HasPrefix(f.UserID, "ghost-") || f.Class != schemas.ClassPermanent {
			t.Errorf("failure %+v: want a ghost user, permanent", f)
		}
	}
	c.checkMarkers(first, 1)

	// The dead letters of the run, then their replay: the run reopens,
	// the jobs fail again (the users still do not exist), and the run
	// completes a second time.
	if n := strings.Count(c.chatlake("dlq", "list", "--run", e2eRun, "--json"), "\n"); n != 2*ghosts {
		t.Errorf("dlq list --run: %d dead letters, want %d", n, 2*ghosts)
	}
	if out := c.chatlake("dlq", "list", "--run", "another-run", "--json"); strings.TrimSpace(out) != "" {
		t.Errorf("dlq list --run another-run = %q, want nothing", out)
	}
	if out := c.chatlake("dlq", "replay", "--run", e2eRun); !strings.Contains(out, "replayed 6, ") {
		t.Errorf("dlq replay --run: %s", out)
	}
	if code, out := c.wait(); code != 1 {
		t.Errorf("chatlake wait after the replay = exit %d\n%s\nwant 1", code, out)
	}
	second := c.completions(js, 2)[1]
	if second.Completion != 2 || second.JobsFailed != 2*ghosts || second.JobsDone != 2*int64(n) {
		t.Errorf("second completion = %+v, want completion 2 with the ghosts failed again", second)
	}
	c.checkMarkers(second, 2)
	c.stop()
}

// wait runs chatlake wait on the run and returns its exit code and output.
func (c *cluster) wait() (int, string) {
	ctx, cancel := context.WithTimeout(c.t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, "chatlake"), "wait", "--run", e2eRun, "--timeout", "90s")
	cmd.Env = append(os.Environ(), c.env...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out)
	case errors.As(err, &exit):
		return exit.ExitCode(), string(out)
	}
	c.t.Fatalf("chatlake wait: %v", err)
	return 0, ""
}

func (c *cluster) js() jetstream.JetStream {
	nc, err := nats.Connect(c.natsURL)
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		c.t.Fatal(err)
	}
	return js
}

// completions returns the run's completion events; there must be n.
func (c *cluster) completions(js jetstream.JetStream, n int) []schemas.RunCompletion {
	cs, err := runs.Completions(c.t.Context(), js, e2eRun)
	if err != nil {
		c.t.Fatal(err)
	}
	if len(cs) != n {
		c.t.Fatalf("%d completion events on %s, want %d: %+v", len(cs), schemas.RunSubject(e2eRun), n, cs)
	}
	return cs
}

// checkMarkers checks that the lake has exactly one marker of the run in
// each partition the completion names, each holding that completion.
func (c *cluster) checkMarkers(comp schemas.RunCompletion, completion int) {
	t := c.t
	var found []string
	err := filepath.WalkDir(c.lake, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), schemas.RunMarkerPrefix) {
			rel, _ := filepath.Rel(c.lake, p)
			found = append(found, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(comp.Lake.Markers) == 0 || strings.Join(found, ",") != strings.Join(comp.Lake.Markers, ",") {
		t.Fatalf("markers in the lake %v, want those of the completion %v", found, comp.Lake.Markers)
	}
	for _, m := range found {
		f, err := os.Open(filepath.Join(c.lake, m))
		if err != nil {
			t.Fatal(err)
		}
		var got schemas.RunCompletion
		err = json.NewDecoder(bufio.NewReader(f)).Decode(&got)
		f.Close()
		if err != nil || got.Completion != completion || got.Run != e2eRun {
			t.Errorf("marker %s = %+v, %v; want completion %d of %s", m, got, err, completion, e2eRun)
		}
	}
}
