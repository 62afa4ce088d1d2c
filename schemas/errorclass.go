package schemas

import "errors"

// ErrorClass says how a failure is to be treated. It is decided once, where
// the error is born (providers classify their responses), and it travels in
// dead letters so an operator can tell a bad job from a sick provider.
type ErrorClass string

// Error classes.
const (
	// ClassThrottled: the provider asked us to slow down. Retry later.
	ClassThrottled ErrorClass = "throttled"
	// ClassTransient: network error, timeout, 5xx, malformed body. Retry.
	ClassTransient ErrorClass = "transient"
	// ClassPermanent: auth, invalid parameter, user or app not found.
	// Retrying cannot help.
	ClassPermanent ErrorClass = "permanent"
	// ClassUnavailable: the account's circuit breaker is open. Wait for it
	// without spending the job's attempts.
	ClassUnavailable ErrorClass = "unavailable"
	// ClassInvalid: the message itself (job or event) cannot be decoded or
	// is not acceptable.
	ClassInvalid ErrorClass = "invalid"
)

// Classed is implemented by errors that know their class. Callers find it
// with errors.As.
type Classed interface {
	error
	ErrorClass() ErrorClass
}

// ClassOf is the class of err: that of the first error in its tree that
// is Classed, else ClassTransient, since an error nobody classified (a
// network failure, a bug) may well pass on a later try.
func ClassOf(err error) ErrorClass {
	var c Classed
	if errors.As(err, &c) {
		return c.ErrorClass()
	}
	return ClassTransient
}
