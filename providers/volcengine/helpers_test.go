package volcengine_test

import (
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/chatlake/chatlake/providers"
	"github.com/chatlake/chatlake/providers/volcengine"
	"github.com/chatlake/chatlake/providers/volcengine/volcsim"
	"github.com/chatlake/chatlake/schemas"
)

// startSim starts a simulator on loopback for the test.
func startSim(tb testing.TB, opts volcsim.Options) *volcsim.TestServer {
	tb.Helper()
	ts, err := volcsim.Start(opts)
	if err != nil {
		tb.Fatalf("volcsim.Start() = %v", err)
	}
	tb.Cleanup(ts.Close)
	return ts
}

// fastGuard does not slow tests down: a high rate, tiny backoff, and
// MaxAttempts tries.
func fastGuard(maxAttempts int) *providers.Guard {
	return providers.NewGuard("test", providers.GuardConfig{
		QPS: 1e6, Burst: 1000, MaxAttempts: maxAttempts,
		InitialInterval: time.Millisecond, ThrottleInterval: time.Millisecond, MaxInterval: 2 * time.Millisecond,
	}, slog.New(slog.DiscardHandler))
}

// newClient returns a client of endpoint with the simulator's test
// credentials unless creds is given.
func newClient(tb testing.TB, endpoint string, g *providers.Guard, cfg volcengine.Config, creds ...volcengine.Credentials) *volcengine.Client {
	tb.Helper()
	cr := volcsim.TestCredentials()
	if len(creds) > 0 {
		cr = creds[0]
	}
	cfg.Endpoint = endpoint
	c, err := volcengine.NewClient(&http.Client{}, g, cr, cfg)
	if err != nil {
		tb.Fatalf("NewClient() = %v", err)
	}
	return c
}

// fetchAll pages through job until Done, at most maxPages pages.
func fetchAll(tb testing.TB, c *volcengine.Client, job schemas.Job, maxPages int) []schemas.Conversation {
	tb.Helper()
	var all []schemas.Conversation
	cursor := ""
	for range maxPages {
		page, err := c.FetchPage(tb.Context(), job, cursor)
		if err != nil {
			tb.Fatalf("FetchPage(%+v, %q) = %v", job, cursor, err)
		}
		if len(page.Conversations) > volcengine.MaxPageSize {
			tb.Fatalf("FetchPage(%+v, %q) returned %d conversations, want at most %d", job, cursor, len(page.Conversations), volcengine.MaxPageSize)
		}
		all = append(all, page.Conversations...)
		if page.Done {
			return all
		}
		cursor = page.Next
	}
	tb.Fatalf("FetchPage(%+v): not done after %d pages", job, maxPages)
	return nil
}

func ptr[T any](v T) *T { return &v }
