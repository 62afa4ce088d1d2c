package e2e_test

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/chatlake/chatlake/internal/config"
	"github.com/chatlake/chatlake/internal/s3test"
	"github.com/chatlake/chatlake/internal/stack/lakestack"
	"github.com/chatlake/chatlake/schemas"
)

// icebergLake is the Iceberg-on-S3 lake of TestEndToEndIcebergS3: its
// settings, as environment variables of the exporter and as a Config.
type icebergLake struct {
	env []string
	cfg *config.Config
}

// newIcebergLake puts the warehouse in a bucket of a versitygw of its own
// and the SQLite catalog in dir.
func newIcebergLake(t *testing.T, dir string) icebergLake {
	srv := s3test.Start(t)
	uri, wh := filepath.Join(dir, "catalog.db"), "s3://"+srv.Bucket+"/warehouse"
	return icebergLake{
		env: []string{
			"CHATLAKE_EXPORTER_FORMAT=iceberg", "CHATLAKE_EXPORTER_ICEBERG_URI=" + uri,
			"CHATLAKE_EXPORTER_ICEBERG_WAREHOUSE=" + wh,
			"CHATLAKE_EXPORTER_S3_ENDPOINT=" + srv.Endpoint, "CHATLAKE_EXPORTER_S3_REGION=" + srv.Region,
			"CHATLAKE_EXPORTER_S3_PATH_STYLE=true",
			"AWS_ACCESS_KEY_ID=" + srv.AccessKey, "AWS_SECRET_ACCESS_KEY=" + srv.SecretKey,
		},
		cfg: &config.Config{Exporter: config.Exporter{
			Format: config.FormatIceberg,
			S3: config.LakeS3{
				Endpoint: srv.Endpoint, Region: srv.Region, PathStyle: true,
				AccessKeyID: srv.AccessKey, SecretAccessKey: config.Secret(srv.SecretKey),
			},
			Iceberg: config.Iceberg{URI: uri, Warehouse: wh},
		}},
	}
}

// count is the table's row count, read with iceberg-go's scanner.
func (l icebergLake) count(t *testing.T) (int64, error) {
	tbl, err := lakestack.OpenTable(t.Context(), l.cfg)
	if err != nil {
		return 0, err
	}
	defer tbl.Close()
	return tbl.Count(t.Context())
}

// rows reads the table twice: with iceberg-go's scanner (event IDs), and
// by opening the current snapshot's data files with parquet-go. They
// must agree; it returns the rows of the files.
func (l icebergLake) rows(t *testing.T) []schemas.ConversationRow {
	t.Helper()
	store, err := lakestack.OpenLake(t.Context(), l.cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	tbl := store.(*lakestack.TableLake).Table
	scanned, err := tbl.Rows(t.Context(), "event_id")
	if err != nil {
		t.Fatal(err)
	}
	files, err := tbl.DataFiles(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var rows []schemas.ConversationRow
	for _, f := range files {
		name := "data/" + strings.TrimPrefix(f.Location, tbl.DataLocation(""))
		r, err := store.Open(t.Context(), name)
		if err != nil {
			t.Fatalf("data file %s: %v", f.Location, err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		rs, err := parquet.Read[schemas.ConversationRow](bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatalf("parquet.Read(%s): %v", f.Location, err)
		}
		rows = append(rows, rs...)
	}
	ids := map[string]int{}
	for _, r := range scanned {
		ids[r["event_id"].(string)]++
	}
	for _, r := range rows {
		ids[r.EventID]--
	}
	for id, n := range ids {
		if n != 0 {
			t.Errorf("event %s: the scanner and the data files disagree by %d", id, n)
		}
	}
	return rows
}

// TestEndToEndIcebergS3 runs chatlake as separate processes with the
// exporter writing an Iceberg table on S3 (versitygw, SQLite catalog) and
// kills the exporter with SIGKILL three times mid-export: the table must
// hold every conversation exactly once.
func TestEndToEndIcebergS3(t *testing.T) {
	bin := buildBinaries(t, "github.com/nats-io/nats-server/v2", "./cmd/imsim", "./cmd/producer", "./cmd/exporter", "./cmd/chatlake")
	users := e2eUsers()
	want := expected(users)
	c := newCluster(t, bin)
	// The cluster's exporter starts on a folder; nothing is submitted yet,
	// so it has written nothing when it hands over to one on Iceberg.
	if err := c.exporter.stop(30 * time.Second); err != nil {
		t.Fatalf("exporter exit: %v", err)
	}
	l := newIcebergLake(t, c.dir)
	c.env = append(c.env, l.env...)
	c.startExporter()
	c.submit(users)
	for i := range 3 {
		waitTable(t, l, int64(len(want)*(i+1)/5), 2*time.Minute)
		c.exporter.kill()
		c.startExporter()
	}
	waitTable(t, l, int64(len(want)), 3*time.Minute)
	c.stop()
	checkRows(t, l.rows(t), want)
	if rows, err := lakeRows(t, c.lake); err != nil || len(rows) > 0 {
		t.Errorf("the folder lake holds %d rows (%v), want none", len(rows), err)
	}
}

// waitTable polls until the table holds at least n rows.
func waitTable(t *testing.T, l icebergLake, n int64, timeout time.Duration) {
	waitFor(t, timeout, fmt.Sprintf("%d rows in the table", n), func() (bool, error) {
		got, err := l.count(t)
		return got >= n, fmt.Errorf("%d rows, %v", got, err)
	})
}
