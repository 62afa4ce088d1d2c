// Package imsim serves both provider simulators behind one http.Handler:
// paths under /im/ go to the Yunxin simulator, everything else (POST
// /?Action=...) to the Volcengine one. cmd/imsim runs it as a server; the
// demo embeds it.
package imsim

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/providers/volcengine/volcsim"
	"github.com/chatlake/chatlake/providers/yunxin/yunxinsim"
)

// Options configures both simulators. The zero value serves data set seed 0
// with each provider's default QPS cap and no faults.
type Options struct {
	Seed          uint64 // data set seed: the same seed serves the same conversations
	FaultSeed     uint64 // seed of the random fault choice
	VolcengineQPS int    // per access key; 0 the default 100, negative no cap
	YunxinQPS     int    // per AppKey; 0 the default 100, negative no cap
	Latency       time.Duration
	Rates         simulator.Rates
	// MissingUserPrefix: user IDs starting with it do not exist (see
	// simulator.Dataset.MissingPrefix); empty, every user exists.
	MissingUserPrefix string
	// ShortNames serves realistic group names (simulator.Dataset.ShortNames).
	ShortNames bool
}

// Server is both simulators. It is safe for concurrent use.
type Server struct {
	Volcengine *volcsim.Server
	Yunxin     *yunxinsim.Server
}

// New builds both simulators.
func New(o Options) (*Server, error) {
	ds := simulator.Dataset{Seed: o.Seed, MissingPrefix: o.MissingUserPrefix, ShortNames: o.ShortNames}
	volc, err := volcsim.New(volcsim.Options{
		Dataset: ds, QPS: o.VolcengineQPS, Rates: o.Rates, FaultSeed: o.FaultSeed, Latency: o.Latency,
	})
	if err != nil {
		return nil, fmt.Errorf("volcengine simulator: %w", err)
	}
	yx := yunxinsim.New(yunxinsim.Options{
		Dataset: ds, QPS: o.YunxinQPS, Rates: o.Rates, Seed: o.FaultSeed, Latency: o.Latency,
	})
	return &Server{Volcengine: volc, Yunxin: yx}, nil
}

// ServeHTTP routes by path.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/im/") {
		s.Yunxin.ServeHTTP(w, r)
		return
	}
	s.Volcengine.ServeHTTP(w, r)
}
