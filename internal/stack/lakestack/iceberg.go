package lakestack

import (
	"cmp"
	"context"
	"fmt"

	"github.com/chatlake/chatlake/internal/config"
	"github.com/chatlake/chatlake/lake/iceberg"
	"github.com/chatlake/chatlake/schemas"
)

// IcebergConfig is the table configuration cfg.Exporter names: its
// iceberg section, with the warehouse defaulting to exporter.root and the
// settings of exporter.s3 and exporter.gcs.
func IcebergConfig(cfg *config.Config) iceberg.Config {
	c, s, g := cfg.Exporter.Iceberg, cfg.Exporter.S3, cfg.Exporter.GCS
	return iceberg.Config{
		Catalog: c.Catalog, URI: c.URI, Namespace: c.Namespace,
		Warehouse:  cmp.Or(c.Warehouse, cfg.Exporter.Root),
		Credential: c.Credential.Reveal(), Token: c.Token.Reveal(), RESTWarehouse: c.RESTWarehouse,
		S3: iceberg.S3{
			Endpoint: s.Endpoint, Region: s.Region, PathStyle: s.PathStyle,
			AccessKeyID: s.AccessKeyID, SecretAccessKey: s.SecretAccessKey.Reveal(),
		},
		GCS:        iceberg.GCS{Endpoint: g.Endpoint, Anonymous: g.Anonymous, CredentialsFile: g.CredentialsFile},
		Properties: c.Properties,
	}
}

// OpenTable opens (creating it on first use, evolving it additively
// later) the Iceberg conversations table cfg.Exporter names, with the
// schema of schemas.ConversationRow. The caller closes it.
func OpenTable(ctx context.Context, cfg *config.Config) (*iceberg.Table, error) {
	ic := IcebergConfig(cfg)
	if err := ic.Validate(); err != nil {
		return nil, err
	}
	sch, err := iceberg.SchemaFromParquet(schemas.ParquetSchema())
	if err != nil {
		return nil, fmt.Errorf("iceberg schema of the lake's rows: %w", err)
	}
	return iceberg.Open(ctx, ic, sch)
}
