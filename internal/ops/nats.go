package ops

import (
	"cmp"
	"fmt"
	"log/slog"
	neturl "net/url"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/chatlake/chatlake/internal/config"
)

// NATSOptions turns c into nats.go options: authentication (user and
// password, token, credentials file or NKey seed file), TLS, endless
// reconnects, and connection events logged to log.
func NATSOptions(c config.NATS, name string, log *slog.Logger) ([]nats.Option, error) {
	if c.Name != "" {
		name = c.Name
	}
	opts := []nats.Option{
		nats.Name(name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(time.Second),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil { // nil on a deliberate Close
				log.Warn("nats disconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) { log.Info("nats reconnected", "url", nc.ConnectedUrlRedacted()) }),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { log.Warn("nats error", "err", err) }),
	}
	if c.User != "" || c.Password != "" {
		opts = append(opts, nats.UserInfo(c.User, c.Password.Reveal()))
	}
	if c.Token != "" {
		opts = append(opts, nats.Token(c.Token.Reveal()))
	}
	if c.Creds != "" {
		opts = append(opts, nats.UserCredentials(c.Creds))
	}
	if c.NKey != "" {
		o, err := nats.NkeyOptionFromSeed(c.NKey)
		if err != nil {
			return nil, fmt.Errorf("nats nkey: %w", err)
		}
		opts = append(opts, o)
	}
	if c.TLSCA != "" {
		opts = append(opts, nats.RootCAs(c.TLSCA))
	}
	if c.TLSCert != "" || c.TLSKey != "" {
		opts = append(opts, nats.ClientCert(c.TLSCert, c.TLSKey))
	}
	return opts, nil
}

// ConnectNATS connects to c.URL (nats.DefaultURL when empty) with
// NATSOptions. Close the connection (or Drain it) when done.
func ConnectNATS(c config.NATS, name string, log *slog.Logger) (*nats.Conn, error) {
	opts, err := NATSOptions(c, name, log)
	if err != nil {
		return nil, err
	}
	url := cmp.Or(c.URL, nats.DefaultURL)
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return nil, fmt.Errorf("connect to nats at %s: %w", redactURLs(url), err)
	}
	log.Info("nats connected", "url", nc.ConnectedUrlRedacted())
	return nc, nil
}

// redactURLs drops the user information of each comma-separated URL: it
// may be a password, or a token given as the user name.
func redactURLs(urls string) string {
	parts := strings.Split(urls, ",")
	for i, p := range parts {
		u, err := neturl.Parse(strings.TrimSpace(p))
		if err != nil {
			parts[i] = "(unparsable url)"
			continue
		}
		u.User = nil
		parts[i] = u.String()
	}
	return strings.Join(parts, ",")
}
