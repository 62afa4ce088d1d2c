package providers

import (
	"errors"
	"fmt"
	"time"

	"github.com/chatlake/chatlake/schemas"
)

// Sentinels for errors.Is: every *Error matches the sentinel of its class.
var (
	ErrThrottled   = errors.New("provider throttled the request")
	ErrTransient   = errors.New("transient provider failure")
	ErrPermanent   = errors.New("permanent provider failure")
	ErrUnavailable = errors.New("provider circuit breaker is open")
)

// Error is a failed provider call, classified. It carries what the provider
// said (HTTP status, code, message) and never any credential.
type Error struct {
	Provider   string             // schemas.ProviderVolcengine, ...
	Op         string             // endpoint or action, e.g. "GetUserConversations"
	Class      schemas.ErrorClass // throttled, transient or permanent
	HTTPStatus int                // 0 when no response arrived
	Code       string             // provider code: "FlowLimitExceeded", "416", ...
	Message    string             // provider message
	RetryAfter time.Duration      // from Retry-After; 0 when absent
	Err        error              // underlying cause (network error, decode error), may be nil
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%s %s: %s", e.Provider, e.Op, e.Class)
	if e.HTTPStatus != 0 {
		s += fmt.Sprintf(" (http %d)", e.HTTPStatus)
	}
	if e.Code != "" {
		s += ": " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// ErrorClass implements schemas.Classed.
func (e *Error) ErrorClass() schemas.ErrorClass { return e.Class }

// ProviderCode returns Code. The pipeline, which cannot import providers,
// reads it through an interface to put it in dead letters.
func (e *Error) ProviderCode() string { return e.Code }

// Is matches the sentinel of the error's class.
func (e *Error) Is(target error) bool {
	return target == classSentinel(e.Class)
}

func classSentinel(c schemas.ErrorClass) error {
	switch c {
	case schemas.ClassThrottled:
		return ErrThrottled
	case schemas.ClassTransient:
		return ErrTransient
	case schemas.ClassPermanent:
		return ErrPermanent
	case schemas.ClassUnavailable:
		return ErrUnavailable
	}
	return nil
}

// BreakerOpenError is returned without calling the provider while the
// circuit breaker of an account's endpoint is open. The pipeline uses it to
// pause that account instead of spending jobs' attempts.
type BreakerOpenError struct {
	Account  string // the account's configured name
	Endpoint string
}

func (e *BreakerOpenError) Error() string {
	return fmt.Sprintf("account %s endpoint %s: circuit breaker open", e.Account, e.Endpoint)
}

// ErrorClass implements schemas.Classed.
func (e *BreakerOpenError) ErrorClass() schemas.ErrorClass { return schemas.ClassUnavailable }

// Is matches ErrUnavailable.
func (e *BreakerOpenError) Is(target error) bool { return target == ErrUnavailable }
