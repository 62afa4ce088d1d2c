// Package producer turns jobs from the jobs stream into conversation
// events: for each job it pages through a Provider, publishes one event
// per conversation, checkpoints after each page, and acknowledges the job
// once every event is stored (see Producer).
//
// producer does not import providers: it declares the small Provider
// interface it needs, and the wiring layer (internal/stack) passes
// providers.Router in.
package producer
