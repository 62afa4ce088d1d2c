package providers_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/chatlake/chatlake/providers"
)

func TestNewHTTPClient(t *testing.T) {
	c := providers.NewHTTPClient(8)
	tr, ok := c.Transport.(*http.Transport)
	if !ok {
		t.Fatalf("NewHTTPClient(8).Transport = %T, want *http.Transport", c.Transport)
	}
	if c.Timeout != 0 || tr.MaxConnsPerHost != 8 || tr.MaxIdleConnsPerHost != 8 || !tr.ForceAttemptHTTP2 || tr.ResponseHeaderTimeout != 0 {
		t.Errorf("NewHTTPClient(8) = timeout %v, max conns %d, idle %d, h2 %v, header timeout %v; want 0, 8, 8, true, 0 (the guard's per-attempt timeout alone bounds the wait)",
			c.Timeout, tr.MaxConnsPerHost, tr.MaxIdleConnsPerHost, tr.ForceAttemptHTTP2, tr.ResponseHeaderTimeout)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	defer srv.Close()
	resp, err := c.Get(srv.URL)
	if err != nil {
		t.Fatalf("Get() = %v", err)
	}
	defer resp.Body.Close()
	if b, _ := io.ReadAll(resp.Body); string(b) != "ok" {
		t.Errorf("Get() body = %q, want ok", b)
	}
}
