package runs

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/schemas"
)

// Follower keeps the statuses of one run's jobs, from a watch of the run's
// job index, so that following a run (chatlake status --run --watch, wait,
// the demo's progress) reads each status once as it changes instead of
// every job of the run at every look: at 100,000 jobs a Get reads them
// all. It keeps only what a Summary counts of each job (about 100 bytes a
// job), and the failures of dead-lettered ones. Stop it when done.
type Follower struct {
	r     *Reader
	run   string
	w     jetstream.KeyWatcher
	ready chan struct{} // closed once the stored statuses are in jobs
	done  chan struct{} // closed when the watch ends

	mu       sync.Mutex
	jobs     map[string]jobCount           // by schemas.JobKey
	failures map[string]schemas.RunFailure // of the jobs dead-lettered, by schemas.JobKey
	err      error
}

// Follow starts following run.
func (r *Reader) Follow(ctx context.Context, run string) (*Follower, error) {
	w, err := r.statuses.WatchRunJobs(ctx, run)
	if err != nil {
		return nil, err
	}
	f := &Follower{r: r, run: run, w: w, ready: make(chan struct{}), done: make(chan struct{}), jobs: map[string]jobCount{}, failures: map[string]schemas.RunFailure{}}
	go f.watch()
	return f, nil
}

func (f *Follower) watch() {
	defer close(f.done)
	ready := false
	for e := range f.w.Updates() {
		if e == nil {
			if !ready {
				ready = true
				close(f.ready)
			}
			continue
		}
		// The key is the run's name, a dot and the job key; a copy of the
		// job key does not hold on to the whole subject.
		key := strings.Clone(strings.TrimPrefix(e.Key(), f.run+"."))
		var st schemas.JobStatus
		put := e.Operation() == jetstream.KeyValuePut
		if put && json.Unmarshal(e.Value(), &st) != nil {
			continue
		}
		f.mu.Lock()
		delete(f.failures, key)
		if !put {
			delete(f.jobs, key)
		} else {
			j := countOf(st)
			j.state = internState(j.state)
			f.jobs[key] = j
			if st.State == schemas.JobFailed {
				f.failures[key] = failureOf(st)
			}
		}
		f.mu.Unlock()
	}
	f.mu.Lock()
	f.err = errors.New("run jobs watch ended")
	f.mu.Unlock()
	if !ready {
		close(f.ready)
	}
}

// Summary returns the run's Summary, as Reader.Get does, once the statuses
// stored when Follow started are read.
func (f *Follower) Summary(ctx context.Context) (Summary, error) {
	select {
	case <-f.ready:
	case <-ctx.Done():
		return Summary{}, ctx.Err()
	}
	rec, _, err := f.r.records.Get(ctx, f.run)
	if err != nil {
		return Summary{}, err
	}
	c, err := ReadCommits(ctx, f.r.js)
	if err != nil {
		return Summary{}, err
	}
	t := newTally()
	f.mu.Lock()
	if err := f.err; err != nil {
		f.mu.Unlock()
		return Summary{}, err
	}
	for key, j := range f.jobs {
		t.count(key, j, c)
	}
	for _, fl := range f.failures {
		t.fail(fl)
	}
	f.mu.Unlock()
	return summarize(rec, t.done()), nil
}

// jobStates are the states a job status takes, so that a followed job's
// state shares their string instead of holding its own.
var jobStates = []string{schemas.JobQueued, schemas.JobRunning, schemas.JobRetrying, schemas.JobWaiting, schemas.JobDone, schemas.JobFailed}

func internState(s string) string {
	if i := slices.Index(jobStates, s); i >= 0 {
		return jobStates[i]
	}
	return s
}

// Stop ends the watch: at once, or within 5s if the connection is gone.
func (f *Follower) Stop() {
	f.w.Stop()
	select {
	case <-f.done:
	case <-time.After(5 * time.Second):
	}
}
