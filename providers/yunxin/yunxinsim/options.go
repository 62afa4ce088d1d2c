package yunxinsim

import (
	"time"

	"github.com/chatlake/chatlake/providers/simulator"
)

// Credentials the simulator accepts by default. They are test values and
// unlock nothing but a simulator.
const (
	TestAppKey     = "yxsim-app-1"
	TestAppSecret  = "yxsim-secret-1"
	TestAppKey2    = "yxsim-app-2"
	TestAppSecret2 = "yxsim-secret-2"
)

// Defaults of Options.
const (
	DefaultQPS     = 100             // per AppKey, the 2024 Standard plan
	DefaultMaxSkew = 5 * time.Minute // CheckSum validity
	// QPSOff as Options.QPS turns the cap off. (The zero value already
	// means DefaultQPS.)
	QPSOff = -1
)

// Options configure a Server. The zero value means the documented
// defaults; every field but Apps maps onto one command-line flag.
type Options struct {
	// Dataset is the data served. Each AppKey gets its own variant of it
	// (see Expected). Default: seed 0.
	Dataset simulator.Dataset
	// Apps maps each accepted AppKey to its AppSecret. Default: TestAppKey
	// and TestAppKey2 with their secrets.
	Apps map[string]string
	// QPS caps requests per second per AppKey; beyond it the answer is
	// code 416. 0 means DefaultQPS, QPSOff (or any negative) no cap.
	QPS int
	// Rates injects faults at random. Default: none.
	Rates simulator.Rates
	// Seed seeds the random fault injection.
	Seed uint64
	// Latency delays every answer. Default 0.
	Latency time.Duration
	// Now is the clock for CurTime checks and the QPS cap. Default time.Now.
	Now func() time.Time
	// MaxSkew is how far CurTime may be from now. Default DefaultMaxSkew.
	MaxSkew time.Duration
	// RejectReusedNonce answers code 431 to a Nonce seen before within
	// MaxSkew, as the provider may.
	RejectReusedNonce bool
	// LegacyRevokeKey names the revocation revoke_message, as older
	// versions of the API do, instead of revoke_notification.
	LegacyRevokeKey bool
}

func (o Options) withDefaults() Options {
	if o.Apps == nil {
		o.Apps = map[string]string{TestAppKey: TestAppSecret, TestAppKey2: TestAppSecret2}
	}
	if o.QPS == 0 {
		o.QPS = DefaultQPS
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxSkew == 0 {
		o.MaxSkew = DefaultMaxSkew
	}
	return o
}
