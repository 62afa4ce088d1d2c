package lake_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/chatlake/chatlake/lake"
)

func TestRegistryOpen(t *testing.T) {
	var r lake.Registry
	var got *url.URL
	open := func(_ context.Context, u *url.URL) (lake.Storage, error) { got = u; return nil, nil }
	r.Register("file", open)
	r.Register("s3", open)
	tests := []struct{ location, scheme, host, path string }{
		{"/data/lake", "file", "", "/data/lake"},
		{"relative/lake", "file", "", "relative/lake"},
		{"file:///data/lake", "file", "", "/data/lake"},
		{"S3://bucket/prefix", "s3", "bucket", "/prefix"},
	}
	for _, tt := range tests {
		if _, err := r.Open(t.Context(), tt.location); err != nil {
			t.Errorf("Open(%q) = %v", tt.location, err)
			continue
		}
		if got.Scheme != tt.scheme || got.Host != tt.host || got.Path != tt.path {
			t.Errorf("Open(%q) opened %+v, want scheme %q host %q path %q", tt.location, got, tt.scheme, tt.host, tt.path)
		}
	}
}

func TestRegistryRefuses(t *testing.T) {
	var r lake.Registry
	r.Register("file", func(context.Context, *url.URL) (lake.Storage, error) { return nil, nil })
	for _, loc := range []string{"", "gs://bucket/p", "s3://user:pa55word@bucket/p", "s3://b\x7f/p"} {
		_, err := r.Open(t.Context(), loc)
		if err == nil {
			t.Errorf("Open(%q) = nil error", loc)
		} else if strings.Contains(err.Error(), "pa55word") {
			t.Errorf("Open(%q) = %v, which shows the password", loc, err)
		}
	}
}
