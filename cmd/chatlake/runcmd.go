package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/chatlake/chatlake/internal/config"
	"github.com/chatlake/chatlake/internal/stack"
)

const runSynopsis = `
Usage: chatlake run --config FILE [--data DIR] [--listen HOST:PORT] [flags]

Runs the whole of chatlake in one process against the real providers of
the config file: an embedded NATS server with JetStream (data in DIR/nats),
the producer and the exporter. For users who need no separate NATS; to
scale out, run cmd/producer and cmd/exporter against a NATS cluster instead.

Submit jobs and follow them from another terminal:
  chatlake submit --provider volcengine --app 123456 --file users.txt
  chatlake status
(both connect to nats://127.0.0.1:4222 by default: the --listen address).

The config file is the producer's and the exporter's (see 'producer --help'
for the accounts section). exporter.root defaults to DIR/lake. With
exporter.format: iceberg the lake is an Iceberg table, on an SQLite
catalog in the lake's folder unless exporter.iceberg names another;
maintain it with 'chatlake lake compact' and 'chatlake lake expire'. Stops
gracefully on SIGINT or SIGTERM: running jobs finish or are handed back,
the exporter flushes and commits.

Defaults of this one-process deployment: events are deleted from the
store a duplicate window (streams.duplicate_window, 1m) after the exporter
committed them (streams.conversations_retention: exported; limits keeps
them for streams.conversations_max_age), and the Go memory limit is
400 MiB unless GOMEMLIMIT is set.`

func runRun(ctx context.Context, args []string, sio *stdio) error {
	fs := newFlagSet("run", runSynopsis, sio)
	var cfg config.Config
	l := config.NewLoader(fs, &cfg, "producer", "exporter", "streams", "guard", "http", "log")
	data := fs.String("data", "chatlake-data", "folder of the embedded NATS server's data (and of the lake by default)")
	listen := fs.String("listen", "127.0.0.1:4222", "address of the embedded NATS server, for submit, status and downstream consumers")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if err := l.Load(sio.getenv, stack.Providers()); err != nil {
		return err
	}
	if len(cfg.Accounts) == 0 {
		return errors.New("config: no accounts; see --help")
	}
	cfg.Exporter.Root = cmp.Or(cfg.Exporter.Root, filepath.Join(*data, "lake"))
	if err := makeLocalLake(&cfg); err != nil {
		return err
	}
	host, portStr, err := net.SplitHostPort(*listen)
	if err != nil {
		return fmt.Errorf("--listen: %w", err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return fmt.Errorf("--listen port: %w", err)
	}
	setMemoryLimit(sio.getenv)
	loc, err := startLocal(ctx, localOptions{dir: *data, natsHost: host, natsPort: port, log: sio.stderr, cfg: cfg})
	if err != nil {
		return err
	}
	defer loc.close()
	fmt.Fprintf(sio.stdout, "chatlake running: NATS at %s, lake at %s (%s)\n", loc.ns.ClientURL(), cfg.Exporter.Root, cmp.Or(cfg.Exporter.Format, config.FormatParquet))
	return loc.wait(ctx)
}

// makeLocalLake creates the folder of a local Iceberg lake: its SQLite
// catalog file goes there, and SQLite does not create folders.
func makeLocalLake(cfg *config.Config) error {
	root := cmp.Or(cfg.Exporter.Iceberg.Warehouse, cfg.Exporter.Root)
	if cfg.Exporter.Format != config.FormatIceberg || strings.Contains(root, "://") {
		return nil
	}
	return os.MkdirAll(root, 0o755)
}

// wait runs until ctx ends, then stops gracefully; or returns the parts'
// error if they stop first.
func (l *local) wait(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return l.stop()
	case err := <-l.done:
		return l.stopped(err)
	}
}
