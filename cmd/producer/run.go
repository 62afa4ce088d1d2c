package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	"github.com/chatlake/chatlake/internal/config"
	"github.com/chatlake/chatlake/internal/ops"
	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/providers"
)

const usage = `Usage: producer --config FILE [flags]

Pulls user-ID jobs from JetStream (subject chatlake.jobs.<provider>.<app>),
fetches every conversation of each user from the provider and publishes one
event per conversation on chatlake.conversations.<provider>.<app>.

Provider accounts are listed in the YAML file only:

  accounts:
    - name: volc-main               # labels logs and metrics
      provider: volcengine
      endpoint: https://rtc.volcengineapi.com
      access_key_id: AKLT...
      secret_access_key_env: VOLC_SK   # or secret_access_key_file / secret_access_key
      apps: ["123456"]
      qps: 100
    - name: yunxin-1
      provider: yunxin
      app_key: 0123abcd...
      app_secret_file: /run/secrets/yunxin   # or app_secret_env / app_secret
      qps: 100

Every other setting: file key <section>.<name>, environment variable, flag.
Precedence: defaults < file < environment < flags.

Flags:
`

// run is the producer: config, connections, wiring, then the producer and
// the ops HTTP server until ctx ends.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, err := loadConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	log, err := ops.NewLogger(stderr, cfg.Log.Level)
	if err != nil {
		return err
	}
	nc, err := ops.ConnectNATS(cfg.NATS, "chatlake-producer", log)
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(maxPending(cfg.Producer)))
	if err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}
	if err := ensure(ctx, js, cfg); err != nil {
		return err
	}
	reg := ops.NewRegistry()
	p, guards, err := wire(cfg, js, reg, log)
	if err != nil {
		return err
	}
	return serve(ctx, cfg, nc, p, guards, reg, log)
}

// maxPending sizes the async publish window of the connection so that
// every running job can fill its own window: concurrency x publish_window
// (defaults 8 and 256), at least 4096.
func maxPending(c config.Producer) int {
	conc, win := c.Concurrency, c.PublishWindow
	if conc <= 0 {
		conc = 8
	}
	if win <= 0 {
		win = 256
	}
	return max(4096, conc*win)
}

func loadConfig(args []string, getenv func(string) string, stderr io.Writer) (*config.Config, error) {
	fs := flag.NewFlagSet("producer", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	var cfg config.Config
	l := config.NewLoader(fs, &cfg, "nats", "producer", "streams", "guard", "http", "log")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if err := l.Load(getenv); err != nil {
		return nil, err
	}
	if len(cfg.Accounts) == 0 {
		return nil, errors.New("config: no accounts; see --help")
	}
	return &cfg, nil
}

func ensure(ctx context.Context, js jetstream.JetStream, cfg *config.Config) error {
	s := cfg.Streams
	err := pipeline.EnsureStreams(ctx, js, pipeline.StreamsConfig{
		Replicas: s.Replicas, ConversationsMaxAge: s.ConversationsMaxAge, ConversationsMaxBytes: s.ConversationsMaxBytes,
		DuplicateWindow: s.DuplicateWindow, DeadLetterMaxAge: s.DeadLetterMaxAge,
	})
	if err != nil {
		return err
	}
	return pipeline.EnsureJobBuckets(ctx, js, pipeline.JobBucketsConfig{Replicas: s.Replicas, StatusTTL: s.StatusTTL})
}

// serve runs the producer and the ops HTTP server until ctx ends or one
// fails.
func serve(ctx context.Context, cfg *config.Config, nc *nats.Conn, p *pipeline.Producer, guards []*providers.Guard,
	reg *prometheus.Registry, log *slog.Logger) error {
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return p.Run(gctx) })
	if cfg.HTTP.Addr != "off" {
		addr := cfg.HTTP.Addr
		if addr == "" {
			addr = ":9090"
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("ops http: %w", err)
		}
		checks := ops.Checks{
			"nats":      func() error { return natsReady(nc) },
			"producer":  p.Ready,
			"providers": func() error { return guardsReady(guards) },
		}
		g.Go(func() error { return ops.Serve(gctx, ln, ops.Handler(reg, checks), log) })
	}
	err := g.Wait()
	if drainErr := nc.Drain(); drainErr != nil && err == nil {
		log.Warn("nats drain", "err", drainErr)
	}
	return err
}

func natsReady(nc *nats.Conn) error {
	if !nc.IsConnected() {
		return fmt.Errorf("not connected (%s)", nc.Status())
	}
	return nil
}

// guardsReady fails when every account's breakers are all open: the
// producer can do nothing useful then.
func guardsReady(guards []*providers.Guard) error {
	for _, g := range guards {
		if !g.Open() {
			return nil
		}
	}
	if len(guards) == 0 {
		return nil
	}
	return errors.New("every provider account's circuit breaker is open")
}
