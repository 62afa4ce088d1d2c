package yunxin

import (
	"errors"
	"fmt"
	"net/url"
	"time"
)

// Base URLs of the v2 API. Decision (open question 8): the documented v2
// hosts, not the SDK's api-cn.yunxinapi.com/nimserver; the v2 paths are
// appended to either, so an operator may point BaseURL at the latter.
const (
	BaseURLChina    = "https://open.yunxinapi.com"
	BaseURLOverseas = "https://open-sg.yunxinapi.com"
)

// Limits of the v2 API (docs/providers.md §2.4, §2.5).
const (
	MaxListLimit = 100 // list: limit 1–100
	MaxBatchIDs  = 100 // batch query: at most 100 IDs a call
)

// Config tunes a Client. The zero value means the documented defaults.
type Config struct {
	// BaseURL is the API root, without the /im/v2 path. Default
	// BaseURLChina; BaseURLOverseas for apps hosted in Singapore.
	BaseURL string
	// Now is the clock for CurTime. Default time.Now.
	Now func() time.Time
	// Nonce returns the Nonce header, fresh on every call. Default
	// RandomNonce. It must be safe for concurrent use.
	Nonce func() string
	// ListLimit is the page size of the conversation list, 1–100.
	// Default 100.
	ListLimit int
	// BatchSize is how many IDs one batch query carries, 1–100.
	// Default 100.
	BatchSize int
}

// Validate reports the first field that is out of range.
func (c Config) Validate() error {
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil {
			return fmt.Errorf("yunxin config: base url: %w", err)
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("yunxin config: base url %q: want http(s)://host", c.BaseURL)
		}
	}
	if c.ListLimit < 0 || c.ListLimit > MaxListLimit {
		return fmt.Errorf("yunxin config: list limit %d: want 1 to %d, or 0 for the default", c.ListLimit, MaxListLimit)
	}
	if c.BatchSize < 0 || c.BatchSize > MaxBatchIDs {
		return fmt.Errorf("yunxin config: batch size %d: want 1 to %d, or 0 for the default", c.BatchSize, MaxBatchIDs)
	}
	return nil
}

// withDefaults returns c with zero fields replaced by their defaults.
func (c Config) withDefaults() Config {
	if c.BaseURL == "" {
		c.BaseURL = BaseURLChina
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Nonce == nil {
		c.Nonce = RandomNonce
	}
	if c.ListLimit == 0 {
		c.ListLimit = MaxListLimit
	}
	if c.BatchSize == 0 {
		c.BatchSize = MaxBatchIDs
	}
	return c
}

func (c Credentials) validate() error {
	if c.AppKey == "" {
		return errors.New("yunxin credentials: empty app key")
	}
	if c.AppSecret == "" {
		return errors.New("yunxin credentials: empty app secret")
	}
	return nil
}
