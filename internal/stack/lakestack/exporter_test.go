package lakestack_test

import (
	"log/slog"
	"slices"
	"testing"

	"github.com/chatlake/chatlake/internal/azuritetest"
	"github.com/chatlake/chatlake/internal/config"
	"github.com/chatlake/chatlake/internal/gcstest"
	"github.com/chatlake/chatlake/internal/s3test"
	"github.com/chatlake/chatlake/internal/stack/lakestack"
	"github.com/chatlake/chatlake/lake"
	"github.com/chatlake/chatlake/lake/folder"
)

// TestOpenLakeByLocation: exporter.root chooses the driver, a folder for a
// plain path and S3 for an s3:// URL, credentials from the environment.
// TestOpenCloudLakes does gs:// and azblob://.
func TestOpenLakeByLocation(t *testing.T) {
	if got, want := lakestack.Lakes(config.Exporter{}).Schemes(), []string{"azblob", lake.FileScheme, "gs", "s3"}; !slices.Equal(got, want) {
		t.Errorf("Lakes().Schemes() = %v, want %v", got, want)
	}
	dir := t.TempDir()
	store := openLake(t, dir)
	if f, ok := store.(*folder.Storage); !ok || f.Root() != dir {
		t.Errorf("OpenLake(%s) = %T, want the folder lake at it", dir, store)
	}

	srv := s3test.Start(t)
	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
	store = openLake(t, "s3://"+srv.Bucket+"/lake?endpoint="+srv.Endpoint+"&region="+srv.Region+"&path_style=true")
	roundTrip(t, store)
}

// TestOpenCloudLakes: gs:// opens a GCS lake and azblob:// an Azure one,
// with the settings of exporter.gcs and exporter.azure.
func TestOpenCloudLakes(t *testing.T) {
	gsrv := gcstest.Start(t)
	cfg := &config.Config{Exporter: config.Exporter{
		Root: "gs://" + gsrv.Bucket + "/lake",
		GCS:  config.LakeGCS{Endpoint: gsrv.Endpoint, Anonymous: true},
	}}
	roundTrip(t, openLakeConfig(t, cfg))

	asrv := azuritetest.Start(t)
	cfg = &config.Config{Exporter: config.Exporter{
		Root:  "azblob://" + asrv.Container + "/lake?account=" + asrv.Account,
		Azure: config.LakeAzure{Endpoint: asrv.Endpoint, AccountKey: config.Secret(asrv.AccountKey)},
	}}
	roundTrip(t, openLakeConfig(t, cfg))
}

// roundTrip writes and publishes an object and lists it.
func roundTrip(t *testing.T, store lake.Storage) {
	t.Helper()
	obj, err := store.Create(t.Context(), "conversations/part-1.parquet")
	if err != nil {
		t.Fatal(err)
	}
	obj.Write([]byte("x"))
	ref, err := obj.Finish(t.Context())
	if err != nil {
		t.Fatalf("Finish on the %T lake: %v", store, err)
	}
	if err := store.Publish(t.Context(), []lake.Ref{ref}); err != nil {
		t.Fatal(err)
	}
	if names, err := store.List(t.Context(), ""); err != nil || !slices.Equal(names, []string{ref.Name}) {
		t.Errorf("List = %v, %v; want [%s]", names, err, ref.Name)
	}
}

func openLake(t *testing.T, root string) lake.Storage {
	t.Helper()
	return openLakeConfig(t, &config.Config{Exporter: config.Exporter{Root: root}})
}

func openLakeConfig(t *testing.T, cfg *config.Config) lake.Storage {
	t.Helper()
	store, err := lakestack.OpenLake(t.Context(), cfg)
	if err != nil {
		t.Fatalf("OpenLake(%s): %v", cfg.Exporter.Root, err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

// TestNewExporterParts: exporter.part is any part, or a list of parts
// below streams.partitions; anything else is a config error.
func TestNewExporterParts(t *testing.T) {
	for _, tt := range []struct {
		part       string
		partitions int
		ok         bool
	}{
		{"", 1, true}, {"any", 3, true}, {"2", 3, true}, {"0, 2", 3, true},
		{"3", 3, false}, {"1", 1, false}, {"x", 3, false}, {"0,0", 3, false}, {"-1", 3, false},
	} {
		cfg := &config.Config{Exporter: config.Exporter{Root: t.TempDir(), Part: tt.part}, Streams: config.Streams{Partitions: tt.partitions}}
		_, err := lakestack.NewExporter(cfg, nil, folderStore(t), nil, slog.New(slog.DiscardHandler))
		if (err == nil) != tt.ok {
			t.Errorf("NewExporter(part %q of %d) = %v, want ok %v", tt.part, tt.partitions, err, tt.ok)
		}
	}
}

func folderStore(t *testing.T) lake.Storage {
	t.Helper()
	s, err := folder.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}
