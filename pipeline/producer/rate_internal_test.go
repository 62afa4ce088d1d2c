package producer

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

// TestWaitEventsSpreads: past the limiter's burst, events go out at the
// configured rate, in turns no larger than the burst, however many a page
// holds.
func TestWaitEventsSpreads(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newEventLimiter(1000) // burst 100
		ctx := t.Context()
		start := time.Now()
		if err := waitEvents(ctx, l, 100); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != 0 {
			t.Errorf("the first burst waited %v, want 0", d)
		}
		if err := waitEvents(ctx, l, 350); err != nil { // more than the burst
			t.Fatal(err)
		}
		if d := time.Since(start); d < 350*time.Millisecond || d > 360*time.Millisecond {
			t.Errorf("450 events at 1000/s with a burst of 100 took %v, want 350ms", d)
		}
	})
}

// TestWaitEventsNoLimit: without MaxEventsPerSecond nothing waits.
func TestWaitEventsNoLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		if err := waitEvents(t.Context(), newEventLimiter(0), 1_000_000); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != 0 {
			t.Errorf("waited %v without a limit", d)
		}
	})
}

// TestWaitEventsCanceled: a wait ends with its context.
func TestWaitEventsCanceled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newEventLimiter(100)
		ctx, cancel := context.WithCancel(t.Context())
		if err := waitEvents(ctx, l, 100); err != nil {
			t.Fatal(err)
		}
		done := make(chan error)
		go func() { done <- waitEvents(ctx, l, 100) }() // a whole second away
		synctest.Wait()
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("waitEvents after cancel = %v, want context.Canceled", err)
		}
	})
}
