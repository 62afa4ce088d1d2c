package gcs

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"time"

	"github.com/chatlake/chatlake/internal/secret"
	"github.com/chatlake/chatlake/lake"
)

const (
	// DefaultPartSize is the upload chunk size when Config.PartSize is
	// zero (the SDK's default).
	DefaultPartSize = 16 << 20
	// PartQuantum is what a chunk size must be a multiple of.
	PartQuantum = 256 << 10
	// MaxPartSize bounds the chunk size, as the memory of an open object.
	MaxPartSize = 1 << 30
	// DefaultPartTimeout bounds one chunk's request when
	// Config.PartTimeout is zero; a stalled request is retried.
	DefaultPartTimeout = 5 * time.Minute
)

// Config says where the lake is and how to reach it. Its zero values mean
// the documented defaults; Bucket is required. CredentialsJSON is a
// secret.String, redacted in every printed, logged or marshalled form of
// Config, and no error of this package contains it.
type Config struct {
	// Bucket holds the lake.
	Bucket string
	// Prefix is the object name prefix of the lake's root, "" for the
	// bucket's root; a missing final "/" is added.
	Prefix string
	// Endpoint is the JSON API's base URL, for an emulator (for example
	// http://127.0.0.1:4443/storage/v1/); "" for Google Cloud Storage.
	// $STORAGE_EMULATOR_HOST, the SDK's own override, works too.
	Endpoint string
	// Anonymous sends no credentials, as emulators want.
	Anonymous bool
	// CredentialsFile is a service account's JSON key file;
	// CredentialsJSON is the key itself. With neither, the Application
	// Default Credentials are used (GOOGLE_APPLICATION_CREDENTIALS, gcloud's
	// login, the metadata server of GCE, GKE or Cloud Run).
	CredentialsFile string
	CredentialsJSON secret.String
	// PartSize is the chunk size of the resumable uploads, a multiple of
	// PartQuantum up to MaxPartSize; 0 means DefaultPartSize. An object
	// being written holds one chunk in memory.
	PartSize int64
	// PartTimeout bounds one chunk's request; 0 means DefaultPartTimeout.
	PartTimeout time.Duration
}

// Validate reports the first invalid setting.
func (c Config) Validate() error {
	switch {
	case c.Bucket == "":
		return errors.New("gcs lake: bucket is empty")
	case c.PartSize < 0 || c.PartSize%PartQuantum != 0 || c.PartSize > MaxPartSize:
		return fmt.Errorf("gcs lake: part size %d is not a multiple of %d up to %d", c.PartSize, PartQuantum, MaxPartSize)
	case c.PartTimeout < 0:
		return fmt.Errorf("gcs lake: part timeout %v is negative", c.PartTimeout)
	case c.CredentialsFile != "" && c.CredentialsJSON != "":
		return errors.New("gcs lake: set credentials file or credentials JSON, not both")
	case c.Anonymous && (c.CredentialsFile != "" || c.CredentialsJSON != ""):
		return errors.New("gcs lake: anonymous access takes no credentials")
	}
	if _, err := lake.RootPrefix(c.Prefix); err != nil {
		return fmt.Errorf("gcs lake: %w", err)
	}
	return nil
}

// namePrefix returns the prefix of every object name, "" or ending in "/".
func (c Config) namePrefix() string {
	p, _ := lake.RootPrefix(c.Prefix) // checked by Validate
	return p
}

// String describes c without its secret.
func (c Config) String() string {
	secret := ""
	if c.CredentialsJSON != "" {
		secret = " credentials_json=REDACTED"
	}
	return fmt.Sprintf("gs://%s/%s endpoint=%q anonymous=%t credentials_file=%q%s part_size=%d",
		c.Bucket, c.namePrefix(), c.Endpoint, c.Anonymous, c.CredentialsFile, secret, c.PartSize)
}

// GoString prints c without its secret, for %#v.
func (c Config) GoString() string { return c.String() }

// LogValue logs c without its secret.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

// ParseURL reads a lake location gs://bucket/prefix into the Bucket and
// Prefix of a Config. The query may set endpoint and anonymous (true or
// false); credentials never belong in the URL and are refused.
func ParseURL(raw string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Config{}, errors.New("gcs lake: location is not a valid URL")
	}
	var c Config
	if err := c.setURL(u); err != nil {
		return Config{}, err
	}
	return c, nil
}

// setURL sets c's fields named by u.
func (c *Config) setURL(u *url.URL) error {
	bucket, prefix, params, err := lake.SplitBucketURL(u, "gcs lake", "gs", "bucket")
	if err != nil {
		return err
	}
	c.Bucket, c.Prefix = bucket, prefix
	for k, val := range params {
		switch k {
		case "endpoint":
			c.Endpoint = val
		case "anonymous":
			b, err := strconv.ParseBool(val)
			if err != nil {
				return fmt.Errorf("gcs lake: anonymous=%q is not a boolean", val)
			}
			c.Anonymous = b
		default:
			return fmt.Errorf("gcs lake: unknown URL parameter %q", k)
		}
	}
	return c.Validate()
}
