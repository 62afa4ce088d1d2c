package ops

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// Keys of a sample's values. A key with a prefix is one series of a
// group: "requests/<account>", "outcomes/<outcome>".
const (
	keyPublished      = "published"
	keyExported       = "exported"
	keyLag            = "lag"
	prefixRequests    = "requests/"
	prefixOutcomes    = "outcomes/"
	historyMaxSeries  = 16 // per group: accounts or outcomes beyond it are left out of the charts
	historyMaxSamples = 4096
)

// sample is the counters the charts need, at one instant.
type sample struct {
	at time.Time
	v  map[string]float64
}

// newSample picks from f what the charts need; a metric the process does
// not have is absent from the sample, not zero.
func newSample(at time.Time, f families) sample {
	s := sample{at: at, v: map[string]float64{}}
	if v, ok := f.sum(metricPublished); ok {
		s.v[keyPublished] = v
	}
	if v, ok := f.sum(metricExportedRows); ok {
		s.v[keyExported] = v
	}
	if v, ok := f.sum(metricLag); ok {
		s.v[keyLag] = v
	}
	for _, g := range []struct{ prefix, label string }{{prefixRequests, "account"}, {prefixOutcomes, "outcome"}} {
		for k, v := range f.sumBy(metricRequests, g.label) {
			s.v[g.prefix+k] = v
		}
	}
	return s
}

// history is a ring of the last samples. It is safe for concurrent use.
type history struct {
	mu   sync.Mutex
	ring []sample
	next int
	full bool
}

func newHistory(n int) *history {
	return &history{ring: make([]sample, min(max(n, 2), historyMaxSamples))}
}

func (h *history) add(s sample) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ring[h.next] = s
	h.next = (h.next + 1) % len(h.ring)
	h.full = h.full || h.next == 0
}

// samples returns the samples held, oldest first.
func (h *history) samples() []sample {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.full {
		return slices.Clone(h.ring[:h.next])
	}
	return append(slices.Clone(h.ring[h.next:]), h.ring[:h.next]...)
}

// Series is a chart's data: the times (Unix seconds) and one line per
// name, aligned with them; null where a line has no value.
type Series struct {
	T     []float64             `json:"t"`
	Lines map[string][]*float64 `json:"lines"`
}

// rates turns counters into per-second rates between consecutive samples,
// for the keys given and those starting with prefix (the prefix dropped
// from the line's name). A counter that went down (a restart) gives no
// rate for that step.
func rates(ss []sample, keys []string, prefix string) Series {
	names := seriesKeys(ss, keys, prefix)
	out := Series{T: []float64{}, Lines: map[string][]*float64{}}
	for i := 1; i < len(ss); i++ {
		dt := ss[i].at.Sub(ss[i-1].at).Seconds()
		if dt <= 0 {
			continue
		}
		out.T = append(out.T, unixSeconds(ss[i].at))
		for _, k := range names {
			cur, ok1 := ss[i].v[k]
			prev, ok2 := ss[i-1].v[k]
			var p *float64
			if ok1 && ok2 && cur >= prev {
				r := (cur - prev) / dt
				p = &r
			}
			name := strings.TrimPrefix(k, prefix)
			out.Lines[name] = append(out.Lines[name], p)
		}
	}
	return out
}

// gauges is the values of the keys at every sample.
func gauges(ss []sample, keys ...string) Series {
	names := seriesKeys(ss, keys, "")
	out := Series{T: []float64{}, Lines: map[string][]*float64{}}
	for _, s := range ss {
		out.T = append(out.T, unixSeconds(s.at))
		for _, k := range names {
			var p *float64
			if v, ok := s.v[k]; ok {
				p = &v
			}
			out.Lines[k] = append(out.Lines[k], p)
		}
	}
	return out
}

// seriesKeys is the keys of ss that are among keys or start with prefix
// (at most historyMaxSeries of these), sorted.
func seriesKeys(ss []sample, keys []string, prefix string) []string {
	set := map[string]bool{}
	grouped := 0
	for _, s := range ss {
		for k := range s.v {
			switch {
			case slices.Contains(keys, k):
				set[k] = true
			case prefix != "" && strings.HasPrefix(k, prefix) && !set[k] && grouped < historyMaxSeries:
				set[k] = true
				grouped++
			}
		}
	}
	return slices.Sorted(maps.Keys(set))
}

func unixSeconds(t time.Time) float64 {
	return float64(t.UnixMilli()) / 1000
}
