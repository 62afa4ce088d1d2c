package volcsim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// The simulator checks signatures with its own implementation of
// docs/providers.md §1.5, written from the notes and never from the
// client's code: the client signs, the simulator verifies, and a signing
// bug in one cannot hide behind the same bug in the other. Even the header
// names and the date layout are spelled here again.
const (
	sigAlgorithm        = "HMAC-SHA256"
	sigService          = "rtc"
	sigTerminator       = "request"
	sigDateLayout       = "20060102T150405Z"
	headerAuthorization = "Authorization"
	headerDate          = "X-Date"
	headerContentSHA256 = "X-Content-Sha256"
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
	rest, ok := strings.CutPrefix(v, sigAlgorithm+" ")
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
	v := r.Header.Get(headerAuthorization)
	if v == "" {
		return "", &errMissingToken
	}
	a, ok := parseAuthorization(v)
	if !ok {
		return "", &errMissingSignature
	}
	xdate := r.Header.Get(headerDate)
	t, err := time.Parse(sigDateLayout, xdate)
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
	hash := sha256Hex(body)
	if len(xdate) < 8 || a.date != xdate[:8] || a.region != s.opts.Region ||
		a.service != sigService || a.terminator != sigTerminator ||
		r.Header.Get(headerContentSHA256) != hash {
		return false
	}
	for _, must := range []string{"host", "x-date", "x-content-sha256"} {
		if !slices.Contains(a.signedHeaders, must) {
			return false
		}
	}
	want, ok := signature(r, a.signedHeaders, hash, xdate, a.region, a.service, secret)
	return ok && hmac.Equal([]byte(want), []byte(a.signature))
}

// signature computes the signature of r over the headers signed, in the
// scope of xdate's day, region and service, under secret (§1.5 steps 4 to
// 12). SignedHeaders must be lowercase, sorted and without repeats, as
// step 5 builds them; otherwise ok is false (the gateway's answer to
// unsorted names is not documented: the simulator refuses them).
func signature(r *http.Request, signed []string, bodyHash, xdate, region, service, secret string) (sig string, ok bool) {
	if len(xdate) < 8 {
		return "", false
	}
	for i, name := range signed {
		if name == "" || name != strings.ToLower(name) || i > 0 && signed[i-1] >= name {
			return "", false
		}
	}
	scope := xdate[:8] + "/" + region + "/" + service + "/" + sigTerminator
	toSign := strings.Join([]string{sigAlgorithm, xdate, scope, sha256Hex([]byte(canonicalRequest(r, signed, bodyHash)))}, "\n")
	key := []byte(secret)
	for _, part := range []string{xdate[:8], region, service, sigTerminator} {
		key = hmacSHA256(key, part)
	}
	return hex.EncodeToString(hmacSHA256(key, toSign)), true
}

// canonicalRequest is §1.5 step 8: method, URI, query, the canonical
// headers (each ending in a newline), SignedHeaders and the body hash.
func canonicalRequest(r *http.Request, signed []string, bodyHash string) string {
	var headers strings.Builder
	for _, name := range signed {
		headers.WriteString(name + ":" + headerValue(r, name) + "\n")
	}
	return strings.Join([]string{
		r.Method, canonicalURI(r.URL.EscapedPath()), canonicalQuery(r.URL.Query()),
		headers.String(), strings.Join(signed, ";"), bodyHash,
	}, "\n")
}

// headerValue is the first received value of the header name, trimmed;
// host is the request's Host without a default port.
func headerValue(r *http.Request, name string) string {
	if name == "host" {
		h := r.Host
		if cut, ok := strings.CutSuffix(h, ":80"); ok {
			h = cut
		} else if cut, ok := strings.CutSuffix(h, ":443"); ok {
			h = cut
		}
		return h
	}
	return strings.TrimSpace(r.Header.Get(name))
}

// canonicalURI encodes each segment of the received path, slashes kept;
// the empty path is "/".
func canonicalURI(escaped string) string {
	if escaped == "" {
		return "/"
	}
	segs := strings.Split(escaped, "/")
	for i, seg := range segs {
		if raw, err := url.PathUnescape(seg); err == nil {
			seg = raw
		}
		segs[i] = percentEncode(seg)
	}
	return strings.Join(segs, "/")
}

// canonicalQuery sorts the parameters by key, keeping the order of a
// repeated key's values, and encodes keys and values.
func canonicalQuery(q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var pairs []string
	for _, k := range keys {
		for _, v := range q[k] {
			pairs = append(pairs, percentEncode(k)+"="+percentEncode(v))
		}
	}
	return strings.Join(pairs, "&")
}

// percentEncode leaves A-Z a-z 0-9 - _ . ~ literal and writes every other
// byte as %XX (a space too: %20, never +).
func percentEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := range len(s) {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '~':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}
