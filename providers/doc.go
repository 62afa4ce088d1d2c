// Package providers is the shared resilience layer for outbound calls to IM
// providers.
//
// Guard wraps every call of one provider account: a client-side rate limit
// per account that keeps the provider's quota as the provider counts it
// (a send window) and paces requests with a token bucket
// (golang.org/x/time/rate) whose rate drops in proportion to the throttling
// seen and recovers over time; one circuit breaker per account and
// endpoint (sony/gobreaker) that opens after consecutive failures
// (throttles aside) and comes back as *BreakerOpenError; and retries with
// exponential backoff and jitter (cenkalti/backoff) that honour Retry-After
// and never retry permanent errors. Errors are typed (*Error) and
// classified (schemas.ErrorClass). Metrics exports what Guards do to
// Prometheus through the Observer hooks.
//
// NewHTTPClient is the one tuned http.Client the provider clients share.
// Router dispatches jobs to the Fetcher of their provider app; Pages
// iterates over a job's pages. RetryAfter reads a provider's Retry-After,
// capped at MaxRetryAfter.
//
// Registry holds each provider's descriptor (Provider: its name, the
// account settings of its key and secret, its client's constructor); the
// provider packages register themselves in it and the wiring builds every
// client from it, so adding a provider is one package and one
// registration.
//
// Each provider lives in its own package below (volcengine, yunxin) with
// its signing, paging, decoding and a wire-faithful simulator; providertest
// is the conformance suite every provider client passes.
package providers
