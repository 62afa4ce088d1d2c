// Package s3 is the lake.Storage driver of S3 and its compatibles (AWS,
// MinIO, Ceph, R2, versitygw), on the AWS SDK v2.
//
// Objects become visible exactly once without a rename. Create starts a
// multipart upload at the object's final key: an uncompleted upload is
// invisible to every reader and lister of the bucket. Writes are buffered
// into parts of Config.PartSize and each full part is uploaded while the
// next one fills, so an object in progress holds at most two part buffers,
// whatever its size. Finish uploads the last part and returns the upload
// ID in the Ref, still without completing the upload. Publish completes
// it, asking the server for the parts' ETags (ListParts), so any process
// can publish from the Ref alone; an upload that is gone while its object
// exists was completed before, which makes Publish idempotent. Sweep
// aborts every multipart upload below a prefix.
//
// An upload left uncompleted stays billed until it is aborted: Sweep does
// that on the exporter's start, and a bucket lifecycle rule
// (AbortIncompleteMultipartUpload) is a good second net, with a delay
// longer than any exporter outage after which recovery must still publish.
package s3
