package stack_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/chatlake/chatlake/internal/config"
	"github.com/chatlake/chatlake/internal/natstest"
	"github.com/chatlake/chatlake/internal/ops"
	"github.com/chatlake/chatlake/internal/stack"
	"github.com/chatlake/chatlake/internal/stack/lakestack"
	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/pipeline/runs"
	"github.com/chatlake/chatlake/providers/imsim"
	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/providers/volcengine/volcsim"
	"github.com/chatlake/chatlake/schemas"
)

// chromium returns Debian's chromium (or $CHATLAKE_CHROMIUM). Without it
// the test skips, except under CI=true, where .ci/run installs it.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHATLAKE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium not found: .ci/run installs Debian's chromium")
	}
	t.Skip("chromium not found (apt-get install chromium, or set CHATLAKE_CHROMIUM)")
	return ""
}

// TestStatusPageInBrowser loads the status page of a process whose
// producer and exporter export real jobs (one of them undecodable, so a
// dead letter) in headless chromium. It waits until the page shows a
// run's progress, the charts have drawn samples, and every section has
// its data; the page must raise no console error, no exception and no
// failed request, and must show data as text, never as markup.
func TestStatusPageInBrowser(t *testing.T) {
	chrome := chromium(t)
	ns := natstest.Start(t)
	_, js := ns.Connect(t)
	ctx := t.Context()
	if err := stack.Ensure(ctx, js, config.Streams{}); err != nil {
		t.Fatal(err)
	}
	reg := ops.NewRegistry()
	startPipeline(t, js, reg)
	submit(t, js)

	pc := stack.StatusPage(js)
	// The real run of the submitted jobs, as pipeline/runs summarizes it,
	// and one whose name is markup.
	pc.Runs = func(ctx context.Context) (any, error) {
		real, err := runs.List(ctx, js)
		out := []any{runInProgress}
		for _, r := range real {
			out = append(out, r)
		}
		return out, err
	}
	pc.Interval, pc.Refresh = 200*time.Millisecond, 500*time.Millisecond
	page, err := ops.NewPage(reg, pc)
	if err != nil {
		t.Fatal(err)
	}
	pctx, stopPage := context.WithCancel(ctx)
	pageDone := make(chan error, 1)
	go func() { pageDone <- page.Run(pctx) }()
	t.Cleanup(func() { stopPage(); <-pageDone })
	srv := httptest.NewServer(ops.Handler(reg, nil, page))
	t.Cleanup(srv.Close)

	b := startBrowser(t, chrome)
	// chromedp enables the log, network and runtime events b listens to.
	if _, err := chromedp.Run(b.ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatalf("load the page: %v", err)
	}
	want := map[string]func(pageState) bool{
		"the run's name as text, not markup": func(s pageState) bool {
			return strings.Contains(s.Runs, runInProgress["name"].(string)) && s.RunsMarkup == 0
		},
		"the run's progress: 412 of 1000 jobs, 62% exported": func(s pageState) bool {
			return strings.Contains(s.Runs, "412/1,000 jobs (41%)") && strings.Contains(s.Runs, "5,000/8,000 events in the lake (62%)") && s.Progress == "412"
		},
		"jobs done by this process's producer": func(s pageState) bool { return s.JobsDone >= 1 },
		"the real run of the 20 submitted jobs": func(s pageState) bool {
			return strings.Contains(s.Runs, pageRun) && strings.Contains(s.Runs, "/20 jobs")
		},
		"a throughput chart drawn with several samples": func(s pageState) bool {
			return s.ThroughputPoints >= 3 && s.Canvases >= 3
		},
		"the provider account and its breaker": func(s pageState) bool {
			return strings.Contains(s.Providers, "volc-test") && strings.Contains(s.Breakers, "closed")
		},
		"the exporter's last commit":        func(s pageState) bool { return strings.Contains(s.Exporter, "Last commit") },
		"the undecodable job's dead letter": func(s pageState) bool { return strings.Contains(s.DeadLetters, "invalid") },
		"no error shown by the page itself": func(s pageState) bool {
			return !strings.Contains(s.Body, "Cannot read") && !strings.Contains(s.Body, "[object")
		},
		"the window of the charts (60 minutes)": func(s pageState) bool { return strings.Contains(s.Body, "60 minutes") },
	}
	var last pageState
	deadline := time.Now().Add(40 * time.Second)
	for {
		last = b.state(t)
		var missing []string
		for what, ok := range want {
			if !ok(last) {
				missing = append(missing, what)
			}
		}
		if len(missing) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page never showed %v; it shows:\n%+v", missing, last)
		}
		time.Sleep(200 * time.Millisecond) // polling the page, not synchronizing
	}
	if errs := b.problems(); len(errs) > 0 {
		t.Errorf("the page raised problems:\n%s", strings.Join(errs, "\n"))
	}
}

// runInProgress is a run as pipeline/runs summarizes one, its name
// markup that the page must show as text.
var runInProgress = map[string]any{
	"name": `nightly <b id="injected">2026-12-01</b>`, "created": time.Now().Add(-time.Hour).UTC(), "updated": time.Now().UTC(),
	"jobs_submitted": 1000, "jobs_by_state": map[string]int{"queued": 500, "running": 88, "done": 400, "failed": 12},
	"conversations": 8000, "exported": 5000, "dead_letters": 12, "state": "running",
}

// startPipeline runs a producer and an exporter of one Volcengine account
// against the simulator (10% faults) until the test ends.
func startPipeline(t *testing.T, js jetstream.JetStream, reg *prometheus.Registry) {
	t.Helper()
	sim, err := imsim.New(imsim.Options{
		Seed: 1, FaultSeed: 1, VolcengineQPS: -1,
		Rates: simulator.Rates{ServerError: 0.1, Throttle: 0.1},
	})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(sim)
	t.Cleanup(hs.Close)
	cfg := &config.Config{Accounts: []config.Account{{
		Name: "volc-test", Provider: schemas.ProviderVolcengine, Endpoint: hs.URL,
		AccessKeyID: volcsim.TestAccessKeyID, SecretAccessKey: config.Secret(volcsim.TestSecretAccessKey),
		Apps: []string{strconv.Itoa(int(volcsim.TestAppID))},
	}}}
	cfg.Producer.RetryInitial = 100 * time.Millisecond
	cfg.Exporter.Root = t.TempDir()
	cfg.Exporter.IdleFlush = 200 * time.Millisecond
	if err := cfg.Validate(stack.Providers()); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	p, _, err := stack.NewProducer(cfg, stack.Providers(), js, reg, log)
	if err != nil {
		t.Fatal(err)
	}
	store, err := lakestack.OpenLake(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	e, err := lakestack.NewExporter(cfg, js, store, reg, log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(t.Context()))
	var wg sync.WaitGroup
	for _, run := range []func(context.Context) error{p.Run, e.Run} {
		wg.Go(func() {
			if err := run(ctx); err != nil {
				t.Errorf("run: %v", err)
			}
		})
	}
	t.Cleanup(func() { cancel(); wg.Wait() })
}

// pageRun is the export run of the jobs submit publishes.
const pageRun = "page-test"

// submit publishes a few users' jobs, in the run pageRun, and one
// undecodable job.
func submit(t *testing.T, js jetstream.JetStream) {
	t.Helper()
	sub, err := pipeline.NewSubmitter(t.Context(), js)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := runs.OpenRecords(t.Context(), js)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := recs.Begin(t.Context(), pageRun); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := recs.Seal(t.Context(), pageRun); err != nil {
			t.Fatal(err)
		}
	}()
	app := strconv.Itoa(int(volcsim.TestAppID))
	for i := range 20 {
		job := schemas.Job{Provider: schemas.ProviderVolcengine, App: app, UserID: strconv.Itoa(10000 + i), Run: pageRun}
		if _, err := sub.Submit(t.Context(), job, false); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := js.Publish(t.Context(), schemas.SubjectJobsPrefix+schemas.ProviderVolcengine+"."+app, []byte(`{"user_id": `)); err != nil {
		t.Fatal(err)
	}
}

// pageState is what the test reads of the page.
type pageState struct {
	Runs, Providers, Breakers, Exporter, DeadLetters, Body string
	RunsMarkup, ThroughputPoints, Canvases, JobsDone       int
	Progress                                               string
}

const readPage = `(() => {
  const text = (id) => (document.getElementById(id) || {}).textContent || "";
  const done = [...document.querySelectorAll("#jobs-process tr")].find((tr) => tr.firstChild && tr.firstChild.textContent === "done");
  const bar = document.querySelector("#runs progress");
  return {
    Runs: text("runs"), Providers: text("providers"), Breakers: text("breakers"),
    Exporter: text("exporter"), DeadLetters: text("dead-letters"), Body: document.body.textContent,
    RunsMarkup: document.querySelectorAll("#runs b, #injected").length,
    ThroughputPoints: Number((document.getElementById("throughput") || {dataset: {}}).dataset.points || 0),
    Canvases: document.querySelectorAll(".chart canvas").length,
    JobsDone: done ? Number(done.lastChild.textContent.replace(/,/g, "")) : 0,
    Progress: bar ? String(bar.value) : "",
  };
})()`

// browser is a headless chromium with one tab, and what it reported.
type browser struct {
	ctx  context.Context
	mu   sync.Mutex
	errs []string
}

// startBrowser starts chromium with a fresh profile and makes sure at
// cleanup that it and every process it started are gone.
func startBrowser(t *testing.T, chrome string) *browser {
	t.Helper()
	profile := t.TempDir()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome), chromedp.UserDataDir(profile), chromedp.NoSandbox,
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.WindowSize(1280, 1600))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.WithoutCancel(t.Context()), opts...)
	b := &browser{}
	ctx, cancelTab := chromedp.NewContext(actx, chromedp.WithListener(b.listen))
	b.ctx = ctx
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // kills chromium and waits for it
		waitGone(t, profile)
	})
	return b
}

func (b *browser) listen(ev any) {
	var msg string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
			var args []string
			for _, a := range ev.Args {
				args = append(args, string(a.Value)+a.Description)
			}
			msg = fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(args, " "))
		}
	case *runtime.EventExceptionThrown:
		msg = "exception: " + ev.ExceptionDetails.Text
		if ex := ev.ExceptionDetails.Exception; ex != nil {
			msg += " " + ex.Description
		}
	case *log.EventEntryAdded:
		if ev.Entry.Level == log.EntryLevelError || ev.Entry.Level == log.EntryLevelWarning {
			msg = fmt.Sprintf("log %s (%s): %s %s", ev.Entry.Level, ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
		}
	case *network.EventLoadingFailed:
		if !ev.Canceled {
			msg = fmt.Sprintf("request failed: %s (%s)", ev.ErrorText, ev.BlockedReason)
		}
	case *network.EventResponseReceived:
		if ev.Response.Status >= 400 {
			msg = fmt.Sprintf("HTTP %d for %s", ev.Response.Status, ev.Response.URL)
		}
	}
	if msg != "" {
		b.mu.Lock()
		b.errs = append(b.errs, msg)
		b.mu.Unlock()
	}
}

func (b *browser) problems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errs...)
}

func (b *browser) state(t *testing.T) pageState {
	t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[pageState](readPage))
	if err != nil {
		t.Fatalf("read the page: %v", err)
	}
	return s
}

// waitGone fails the test if a process started with the profile folder
// profile is still running 10 s after the browser was stopped.
func waitGone(t *testing.T, profile string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		left := processesWith(profile)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("chromium processes left running: %v", left)
			return
		}
		time.Sleep(100 * time.Millisecond) // polling /proc
	}
}

// processesWith lists the processes whose command line contains s.
func processesWith(s string) []string {
	dirs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	var out []string
	for _, d := range dirs {
		b, err := os.ReadFile(d)
		if err == nil && strings.Contains(string(b), s) {
			out = append(out, filepath.Base(filepath.Dir(d)))
		}
	}
	return out
}
