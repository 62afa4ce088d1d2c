// Package ops is the operational plumbing chatlake's commands share: the
// JSON slog logger, the NATS connection from config.NATS, and the HTTP
// server of /metrics, /healthz and /readyz.
package ops
