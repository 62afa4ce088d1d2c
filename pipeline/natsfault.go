package pipeline

import (
	"encoding/json"
	"errors"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// NATSFault marks a failure of NATS itself: a publish unacknowledged, a
// key-value read or write refused, a consumer gone or unreachable. In a
// cluster this is what a leader election, a lost node or a reconnect looks
// like for a few seconds. It is no fault of the message being worked on:
// the producer hands the job back without spending an attempt, the
// exporter resumes from its last commit, and neither dead-letters anything
// or exits because of it.
type NATSFault struct{ Err error }

func (e NATSFault) Error() string { return e.Err.Error() }
func (e NATSFault) Unwrap() error { return e.Err }

// FromNATS marks err, returned by a NATS call, as a NATSFault, unless
// retrying cannot help: a message larger than the server or the stream
// allows, or a stored value that does not decode. nil stays nil.
func FromNATS(err error) error {
	var apiErr *jetstream.APIError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil,
		errors.Is(err, nats.ErrMaxPayload),
		errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamMessageExceedsMaximum,
		errors.As(err, &syntax), errors.As(err, &typ):
		return err
	}
	return NATSFault{err}
}

// IsNATSFault reports whether err wraps a NATSFault.
func IsNATSFault(err error) bool {
	return errors.As(err, new(NATSFault))
}
