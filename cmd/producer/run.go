package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/internal/config"
	"github.com/chatlake/chatlake/internal/ops"
	"github.com/chatlake/chatlake/internal/stack"
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
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(stack.MaxPublishPending(cfg.Producer)))
	if err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}
	if err := stack.Ensure(ctx, js, cfg.Streams); err != nil {
		return err
	}
	reg := ops.NewRegistry()
	p, guards, err := stack.NewProducer(cfg, js, reg, log)
	if err != nil {
		return err
	}
	return stack.Serve(ctx, cfg.HTTP.Addr, nc, reg, log,
		stack.Part{Name: "producer", Run: p.Run, Ready: p.Ready},
		stack.Part{Name: "providers", Run: idle, Ready: func() error { return stack.GuardsReady(guards) }})
}

// idle blocks until ctx ends: a Part that only reports readiness.
func idle(ctx context.Context) error {
	<-ctx.Done()
	return nil
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
