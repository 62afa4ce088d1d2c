package yunxin

import "github.com/chatlake/chatlake/internal/secret"

// Secret is an AppSecret: chatlake's one credential type, which prints,
// logs and marshals as [REDACTED] with every fmt verb, slog and
// encoding/json, so it cannot leak through a log line, an error or a
// metric label by accident. Reveal it only where the secret is actually
// needed: computing a CheckSum.
type Secret = secret.String

// Credentials identify a Yunxin app. The zero value is not usable.
type Credentials struct {
	// AppKey is the app's public key, sent in the AppKey header.
	AppKey string
	// AppSecret signs requests; it never leaves the process.
	AppSecret Secret
}
