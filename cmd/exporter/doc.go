// Command exporter writes chatlake's conversation events into lake-ready
// Parquet files, exactly once: it consumes the CHATLAKE_CONVERSATIONS
// stream and writes
//
//	<root>/conversations/provider=<p>/app=<app>/dt=<YYYY-MM-DD>/part-….parquet
//
// with typed columns (see schemas.ConversationRow), zstd by default. A
// file appears only complete, and after a crash at any instant (kill -9
// included) and a restart, every event is in exactly one visible file.
//
// A second exporter on the same NATS and lake waits as a hot standby while
// the owner renews its lease in the commit record, and takes over when the
// lease lapses or the owner shuts down. An exporter that lost its lease
// exits with status 1; a supervisor that restarts it gets a standby.
//
// Usage:
//
//	exporter --config chatlake.yaml [flags]
//
// Every setting is in the YAML file (section exporter, plus nats, streams,
// http, log), an environment variable or a flag; `exporter --help` lists
// them. SIGINT or SIGTERM flushes and commits the open files and exits 0.
package main
