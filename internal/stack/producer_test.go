package stack_test

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/chatlake/chatlake/internal/config"
	"github.com/chatlake/chatlake/internal/stack"
	"github.com/chatlake/chatlake/providers"
	"github.com/chatlake/chatlake/schemas"
)

func TestProvidersHasBoth(t *testing.T) {
	got := stack.Providers().Names()
	want := []string{schemas.ProviderVolcengine, schemas.ProviderYunxin}
	if !slices.Equal(got, want) {
		t.Errorf("Providers().Names() = %v, want %v", got, want)
	}
}

type fakeFetcher struct{ providers.Account }

func (fakeFetcher) FetchPage(context.Context, schemas.Job, string) (schemas.Page, error) {
	return schemas.Page{}, nil
}

// TestNewProducerWiresARegisteredProvider: a provider the stack has never
// heard of gets its client built from its registration alone.
func TestNewProducerWiresARegisteredProvider(t *testing.T) {
	var built []providers.Account
	var reg providers.Registry
	reg.Register(providers.Provider{
		Name: "fake", KeyField: "app_key", SecretField: "app_secret", KeyIsApp: true,
		New: func(hc *http.Client, g *providers.Guard, a providers.Account) (providers.Fetcher, error) {
			if hc == nil || g == nil {
				t.Errorf("New(%v, %v, ...): want an http client and a guard", hc, g)
			}
			built = append(built, a)
			return fakeFetcher{a}, nil
		},
	})
	cfg := &config.Config{Accounts: []config.Account{{
		Name: "f1", Provider: "fake", Endpoint: "http://fake.invalid", AppKey: "key1", AppSecret: "s3cr3t",
	}}}
	if err := cfg.Validate(&reg); err != nil {
		t.Fatalf("Validate = %v", err)
	}
	if _, _, err := stack.NewProducer(cfg, &reg, nil, prometheus.NewRegistry(), slog.New(slog.DiscardHandler)); err != nil {
		t.Fatalf("NewProducer = %v", err)
	}
	want := []providers.Account{{Name: "f1", Provider: "fake", Endpoint: "http://fake.invalid", Key: "key1", Secret: "s3cr3t", Apps: []string{"key1"}}}
	if diff := cmp.Diff(want, built); diff != "" {
		t.Errorf("accounts built (-want +got):\n%s", diff)
	}
}

func TestNewProducerRefusesAnUnknownProvider(t *testing.T) {
	cfg := &config.Config{Accounts: []config.Account{{
		Name: "y", Provider: schemas.ProviderYunxin, AppKey: "key1", AppSecret: "s",
	}}}
	var empty providers.Registry
	_, _, err := stack.NewProducer(cfg, &empty, nil, prometheus.NewRegistry(), slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), `unknown provider "yunxin"`) {
		t.Errorf("NewProducer(yunxin account, empty registry) = %v, want unknown provider", err)
	}
}
