package volcsim

import (
	"crypto/hmac"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/chatlake/chatlake/providers/volcengine"
)

// authorization is a parsed Authorization header.
type authorization struct {
	accessKeyID, date, region, service, terminator string
	signedHeaders                                  []string
	signature                                      string
}

// parseAuthorization reads
// "HMAC-SHA256 Credential=AK/date/region/service/request, SignedHeaders=a;b, Signature=hex".
func parseAuthorization(v string) (authorization, bool) {
	var a authorization
	rest, ok := strings.CutPrefix(v, volcengine.Algorithm+" ")
	if !ok {
		return a, false
	}
	var cred string
	for part := range strings.SplitSeq(rest, ",") {
		k, val, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			cred = val
		case "SignedHeaders":
			a.signedHeaders = strings.Split(val, ";")
		case "Signature":
			a.signature = val
		}
	}
	c := strings.Split(cred, "/")
	if len(c) != 5 || a.signedHeaders == nil || a.signature == "" {
		return a, false
	}
	a.accessKeyID, a.date, a.region, a.service, a.terminator = c[0], c[1], c[2], c[3], c[4]
	return a, true
}

// authenticate verifies r as the gateway does and returns the access key
// ID, or the gateway error to answer with.
func (s *Server) authenticate(r *http.Request, body []byte) (string, *apiError) {
	v := r.Header.Get(volcengine.HeaderAuthorization)
	if v == "" {
		return "", &errMissingToken
	}
	a, ok := parseAuthorization(v)
	if !ok {
		return "", &errMissingSignature
	}
	xdate := r.Header.Get(volcengine.HeaderDate)
	t, err := time.Parse(volcengine.DateFormat, xdate)
	if err != nil {
		return "", &errMissingRequestInfo
	}
	if skew := s.opts.Now().Sub(t); skew > s.opts.MaxSkew || skew < -s.opts.MaxSkew {
		return "", &errInvalidTimestamp
	}
	secret, ok := s.opts.Credentials[a.accessKeyID]
	if !ok {
		return "", &errInvalidAccessKey
	}
	if !s.signatureMatches(r, body, a, xdate, secret) {
		return "", &errSignature
	}
	return a.accessKeyID, nil
}

// signatureMatches checks the scope, the body hash and the signature,
// rebuilt from the received headers named in SignedHeaders.
func (s *Server) signatureMatches(r *http.Request, body []byte, a authorization, xdate, secret string) bool {
	hash := volcengine.HashBody(body)
	if len(xdate) < 8 || a.date != xdate[:8] || a.region != s.opts.Region ||
		a.service != volcengine.Service || a.terminator != "request" ||
		r.Header.Get(volcengine.HeaderContentSHA256) != hash {
		return false
	}
	for _, must := range []string{"host", "x-date", "x-content-sha256"} {
		if !slices.Contains(a.signedHeaders, must) {
			return false
		}
	}
	h := r.Header.Clone()
	h.Set("Host", r.Host)
	want := volcengine.Sign(volcengine.Signable{
		Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: h,
		SignedHeaders: a.signedHeaders, BodySHA256: hash,
	}, volcengine.Scope{Date: xdate, Region: a.region, Service: a.service}, a.accessKeyID, volcengine.Secret(secret))
	return hmac.Equal([]byte(want.Signature), []byte(a.signature))
}
