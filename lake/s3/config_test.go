package s3_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/chatlake/chatlake/internal/s3test"
	"github.com/chatlake/chatlake/internal/secret"
	"github.com/chatlake/chatlake/lake"
	"github.com/chatlake/chatlake/lake/s3"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		url  string
		want s3.Config
	}{
		{"s3://bucket", s3.Config{Bucket: "bucket"}},
		{"s3://bucket/", s3.Config{Bucket: "bucket"}},
		{"s3://bucket/lake/prod", s3.Config{Bucket: "bucket", Prefix: "lake/prod"}},
		{"S3://bucket/p?endpoint=http://127.0.0.1:9000&region=eu-west-1&path_style=true",
			s3.Config{Bucket: "bucket", Prefix: "p", Endpoint: "http://127.0.0.1:9000", Region: "eu-west-1", PathStyle: true}},
	}
	for _, tt := range tests {
		got, err := s3.ParseURL(tt.url)
		if err != nil {
			t.Errorf("ParseURL(%q) = %v", tt.url, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseURL(%q) mismatch (-want +got):\n%s", tt.url, diff)
		}
	}
}

func TestParseURLRefuses(t *testing.T) {
	for _, raw := range []string{
		"s3:///prefix", "gs://bucket/p", "s3://bucket/../up", "s3://bucket/a/.hidden",
		"s3://bucket/p?secret=x", "s3://bucket/p?path_style=maybe", "s3://bucket/p#frag",
		"s3://AKIDEXAMPLE:s3cr3t-in-url@bucket/p",
	} {
		_, err := s3.ParseURL(raw)
		if err == nil {
			t.Errorf("ParseURL(%q) = nil error", raw)
		} else if strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("ParseURL(%q) = %v, which shows the password", raw, err)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, cfg := range []s3.Config{
		{},
		{Bucket: "b", PartSize: s3.MinPartSize - 1},
		{Bucket: "b", PartSize: s3.MaxPartSize + 1},
		{Bucket: "b", AccessKeyID: "id"},
		{Bucket: "b", SecretAccessKey: "secret"},
		{Bucket: "b", PartTimeout: -1},
	} {
		if err := cfg.Validate(); err == nil {
			t.Errorf("%v.Validate() = nil", cfg)
		}
	}
}

// TestSecretNeverShows: the secret is in no printout or log of the
// Config, and not in the error of a server that refuses it.
func TestSecretNeverShows(t *testing.T) {
	srv := s3test.Start(t)
	cfg := config(srv, "lake")
	cfg.SecretAccessKey = secret.String("wrong-" + srv.SecretKey)
	var log bytes.Buffer
	slog.New(slog.NewJSONHandler(&log, nil)).Info("lake", "cfg", cfg)
	_, err := s3.Open(t.Context(), cfg)
	if err == nil {
		t.Fatal("Open() with a wrong secret = nil error")
	}
	js, err2 := json.Marshal(cfg)
	if err2 != nil {
		t.Fatal(err2)
	}
	for what, text := range map[string]string{
		"json": string(js),
		"%v":   fmt.Sprintf("%v", cfg), "%+v": fmt.Sprintf("%+v", cfg), "%#v": fmt.Sprintf("%#v", cfg), "%s": fmt.Sprintf("%s", cfg),
		"slog": log.String(), "error": err.Error(),
	} {
		if strings.Contains(text, cfg.SecretAccessKey.Reveal()) {
			t.Errorf("%s shows the secret: %s", what, text)
		}
	}
}

func TestRegistry(t *testing.T) {
	srv := s3test.Start(t)
	var r lake.Registry
	base := config(srv, "")
	base.Endpoint, base.Region = "", ""
	s3.Register(&r, base)
	u := "s3://" + srv.Bucket + "/reg?path_style=true&region=" + srv.Region + "&endpoint=" + srv.Endpoint
	s, err := r.Open(t.Context(), u)
	if err != nil {
		t.Fatalf("Open(%q) = %v", u, err)
	}
	obj, err := s.Create(t.Context(), "x")
	if err != nil {
		t.Fatal(err)
	}
	ref, err := obj.Finish(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Publish(t.Context(), []lake.Ref{ref}); err != nil {
		t.Fatal(err)
	}
	got, err := open(t, config(srv, "reg")).List(t.Context(), "")
	if err != nil || len(got) != 1 || got[0] != "x" {
		t.Fatalf("List() below the URL's prefix = %q, %v; want [x]", got, err)
	}
	if _, err := r.Open(t.Context(), "gs://bucket/p"); err == nil {
		t.Error("Open(gs://…) with no gs driver = nil error")
	}
}
