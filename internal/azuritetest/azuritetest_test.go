package azuritetest_test

import (
	"encoding/base64"
	"os"
	"strings"
	"testing"

	"github.com/chatlake/chatlake/internal/azuritetest"
)

// TestWrongKeyIsRefused shows the server checks shared-key signatures, so
// a test that passes against it also passes credentials correctly to Azure,
// and keeps its data in its own folder.
func TestWrongKeyIsRefused(t *testing.T) {
	srv := azuritetest.Start(t)
	if !strings.HasPrefix(srv.Endpoint, "http://127.0.0.1:") {
		t.Fatalf("endpoint %q is not on loopback", srv.Endpoint)
	}
	if _, err := srv.Client(t).GetProperties(t.Context(), nil); err != nil {
		t.Fatalf("container properties with the right key: %v", err)
	}
	bad := *srv
	bad.AccountKey = base64.StdEncoding.EncodeToString([]byte("not the key of this account!!!!!"))
	if _, err := bad.Client(t).GetProperties(t.Context(), nil); err == nil {
		t.Fatal("container properties with a wrong key succeeded")
	}
	if entries, err := os.ReadDir(srv.Dir); err != nil || len(entries) == 0 {
		t.Errorf("workspace %s = %d entries, %v; want Azurite's files", srv.Dir, len(entries), err)
	}
}
