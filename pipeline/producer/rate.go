package producer

import (
	"context"

	"golang.org/x/time/rate"
)

// newEventLimiter returns the limiter of Config.MaxEventsPerSecond, nil
// for none. Its burst is a tenth of a second of events, at least a page
// of the largest provider (100), so pages go out whole and evenly spread.
func newEventLimiter(perSecond int) *rate.Limiter {
	if perSecond <= 0 {
		return nil
	}
	return rate.NewLimiter(rate.Limit(perSecond), max(perSecond/10, 100))
}

// waitEvents waits until n more events may be published, in turns of at
// most the limiter's burst, or until ctx ends. A nil limiter never waits.
func waitEvents(ctx context.Context, l *rate.Limiter, n int) error {
	if l == nil {
		return nil
	}
	for n > 0 {
		k := min(n, l.Burst())
		if err := l.WaitN(ctx, k); err != nil {
			return err
		}
		n -= k
	}
	return nil
}
