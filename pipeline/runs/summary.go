package runs

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/schemas"
)

// Summary states of a run.
const (
	StateRunning  = "running"  // not complete yet
	StateComplete = "complete" // complete, no job failed
	StateFailed   = "failed"   // complete, some jobs dead-lettered
)

// Summary is one export run as `chatlake status --run NAME --json` prints
// it and the status page shows it.
type Summary struct {
	Name      string           `json:"name"`
	Created   time.Time        `json:"created"`
	Updated   time.Time        `json:"updated"`
	Submitted int64            `json:"jobs_submitted"`
	Jobs      map[string]int64 `json:"jobs_by_state"` // schemas.JobQueued, ... JobFailed (dead-lettered)
	// Conversations counts the events the producer published for the
	// run's jobs; Exported those of its ended jobs committed in the lake
	// (never decreasing while the run goes on).
	Conversations int64      `json:"conversations"`
	Exported      int64      `json:"exported"`
	DeadLetters   int64      `json:"dead_letters"`
	State         string     `json:"state"` // StateRunning, StateComplete or StateFailed
	CompletedAt   *time.Time `json:"completed_at,omitempty"`
	// Sealed is false while a submit adds jobs; Completions counts the
	// completions signalled (more than 1 after a replay reopened the run).
	Sealed      bool `json:"sealed"`
	Completions int  `json:"completions"`
	// Failures lists the first schemas.MaxFailedItems dead-lettered jobs.
	Failures []schemas.RunFailure `json:"failures,omitempty"`
	// Completion is the last completion signalled, if any.
	Completion *schemas.RunCompletion `json:"completion,omitempty"`
}

// Ended is the number of jobs done or dead-lettered.
func (s Summary) Ended() int64 { return s.Jobs[schemas.JobDone] + s.Jobs[schemas.JobFailed] }

// tally sums a run's job statuses: what both Summary and a completion need.
type tally struct {
	submitted, conversations, exported, failed int64
	byState                                    map[string]int64
	failures                                   []schemas.RunFailure
	terminal                                   bool // every job done or failed, and exported
	lastSeq                                    uint64
	partitions                                 []string
	parts                                      map[string]bool
}

func sum(ctx context.Context, st *pipeline.JobStatuses, run string, c Commits) (tally, error) {
	t := newTally()
	err := st.RunJobs(ctx, run, func(s schemas.JobStatus) bool {
		t.add(s, c)
		return true
	})
	return t.done(), err
}

// ended reports whether run has jobs and every one of them has ended and
// is in the lake. It stops at the first that has not: while any job is
// still queued that is the first status read, since the watch delivers
// the statuses oldest write first.
func ended(ctx context.Context, st *pipeline.JobStatuses, run string, c Commits) (bool, error) {
	all, any := true, false
	err := st.RunJobs(ctx, run, func(s schemas.JobStatus) bool {
		any = true
		all = s.Terminal() && c.Committed(statusJobKey(s), s.LastSeq)
		return all
	})
	return any && all, err
}

func newTally() *tally {
	return &tally{byState: map[string]int64{}, terminal: true, parts: map[string]bool{}}
}

// jobCount is what a Summary sums of one job's status.
type jobCount struct {
	state         string // a schemas Job state
	conversations int
	lastSeq       uint64
}

func countOf(s schemas.JobStatus) jobCount {
	return jobCount{state: s.State, conversations: s.Conversations, lastSeq: s.LastSeq}
}

func failureOf(s schemas.JobStatus) schemas.RunFailure {
	return schemas.RunFailure{JobID: s.JobID, Provider: s.Provider, App: s.App, UserID: s.UserID, Class: s.Class, Reason: s.Reason}
}

func statusJobKey(s schemas.JobStatus) string {
	return schemas.JobKey(schemas.Job{Provider: s.Provider, App: s.App, JobID: s.JobID})
}

// add counts one job's status s.
func (t *tally) add(s schemas.JobStatus, c Commits) {
	t.count(statusJobKey(s), countOf(s), c)
	if s.State == schemas.JobFailed {
		t.fail(failureOf(s))
	}
	for _, d := range s.Days {
		t.parts[partition(s.Provider, s.App, d)] = true
	}
}

// count counts the job whose schemas.JobKey is key.
func (t *tally) count(key string, j jobCount, c Commits) {
	t.submitted++
	t.byState[j.state]++
	t.conversations += int64(j.conversations)
	terminal := j.state == schemas.JobDone || j.state == schemas.JobFailed
	exported := c.Committed(key, j.lastSeq)
	// A running job's checkpoint still grows: counting its events
	// while they are committed would drop them again when its next
	// page goes past the commit. Only ended jobs count.
	if exported && terminal {
		t.exported += int64(j.conversations)
	}
	t.terminal = t.terminal && terminal && exported
	t.lastSeq = max(t.lastSeq, j.lastSeq)
	if j.state == schemas.JobFailed {
		t.failed++
	}
}

// fail lists a dead-lettered job, up to schemas.MaxFailedItems of them.
func (t *tally) fail(f schemas.RunFailure) {
	if len(t.failures) < schemas.MaxFailedItems {
		t.failures = append(t.failures, f)
	}
}

// done sorts what add collected.
func (t *tally) done() tally {
	for p := range t.parts {
		t.partitions = append(t.partitions, p)
	}
	slices.Sort(t.partitions)
	slices.SortFunc(t.failures, func(a, b schemas.RunFailure) int { return compareFailure(a, b) })
	return *t
}

func compareFailure(a, b schemas.RunFailure) int {
	for _, c := range [][2]string{{a.Provider, b.Provider}, {a.App, b.App}, {a.UserID, b.UserID}, {a.JobID, b.JobID}} {
		if c[0] != c[1] {
			if c[0] < c[1] {
				return -1
			}
			return 1
		}
	}
	return 0
}

func summarize(rec schemas.Run, t tally) Summary {
	s := Summary{
		Name: rec.Name, Created: rec.Created, Updated: rec.Updated, Submitted: t.submitted, Jobs: t.byState,
		Conversations: t.conversations, Exported: t.exported, DeadLetters: t.failed, State: StateRunning,
		Sealed: rec.Sealed, Completions: rec.Completions, Failures: t.failures,
	}
	if rec.State == schemas.RunComplete && rec.Completion != nil {
		c := rec.Completion
		s.Completion = c
		s.CompletedAt = &c.CompletedAt
		s.State = StateComplete
		if c.JobsFailed > 0 {
			s.State = StateFailed
		}
	}
	return s
}

// Reader builds Summaries. It is safe for concurrent use.
type Reader struct {
	js       jetstream.JetStream
	records  *Records
	statuses *pipeline.JobStatuses
}

// NewReader opens the buckets of runs and job statuses
// (pipeline.EnsureJobBuckets makes them).
func NewReader(ctx context.Context, js jetstream.JetStream) (*Reader, error) {
	recs, err := OpenRecords(ctx, js)
	if err != nil {
		return nil, err
	}
	st, err := pipeline.OpenJobStatuses(ctx, js)
	if err != nil {
		return nil, err
	}
	return &Reader{js: js, records: recs, statuses: st}, nil
}

// Get returns the Summary of run; ErrNoRun if it has no record.
func (r *Reader) Get(ctx context.Context, run string) (Summary, error) {
	rec, _, err := r.records.Get(ctx, run)
	if err != nil {
		return Summary{}, err
	}
	c, err := ReadCommits(ctx, r.js)
	if err != nil {
		return Summary{}, err
	}
	return r.summary(ctx, rec, c)
}

func (r *Reader) summary(ctx context.Context, rec schemas.Run, c Commits) (Summary, error) {
	t, err := sum(ctx, r.statuses, rec.Name, c)
	if err != nil {
		return Summary{}, err
	}
	return summarize(rec, t), nil
}

// List returns the Summary of every run, newest first.
func (r *Reader) List(ctx context.Context) ([]Summary, error) {
	recs, err := r.records.All(ctx)
	if err != nil {
		return nil, err
	}
	c, err := ReadCommits(ctx, r.js)
	if err != nil {
		return nil, err
	}
	out := make([]Summary, 0, len(recs))
	for _, rec := range recs {
		s, err := r.summary(ctx, rec, c)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b Summary) int { return b.Created.Compare(a.Created) })
	return out, nil
}

// List returns the Summary of every run, newest first. Without the runs'
// buckets (nothing ever ran) it returns none.
func List(ctx context.Context, js jetstream.JetStream) ([]Summary, error) {
	r, err := NewReader(ctx, js)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return r.List(ctx)
}
