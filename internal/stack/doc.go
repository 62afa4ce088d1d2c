// Package stack assembles chatlake's running parts from one config.Config:
// the streams and buckets, the producer with its provider clients, the
// operations HTTP server with the status page, and an embedded NATS server
// for single-process deployments. cmd/producer, cmd/exporter and the
// `chatlake run` / `chatlake demo` commands all build from here, so a part
// is wired the same way whether it runs alone or with the others. The
// lake side (the lake drivers, the Iceberg table, the exporter, the
// finisher of export runs) is package lakestack below, so that the
// producer links no lake.
//
// Providers is the registry of every provider chatlake has a client for;
// the config validates accounts against it and NewProducer builds each
// account's client from it.
package stack
