package providers

import (
	"context"
	"math"
	"sync"
	"time"
)

// sendWindow keeps an account within its quota as the provider counts it:
// never more than n requests in any one-second window of their arrival
// times, however late the scheduler wakes the senders up and however the
// network delays their requests.
//
// A token bucket cannot promise that: it spaces the moments it grants
// tokens, not the moments requests reach the provider. What the client does
// know is that the provider receives a request after the client starts it
// and before the client has its answer. So a request may start only while
// fewer than n others are in flight or were answered less than a second
// ago: then of any n+1 requests the last one started at least a second
// after another one was answered, and the provider saw them at least a
// second apart. The price is the latency: at most n requests per second
// plus one round trip.
type sendWindow struct {
	mu       sync.Mutex
	n        int         // 0 lets nothing start until setQPS raises it
	busy     int         // slots held by requests waiting to start or in flight
	answered []time.Time // answer times of the last second, oldest first
	changed  chan struct{}
}

func newSendWindow(qps float64) *sendWindow {
	// A quota is whole requests per second; the bucket paces fractions.
	return &sendWindow{n: max(1, windowSize(qps))}
}

func windowSize(qps float64) int { return int(min(max(qps, 0), math.MaxInt32)) }

// setQPS changes the window's size. Lowering it holds back new requests
// at once; the requests of the last second still count, so for a second
// the provider may see up to the old size from this window.
func (w *sendWindow) setQPS(qps float64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.n = windowSize(qps)
	w.wakeLocked()
}

// acquire blocks until the window has room for one more request, or ctx
// is done. Each successful acquire must be followed by one release.
func (w *sendWindow) acquire(ctx context.Context) error {
	for {
		wait, changed, ok := w.tryAcquire(time.Now())
		if ok {
			return nil
		}
		if err := sleepUntilChanged(ctx, wait, changed); err != nil {
			return err
		}
	}
}

// tryAcquire takes a slot if one is free at now. If not, it returns how
// long until the oldest answer leaves the window (0 when all slots are in
// flight) and a channel closed when a request is answered.
func (w *sendWindow) tryAcquire(now time.Time) (time.Duration, <-chan struct{}, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	gone := 0
	for gone < len(w.answered) && now.Sub(w.answered[gone]) >= time.Second {
		gone++
	}
	w.answered = w.answered[gone:]
	if w.busy+len(w.answered) < w.n {
		w.busy++
		return 0, nil, true
	}
	if w.changed == nil {
		w.changed = make(chan struct{})
	}
	var wait time.Duration
	if len(w.answered) > 0 {
		wait = w.answered[0].Add(time.Second).Sub(now)
	}
	return wait, w.changed, false
}

func sleepUntilChanged(ctx context.Context, wait time.Duration, changed <-chan struct{}) error {
	var timeout <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-changed:
	case <-timeout:
	}
	return nil
}

// release gives back a slot. sent tells whether the request may have
// reached the provider: then its slot stays taken for a second from now,
// the answer's time.
func (w *sendWindow) release(sent bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.busy--
	if sent {
		w.answered = append(w.answered, time.Now())
	}
	w.wakeLocked()
}

// wakeLocked tells the waiters to look again.
func (w *sendWindow) wakeLocked() {
	if w.changed != nil {
		close(w.changed)
		w.changed = nil
	}
}
