package schemas

import "time"

// ExportCommit is the exporter's commit record, the single source of truth
// for what the lake holds. It lives in the key-value bucket
// BucketExporter under KeyExporterCommit and is only ever replaced with
// compare-and-set on its revision, which also fences a second exporter.
//
// Epoch N is committed once a record with Epoch N is stored: every event of
// the stream up to LastSeq is then in exactly one of the files of epochs
// 1..N, and Files (names relative to the lake's root, slash-separated)
// are epoch N's files, which may still be hidden until they are published.
// Uploads maps a file's name to its lake driver's handle on the hidden
// object (lake.Ref.Upload: an S3 multipart upload ID), for the drivers
// that need one to publish it; a file absent from Uploads is found by its
// name alone (a local folder's hidden temp file). Uploads is additive:
// records without it are those of the folder driver.
//
// The record is also the exporter's lease: Owner holds it while it
// rewrites the record (a renewal changes nothing but RenewedAt, and the
// revision) at least every LeaseMillis. A standby that sees the revision
// unchanged for LeaseMillis takes over; an empty Owner is a lease released
// at a clean shutdown, free at once.
type ExportCommit struct {
	Epoch       uint64            `json:"epoch"`
	LastSeq     uint64            `json:"last_seq"`
	Files       []string          `json:"files,omitempty"`
	Uploads     map[string]string `json:"uploads,omitempty"`
	Rows        int64             `json:"rows"`
	Owner       string            `json:"owner"`
	CommittedAt time.Time         `json:"committed_at"`
	LeaseMillis int64             `json:"lease_ms,omitempty"`
	RenewedAt   time.Time         `json:"renewed_at,omitzero"`
}
