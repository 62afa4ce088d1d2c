package volcsim

import (
	"fmt"
	"time"

	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/providers/volcengine"
)

// Test credentials and app the simulator accepts by default. They are
// synthetic and grant nothing anywhere else.
const (
	TestAccessKeyID     = "AKLTimsimTestAccessKeyId"
	TestSecretAccessKey = "imsimTestSecretAccessKey=="
	TestAppID           = int32(123456)
)

// Defaults of Options.
const (
	DefaultQPS     = 100
	DefaultMaxSkew = 15 * time.Minute
)

// Options configure a Server. The zero value means the documented
// defaults; every field is a plain value a flag can set.
type Options struct {
	// Dataset is what the server serves. The zero value is seed 0.
	Dataset simulator.Dataset
	// Credentials maps access key IDs to secret access keys. Nil means
	// {TestAccessKeyID: TestSecretAccessKey}.
	Credentials map[string]string
	// Apps are the known AppIds. Nil means {TestAppID}.
	Apps []int32
	// Region is the signing region the server expects. Default
	// volcengine.DefaultRegion.
	Region string
	// QPS caps requests per second per access key. 0 means DefaultQPS; a
	// negative value turns the cap off.
	QPS int
	// Rates injects faults at random; FaultSeed seeds the choice.
	Rates     simulator.Rates
	FaultSeed uint64
	// Latency delays every answer (base latency).
	Latency time.Duration
	// MaxSkew is the accepted X-Date clock skew. Default DefaultMaxSkew.
	MaxSkew time.Duration
	// Now is the server clock. Default time.Now.
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.Credentials == nil {
		o.Credentials = map[string]string{TestAccessKeyID: TestSecretAccessKey}
	}
	if o.Apps == nil {
		o.Apps = []int32{TestAppID}
	}
	if o.Region == "" {
		o.Region = volcengine.DefaultRegion
	}
	if o.QPS == 0 {
		o.QPS = DefaultQPS
	}
	if o.MaxSkew == 0 {
		o.MaxSkew = DefaultMaxSkew
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Validate reports the first invalid field.
func (o Options) Validate() error {
	if o.Latency < 0 || o.MaxSkew < 0 {
		return fmt.Errorf("volcsim options: negative latency %v or max skew %v", o.Latency, o.MaxSkew)
	}
	for ak, sk := range o.Credentials {
		if ak == "" || sk == "" {
			return fmt.Errorf("volcsim options: empty access key id or secret for %q", ak)
		}
	}
	return nil
}

// TestCredentials returns the credentials the default server accepts.
func TestCredentials() volcengine.Credentials {
	return volcengine.Credentials{AccessKeyID: TestAccessKeyID, SecretAccessKey: TestSecretAccessKey}
}
