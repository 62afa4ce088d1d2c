package s3_test

import (
	"testing"

	"github.com/chatlake/chatlake/internal/s3test"
	"github.com/chatlake/chatlake/internal/secret"
	"github.com/chatlake/chatlake/lake"
	"github.com/chatlake/chatlake/lake/laketest"
	"github.com/chatlake/chatlake/lake/s3"
)

// config returns the Config of a lake on srv below prefix, with the
// smallest parts so that tests cross part boundaries.
func config(srv *s3test.Server, prefix string) s3.Config {
	return s3.Config{
		Bucket:          srv.Bucket,
		Prefix:          prefix,
		Endpoint:        srv.Endpoint,
		Region:          srv.Region,
		PathStyle:       true,
		AccessKeyID:     srv.AccessKey,
		SecretAccessKey: secret.String(srv.SecretKey),
		PartSize:        s3.MinPartSize,
	}
}

func open(t testing.TB, cfg s3.Config) *s3.Storage {
	t.Helper()
	s, err := s3.Open(t.Context(), cfg)
	if err != nil {
		t.Fatalf("Open(%v) = %v", cfg, err)
	}
	return s
}

func TestConformance(t *testing.T) {
	srv := s3test.Start(t)
	laketest.Run(t, func(t *testing.T) lake.Storage {
		return open(t, config(srv, "lake/"+t.Name()))
	})
}

// BenchmarkWrite uses the default part size, as a deployment would.
func BenchmarkWrite(b *testing.B) {
	cfg := config(s3test.Start(b), "bench")
	cfg.PartSize = 0
	laketest.BenchmarkWrite(b, open(b, cfg), 64<<20)
}
