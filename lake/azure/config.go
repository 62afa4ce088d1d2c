package azure

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/chatlake/chatlake/internal/secret"
	"github.com/chatlake/chatlake/lake"
)

const (
	// DefaultPartSize is the block size when Config.PartSize is zero.
	DefaultPartSize = 8 << 20
	// MinPartSize is the smallest block size Config accepts.
	MinPartSize = 1 << 20
	// MaxPartSize is the largest block Azure accepts.
	MaxPartSize = 4000 << 20
	// maxBlocks is the most blocks a block blob can have.
	maxBlocks = 50000
	// DefaultPartTimeout bounds one block's upload when Config.PartTimeout
	// is zero.
	DefaultPartTimeout = 5 * time.Minute
)

// Config says where the lake is and how to reach it. Its zero values mean
// the documented defaults; Container is required, and Account unless
// ConnectionString names it. AccountKey and ConnectionString are
// secret.Strings, redacted in every printed, logged or marshalled form of
// Config, and no error of this package contains them.
type Config struct {
	// Account is the storage account.
	Account string
	// Container holds the lake.
	Container string
	// Prefix is the blob name prefix of the lake's root, "" for the
	// container's root; a missing final "/" is added.
	Prefix string
	// Endpoint is the Blob service's URL, for an emulator or another cloud
	// (for example http://127.0.0.1:10000/devstoreaccount1); "" means
	// https://<Account>.blob.core.windows.net/.
	Endpoint string
	// AccountKey is the account's shared key. ConnectionString is a
	// connection string (it holds the account, the endpoint and a key or a
	// SAS), used instead of the other fields. With neither, the default
	// Azure credential chain is used (environment, workload identity,
	// managed identity, the Azure CLI's login).
	AccountKey       secret.String
	ConnectionString secret.String
	// PartSize is the block size, between MinPartSize and MaxPartSize; 0
	// means DefaultPartSize. An object being written holds two blocks in
	// memory.
	PartSize int64
	// PartTimeout bounds the upload of one block; 0 means
	// DefaultPartTimeout.
	PartTimeout time.Duration
}

// Validate reports the first invalid setting.
func (c Config) Validate() error {
	switch {
	case c.Container == "":
		return errors.New("azure lake: container is empty")
	case c.ConnectionString != "" && (c.AccountKey != "" || c.Endpoint != ""):
		return errors.New("azure lake: a connection string takes no account key or endpoint")
	case c.ConnectionString == "" && c.Account == "":
		return errors.New("azure lake: account is empty")
	case c.PartSize != 0 && (c.PartSize < MinPartSize || c.PartSize > MaxPartSize):
		return fmt.Errorf("azure lake: part size %d is outside [%d, %d]", c.PartSize, MinPartSize, MaxPartSize)
	case c.PartTimeout < 0:
		return fmt.Errorf("azure lake: part timeout %v is negative", c.PartTimeout)
	}
	if c.Endpoint != "" {
		if u, err := url.Parse(c.Endpoint); err != nil || u.Host == "" || u.User != nil {
			return errors.New("azure lake: endpoint is not a URL with a host and without credentials")
		}
	}
	if _, err := lake.RootPrefix(c.Prefix); err != nil {
		return fmt.Errorf("azure lake: %w", err)
	}
	return nil
}

// namePrefix returns the prefix of every blob name, "" or ending in "/".
func (c Config) namePrefix() string {
	p, _ := lake.RootPrefix(c.Prefix) // checked by Validate
	return p
}

// serviceURL is the Blob service's URL, ending in "/".
func (c Config) serviceURL() string {
	if c.Endpoint != "" {
		return strings.TrimSuffix(c.Endpoint, "/") + "/"
	}
	return "https://" + c.Account + ".blob.core.windows.net/"
}

// String describes c without its secrets.
func (c Config) String() string {
	var secrets string
	if c.AccountKey != "" {
		secrets += " account_key=REDACTED"
	}
	if c.ConnectionString != "" {
		secrets += " connection_string=REDACTED"
	}
	return fmt.Sprintf("azblob://%s/%s account=%q endpoint=%q%s part_size=%d",
		c.Container, c.namePrefix(), c.Account, c.Endpoint, secrets, c.PartSize)
}

// GoString prints c without its secrets, for %#v.
func (c Config) GoString() string { return c.String() }

// LogValue logs c without its secrets.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

// ParseURL reads a lake location azblob://container/prefix into the
// Container and Prefix of a Config. The query may set account and
// endpoint; credentials never belong in the URL and are refused.
func ParseURL(raw string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Config{}, errors.New("azure lake: location is not a valid URL")
	}
	var c Config
	if err := c.setURL(u); err != nil {
		return Config{}, err
	}
	return c, nil
}

// setURL sets c's fields named by u.
func (c *Config) setURL(u *url.URL) error {
	bucket, prefix, params, err := lake.SplitBucketURL(u, "azure lake", "azblob", "container")
	if err != nil {
		return err
	}
	c.Container, c.Prefix = bucket, prefix
	for k, val := range params {
		switch k {
		case "account":
			c.Account = val
		case "endpoint":
			c.Endpoint = val
		default:
			// A SAS token or key in the query would end in logs.
			return fmt.Errorf("azure lake: unknown URL parameter %q", k)
		}
	}
	return c.Validate()
}
