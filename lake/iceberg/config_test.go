package iceberg_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/chatlake/chatlake/lake/iceberg"
)

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  iceberg.Config
		want string // "" for valid
	}{
		{"local default", iceberg.Config{Warehouse: "lake"}, ""},
		{"file url", iceberg.Config{Warehouse: "file:///var/lake"}, ""},
		{"s3 with sqlite file", iceberg.Config{Warehouse: "s3://b/p", URI: "/var/catalog.db"}, ""},
		{"s3 with postgres", iceberg.Config{Warehouse: "s3://b/p", URI: "postgres://u:pw@h/db"}, ""},
		{"rest", iceberg.Config{Catalog: iceberg.CatalogREST, URI: "https://polaris:8181/api/catalog", Warehouse: "s3://b/p"}, ""},
		{"glue", iceberg.Config{Catalog: iceberg.CatalogGlue, Warehouse: "s3://b/p"}, ""},
		{"no warehouse", iceberg.Config{}, "warehouse is empty"},
		{"s3 sql without uri", iceberg.Config{Warehouse: "s3://b/p"}, "needs a uri"},
		{"rest without uri", iceberg.Config{Catalog: iceberg.CatalogREST, Warehouse: "s3://b/p"}, "needs a uri"},
		{"unknown catalog", iceberg.Config{Catalog: "hive", Warehouse: "x"}, "unknown catalog type"},
		{"gs with sqlite file", iceberg.Config{Warehouse: "gs://b/p", URI: "/var/catalog.db"}, ""},
		{"azblob warehouse", iceberg.Config{Warehouse: "azblob://c/p?account=a", URI: "c.db"}, "warehouse must be"},
		{"azure warehouse", iceberg.Config{Warehouse: "abfss://c@a.dfs.core.windows.net/p", URI: "c.db"}, "warehouse must be"},
		{"half keys", iceberg.Config{Warehouse: "x", S3: iceberg.S3{AccessKeyID: "a"}}, "set together"},
		{"dotted namespace", iceberg.Config{Warehouse: "x", Namespace: "a.b"}, "namespace"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Errorf("Validate() = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestSecretsNeverShow: no printout or log of a Config shows a secret, and
// neither does the error of a failed Open.
func TestSecretsNeverShow(t *testing.T) {
	cfg := iceberg.Config{
		Catalog: iceberg.CatalogREST, URI: "http://user:pg-secret@127.0.0.1:1/?password=q-secret",
		Credential: "id:cred-secret", Token: "tok-secret", Warehouse: "s3://b/p",
		S3:         iceberg.S3{AccessKeyID: "AK", SecretAccessKey: "s3-secret", SessionToken: "sess-secret"},
		Properties: map[string]string{"glue.secret-access-key": "prop-secret"},
	}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("config", "cfg", cfg)
	_, openErr := iceberg.Open(t.Context(), cfg, schemaOf[row](t))
	if openErr == nil {
		t.Fatal("Open() of an unreachable REST catalog = nil error")
	}
	for what, text := range map[string]string{
		"String": cfg.String(), "%v": fmt.Sprintf("%v", cfg), "%+v": fmt.Sprintf("%+v", cfg),
		"%#v": fmt.Sprintf("%#v", cfg), "slog": logged.String(), "Open error": openErr.Error(),
	} {
		for _, secret := range []string{"pg-secret", "q-secret", "cred-secret", "tok-secret", "s3-secret", "sess-secret", "prop-secret"} {
			if strings.Contains(text, secret) {
				t.Errorf("%s shows %s: %s", what, secret, text)
			}
		}
	}
}
