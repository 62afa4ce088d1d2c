package config

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
)

const redacted = "[REDACTED]"

// Secret is a credential. Its String, GoString, Format, LogValue,
// MarshalJSON and MarshalText all give "[REDACTED]" (or "" when empty), so
// it cannot leak through logs, errors or metrics; Reveal returns the value.
type Secret string

// Reveal returns the secret itself, for the one call that needs it.
func (s Secret) Reveal() string { return string(s) }

func (s Secret) mask() string {
	if s == "" {
		return ""
	}
	return redacted
}

// String implements fmt.Stringer.
func (s Secret) String() string { return s.mask() }

// GoString implements fmt.GoStringer.
func (s Secret) GoString() string { return s.mask() }

// Format implements fmt.Formatter, covering %v, %s, %q, %x and the rest.
func (s Secret) Format(f fmt.State, _ rune) { fmt.Fprint(f, s.mask()) }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.mask()) }

// MarshalJSON redacts.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + s.mask() + `"`), nil }

// MarshalText redacts.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.mask()), nil }

// UnmarshalText keeps the value as it is.
func (s *Secret) UnmarshalText(b []byte) error {
	*s = Secret(b)
	return nil
}

// resolveSecret returns the secret named by exactly one of inline, file
// (read, trailing white space trimmed) and env (the name of an environment
// variable); none gives "".
func resolveSecret(name string, inline Secret, file, env string, getenv func(string) string) (Secret, error) {
	n := 0
	for _, set := range []bool{inline != "", file != "", env != ""} {
		if set {
			n++
		}
	}
	switch {
	case n > 1:
		return "", fmt.Errorf("%s: give one of %s, %s_file, %s_env", name, name, name, name)
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("%s_file: %w", name, err)
		}
		return Secret(strings.TrimSpace(string(b))), nil
	case env != "":
		v := getenv(env)
		if v == "" {
			return "", fmt.Errorf("%s_env: environment variable %s is empty", name, env)
		}
		return Secret(v), nil
	}
	return inline, nil
}
