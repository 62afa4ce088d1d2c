// Package gcs is the lake.Storage driver of Google Cloud Storage, on the
// cloud.google.com/go/storage SDK.
//
// GCS has no invisible multipart upload (a resumable upload cannot be
// finalized from another process through the SDK), so objects are staged
// under a hidden name and copied into place. Create writes an empty
// placeholder at <root>/.chatlake-staging/<name>.<nonce> (the nonce is the
// Ref's Upload) and starts a resumable upload that replaces it on the
// precondition that the placeholder is still there, so an object swept
// before its Finish cannot come back. Writes go through the SDK's Writer, which holds one chunk
// of Config.PartSize and sends it while the next one fills. Finish
// finalizes the staging object: a whole object, in a folder whose name
// begins with '.', which no lake name can reach (lake.CheckName), which
// List skips and Hadoop-style readers treat as hidden. Publish copies it
// server-side to its name, on the precondition that the name does not
// exist yet, then deletes it. A copy is atomic, so a reader sees a whole
// object or none. Publish is idempotent: a copy refused because the name
// exists was done before, and a staging object that is gone while its
// name exists was published before. Sweep deletes the staging objects
// below a prefix: unpublished epochs, and those whose deletion a crash
// after the copy interrupted.
//
// A server-side copy within a bucket is usually one request; across
// storage classes or locations the SDK repeats the rewrite until done.
// A bucket lifecycle rule deleting objects below .chatlake-staging/ older
// than any exporter outage is a good second net.
package gcs
