package stack

import (
	"cmp"
	"fmt"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// NATSServerConfig configures an embedded NATS server.
type NATSServerConfig struct {
	// StoreDir holds JetStream's data; required.
	StoreDir string
	// Host to listen on. Default 127.0.0.1: the embedded server is for this
	// machine unless told otherwise.
	Host string
	// Port to listen on; 0 picks a free one, -1 too.
	Port int
}

// StartNATS runs a NATS server with JetStream in this process, for
// single-process deployments. Shut it down with Shutdown and
// WaitForShutdown.
func StartNATS(c NATSServerConfig) (*server.Server, error) {
	if c.StoreDir == "" {
		return nil, fmt.Errorf("embedded nats: store dir is required")
	}
	c.Host = cmp.Or(c.Host, "127.0.0.1")
	c.Port = cmp.Or(c.Port, -1)
	s, err := server.NewServer(&server.Options{
		ServerName: "chatlake-embedded",
		Host:       c.Host,
		Port:       c.Port,
		JetStream:  true,
		StoreDir:   c.StoreDir,
		NoSigs:     true,
		NoLog:      true,
	})
	if err != nil {
		return nil, fmt.Errorf("embedded nats: %w", err)
	}
	s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		s.Shutdown()
		return nil, fmt.Errorf("embedded nats: not ready after 10s")
	}
	return s, nil
}
