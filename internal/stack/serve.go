package stack

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	"github.com/chatlake/chatlake/internal/config"
	"github.com/chatlake/chatlake/internal/ops"
	"github.com/chatlake/chatlake/pipeline"
)

// Ensure creates or updates every stream and bucket chatlake uses, so any
// part can start first.
func Ensure(ctx context.Context, js jetstream.JetStream, s config.Streams) error {
	err := pipeline.EnsureStreams(ctx, js, pipeline.StreamsConfig{
		Replicas: s.Replicas, ConversationsMaxAge: s.ConversationsMaxAge, ConversationsMaxBytes: s.ConversationsMaxBytes,
		DuplicateWindow: s.DuplicateWindow, DeadLetterMaxAge: s.DeadLetterMaxAge,
	})
	if err != nil {
		return err
	}
	if err := pipeline.EnsureJobBuckets(ctx, js, pipeline.JobBucketsConfig{Replicas: s.Replicas, StatusTTL: s.StatusTTL}); err != nil {
		return err
	}
	if _, err := js.CreateOrUpdateKeyValue(ctx, pipeline.ExporterBucketConfig(s.Replicas)); err != nil {
		return fmt.Errorf("exporter bucket: %w", err)
	}
	return nil
}

// Part is one long-running component: Run until ctx ends (nil for a part
// that only reports readiness); Ready for /readyz (nil: always ready).
type Part struct {
	Name  string
	Run   func(ctx context.Context) error
	Ready func() error
}

// Serve runs the parts and, unless addr is "off", the ops HTTP server
// (/metrics, /healthz, /readyz with NATS connectivity and every part's
// readiness, the status page at /, and with hc.Pprof Go's profiles at
// /debug/pprof/) until ctx ends or one fails; then
// it drains nc.
func Serve(ctx context.Context, hc config.HTTP, nc *nats.Conn, reg *prometheus.Registry, log *slog.Logger, parts ...Part) error {
	var ln net.Listener
	var page *ops.Page
	addr := hc.Addr
	if addr != "off" {
		var err error
		if page, err = statusPage(nc, reg); err != nil {
			return err
		}
		if ln, err = net.Listen("tcp", cmp.Or(addr, ":9090")); err != nil {
			return fmt.Errorf("ops http: %w", err)
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	checks := ops.Checks{"nats": func() error { return NATSReady(nc) }}
	for _, p := range parts {
		if p.Run != nil {
			g.Go(func() error { return p.Run(gctx) })
		}
		if p.Ready != nil {
			checks[p.Name] = p.Ready
		}
	}
	if ln != nil {
		g.Go(func() error { return page.Run(gctx) })
		h := ops.Handler(reg, checks, page)
		if hc.Pprof {
			h = ops.WithPprof(h)
		}
		g.Go(func() error { return ops.Serve(gctx, ln, h, log) })
	}
	err := g.Wait()
	if drainErr := nc.Drain(); drainErr != nil && err == nil {
		log.Warn("nats drain", "err", drainErr)
	}
	return err
}

// statusPage is the status page of reg's metrics and of what StatusPage
// reads on nc.
func statusPage(nc *nats.Conn, reg *prometheus.Registry) (*ops.Page, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("status page: %w", err)
	}
	return ops.NewPage(reg, StatusPage(js))
}

// NATSReady fails while nc is not connected.
func NATSReady(nc *nats.Conn) error {
	if !nc.IsConnected() {
		return fmt.Errorf("not connected (%s)", nc.Status())
	}
	return nil
}
