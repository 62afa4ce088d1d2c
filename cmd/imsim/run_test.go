package main

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatlake/chatlake/internal/lockedbuf"

	"github.com/chatlake/chatlake/providers"
	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/providers/volcengine"
	"github.com/chatlake/chatlake/providers/volcengine/volcsim"
	"github.com/chatlake/chatlake/providers/yunxin"
	"github.com/chatlake/chatlake/providers/yunxin/yunxinsim"
	"github.com/chatlake/chatlake/schemas"
)

var listening = regexp.MustCompile(`listening on (http://\S+)`)

// startRun runs imsim on a free port and returns its URL and run's result.
func startRun(t *testing.T, args ...string) (string, <-chan error, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	out := &lockedbuf.Buffer{}
	done := make(chan error, 1)
	getenv := func(k string) string { return map[string]string{"IMSIM_ADDR": "127.0.0.1:0"}[k] }
	go func() { done <- run(ctx, args, getenv, out) }()
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		if m := listening.FindStringSubmatch(out.String()); m != nil {
			return m[1], done, cancel
		}
		select {
		case err := <-done:
			t.Fatalf("run() = %v before listening; output:\n%s", err, out)
		case <-deadline:
			t.Fatalf("run() not listening after 10s; output:\n%s", out)
		case <-tick.C:
		}
	}
}

func TestRunServesBothProviders(t *testing.T) {
	url, done, cancel := startRun(t, "-seed", "7")
	hc := providers.NewHTTPClient(4)
	guard := func() *providers.Guard {
		return providers.NewGuard("imsim", providers.GuardConfig{MaxAttempts: 1}, nil)
	}

	vc, err := volcengine.NewClient(hc, guard(), volcsim.TestCredentials(), volcengine.Config{Endpoint: url})
	if err != nil {
		t.Fatalf("volcengine.NewClient() = %v", err)
	}
	yc, err := yunxin.NewClient(hc, guard(), yunxin.Credentials{AppKey: yunxinsim.TestAppKey, AppSecret: yunxinsim.TestAppSecret}, yunxin.Config{BaseURL: url})
	if err != nil {
		t.Fatalf("yunxin.NewClient() = %v", err)
	}
	tests := []struct {
		name string
		f    providers.Fetcher
		job  schemas.Job
	}{
		{"volcengine", vc, schemas.Job{Provider: schemas.ProviderVolcengine, App: strconv.Itoa(int(volcsim.TestAppID)), UserID: simulator.UserTwenty}},
		{"yunxin", yc, schemas.Job{Provider: schemas.ProviderYunxin, App: yunxinsim.TestAppKey, UserID: simulator.UserTwenty}},
	}
	for _, tt := range tests {
		p, err := tt.f.FetchPage(t.Context(), tt.job, "")
		if err != nil || len(p.Conversations) != 20 {
			t.Errorf("%s FetchPage(%s) = %d conversations, %v; want 20, nil", tt.name, tt.job.UserID, len(p.Conversations), err)
		}
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run() after cancel = %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run() did not return within 10s of cancel")
	}
}

func TestRunFlags(t *testing.T) {
	tests := []struct {
		args    []string
		wantErr string // "" for success
	}{
		{[]string{"-h"}, ""},
		{[]string{"-throttle-rate", "1.5"}, "probability"},
		{[]string{"-no-such-flag"}, "not defined"},
		{[]string{"extra"}, "unexpected arguments"},
		{[]string{"-addr", "256.0.0.1:99999"}, "listen"},
	}
	for _, tt := range tests {
		var out lockedbuf.Buffer
		// A bad flag let through would serve until the timeout, then fail.
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
		err := run(ctx, tt.args, func(string) string { return "127.0.0.1:0" }, &out)
		cancel()
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("run(%q) = %v, want error containing %q", tt.args, err, tt.wantErr)
		}
	}
}
