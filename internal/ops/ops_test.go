package ops_test

import (
	"bytes"
	"context"
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
