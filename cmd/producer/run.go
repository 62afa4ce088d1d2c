package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"runtime/debug"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/internal/config"
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
Precedence: defaults < file < environment < flags. GOGC, the Go garbage
collector's target, defaults to 400 here: the heap is small, and the CPU
matters more.

Flags:
`

// defaultGOGC is the producer's garbage collection target unless GOGC
// sets one. Its live heap is small (the pages and events in flight), so at
// Go's default of 100 it collects after every few megabytes of garbage:
// 400 spends a few tens of MiB more for about a tenth less CPU per event
// (BENCHMARKS.md).
const defaultGOGC = 400

// run is the producer: config, connections, wiring, then the producer and
// the ops HTTP server until ctx ends.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, err := config.Parse("producer", usage, args, getenv, stderr, stack.Providers(), "nats", "producer", "streams", "guard", "http", "log")
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(cfg.Accounts) == 0 {
		return errors.New("config: no accounts; see --help")
	}
	if getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGOGC)
	}
	env, err := stack.Connect(ctx, cfg, "chatlake-producer", stderr,
		jetstream.WithPublishAsyncMaxPending(stack.MaxPublishPending(cfg.Producer)))
	if err != nil {
		return err
	}
	defer env.NC.Close()
	p, guards, err := stack.NewProducer(cfg, stack.Providers(), env.JS, env.Reg, env.Log)
	if err != nil {
		return err
	}
	q, err := stack.NewQuotas(ctx, env.JS, cfg, guards, env.Log)
	if err != nil {
		return err
	}
	return stack.Serve(ctx, cfg.HTTP, env.NC, env.Reg, env.Log,
		stack.Part{Name: "producer", Run: stack.WithQuotas(q, p.Run), Ready: p.Ready},
		stack.Part{Name: "providers", Ready: func() error { return stack.GuardsReady(guards) }})
}
