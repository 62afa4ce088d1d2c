package producer_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/pipeline/producer"
	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/providers/volcengine/volcsim"
	"github.com/chatlake/chatlake/providers/yunxin/yunxinsim"
	"github.com/chatlake/chatlake/schemas"
)

// prodRecorder wraps a Provider, records each call's cursor by user, and can
// block the n-th call of one user until the call's context ends.
type prodRecorder struct {
	producer.Provider
	mu      sync.Mutex
	cursors map[string][]string
	blockAt int // 1-based call of blockUser to block; 0 never
	user    string
	reached chan struct{}
}

func newProdRecorder(p producer.Provider) *prodRecorder {
	return &prodRecorder{Provider: p, cursors: map[string][]string{}, reached: make(chan struct{})}
}

func (r *prodRecorder) FetchPage(ctx context.Context, job schemas.Job, cursor string) (schemas.Page, error) {
	r.mu.Lock()
	r.cursors[job.UserID] = append(r.cursors[job.UserID], cursor)
	block := r.blockAt > 0 && job.UserID == r.user && len(r.cursors[job.UserID]) == r.blockAt
	r.mu.Unlock()
	if block {
		close(r.reached)
		<-ctx.Done()
		return schemas.Page{}, ctx.Err()
	}
	return r.Provider.FetchPage(ctx, job, cursor)
}

func (r *prodRecorder) calls(user string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.cursors[user]...)
}

func prodCheckpoint(t testing.TB, js jetstream.JetStream, key string) (schemas.Checkpoint, bool) {
	t.Helper()
	kv, err := js.KeyValue(t.Context(), schemas.BucketCheckpoints)
	if err != nil {
		t.Fatal(err)
	}
	cp, _, ok, err := pipeline.GetJSON[schemas.Checkpoint](t.Context(), kv, key)
	if err != nil {
		t.Fatal(err)
	}
	return cp, ok
}

func prodVolcJobKey(user string) string {
	return schemas.JobKey(schemas.Job{Provider: schemas.ProviderVolcengine, App: prodVolcApp, UserID: user,
		JobID: schemas.DeriveJobID(schemas.Job{Provider: schemas.ProviderVolcengine, App: prodVolcApp, UserID: user})})
}

// A producer that dies mid-job (its connection gone, nothing acked or
// handed back) leaves a prodCheckpoint; the redelivered job resumes there.
func TestProducerCrashResumesFromCheckpoint(t *testing.T) {
	e := newProdEnv(t, volcsim.Options{}, yunxinsim.Options{})
	cfg := prodConfig()
	cfg.AckWait, cfg.Grace = time.Second, 50*time.Millisecond

	nc1, js1 := e.srv.Connect(t)
	rec1 := newProdRecorder(e.router(t))
	rec1.blockAt, rec1.user = 4, simulator.UserMany
	_, stop1 := runProducer(t, js1, rec1, cfg)
	prodPublishJob(t, e.js, schemas.JobSubject(schemas.ProviderVolcengine, prodVolcApp), simulator.UserMany)
	select {
	case <-rec1.reached:
	case <-time.After(20 * time.Second):
		t.Fatal("the job never reached its 4th page")
	}
	nc1.Close() // the crash: no ack, no nak
	stop1()

	key := prodVolcJobKey(simulator.UserMany)
	cp, ok := prodCheckpoint(t, e.js, key)
	if !ok || cp.Pages != 3 || cp.Cursor == "" {
		t.Fatalf("checkpoint after crash = %+v, %v; want 3 pages and a cursor", cp, ok)
	}

	rec2 := newProdRecorder(e.router(t))
	runProducer(t, e.js, rec2, cfg)
	sts := prodWaitStates(t, e.js, 1, 30*time.Second)
	if st := sts[key]; st.State != schemas.JobDone || st.Pages != 18 || st.Conversations != 350 {
		t.Errorf("status = %+v, want done, 18 pages, 350 conversations", st)
	}
	if calls := rec2.calls(simulator.UserMany); len(calls) != 15 || calls[0] != cp.Cursor {
		t.Errorf("after the crash the provider was called %d times from %q, want 15 from the prodCheckpoint %q", len(calls), calls[0], cp.Cursor)
	}
	if _, ok := prodCheckpoint(t, e.js, key); ok {
		t.Errorf("checkpoint %s still there after the job completed", key)
	}
	prodCheckEvents(t, e.js, prodWantVolc(simulator.Dataset{}, simulator.UserMany))
}

// At shutdown, a job that cannot finish within Grace is handed back
// without spending an attempt, and completes under the next producer.
func TestProducerShutdownHandsBackThenCompletes(t *testing.T) {
	e := newProdEnv(t, volcsim.Options{}, yunxinsim.Options{})
	cfg := prodConfig()
	cfg.Grace = 50 * time.Millisecond
	rec := newProdRecorder(e.router(t))
	rec.blockAt, rec.user = 2, simulator.UserMany
	_, stop := runProducer(t, e.js, rec, cfg)
	prodPublishJob(t, e.js, schemas.JobSubject(schemas.ProviderVolcengine, prodVolcApp), simulator.UserMany)
	<-rec.reached
	stop()

	key := prodVolcJobKey(simulator.UserMany)
	st := prodStatuses(t, e.js)[key]
	if st.State != schemas.JobQueued || st.Attempts != 0 || st.Pages != 1 {
		t.Errorf("status after shutdown = %+v, want queued, 0 attempts, 1 page", st)
	}
	rec2 := newProdRecorder(e.router(t))
	runProducer(t, e.js, rec2, prodConfig())
	sts := prodWaitStates(t, e.js, 1, 30*time.Second)
	if sts[key].State != schemas.JobDone {
		t.Errorf("status = %+v, want done", sts[key])
	}
	prodCheckEvents(t, e.js, prodWantVolc(simulator.Dataset{}, simulator.UserMany))
}

// A job longer than AckWait is not redelivered while it runs.
func TestProducerLongJobSignalsProgress(t *testing.T) {
	e := newProdEnv(t, volcsim.Options{Latency: 120 * time.Millisecond}, yunxinsim.Options{})
	cfg := prodConfig()
	cfg.AckWait, cfg.InProgressEvery = time.Second, 200*time.Millisecond
	rec := newProdRecorder(e.router(t))
	runProducer(t, e.js, rec, cfg)
	prodPublishJob(t, e.js, schemas.JobSubject(schemas.ProviderVolcengine, prodVolcApp), simulator.UserMany)
	cons, err := e.js.Consumer(t.Context(), schemas.StreamJobs, schemas.ConsumerProducer)
	for err != nil { // Run creates the consumer
		cons, err = e.js.Consumer(t.Context(), schemas.StreamJobs, schemas.ConsumerProducer)
	}
	redelivered := 0
	prodWaitFor(t, 30*time.Second, "job done", func() bool {
		if ci, err := cons.Info(t.Context()); err == nil {
			redelivered = max(redelivered, ci.NumRedelivered)
		}
		return len(prodStatuses(t, e.js)) == 1 && prodStatuses(t, e.js)[prodVolcJobKey(simulator.UserMany)].State == schemas.JobDone
	})
	if redelivered != 0 {
		t.Errorf("consumer redelivered %d jobs while the job ran, want 0", redelivered)
	}
	if calls := rec.calls(simulator.UserMany); len(calls) != 18 {
		t.Errorf("provider called %d times, want 18 (one run, no redelivery)", len(calls))
	}
	prodCheckEvents(t, e.js, prodWantVolc(simulator.Dataset{}, simulator.UserMany))
}

// An outage of one account dead-letters nothing and does not hold up the
// other; once it recovers, its jobs complete.
func TestProducerOutageOfOneAccount(t *testing.T) {
	e := newProdEnv(t, volcsim.Options{}, yunxinsim.Options{})
	e.volc.SetRates(simulator.Rates{ServerError: 1})
	p, _ := runProducer(t, e.js, e.router(t), prodConfig())

	want := map[string]bool{}
	for _, u := range prodVolcUsers {
		prodPublishJob(t, e.js, schemas.JobSubject(schemas.ProviderVolcengine, prodVolcApp), u)
		want = prodMerge(want, prodWantVolc(simulator.Dataset{}, u))
		prodPublishJob(t, e.js, schemas.JobSubject(schemas.ProviderYunxin, yunxinsim.TestAppKey), u)
		want = prodMerge(want, prodYunxinIDs(u, e.yx.Expected(yunxinsim.TestAppKey, u)))
	}
	sawPause, sawWaiting := false, false
	prodWaitFor(t, 30*time.Second, "yunxin done and many failed volcengine calls", func() bool {
		sawPause = sawPause || len(p.Paused()) > 0
		done := 0
		for _, st := range prodStatuses(t, e.js) {
			if st.Provider == schemas.ProviderYunxin && st.State == schemas.JobDone {
				done++
			}
			sawWaiting = sawWaiting || st.State == schemas.JobWaiting
		}
		return done == len(prodVolcUsers) && e.volc.Stats().Faults[simulator.FaultServerError] >= 40
	})
	if !sawPause || !sawWaiting {
		t.Errorf("paused app seen %v, waiting job status seen %v; want both", sawPause, sawWaiting)
	}
	e.volc.SetRates(simulator.Rates{})
	sts := prodWaitStates(t, e.js, 2*len(prodVolcUsers), 60*time.Second)
	for key, st := range sts {
		if st.State != schemas.JobDone || st.Attempts >= prodConfig().MaxAttempts {
			t.Errorf("job %s = %s after %d attempts (%s), want done", key, st.State, st.Attempts, st.Reason)
		}
	}
	if dls := prodDeadLetters(t, e.js); len(dls) != 0 {
		t.Errorf("%d dead letters during an outage, want none: %+v", len(dls), dls[0])
	}
	prodCheckEvents(t, e.js, want)
}
