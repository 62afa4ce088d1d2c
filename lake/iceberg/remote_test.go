package iceberg_test

import (
	"path/filepath"
	"testing"

	"github.com/chatlake/chatlake/internal/gcstest"
	"github.com/chatlake/chatlake/internal/pgtest"
	"github.com/chatlake/chatlake/internal/s3test"
	"github.com/chatlake/chatlake/lake/iceberg"
)

// TestPostgresS3 runs the flows on the production shape: a PostgreSQL
// catalog and a warehouse on a real S3 server. One server of each serves
// every flow (each in its own namespace), to keep the test binary cheap.
func TestPostgresS3(t *testing.T) {
	pg := pgtest.Start(t)
	s3 := s3test.Start(t)
	for _, f := range flows {
		t.Run(f.name, func(t *testing.T) {
			f.run(t, iceberg.Config{
				URI:       pg.DSN,
				Namespace: "ns_" + f.name,
				Warehouse: "s3://" + s3.Bucket + "/warehouse",
				S3: iceberg.S3{
					Endpoint: s3.Endpoint, Region: s3.Region, PathStyle: true,
					AccessKeyID: s3.AccessKey, SecretAccessKey: s3.SecretKey,
				},
			})
		})
	}
}

// TestSQLiteGCS runs the flows on a warehouse on a GCS emulator, with an
// SQLite catalog.
func TestSQLiteGCS(t *testing.T) {
	gcs := gcstest.Start(t)
	dir := t.TempDir()
	for _, f := range flows {
		t.Run(f.name, func(t *testing.T) {
			f.run(t, iceberg.Config{
				URI:       filepath.Join(dir, f.name+".db"),
				Namespace: "ns_" + f.name,
				Warehouse: "gs://" + gcs.Bucket + "/warehouse",
				GCS:       iceberg.GCS{Endpoint: gcs.Endpoint, Anonymous: true},
			})
		})
	}
}
