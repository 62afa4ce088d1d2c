package main

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/chatlake/chatlake/providers/simulator"
)

// config is everything the flags set.
type config struct {
	addr          string
	seed          uint64
	faultSeed     uint64
	volcengineQPS int
	yunxinQPS     int
	latency       time.Duration
	rates         simulator.Rates
	missingPrefix string
	shortNames    bool
	shutdown      time.Duration
}

// parseFlags reads args; getenv supplies defaults. flag.ErrHelp comes back
// for -h.
func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("imsim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: imsim [flags]\n\nRuns the Volcengine and Yunxin IM simulators on one HTTP listener\n(Yunxin under /im/, Volcengine on /?Action=...) and prints the test credentials.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	addr := cmp.Or(getenv("IMSIM_ADDR"), "127.0.0.1:8480")
	fs.StringVar(&c.addr, "addr", addr, "listen address host:port; port 0 picks a free one (env IMSIM_ADDR)")
	fs.Uint64Var(&c.seed, "seed", 0, "data set seed: the same seed serves the same conversations")
	fs.Uint64Var(&c.faultSeed, "fault-seed", 1, "seed of the random fault choice")
	fs.IntVar(&c.volcengineQPS, "volcengine-qps", 100, "Volcengine requests per second per access key; beyond it HTTP 429 FlowLimitExceeded (negative: no cap)")
	fs.IntVar(&c.yunxinQPS, "yunxin-qps", 100, "Yunxin requests per second per AppKey; beyond it code 416 (negative: no cap)")
	fs.DurationVar(&c.latency, "latency", 0, "base latency added to every answer")
	fs.Float64Var(&c.rates.ServerError, "server-error-rate", 0, "probability of a server error (Volcengine HTTP 500, Yunxin code 500)")
	fs.Float64Var(&c.rates.Throttle, "throttle-rate", 0, "probability of a throttled answer (Volcengine HTTP 429, Yunxin code 416)")
	fs.Float64Var(&c.rates.Malformed, "malformed-rate", 0, "probability of a truncated JSON body")
	fs.Float64Var(&c.rates.Drop, "drop-rate", 0, "probability of closing the connection without an answer")
	fs.Float64Var(&c.rates.Slow, "slow-rate", 0, "probability of a slow answer (see -slow-by)")
	fs.DurationVar(&c.rates.SlowBy, "slow-by", 2*time.Second, "how long a slow answer waits")
	fs.DurationVar(&c.rates.RetryAfter, "retry-after", 0, "Retry-After sent with throttled answers (whole seconds; 0: none)")
	fs.StringVar(&c.missingPrefix, "missing-user-prefix", "", "user IDs starting with this do not exist: Volcengine answers ParticipantNotFound, Yunxin code 404 (empty: every user exists)")
	fs.BoolVar(&c.shortNames, "short-names", false, "realistic group names: no 9,000-byte name (by default about one conversation in eleven has one)")
	fs.DurationVar(&c.shutdown, "shutdown-timeout", 5*time.Second, "how long to wait for requests in flight on shutdown")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return c, c.validate()
}

func (c config) validate() error {
	for name, p := range map[string]float64{
		"server-error-rate": c.rates.ServerError, "throttle-rate": c.rates.Throttle,
		"malformed-rate": c.rates.Malformed, "drop-rate": c.rates.Drop, "slow-rate": c.rates.Slow,
	} {
		if p < 0 || p > 1 {
			return fmt.Errorf("-%s %g: want a probability in [0, 1]", name, p)
		}
	}
	if c.latency < 0 || c.rates.SlowBy < 0 || c.rates.RetryAfter < 0 || c.shutdown < 0 {
		return errors.New("durations must not be negative")
	}
	return nil
}
