package yunxin_test

import (
	"log/slog"
	"testing"

	"github.com/chatlake/chatlake/providers"
	"github.com/chatlake/chatlake/providers/providertest"
	"github.com/chatlake/chatlake/providers/yunxin"
	"github.com/chatlake/chatlake/providers/yunxin/yunxinsim"
	"github.com/chatlake/chatlake/schemas"
)

func TestConformance(t *testing.T) {
	providertest.Run(t, providertest.Harness{Start: startConformance})
}

func startConformance(tb testing.TB, opts providertest.Options) *providertest.Sim {
	tb.Helper()
	sim, err := yunxinsim.Start(yunxinsim.Options{QPS: opts.SimQPS, Rates: opts.Rates})
	if err != nil {
		tb.Fatalf("yunxinsim.Start() = %v", err)
	}
	tb.Cleanup(func() { sim.Close() })
	g := providers.NewGuard("conformance", opts.Guard, slog.New(slog.DiscardHandler))
	creds := yunxin.Credentials{AppKey: yunxinsim.TestAppKey, AppSecret: yunxinsim.TestAppSecret}
	c, err := yunxin.NewClient(providers.NewHTTPClient(16), g, creds, yunxin.Config{BaseURL: sim.URL})
	if err != nil {
		tb.Fatalf("NewClient() = %v", err)
	}
	return &providertest.Sim{
		Fetcher:    c,
		Guard:      g,
		Inject:     sim.Inject,
		Requests:   func() int { return sim.Stats().Requests },
		Violations: func() int { return sim.Stats().QPSViolations },
		Job: func(user string) schemas.Job {
			return schemas.Job{JobID: "conformance-" + user, Provider: schemas.ProviderYunxin, App: yunxinsim.TestAppKey, UserID: user}
		},
		Expected: func(user string) []string {
			var ids []string
			for _, it := range sim.Expected(yunxinsim.TestAppKey, user) {
				ids = append(ids, it.ConversationID)
			}
			return ids
		},
	}
}
