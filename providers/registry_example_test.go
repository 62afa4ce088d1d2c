package providers_test

import (
	"fmt"
	"net/http"

	"github.com/chatlake/chatlake/providers"
)

// A provider registers a descriptor; the wiring validates accounts and
// builds their clients by the account's provider name alone.
func ExampleRegistry() {
	var r providers.Registry
	r.Register(providers.Provider{
		Name: "acme", KeyField: "access_key_id", SecretField: "secret_access_key",
		New: func(hc *http.Client, g *providers.Guard, a providers.Account) (providers.Fetcher, error) {
			return pageless{}, nil // an acme.NewClient in a real provider package
		},
	})
	fmt.Println(r.Names())

	acct := providers.Account{Name: "main", Provider: "acme", Key: "AK", Secret: "SK", Apps: []string{"app1"}}
	g := providers.NewGuard(acct.Name, providers.GuardConfig{}, nil)
	if _, err := r.New(&http.Client{}, g, acct); err != nil {
		fmt.Println(err)
	}
	acct.Secret = ""
	fmt.Println(r.Validate(acct))
	acct.Provider = "wechat"
	fmt.Println(r.Validate(acct))
	// Output:
	// [acme]
	// acme needs access_key_id and secret_access_key
	// unknown provider "wechat" (known: acme)
}
