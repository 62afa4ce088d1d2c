package volcengine_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/chatlake/chatlake/providers/volcengine"
)

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		cfg   volcengine.Config
		valid bool
	}{
		{volcengine.Config{}, true},
		{volcengine.Config{Endpoint: volcengine.OverseasEndpoint, PageSize: 20}, true},
		{volcengine.Config{Endpoint: "http://127.0.0.1:8080/"}, true},
		{volcengine.Config{PageSize: 21}, false},
		{volcengine.Config{PageSize: -1}, false},
		{volcengine.Config{Endpoint: "ftp://x"}, false},
		{volcengine.Config{Endpoint: "https://"}, false},
		{volcengine.Config{Endpoint: "https://x/api"}, false},
		{volcengine.Config{Endpoint: "https://x/?a=b"}, false},
		{volcengine.Config{Endpoint: "://bad"}, false},
	} {
		if err := tc.cfg.Validate(); (err == nil) != tc.valid {
			t.Errorf("Config{Endpoint: %q, PageSize: %d}.Validate() = %v, want valid %v", tc.cfg.Endpoint, tc.cfg.PageSize, err, tc.valid)
		}
	}
}

func TestNewClientRequiresDependencies(t *testing.T) {
	creds := volcengine.Credentials{AccessKeyID: "ak", SecretAccessKey: "sk"}
	g := fastGuard(1)
	for _, tc := range []struct {
		name  string
		hc    *http.Client
		creds volcengine.Credentials
		cfg   volcengine.Config
	}{
		{"nil http client", nil, creds, volcengine.Config{}},
		{"no access key", &http.Client{}, volcengine.Credentials{SecretAccessKey: "sk"}, volcengine.Config{}},
		{"no secret", &http.Client{}, volcengine.Credentials{AccessKeyID: "ak"}, volcengine.Config{}},
		{"bad config", &http.Client{}, creds, volcengine.Config{PageSize: 50}},
	} {
		if c, err := volcengine.NewClient(tc.hc, g, tc.creds, tc.cfg); err == nil {
			t.Errorf("NewClient(%s) = %v, nil; want an error", tc.name, c)
		}
	}
	if c, err := volcengine.NewClient(&http.Client{}, nil, creds, volcengine.Config{}); err == nil {
		t.Errorf("NewClient(nil guard) = %v, nil; want an error", c)
	}
}

func TestSecretsNeverPrint(t *testing.T) {
	const sk, token = "s3cr3t-SK-value", "t0k3n-STS-value"
	creds := volcengine.Credentials{AccessKeyID: "AKLTvisible", SecretAccessKey: sk, SessionToken: token}
	var outputs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		outputs = append(outputs, fmt.Sprintf(verb, creds), fmt.Sprintf(verb, creds.SecretAccessKey))
	}
	outputs = append(outputs, creds.SecretAccessKey.String(), fmt.Sprint(&creds))
	js, err := json.Marshal(creds)
	if err != nil {
		t.Fatalf("json.Marshal(creds) = %v", err)
	}
	outputs = append(outputs, string(js))
	var logBuf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logBuf, nil))
	log.Info("creds", "creds", creds, "sk", creds.SecretAccessKey)
	slog.New(slog.NewTextHandler(&logBuf, nil)).Info("creds", "creds", creds, "token", creds.SessionToken)
	outputs = append(outputs, logBuf.String())
	for _, out := range outputs {
		if strings.Contains(out, sk) || strings.Contains(out, token) || strings.Contains(out, fmt.Sprintf("%x", sk)) {
			t.Errorf("output leaks a secret: %s", out)
		}
	}
	if !strings.Contains(string(js), "AKLTvisible") || !strings.Contains(string(js), "[REDACTED]") {
		t.Errorf("json.Marshal(creds) = %s, want the access key id and [REDACTED]", js)
	}
	if creds.SecretAccessKey.Reveal() != sk {
		t.Errorf("Reveal() = %q, want the secret", creds.SecretAccessKey.Reveal())
	}
}
