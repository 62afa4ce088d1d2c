package runs

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/schemas"
)

// Follower keeps the statuses of one run's jobs, from a watch of the run's
// job index, so that following a run (chatlake status --run --watch, wait,
// the demo's progress) reads each status once as it changes instead of
// every job of the run at every look: at 100,000 jobs a Get reads them
// all. Its memory is a status per job. Stop it when done.
type Follower struct {
	r     *Reader
	run   string
	w     jetstream.KeyWatcher
	ready chan struct{} // closed once the stored statuses are in jobs
	done  chan struct{} // closed when the watch ends

	mu   sync.Mutex
	jobs map[string]schemas.JobStatus
	err  error
}

// Follow starts following run.
func (r *Reader) Follow(ctx context.Context, run string) (*Follower, error) {
	w, err := r.statuses.WatchRunJobs(ctx, run)
	if err != nil {
		return nil, err
	}
	f := &Follower{r: r, run: run, w: w, ready: make(chan struct{}), done: make(chan struct{}), jobs: map[string]schemas.JobStatus{}}
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
		f.mu.Lock()
		if e.Operation() != jetstream.KeyValuePut {
			delete(f.jobs, e.Key())
		} else {
			var st schemas.JobStatus
			if json.Unmarshal(e.Value(), &st) == nil {
				st.FailedItems = nil // not summed: no need to keep
				f.jobs[e.Key()] = st
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
	for _, st := range f.jobs {
		t.add(st, c)
	}
	f.mu.Unlock()
	return summarize(rec, t.done()), nil
}

// Stop ends the watch: at once, or within 5s if the connection is gone.
func (f *Follower) Stop() {
	f.w.Stop()
	select {
	case <-f.done:
	case <-time.After(5 * time.Second):
	}
}
