// Package azure is the lake.Storage driver of Azure Blob Storage (block
// blobs), on the Azure SDK for Go (azblob). Lake locations are
// azblob://container/prefix.
//
// Objects become visible exactly once without a rename. Create writes an
// empty marker blob <root>/.chatlake-staging/<name>.<nonce> (a folder
// whose name begins with '.', which no lake name can reach, which List
// skips) and stages the object's blocks on the blob at its final name:
// uncommitted blocks are invisible to every reader and lister of the
// container. Writes are buffered into blocks of Config.PartSize, each
// full block staged (with its Content-MD5) while the next one fills, so an
// object in progress holds two block buffers, whatever its size. Finish
// stages the last block; the Ref's Upload is "<nonce>:<blocks>", from
// which any process derives the block IDs. Publish commits that block
// list, which is atomic, and deletes the marker. It is idempotent: a blob
// whose committed list is already the Ref's was published before. The
// marker tells a staged object from a swept one: Publish refuses a Ref
// whose marker is gone and whose blocks are not committed.
//
// Sweep finds the remnants below a prefix by their markers: it deletes
// the marker and, when the blob has nothing committed, the blob with its
// uncommitted blocks. Blocks staged on a blob that has committed content
// cannot be deleted alone; Azure drops them at the next commit on that
// blob, or after a week.
package azure
