package schemas

// Key-value buckets and keys of the exporter.
const (
	// BucketExporter holds the exporter's commit record.
	BucketExporter = "chatlake_exporter"
	// KeyExporterCommit is the key of the ExportCommit in BucketExporter.
	KeyExporterCommit = "conversations_commit"
)
