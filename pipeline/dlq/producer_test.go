package dlq_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/pipeline/dlq"
	"github.com/chatlake/chatlake/pipeline/producer"
	"github.com/chatlake/chatlake/providers"
	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/providers/volcengine"
	"github.com/chatlake/chatlake/providers/volcengine/volcsim"
	"github.com/chatlake/chatlake/schemas"
)

// runVolcProducer runs a producer against a Volcengine simulator until
// the test ends: one try per attempt, MaxAttempts 2, no breaker to speak
// of, so that every injected fault spends one attempt.
func runVolcProducer(t *testing.T, js jetstream.JetStream) *volcsim.TestServer {
	t.Helper()
	sim, err := volcsim.Start(volcsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	guard := providers.NewGuard("volc", providers.GuardConfig{
		QPS: 1000, Burst: 50, MaxAttempts: 1, InitialInterval: time.Millisecond, MaxInterval: time.Millisecond,
		MaxElapsed: 2 * time.Second, AttemptTimeout: 2 * time.Second, BreakerFailures: 1000, BreakerTimeout: 100 * time.Millisecond,
	}, nil)
	client, err := volcengine.NewClient(&http.Client{Timeout: 5 * time.Second}, guard, volcsim.TestCredentials(), volcengine.Config{Endpoint: sim.URL})
	if err != nil {
		t.Fatal(err)
	}
	router, err := providers.NewRouter(providers.Route{Provider: schemas.ProviderVolcengine, App: volcApp, Fetcher: client})
	if err != nil {
		t.Fatal(err)
	}
	p, err := producer.New(js, router, nil, producer.Config{
		Concurrency: 2, FetchWait: 100 * time.Millisecond, AckWait: 5 * time.Second, MaxAttempts: 2,
		RetryInitial: 20 * time.Millisecond, RetryMax: 50 * time.Millisecond, PauseFor: 100 * time.Millisecond,
		PublishWindow: 16, Grace: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("producer Run() = %v", err)
		}
	})
	return sim
}

var volcApp = strconv.Itoa(int(volcsim.TestAppID))

// submitAndFail submits user's job and waits until it is dead-lettered.
func submitAndFail(t *testing.T, js jetstream.JetStream, user string) schemas.Job {
	t.Helper()
	sub, err := pipeline.NewSubmitter(t.Context(), js)
	if err != nil {
		t.Fatal(err)
	}
	job := schemas.Job{Provider: schemas.ProviderVolcengine, App: volcApp, UserID: user}
	job.JobID = schemas.DeriveJobID(job)
	if _, err := sub.Submit(t.Context(), job, false); err != nil {
		t.Fatal(err)
	}
	if st := waitState(t, js, job, schemas.JobFailed); st.Reason == "" {
		t.Errorf("failed job has no reason: %+v", st)
	}
	return job
}

func waitState(t *testing.T, js jetstream.JetStream, job schemas.Job, state string) schemas.JobStatus {
	t.Helper()
	sts, err := pipeline.OpenJobStatuses(t.Context(), js)
	if err != nil {
		t.Fatal(err)
	}
	var st schemas.JobStatus
	waitFor(t, 20*time.Second, "job "+state, func() bool {
		st, _, err = sts.Get(t.Context(), schemas.JobKey(job))
		return err == nil && st.State == state
	})
	return st
}

// replayJobs replays every job dead letter and fails unless exactly one
// was replayed.
func replayJobs(t *testing.T, js jetstream.JetStream) {
	t.Helper()
	res, err := replayAll(t, open(t, js), dlq.Filter{Kind: schemas.DeadLetterKindJobs}, dlq.ReplayOptions{})
	if err != nil || len(res) != 1 || res[0].Outcome != dlq.Replayed {
		t.Fatalf("Replay = %+v, %v; want one job replayed", res, err)
	}
}

func TestReplayedJobRunsToDone(t *testing.T) {
	js := newJS(t)
	sim := runVolcProducer(t, js)
	// The provider refuses the signature: a failure that stops the job at
	// once. Then it accepts it again, as after a fixed credential.
	sim.Inject(simulator.FaultAuth, 1)
	job := submitAndFail(t, js, simulator.UserTwentyOne)
	replayJobs(t, js)
	if st := waitState(t, js, job, schemas.JobDone); st.Conversations != 21 || st.Pages != 2 {
		t.Errorf("replayed job = %+v, want done with 21 conversations in 2 pages", st)
	}
	if n := len(streamMsgs(t, js, schemas.StreamConversations)); n != 21 {
		t.Errorf("conversations stream holds %d events, want 21", n)
	}
}

func TestReplayedJobGetsItsAttemptsBack(t *testing.T) {
	js := newJS(t)
	sim := runVolcProducer(t, js)
	// Two server errors spend both attempts; after the replay, one more
	// error must leave the job an attempt to succeed with.
	sim.Inject(simulator.FaultServerError, 2)
	job := submitAndFail(t, js, simulator.UserOne)
	sim.Inject(simulator.FaultServerError, 1)
	replayJobs(t, js)
	if st := waitState(t, js, job, schemas.JobDone); st.Attempts != 1 || st.Conversations != 1 {
		t.Errorf("replayed job = %+v, want done after 1 failed attempt, with 1 conversation", st)
	}
}
