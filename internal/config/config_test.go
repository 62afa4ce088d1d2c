package config_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatlake/chatlake/internal/config"
	"github.com/chatlake/chatlake/internal/stack"
	"github.com/chatlake/chatlake/providers"
)

func load(t *testing.T, args []string, env map[string]string) (*config.Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var cfg config.Config
	l := config.NewLoader(fs, &cfg)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return &cfg, l.Load(func(k string) string { return env[k] }, stack.Providers())
}

func TestLoadExampleWithPrecedence(t *testing.T) {
	env := map[string]string{
		"VOLC_SECRET_ACCESS_KEY":        "volc-secret",
		"CHATLAKE_PRODUCER_CONCURRENCY": "4",
		"CHATLAKE_PRODUCER_GRACE":       "5s",
		"CHATLAKE_NATS_TOKEN":           "tok",
	}
	cfg, err := load(t, []string{"--config", "testdata/example.yaml", "--producer.grace=7s", "--nats.url", "nats://x:1"}, env)
	if err != nil {
		t.Fatalf("Load = %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"file", cfg.Producer.MaxAttempts, 5},
		{"env over file", cfg.Producer.Concurrency, 4},
		{"flag over env", cfg.Producer.Grace, 7 * time.Second},
		{"flag over file", cfg.NATS.URL, "nats://x:1"},
		{"env only", cfg.NATS.Token.Reveal(), "tok"},
		{"secret from env", cfg.Accounts[0].SecretAccessKey.Reveal(), "volc-secret"},
		{"secret from file", cfg.Accounts[1].AppSecret.Reveal(), "yx-secret-from-file"},
		{"apps", strings.Join(providerAccount(t, cfg.Accounts[1]).Apps, ","), "yxappkey1"},
		{"yunxin key", providerAccount(t, cfg.Accounts[1]).Key, "yxappkey1"},
		{"volcengine key", providerAccount(t, cfg.Accounts[0]).Key, cfg.Accounts[0].AccessKeyID},
		{"volcengine secret", providerAccount(t, cfg.Accounts[0]).Secret.Reveal(), "volc-secret"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

func providerAccount(t *testing.T, a config.Account) providers.Account {
	t.Helper()
	pa, err := a.ProviderAccount(stack.Providers())
	if err != nil {
		t.Fatalf("ProviderAccount(%s) = %v", a.Name, err)
	}
	return pa
}

func TestSecretsNeverPrinted(t *testing.T) {
	cfg, err := load(t, []string{"--config", "testdata/example.yaml"}, map[string]string{"VOLC_SECRET_ACCESS_KEY": "volc-secret"})
	if err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("cfg", "cfg", cfg, "secret", cfg.Accounts[0].SecretAccessKey)
	js, _ := json.Marshal(cfg)
	outputs := map[string]string{
		"%v": fmt.Sprintf("%v", cfg), "%+v": fmt.Sprintf("%+v", *cfg), "%#v": fmt.Sprintf("%#v", *cfg),
		"%s": fmt.Sprintf("%s", cfg.Accounts[1].AppSecret), "%q": fmt.Sprintf("%q", cfg.NATS.Password),
		"%x": fmt.Sprintf("%x", cfg.NATS.Password), "json": string(js), "slog": logged.String(),
	}
	for how, out := range outputs {
		for _, secret := range []string{"volc-secret", "yx-secret-from-file", "example-password"} {
			if strings.Contains(out, secret) {
				t.Errorf("%s output contains secret %q: %s", how, secret, out)
			}
		}
	}
}

func TestLoadRejects(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"unknown key", []string{"--config", write("a.yaml", "producer:\n  concurency: 3\n")}, nil, "concurency"},
		{"bad duration env", nil, map[string]string{"CHATLAKE_PRODUCER_GRACE": "soon"}, "CHATLAKE_PRODUCER_GRACE"},
		{"bad flag", []string{"--producer.concurrency=many"}, nil, "invalid value"},
		{"two secret sources", []string{"--config", write("b.yaml", "accounts:\n- {name: a, provider: yunxin, app_key: k, app_secret: s, app_secret_env: X}\n")}, nil, "give one of"},
		{"unknown provider", []string{"--config", write("c.yaml", "accounts:\n- {name: a, provider: wechat}\n")}, nil,
			`config: account 0 (a): unknown provider "wechat" (known: volcengine, yunxin)`},
		{"volc without secret", []string{"--config", write("g.yaml", "accounts:\n- {name: a, provider: volcengine, access_key_id: k, app_secret: s, apps: ['1']}\n")}, nil,
			"volcengine needs access_key_id and secret_access_key"},
		{"volc without apps", []string{"--config", write("h.yaml", "accounts:\n- {name: a, provider: volcengine, access_key_id: k, secret_access_key: s}\n")}, nil, "volcengine needs apps"},
		{"yunxin other app", []string{"--config", write("i.yaml", "accounts:\n- {name: a, provider: yunxin, app_key: k, app_secret: s, apps: [j]}\n")}, nil,
			"yunxin apps must be empty or just the app_key"},
		{"negative qps", []string{"--config", write("j.yaml", "accounts:\n- {name: a, provider: yunxin, app_key: k, app_secret: s, qps: -1}\n")}, nil, "qps is negative"},
		{"volc app", []string{"--config", write("d.yaml", "accounts:\n- {name: a, provider: volcengine, access_key_id: k, secret_access_key: s, apps: [abc]}\n")}, nil, "AppId"},
		{"empty env secret", []string{"--config", write("e.yaml", "accounts:\n- {name: a, provider: yunxin, app_key: k, app_secret_env: NOPE}\n")}, nil, "NOPE is empty"},
		{"duplicate name", []string{"--config", write("f.yaml", "accounts:\n- {name: a, provider: yunxin, app_key: k, app_secret: s}\n- {name: a, provider: yunxin, app_key: j, app_secret: s}\n")}, nil, "duplicate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(t, tt.args, tt.env)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load(%v) = %v, want an error containing %q", tt.args, err, tt.want)
			}
		})
	}
}

func TestHelpListsEveryEnvVar(t *testing.T) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	var out bytes.Buffer
	fs.SetOutput(&out)
	var cfg config.Config
	config.NewLoader(fs, &cfg)
	fs.PrintDefaults()
	for _, want := range []string{"-nats.url", "CHATLAKE_NATS_URL", "-producer.max_attempts", "CHATLAKE_PRODUCER_MAX_ATTEMPTS", "-streams.duplicate_window", "-http.addr", "CHATLAKE_CONFIG"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help lacks %q", want)
		}
	}
}

func TestSectionsLimitFlags(t *testing.T) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	var cfg config.Config
	config.NewLoader(fs, &cfg, "nats")
	if fs.Lookup("nats.url") == nil || fs.Lookup("producer.concurrency") != nil {
		t.Errorf("NewLoader(fs, cfg, nats) flags: nats.url %v producer.concurrency %v, want only nats", fs.Lookup("nats.url") != nil, fs.Lookup("producer.concurrency") != nil)
	}
}

// TestDeployConfigLoads keeps the docker-compose deployment's config in
// step with the loader: every account valid, NATS and lake set.
func TestDeployConfigLoads(t *testing.T) {
	env := map[string]string{"CHATLAKE_CONFIG": filepath.Join("..", "..", "deploy", "chatlake.yaml")}
	cfg, err := config.Parse("producer", "", nil, func(k string) string { return env[k] }, io.Discard, stack.Providers())
	if err != nil {
		t.Fatalf("Parse(deploy/chatlake.yaml) = %v", err)
	}
	if len(cfg.Accounts) != 2 || cfg.NATS.URL != "nats://nats:4222" || cfg.Exporter.Root != "/lake" {
		t.Errorf("deploy config = %d accounts, nats %q, root %q; want 2, nats://nats:4222, /lake",
			len(cfg.Accounts), cfg.NATS.URL, cfg.Exporter.Root)
	}
}

// TestThirdProviderValidates: a provider registered by a test, unknown to
// this package, is validated by its own descriptor.
func TestThirdProviderValidates(t *testing.T) {
	var reg providers.Registry
	reg.Register(providers.Provider{Name: "fake", KeyField: "access_key_id", SecretField: "secret_access_key",
		New: func(*http.Client, *providers.Guard, providers.Account) (providers.Fetcher, error) { return nil, nil }})
	ok := config.Config{Accounts: []config.Account{{Name: "f", Provider: "fake", AccessKeyID: "k", SecretAccessKey: "s", Apps: []string{"app1"}}}}
	if err := ok.Validate(&reg); err != nil {
		t.Errorf("Validate(fake account) = %v, want nil", err)
	}
	bad := config.Config{Accounts: []config.Account{{Name: "f", Provider: "fake", AccessKeyID: "k", Apps: []string{"app1"}}}}
	if err := bad.Validate(&reg); err == nil || !strings.Contains(err.Error(), "fake needs access_key_id and secret_access_key") {
		t.Errorf("Validate(fake account without secret) = %v, want fake needs access_key_id and secret_access_key", err)
	}
	volc := config.Config{Accounts: []config.Account{{Name: "v", Provider: "volcengine", AccessKeyID: "k", SecretAccessKey: "s", Apps: []string{"1"}}}}
	if err := volc.Validate(&reg); err == nil || !strings.Contains(err.Error(), `unknown provider "volcengine" (known: fake)`) {
		t.Errorf("Validate(volcengine account, registry of fake) = %v, want unknown provider", err)
	}
}

// TestAzureSecretsResolve: the Azure lake's key and connection string come
// from a variable or a file, like every other secret.
func TestAzureSecretsResolve(t *testing.T) {
	file := filepath.Join(t.TempDir(), "azure")
	if err := os.WriteFile(file, []byte("AccountName=a;AccountKey=k\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"--config", "testdata/example.yaml", "--exporter.azure.account_key_env=AZ_KEY", "--exporter.azure.connection_string_file=" + file}
	cfg, err := load(t, args, map[string]string{"VOLC_SECRET_ACCESS_KEY": "volc-secret", "AZ_KEY": "az-key"})
	if err != nil {
		t.Fatalf("Load = %v", err)
	}
	az := cfg.Exporter.Azure
	if az.AccountKey.Reveal() != "az-key" || az.ConnectionString.Reveal() != "AccountName=a;AccountKey=k" {
		t.Errorf("exporter.azure = key %q, connection string %q; want them from the variable and the file",
			az.AccountKey.Reveal(), az.ConnectionString.Reveal())
	}
}
