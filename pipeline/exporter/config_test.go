package exporter_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/chatlake/chatlake/pipeline/exporter"
)

func TestExporterConfigValidate(t *testing.T) {
	for _, c := range []struct {
		cfg  exporter.Config
		ok   bool
		name string
	}{
		{exporter.Config{}, true, "defaults"},
		{exporter.Config{Compression: "gzip"}, false, "unknown codec"},
		{exporter.Config{Compression: "snappy"}, true, "snappy"},
		{exporter.Config{MaxFileRows: -1}, false, "negative rows"},
		{exporter.Config{MaxFileAge: time.Hour, AckWait: time.Minute}, false, "ack wait below age"},
		{exporter.Config{IdleFlush: -time.Second}, false, "negative idle"},
	} {
		if err := c.cfg.Validate(); (err == nil) != c.ok {
			t.Errorf("Config{%s}.Validate() = %v, want ok %v", c.name, err, c.ok)
		}
	}
}

func TestExporterCompression(t *testing.T) {
	for _, c := range []struct {
		name string
		want format.CompressionCodec
	}{{"snappy", format.Snappy}, {"none", format.Uncompressed}, {"", format.Zstd}} {
		t.Run(fmt.Sprintf("%q", c.name), func(t *testing.T) {
			_, js := exporterStreams(t)
			root := t.TempDir()
			cfg := exporterTestConfig()
			cfg.Compression = c.name
			last := publishTestEvents(t, js, testEvents(10, time.Now()))
			r := startExporter(t, js, folderLake(t, root), cfg)
			waitCommitted(t, js, last, 20*time.Second)
			if err := r.stop(t); err != nil {
				t.Fatal(err)
			}
			for _, p := range lakeFiles(t, root) {
				f, err := parquet.OpenFile(openParquet(t, p))
				if err != nil {
					t.Fatal(err)
				}
				if got := f.Metadata().RowGroups[0].Columns[0].MetaData.Codec; got != c.want {
					t.Errorf("codec of %s = %v, want %v", p, got, c.want)
				}
			}
		})
	}
}
