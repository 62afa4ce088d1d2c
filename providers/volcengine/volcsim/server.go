package volcsim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/providers/volcengine"
)

// maxRequestBytes bounds a request body; a real one is under 200 bytes.
const maxRequestBytes = 1 << 20

// Server is the simulator, an http.Handler for POST /?Action=...&Version=....
// It is safe for concurrent use.
type Server struct {
	opts  Options
	inj   *simulator.Injector
	qps   *simulator.QPSCap
	stats stats
	seq   atomic.Int64
	cache orderCache
}

// New returns a server for opts, or the error of opts.Validate.
func New(opts Options) (*Server, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	return &Server{
		opts: opts,
		inj:  simulator.NewInjector(opts.Rates, opts.FaultSeed),
		qps:  simulator.NewQPSCap(opts.QPS, opts.Now),
	}, nil
}

// Inject makes the next n requests that pass authentication and the QPS
// cap fail with f.
func (s *Server) Inject(f simulator.Fault, n int) { s.inj.Inject(f, n) }

// SetRates replaces the random fault rates.
func (s *Server) SetRates(r simulator.Rates) { s.inj.SetRates(r) }

// ServeHTTP answers one request: base latency, method and action checks,
// authentication, QPS cap, fault injection, then the page.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.stats.add(func(st *Stats) { st.Requests++ })
	// Read the body first: only then does the server notice a client that
	// hangs up, and cancel the request context the waits depend on.
	body, readErr := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	if !simulator.Wait(r.Context(), s.opts.Latency) {
		return
	}
	aerr := s.admit(r, body, readErr)
	if aerr != nil {
		s.writeError(w, *aerr)
		return
	}
	if s.fault(w, r) {
		return
	}
	req, aerr := s.parse(body)
	if aerr != nil {
		s.writeError(w, *aerr)
		return
	}
	s.writePage(w, req)
}

// admit runs the gateway's checks.
func (s *Server) admit(r *http.Request, body []byte, readErr error) *apiError {
	if r.Method != http.MethodPost {
		return &errMethodNotAllowed
	}
	q := r.URL.Query()
	if q.Get("Action") == "" || q.Get("Version") == "" {
		return &errMissingParameter
	}
	if q.Get("Action") != volcengine.Action || q.Get("Version") != volcengine.Version {
		return &errInvalidActionVersion
	}
	if readErr != nil {
		e := businessError("JsonParsingError", "cannot read body: "+readErr.Error())
		return &e
	}
	ak, aerr := s.authenticate(r, body)
	if aerr != nil {
		s.stats.add(func(st *Stats) { st.SignatureFailures++ })
		return aerr
	}
	if !s.qps.Admit(ak) {
		return &errFlowLimit
	}
	return nil
}

// fault injects the next fault, if any, and reports whether it answered.
func (s *Server) fault(w http.ResponseWriter, r *http.Request) bool {
	switch s.inj.Next() {
	case simulator.FaultNone:
		return false
	case simulator.FaultSlow:
		return !simulator.Wait(r.Context(), s.inj.Rates().SlowBy)
	case simulator.FaultServerError:
		s.writeError(w, errInternal)
	case simulator.FaultThrottle:
		s.writeError(w, errFlowLimit)
	case simulator.FaultMalformed:
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		io.WriteString(w, simulator.MalformedBody)
	case simulator.FaultDrop:
		if !simulator.Drop(w) {
			s.writeError(w, errInternal)
		}
	case simulator.FaultAuth:
		s.writeError(w, errSignature)
	case simulator.FaultUnavailable:
		s.writeError(w, errUnavailable)
	}
	return true
}

type responseMetadata struct {
	RequestID string     `json:"RequestId"`
	Action    string     `json:"Action"`
	Version   string     `json:"Version"`
	Service   string     `json:"Service"`
	Region    string     `json:"Region"`
	Error     *wireError `json:"Error,omitempty"`
}

type wireError struct {
	CodeN   int    `json:"CodeN,omitempty"`
	Code    string `json:"Code"`
	Message string `json:"Message"`
}

func (s *Server) metadata() responseMetadata {
	return responseMetadata{
		RequestID: fmt.Sprintf("%s%08X", s.opts.Now().UTC().Format("20060102150405"), s.seq.Add(1)),
		Action:    volcengine.Action, Version: volcengine.Version,
		Service: volcengine.Service, Region: s.opts.Region,
	}
}

func (s *Server) writeError(w http.ResponseWriter, e apiError) {
	s.stats.add(func(st *Stats) { st.count(e.code) })
	md := s.metadata()
	md.Error = &wireError{CodeN: e.codeN, Code: e.code, Message: e.message}
	resp := struct {
		ResponseMetadata responseMetadata
		Result           *struct{} `json:",omitempty"`
	}{ResponseMetadata: md}
	if e.business {
		resp.Result = &struct{}{}
	}
	if e.status == http.StatusTooManyRequests {
		if ra := s.inj.Rates().RetryAfter; ra > 0 {
			w.Header().Set("Retry-After", strconv.FormatInt(int64((ra+time.Second-1)/time.Second), 10))
		}
	}
	writeJSON(w, e.status, resp)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "volcsim: marshal response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
}
