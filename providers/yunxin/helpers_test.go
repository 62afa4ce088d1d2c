package yunxin_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/chatlake/chatlake/providers"
	"github.com/chatlake/chatlake/providers/yunxin"
	"github.com/chatlake/chatlake/providers/yunxin/yunxinsim"
	"github.com/chatlake/chatlake/schemas"
)

// testGuard makes one attempt per call, so each test sees the simulator's
// answer itself and not the guard's retry policy.
func testGuard(attempts int) *providers.Guard {
	return providers.NewGuard("test", providers.GuardConfig{QPS: 1e6, Burst: 1000, MaxAttempts: attempts},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
}

var testCreds = yunxin.Credentials{AppKey: yunxinsim.TestAppKey, AppSecret: yunxinsim.TestAppSecret}

// startSim runs a simulator for the test's lifetime.
func startSim(tb testing.TB, opts yunxinsim.Options) *yunxinsim.Running {
	tb.Helper()
	run, err := yunxinsim.Start(opts)
	if err != nil {
		tb.Fatalf("yunxinsim.Start: %v", err)
	}
	tb.Cleanup(func() { run.Close() })
	return run
}

// newClient returns a client of TestAppKey talking to run.
func newClient(tb testing.TB, run *yunxinsim.Running, cfg yunxin.Config) *yunxin.Client {
	tb.Helper()
	return newClientWith(tb, run.URL, testCreds, cfg, testGuard(1))
}

func newClientWith(tb testing.TB, url string, creds yunxin.Credentials, cfg yunxin.Config, g *providers.Guard) *yunxin.Client {
	tb.Helper()
	cfg.BaseURL = url
	c, err := yunxin.NewClient(&http.Client{}, g, creds, cfg)
	if err != nil {
		tb.Fatalf("NewClient: %v", err)
	}
	return c
}

// fetchAll pages through job and returns every page.
func fetchAll(ctx context.Context, tb testing.TB, c *yunxin.Client, job schemas.Job) []schemas.Page {
	tb.Helper()
	var pages []schemas.Page
	cursor := ""
	for range 1000 {
		p, err := c.FetchPage(ctx, job, cursor)
		if err != nil {
			tb.Fatalf("FetchPage(%q) after %d pages: %v", cursor, len(pages), err)
		}
		pages = append(pages, p)
		if p.Done {
			return pages
		}
		cursor = p.Next
	}
	tb.Fatalf("FetchPage: not done after 1000 pages")
	return nil
}

func httpClient() *http.Client { return &http.Client{} }
