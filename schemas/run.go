package schemas

import (
	"strconv"
	"time"
)

// Names of export runs. An export run is a named set of jobs (Job.Run)
// followed as one: its record, its jobs' statuses, and one completion
// event each time all of them are in the lake.
const (
	// BucketRuns holds each run's Run record, keyed by its name.
	BucketRuns = "chatlake_runs"
	// BucketRunJobs holds a copy of the JobStatus of every job of a run,
	// keyed RunJobKey, so a run is read without scanning every job.
	BucketRunJobs = "chatlake_run_jobs"
	// SubjectRunsPrefix + "<run>" carries a run's RunCompletion events.
	SubjectRunsPrefix = "chatlake.runs."
	// StreamRuns keeps the completion events.
	StreamRuns = "CHATLAKE_RUNS"
	// RunMarkerPrefix + "<run>" is the name of the marker file a completed
	// run leaves in every partition folder of a Parquet lake it wrote to
	// (Hadoop's _SUCCESS, one per run). It holds the RunCompletion as
	// JSON. Engines skip names starting with "_", and a glob of
	// **/*.parquet never matches it.
	RunMarkerPrefix = "_SUCCESS."
	// RunTagPrefix + "<run>" is the Iceberg tag a completed run puts on the
	// table's snapshot that holds all its events.
	RunTagPrefix = "chatlake-run-"
	// MaxRunLen bounds a run name.
	MaxRunLen = 64
)

// RunSchemaVersion is the version of Run and RunCompletion this code
// writes.
const RunSchemaVersion = 1

// States of a Run.
const (
	// RunOpen: jobs are being submitted or exported.
	RunOpen = "open"
	// RunCompleting: every job ended and every event is in the lake; the
	// completion (Run.Completion) is being signalled: markers, then the
	// event.
	RunCompleting = "completing"
	// RunComplete: the completion is signalled. A replayed dead letter of
	// the run reopens it (RunOpen), and the next completion is signalled
	// with the next number.
	RunComplete = "complete"
)

// RunSubject returns the subject of run's completion events.
func RunSubject(run string) string { return SubjectRunsPrefix + run }

// RunJobKey is the BucketRunJobs key of a job of a run:
// <run>.<provider>.<app>.<job_id>.
func RunJobKey(run string, j Job) string { return run + "." + JobKey(j) }

// ValidateRun accepts 1 to MaxRunLen of [A-Za-z0-9_-]: safe in a subject
// token, a key-value key and a file name. Errors are *JobError.
func ValidateRun(name string) error {
	if len(name) > MaxRunLen || !isToken(name) {
		return jobErrorf("run %q is not 1 to %d of [A-Za-z0-9_-]", clip(name), MaxRunLen)
	}
	return nil
}

// Run is an export run's record, stored as JSON in BucketRuns under its
// name and only ever replaced with compare-and-set on its revision.
type Run struct {
	SchemaVersion int       `json:"schema_version"`
	Name          string    `json:"name"`
	Created       time.Time `json:"created"`
	Updated       time.Time `json:"updated"`
	State         string    `json:"state"`
	// Sealed is false while a submit adds jobs to the run: a run completes
	// only once sealed, so it cannot complete between two of its jobs.
	Sealed bool `json:"sealed"`
	// Completions counts the completions signalled; the next one is
	// Completions+1.
	Completions int `json:"completions"`
	// Completion is the last completion: being signalled (RunCompleting)
	// or signalled (RunComplete). Kept whole so that a finisher that
	// crashed half-way signals exactly the same one.
	Completion *RunCompletion `json:"completion,omitempty"`
}

// RunCompletion says that every job of a run ended, done or dead-lettered,
// and every event its jobs published is committed in the lake. It is
// published as JSON on RunSubject(run), once per completion, with the
// Nats-Msg-Id RunCompletion.ID(), and the same JSON is the Parquet lake's
// marker.
type RunCompletion struct {
	SchemaVersion int    `json:"schema_version"`
	Run           string `json:"run"`
	// Completion numbers the completions of the run from 1; a run reopened
	// by a replay completes again with the next number.
	Completion    int       `json:"completion"`
	CompletedAt   time.Time `json:"completed_at"`
	JobsSubmitted int64     `json:"jobs_submitted"`
	JobsDone      int64     `json:"jobs_done"`
	JobsFailed    int64     `json:"jobs_failed"`
	// Conversations counts the events the run's jobs published; all are
	// in the lake.
	Conversations int64 `json:"conversations"`
	// Failures lists the first MaxFailedItems dead-lettered jobs;
	// FailuresTotal counts them all.
	Failures      []RunFailure `json:"failures,omitempty"`
	FailuresTotal int64        `json:"failures_total"`
	// LastSeq is the highest stream sequence of the run's events; the
	// lake's commit covers it.
	LastSeq uint64  `json:"last_seq"`
	Lake    RunLake `json:"lake"`
}

// ID is the completion's Nats-Msg-Id: <run>-<completion>.
func (c RunCompletion) ID() string { return c.Run + "-" + strconv.Itoa(c.Completion) }

// RunFailure is one dead-lettered job of a run.
type RunFailure struct {
	JobID    string     `json:"job_id"`
	Provider string     `json:"provider"`
	App      string     `json:"app"`
	UserID   string     `json:"user_id"`
	Class    ErrorClass `json:"class,omitempty"`
	Reason   string     `json:"reason,omitempty"`
}

// RunLake says where the run's events are in the lake.
type RunLake struct {
	// Format is "parquet" or "iceberg".
	Format string `json:"format"`
	// Partitions are the partitions the run's events went to,
	// provider=<p>/app=<a>/dt=<YYYY-MM-DD>; in a Parquet lake each holds
	// the run's marker.
	Partitions []string `json:"partitions,omitempty"`
	// Markers are the marker files written, relative to the lake's root
	// (Parquet lake).
	Markers []string `json:"markers,omitempty"`
	// SnapshotID is the Iceberg snapshot that holds every event of the
	// run, and Tag the tag that names it.
	SnapshotID int64  `json:"snapshot_id,omitempty"`
	Tag        string `json:"tag,omitempty"`
}
