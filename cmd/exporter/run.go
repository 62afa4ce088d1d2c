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

const usage = `Usage: exporter --config FILE [flags]

Consumes conversation events from JetStream (stream CHATLAKE_CONVERSATIONS)
and writes them, exactly once, as Parquet files under

  <exporter.root>/conversations/provider=<p>/app=<app>/dt=<YYYY-MM-DD>/

Files appear complete (temp name, fsync, rename); a crash and restart
neither loses nor doubles an event. Undecodable events go to the
dead-letter stream. Point DuckDB at the folder, for example:

  SELECT provider, count(*) FROM read_parquet('<root>/conversations/**/*.parquet',
    hive_partitioning = true) GROUP BY 1;

Every setting: file key <section>.<name>, environment variable, flag.
Precedence: defaults < file < environment < flags.

Flags:
`

// run is the exporter: config, connection, then the exporter and the ops
// HTTP server until ctx ends.
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
	nc, err := ops.ConnectNATS(cfg.NATS, "chatlake-exporter", log)
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}
	if err := stack.Ensure(ctx, js, cfg.Streams); err != nil {
		return err
	}
	reg := ops.NewRegistry()
	e, err := stack.NewExporter(cfg, js, reg, log)
	if err != nil {
		return err
	}
	return stack.Serve(ctx, cfg.HTTP.Addr, nc, reg, log, stack.Part{Name: "exporter", Run: e.Run, Ready: e.Ready})
}

func loadConfig(args []string, getenv func(string) string, stderr io.Writer) (*config.Config, error) {
	fs := flag.NewFlagSet("exporter", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	var cfg config.Config
	l := config.NewLoader(fs, &cfg, "nats", "exporter", "streams", "http", "log")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if err := l.Load(getenv); err != nil {
		return nil, err
	}
	if cfg.Exporter.Root == "" {
		return nil, errors.New("config: exporter.root is required; see --help")
	}
	return &cfg, nil
}
