package azure_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/chatlake/chatlake/internal/azuritetest"
	"github.com/chatlake/chatlake/internal/secret"
	"github.com/chatlake/chatlake/lake"
	"github.com/chatlake/chatlake/lake/azure"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		url  string
		want azure.Config
	}{
		{"azblob://ctr?account=acct", azure.Config{Container: "ctr", Account: "acct"}},
		{"azblob://ctr/lake/prod?account=acct", azure.Config{Container: "ctr", Prefix: "lake/prod", Account: "acct"}},
		{"AZBLOB://ctr/p?account=a&endpoint=http://127.0.0.1:10000/a",
			azure.Config{Container: "ctr", Prefix: "p", Account: "a", Endpoint: "http://127.0.0.1:10000/a"}},
	}
	for _, tt := range tests {
		got, err := azure.ParseURL(tt.url)
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
		"azblob:///prefix?account=a", "azblob://ctr/p", "gs://ctr/p?account=a", "azblob://ctr/../up?account=a",
		"azblob://ctr/a/.hidden?account=a", "azblob://ctr/p?account=a&sig=s3cr3t", "azblob://ctr/p?account=a#frag",
		"azblob://acct:s3cr3t-in-url@ctr/p?account=a", "azblob://ctr/p?account=a&endpoint=http://u:s3cr3t@h/",
	} {
		_, err := azure.ParseURL(raw)
		if err == nil {
			t.Errorf("ParseURL(%q) = nil error", raw)
		} else if strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("ParseURL(%q) = %v, which shows the secret", raw, err)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, cfg := range []azure.Config{
		{},
		{Container: "c"},
		{Account: "a", Container: "c", PartSize: azure.MinPartSize - 1},
		{Account: "a", Container: "c", PartSize: azure.MaxPartSize + 1},
		{Account: "a", Container: "c", PartTimeout: -1},
		{Container: "c", ConnectionString: "x", AccountKey: "k"},
		{Container: "c", ConnectionString: "x", Endpoint: "http://h/"},
		{Account: "a", Container: "c", Endpoint: "not a url"},
	} {
		if err := cfg.Validate(); err == nil {
			t.Errorf("%v.Validate() = nil", cfg)
		}
	}
}

// TestSecretNeverShows: the key and the connection string are in no
// printout or log of the Config, and not in the error of a server that
// refuses the key.
func TestSecretNeverShows(t *testing.T) {
	srv := azuritetest.Start(t)
	wrong := []byte(srv.AccountKey)
	wrong[0] ^= 1 // still base64
	for _, cfg := range []azure.Config{
		{Account: srv.Account, Container: srv.Container, Endpoint: srv.Endpoint, AccountKey: secret.String(wrong)},
		{Container: srv.Container, ConnectionString: secret.String(strings.Replace(srv.ConnectionString(), srv.AccountKey, string(wrong), 1))},
	} {
		var log bytes.Buffer
		slog.New(slog.NewJSONHandler(&log, nil)).Info("lake", "cfg", cfg)
		_, err := azure.Open(t.Context(), cfg)
		if err == nil {
			t.Fatal("Open() with a wrong key = nil error")
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
			if strings.Contains(text, string(wrong)) {
				t.Errorf("%s shows the key: %s", what, text)
			}
		}
	}
}

func TestRegistry(t *testing.T) {
	srv := azuritetest.Start(t)
	var r lake.Registry
	azure.Register(&r, azure.Config{AccountKey: secret.String(srv.AccountKey)})
	u := "azblob://" + srv.Container + "/reg?account=" + srv.Account + "&endpoint=" + srv.Endpoint
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
	// Read back through a connection string, the other way to the account.
	byConnection := azure.Config{Container: srv.Container, Prefix: "reg", ConnectionString: secret.String(srv.ConnectionString())}
	got, err := open(t, byConnection).List(t.Context(), "")
	if err != nil || len(got) != 1 || got[0] != "x" {
		t.Fatalf("List() below the URL's prefix = %q, %v; want [x]", got, err)
	}
}
