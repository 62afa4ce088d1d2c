package yunxinsim

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/chatlake/chatlake/providers/simulator"
)

// ServeHTTP answers one request the way the provider does, in this order:
// route, base latency, authentication, QPS cap, injected fault, parameters,
// data.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.count(func(st *Stats) { st.Requests++ })
	serve := s.route(r.URL.Path)
	if serve == nil {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if !simulator.Wait(r.Context(), s.opts.Latency) {
		return
	}
	app, ref := s.authenticate(r.Header)
	if ref != nil {
		s.countRefusal(ref.code)
		writeError(w, ref.code, ref.msg)
		return
	}
	if !s.qps.Admit(app) {
		s.throttle(w)
		return
	}
	if s.fault(w, r) {
		return
	}
	serve(w, r, app)
}

func (s *Server) route(path string) func(http.ResponseWriter, *http.Request, string) {
	switch path {
	case PathList:
		s.count(func(st *Stats) { st.ListRequests++ })
		return s.list
	case PathBatch:
		s.count(func(st *Stats) { st.BatchRequests++ })
		return s.batch
	}
	return nil
}

func (s *Server) countRefusal(code int) {
	s.count(func(st *Stats) {
		if code == 431 {
			st.NonceReuses++
		} else {
			st.ChecksumFailures++
		}
	})
}

// malformedBody is what FaultMalformed answers: truncated v2 JSON.
const malformedBody = `{"code":200,"msg":"success","data":{"has_more":true,"items":[{"conversation_id":"1|1|`

// fault renders the next injected fault, if any, and reports whether the
// request is answered (or abandoned) by it.
func (s *Server) fault(w http.ResponseWriter, r *http.Request) bool {
	switch s.inj.Next() {
	case simulator.FaultServerError:
		writeError(w, 500, "server internal error")
	case simulator.FaultThrottle:
		s.throttle(w)
	case simulator.FaultMalformed:
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		w.Write([]byte(malformedBody))
	case simulator.FaultDrop:
		if !simulator.Drop(w) {
			panic(http.ErrAbortHandler) // no hijacking (HTTP/2): abort the stream instead
		}
	case simulator.FaultSlow:
		return !simulator.Wait(r.Context(), s.inj.Rates().SlowBy)
	case simulator.FaultAuth:
		writeError(w, 414, "checksum error")
	case simulator.FaultUnavailable:
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
	default:
		return false
	}
	return true
}

// throttle answers code 416, with Retry-After when Rates.RetryAfter is set.
// Decision (open question 7): no extra "blocking period" after a violation;
// the sliding window alone decides, which keeps tests deterministic.
func (s *Server) throttle(w http.ResponseWriter) {
	if d := s.inj.Rates().RetryAfter; d > 0 {
		w.Header().Set("Retry-After", strconv.FormatInt(int64((d+time.Second-1)/time.Second), 10))
	}
	writeError(w, 416, "api freq control")
}

// list answers GET /im/v2/conversations. Decision (open question 9): items
// come in data-set order, stable across calls; sort_order still puts pinned
// ones first for a client that sorts.
func (s *Server) list(w http.ResponseWriter, r *http.Request, app string) {
	q := r.URL.Query()
	user := q.Get("account_id")
	if user == "" {
		writeError(w, 414, "account_id is required")
		return
	}
	if !s.opts.Dataset.Exists(user) {
		writeError(w, 404, "user does not exist") // 404: object not found (docs §2.7)
		return
	}
	limit, ok := parseLimit(q.Get("limit"))
	if !ok {
		writeError(w, 414, "limit must be 1 to 100")
		return
	}
	off := 0
	if tok := q.Get("page_token"); tok != "" {
		if off, ok = parseToken(tok, app, user); !ok {
			writeError(w, 414, "invalid page_token")
			return
		}
	}
	writeList(w, s.page(app, user, off, limit))
}

// parseLimit reads limit: default 100, valid 1–100.
func parseLimit(v string) (int, bool) {
	if v == "" {
		return maxLimit, true
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 1 && n <= maxLimit
}

const (
	maxLimit = 100
	maxIDs   = 100
)

// page renders the items of user from off, at most limit of them: data-set
// items, or the hand-written fixture for simulator.UserFixture.
func (s *Server) page(app, user string, off, limit int) listData {
	var fix []json.RawMessage
	var es []entry
	n := 0
	if user == simulator.UserFixture {
		fix = Fixture()
		n = len(fix)
	} else {
		es = s.cat.entries(app, user)
		n = len(es)
	}
	off = min(off, n)
	end := min(off+limit, n)
	d := listData{Items: make([]json.RawMessage, 0, end-off)}
	for i := off; i < end; i++ {
		if fix != nil {
			d.Items = append(d.Items, fix[i])
		} else {
			d.Items = append(d.Items, s.cat.render(user, es[i]))
		}
	}
	if end < n {
		d.HasMore, d.NextToken = true, makeToken(end, app, user)
	}
	return d
}

// writeError answers a business error: HTTP 200, the code, empty data.
func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, envelope{Code: code, Msg: msg, Data: struct{}{}})
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Write(b)
}
