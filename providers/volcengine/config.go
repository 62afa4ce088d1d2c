package volcengine

import (
	"fmt"
	"net/url"
	"time"
)

// Endpoints, regions and the action of §1.1.
const (
	DefaultEndpoint  = "https://rtc.volcengineapi.com"
	OverseasEndpoint = "https://open-ap-singapore-1.volcengineapi.com"
	DefaultRegion    = "cn-north-1"
	OverseasRegion   = "ap-southeast-1"
	Action           = "GetUserConversations"
	Version          = "2020-12-01"
	// MaxPageSize is the largest Limit the provider accepts.
	MaxPageSize = 20
)

// Config tunes a Client. The zero value means the documented defaults.
type Config struct {
	// Endpoint is the scheme and host (and port) of the OpenAPI, without a
	// path. Default DefaultEndpoint.
	Endpoint string
	// Region is the signing region. Default OverseasRegion when Endpoint is
	// OverseasEndpoint, else DefaultRegion.
	Region string
	// Now is the clock for X-Date and Retry-After dates. Default time.Now.
	Now func() time.Time
	// PageSize is the Limit of each call, 1 to MaxPageSize. Default
	// MaxPageSize.
	PageSize int
}

// Validate reports the first invalid field, after defaults are applied.
func (c Config) Validate() error {
	c = c.withDefaults()
	u, err := url.Parse(c.Endpoint)
	if err != nil {
		return fmt.Errorf("volcengine config: endpoint: %w", err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("volcengine config: endpoint %q: want http(s)://host", c.Endpoint)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
		return fmt.Errorf("volcengine config: endpoint %q: want no path, query or user info", c.Endpoint)
	}
	if c.PageSize < 1 || c.PageSize > MaxPageSize {
		return fmt.Errorf("volcengine config: page size %d not in 1..%d", c.PageSize, MaxPageSize)
	}
	return nil
}

func (c Config) withDefaults() Config {
	if c.Endpoint == "" {
		c.Endpoint = DefaultEndpoint
	}
	if c.Region == "" {
		c.Region = DefaultRegion
		if c.Endpoint == OverseasEndpoint {
			c.Region = OverseasRegion
		}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.PageSize == 0 {
		c.PageSize = MaxPageSize
	}
	return c
}
