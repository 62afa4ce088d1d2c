package secret_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/chatlake/chatlake/internal/secret"
)

func TestNeverShows(t *testing.T) {
	const value = "s3cr3t-value"
	s := secret.String(value)
	holder := struct{ S secret.String }{s}
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%10s", "%d"} {
		outs = append(outs, fmt.Sprintf(verb, s), fmt.Sprintf(verb, holder), fmt.Sprintf(verb, &holder))
	}
	outs = append(outs, fmt.Sprint(s), fmt.Sprintln(s), s.String(), s.GoString())
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "s", s, "holder", holder)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "s", s)
	outs = append(outs, buf.String())
	j, err := json.Marshal(holder)
	if err != nil {
		t.Fatal(err)
	}
	txt, _ := s.MarshalText()
	outs = append(outs, string(j), string(txt))
	for _, o := range outs {
		if strings.Contains(o, value) || strings.Contains(o, fmt.Sprintf("%x", value)) {
			t.Errorf("output %q shows the secret", o)
		}
	}
	if !strings.Contains(string(j), secret.Redacted) {
		t.Errorf("json.Marshal = %s, want %s", j, secret.Redacted)
	}
	if s.Reveal() != value {
		t.Errorf("Reveal() = %q, want %q", s.Reveal(), value)
	}
}

func TestEmptyShowsEmpty(t *testing.T) {
	var s secret.String
	if got := fmt.Sprintf("%v|%s", s, s.String()); got != "|" {
		t.Errorf("empty secret prints %q, want %q", got, "|")
	}
}

func TestUnmarshalTextKeepsTheValue(t *testing.T) {
	var s secret.String
	if err := s.UnmarshalText([]byte("v")); err != nil || s.Reveal() != "v" {
		t.Errorf("UnmarshalText(v) = %v, %q; want nil, v", err, s.Reveal())
	}
}
