package yunxinsim

import (
	"crypto/sha1"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strconv"
	"time"
)

// refusal is a body code and message the simulator answers with.
type refusal struct {
	code int
	msg  string
}

// authenticate checks the four headers and returns the request's AppKey,
// or the refusal the provider would send. Decision (open question 7): a
// failed check is HTTP 200 with body code 414, like every IM business error.
func (s *Server) authenticate(h http.Header) (string, *refusal) {
	app, nonce, cur, sum := h.Get("AppKey"), h.Get("Nonce"), h.Get("CurTime"), h.Get("CheckSum")
	if app == "" || nonce == "" || cur == "" || sum == "" {
		return "", &refusal{414, "missing AppKey, Nonce, CurTime or CheckSum header"}
	}
	secret, ok := s.opts.Apps[app]
	if !ok {
		return "", &refusal{414, "invalid appkey"}
	}
	if len(nonce) > 128 {
		return "", &refusal{414, "nonce longer than 128 characters"}
	}
	t, err := strconv.ParseInt(cur, 10, 64)
	now := s.opts.Now()
	if err != nil || absDiff(now, t) > s.opts.MaxSkew {
		return "", &refusal{414, "curtime expired"}
	}
	// Strict: the provider documents lowercase hex, so an uppercase
	// CheckSum is a client bug worth seeing here.
	want := checkSum(secret, nonce, cur)
	if subtle.ConstantTimeCompare([]byte(sum), []byte(want)) != 1 {
		return "", &refusal{414, "checksum error"}
	}
	if s.opts.RejectReusedNonce && s.reused(app+"\x00"+nonce, now) {
		return "", &refusal{431, "duplicate http request"}
	}
	return app, nil
}

func checkSum(secret, nonce, cur string) string {
	h := sha1.Sum([]byte(secret + nonce + cur))
	return hex.EncodeToString(h[:])
}

func absDiff(now time.Time, unix int64) time.Duration {
	d := now.Sub(time.Unix(unix, 0))
	if d < 0 {
		d = -d
	}
	return d
}

// reused records key and reports whether it was seen within MaxSkew; older
// entries are forgotten, since their CurTime no longer passes anyway.
func (s *Server) reused(key string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if now.Sub(s.pruned) > s.opts.MaxSkew {
		for k, t := range s.nonces {
			if now.Sub(t) > 2*s.opts.MaxSkew {
				delete(s.nonces, k)
			}
		}
		s.pruned = now
	}
	if _, ok := s.nonces[key]; ok {
		return true
	}
	s.nonces[key] = now
	return false
}
