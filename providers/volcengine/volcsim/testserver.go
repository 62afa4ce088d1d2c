package volcsim

import (
	"net/http"
	"net/http/httptest"
)

// TestServer is a Server listening on a loopback port, for tests. Close it.
type TestServer struct {
	*Server
	// URL is the base URL, e.g. http://127.0.0.1:34567: the client's
	// Config.Endpoint.
	URL string
	srv *httptest.Server
}

// Start starts a Server for opts on a loopback port.
func Start(opts Options) (*TestServer, error) {
	s, err := New(opts)
	if err != nil {
		return nil, err
	}
	hs := httptest.NewServer(s)
	return &TestServer{Server: s, URL: hs.URL, srv: hs}, nil
}

// Client returns an HTTP client for the server.
func (t *TestServer) Client() *http.Client { return t.srv.Client() }

// Close shuts the server down, waiting for requests in flight.
func (t *TestServer) Close() { t.srv.Close() }
