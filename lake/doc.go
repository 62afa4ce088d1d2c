// Package lake is the seam between the exporter's epoch protocol and the
// place where the lake's files live: a local folder, or object storage.
//
// A Storage driver offers exactly what an atomic, crash-safe epoch commit
// needs and nothing more: objects are written under a hidden form that no
// reader of the lake can see, finished durably while still hidden, then
// published under their final names once the exporter's commit record
// names them. Publishing is idempotent, so recovery after a crash repeats
// it for the last committed epoch; Sweep discards whatever an uncommitted
// epoch left behind.
//
// Drivers live in sub-packages (lake/folder, lake/s3) and pass the
// conformance suite in lake/laketest; they share CheckName, so a name is
// valid on every driver or on none. The exporter talks only to this
// interface, so its crash and exactly-once tests run against every driver.
//
// One setting names the lake: a plain path, file://path or
// s3://bucket/prefix. A Registry, filled by the wiring layer with each
// driver's Register, opens it by its scheme.
package lake
