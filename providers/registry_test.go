package providers_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chatlake/chatlake/providers"
	"github.com/chatlake/chatlake/schemas"
)

type pageless struct{}

func (pageless) FetchPage(context.Context, schemas.Job, string) (schemas.Page, error) {
	return schemas.Page{}, nil
}

func fake(name string, keyIsApp bool) providers.Provider {
	return providers.Provider{
		Name: name, KeyField: "key", SecretField: "secret", KeyIsApp: keyIsApp,
		New: func(*http.Client, *providers.Guard, providers.Account) (providers.Fetcher, error) {
			return pageless{}, nil
		},
	}
}

func TestRegistryNamesAndLookup(t *testing.T) {
	var r providers.Registry
	if _, err := r.Lookup("a"); err == nil || err.Error() != `unknown provider "a" (known: none)` {
		t.Errorf("empty Lookup(a) = %v, want unknown provider (known: none)", err)
	}
	r.Register(fake("zeta", false))
	r.Register(fake("alpha", false))
	r.Register(fake("alpha", true)) // replaces
	if got, want := r.Names(), []string{"alpha", "zeta"}; !slices.Equal(got, want) {
		t.Errorf("Names() = %v, want %v", got, want)
	}
	p, err := r.Lookup("alpha")
	if err != nil || !p.KeyIsApp {
		t.Errorf("Lookup(alpha) = %+v, %v; want the later registration", p, err)
	}
	if _, err := r.Lookup("beta"); err == nil || err.Error() != `unknown provider "beta" (known: alpha, zeta)` {
		t.Errorf("Lookup(beta) = %v, want unknown provider listing alpha, zeta", err)
	}
}

func TestRegistryValidate(t *testing.T) {
	var r providers.Registry
	r.Register(fake("listed", false))
	r.Register(fake("keyed", true))
	tests := []struct {
		name string
		a    providers.Account
		want string // "" for valid
	}{
		{"listed ok", providers.Account{Provider: "listed", Key: "k", Secret: "s", Apps: []string{"a1", "a2"}}, ""},
		{"keyed ok", providers.Account{Provider: "keyed", Key: "k", Secret: "s", Apps: []string{"k"}}, ""},
		{"unknown", providers.Account{Provider: "other", Key: "k", Secret: "s", Apps: []string{"a"}}, `unknown provider "other"`},
		{"no key", providers.Account{Provider: "listed", Secret: "s", Apps: []string{"a"}}, "listed needs key and secret"},
		{"no secret", providers.Account{Provider: "listed", Key: "k", Apps: []string{"a"}}, "listed needs key and secret"},
		{"no apps", providers.Account{Provider: "listed", Key: "k", Secret: "s"}, "listed needs apps"},
		{"keyed other app", providers.Account{Provider: "keyed", Key: "k", Secret: "s", Apps: []string{"j"}}, "keyed apps must be empty or just the key"},
		{"bad app", providers.Account{Provider: "listed", Key: "k", Secret: "s", Apps: []string{"a.b"}}, "a.b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := r.Validate(tt.a)
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("Validate(%+v) = %v, want %q", tt.a, err, tt.want)
			}
			_, newErr := r.New(&http.Client{}, providers.NewGuard("t", providers.GuardConfig{}, nil), tt.a)
			if (err == nil) != (newErr == nil) {
				t.Errorf("New(%+v) = %v, want the error of Validate, %v", tt.a, newErr, err)
			}
		})
	}
}

func TestRegistryNewWithoutConstructor(t *testing.T) {
	var r providers.Registry
	r.Register(providers.Provider{Name: "half", KeyField: "key", SecretField: "secret"})
	_, err := r.New(&http.Client{}, providers.NewGuard("t", providers.GuardConfig{}, nil),
		providers.Account{Provider: "half", Key: "k", Secret: "s", Apps: []string{"a"}})
	if err == nil || !strings.Contains(err.Error(), "no client constructor") {
		t.Errorf("New(provider without New) = %v, want no client constructor", err)
	}
}

func TestRegistryNewPassesTheConstructorsError(t *testing.T) {
	boom := errors.New("boom")
	var r providers.Registry
	p := fake("p", false)
	p.New = func(*http.Client, *providers.Guard, providers.Account) (providers.Fetcher, error) { return nil, boom }
	r.Register(p)
	_, err := r.New(&http.Client{}, providers.NewGuard("t", providers.GuardConfig{}, nil),
		providers.Account{Provider: "p", Key: "k", Secret: "s", Apps: []string{"a"}})
	if !errors.Is(err, boom) {
		t.Errorf("New = %v, want %v", err, boom)
	}
}
