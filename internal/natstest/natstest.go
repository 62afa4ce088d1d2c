// Package natstest runs a real nats-server with JetStream in-process for
// tests: random port, file store in a temporary folder, no signal handlers.
package natstest

import (
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	natsserver "github.com/nats-io/nats-server/v2/test"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Server is a running in-process JetStream server.
type Server struct {
	*server.Server
	StoreDir string
}

// Start runs a JetStream server storing in a fresh t.TempDir() and stops it
// at cleanup.
func Start(t testing.TB) *Server {
	t.Helper()
	return StartAt(t, t.TempDir())
}

// StartAt runs a JetStream server storing in dir, so a test can stop a
// server and start another on the same data, as after a crash.
func StartAt(t testing.TB, dir string) *Server {
	t.Helper()
	opts := natsserver.DefaultTestOptions
	opts.Port = -1
	opts.JetStream = true
	opts.StoreDir = dir
	opts.NoSigs = true
	opts.NoLog = true
	s := natsserver.RunServer(&opts)
	t.Cleanup(s.Shutdown)
	return &Server{Server: s, StoreDir: dir}
}

// Connect returns a connection to s and its JetStream context, closed at
// cleanup.
func (s *Server) Connect(t testing.TB) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	nc, err := nats.Connect(s.ClientURL(), nats.Timeout(5*time.Second))
	if err != nil {
		t.Fatalf("connect to nats: %v", err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatalf("jetstream: %v", err)
	}
	return nc, js
}

// StreamLen returns how many messages stream holds.
func StreamLen(t testing.TB, js jetstream.JetStream, stream string) uint64 {
	t.Helper()
	s, err := js.Stream(t.Context(), stream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}
