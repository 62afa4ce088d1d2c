// Package secret is the one type chatlake keeps credentials in: the
// configuration, the provider clients and the simulators share it, so a
// secret redacts the same way wherever it travels.
package secret

import (
	"fmt"
	"log/slog"
)

// Redacted is what every printed, logged or marshalled form of a non-empty
// String shows.
const Redacted = "[REDACTED]"

// String is a credential: an access key, an app secret, a password or a
// token. Its String, GoString, Format (every verb), LogValue, MarshalJSON
// and MarshalText all give Redacted, or "" when it is empty so that an
// unset credential shows as unset; it cannot leak through logs, errors or
// metrics. Only Reveal gives the value back, for the one call that needs
// it. The zero value is the empty secret.
type String string

// Reveal returns the secret itself.
func (s String) Reveal() string { return string(s) }

func (s String) mask() string {
	if s == "" {
		return ""
	}
	return Redacted
}

// String implements fmt.Stringer.
func (s String) String() string { return s.mask() }

// GoString implements fmt.GoStringer, for %#v.
func (s String) GoString() string { return s.mask() }

// Format implements fmt.Formatter, covering %v, %s, %q, %x and the rest.
func (s String) Format(f fmt.State, _ rune) { fmt.Fprint(f, s.mask()) }

// LogValue implements slog.LogValuer.
func (s String) LogValue() slog.Value { return slog.StringValue(s.mask()) }

// MarshalJSON redacts.
func (s String) MarshalJSON() ([]byte, error) { return []byte(`"` + s.mask() + `"`), nil }

// MarshalText redacts (YAML, XML, map keys).
func (s String) MarshalText() ([]byte, error) { return []byte(s.mask()), nil }

// UnmarshalText keeps the value as it is, so a config file can hold one.
func (s *String) UnmarshalText(b []byte) error {
	*s = String(b)
	return nil
}
