package exporter

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/chatlake/chatlake/schemas"
)

// metrics are the exporter's Prometheus metrics, registered when
// Config.Registerer is set. Safe for concurrent use.
type metrics struct {
	rows        prometheus.Counter
	files       prometheus.Counter
	bytes       prometheus.Counter
	epochs      *prometheus.CounterVec
	commit      prometheus.Histogram
	lagEvents   prometheus.Gauge
	deadLetters prometheus.Counter
	committed   prometheus.Gauge
	activeGauge prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		rows:        prometheus.NewCounter(prometheus.CounterOpts{Name: "chatlake_exporter_rows_total", Help: "Rows committed to Parquet files."}),
		files:       prometheus.NewCounter(prometheus.CounterOpts{Name: "chatlake_exporter_files_total", Help: "Parquet files committed."}),
		bytes:       prometheus.NewCounter(prometheus.CounterOpts{Name: "chatlake_exporter_bytes_total", Help: "Bytes of Parquet files committed."}),
		epochs:      prometheus.NewCounterVec(prometheus.CounterOpts{Name: "chatlake_exporter_epochs_total", Help: "Epochs committed, by rotation reason."}, []string{"reason"}),
		commit:      prometheus.NewHistogram(prometheus.HistogramOpts{Name: "chatlake_exporter_commit_seconds", Help: "Time to finish, commit, publish and ack an epoch.", Buckets: prometheus.ExponentialBuckets(0.001, 2, 14)}),
		lagEvents:   prometheus.NewGauge(prometheus.GaugeOpts{Name: "chatlake_exporter_lag_events", Help: "Events in the stream after the last one processed."}),
		deadLetters: prometheus.NewCounter(prometheus.CounterOpts{Name: "chatlake_exporter_dead_letters_total", Help: "Events sent to the dead-letter stream."}),
		committed:   prometheus.NewGauge(prometheus.GaugeOpts{Name: "chatlake_exporter_committed_stream_seq", Help: "Stream sequence of the last committed event."}),
		activeGauge: prometheus.NewGauge(prometheus.GaugeOpts{Name: "chatlake_exporter_active", Help: "1 while this exporter owns the commit record and exports, 0 while it stands by or is stopped."}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.rows, m.files, m.bytes, m.epochs, m.commit, m.lagEvents, m.deadLetters, m.committed, m.activeGauge} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *metrics) epoch(reason string, rec schemas.ExportCommit, size int64, took time.Duration) {
	m.rows.Add(float64(rec.Rows))
	m.files.Add(float64(len(rec.Files)))
	m.bytes.Add(float64(size))
	m.epochs.WithLabelValues(reason).Inc()
	m.commit.Observe(took.Seconds())
	m.committed.Set(float64(rec.LastSeq))
}

func (m *metrics) lag(pending uint64) {
	m.lagEvents.Set(float64(pending))
}

func (m *metrics) deadLetter() {
	m.deadLetters.Inc()
}

func (m *metrics) active(on bool) {
	v := 0.0
	if on {
		v = 1
	}
	m.activeGauge.Set(v)
}
