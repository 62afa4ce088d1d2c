package providers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxRetryAfter bounds the wait a provider's Retry-After asks for: a
// longer one, or one too large to represent, counts as MaxRetryAfter. A
// Guard never waits longer than its MaxElapsed anyway, so a provider that
// asks for hours gets the call failed as throttled instead of a stuck job.
const MaxRetryAfter = time.Hour

// RetryAfter reads the Retry-After header of h (RFC 9110 §10.2.3) in its
// two forms, delay seconds or an HTTP date relative to now, and returns
// the wait it asks for, at most MaxRetryAfter. It is 0 when the header is
// absent, unparsable, negative or a date in the past.
func RetryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		d = time.Duration(min(max(n, 0), int64(MaxRetryAfter/time.Second))) * time.Second
	} else if errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(v, "-") {
		d = MaxRetryAfter
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), MaxRetryAfter)
}
