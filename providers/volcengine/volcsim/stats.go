package volcsim

import (
	"maps"
	"sync"

	"github.com/chatlake/chatlake/providers/simulator"
)

// Stats counts what a Server saw and answered.
type Stats struct {
	// Requests counts every request received, faults and rejects included.
	Requests int
	// Pages counts requests answered with a page.
	Pages int
	// Faults counts the injected faults by kind.
	Faults map[simulator.Fault]int
	// QPSViolations counts requests turned away by the QPS cap.
	QPSViolations int
	// SignatureFailures counts requests rejected by authentication
	// (signature, access key, timestamp, missing or malformed headers).
	SignatureFailures int
	// Errors counts error answers by Code, injected faults included.
	Errors map[string]int
}

func (st *Stats) count(code string) {
	if st.Errors == nil {
		st.Errors = map[string]int{}
	}
	st.Errors[code]++
}

type stats struct {
	mu sync.Mutex
	s  Stats
}

func (t *stats) add(f func(*Stats)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f(&t.s)
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.stats.mu.Lock()
	out := s.stats.s
	out.Errors = maps.Clone(out.Errors)
	s.stats.mu.Unlock()
	out.Faults = s.inj.Injected()
	out.QPSViolations = s.qps.Violations()
	return out
}
