package volcengine

import (
	"net/http"

	"github.com/chatlake/chatlake/providers"
	"github.com/chatlake/chatlake/schemas"
)

// Register makes Volcengine RTC IM a provider of r: an account is an
// access key pair (access_key_id, secret_access_key) with the AppIds it
// serves, and optionally an endpoint and a signing region.
func Register(r *providers.Registry) {
	r.Register(providers.Provider{
		Name:        schemas.ProviderVolcengine,
		KeyField:    "access_key_id",
		SecretField: "secret_access_key",
		New: func(hc *http.Client, g *providers.Guard, a providers.Account) (providers.Fetcher, error) {
			creds := Credentials{AccessKeyID: a.Key, SecretAccessKey: a.Secret}
			return NewClient(hc, g, creds, Config{Endpoint: a.Endpoint, Region: a.Region})
		},
	})
}
