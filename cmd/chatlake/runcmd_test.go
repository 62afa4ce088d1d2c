package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/internal/config"
	"github.com/chatlake/chatlake/internal/lockedbuf"
	"github.com/chatlake/chatlake/schemas"

	"github.com/chatlake/chatlake/providers/imsim"
	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/providers/volcengine/volcsim"
)

// TestRunServesSubmitAndStatus runs `chatlake run` against a simulator
// taken for the real provider, submits jobs with `chatlake submit` to its
// embedded NATS server, waits with `chatlake status`, and stops it. By
// default it deletes the exported events from its store, a duplicate
// window after their commit.
func TestRunServesSubmitAndStatus(t *testing.T) {
	sim, err := imsim.New(imsim.Options{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "chatlake.yaml")
	yaml := fmt.Sprintf(`accounts:
  - name: volc
    provider: volcengine
    endpoint: %s
    access_key_id: %s
    secret_access_key_env: TEST_VOLC_SK
    apps: ["%d"]
exporter:
  idle_flush: 200ms
streams:
  duplicate_window: 1s
http:
  addr: "off"
`, srv.URL, volcsim.TestAccessKeyID, volcsim.TestAppID)
	if err := os.WriteFile(cfgFile, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"TEST_VOLC_SK": volcsim.TestSecretAccessKey}
	var out, errOut lockedbuf.Buffer
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"run", "--config", cfgFile, "--data", dir, "--listen", "127.0.0.1:0"},
			&stdio{getenv: func(k string) string { return env[k] }, stdin: strings.NewReader(""), stdout: &out, stderr: &errOut})
	}()
	url := waitMatch(t, &out, `NATS at (nats://\S+),`)
	if strings.Contains(errOut.String(), volcsim.TestSecretAccessKey) {
		t.Errorf("the log shows the secret access key")
	}
	c := &cli{url: url}
	users := []string{simulator.UserOne, simulator.UserTwentyOne, simulator.UserMany}
	if o, e, err := c.run(t, "", append([]string{"submit", "--provider", "volcengine", "--app", "123456"}, users...)...); err != nil {
		t.Fatalf("submit: %v\n%s%s", err, o, e)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		o, _, err := c.run(t, "", "status")
		if err == nil && strings.Contains(o, "done      3") {
			if !strings.Contains(o, "conversations 372") {
				t.Errorf("status = %q, want 372 conversations (1+21+350)", o)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("jobs not done after 30s; last status %q, %v; log:\n%s", o, err, errOut.String())
		}
		time.Sleep(100 * time.Millisecond) // polling interval
	}
	waitStoreEmptied(t, url, 372)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run = %v, want nil after a graceful stop", err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "lake", "conversations", "provider=volcengine", "app=123456", "dt=*", "*.parquet"))
	var rows int64
	for _, f := range files {
		n, _, err := parquetRows(f)
		if err != nil {
			t.Fatal(err)
		}
		rows += n
	}
	if rows != 372 {
		t.Errorf("lake holds %d rows in %d files, want 372", rows, len(files))
	}
}

// waitStoreEmptied polls until the conversations stream at url holds none
// of its last events: all deleted, none beyond.
func waitStoreEmptied(t *testing.T, url string, last uint64) {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	deadline := time.Now().Add(30 * time.Second)
	for {
		s, err := js.Stream(t.Context(), schemas.StreamConversations)
		if err != nil {
			t.Fatal(err)
		}
		st := s.CachedInfo().State
		if st.LastSeq != last {
			t.Fatalf("conversations stream at stream_seq %d, want %d", st.LastSeq, last)
		}
		if st.Msgs == 0 && st.FirstSeq == last+1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("conversations stream still holds %d events from stream_seq %d after 30s; want none", st.Msgs, st.FirstSeq)
		}
		time.Sleep(100 * time.Millisecond) // polling interval
	}
}

// waitMatch polls b until re matches and returns its first group.
func waitMatch(t *testing.T, b *lockedbuf.Buffer, re string) string {
	t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := rx.FindStringSubmatch(b.String()); m != nil {
			return m[1]
		}
		time.Sleep(20 * time.Millisecond) // polling interval
	}
	t.Fatalf("output never matched %q:\n%s", re, b.String())
	return ""
}

// TestEmbeddedDefaults: the one-process deployment keeps a short duplicate
// window, deletes exported events, holds the producer behind a backlog and
// spreads its events, unless the config says otherwise.
func TestEmbeddedDefaults(t *testing.T) {
	var unset config.Config
	embeddedDefaults(&unset)
	if got := unset.Streams; got.DuplicateWindow != time.Minute || got.ConversationsRetention != config.RetentionExported {
		t.Errorf("embeddedDefaults(unset) = %v, %q; want 1m0s, %q", got.DuplicateWindow, got.ConversationsRetention, config.RetentionExported)
	}
	if got := unset.Producer; got.MaxBacklog != embeddedMaxBacklog || got.MaxEventsPerSec != embeddedMaxEventsPerSecond {
		t.Errorf("embeddedDefaults(unset) producer: max_backlog %d, max_events_per_second %d; want %d, %d", got.MaxBacklog, got.MaxEventsPerSec, embeddedMaxBacklog, embeddedMaxEventsPerSecond)
	}
	fast := config.Config{Producer: config.Producer{MaxEventsPerSec: 50_000}}
	embeddedDefaults(&fast)
	if fast.Producer.MaxEventsPerSec != 50_000 {
		t.Errorf("embeddedDefaults(set) max_events_per_second = %d, want 50000 kept", fast.Producer.MaxEventsPerSec)
	}
	set := config.Config{Streams: config.Streams{DuplicateWindow: 2 * time.Hour, ConversationsRetention: config.RetentionLimits}}
	want := set.Streams
	embeddedDefaults(&set)
	if set.Streams != want {
		t.Errorf("embeddedDefaults(set) = %+v, want %+v kept", set.Streams, want)
	}
}
