package ops

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// status is what /api/status returns. A section that is nil (null) has no
// data in this process: the page says so.
type status struct {
	GeneratedAt    time.Time         `json:"generated_at"`
	RefreshSeconds float64           `json:"refresh_seconds"`
	WindowSeconds  float64           `json:"window_seconds"`
	Runs           optional[any]     `json:"runs"`
	Jobs           *jobsStatus       `json:"jobs"`
	Throughput     Series            `json:"throughput"`
	Providers      *providersStatus  `json:"providers"`
	Exporter       *exporterStatus   `json:"exporter"`
	DeadLetters    deadLettersStatus `json:"dead_letters"`
	LastCommit     optional[*Commit] `json:"last_commit"`
}

// optional is a section read by a PageConfig function: Enabled is false
// when there is none, Error set when it failed.
type optional[T any] struct {
	Enabled bool   `json:"enabled"`
	Error   string `json:"error,omitempty"`
	Data    T      `json:"data"`
}

type jobsStatus struct {
	Outcomes map[string]float64 `json:"outcomes"`
	InFlight float64            `json:"in_flight"`
}

type providersStatus struct {
	Accounts []accountStatus `json:"accounts"`
	Breakers []breakerStatus `json:"breakers"`
	Requests Series          `json:"requests"` // per second, by account
	Outcomes Series          `json:"outcomes"` // per second, by outcome
}

type accountStatus struct {
	Account      string             `json:"account"`
	Outcomes     map[string]float64 `json:"outcomes"`
	Retries      map[string]float64 `json:"retries"`
	RateLimitQPS *float64           `json:"rate_limit_qps"`
}

type breakerStatus struct {
	Account  string `json:"account"`
	Endpoint string `json:"endpoint"`
	State    string `json:"state"`
}

type exporterStatus struct {
	Active       bool    `json:"active"`
	LagEvents    float64 `json:"lag_events"`
	CommittedSeq float64 `json:"committed_stream_seq"`
	Rows         float64 `json:"rows"`
	Files        float64 `json:"files"`
	Epochs       float64 `json:"epochs"`
	Lag          Series  `json:"lag"`
}

type deadLettersStatus struct {
	Producer *float64                    `json:"producer"` // this process's producer
	Exporter *float64                    `json:"exporter"` // this process's exporter
	ByReason optional[[]DeadLetterCount] `json:"by_reason"`
}

// maxReasons is how many reasons the page lists; the rest are summed.
const maxReasons = 20

// status gathers the metrics now, with the history and the PageConfig
// functions' results.
func (p *Page) status(ctx context.Context) status {
	now := p.now()
	mfs, _ := p.g.Gather()
	f := newFamilies(mfs)
	ss := append(p.hist.samples(), newSample(now, f))
	st := status{
		GeneratedAt:    now.UTC(),
		RefreshSeconds: p.cfg.Refresh.Seconds(),
		WindowSeconds:  p.cfg.Window.Seconds(),
		Runs:           read(ctx, &p.runs, now, p.cfg.Refresh),
		Jobs:           jobsOf(f),
		Throughput:     rates(ss, []string{keyPublished, keyExported}, ""),
		Providers:      providersOf(f, ss),
		Exporter:       exporterOf(f, ss),
		LastCommit:     readPtr(ctx, &p.lastCommit, now, p.cfg.Refresh),
	}
	st.DeadLetters = deadLettersOf(f)
	st.DeadLetters.ByReason = read(ctx, &p.deadLetter, now, p.cfg.Refresh)
	st.DeadLetters.ByReason.Data = topReasons(st.DeadLetters.ByReason.Data)
	return st
}

func read[T any](ctx context.Context, c *cached[T], now time.Time, maxAge time.Duration) optional[T] {
	if c.fn == nil {
		return optional[T]{}
	}
	v, err := c.get(ctx, now, maxAge)
	o := optional[T]{Enabled: true, Data: v}
	if err != nil {
		o.Error = err.Error()
	}
	return o
}

func readPtr[T any](ctx context.Context, c *cached[T], now time.Time, maxAge time.Duration) optional[*T] {
	o := read(ctx, c, now, maxAge)
	out := optional[*T]{Enabled: o.Enabled, Error: o.Error}
	if o.Enabled && o.Error == "" {
		out.Data = &o.Data
	}
	return out
}

func jobsOf(f families) *jobsStatus {
	if !f.has(metricJobs) {
		return nil
	}
	inFlight, _ := f.sum(metricJobsInFlight)
	return &jobsStatus{Outcomes: f.sumBy(metricJobs, "outcome"), InFlight: inFlight}
}

func providersOf(f families, ss []sample) *providersStatus {
	if !f.has(metricRequests) && !f.has(metricBreaker) {
		return nil
	}
	byAccount := map[string]*accountStatus{}
	account := func(name string) *accountStatus {
		if a, ok := byAccount[name]; ok {
			return a
		}
		a := &accountStatus{Account: name, Outcomes: map[string]float64{}, Retries: map[string]float64{}}
		byAccount[name] = a
		return a
	}
	breakers := map[[2]string]string{}
	f.each(metricRequests, func(l map[string]string, v float64) {
		account(l["account"]).Outcomes[l["outcome"]] += v
		breakers[[2]string{l["account"], l["endpoint"]}] = "closed" // no breaker change yet
	})
	f.each(metricRetries, func(l map[string]string, v float64) { account(l["account"]).Retries[l["class"]] += v })
	f.each(metricRateLimit, func(l map[string]string, v float64) { account(l["account"]).RateLimitQPS = &v })
	f.each(metricBreaker, func(l map[string]string, v float64) {
		account(l["account"])
		breakers[[2]string{l["account"], l["endpoint"]}] = breakerState(v)
	})
	out := &providersStatus{
		Requests: rates(ss, nil, prefixRequests),
		Outcomes: rates(ss, nil, prefixOutcomes),
	}
	for _, a := range byAccount {
		out.Accounts = append(out.Accounts, *a)
	}
	slices.SortFunc(out.Accounts, func(a, b accountStatus) int { return cmp.Compare(a.Account, b.Account) })
	for k, s := range breakers {
		out.Breakers = append(out.Breakers, breakerStatus{Account: k[0], Endpoint: k[1], State: s})
	}
	slices.SortFunc(out.Breakers, func(a, b breakerStatus) int {
		return cmp.Or(cmp.Compare(a.Account, b.Account), cmp.Compare(a.Endpoint, b.Endpoint))
	})
	return out
}

// breakerState names chatlake_provider_breaker_state's values (gobreaker's
// states).
func breakerState(v float64) string {
	switch v {
	case 0:
		return "closed"
	case 1:
		return "half-open"
	case 2:
		return "open"
	}
	return "unknown"
}

func exporterOf(f families, ss []sample) *exporterStatus {
	if !f.has(metricLag) {
		return nil
	}
	e := &exporterStatus{Lag: gauges(ss, keyLag)}
	e.LagEvents, _ = f.sum(metricLag)
	e.CommittedSeq, _ = f.sum(metricCommittedSeq)
	active, _ := f.sum(metricActive)
	e.Active = active > 0
	e.Rows, _ = f.sum(metricExportedRows)
	e.Files, _ = f.sum(metricExportedFiles)
	e.Epochs, _ = f.sum(metricCommitSeconds)
	return e
}

func deadLettersOf(f families) deadLettersStatus {
	var d deadLettersStatus
	if f.has(metricJobs) {
		v := f.sumBy(metricJobs, "outcome")["dead_letter"]
		d.Producer = &v
	}
	if v, ok := f.sum(metricExporterDLQ); ok {
		d.Exporter = &v
	}
	return d
}

// topReasons keeps the maxReasons most frequent counts and sums the rest
// into one.
func topReasons(counts []DeadLetterCount) []DeadLetterCount {
	out := slices.Clone(counts)
	slices.SortStableFunc(out, func(a, b DeadLetterCount) int { return cmp.Compare(b.Count, a.Count) })
	if len(out) <= maxReasons {
		return out
	}
	rest := DeadLetterCount{Reason: "(other reasons)"}
	for _, c := range out[maxReasons:] {
		rest.Count += c.Count
	}
	return append(out[:maxReasons], rest)
}
