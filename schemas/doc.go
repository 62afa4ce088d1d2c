// Package schemas is chatlake's data contract: the normalized conversation,
// the job, the conversation event and the dead letter that travel through
// JetStream, the subject, stream and consumer names, and the Parquet row that
// lands in the lake.
//
// Everything here is a wire or file format shared by the producer, the
// exporter and downstream consumers. It evolves additively only: fields are
// added, never renamed or removed, and golden files under testdata/ pin the
// wire form. The package imports nothing from this module.
package schemas
