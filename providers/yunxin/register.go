package yunxin

import (
	"net/http"

	"github.com/chatlake/chatlake/providers"
	"github.com/chatlake/chatlake/schemas"
)

// Register makes NetEase Yunxin IM a provider of r: an account is one
// app, its AppKey (app_key, also the app's ID in subjects) and AppSecret
// (app_secret), and optionally an endpoint.
func Register(r *providers.Registry) {
	r.Register(providers.Provider{
		Name:        schemas.ProviderYunxin,
		KeyField:    "app_key",
		SecretField: "app_secret",
		KeyIsApp:    true,
		New: func(hc *http.Client, g *providers.Guard, a providers.Account) (providers.Fetcher, error) {
			creds := Credentials{AppKey: a.Key, AppSecret: a.Secret}
			return NewClient(hc, g, creds, Config{BaseURL: a.Endpoint})
		},
	})
}
