// Package retention deletes from the conversations stream the events that
// every reader is done with, so that a store which only feeds the lake
// stays about as small as its backlog.
//
// A Purger deletes (purges) the events up to the exporter's committed
// sequence, once they were committed at least Config.Keep ago, and never
// past the acknowledged floor of any consumer of the stream: a downstream
// service reading the stream on a durable consumer keeps every event it
// has not acknowledged yet. In a partitioned stream it never deletes an
// event on a subject no part takes (exporter.FirstStray), nor any after
// it, before the exporter has dead-lettered it. Keep should be the stream's duplicate window:
// nats-server rebuilds its duplicate detection from the messages it still
// holds when it restarts, so an event deleted sooner could be stored again
// by a job redone after a crash.
package retention
