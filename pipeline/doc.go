// Package pipeline holds what chatlake's programs share on JetStream: the
// streams (EnsureStreams), the job buckets and job status records
// (EnsureJobBuckets, JobStatuses), job submission (Submitter), dead
// letters (NewDeadLetter, PublishDeadLetter), retry delays (Backoff) and
// JSON values in key-value buckets (GetJSON).
//
// The two programs live in sub-packages: pipeline/producer turns jobs into
// conversation events, pipeline/exporter turns events into Parquet files
// in a lake. Neither imports the other, and pipeline imports neither.
package pipeline
