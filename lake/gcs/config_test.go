package gcs_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/chatlake/chatlake/internal/gcstest"
	"github.com/chatlake/chatlake/internal/secret"
	"github.com/chatlake/chatlake/lake"
	"github.com/chatlake/chatlake/lake/gcs"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		url  string
		want gcs.Config
	}{
		{"gs://bucket", gcs.Config{Bucket: "bucket"}},
		{"gs://bucket/lake/prod", gcs.Config{Bucket: "bucket", Prefix: "lake/prod"}},
		{"GS://bucket/p?endpoint=http://127.0.0.1:4443/storage/v1/&anonymous=true",
			gcs.Config{Bucket: "bucket", Prefix: "p", Endpoint: "http://127.0.0.1:4443/storage/v1/", Anonymous: true}},
	}
	for _, tt := range tests {
		got, err := gcs.ParseURL(tt.url)
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
		"gs:///prefix", "s3://bucket/p", "gs://bucket/../up", "gs://bucket/a/.hidden",
		"gs://bucket/p?key=x", "gs://bucket/p?anonymous=maybe", "gs://bucket/p#frag",
		"gs://user:s3cr3t-in-url@bucket/p",
	} {
		_, err := gcs.ParseURL(raw)
		if err == nil {
			t.Errorf("ParseURL(%q) = nil error", raw)
		} else if strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("ParseURL(%q) = %v, which shows the password", raw, err)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, cfg := range []gcs.Config{
		{},
		{Bucket: "b", PartSize: gcs.PartQuantum + 1},
		{Bucket: "b", PartSize: -gcs.PartQuantum},
		{Bucket: "b", PartSize: gcs.MaxPartSize + gcs.PartQuantum},
		{Bucket: "b", PartTimeout: -1},
		{Bucket: "b", CredentialsFile: "f", CredentialsJSON: "{}"},
		{Bucket: "b", Anonymous: true, CredentialsJSON: "{}"},
	} {
		if err := cfg.Validate(); err == nil {
			t.Errorf("%v.Validate() = nil", cfg)
		}
	}
}

// TestSecretNeverShows: the key is in no printout or log of the Config,
// and not in the error of a client that cannot use it.
func TestSecretNeverShows(t *testing.T) {
	const key = `{"type":"service_account","private_key":"not-a-key-s3cr3t","client_email":"x@y"}`
	cfg := gcs.Config{Bucket: "b", Endpoint: "http://127.0.0.1:1/storage/v1/", CredentialsJSON: secret.String(key)}
	var log bytes.Buffer
	slog.New(slog.NewJSONHandler(&log, nil)).Info("lake", "cfg", cfg)
	_, err := gcs.Open(t.Context(), cfg)
	if err == nil {
		t.Fatal("Open() with a broken key = nil error")
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
		if strings.Contains(text, "s3cr3t") {
			t.Errorf("%s shows the secret: %s", what, text)
		}
	}
}

func TestRegistry(t *testing.T) {
	srv := gcstest.Start(t)
	var r lake.Registry
	gcs.Register(&r, gcs.Config{PartSize: gcs.PartQuantum})
	u := "gs://" + srv.Bucket + "/reg?anonymous=true&endpoint=" + srv.Endpoint
	s, err := r.Open(t.Context(), u)
	if err != nil {
		t.Fatalf("Open(%q) = %v", u, err)
	}
	defer s.Close()
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
}
