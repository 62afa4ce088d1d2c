package providers

import (
	"net"
	"net/http"
	"time"
)

// NewHTTPClient returns the http.Client every provider client should share:
// connections are pooled and reused, at most maxConns per host at once (the
// producer's concurrency; 0 means no cap, 100 idle), with bounded dial, TLS
// waits (the wait for a response is bounded by the Guard's per-attempt
// timeout alone), and HTTP/2 when the server offers it.
//
// It sets no overall Client.Timeout: the Guard bounds every attempt with
// its context instead, so a slow body is cut off the same way.
func NewHTTPClient(maxConns int) *http.Client {
	idle := maxConns
	if idle <= 0 {
		idle = 100
	}
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	t := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          idle,
		MaxIdleConnsPerHost:   idle,
		MaxConnsPerHost:       max(maxConns, 0),
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{Transport: t}
}
