package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime/debug"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	"github.com/chatlake/chatlake/internal/config"
	"github.com/chatlake/chatlake/internal/ops"
	"github.com/chatlake/chatlake/pipeline"
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
	if err := ensureStreams(ctx, js, cfg.Streams); err != nil {
		return err
	}
	reg := ops.NewRegistry()
	e, err := pipeline.NewExporter(js, log.With("component", "exporter"), pipeline.NewExporterMetrics(reg), exporterConfig(cfg))
	if err != nil {
		return err
	}
	return serve(ctx, cfg, nc, e, reg, log)
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

func ensureStreams(ctx context.Context, js jetstream.JetStream, s config.Streams) error {
	return pipeline.EnsureStreams(ctx, js, pipeline.StreamsConfig{
		Replicas: s.Replicas, ConversationsMaxAge: s.ConversationsMaxAge, ConversationsMaxBytes: s.ConversationsMaxBytes,
		DuplicateWindow: s.DuplicateWindow, DeadLetterMaxAge: s.DeadLetterMaxAge,
	})
}

func exporterConfig(cfg *config.Config) pipeline.ExporterConfig {
	c := cfg.Exporter
	return pipeline.ExporterConfig{
		Root: c.Root, Compression: c.Compression, MaxFileRows: c.MaxFileRows, MaxFileBytes: c.MaxFileBytes,
		MaxFileAge: c.MaxFileAge, IdleFlush: c.IdleFlush, MaxOpenFiles: c.MaxOpenFiles,
		MaxEpochEvents: c.MaxEpochEvents, RowGroupRows: c.RowGroupRows, RowGroupBytes: c.RowGroupBytes,
		BatchSize: c.Batch, DecodeWorkers: c.DecodeWorkers, AckWait: c.AckWait, ShutdownGrace: c.Grace,
		Replicas: cfg.Streams.Replicas, WriterVersion: version(),
	}
}

// version is the module version the binary was built from.
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// serve runs the exporter and the ops HTTP server until ctx ends or one
// fails.
func serve(ctx context.Context, cfg *config.Config, nc *nats.Conn, e *pipeline.Exporter, reg *prometheus.Registry, log *slog.Logger) error {
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return e.Run(gctx) })
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
			"nats":     func() error { return natsReady(nc) },
			"exporter": e.Ready,
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
