package producer_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/pipeline/producer"
	"github.com/chatlake/chatlake/providers"
	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/providers/volcengine"
	"github.com/chatlake/chatlake/providers/volcengine/volcsim"
	"github.com/chatlake/chatlake/providers/yunxin/yunxinsim"
	"github.com/chatlake/chatlake/schemas"
)

// benchRun publishes a job per user with fresh job IDs and waits, through
// a watch of the status bucket, until all are done.
func benchRun(b *testing.B, js jetstream.JetStream, round int, users []string) {
	b.Helper()
	kv, err := js.KeyValue(b.Context(), schemas.BucketJobStatus)
	if err != nil {
		b.Fatal(err)
	}
	w, err := kv.Watch(b.Context(), "volcengine."+prodVolcApp+".*", jetstream.UpdatesOnly())
	if err != nil {
		b.Fatal(err)
	}
	defer w.Stop()
	for i, u := range users {
		prodPublishJob(b, js, schemas.JobSubject(schemas.ProviderVolcengine, prodVolcApp),
			fmt.Sprintf(`{"user_id":%q,"job_id":"bench-%d-%d"}`, u, round, i))
	}
	done := map[string]bool{}
	timeout := time.After(2 * time.Minute)
	for len(done) < len(users) {
		select {
		case e := <-w.Updates():
			var st schemas.JobStatus
			if e != nil && json.Unmarshal(e.Value(), &st) == nil && st.State == schemas.JobDone &&
				strings.HasPrefix(st.JobID, fmt.Sprintf("bench-%d-", round)) {
				done[e.Key()] = true
			}
		case <-timeout:
			b.Fatalf("round %d: %d of %d jobs done", round, len(done), len(users))
		}
	}
}

func benchGuard(qps float64) *providers.Guard {
	return providers.NewGuard("bench", providers.GuardConfig{QPS: qps, Burst: 1}, nil)
}

// BenchmarkProducerEvents measures events per second through the producer
// against a simulator with no latency and no QPS cap: per iteration, 100
// users of the data set, as real users are: 0 to 40 conversations (one or
// two pages), about 20 on average, with realistic group names
// (simulator.Dataset.ShortNames), so the per-job costs count as they do in
// production. The producer runs at its default concurrency.
func BenchmarkProducerEvents(b *testing.B) {
	ds := simulator.Dataset{ShortNames: true}
	e := newProdEnv(b, volcsim.Options{QPS: -1, Dataset: ds}, yunxinsim.Options{})
	vc, err := volcengine.NewClient(&http.Client{}, benchGuard(1e6), volcsim.TestCredentials(), volcengine.Config{Endpoint: e.volc.URL})
	if err != nil {
		b.Fatal(err)
	}
	cfg := prodConfig()
	cfg.Concurrency, cfg.PublishWindow = 0, 0 // the defaults
	runProducer(b, e.js, vc, cfg)
	users, events := make([]string, 100), 0
	for i := range users {
		users[i] = strconv.Itoa(300000 + i)
		events += len(volcsim.Expected(ds, volcsim.TestAppID, users[i], 0))
	}
	b.ReportAllocs()
	round := 0
	start := time.Now()
	for b.Loop() {
		benchRun(b, e.js, round, users)
		round++
	}
	b.ReportMetric(float64(round*events)/time.Since(start).Seconds(), "events/s")
}

// BenchmarkProducerQPSCap measures the request rate the producer achieves
// against a simulator capped at 100 requests per second with 20ms latency,
// as a fraction of the cap, and fails on any request over the cap. The
// account is configured at exactly the cap: the guard's send window keeps
// the promise on the wire, whatever the scheduler and the network do.
func BenchmarkProducerQPSCap(b *testing.B) {
	e := newProdEnv(b, volcsim.Options{QPS: 100, Latency: 20 * time.Millisecond}, yunxinsim.Options{})
	vc, err := volcengine.NewClient(&http.Client{}, benchGuard(100), volcsim.TestCredentials(), volcengine.Config{Endpoint: e.volc.URL})
	if err != nil {
		b.Fatal(err)
	}
	cfg := prodConfig()
	cfg.Concurrency = 16
	runProducer(b, e.js, vc, cfg)
	users := slices.Repeat([]string{simulator.UserMany}, 8)
	b.ReportAllocs()
	round := 0
	start := time.Now()
	for b.Loop() {
		benchRun(b, e.js, round, users)
		round++
	}
	elapsed := time.Since(start).Seconds()
	st := e.volc.Stats()
	b.ReportMetric(float64(st.Requests)/elapsed/100, "cap-fraction")
	b.ReportMetric(float64(st.QPSViolations), "violations")
	if st.QPSViolations > 0 {
		b.Errorf("%d requests over the 100 QPS cap", st.QPSViolations)
	}
}

// BenchmarkEventMsg measures building the event messages of the
// conversations of users of the data set, as the clients map them from
// the simulators' pages into a reused message, as the producer does:
// encoding, event ID and NATS message.
func BenchmarkEventMsg(b *testing.B) {
	e := newProdEnv(b, volcsim.Options{QPS: -1}, yunxinsim.Options{QPS: -1})
	r := e.router(b)
	for _, job := range []schemas.Job{
		{Provider: schemas.ProviderVolcengine, App: prodVolcApp},
		{Provider: schemas.ProviderYunxin, App: yunxinsim.TestAppKey},
	} {
		b.Run(job.Provider, func(b *testing.B) {
			var convs []schemas.Conversation
			for u := 300000; len(convs) < 200; u++ {
				job.UserID = strconv.Itoa(u)
				page, err := r.FetchPage(b.Context(), job, "")
				if err != nil {
					b.Fatal(err)
				}
				convs = append(convs, page.Conversations...)
			}
			at := time.Now()
			subject := schemas.ConversationSubject(job.Provider, job.App)
			m := producer.NewReusedMsg()
			b.ReportAllocs()
			i, size := 0, 0
			for b.Loop() {
				if err := producer.NewEventMsg(m, subject, job, &convs[i%len(convs)], at); err != nil {
					b.Fatal(err)
				}
				i, size = i+1, size+len(m.Data)
			}
			b.ReportMetric(float64(size)/float64(i), "B/event")
		})
	}
}
