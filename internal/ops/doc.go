// Package ops is the operational plumbing chatlake's commands share: the
// JSON slog logger, the NATS connection from config.NATS, and the HTTP
// server of /metrics, /healthz, /readyz and the status page (Page): an
// embedded HTML page at / that polls /api/status and charts the
// process's own metrics, sampled into an hour of history.
package ops
