package ops

import (
	dto "github.com/prometheus/client_model/go"
)

// The metrics the status page reads. They are registered by
// pipeline/producer, pipeline/exporter and providers; a process that runs
// only some of those parts has only some of them, and the page shows the
// rest as absent.
const (
	metricJobs          = "chatlake_producer_jobs_total"
	metricJobsInFlight  = "chatlake_producer_jobs_in_flight"
	metricPublished     = "chatlake_producer_events_published_total"
	metricExportedRows  = "chatlake_exporter_rows_total"
	metricExportedFiles = "chatlake_exporter_files_total"
	metricLag           = "chatlake_exporter_lag_events"
	metricCommittedSeq  = "chatlake_exporter_committed_stream_seq"
	metricActive        = "chatlake_exporter_active"
	metricCommitSeconds = "chatlake_exporter_commit_seconds"
	metricExporterDLQ   = "chatlake_exporter_dead_letters_total"
	metricRequests      = "chatlake_provider_requests_total"
	metricRetries       = "chatlake_provider_retries_total"
	metricBreaker       = "chatlake_provider_breaker_state"
	metricRateLimit     = "chatlake_provider_rate_limit_qps"
)

// families indexes gathered metric families by name.
type families map[string]*dto.MetricFamily

func newFamilies(mfs []*dto.MetricFamily) families {
	f := make(families, len(mfs))
	for _, mf := range mfs {
		f[mf.GetName()] = mf
	}
	return f
}

// has reports whether the process registered the metric.
func (f families) has(name string) bool {
	_, ok := f[name]
	return ok
}

// each calls fn with the labels and value of every series of name: a
// counter's or gauge's value, a histogram's sample count.
func (f families) each(name string, fn func(labels map[string]string, v float64)) {
	mf, ok := f[name]
	if !ok {
		return
	}
	for _, m := range mf.GetMetric() {
		labels := make(map[string]string, len(m.GetLabel()))
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		fn(labels, value(m))
	}
}

// sum is the sum of every series of name, and whether there is any.
func (f families) sum(name string) (float64, bool) {
	var total float64
	f.each(name, func(_ map[string]string, v float64) { total += v })
	return total, f.has(name)
}

// sumBy sums the series of name by the value of one label.
func (f families) sumBy(name, label string) map[string]float64 {
	out := map[string]float64{}
	f.each(name, func(l map[string]string, v float64) { out[l[label]] += v })
	return out
}

func value(m *dto.Metric) float64 {
	switch {
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	case m.Histogram != nil:
		return float64(m.Histogram.GetSampleCount())
	case m.Untyped != nil:
		return m.Untyped.GetValue()
	}
	return 0
}
