// Package lakestack assembles the lake side of chatlake from one
// config.Config: the lake drivers (Lakes, OpenLake), the Iceberg table
// (OpenTable), the exporter, the finisher of export runs with the lake's
// markers, and the retention of exported events. cmd/exporter and the
// `chatlake run`, `demo` and `lake` commands build from here; the NATS
// side (connection, streams, producer, quotas, ops HTTP server, status
// page) is package stack.
//
// It is a package of its own so that cmd/producer, which never touches
// the lake, links none of it: no lake driver, no Apache Iceberg, no cloud
// SDK (TestProducerLinksNoLake in cmd/producer).
package lakestack
