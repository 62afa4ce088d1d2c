// Package s3test runs a real S3 server for tests: versitygw with its posix
// backend in a temporary folder, listening on a random loopback port, with a
// bucket made for the test.
//
// The versitygw binary is the one named by $CHATLAKE_VERSITYGW (set by
// .ci/run), else one built once from its Go module into the user's cache
// folder (slow the first time, needs the Go module proxy). When it can be
// neither found nor built, tests skip, except under CI=true, where they fail.
package s3test

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/chatlake/chatlake/internal/testserver"
)

const (
	// Module and Version name the versitygw build the tests run.
	Module  = "github.com/versity/versitygw/cmd/versitygw"
	Version = "v1.8.0"
	// EnvBinary names the environment variable that points at a versitygw
	// binary, to skip the build.
	EnvBinary = "CHATLAKE_VERSITYGW"
	// Bucket is the bucket Start creates.
	Bucket = "chatlake-test"

	healthPath = "/health"
)

// Server is a running versitygw.
type Server struct {
	Endpoint  string // http://127.0.0.1:port, for path-style addressing
	Region    string
	AccessKey string
	SecretKey string
	Bucket    string // created by Start, empty
	Dir       string // the posix backend's root: one folder per bucket
}

// Start runs versitygw on a fresh t.TempDir(), creates Bucket, and stops the
// server at cleanup.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := binary(t)
	s := &Server{
		Region:    "us-east-1",
		AccessKey: "chatlake" + testserver.RandomHex(t, 4),
		SecretKey: testserver.RandomHex(t, 20),
		Bucket:    Bucket,
		Dir:       t.TempDir(),
	}
	s.run(t, bin)
	if _, err := s.Client().CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(s.Bucket)}); err != nil {
		t.Fatalf("s3test: create bucket %s: %v", s.Bucket, err)
	}
	return s
}

// Client returns an S3 client for s: static credentials, path-style
// addressing, s.Endpoint as the base address.
func (s *Server) Client() *s3.Client {
	return s3.New(s3.Options{
		Region:       s.Region,
		BaseEndpoint: aws.String(s.Endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
	})
}

// run starts the server on a free loopback port and waits until its health
// endpoint answers.
func (s *Server) run(t testing.TB, bin string) {
	t.Helper()
	addr := func(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }
	command := func(port int) *exec.Cmd {
		cmd := exec.Command(bin,
			"--port", addr(port),
			"--access", s.AccessKey,
			"--secret", s.SecretKey,
			"--region", s.Region,
			"--health", healthPath,
			"--quiet",
			"posix", s.Dir)
		// A minimal environment: versitygw reads many VGW_* and ROOT_*
		// variables that must not leak in from the developer's shell.
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
	port := testserver.Start(t, "versitygw", command, healthy)
	s.Endpoint = "http://" + addr(port)
}

// binary returns the versitygw to run, building it into the cache when
// $CHATLAKE_VERSITYGW is not set.
func binary(t testing.TB) string {
	t.Helper()
	if bin := os.Getenv(EnvBinary); bin != "" {
		if _, err := os.Stat(bin); err != nil {
			t.Fatalf("s3test: $%s: %v", EnvBinary, err)
		}
		return bin
	}
	bin, err := testserver.GoBinary("versitygw", Module, Version)
	if err != nil {
		testserver.Unavailable(t, "versitygw", fmt.Sprintf("set $%s or allow `go install %s@%s`", EnvBinary, Module, Version), err)
	}
	return bin
}

// CacheDir is where the versitygw build is kept between runs; .ci/run uses
// the same folder.
func CacheDir() (string, error) { return testserver.CacheDir("versitygw", Version) }
