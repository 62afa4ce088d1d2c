package stack

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/chatlake/chatlake/internal/config"
	"github.com/chatlake/chatlake/internal/ops"
)

// Env is what a long-running command starts from: its JSON logger, a NATS
// connection with its JetStream context, the streams and buckets ensured,
// and a metrics registry. Close the connection when done.
type Env struct {
	Log *slog.Logger
	NC  *nats.Conn
	JS  jetstream.JetStream
	Reg *prometheus.Registry
}

// Connect logs to stderr, connects to NATS as name and ensures the streams.
func Connect(ctx context.Context, cfg *config.Config, name string, stderr io.Writer, opts ...jetstream.JetStreamOpt) (*Env, error) {
	log, err := ops.NewLogger(stderr, cfg.Log.Level)
	if err != nil {
		return nil, err
	}
	nc, err := ops.ConnectNATS(cfg.NATS, name, log)
	if err != nil {
		return nil, err
	}
	js, err := jetstream.New(nc, opts...)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	if err := Ensure(ctx, js, cfg.Streams); err != nil {
		nc.Close()
		return nil, err
	}
	return &Env{Log: log, NC: nc, JS: js, Reg: ops.NewRegistry()}, nil
}
