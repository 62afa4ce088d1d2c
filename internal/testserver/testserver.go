// Package testserver runs a server program as a child process for a test:
// on a free loopback port, polled until ready, stopped at cleanup. It is
// what s3test and pgtest share.
package testserver

import (
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chatlake/chatlake/internal/lockedbuf"
)

const (
	startLimit = 30 * time.Second
	stopLimit  = 10 * time.Second
	tries      = 3
)

// Start runs the command that command builds for a free loopback port
// until ready reports it serves, and returns that port. The port is
// chosen by the kernel and released before the server binds it, so another
// process may take it in between: then the server exits and Start tries
// another port. At cleanup the server gets SIGINT, then SIGKILL after
// stopLimit.
func Start(t testing.TB, name string, command func(port int) *exec.Cmd, ready func(port int) bool) int {
	t.Helper()
	var log lockedbuf.Buffer
	for range tries {
		port := FreeLoopbackPort(t)
		cmd := command(port)
		cmd.Stdout, cmd.Stderr = &log, &log
		if err := cmd.Start(); err != nil {
			t.Fatalf("%s: start: %v", name, err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		if awaitReady(port, ready, exited) {
			t.Cleanup(func() { stop(t, name, cmd, exited) })
			return port
		}
		_ = cmd.Process.Kill()
		<-exited
	}
	t.Fatalf("%s did not become ready:\n%s", name, log.String())
	return 0
}

// awaitReady polls ready until it reports true, the process exits, or
// startLimit passes.
func awaitReady(port int, ready func(int) bool, exited <-chan error) bool {
	deadline := time.Now().Add(startLimit)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return false
		default:
		}
		if ready(port) {
			return true
		}
		time.Sleep(20 * time.Millisecond) // polling a child process, not synchronizing goroutines
	}
	return false
}

func stop(t testing.TB, name string, cmd *exec.Cmd, exited <-chan error) {
	_ = cmd.Process.Signal(os.Interrupt)
	select {
	case <-exited:
	case <-time.After(stopLimit):
		t.Logf("%s ignored SIGINT for %v; killing it", name, stopLimit)
		_ = cmd.Process.Kill()
		<-exited
	}
}

// FreeLoopbackPort returns a TCP port on 127.0.0.1 that was free a moment
// ago.
func FreeLoopbackPort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// RandomHex returns n random bytes in hex, for passwords and keys.
func RandomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("random: %v", err)
	}
	return hex.EncodeToString(b)
}

// Unavailable skips the test on a developer's machine and fails it under
// CI=true, where a missing server is a broken setup, not a missing
// convenience. hint says how to make the server available.
func Unavailable(t testing.TB, name, hint string, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s unavailable (CI=true, so this fails): %v", name, err)
	}
	t.Skipf("%s unavailable, skipping (%s): %v", name, hint, err)
}
