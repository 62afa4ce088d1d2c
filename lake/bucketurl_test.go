package lake_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chatlake/chatlake/lake"
)

func TestSplitBucketURL(t *testing.T) {
	u, _ := url.Parse("GS://bkt/a/b/?x=1&x=2&y=3")
	bucket, prefix, params, err := lake.SplitBucketURL(u, "gcs lake", "gs", "bucket")
	if err != nil || bucket != "bkt" || prefix != "a/b/" || params["x"] != "2" || params["y"] != "3" {
		t.Errorf("SplitBucketURL(%s) = %q, %q, %v, %v", u, bucket, prefix, params, err)
	}
	for _, raw := range []string{"s3://bkt/p", "gs:///p", "gs://u:s3cr3t@bkt/p", "gs://bkt/p#f"} {
		u, _ := url.Parse(raw)
		_, _, _, err := lake.SplitBucketURL(u, "gcs lake", "gs", "bucket")
		if err == nil || strings.Contains(err.Error(), "s3cr3t") || !strings.HasPrefix(err.Error(), "gcs lake: ") {
			t.Errorf("SplitBucketURL(%s) = %v, want an error of the gcs lake without the password", raw, err)
		}
	}
}

func TestRootPrefix(t *testing.T) {
	for in, want := range map[string]string{"": "", "/": "", "a": "a/", "/a/b/": "a/b/"} {
		if got, err := lake.RootPrefix(in); err != nil || got != want {
			t.Errorf("RootPrefix(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"a/../b", "a/.hidden", "a//b"} {
		if _, err := lake.RootPrefix(in); err == nil {
			t.Errorf("RootPrefix(%q) = nil error", in)
		}
	}
}
