package config_test

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/chatlake/chatlake/internal/config"
	"github.com/chatlake/chatlake/internal/stack"
)

// FuzzLoad: any file either loads into a Config that validates or fails
// with an error; it never panics.
func FuzzLoad(f *testing.F) {
	seed, err := os.ReadFile("testdata/example.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(seed))
	f.Add("accounts:\n- {name: a, provider: yunxin, app_key: k, app_secret: s}\n")
	f.Add("producer: {grace: -1s, concurrency: 1e99}\n")
	f.Add("nats: [1, 2]\n")
	f.Add("&a [*a]")
	path := filepath.Join(f.TempDir(), "c.yaml")
	reg := stack.Providers()
	f.Fuzz(func(t *testing.T, in string) {
		if err := os.WriteFile(path, []byte(in), 0o600); err != nil {
			t.Fatal(err)
		}
		fs := flag.NewFlagSet("fuzz", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		var cfg config.Config
		l := config.NewLoader(fs, &cfg)
		if err := fs.Parse([]string{"--config", path}); err != nil {
			t.Fatal(err)
		}
		if err := l.Load(func(string) string { return "" }, reg); err != nil {
			return
		}
		if err := cfg.Validate(reg); err != nil {
			t.Fatalf("Load succeeded but Validate = %v", err)
		}
	})
}
