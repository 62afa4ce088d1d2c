package providers

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/chatlake/chatlake/internal/secret"
	"github.com/chatlake/chatlake/schemas"
)

// Account is one provider account as the wiring hands it to its
// provider: the provider's key and secret, resolved, and the apps it
// serves. Name labels logs and metrics and is never a credential.
type Account struct {
	Name     string
	Provider string
	// Endpoint is the API base URL; "" means the provider's default.
	Endpoint string
	// Region is the signing region, for providers that sign by region;
	// "" means the provider's default for Endpoint.
	Region string
	// Key identifies the account to the provider (Volcengine's
	// AccessKeyId, Yunxin's AppKey) and Secret proves it.
	Key    string
	Secret secret.String
	// Apps are the apps the account serves.
	Apps []string
}

// NewFetcher builds a provider's client for one account. g is the
// account's Guard, shared by all of its apps; hc is the shared HTTP
// client.
type NewFetcher func(hc *http.Client, g *Guard, a Account) (Fetcher, error)

// Provider describes one provider to the wiring: its name, the settings
// of the config file that hold its key and secret, how its apps are named,
// and how to build its client. Each provider package registers its own
// (volcengine.Register, yunxin.Register).
type Provider struct {
	// Name is the provider's token in subjects, events and the config
	// file: schemas.ProviderVolcengine, ...
	Name string
	// KeyField and SecretField name the account settings that hold Key
	// and Secret (access_key_id and secret_access_key, or app_key and
	// app_secret), for the config file and its error messages.
	KeyField, SecretField string
	// KeyIsApp says the account is one app whose ID is its Key (Yunxin's
	// AppKey); otherwise the account lists its apps.
	KeyIsApp bool
	// New builds the client of an account that passed Validate.
	New NewFetcher
}

// Registry maps provider names to their Provider, so the wiring chooses a
// client by name instead of by if/switch chains: adding a provider is one
// package plus one registration. The wiring layer makes one and each
// provider package registers itself in it (volcengine.Register,
// yunxin.Register). The zero Registry is empty and ready to use. It is not
// safe for concurrent Register calls; everything else may be called
// concurrently once registration is done.
type Registry struct {
	providers map[string]Provider
}

// Register adds p, replacing any earlier provider of the same name.
func (r *Registry) Register(p Provider) {
	if r.providers == nil {
		r.providers = make(map[string]Provider)
	}
	r.providers[p.Name] = p
}

// Names returns the registered provider names, sorted.
func (r *Registry) Names() []string {
	var names []string
	for n := range r.providers {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Lookup returns the provider registered as name. An unknown name is an
// error that lists the known ones.
func (r *Registry) Lookup(name string) (Provider, error) {
	p, ok := r.providers[name]
	if !ok {
		known := "none"
		if names := r.Names(); len(names) > 0 {
			known = strings.Join(names, ", ")
		}
		return Provider{}, fmt.Errorf("unknown provider %q (known: %s)", name, known)
	}
	return p, nil
}

// Validate checks an account against its provider: the provider is
// registered, the key and secret are set, and the apps are valid.
func (r *Registry) Validate(a Account) error {
	p, err := r.Lookup(a.Provider)
	if err != nil {
		return err
	}
	return p.Validate(a)
}

// Validate checks that a has p's key and secret and valid apps.
func (p Provider) Validate(a Account) error {
	switch {
	case a.Key == "" || a.Secret == "":
		return fmt.Errorf("%s needs %s and %s", p.Name, p.KeyField, p.SecretField)
	case p.KeyIsApp && !slices.Equal(a.Apps, []string{a.Key}):
		return fmt.Errorf("%s apps must be empty or just the %s", p.Name, p.KeyField)
	case len(a.Apps) == 0:
		return fmt.Errorf("%s needs apps", p.Name)
	}
	var errs []error
	for _, app := range a.Apps {
		errs = append(errs, schemas.ValidateApp(p.Name, app))
	}
	return errors.Join(errs...)
}

// New builds the client of account a, by its provider.
func (r *Registry) New(hc *http.Client, g *Guard, a Account) (Fetcher, error) {
	p, err := r.Lookup(a.Provider)
	if err != nil {
		return nil, err
	}
	if err := p.Validate(a); err != nil {
		return nil, err
	}
	if p.New == nil {
		return nil, fmt.Errorf("provider %q has no client constructor", p.Name)
	}
	return p.New(hc, g, a)
}
