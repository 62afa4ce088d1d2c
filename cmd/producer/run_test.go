package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatlake/chatlake/internal/lockedbuf"

	"github.com/chatlake/chatlake/internal/natstest"
	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/providers/volcengine/volcsim"
	"github.com/chatlake/chatlake/providers/yunxin/yunxinsim"
	"github.com/chatlake/chatlake/schemas"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestRunExportsBothProvidersThenStops(t *testing.T) {
	srv := natstest.Start(t)
	_, js := srv.Connect(t)
	volc, err := volcsim.Start(volcsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(volc.Close)
	yx, err := yunxinsim.Start(yunxinsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { yx.Close() })

	dir := t.TempDir()
	secretFile := filepath.Join(dir, "yx-secret")
	if err := os.WriteFile(secretFile, []byte(yunxinsim.TestAppSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "chatlake.yaml")
	yaml := fmt.Sprintf(`accounts:
  - {name: volc, provider: volcengine, endpoint: %q, access_key_id: %q, secret_access_key_env: VOLC_SK, apps: ["%d"]}
  - {name: yx, provider: yunxin, endpoint: %q, app_key: %q, app_secret_file: %q}
producer: {ack_wait: 5s, concurrency: 4}
`, volc.URL, volcsim.TestAccessKeyID, volcsim.TestAppID, yx.URL, yunxinsim.TestAppKey, secretFile)
	if err := os.WriteFile(cfgPath, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"VOLC_SK": volcsim.TestSecretAccessKey, "CHATLAKE_NATS_URL": srv.ClientURL()}
	addr := freeAddr(t)
	var stderr lockedbuf.Buffer
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--config", cfgPath, "--http.addr", addr}, func(k string) string { return env[k] }, &stderr)
	}()

	pollUntil(t, "streams created", func() bool { _, err := js.Stream(t.Context(), schemas.StreamJobs); return err == nil })
	for _, subj := range []string{schemas.JobSubject(schemas.ProviderVolcengine, fmt.Sprint(volcsim.TestAppID)), schemas.JobSubject(schemas.ProviderYunxin, yunxinsim.TestAppKey)} {
		if _, err := js.Publish(t.Context(), subj, []byte(simulator.UserTwentyOne)); err != nil {
			t.Fatal(err)
		}
	}
	pollUntil(t, "2 jobs done", func() bool {
		st, err := pipeline.OpenJobStatuses(t.Context(), js)
		if err != nil {
			return false
		}
		n := 0
		st.All(t.Context(), func(s schemas.JobStatus) bool {
			if s.State == schemas.JobDone {
				n++
			}
			return true
		})
		return n == 2
	})
	pollUntil(t, "ready", func() bool { code, _ := httpGet(t, addr, "/readyz"); return code == 200 })
	// The job's status is stored before its outcome is counted: poll.
	var metrics string
	pollUntil(t, "the 2 jobs counted", func() bool {
		_, metrics = httpGet(t, addr, "/metrics")
		return strings.Contains(metrics, `chatlake_producer_jobs_total{outcome="done"} 2`)
	})
	for _, want := range []string{`chatlake_producer_jobs_total{outcome="done"} 2`, `chatlake_producer_events_published_total 42`, "chatlake_provider_requests_total", "chatlake_provider_rate_limit_qps", "chatlake_provider_breaker_state"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	// The status page's data: this producer's jobs and accounts, no secret.
	code, status := httpGet(t, addr, "/api/status")
	if code != 200 || !strings.Contains(status, `"done":2`) || !strings.Contains(status, `"breakers":[`) {
		t.Errorf("/api/status = %d %.500s, want the jobs done and the breakers", code, status)
	}
	metrics += status
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run after cancel = %v, want nil", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	logs := stderr.String()
	for _, secret := range []string{volcsim.TestSecretAccessKey, yunxinsim.TestAppSecret} {
		if strings.Contains(logs, secret) || strings.Contains(metrics, secret) {
			t.Errorf("secret %q in logs, metrics or status", secret)
		}
	}
	if !strings.Contains(logs, `"msg":"job done"`) {
		t.Errorf("logs lack job done: %.500s", logs)
	}
}

func TestRunHelpAndBadConfig(t *testing.T) {
	var out bytes.Buffer
	if err := run(t.Context(), []string{"--help"}, func(string) string { return "" }, &out); err != nil {
		t.Errorf("run(--help) = %v, want nil", err)
	}
	for _, want := range []string{"accounts:", "CHATLAKE_NATS_URL", "-producer.max_attempts", "CHATLAKE_PRODUCER_GRACE", "-nats.creds", "-nats.tls_ca"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("--help lacks %q", want)
		}
	}
	if err := run(t.Context(), nil, func(string) string { return "" }, io.Discard); err == nil || !strings.Contains(err.Error(), "no accounts") {
		t.Errorf("run without config = %v, want a no accounts error", err)
	}
}

func httpGet(t *testing.T, addr, path string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + addr + path)
	if err != nil {
		return 0, ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func pollUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}
