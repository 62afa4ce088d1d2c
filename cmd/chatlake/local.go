package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/internal/config"
	"github.com/chatlake/chatlake/internal/ops"
	"github.com/chatlake/chatlake/internal/stack"
	"github.com/chatlake/chatlake/internal/stack/lakestack"
	"github.com/chatlake/chatlake/providers"
	"github.com/chatlake/chatlake/providers/imsim"
	"github.com/chatlake/chatlake/providers/simulator"
)

// local is chatlake in one process: an embedded NATS server, optionally
// the provider simulators, and the producer and exporter running on their
// own connection. The command talks to it on a second connection, which
// stays open after the parts stop so it can still read the results.
type local struct {
	cfg       config.Config
	providers *providers.Registry
	log       *slog.Logger
	ns        *server.Server
	sim       *http.Server
	js        jetstream.JetStream // the command's connection
	cli       *nats.Conn
	cancel    context.CancelFunc
	done      chan error // the parts' result, once
	err       error
	closed    bool
}

type localOptions struct {
	dir      string // NATS data under dir/nats
	natsHost string
	natsPort int
	log      io.Writer
	sim      *simOptions // nil: real providers
	cfg      config.Config
}

type simOptions struct {
	seed      uint64
	qps       float64
	faultRate float64
	latency   time.Duration
}

// The one-process deployment's own defaults (README: "The embedded
// deployment"), for a store and a memory that stay flat however many users
// an export has.
const (
	// embeddedDuplicateWindow covers the republish of a page after a lost
	// publish ack (30 s) and its job's redelivery (at most 30 s later), and
	// a restart within a minute; each event in it costs the server about
	// 130 bytes of memory.
	embeddedDuplicateWindow = time.Minute
	// embeddedMemoryLimit is the Go runtime's soft memory limit unless
	// GOMEMLIMIT sets one: the embedded server's garbage would otherwise
	// double the live heap.
	embeddedMemoryLimit = 400 << 20
	// embeddedMaxBacklog holds the producer while this many events wait
	// for the exporter, which shares the machine: the store then stays
	// near the events of ~25 s of exporting, and the exporter reads
	// blocks nats-server still has in memory.
	embeddedMaxBacklog = 100_000
	// embeddedMaxEventsPerSecond spreads the producer's events evenly: the
	// embedded server keeps about 10 s of the stream's traffic in memory,
	// and the producer's bursts (a backlog just cleared, jobs of many
	// pages at once) made the peak. 3,500 events/s exports 2 M
	// conversations in about 10 minutes (BENCHMARKS.md).
	embeddedMaxEventsPerSecond = 3500
)

// embeddedDefaults fills in what the config leaves unset: a short
// duplicate window, events deleted once exported (after that window), and
// a producer held while the exporter is far behind.
func embeddedDefaults(c *config.Config) {
	c.Streams.DuplicateWindow = cmp.Or(c.Streams.DuplicateWindow, embeddedDuplicateWindow)
	c.Streams.ConversationsRetention = cmp.Or(c.Streams.ConversationsRetention, config.RetentionExported)
	c.Producer.MaxBacklog = cmp.Or(c.Producer.MaxBacklog, embeddedMaxBacklog)
	c.Producer.MaxEventsPerSec = cmp.Or(c.Producer.MaxEventsPerSec, embeddedMaxEventsPerSecond)
}

// setMemoryLimit sets embeddedMemoryLimit unless GOMEMLIMIT is set.
func setMemoryLimit(getenv func(string) string) {
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(embeddedMemoryLimit)
	}
}

// startLocal starts everything and returns once the parts run.
func startLocal(ctx context.Context, o localOptions) (l *local, err error) {
	log, err := ops.NewLogger(o.log, o.cfg.Log.Level)
	if err != nil {
		return nil, err
	}
	embeddedDefaults(&o.cfg)
	l = &local{cfg: o.cfg, providers: stack.Providers(), log: log, done: make(chan error, 1)}
	defer func() {
		if err != nil {
			l.close()
		}
	}()
	if o.sim != nil {
		if err := l.startSim(*o.sim); err != nil {
			return nil, err
		}
	}
	if err := l.cfg.Validate(l.providers); err != nil {
		return nil, err
	}
	l.ns, err = stack.StartNATS(stack.NATSServerConfig{StoreDir: filepath.Join(o.dir, "nats"), Host: o.natsHost, Port: o.natsPort})
	if err != nil {
		return nil, err
	}
	if l.cli, err = nats.Connect(l.ns.ClientURL(), nats.Name("chatlake-cli")); err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	if l.js, err = jetstream.New(l.cli); err != nil {
		return nil, err
	}
	if err := stack.Ensure(ctx, l.js, l.cfg.Streams); err != nil {
		return nil, err
	}
	return l, l.startParts(ctx)
}

// startSim serves the simulators on a free loopback port and points every
// account at them.
func (l *local) startSim(o simOptions) error {
	h, err := imsim.New(imsim.Options{
		Seed: o.seed, FaultSeed: o.seed, Latency: o.latency,
		// The simulators enforce the accounts' rate exactly: the guard
		// keeps it as the server counts it.
		VolcengineQPS: int(o.qps), YunxinQPS: int(o.qps),
		Rates: simulator.Rates{ServerError: o.faultRate, Throttle: o.faultRate, Malformed: o.faultRate, Drop: o.faultRate},
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	l.sim = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go l.sim.Serve(ln)
	for i := range l.cfg.Accounts {
		l.cfg.Accounts[i].Endpoint = "http://" + ln.Addr().String()
	}
	return nil
}

// startParts runs the producer and the exporter on their own connection.
func (l *local) startParts(ctx context.Context) error {
	if l.cfg.Streams.Partitions > 1 {
		// One exporter exports one part: the others would never be.
		return fmt.Errorf("streams.partitions %d: this command runs one exporter, so it needs 1; run the producer and %d exporters instead", l.cfg.Streams.Partitions, l.cfg.Streams.Partitions)
	}
	nc, err := nats.Connect(l.ns.ClientURL(), nats.Name("chatlake"))
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(stack.MaxPublishPending(l.cfg.Producer)))
	if err != nil {
		nc.Close()
		return err
	}
	reg := ops.NewRegistry()
	p, guards, err := stack.NewProducer(&l.cfg, l.providers, js, reg, l.log)
	if err != nil {
		nc.Close()
		return err
	}
	store, err := lakestack.OpenLake(ctx, &l.cfg)
	if err != nil {
		nc.Close()
		return err
	}
	e, err := lakestack.NewExporter(&l.cfg, js, store, reg, l.log)
	if err != nil {
		store.Close()
		nc.Close()
		return err
	}
	f, err := lakestack.NewFinisher(ctx, &l.cfg, js, store, l.log)
	if err != nil {
		store.Close()
		nc.Close()
		return err
	}
	ret, err := lakestack.Retention(&l.cfg, js, l.log)
	if err != nil {
		store.Close()
		nc.Close()
		return err
	}
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	l.cancel = cancel
	go func() {
		l.done <- stack.Serve(rctx, l.cfg.HTTP, nc, reg, l.log,
			stack.Part{Name: "producer", Run: p.Run, Ready: p.Ready},
			stack.Part{Name: "exporter", Run: e.Run, Ready: e.Ready},
			stack.Part{Name: "runs", Run: f.Run}, ret,
			stack.Part{Name: "providers", Ready: func() error { return stack.GuardsReady(guards) }})
		store.Close()
		nc.Close()
	}()
	return nil
}

// stop ends the producer and exporter gracefully (the exporter flushes
// and commits) and returns their error.
func (l *local) stop() error {
	if l.cancel == nil {
		return nil
	}
	l.cancel()
	l.cancel = nil
	l.err = <-l.done
	return l.err
}

// failed returns the parts' error if they stopped by themselves.
func (l *local) failed() error {
	select {
	case err := <-l.done:
		return l.stopped(err)
	default:
		return nil
	}
}

// stopped records that the parts stopped by themselves with err: never
// what they should do while the command runs.
func (l *local) stopped(err error) error {
	l.cancel, l.err = nil, err
	if err == nil {
		err = errors.New("producer and exporter stopped")
	}
	return err
}

// close stops everything; safe to call more than once.
func (l *local) close() {
	if l.closed {
		return
	}
	l.closed = true
	_ = l.stop()
	if l.cli != nil {
		l.cli.Close()
	}
	if l.ns != nil {
		l.ns.Shutdown()
		l.ns.WaitForShutdown()
	}
	if l.sim != nil {
		l.sim.Close()
	}
}
