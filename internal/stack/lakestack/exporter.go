package lakestack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/chatlake/chatlake/internal/config"
	"github.com/chatlake/chatlake/lake"
	"github.com/chatlake/chatlake/lake/azure"
	"github.com/chatlake/chatlake/lake/folder"
	"github.com/chatlake/chatlake/lake/gcs"
	"github.com/chatlake/chatlake/lake/iceberg"
	"github.com/chatlake/chatlake/lake/s3"
	"github.com/chatlake/chatlake/pipeline/exporter"
)

// Lakes returns the registry of every lake driver chatlake has: plain
// paths and file:// URLs open a folder, s3:// URLs an S3 bucket, gs://
// URLs a GCS bucket, azblob:// URLs an Azure container. The URL sets
// bucket (or container) and prefix, and may override the endpoint and a
// few more settings of the driver's section of c; credentials come from
// c or else the cloud's standard chain. Adding a backend is one package
// plus one line here.
func Lakes(c config.Exporter) *lake.Registry {
	var r lake.Registry
	folder.Register(&r)
	s3.Register(&r, s3Config(c.S3))
	gcs.Register(&r, gcs.Config{
		Endpoint: c.GCS.Endpoint, Anonymous: c.GCS.Anonymous, CredentialsFile: c.GCS.CredentialsFile, PartSize: c.GCS.PartSize,
	})
	azure.Register(&r, azure.Config{
		Account: c.Azure.Account, Endpoint: c.Azure.Endpoint, AccountKey: c.Azure.AccountKey,
		ConnectionString: c.Azure.ConnectionString, PartSize: c.Azure.PartSize,
	})
	return &r
}

func s3Config(c config.LakeS3) s3.Config {
	return s3.Config{
		Endpoint: c.Endpoint, Region: c.Region, PathStyle: c.PathStyle,
		AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, PartSize: c.PartSize,
	}
}

// OpenLake opens the lake cfg.Exporter names, with Lakes. In the parquet
// format it is the lake at exporter.root. In the iceberg format it opens
// (creating it on first use) the table with OpenTable and returns a
// TableLake: the storage rooted at the table's location, where the
// exporter writes the data files, hidden until committed, before it
// appends them to the table. The caller closes it (the table too).
func OpenLake(ctx context.Context, cfg *config.Config) (lake.Storage, error) {
	if cfg.Exporter.Format != config.FormatIceberg {
		return Lakes(cfg.Exporter).Open(ctx, cfg.Exporter.Root)
	}
	tbl, err := OpenTable(ctx, cfg)
	if err != nil {
		return nil, err
	}
	store, err := Lakes(cfg.Exporter).Open(ctx, tbl.Location())
	if err != nil {
		tbl.Close()
		return nil, fmt.Errorf("the table's location: %w", err)
	}
	return &TableLake{Storage: store, Table: tbl}, nil
}

// TableLake is the lake of the iceberg format: the storage at the table's
// location, and the table. Close closes both.
type TableLake struct {
	lake.Storage
	Table *iceberg.Table
}

// Close closes the storage and the table.
func (l *TableLake) Close() error { return errors.Join(l.Storage.Close(), l.Table.Close()) }

// NewExporter builds the Exporter from cfg.Exporter, writing to store; a
// TableLake's table gets each epoch.
func NewExporter(cfg *config.Config, js jetstream.JetStream, store lake.Storage, reg prometheus.Registerer, log *slog.Logger) (*exporter.Exporter, error) {
	ec := exporterConfig(cfg, reg)
	parts, err := parseParts(cfg.Exporter.Part)
	if err != nil {
		return nil, err
	}
	ec.Parts = parts
	if tl, ok := store.(*TableLake); ok {
		ec.Table = tl.Table
	} else if cfg.Exporter.Format == config.FormatIceberg {
		return nil, errors.New("exporter: format iceberg needs the lake OpenLake returns")
	}
	return exporter.New(js, store, log.With("component", "exporter"), ec)
}

func exporterConfig(cfg *config.Config, reg prometheus.Registerer) exporter.Config {
	c := cfg.Exporter
	return exporter.Config{
		Compression: c.Compression, MaxFileRows: c.MaxFileRows, MaxFileBytes: c.MaxFileBytes,
		MaxFileAge: c.MaxFileAge, IdleFlush: c.IdleFlush, MaxOpenFiles: c.MaxOpenFiles,
		MaxEpochEvents: c.MaxEpochEvents, RowGroupRows: c.RowGroupRows, RowGroupBytes: c.RowGroupBytes,
		BatchSize: c.Batch, DecodeWorkers: c.DecodeWorkers, AckWait: c.AckWait, ShutdownGrace: c.Grace, Lease: c.Lease,
		Replicas: cfg.Streams.Replicas, Partitions: cfg.Streams.Partitions, WriterVersion: Version(), Registerer: reg,
	}
}

// parseParts reads exporter.part: "" or "any" (nil, any part), or a comma
// list of part numbers.
func parseParts(s string) ([]int, error) {
	if s = strings.TrimSpace(s); s == "" || s == "any" {
		return nil, nil
	}
	var parts []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return nil, fmt.Errorf("exporter.part %q: want any or part numbers such as 0,2", s)
		}
		parts = append(parts, n)
	}
	return parts, nil
}

// Version is the module version the binary was built from, or "dev".
func Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
