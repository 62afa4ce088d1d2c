package volcengine

import (
	"log/slog"

	"github.com/chatlake/chatlake/internal/secret"
)

// Secret is a credential value (a secret access key or an STS session
// token): chatlake's one credential type, which prints, logs and marshals
// as "[REDACTED]" whatever the verb or encoder, so it can sit in structs
// that get logged. Only Reveal gives the value back, for signing.
type Secret = secret.String

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
		slog.Any("secret_access_key", c.SecretAccessKey))
}
