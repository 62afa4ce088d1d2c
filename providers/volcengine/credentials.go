package volcengine

import (
	"fmt"
	"io"
	"log/slog"
)

const redacted = "[REDACTED]"

// Secret is a credential value (a secret access key or an STS session
// token). It prints, logs and marshals as "[REDACTED]" whatever the verb or
// encoder, so it can sit in structs that get logged. Only Reveal gives the
// value back, for signing.
type Secret string

// String returns "[REDACTED]".
func (Secret) String() string { return redacted }

// GoString returns "[REDACTED]", for %#v.
func (Secret) GoString() string { return redacted }

// Format writes "[REDACTED]" for every verb (%v, %+v, %#v, %s, %q, %x...).
func (Secret) Format(f fmt.State, _ rune) { io.WriteString(f, redacted) }

// LogValue implements slog.LogValuer.
func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON writes the JSON string "[REDACTED]".
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// MarshalText writes "[REDACTED]" (YAML, XML and map keys).
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// Reveal returns the secret itself. Call it only to compute a signature.
func (s Secret) Reveal() string { return string(s) }

// Credentials are a Volcengine access key pair, with the session token of
// temporary (STS) credentials. The zero value is not usable: AccessKeyID
// and SecretAccessKey are required. Printing or logging Credentials never
// shows the secrets.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey Secret
	// SessionToken is sent as X-Security-Token when set.
	SessionToken Secret
}

// LogValue implements slog.LogValuer: the access key ID only.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(slog.String("access_key_id", c.AccessKeyID),
		slog.String("secret_access_key", redacted))
}
