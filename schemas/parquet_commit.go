package schemas

import "time"

// ExportCommit is the exporter's commit record, the single source of truth
// for what the lake holds. It lives in the key-value bucket
// BucketExporter under KeyExporterCommit and is only ever replaced with
// compare-and-set on its revision, which also fences a second exporter.
//
// Epoch N is committed once a record with Epoch N is stored: every event of
// the stream up to LastSeq is then in exactly one of the files of epochs
// 1..N, and Files (paths relative to the exporter's root, slash-separated)
// are epoch N's files, which may still wait under their temp names until
// they are published.
//
// The record is also the exporter's lease: Owner holds it while it
// rewrites the record (a renewal changes nothing but RenewedAt, and the
// revision) at least every LeaseMillis. A standby that sees the revision
// unchanged for LeaseMillis takes over; an empty Owner is a lease released
// at a clean shutdown, free at once.
type ExportCommit struct {
	Epoch       uint64    `json:"epoch"`
	LastSeq     uint64    `json:"last_seq"`
	Files       []string  `json:"files,omitempty"`
	Rows        int64     `json:"rows"`
	Owner       string    `json:"owner"`
	CommittedAt time.Time `json:"committed_at"`
	LeaseMillis int64     `json:"lease_ms,omitempty"`
	RenewedAt   time.Time `json:"renewed_at,omitzero"`
}
