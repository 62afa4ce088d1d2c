package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/chatlake/chatlake/internal/config"
	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/providers/volcengine/volcsim"
	"github.com/chatlake/chatlake/providers/yunxin/yunxinsim"
	"github.com/chatlake/chatlake/schemas"
)

const demoSynopsis = `
Usage: chatlake demo [--users N] [--dir DIR] [--format parquet|iceberg] [flags]

Runs a whole export on this machine with nothing to set up and no network:
an embedded NATS server with JetStream, both provider simulators, the
producer and the exporter, all in this process. It submits N users to both
providers, shows progress, waits until every job is exported, prints a
summary and how to query what it wrote.

--format parquet (the default) writes Hive-style folders of Parquet files;
--format iceberg writes an Apache Iceberg table, chatlake.conversations, on
an embedded SQLite catalog (DIR/lake/catalog.db, no server), and the
summary shows how to read it with DuckDB, Spark and Trino.

DIR holds the NATS data, the lake (DIR/lake) and the JSON log
(DIR/chatlake.log). A DIR from an earlier demo is emptied first; any other
non-empty DIR is refused.`

// demoMarker marks a folder as the demo's own, so only such a folder is
// ever emptied.
const demoMarker = ".chatlake-demo"

type demoOptions struct {
	users     int
	dir       string
	seed      uint64
	qps       float64
	faultRate float64
	latency   time.Duration
	format    string
}

func runDemo(ctx context.Context, args []string, sio *stdio) error {
	fs := newFlagSet("demo", demoSynopsis, sio)
	var o demoOptions
	fs.IntVar(&o.users, "users", 1000, "users to export; each is submitted to both providers")
	fs.StringVar(&o.dir, "dir", "chatlake-demo", "folder for NATS data, the lake and the log")
	fs.Uint64Var(&o.seed, "seed", 1, "data set seed of the simulators")
	fs.Float64Var(&o.qps, "qps", 500, "requests per second per provider account (the simulators enforce it)")
	fs.Float64Var(&o.faultRate, "fault-rate", 0, "probability of each injected fault (server error, throttle, malformed body, dropped connection)")
	fs.DurationVar(&o.latency, "latency", 0, "simulated provider latency per request")
	fs.StringVar(&o.format, "format", config.FormatParquet, "lake format: parquet (Hive-style folders) or iceberg (an Iceberg table on an embedded SQLite catalog)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := o.validate(); err != nil {
		return err
	}
	if err := prepareDemoDir(o.dir); err != nil {
		return err
	}
	cfg := demoConfig(o)
	if err := makeLocalLake(&cfg); err != nil {
		return err
	}
	logf, err := os.Create(filepath.Join(o.dir, "chatlake.log"))
	if err != nil {
		return err
	}
	defer logf.Close()
	setMemoryLimit(sio.getenv)
	fmt.Fprintf(sio.stdout, "chatlake demo: %d users x 2 providers, data in %s (log: %s)\n", o.users, o.dir, logf.Name())
	l, err := startLocal(ctx, localOptions{
		dir: o.dir, log: logf, sim: &simOptions{seed: o.seed, qps: o.qps, faultRate: o.faultRate, latency: o.latency},
		cfg: cfg,
	})
	if err != nil {
		return err
	}
	defer l.close()
	return demo(ctx, l, o, sio)
}

func (o demoOptions) validate() error {
	switch {
	case o.users < 1:
		return errors.New("--users must be at least 1")
	case o.qps <= 0:
		return errors.New("--qps must be positive")
	case o.faultRate < 0 || o.faultRate > 0.5:
		return errors.New("--fault-rate must be in [0, 0.5]")
	case o.dir == "":
		return errors.New("--dir is required")
	case o.format != config.FormatParquet && o.format != config.FormatIceberg:
		return fmt.Errorf("--format %q: want parquet or iceberg", o.format)
	}
	return nil
}

// prepareDemoDir empties an earlier demo's folder, or creates a new one.
func prepareDemoDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return err
	case len(entries) == 0:
	default:
		if _, err := os.Stat(filepath.Join(dir, demoMarker)); err != nil {
			return fmt.Errorf("%s is not empty and not an earlier demo's folder; choose another --dir", dir)
		}
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, demoMarker), []byte("made by chatlake demo; emptied by the next one\n"), 0o644)
}

// demoConfig points one account of each provider at the simulators (their
// endpoints are filled in once they listen) and keeps files short-lived so
// the lake is complete soon after the last job.
func demoConfig(o demoOptions) config.Config {
	var c config.Config
	c.Accounts = []config.Account{{
		Name: "volcengine-demo", Provider: schemas.ProviderVolcengine,
		AccessKeyID: volcsim.TestAccessKeyID, SecretAccessKey: config.Secret(volcsim.TestSecretAccessKey),
		Apps: []string{strconv.Itoa(int(volcsim.TestAppID))}, QPS: o.qps,
	}, {
		Name: "yunxin-demo", Provider: schemas.ProviderYunxin,
		AppKey: yunxinsim.TestAppKey, AppSecret: config.Secret(yunxinsim.TestAppSecret), QPS: o.qps,
	}}
	c.Producer.Concurrency = 32
	c.Producer.RetryInitial = 200 * time.Millisecond
	c.Exporter.Root = filepath.Join(o.dir, "lake")
	c.Exporter.Format = o.format
	c.Exporter.Iceberg.URI = filepath.Join(o.dir, "lake", "catalog.db") // the embedded SQLite catalog, for an Iceberg lake
	c.Exporter.IdleFlush = time.Second
	c.Exporter.MaxFileAge = 30 * time.Second
	c.HTTP.Addr = "off"
	c.Log.Level = "info"
	return c
}

// demoUsers returns n user IDs from the simulators' numbering, which
// starts with the users of fixed sizes (0, 1, 20, 21 and 350
// conversations).
func demoUsers(n int) []string {
	base, _ := strconv.Atoi(simulator.UserEmpty)
	ids := make([]string, n)
	for i := range ids {
		ids[i] = strconv.Itoa(base + i)
	}
	return ids
}

// demoRun is the export run the demo submits its jobs to.
const demoRun = "demo"

// demo submits the users as one export run, waits for its completion
// signal and prints the summary. It follows the run from before the
// first job (see local.follow).
func demo(ctx context.Context, l *local, o demoOptions, sio *stdio) error {
	start := time.Now()
	f, err := l.follow(ctx, demoRun)
	if err != nil {
		return err
	}
	defer f.Stop()
	_, err = submitRun(ctx, l.js, demoRun, func() (submitCounts, error) {
		var c submitCounts
		for _, p := range []struct{ provider, app string }{
			{schemas.ProviderVolcengine, strconv.Itoa(int(volcsim.TestAppID))},
			{schemas.ProviderYunxin, yunxinsim.TestAppKey},
		} {
			so := submitOptions{provider: p.provider, app: p.app, ids: demoUsers(o.users), dataType: -1, inboxType: -1, run: demoRun}
			jobs, bad, err := so.jobs()
			if err != nil || len(bad) > 0 {
				return c, fmt.Errorf("demo jobs: %v (%d invalid)", err, len(bad))
			}
			n, err := submit(ctx, l.js, jobs, so)
			if err != nil {
				return c, err
			}
			c.submitted += n.submitted
		}
		return c, nil
	})
	if err != nil {
		return err
	}
	var bar io.Writer
	if isTerminal(sio.stderr) {
		bar = sio.stderr
	}
	run, err := l.waitRun(ctx, f, bar)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	if err := l.stop(); err != nil {
		return err
	}
	sum, err := l.summarize(context.WithoutCancel(ctx))
	if err != nil {
		return err
	}
	sum.elapsed = elapsed
	sum.run = &run
	sum.print(sio.stdout)
	return nil
}
