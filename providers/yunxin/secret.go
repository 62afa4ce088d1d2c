package yunxin

import (
	"fmt"
	"log/slog"
)

const redacted = "[REDACTED]"

// Secret is an AppSecret. It prints, logs and marshals as [REDACTED] with
// every fmt verb, slog and encoding/json, so it cannot leak through a log
// line, an error or a metric label by accident. Convert it with string(s)
// only where the secret is actually needed: computing a CheckSum.
type Secret string

// String returns [REDACTED].
func (Secret) String() string { return redacted }

// GoString returns [REDACTED], for %#v.
func (Secret) GoString() string { return redacted }

// Format prints [REDACTED] for every verb, %x and %q included.
func (Secret) Format(f fmt.State, _ rune) { fmt.Fprint(f, redacted) }

// LogValue implements slog.LogValuer.
func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON encodes the secret as "[REDACTED]".
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// MarshalText encodes the secret as [REDACTED] (YAML, XML, map keys).
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// Credentials identify a Yunxin app. The zero value is not usable.
type Credentials struct {
	// AppKey is the app's public key, sent in the AppKey header.
	AppKey string
	// AppSecret signs requests; it never leaves the process.
	AppSecret Secret
}
