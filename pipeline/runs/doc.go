// Package runs follows export runs: named sets of jobs (schemas.Job.Run)
// that operators and programs watch as one. It keeps each run's record
// (schemas.Run in schemas.BucketRuns), sums its jobs' statuses
// (schemas.BucketRunJobs) into a Summary, and runs the Finisher, which
// signals each completion exactly once: the lake's marker (a _SUCCESS.<run>
// file per partition of a Parquet lake, an Iceberg tag) and the
// schemas.RunCompletion event on chatlake.runs.<run>.
//
// A run is complete when it is sealed (no submit is adding jobs), every job
// of it is done or dead-lettered, and the exporter has committed every
// event the jobs published: each job's status records the stream sequence
// of its last event, and Commits.Committed compares it with the exporter's
// commit record.
package runs
