package main

import (
	"context"
	"errors"
	"flag"
	"io"

	"github.com/chatlake/chatlake/internal/config"
	"github.com/chatlake/chatlake/internal/stack"
	"github.com/chatlake/chatlake/internal/stack/lakestack"
)

const usage = `Usage: exporter --config FILE [flags]

Consumes conversation events from JetStream (stream CHATLAKE_CONVERSATIONS)
and writes them, exactly once, as Parquet files under

  <exporter.root>/conversations/provider=<p>/app=<app>/dt=<YYYY-MM-DD>/

exporter.root is a folder, or s3://bucket/prefix?endpoint=URL (also
region, path_style; credentials from the standard AWS chain). Files
appear complete (hidden until committed, then published); a crash and restart
neither loses nor doubles an event. Undecodable events go to the
dead-letter stream.

A second exporter on the same NATS and lake is a hot standby: it waits
while the owner renews its lease in the commit record (exporter.lease) and
takes over from the last commit when the owner stops or the lease lapses.
An exporter that lost its lease exits 1; started again, it stands by.
/metrics shows chatlake_exporter_active 1 on the owner, 0 on a standby.

With streams.partitions N above 1 (the same on every producer and
exporter) the stream is split into N parts by job, each with its own
consumer, commit record and lease: run N exporters to export them in
parallel, and more as standbys. An exporter owns one part at a time,
any free one or one of exporter.part (for example 0,2).

With exporter.format iceberg the events go instead into the Apache Iceberg
table <namespace>.conversations (exporter.iceberg: catalog, uri, namespace,
warehouse, which defaults to exporter.root), partitioned by provider, app
and day(fetched_at): each committed epoch is appended in one snapshot
whose summary carries chatlake.epoch, chatlake.last_seq and
chatlake.owner, exactly once across kill -9.

Point DuckDB at the folder, for example:

  SELECT provider, count(*) FROM read_parquet('<root>/conversations/**/*.parquet',
    hive_partitioning = true) GROUP BY 1;

Every setting: file key <section>.<name>, environment variable, flag.
Precedence: defaults < file < environment < flags.

Flags:
`

// run is the exporter: config, connection, then the exporter and the ops
// HTTP server until ctx ends.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, err := config.Parse("exporter", usage, args, getenv, stderr, stack.Providers(), "nats", "exporter", "streams", "http", "log")
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if cfg.Exporter.Root == "" && (cfg.Exporter.Format != config.FormatIceberg || cfg.Exporter.Iceberg.Warehouse == "") {
		return errors.New("config: exporter.root (or, in the iceberg format, exporter.iceberg.warehouse) is required; see --help")
	}
	env, err := stack.Connect(ctx, cfg, "chatlake-exporter", stderr)
	if err != nil {
		return err
	}
	defer env.NC.Close()
	store, err := lakestack.OpenLake(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	e, err := lakestack.NewExporter(cfg, env.JS, store, env.Reg, env.Log)
	if err != nil {
		return err
	}
	f, err := lakestack.NewFinisher(ctx, cfg, env.JS, store, env.Log)
	if err != nil {
		return err
	}
	ret, err := lakestack.Retention(cfg, env.JS, env.Log)
	if err != nil {
		return err
	}
	return stack.Serve(ctx, cfg.HTTP, env.NC, env.Reg, env.Log, stack.Part{Name: "exporter", Run: e.Run, Ready: e.Ready},
		stack.Part{Name: "runs", Run: f.Run}, ret)
}
