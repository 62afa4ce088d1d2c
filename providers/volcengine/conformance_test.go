package volcengine_test

import (
	"log/slog"
	"strconv"
	"testing"

	"github.com/chatlake/chatlake/providers"
	"github.com/chatlake/chatlake/providers/providertest"
	"github.com/chatlake/chatlake/providers/volcengine"
	"github.com/chatlake/chatlake/providers/volcengine/volcsim"
	"github.com/chatlake/chatlake/schemas"
)

func TestConformance(t *testing.T) {
	providertest.Run(t, providertest.Harness{Start: startConformance})
}

func startConformance(tb testing.TB, opts providertest.Options) *providertest.Sim {
	tb.Helper()
	ts := startSim(tb, volcsim.Options{QPS: opts.SimQPS, Rates: opts.Rates})
	g := providers.NewGuard("conformance", opts.Guard, slog.New(slog.DiscardHandler))
	c, err := volcengine.NewClient(providers.NewHTTPClient(16), g, volcsim.TestCredentials(), volcengine.Config{Endpoint: ts.URL})
	if err != nil {
		tb.Fatalf("NewClient() = %v", err)
	}
	app := strconv.Itoa(int(volcsim.TestAppID))
	return &providertest.Sim{
		Fetcher:    c,
		Guard:      g,
		Inject:     ts.Inject,
		Requests:   func() int { return ts.Stats().Requests },
		Violations: func() int { return ts.Stats().QPSViolations },
		Job: func(user string) schemas.Job {
			return schemas.Job{JobID: "conformance-" + user, Provider: schemas.ProviderVolcengine, App: app, UserID: user}
		},
		Expected: func(user string) []string {
			var ids []string
			for _, it := range volcsim.Expected(volcsim.Options{}.Dataset, volcsim.TestAppID, user, 0) {
				ids = append(ids, strconv.FormatInt(it.ConversationShortID, 10))
			}
			return ids
		},
	}
}
