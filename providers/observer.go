package providers

import (
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/chatlake/chatlake/schemas"
)

// Outcomes of an attempt besides the error classes ("throttled",
// "transient", "permanent").
const (
	OutcomeOK       = "ok"
	OutcomeCanceled = "canceled" // the caller's context ended the attempt
)

// Attempt describes one finished attempt of a guarded call.
type Attempt struct {
	Account    string
	Endpoint   string
	Outcome    string // OutcomeOK, OutcomeCanceled, or the error class
	HTTPStatus int    // from *Error; 0 on success or when no response came
	Duration   time.Duration
}

// Observer is told what a Guard does, for metrics. Its methods are called
// synchronously, from many goroutines at once and, for BreakerChanged and
// RateChanged, under the Guard's locks: they must be quick and must not
// call back into the Guard. Metrics implements it with Prometheus.
type Observer interface {
	// AttemptDone is called after every attempt that reached the provider.
	AttemptDone(a Attempt)
	// Retried is called before waiting to retry after an error of class.
	Retried(account, endpoint string, class schemas.ErrorClass, wait time.Duration)
	// BreakerChanged is called when an endpoint's breaker changes state,
	// and with StateClosed when the breaker is made, on the endpoint's
	// first call.
	BreakerChanged(account, endpoint string, to gobreaker.State)
	// RateChanged is called when the account's client-side rate changes.
	RateChanged(account string, qps float64)
}

type nopObserver struct{}

func (nopObserver) AttemptDone(Attempt)                                       {}
func (nopObserver) Retried(string, string, schemas.ErrorClass, time.Duration) {}
func (nopObserver) BreakerChanged(string, string, gobreaker.State)            {}
func (nopObserver) RateChanged(string, float64)                               {}
