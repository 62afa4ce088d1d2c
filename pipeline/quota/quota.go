package quota

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"github.com/chatlake/chatlake/schemas"
)

// Limiter enforces one account's requests per second in this process.
// *providers.Guard implements it.
type Limiter interface {
	// SetQPS sets the share in force; 0 holds every request back.
	SetQPS(qps float64)
	// Throttled counts the limiter's own slow-downs for throttled answers
	// and gives the throttled share behind the last one.
	Throttled() (cuts uint64, share float64)
	// Slow cuts the rate as a second of answers of which share were
	// throttled would.
	Slow(share float64)
}

// Account is one provider account whose quota the producers share.
type Account struct {
	Name    string  // as configured; any characters
	QPS     int     // the whole quota, for every producer together
	Limiter Limiter // this process's
}

// Defaults of Config.
const (
	DefaultPeriod = time.Second
	DefaultTTL    = 4 * time.Second
)

// Config tunes the sharing. Zero values mean the defaults. Every producer
// sharing a bucket should use the same values.
type Config struct {
	// Period is how often a producer renews its leases, and how long a
	// raise waits after it was published. Default 1s.
	Period time.Duration
	// TTL is how long a lease outlives its last renewal, and so how soon
	// a crashed producer's share returns to the others (plus a period).
	// It must be at least three periods. Default 4s.
	TTL time.Duration
	// Member is this producer's ID among the members. Default a random
	// NUID; it must be a valid key-value key token.
	Member string
}

// Validate reports nonsense.
func (c Config) Validate() error {
	c = c.withDefaults()
	if c.TTL < 3*c.Period {
		return fmt.Errorf("quota config: ttl %v below three periods of %v", c.TTL, c.Period)
	}
	if c.Member == "" || strings.ContainsAny(c.Member, ".*> ") {
		return fmt.Errorf("quota config: member %q is not a key token", c.Member)
	}
	return nil
}

func (c Config) withDefaults() Config {
	if c.Period <= 0 {
		c.Period = DefaultPeriod
	}
	if c.TTL <= 0 {
		c.TTL = DefaultTTL
	}
	if c.Member == "" {
		c.Member = nuid.Next()
	}
	return c
}

// EnsureBucket creates or updates the quota bucket on replicas servers
// (0 means 1): leases live for ttl after their last renewal, and watchers
// hear when one expires.
func EnsureBucket(ctx context.Context, js jetstream.JetStream, ttl time.Duration, replicas int) (jetstream.KeyValue, error) {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:         schemas.BucketQuota,
		Description:    "chatlake producers' leases on provider quotas",
		History:        1,
		TTL:            ttl,
		LimitMarkerTTL: max(ttl, time.Second),
		Storage:        jetstream.MemoryStorage,
		Replicas:       max(replicas, 1),
	})
	if err != nil {
		return nil, fmt.Errorf("quota bucket: %w", err)
	}
	return kv, nil
}

// accountToken is the account's part of its lease keys.
func accountToken(name string) string { return base64.RawURLEncoding.EncodeToString([]byte(name)) }

// parseKey splits a lease key into account token and member.
func parseKey(key string) (token, member string, ok bool) {
	token, member, ok = strings.Cut(key, ".")
	return token, member, ok && member != "" && !strings.Contains(member, ".")
}

func encodeLease(l schemas.QuotaLease) []byte {
	b, _ := json.Marshal(l) // a struct of numbers always marshals
	return b
}

func decodeLease(b []byte) (schemas.QuotaLease, error) {
	var l schemas.QuotaLease
	if err := json.Unmarshal(b, &l); err != nil {
		return l, fmt.Errorf("quota lease: %w", err)
	}
	if l.Share < 0 {
		return l, errors.New("quota lease: negative share")
	}
	return l, nil
}

// sortedMembers returns the live members' IDs, self included, sorted.
func sortedMembers(self string, peers map[string]peer) []string {
	ids := []string{self}
	for id := range peers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func accountAttr(name string) slog.Attr { return slog.String("account", name) }
