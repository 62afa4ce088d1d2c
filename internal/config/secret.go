package config

import (
	"fmt"
	"os"
	"strings"

	"github.com/chatlake/chatlake/internal/secret"
)

// Secret is a credential in the configuration: secret.String, whose every
// printed, logged or marshalled form is redacted.
type Secret = secret.String

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
