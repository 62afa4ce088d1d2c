package lakestack

import (
	"cmp"
	"context"
	"log/slog"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/internal/config"
	"github.com/chatlake/chatlake/lake"
	"github.com/chatlake/chatlake/pipeline/exporter"
	"github.com/chatlake/chatlake/pipeline/runs"
)

// NewFinisher builds the finisher of export runs for the lake OpenLake
// opened: it marks a Parquet lake with a _SUCCESS.<run> file per
// partition, an Iceberg table with a tag. It runs beside the exporter, in
// every exporter process (standbys too: compare-and-set makes each
// completion happen once).
func NewFinisher(ctx context.Context, cfg *config.Config, js jetstream.JetStream, store lake.Storage, log *slog.Logger) (*runs.Finisher, error) {
	fc := runs.FinisherConfig{Format: cmp.Or(cfg.Exporter.Format, config.FormatParquet), Marker: exporter.FolderMarker{Lake: store}}
	if tl, ok := store.(*TableLake); ok {
		fc.Marker = exporter.TableMarker{Table: tl.Table}
	}
	return runs.NewFinisher(ctx, js, log.With("component", "runs"), fc)
}
