package s3

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
	// DefaultPartSize is the part size when Config.PartSize is zero.
	DefaultPartSize = 8 << 20
	// MinPartSize is the smallest part S3 accepts, except for the last.
	MinPartSize = 5 << 20
	// MaxPartSize is the largest part S3 accepts.
	MaxPartSize = 5 << 30
	// maxParts is the most parts an S3 upload can have.
	maxParts = 10000
	// DefaultPartTimeout bounds one part's upload when
	// Config.PartTimeout is zero.
	DefaultPartTimeout = 5 * time.Minute
)

// Config says where the lake is and how to reach it. Its zero values
// mean the documented defaults; Bucket is required. SecretAccessKey is a
// secret.String, redacted in every printed, logged or marshalled form of
// Config, and no error of this package contains it.
type Config struct {
	// Bucket holds the lake.
	Bucket string
	// Prefix is the key prefix of the lake's root, "" for the bucket's
	// root; a missing final "/" is added.
	Prefix string
	// Endpoint is the server's base URL (for example http://minio:9000);
	// "" for AWS.
	Endpoint string
	// Region is the bucket's region; "" takes it from the standard chain
	// (AWS_REGION, shared config), else us-east-1.
	Region string
	// PathStyle addresses buckets as endpoint/bucket/key instead of
	// bucket.endpoint/key, as most compatible servers need.
	PathStyle bool
	// AccessKeyID and SecretAccessKey are static credentials; when both
	// are empty the standard provider chain finds them (environment,
	// shared files, web identity, instance or container role).
	AccessKeyID     string
	SecretAccessKey secret.String
	// PartSize is the size of the upload parts, between MinPartSize and
	// MaxPartSize; 0 means DefaultPartSize. An object being written holds
	// two parts in memory.
	PartSize int64
	// PartTimeout bounds the upload of one part; 0 means
	// DefaultPartTimeout.
	PartTimeout time.Duration
}

// Validate reports the first invalid setting.
func (c Config) Validate() error {
	switch {
	case c.Bucket == "":
		return errors.New("s3 lake: bucket is empty")
	case c.PartSize != 0 && (c.PartSize < MinPartSize || c.PartSize > MaxPartSize):
		return fmt.Errorf("s3 lake: part size %d is outside [%d, %d]", c.PartSize, MinPartSize, MaxPartSize)
	case c.PartTimeout < 0:
		return fmt.Errorf("s3 lake: part timeout %v is negative", c.PartTimeout)
	case (c.AccessKeyID == "") != (c.SecretAccessKey == ""):
		return errors.New("s3 lake: access key ID and secret access key must be set together")
	}
	if _, err := lake.RootPrefix(c.Prefix); err != nil {
		return fmt.Errorf("s3 lake: %w", err)
	}
	return nil
}

// keyPrefix returns the prefix of every key, "" or ending in "/".
func (c Config) keyPrefix() string {
	p, _ := lake.RootPrefix(c.Prefix) // checked by Validate
	return p
}

// String describes c without its secret.
func (c Config) String() string {
	secret := ""
	if c.SecretAccessKey != "" {
		secret = " secret=REDACTED"
	}
	return fmt.Sprintf("s3://%s/%s endpoint=%q region=%q path_style=%t access_key_id=%q%s part_size=%d",
		c.Bucket, c.keyPrefix(), c.Endpoint, c.Region, c.PathStyle, c.AccessKeyID, secret, c.PartSize)
}

// GoString prints c without its secret, for %#v.
func (c Config) GoString() string { return c.String() }

// LogValue logs c without its secret.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

// ParseURL reads a lake location s3://bucket/prefix into the Bucket and
// Prefix of a Config. The query may set endpoint, region and path_style
// (true or false); credentials never belong in the URL and are refused.
func ParseURL(raw string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Config{}, errors.New("s3 lake: location is not a valid URL")
	}
	var c Config
	if err := c.setURL(u); err != nil {
		return Config{}, err
	}
	return c, nil
}

// setURL sets c's fields named by u.
func (c *Config) setURL(u *url.URL) error {
	bucket, prefix, params, err := lake.SplitBucketURL(u, "s3 lake", "s3", "bucket")
	if err != nil {
		return err
	}
	c.Bucket, c.Prefix = bucket, prefix
	for k, val := range params {
		switch k {
		case "endpoint":
			c.Endpoint = val
		case "region":
			c.Region = val
		case "path_style":
			b, err := strconv.ParseBool(val)
			if err != nil {
				return fmt.Errorf("s3 lake: path_style=%q is not a boolean", val)
			}
			c.PathStyle = b
		default:
			return fmt.Errorf("s3 lake: unknown URL parameter %q", k)
		}
	}
	return c.Validate()
}
