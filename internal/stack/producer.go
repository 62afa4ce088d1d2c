package stack

import (
	"fmt"
	"log/slog"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/chatlake/chatlake/internal/config"
	"github.com/chatlake/chatlake/pipeline/producer"
	"github.com/chatlake/chatlake/providers"
	"github.com/chatlake/chatlake/providers/volcengine"
	"github.com/chatlake/chatlake/providers/yunxin"
)

// Providers returns the registry of every provider chatlake has a client
// for. Adding a provider is one package plus one line here.
func Providers() *providers.Registry {
	var r providers.Registry
	volcengine.Register(&r)
	yunxin.Register(&r)
	return &r
}

// NewProducer builds the provider clients, each by its provider in pr, one
// Guard per account (shared by all of the account's apps, as the
// providers' quotas are), the Router and the Producer. The guards come
// back for readiness checks.
func NewProducer(cfg *config.Config, pr *providers.Registry, js jetstream.JetStream, reg prometheus.Registerer, log *slog.Logger) (*producer.Producer, []*providers.Guard, error) {
	obs, err := providers.NewMetrics(reg)
	if err != nil {
		return nil, nil, fmt.Errorf("provider metrics: %w", err)
	}
	hc := providers.NewHTTPClient(2 * max(cfg.Producer.Concurrency, 8))
	var routes []providers.Route
	var guards []*providers.Guard
	for _, a := range cfg.Accounts {
		gc := guardConfig(cfg.Guard, a.QPS, obs)
		if err := gc.Validate(); err != nil {
			return nil, nil, fmt.Errorf("account %s: %w", a.Name, err)
		}
		g := providers.NewGuard(a.Name, gc, log.With("component", "guard"))
		guards = append(guards, g)
		pa, err := a.ProviderAccount(pr)
		if err != nil {
			return nil, nil, fmt.Errorf("account %s: %w", a.Name, err)
		}
		f, err := pr.New(hc, g, pa)
		if err != nil {
			return nil, nil, fmt.Errorf("account %s: %w", a.Name, err)
		}
		for _, app := range pa.Apps {
			routes = append(routes, providers.Route{Provider: a.Provider, App: app, Fetcher: f})
		}
	}
	router, err := providers.NewRouter(routes...)
	if err != nil {
		return nil, nil, err
	}
	p, err := producer.New(js, router, log.With("component", "producer"), producerConfig(cfg.Producer, cfg.Streams, reg))
	return p, guards, err
}

func guardConfig(c config.Guard, qps float64, obs providers.Observer) providers.GuardConfig {
	return providers.GuardConfig{
		QPS: qps, MaxAttempts: c.MaxAttempts, AttemptTimeout: c.AttemptTimeout,
		BreakerFailures: c.BreakerFailures, BreakerTimeout: c.BreakerTimeout, Observer: obs,
	}
}

func producerConfig(c config.Producer, s config.Streams, reg prometheus.Registerer) producer.Config {
	return producer.Config{
		Concurrency: c.Concurrency, Batch: c.Batch, AckWait: c.AckWait, InProgressEvery: c.InProgressEvery,
		MaxAttempts: c.MaxAttempts, RetryInitial: c.RetryInitial, RetryMax: c.RetryMax, PauseFor: c.PauseFor,
		PublishWindow: c.PublishWindow, PublishTimeout: c.PublishTimeout, Grace: c.Grace,
		MaxBacklog: c.MaxBacklog, MaxEventsPerSecond: c.MaxEventsPerSec, Partitions: s.Partitions, Registerer: reg,
	}
}

// GuardsReady fails when every account's breakers are all open: a producer
// can do nothing useful then.
func GuardsReady(guards []*providers.Guard) error {
	for _, g := range guards {
		if !g.Open() {
			return nil
		}
	}
	if len(guards) == 0 {
		return nil
	}
	return fmt.Errorf("every provider account's circuit breaker is open")
}

// MaxPublishPending sizes a connection's async publish window so that every
// running job can fill its own window: concurrency x publish_window
// (defaults 32 and 256), at least 4096.
func MaxPublishPending(c config.Producer) int {
	conc, win := c.Concurrency, c.PublishWindow
	if conc <= 0 {
		conc = 32
	}
	if win <= 0 {
		win = 256
	}
	return max(4096, conc*win)
}
