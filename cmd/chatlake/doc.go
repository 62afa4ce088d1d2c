// Command chatlake is the operator's tool: submit jobs and follow them,
// handle dead letters, maintain an Iceberg lake, and run everything in one
// process (against real providers, or simulated ones for a demo).
//
// Usage:
//
//	chatlake submit --provider P --app A [USER_ID... | --file F | -]
//	chatlake status [--provider P] [--app A] [--failures N]
//	chatlake dlq list|show|replay|purge [filters] [SEQ...]
//	chatlake lake compact|expire [--dry-run] ...
//	chatlake demo [--users N] [--format parquet|iceberg]
//	chatlake run --config FILE --data DIR
//
// `chatlake COMMAND --help` documents each command.
package main
