// Package azuritetest runs an Azure Blob Storage emulator for tests:
// Azurite's blob service with its data in a temporary folder, listening on
// a random loopback port, with an account whose key is random and a
// container made for the test.
//
// Azurite is the npm package installed in $CHATLAKE_AZURITE_DIR (set by
// .ci/run), else in the user's cache folder, where it is installed once
// with npm when missing. When node or the package can be neither found
// nor installed, tests skip, except under CI=true, where they fail.
package azuritetest

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/chatlake/chatlake/internal/testserver"
)

const (
	// Version is the azurite npm package the tests run. Later versions
	// need Node.js 21 or newer.
	Version = "3.35.0"
	// EnvDir names the environment variable of the folder Azurite is
	// installed in (its node_modules), to skip the install.
	EnvDir = "CHATLAKE_AZURITE_DIR"
	// Container is the container Start creates.
	Container = "chatlake-test"

	name = "azurite"
)

// Server is a running Azurite blob service.
type Server struct {
	Endpoint   string // the Blob service's URL: http://127.0.0.1:port/<account>
	Account    string
	AccountKey string // base64, as Azure's
	Container  string // created by Start, empty
	Dir        string // Azurite's workspace
}

// ConnectionString is the connection string of the account.
func (s *Server) ConnectionString() string {
	return fmt.Sprintf("DefaultEndpointsProtocol=http;AccountName=%s;AccountKey=%s;BlobEndpoint=%s;", s.Account, s.AccountKey, s.Endpoint)
}

// Start runs Azurite on a fresh t.TempDir(), creates Container, and stops
// the server at cleanup.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := binary(t)
	key := make([]byte, 32)
	copy(key, testserver.RandomHex(t, 16))
	s := &Server{
		Account:    "chatlake" + testserver.RandomHex(t, 3),
		AccountKey: base64.StdEncoding.EncodeToString(key),
		Container:  Container,
		Dir:        t.TempDir(),
	}
	addr := func(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }
	command := func(port int) *exec.Cmd {
		cmd := exec.Command(bin,
			"--blobHost", "127.0.0.1", "--blobPort", strconv.Itoa(port),
			"--location", s.Dir, "--silent", "--skipApiVersionCheck", "--disableTelemetry",
			"--disableProductStyleUrl")
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + s.Dir, "AZURITE_ACCOUNTS=" + s.Account + ":" + s.AccountKey}
		return cmd
	}
	client := &http.Client{Timeout: time.Second}
	ready := func(port int) bool {
		// Any answer will do: the request has no credentials.
		resp, err := client.Get("http://" + addr(port) + "/" + s.Account + "?comp=list")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return true
	}
	port := testserver.Start(t, name, command, ready)
	s.Endpoint = "http://" + addr(port) + "/" + s.Account
	if _, err := s.Client(t).Create(t.Context(), nil); err != nil {
		t.Fatalf("azuritetest: create container %s: %v", s.Container, err)
	}
	return s
}

// Client returns a client of s.Container with the account's shared key.
func (s *Server) Client(t testing.TB) *container.Client {
	t.Helper()
	cred, err := container.NewSharedKeyCredential(s.Account, s.AccountKey)
	if err != nil {
		t.Fatalf("azuritetest: %v", err)
	}
	c, err := container.NewClientWithSharedKeyCredential(s.Endpoint+"/"+s.Container, cred, nil)
	if err != nil {
		t.Fatalf("azuritetest: %v", err)
	}
	return c
}

// binary returns Azurite's blob service program, installing the package
// into the cache when $CHATLAKE_AZURITE_DIR is not set.
func binary(t testing.TB) string {
	t.Helper()
	if dir := os.Getenv(EnvDir); dir != "" {
		bin := program(dir)
		if _, err := os.Stat(bin); err != nil {
			t.Fatalf("azuritetest: $%s: %v", EnvDir, err)
		}
		return bin
	}
	bin, err := cachedInstall()
	if err != nil {
		testserver.Unavailable(t, name, fmt.Sprintf("set $%s or allow `npm install azurite@%s`", EnvDir, Version), err)
	}
	return bin
}

func program(dir string) string { return filepath.Join(dir, "node_modules", ".bin", "azurite-blob") }

// cachedInstall returns the program in the cache, installing the package
// first if needed. The install goes to a private folder renamed into
// place, so test binaries of several packages installing at once never
// see half an install.
func cachedInstall() (string, error) {
	dir, err := testserver.CacheDir(name, Version)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(program(dir)); err == nil {
		return program(dir), nil
	}
	if _, err := exec.LookPath("node"); err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "azurite-install-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "azurite@"+Version)
	cmd.Dir = tmp
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("npm install azurite@%s: %w\n%s", Version, err, out.String())
	}
	if err := os.Rename(tmp, dir); err != nil {
		if _, statErr := os.Stat(program(dir)); statErr != nil { // not installed by another test either
			return "", err
		}
	}
	return program(dir), nil
}
