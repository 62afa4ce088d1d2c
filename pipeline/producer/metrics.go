package producer

import "github.com/prometheus/client_golang/prometheus"

// Job outcomes, the label of chatlake_producer_jobs_total.
const (
	outcomeDone       = "done"
	outcomeRetried    = "retried"
	outcomeDeadLetter = "dead_letter"
	outcomePaused     = "paused"
	outcomeHandedBack = "handed_back"
)

// producerMetrics are the producer's Prometheus metrics. The zero value
// (nil fields) is not usable; newProducerMetrics always fills it.
type producerMetrics struct {
	jobs        *prometheus.CounterVec
	events      prometheus.Counter
	pages       prometheus.Counter
	failedItems prometheus.Counter
	inFlight    prometheus.Gauge
	held        prometheus.Gauge
}

func newProducerMetrics(reg prometheus.Registerer) (*producerMetrics, error) {
	m := &producerMetrics{
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chatlake_producer_jobs_total",
			Help: "Jobs handled, by outcome: done, retried, dead_letter, paused (provider unavailable, no attempt spent), handed_back (shutdown, or NATS unavailable: no attempt spent).",
		}, []string{"outcome"}),
		events: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "chatlake_producer_events_published_total",
			Help: "Conversation events acknowledged by the stream (duplicates included).",
		}),
		pages: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "chatlake_producer_pages_total",
			Help: "Provider pages stored and checkpointed.",
		}),
		failedItems: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "chatlake_producer_failed_items_total",
			Help: "Conversations a provider reported as failed within a successful call.",
		}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "chatlake_producer_jobs_in_flight",
			Help: "Jobs running now.",
		}),
		held: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "chatlake_producer_held",
			Help: "1 while the producer takes no new jobs because more than producer.max_backlog events wait for the exporters.",
		}),
	}
	for _, o := range []string{outcomeDone, outcomeRetried, outcomeDeadLetter, outcomePaused, outcomeHandedBack} {
		m.jobs.WithLabelValues(o)
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.jobs, m.events, m.pages, m.failedItems, m.inFlight, m.held} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}
