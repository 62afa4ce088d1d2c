package yunxinsim

import (
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/chatlake/chatlake/providers/simulator"
)

// Paths the simulator serves.
const (
	PathList  = "/im/v2/conversations"
	PathBatch = "/im/v2/conversations/actions/conversation_ids"
)

// Server simulates the v2 conversation endpoints. Create it with New; it is
// safe for concurrent use.
type Server struct {
	opts Options
	cat  catalog
	inj  *simulator.Injector
	qps  *simulator.QPSCap

	mu     sync.Mutex
	stats  Stats
	nonces map[string]time.Time // app+nonce → CurTime, when RejectReusedNonce
	pruned time.Time
}

// Stats counts what a Server saw.
type Stats struct {
	Requests         int                     // every request received
	ListRequests     int                     // requests to PathList
	BatchRequests    int                     // requests to PathBatch
	Faults           map[simulator.Fault]int // faults injected, by kind
	QPSViolations    int                     // requests over the QPS cap (answered 416)
	ChecksumFailures int                     // requests refused by authentication (414)
	NonceReuses      int                     // requests refused as duplicates (431)
}

// New returns a Server with opts, zero fields taking their defaults.
func New(opts Options) *Server {
	opts = opts.withDefaults()
	return &Server{
		opts:   opts,
		cat:    catalog{ds: opts.Dataset, legacy: opts.LegacyRevokeKey},
		inj:    simulator.NewInjector(opts.Rates, opts.Seed),
		qps:    simulator.NewQPSCap(opts.QPS, opts.Now),
		nonces: map[string]time.Time{},
	}
}

// Injector returns the fault injector: Inject(f, n) fails the next n
// requests that pass authentication and the QPS cap; SetRates changes the
// random rates.
func (s *Server) Injector() *simulator.Injector { return s.inj }

// Inject makes the next n authenticated requests fail with f.
func (s *Server) Inject(f simulator.Fault, n int) { s.inj.Inject(f, n) }

// Stats returns a snapshot of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	st := s.stats
	s.mu.Unlock()
	st.Faults = s.inj.Injected()
	st.QPSViolations = s.qps.Violations()
	return st
}

// Expected is the package function Expected for this server's options.
func (s *Server) Expected(appKey, user string) []ExpectedItem { return s.cat.items(appKey, user) }

// ExpectedBatch is the package function ExpectedBatch for this server's
// options.
func (s *Server) ExpectedBatch(appKey string, ids []string) (found []ExpectedItem, failed []string) {
	return s.cat.lookup(appKey, ids)
}

func (s *Server) count(f func(*Stats)) {
	s.mu.Lock()
	f(&s.stats)
	s.mu.Unlock()
}

// Running is a Server listening on a loopback port.
type Running struct {
	*Server
	// URL is the base URL to give a client, e.g. http://127.0.0.1:43121.
	URL string
	hs  *http.Server
}

// Start serves a new Server with opts on 127.0.0.1 on a free port until
// Close.
func Start(opts Options) (*Running, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := New(opts)
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln) // returns http.ErrServerClosed on Close
	return &Running{Server: s, URL: "http://" + ln.Addr().String(), hs: hs}, nil
}

// Close stops the server and drops its connections, in flight or idle.
func (r *Running) Close() error {
	if err := r.hs.Close(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
