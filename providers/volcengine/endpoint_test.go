package volcengine_test

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/chatlake/chatlake/providers/volcengine"
)

// headerRecorder answers an empty page and keeps the last request's
// headers and host.
type headerRecorder struct {
	mu     sync.Mutex
	host   string
	header http.Header
}

func (h *headerRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.host, h.header = r.Host, r.Header.Clone()
	h.mu.Unlock()
	io.WriteString(w, `{"Result":{"ConversationInfos":[],"HasMore":false,"NextCursor":0}}`)
}

// TestDefaultEndpoints sends to the real host names over TLS, with the
// dialer pointed at a loopback server, and checks Host and signing region.
func TestDefaultEndpoints(t *testing.T) {
	for _, tc := range []struct {
		endpoint, host, region string
	}{
		{"", "rtc.volcengineapi.com", volcengine.DefaultRegion},
		{volcengine.OverseasEndpoint, "open-ap-singapore-1.volcengineapi.com", volcengine.OverseasRegion},
	} {
		rec := &headerRecorder{}
		srv := httptest.NewTLSServer(rec)
		t.Cleanup(srv.Close)
		hc := &http.Client{Transport: &http.Transport{
			TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, network, srv.Listener.Addr().String())
			},
		}}
		creds := volcengine.Credentials{AccessKeyID: "AKLTsts", SecretAccessKey: "sk", SessionToken: "sts-token"}
		c, err := volcengine.NewClient(hc, fastGuard(1), creds, volcengine.Config{Endpoint: tc.endpoint})
		if err != nil {
			t.Fatalf("NewClient(%q) = %v", tc.endpoint, err)
		}
		if _, err := c.GetUserConversations(t.Context(), volcengine.Request{AppID: 1, UserID: "1"}); err != nil {
			t.Fatalf("GetUserConversations(%q) = %v", tc.endpoint, err)
		}
		auth := rec.header.Get("Authorization")
		wantScope := "/" + tc.region + "/rtc/request, SignedHeaders=content-type;host;x-content-sha256;x-date;x-security-token, "
		if rec.host != tc.host || !strings.Contains(auth, wantScope) || rec.header.Get("X-Security-Token") != "sts-token" {
			t.Errorf("GetUserConversations(%q) sent host %q auth %q token %q; want host %q and %q",
				tc.endpoint, rec.host, auth, rec.header.Get("X-Security-Token"), tc.host, wantScope)
		}
	}
}
