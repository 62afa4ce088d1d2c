package producer_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/internal/natstest"
	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/pipeline/producer"
	"github.com/chatlake/chatlake/providers"
	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/providers/volcengine"
	"github.com/chatlake/chatlake/providers/volcengine/volcsim"
	"github.com/chatlake/chatlake/providers/yunxin"
	"github.com/chatlake/chatlake/providers/yunxin/yunxinsim"
	"github.com/chatlake/chatlake/schemas"
)

var prodVolcApp = strconv.Itoa(int(volcsim.TestAppID))

// prodEnv is a JetStream server with chatlake's streams and buckets, and the
// two provider simulators.
type prodEnv struct {
	srv  *natstest.Server
	js   jetstream.JetStream
	volc *volcsim.TestServer
	yx   *yunxinsim.Running
}

func newProdEnv(t testing.TB, volcOpts volcsim.Options, yxOpts yunxinsim.Options) *prodEnv {
	t.Helper()
	e := &prodEnv{srv: natstest.Start(t)}
	_, e.js = e.srv.Connect(t)
	prodEnsure(t, e.js)
	var err error
	if e.volc, err = volcsim.Start(volcOpts); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.volc.Close)
	if e.yx, err = yunxinsim.Start(yxOpts); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.yx.Close() })
	return e
}

func prodEnsure(t testing.TB, js jetstream.JetStream) {
	t.Helper()
	if err := pipeline.EnsureStreams(t.Context(), js, pipeline.StreamsConfig{}); err != nil {
		t.Fatal(err)
	}
	if err := pipeline.EnsureJobBuckets(t.Context(), js, pipeline.JobBucketsConfig{}); err != nil {
		t.Fatal(err)
	}
}

// prodGuard fails fast: short waits, a breaker that opens after 3
// failures and half-opens after 300ms.
func prodGuard(name string) *providers.Guard {
	return providers.NewGuard(name, providers.GuardConfig{
		QPS: 1000, Burst: 50, MaxAttempts: 2, InitialInterval: time.Millisecond, ThrottleInterval: 5 * time.Millisecond,
		MaxInterval: 10 * time.Millisecond, MaxElapsed: 2 * time.Second, AttemptTimeout: 2 * time.Second,
		BreakerFailures: 3, BreakerTimeout: 100 * time.Millisecond,
	}, nil)
}

// router routes the simulators' test apps through real clients.
func (e *prodEnv) router(t testing.TB) *providers.Router {
	t.Helper()
	hc := &http.Client{Timeout: 5 * time.Second}
	vc, err := volcengine.NewClient(hc, prodGuard("volc"), volcsim.TestCredentials(), volcengine.Config{Endpoint: e.volc.URL})
	if err != nil {
		t.Fatal(err)
	}
	yc, err := yunxin.NewClient(hc, prodGuard("yx"), yunxin.Credentials{AppKey: yunxinsim.TestAppKey, AppSecret: yunxinsim.TestAppSecret}, yunxin.Config{BaseURL: e.yx.URL})
	if err != nil {
		t.Fatal(err)
	}
	r, err := providers.NewRouter(
		providers.Route{Provider: schemas.ProviderVolcengine, App: prodVolcApp, Fetcher: vc},
		providers.Route{Provider: schemas.ProviderYunxin, App: yunxinsim.TestAppKey, Fetcher: yc},
	)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// prodConfig retries and pauses quickly.
func prodConfig() producer.Config {
	return producer.Config{
		Concurrency: 4, FetchWait: 100 * time.Millisecond, AckWait: 5 * time.Second, MaxAttempts: 4,
		RetryInitial: 20 * time.Millisecond, RetryMax: 100 * time.Millisecond, PauseFor: 100 * time.Millisecond,
		PublishWindow: 16, Grace: 5 * time.Second,
	}
}

// runProducer runs a Producer until the test ends or stop is called; stop
// waits for Run and fails the test if it returned an error.
func runProducer(t testing.TB, js jetstream.JetStream, prov producer.Provider, cfg producer.Config) (p *producer.Producer, stop func()) {
	t.Helper()
	return runProducerWith(t, js, prov, cfg, func(*producer.Producer) {})
}

// runProducerWith is runProducer with setup applied to the Producer
// before it runs.
func runProducerWith(t testing.TB, js jetstream.JetStream, prov producer.Provider, cfg producer.Config, setup func(*producer.Producer)) (p *producer.Producer, stop func()) {
	t.Helper()
	p, err := producer.New(js, prov, nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	setup(p)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run() = %v, want nil", err)
		}
	}
	t.Cleanup(stop)
	return p, stop
}

func prodPublishJob(t testing.TB, js jetstream.JetStream, subject, payload string) {
	t.Helper()
	if _, err := js.Publish(t.Context(), subject, []byte(payload)); err != nil {
		t.Fatalf("publish job %s: %v", subject, err)
	}
}

// prodWaitFor polls cond every 10ms until it holds or timeout passes.
func prodWaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		<-tick.C
	}
}

// prodStatuses returns every job status by job key.
func prodStatuses(t testing.TB, js jetstream.JetStream) map[string]schemas.JobStatus {
	t.Helper()
	s, err := pipeline.OpenJobStatuses(t.Context(), js)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]schemas.JobStatus{}
	if err := s.All(t.Context(), func(st schemas.JobStatus) bool {
		out[st.Provider+"."+st.App+"."+st.JobID] = st
		return true
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// prodWaitStates waits until n jobs have a final state (done or failed).
func prodWaitStates(t testing.TB, js jetstream.JetStream, n int, timeout time.Duration) map[string]schemas.JobStatus {
	t.Helper()
	var sts map[string]schemas.JobStatus
	prodWaitFor(t, timeout, strconv.Itoa(n)+" jobs finished", func() bool {
		sts = prodStatuses(t, js)
		final := 0
		for _, st := range sts {
			if st.State == schemas.JobDone || st.State == schemas.JobFailed {
				final++
			}
		}
		return final >= n
	})
	return sts
}

// prodStreamMsgs returns the payloads of every message of stream.
func prodStreamMsgs(t testing.TB, js jetstream.JetStream, stream string) [][]byte {
	t.Helper()
	ctx := t.Context()
	s, err := js.Stream(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := int(info.State.Msgs)
	if n == 0 {
		return nil
	}
	c, err := s.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for len(out) < n {
		batch, err := c.Fetch(n-len(out), jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		for m := range batch.Messages() {
			out = append(out, m.Data())
			got++
		}
		if got == 0 {
			t.Fatalf("read %d of %d messages of %s", len(out), n, stream)
		}
	}
	return out
}

func prodEvents(t testing.TB, js jetstream.JetStream) []schemas.ConversationEvent {
	t.Helper()
	var out []schemas.ConversationEvent
	for _, b := range prodStreamMsgs(t, js, schemas.StreamConversations) {
		var ev schemas.ConversationEvent
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Fatalf("decode event: %v", err)
		}
		out = append(out, ev)
	}
	return out
}

func prodDeadLetters(t testing.TB, js jetstream.JetStream) []schemas.DeadLetter {
	t.Helper()
	var out []schemas.DeadLetter
	for _, b := range prodStreamMsgs(t, js, schemas.StreamDeadLetters) {
		var dl schemas.DeadLetter
		if err := json.Unmarshal(b, &dl); err != nil {
			t.Fatalf("decode dead letter: %v", err)
		}
		out = append(out, dl)
	}
	return out
}

// prodWantVolc returns the event IDs the Volcengine simulator's user must
// produce with DataType 0.
func prodWantVolc(ds simulator.Dataset, user string) map[string]bool {
	ids := map[string]bool{}
	for _, it := range volcsim.Expected(ds, volcsim.TestAppID, user, 0) {
		c := schemas.Conversation{Provider: schemas.ProviderVolcengine, App: prodVolcApp, UserID: user,
			ConversationID: strconv.FormatInt(it.ConversationShortID, 10), Raw: it.Raw}
		ids[schemas.EventID(&c)] = true
	}
	return ids
}

func prodYunxinIDs(user string, items []yunxinsim.ExpectedItem) map[string]bool {
	ids := map[string]bool{}
	for _, it := range items {
		c := schemas.Conversation{Provider: schemas.ProviderYunxin, App: yunxinsim.TestAppKey, UserID: user,
			ConversationID: it.ConversationID, Raw: it.Raw}
		ids[schemas.EventID(&c)] = true
	}
	return ids
}

// prodCheckEvents fails unless the prodEvents stream holds exactly the want IDs,
// each once.
func prodCheckEvents(t testing.TB, js jetstream.JetStream, want map[string]bool) {
	t.Helper()
	got := map[string]int{}
	for _, ev := range prodEvents(t, js) {
		got[ev.EventID]++
		if ev.SchemaVersion != schemas.EventSchemaVersion || ev.JobID == "" {
			t.Errorf("event %s: schema_version %d job_id %q", ev.EventID, ev.SchemaVersion, ev.JobID)
		}
	}
	for id, n := range got {
		if n != 1 {
			t.Errorf("event %s stored %d times, want once", id, n)
		}
		if !want[id] {
			t.Errorf("unexpected event %s", id)
		}
	}
	for id := range want {
		if got[id] == 0 {
			t.Errorf("event %s missing", id)
		}
	}
	if len(got) != len(want) {
		t.Errorf("events stream holds %d distinct prodEvents, want %d", len(got), len(want))
	}
}

func prodMerge(ms ...map[string]bool) map[string]bool {
	out := map[string]bool{}
	for _, m := range ms {
		for k := range m {
			out[k] = true
		}
	}
	return out
}
