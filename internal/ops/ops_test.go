package ops_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	natsserver "github.com/nats-io/nats-server/v2/test"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/chatlake/chatlake/internal/config"
	"github.com/chatlake/chatlake/internal/ops"
)

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code, rec.Body.String()
}

func TestHandler(t *testing.T) {
	reg := ops.NewRegistry()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "chatlake_test_total", Help: "test"})
	reg.MustRegister(c)
	c.Inc()
	var natsErr error
	h := ops.Handler(reg, ops.Checks{"nats": func() error { return natsErr }, "producer": func() error { return nil }}, nil)

	tests := []struct {
		path     string
		natsErr  error
		code     int
		contains string
	}{
		{"/healthz", errors.New("down"), 200, "ok"},
		{"/readyz", nil, 200, "ready"},
		{"/readyz", errors.New("not connected"), 503, "nats: not connected"},
		{"/metrics", nil, 200, "chatlake_test_total 1"},
		{"/metrics", nil, 200, "go_goroutines"},
	}
	for _, tt := range tests {
		natsErr = tt.natsErr
		code, body := get(t, h, tt.path)
		if code != tt.code || !strings.Contains(body, tt.contains) {
			t.Errorf("GET %s (nats %v) = %d %.80q, want %d containing %q", tt.path, tt.natsErr, code, body, tt.code, tt.contains)
		}
	}
}

func TestPprofOnlyWhenAskedFor(t *testing.T) {
	h := ops.Handler(ops.NewRegistry(), nil, nil)
	if code, _ := get(t, h, "/debug/pprof/"); code != http.StatusNotFound {
		t.Errorf("GET /debug/pprof/ without pprof = %d, want 404", code)
	}
	p := ops.WithPprof(h)
	if code, body := get(t, p, "/debug/pprof/"); code != 200 || !strings.Contains(body, "goroutine") {
		t.Errorf("GET /debug/pprof/ = %d %.80q, want the profile index", code, body)
	}
	if code, body := get(t, p, "/healthz"); code != 200 || !strings.Contains(body, "ok") {
		t.Errorf("GET /healthz through pprof = %d %q, want the handler's", code, body)
	}
}

func TestServeStopsWithContext(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- ops.Serve(ctx, ln, ops.Handler(ops.NewRegistry(), nil, nil), slog.New(slog.DiscardHandler))
	}()
	resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Serve after cancel = %v, want nil", err)
	}
}

func TestConnectNATSWithToken(t *testing.T) {
	opts := natsserver.DefaultTestOptions
	opts.Port = -1
	opts.Authorization = "s3cret-token"
	s := natsserver.RunServer(&opts)
	t.Cleanup(s.Shutdown)
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))

	nc, err := ops.ConnectNATS(config.NATS{URL: s.ClientURL(), Token: "s3cret-token"}, "test", log)
	if err != nil {
		t.Fatalf("ConnectNATS with the token = %v", err)
	}
	nc.Close()
	_, err = ops.ConnectNATS(config.NATS{URL: s.ClientURL(), Token: "wrong-token"}, "test", log)
	if err == nil {
		t.Fatal("ConnectNATS with a wrong token succeeded")
	}
	if strings.Contains(err.Error(), "wrong-token") || strings.Contains(logs.String(), "s3cret-token") {
		t.Errorf("a token leaked: err %v, logs %s", err, logs.String())
	}
}

func TestConnectNATSUserPassword(t *testing.T) {
	opts := natsserver.DefaultTestOptions
	opts.Port = -1
	opts.Username, opts.Password = "chatlake", "pw"
	s := natsserver.RunServer(&opts)
	t.Cleanup(s.Shutdown)
	log := slog.New(slog.DiscardHandler)
	for _, tt := range []struct {
		pw config.Secret
		ok bool
	}{{"pw", true}, {"nope", false}} {
		nc, err := ops.ConnectNATS(config.NATS{URL: s.ClientURL(), User: "chatlake", Password: tt.pw}, "test", log)
		if (err == nil) != tt.ok {
			t.Errorf("ConnectNATS(password ok=%v) = %v", tt.ok, err)
		}
		if nc != nil {
			nc.Close()
		}
	}
}

func TestNewLogger(t *testing.T) {
	var b bytes.Buffer
	log, err := ops.NewLogger(&b, "warn")
	if err != nil {
		t.Fatal(err)
	}
	log.Info("hidden")
	log.Warn("shown", "job_id", "j")
	if out := b.String(); strings.Contains(out, "hidden") || !strings.Contains(out, `"job_id":"j"`) {
		t.Errorf("NewLogger(warn) wrote %q", out)
	}
	if _, err := ops.NewLogger(io.Discard, "loud"); err == nil {
		t.Error("NewLogger(loud) = nil error")
	}
}

func TestConnectNATSErrorNamesTheServerNotTheSecret(t *testing.T) {
	c := config.NATS{URL: "nats://alice:s3cret@127.0.0.1:1,nats://tok3n@127.0.0.1:2"}
	_, err := ops.ConnectNATS(c, "test", slog.New(slog.DiscardHandler))
	if err == nil {
		t.Fatal("ConnectNATS to closed ports = nil error")
	}
	msg := err.Error()
	if !strings.Contains(msg, "127.0.0.1:1") || strings.Contains(msg, "s3cret") || strings.Contains(msg, "tok3n") || strings.Contains(msg, "alice") {
		t.Errorf("ConnectNATS error = %q; want the servers named without their credentials", msg)
	}
}

// TestStatusPageOfAnEmptyRegistry: a process without chatlake's metrics
// and without PageConfig functions still serves the page, its assets and
// a status whose sections say they have no data.
func TestStatusPageOfAnEmptyRegistry(t *testing.T) {
	page, err := ops.NewPage(ops.NewRegistry(), ops.PageConfig{})
	if err != nil {
		t.Fatal(err)
	}
	h := ops.Handler(ops.NewRegistry(), nil, page)
	for path, want := range map[string]string{
		"/":                               "<title>chatlake status</title>",
		"/static/status.js":               "/api/status",
		"/static/uplot/uPlot.iife.min.js": "uPlot",
		"/static/uplot/LICENSE":           "MIT",
	} {
		if code, body := get(t, h, path); code != 200 || !strings.Contains(body, want) {
			t.Errorf("GET %s = %d %.60q, want 200 containing %q", path, code, body, want)
		}
	}
	code, body := get(t, h, "/api/status")
	var st struct {
		Runs        struct{ Enabled bool }
		Jobs        *struct{}
		Providers   *struct{}
		Exporter    *struct{}
		DeadLetters struct {
			Producer *float64
			ByReason struct{ Enabled bool } `json:"by_reason"`
		} `json:"dead_letters"`
	}
	if err := json.Unmarshal([]byte(body), &st); code != 200 || err != nil {
		t.Fatalf("GET /api/status = %d %v: %.200s", code, err, body)
	}
	if st.Runs.Enabled || st.Jobs != nil || st.Providers != nil || st.Exporter != nil || st.DeadLetters.Producer != nil || st.DeadLetters.ByReason.Enabled {
		t.Errorf("GET /api/status of an empty registry = %s, want every section empty", body)
	}
	if code, _ := get(t, h, "/nothing"); code != 404 {
		t.Errorf("GET /nothing = %d, want 404", code)
	}
}

// TestStatusPageForbidsScriptsFromData: the page's own scripts only, so
// markup that reached the DOM could not run.
func TestStatusPageForbidsScriptsFromData(t *testing.T) {
	page, err := ops.NewPage(ops.NewRegistry(), ops.PageConfig{})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	ops.Handler(ops.NewRegistry(), nil, page).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe") {
		t.Errorf("Content-Security-Policy = %q, want default-src 'self' and nothing unsafe", csp)
	}
}

func TestStatusPageRunsError(t *testing.T) {
	page, err := ops.NewPage(ops.NewRegistry(), ops.PageConfig{
		Runs: func(context.Context) (any, error) { return nil, errors.New("runs bucket unavailable") },
	})
	if err != nil {
		t.Fatal(err)
	}
	_, body := get(t, ops.Handler(ops.NewRegistry(), nil, page), "/api/status")
	if !strings.Contains(body, `"runs":{"enabled":true,"error":"runs bucket unavailable"`) {
		t.Errorf("GET /api/status with a failing Runs = %.300s, want the error in runs", body)
	}
	if _, err := ops.NewPage(ops.NewRegistry(), ops.PageConfig{Interval: -1}); err == nil {
		t.Error("NewPage(Interval -1) = nil error")
	}
}
