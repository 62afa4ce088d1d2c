package producer_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/chatlake/chatlake/internal/natstest"
	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/providers/volcengine/volcsim"
	"github.com/chatlake/chatlake/providers/yunxin/yunxinsim"
	"github.com/chatlake/chatlake/schemas"
)

// TestProducerHeldByBacklog: with MaxBacklog, a producer whose exporter
// does not keep up stops taking jobs (the rest wait in the jobs stream),
// and takes them again once the exporter has read the events.
func TestProducerHeldByBacklog(t *testing.T) {
	e := newProdEnv(t, volcsim.Options{}, yunxinsim.Options{})
	ctx := t.Context()
	// The exporter's durable consumer, created as the exporter would and
	// not read: every event stays pending.
	cons, err := e.js.CreateOrUpdateConsumer(ctx, schemas.StreamConversations, jetstream.ConsumerConfig{
		Durable: schemas.ExporterConsumer(0, 1), AckPolicy: jetstream.AckExplicitPolicy,
	})
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	cfg := prodConfig()
	cfg.Concurrency, cfg.MaxBacklog, cfg.Registerer = 2, 100, reg
	runProducer(t, e.js, e.router(t), cfg)

	base, _ := strconv.Atoi(simulator.UserEmpty)
	const jobs = 200
	for i := range jobs {
		prodPublishJob(t, e.js, schemas.JobSubject(schemas.ProviderVolcengine, prodVolcApp), strconv.Itoa(base+5+i))
	}
	prodWaitFor(t, 30*time.Second, "the producer held", func() bool { return gauge(t, reg, "chatlake_producer_held") == 1 })
	info, err := cons.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	queued := natstest.StreamLen(t, e.js, schemas.StreamJobs)
	if queued == 0 || info.NumPending <= 100 {
		t.Fatalf("held with %d jobs queued and %d events pending; want jobs left and more than 100 events", queued, info.NumPending)
	}
	// The exporter catches up: the producer takes the rest.
	deadline := time.Now().Add(60 * time.Second)
	for done := 0; done < jobs; {
		if time.Now().After(deadline) {
			states := map[string]int{}
			for _, st := range prodStatuses(t, e.js) {
				states[st.State]++
			}
			info, _ := cons.Info(ctx)
			t.Fatalf("%d of %d jobs done after the exporter caught up: %v, %d queued, held %v, pending %d", done, jobs, states, natstest.StreamLen(t, e.js, schemas.StreamJobs), gauge(t, reg, "chatlake_producer_held"), info.NumPending)
		}
		batch, err := cons.Fetch(500, jetstream.FetchMaxWait(100*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		for m := range batch.Messages() {
			if err := m.Ack(); err != nil {
				t.Fatal(err)
			}
		}
		done = 0
		for _, st := range prodStatuses(t, e.js) {
			if st.Terminal() { // the data set's missing users are dead-lettered
				done++
			}
		}
	}
	if g := gauge(t, reg, "chatlake_producer_held"); g != 0 {
		t.Errorf("held = %v after every job is done, want 0", g)
	}
}

// gauge returns the value of the gauge name in reg.
func gauge(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}
