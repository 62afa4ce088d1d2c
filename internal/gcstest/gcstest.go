// Package gcstest runs a Google Cloud Storage emulator for tests:
// fake-gcs-server with its filesystem backend in a temporary folder,
// listening on a random loopback port, with a bucket made for the test.
//
// The fake-gcs-server binary is the one named by $CHATLAKE_FAKE_GCS (set
// by .ci/run), else one built once from its Go module into the user's
// cache folder (slow the first time, needs the Go module proxy). When it
// can be neither found nor built, tests skip, except under CI=true, where
// they fail.
package gcstest

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"cloud.google.com/go/storage"
	"google.golang.org/api/option"

	"github.com/chatlake/chatlake/internal/testserver"
)

const (
	// Module and Version name the fake-gcs-server build the tests run.
	Module  = "github.com/fsouza/fake-gcs-server"
	Version = "v1.56.1"
	// EnvBinary names the environment variable that points at a
	// fake-gcs-server binary, to skip the build.
	EnvBinary = "CHATLAKE_FAKE_GCS"
	// Bucket is the bucket Start creates.
	Bucket = "chatlake-test"

	name       = "fake-gcs-server"
	healthPath = "/_internal/healthcheck"
)

// Server is a running fake-gcs-server.
type Server struct {
	URL      string // http://127.0.0.1:port
	Endpoint string // the JSON API's base URL, URL + "/storage/v1/"
	Bucket   string // created by Start, empty
	Dir      string // the filesystem backend's root
}

// Start runs fake-gcs-server on a fresh t.TempDir(), creates Bucket, and
// stops the server at cleanup.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := binary(t)
	s := &Server{Bucket: Bucket, Dir: t.TempDir()}
	addr := func(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }
	command := func(port int) *exec.Cmd {
		url := "http://" + addr(port)
		cmd := exec.Command(bin,
			"-scheme", "http", "-host", "127.0.0.1", "-port", strconv.Itoa(port),
			"-external-url", url, "-public-host", addr(port),
			"-backend", "filesystem", "-filesystem-root", s.Dir,
			"-log-level", "error")
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + s.Dir}
		return cmd
	}
	client := &http.Client{Timeout: time.Second}
	healthy := func(port int) bool {
		resp, err := client.Get("http://" + addr(port) + healthPath)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}
	port := testserver.Start(t, name, command, healthy)
	s.URL = "http://" + addr(port)
	s.Endpoint = s.URL + "/storage/v1/"
	c := s.Client(t)
	if err := c.Bucket(s.Bucket).Create(t.Context(), "chatlake", nil); err != nil {
		t.Fatalf("gcstest: create bucket %s: %v", s.Bucket, err)
	}
	return s
}

// Client returns a GCS client of s, closed at cleanup.
func (s *Server) Client(t testing.TB) *storage.Client {
	t.Helper()
	c, err := storage.NewClient(t.Context(), option.WithEndpoint(s.Endpoint), option.WithoutAuthentication(), storage.WithJSONReads())
	if err != nil {
		t.Fatalf("gcstest: client: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// binary returns the fake-gcs-server to run, building it into the cache
// when $CHATLAKE_FAKE_GCS is not set.
func binary(t testing.TB) string {
	t.Helper()
	if bin := os.Getenv(EnvBinary); bin != "" {
		if _, err := os.Stat(bin); err != nil {
			t.Fatalf("gcstest: $%s: %v", EnvBinary, err)
		}
		return bin
	}
	bin, err := testserver.GoBinary(name, Module, Version)
	if err != nil {
		testserver.Unavailable(t, name, fmt.Sprintf("set $%s or allow `go install %s@%s`", EnvBinary, Module, Version), err)
	}
	return bin
}
