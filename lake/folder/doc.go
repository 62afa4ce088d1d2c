// Package folder is the lake.Storage driver of a local folder, the lake's
// embedded default.
//
// An object is written to a hidden temp file beside its final name:
// ".<base>.tmp", which no lake engine reads (leading '.', no .parquet
// suffix). Finish fsyncs the file; Publish renames it to its final name and
// fsyncs the folder, so a reader sees a whole file or none, and a published
// file survives a power cut. New folders are created with an fsync of their
// parents. Sweep deletes the temp files, including those left by chatlake
// versions that wrote the folder lake before this package
// (".part-….parquet.tmp").
package folder
