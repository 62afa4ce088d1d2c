package providertest

import (
	"testing"

	"github.com/chatlake/chatlake/providers"
	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/schemas"
)

// Harness connects the suite to one provider's client and simulator.
type Harness struct {
	// Start starts the provider's simulator on a loopback port with opts,
	// and returns a client of it behind a Guard made from opts.Guard. It
	// registers the simulator's shutdown with tb.Cleanup and fails tb when
	// it cannot start.
	Start func(tb testing.TB, opts Options) *Sim
}

// Options are what a test asks of the simulator and the client.
type Options struct {
	// SimQPS caps the simulator's requests per second per account, as the
	// provider does. Negative turns the cap off; the suite never passes 0.
	SimQPS int
	// Rates are the simulator's random fault rates and fault parameters
	// (SlowBy, RetryAfter).
	Rates simulator.Rates
	// Guard configures the Guard of the client.
	Guard providers.GuardConfig
}

// Sim is a running simulator with a client of it.
type Sim struct {
	// Fetcher is the client under test.
	Fetcher providers.Fetcher
	// Guard is the Guard the client calls through.
	Guard *providers.Guard
	// Inject makes the next n requests that pass authentication and the
	// QPS cap fail with f.
	Inject func(f simulator.Fault, n int)
	// Requests returns how many requests the simulator has received.
	Requests func() int
	// Violations returns how many requests exceeded its QPS cap.
	Violations func() int
	// Job returns the job that lists every conversation of user.
	Job func(user string) schemas.Job
	// Expected returns the IDs (schemas.Conversation.ConversationID) of
	// the conversations the simulator serves for user.
	Expected func(user string) []string
}
