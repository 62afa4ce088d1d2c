package providers_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/chatlake/chatlake/providers"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	date := func(d time.Duration) string { return now.Add(d).Format(http.TimeFormat) }
	tests := []struct {
		v    string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"3", 3 * time.Second},
		{" 10 ", 10 * time.Second},
		{"-1", 0},
		{"-99999999999999999999", 0},
		{"soon", 0},
		{"1.5", 0},
		{"3s", 0},
		{"3600", providers.MaxRetryAfter},
		{"3601", providers.MaxRetryAfter},
		{"99999999999999999", providers.MaxRetryAfter},
		{"99999999999999999999", providers.MaxRetryAfter}, // beyond int64
		{date(90 * time.Second), 90 * time.Second},
		{now.Add(90 * time.Second).Format(time.RFC850), 90 * time.Second}, // obsolete form, still valid
		{date(-time.Hour), 0},
		{date(0), 0},
		{date(48 * time.Hour), providers.MaxRetryAfter},
		{"Mon, 99 Foo 2026 00:00:00 GMT", 0},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.v != "" {
			h.Set("Retry-After", tt.v)
		}
		if got := providers.RetryAfter(h, now); got != tt.want {
			t.Errorf("RetryAfter(%q) = %v, want %v", tt.v, got, tt.want)
		}
	}
}
