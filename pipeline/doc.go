// Package pipeline moves work through JetStream: the producer turns jobs
// into conversation events, the exporter turns events into Parquet files.
// It also sets up the streams, dead letters and key-value buckets both
// depend on.
//
// pipeline does not import providers: it declares the small Provider
// interface it needs, and cmd/* wires the provider clients in.
package pipeline
