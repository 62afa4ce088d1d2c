// Package config is chatlake's configuration: one YAML file, every scalar
// setting also an environment variable (CHATLAKE_<SECTION>_<NAME>) and a
// flag (--<section>.<name>), in rising precedence: defaults, file,
// environment, flags. Provider accounts are a list and come from the file
// only; their secrets may come inline, from a file (*_file) or from an
// environment variable (*_env).
//
// Accounts are validated against a providers.Registry: the account's
// provider must be registered, and its key, secret and apps must be what
// that provider needs. An unknown provider is an error naming the known
// ones.
//
// Secrets are of type Secret (secret.String), whose every printed, logged
// or marshalled form is redacted. cmd/* is the only caller: it alone reads the
// environment.
package config
