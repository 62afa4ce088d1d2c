package stack

import (
	"log/slog"
	"runtime/debug"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/chatlake/chatlake/internal/config"
	"github.com/chatlake/chatlake/pipeline"
)

// NewExporter builds the Exporter from cfg.Exporter.
func NewExporter(cfg *config.Config, js jetstream.JetStream, reg prometheus.Registerer, log *slog.Logger) (*pipeline.Exporter, error) {
	return pipeline.NewExporter(js, log.With("component", "exporter"), pipeline.NewExporterMetrics(reg), exporterConfig(cfg))
}

func exporterConfig(cfg *config.Config) pipeline.ExporterConfig {
	c := cfg.Exporter
	return pipeline.ExporterConfig{
		Root: c.Root, Compression: c.Compression, MaxFileRows: c.MaxFileRows, MaxFileBytes: c.MaxFileBytes,
		MaxFileAge: c.MaxFileAge, IdleFlush: c.IdleFlush, MaxOpenFiles: c.MaxOpenFiles,
		MaxEpochEvents: c.MaxEpochEvents, RowGroupRows: c.RowGroupRows, RowGroupBytes: c.RowGroupBytes,
		BatchSize: c.Batch, DecodeWorkers: c.DecodeWorkers, AckWait: c.AckWait, ShutdownGrace: c.Grace, Lease: c.Lease,
		Replicas: cfg.Streams.Replicas, WriterVersion: Version(),
	}
}

// Version is the module version the binary was built from, or "dev".
func Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
