package schemas

import "time"

// Key-value buckets. Keys are JobKey(job): <provider>.<app>.<job_id>.
const (
	// BucketCheckpoints holds a running job's Checkpoint; the key goes
	// away when the job completes.
	BucketCheckpoints = "chatlake_checkpoints"
	// BucketJobStatus holds each job's JobStatus.
	BucketJobStatus = "chatlake_job_status"
)

// Job states in JobStatus.State.
const (
	JobQueued   = "queued"   // submitted, not started
	JobRunning  = "running"  // a producer is paging through it
	JobRetrying = "retrying" // failed, handed back to retry later
	JobWaiting  = "waiting"  // its provider account is unavailable; no attempt spent
	JobDone     = "done"     // every conversation is on the events stream
	JobFailed   = "failed"   // dead-lettered, Reason says why
)

// JobStatus is the record a user queries to follow a job, stored as JSON in
// BucketJobStatus.
type JobStatus struct {
	JobID    string `json:"job_id"`
	Provider string `json:"provider"`
	App      string `json:"app"`
	UserID   string `json:"user_id"`
	State    string `json:"state"`
	// Pages and Conversations count what is on the events stream so far.
	Pages         int `json:"pages"`
	Conversations int `json:"conversations"`
	// Attempts counts real attempts that failed and were retried or
	// dead-lettered.
	Attempts int `json:"attempts"`
	// Reason and Class explain the last failure.
	Reason string     `json:"reason,omitempty"`
	Class  ErrorClass `json:"class,omitempty"`
	// FailedItems lists conversations the provider could not return
	// (Yunxin batch query failed_list), the first MaxFailedItems of them;
	// the job still completes. FailedItemsTotal counts them all.
	FailedItems      []FailedItem `json:"failed_items,omitempty"`
	FailedItemsTotal int          `json:"failed_items_total,omitempty"`
	UpdatedAt        time.Time    `json:"updated_at"`
	// Run is the job's export run, if any (Job.Run).
	Run string `json:"run,omitempty"`
	// LastSeq is the highest sequence in StreamConversations of the job's
	// events stored so far (from the stream's publish acknowledgements; a
	// duplicate's is the original's), 0 before the first. Once the
	// exporter has committed past it, every event of the job is in the
	// lake.
	LastSeq uint64 `json:"last_seq,omitempty"`
	// Days are the UTC dates (YYYY-MM-DD) of fetched_at of the job's
	// events: the lake partitions (dt=) it wrote to.
	Days []string `json:"days,omitempty"`
}

// Terminal reports whether the job has reached its end: done or
// dead-lettered.
func (s JobStatus) Terminal() bool { return s.State == JobDone || s.State == JobFailed }

// Checkpoint is a running job's progress, stored as JSON in
// BucketCheckpoints after a page's events are acknowledged.
type Checkpoint struct {
	// Cursor resumes after the last stored page.
	Cursor           string       `json:"cursor"`
	Pages            int          `json:"pages"`
	Conversations    int          `json:"conversations"`
	FailedItems      []FailedItem `json:"failed_items,omitempty"`
	FailedItemsTotal int          `json:"failed_items_total,omitempty"`
	// LastSeq and Days are those of JobStatus, for the pages stored so far.
	LastSeq uint64   `json:"last_seq,omitempty"`
	Days    []string `json:"days,omitempty"`
}

// MaxFailedItems bounds the failed items kept in a JobStatus or
// Checkpoint, so a record stays far below the key-value value size limit.
const MaxFailedItems = 100
