package simulator

import (
	"context"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// Fault is a failure a simulator can inject in place of a normal answer.
// Each simulator renders it in its provider's wire form.
type Fault int

// Faults.
const (
	FaultNone        Fault = iota
	FaultServerError       // Volcengine HTTP 500 InternalError; Yunxin code 500
	FaultThrottle          // Volcengine HTTP 429 FlowLimitExceeded; Yunxin code 416
	FaultMalformed         // HTTP 200 with a body that is not valid JSON
	FaultDrop              // the connection is closed without a response
	FaultSlow              // the normal answer, after Rates.Slow
	FaultAuth              // a signature / checksum failure
	FaultUnavailable       // Volcengine HTTP 503 ServiceUnavailableTemp; Yunxin HTTP 503
)

var faultNames = [...]string{"none", "server_error", "throttle", "malformed", "drop", "slow", "auth", "unavailable"}

func (f Fault) String() string {
	if f < 0 || int(f) >= len(faultNames) {
		return "unknown"
	}
	return faultNames[f]
}

// Rates injects faults at random, each a probability in [0, 1] checked per
// request in the order of the fields.
type Rates struct {
	ServerError float64
	Throttle    float64
	Malformed   float64
	Drop        float64
	Slow        float64
	// SlowBy is how long FaultSlow waits. Default 2s.
	SlowBy time.Duration
	// RetryAfter, when non-zero, is sent as Retry-After (whole seconds,
	// rounded up) with throttle faults.
	RetryAfter time.Duration
}

// Injector decides the fault of each request: first from the queue filled by
// Inject, then at random from the rates. The zero value injects nothing.
// It is safe for concurrent use.
type Injector struct {
	mu    sync.Mutex
	queue []Fault
	rates Rates
	rng   *rand.Rand
	seen  map[Fault]int
}

// NewInjector returns an injector with the given random rates and seed.
func NewInjector(r Rates, seed uint64) *Injector {
	if r.SlowBy == 0 {
		r.SlowBy = 2 * time.Second
	}
	return &Injector{rates: r, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// Inject makes the next n requests fail with f (after any already queued).
func (in *Injector) Inject(f Fault, n int) {
	in.mu.Lock()
	defer in.mu.Unlock()
	for range n {
		in.queue = append(in.queue, f)
	}
}

// SetRates replaces the random rates.
func (in *Injector) SetRates(r Rates) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if r.SlowBy == 0 {
		r.SlowBy = 2 * time.Second
	}
	in.rates = r
}

// Rates returns the current random rates.
func (in *Injector) Rates() Rates {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.rates
}

// Next returns the fault for the next request.
func (in *Injector) Next() Fault {
	in.mu.Lock()
	defer in.mu.Unlock()
	f := in.next()
	if f != FaultNone {
		if in.seen == nil {
			in.seen = map[Fault]int{}
		}
		in.seen[f]++
	}
	return f
}

func (in *Injector) next() Fault {
	if len(in.queue) > 0 {
		f := in.queue[0]
		in.queue = in.queue[1:]
		return f
	}
	if in.rng == nil {
		return FaultNone
	}
	r := in.rates
	for _, c := range []struct {
		p float64
		f Fault
	}{{r.ServerError, FaultServerError}, {r.Throttle, FaultThrottle}, {r.Malformed, FaultMalformed}, {r.Drop, FaultDrop}, {r.Slow, FaultSlow}} {
		if c.p > 0 && in.rng.Float64() < c.p {
			return c.f
		}
	}
	return FaultNone
}

// Injected returns how many of each fault were injected so far.
func (in *Injector) Injected() map[Fault]int {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := make(map[Fault]int, len(in.seen))
	for k, v := range in.seen {
		out[k] = v
	}
	return out
}

// Drop closes the client's connection without an HTTP response, as a
// crashed gateway would. It reports whether the connection could be hijacked.
func Drop(w http.ResponseWriter) bool {
	hj, ok := w.(http.Hijacker)
	if !ok {
		return false
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return false
	}
	conn.Close()
	return true
}

// MalformedBody is what FaultMalformed answers: a truncated JSON object.
const MalformedBody = `{"ResponseMetadata":{"RequestId":"x"},"Result":{"ConversationInfos":[{"ConversationShortId":1`

// Wait sleeps d or until ctx ends, and reports whether d passed: a
// simulator's latency and slow answers must end when the client leaves.
func Wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
