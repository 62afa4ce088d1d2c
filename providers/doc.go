// Package providers is the shared resilience layer for outbound calls to IM
// providers: typed, classified errors; retries with exponential backoff and
// jitter (cenkalti/backoff); one circuit breaker per account and endpoint
// (sony/gobreaker); a client-side rate limit per account
// (golang.org/x/time/rate) that slows down on throttling and recovers.
//
// Each provider lives in its own package below (volcengine, yunxin) with its
// signing, paging, decoding and a wire-faithful simulator.
package providers
