package yunxin_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chatlake/chatlake/providers/yunxin"
)

func TestCheckSumVectors(t *testing.T) {
	// docs/providers.md §2.2, checked against the official Go SDK.
	tests := []struct{ secret, nonce, cur, want string }{
		{"exampleAppSecret", "4tgggergigwow323t23t", "1443592222", "f1bd8a3893d59361303fbaf7c2096d4f3df9d37e"},
		{"c9a0be8f1cd3", "8dfdb33d2840", "1700000000", "d33e60e5de839cc9cbe1337afa7343a68e0450cf"},
	}
	for _, tt := range tests {
		if got := yunxin.CheckSum(tt.secret, tt.nonce, tt.cur); got != tt.want {
			t.Errorf("CheckSum(%q, %q, %q) = %s, want %s", tt.secret, tt.nonce, tt.cur, got, tt.want)
		}
	}
}

func TestRandomNonce(t *testing.T) {
	a, b := yunxin.RandomNonce(), yunxin.RandomNonce()
	if len(a) != 32 || strings.Trim(a, "0123456789abcdef") != "" {
		t.Errorf("RandomNonce() = %q, want 32 lowercase hex characters", a)
	}
	if a == b {
		t.Errorf("RandomNonce() twice = %q, want two different nonces", a)
	}
}

func TestSecretRedacted(t *testing.T) {
	const secret = "s3cr3t-value"
	creds := yunxin.Credentials{AppKey: "app", AppSecret: secret}
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%10s"} {
		outs = append(outs, fmt.Sprintf(verb, creds), fmt.Sprintf(verb, creds.AppSecret), fmt.Sprintf(verb, &creds))
	}
	outs = append(outs, fmt.Sprint(creds), fmt.Sprintln(creds.AppSecret), creds.AppSecret.String())
	j, err := json.Marshal(creds)
	if err != nil {
		t.Fatal(err)
	}
	outs = append(outs, string(j))
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "creds", creds, "secret", creds.AppSecret)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "creds", creds, "secret", creds.AppSecret)
	outs = append(outs, buf.String())
	for _, out := range outs {
		if strings.Contains(out, secret) || strings.Contains(out, fmt.Sprintf("%x", []byte(secret))) {
			t.Errorf("output %q reveals the secret", out)
		}
	}
	if !strings.Contains(string(j), "[REDACTED]") {
		t.Errorf("json.Marshal(creds) = %s, want [REDACTED] in place of the secret", j)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		cfg  yunxin.Config
		fail bool
	}{
		{yunxin.Config{}, false},
		{yunxin.Config{BaseURL: yunxin.BaseURLOverseas, ListLimit: 1, BatchSize: 100}, false},
		{yunxin.Config{ListLimit: 100, BatchSize: 1}, false},
		{yunxin.Config{ListLimit: 101}, true},
		{yunxin.Config{ListLimit: -1}, true},
		{yunxin.Config{BatchSize: 101}, true},
		{yunxin.Config{BatchSize: -5}, true},
		{yunxin.Config{BaseURL: "open.yunxinapi.com"}, true},
		{yunxin.Config{BaseURL: "ftp://open.yunxinapi.com"}, true},
		{yunxin.Config{BaseURL: "http://[::1"}, true},
	}
	for _, tt := range tests {
		if err := tt.cfg.Validate(); (err != nil) != tt.fail {
			t.Errorf("%+v.Validate() = %v, want error %v", tt.cfg, err, tt.fail)
		}
	}
}

func TestNewClientRejects(t *testing.T) {
	g := testGuard(1)
	tests := []struct {
		name  string
		nilHC bool
		creds yunxin.Credentials
		cfg   yunxin.Config
	}{
		{"nil http client", true, testCreds, yunxin.Config{}},
		{"empty app key", false, yunxin.Credentials{AppSecret: "x"}, yunxin.Config{}},
		{"empty secret", false, yunxin.Credentials{AppKey: "x"}, yunxin.Config{}},
		{"bad config", false, testCreds, yunxin.Config{ListLimit: 500}},
	}
	for _, tt := range tests {
		hc := httpClient()
		if tt.nilHC {
			hc = nil
		}
		if _, err := yunxin.NewClient(hc, g, tt.creds, tt.cfg); err == nil {
			t.Errorf("NewClient(%s) = nil error, want an error", tt.name)
		}
	}
	if _, err := yunxin.NewClient(httpClient(), nil, testCreds, yunxin.Config{}); err == nil {
		t.Error("NewClient(nil guard) = nil error, want an error")
	}
}

func TestRequestOnTheWire(t *testing.T) {
	var got *http.Request
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Clone(r.Context())
		w.Write([]byte(`{"code":200,"msg":"success","data":{"success_list":[],"failed_list":[]}}`))
	}))
	t.Cleanup(s.Close)
	cfg := yunxin.Config{
		Now:   func() time.Time { return time.Unix(1443592222, 999_000_000) },
		Nonce: func() string { return "4tgggergigwow323t23t" },
	}
	creds := yunxin.Credentials{AppKey: "my-app", AppSecret: "exampleAppSecret"}
	c := newClientWith(t, s.URL, creds, cfg, testGuard(1))
	if _, err := c.BatchGetConversations(t.Context(), "u1", []string{"u1|1|a b", "u1|2|7"}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"AppKey":   "my-app",
		"Nonce":    "4tgggergigwow323t23t",
		"CurTime":  "1443592222",
		"CheckSum": "f1bd8a3893d59361303fbaf7c2096d4f3df9d37e",
	}
	for k, v := range want {
		if g := got.Header.Get(k); g != v {
			t.Errorf("header %s = %q, want %q", k, g, v)
		}
	}
	if got.Method != http.MethodGet || got.URL.Path != "/im/v2/conversations/actions/conversation_ids" ||
		got.URL.RawQuery != "conversation_ids=u1%7C1%7Ca+b%2Cu1%7C2%7C7" {
		t.Errorf("request = %s %s?%s, want GET of the comma-joined, URL-encoded IDs", got.Method, got.URL.Path, got.URL.RawQuery)
	}
}
