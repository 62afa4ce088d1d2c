package pipeline

import (
	"math/rand/v2"
	"time"
)

// Backoff returns the delay after the n-th failure: initial doubled
// n-1 times, at most ceiling, ±20% jitter.
func Backoff(initial, ceiling time.Duration, n int) time.Duration {
	d := initial
	for i := 1; i < n && d < ceiling; i++ {
		d *= 2
	}
	d = min(d, ceiling)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}
