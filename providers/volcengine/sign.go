package volcengine

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
)

// Signing constants of §1.5.
const (
	// Algorithm opens the Authorization header and the string to sign.
	Algorithm = "HMAC-SHA256"
	// Service is the signing service of the RTC IM OpenAPI.
	Service = "rtc"
	// DateFormat is the layout of X-Date (compact ISO 8601, UTC).
	DateFormat = "20060102T150405Z"

	HeaderDate          = "X-Date"
	HeaderContentSHA256 = "X-Content-Sha256"
	HeaderSecurityToken = "X-Security-Token"
	HeaderAuthorization = "Authorization"
)

// Signable is the part of an HTTP request that a signature covers.
type Signable struct {
	Method string
	// Path is the URL path; "" means "/".
	Path  string
	Query url.Values
	// Header holds the request headers as they are at signing time, the
	// request host included under "Host".
	Header http.Header
	// SignedHeaders lists the lower-case header names to sign. Nil picks
	// them from Header by the SDK's rule: Content-Type, Content-Md5, Host,
	// X-Security-Token and every X-* header. A verifier passes the list it
	// received.
	SignedHeaders []string
	// BodySHA256 is the lowercase hex SHA-256 of the exact body bytes.
	BodySHA256 string
}

// Scope is the credential scope: the X-Date of the request, the region and
// the service.
type Scope struct {
	Date    string // X-Date, e.g. 20240102T030405Z
	Region  string
	Service string
}

// String returns ShortDate/region/service/request.
func (s Scope) String() string {
	return shortDate(s.Date) + "/" + s.Region + "/" + s.Service + "/request"
}

// Signature is a computed signature with its intermediate steps, which
// tests compare against published vectors.
type Signature struct {
	CanonicalRequest     string
	CanonicalRequestHash string
	StringToSign         string
	SignedHeaders        string
	Signature            string // lowercase hex
	Authorization        string // the Authorization header value
}

// Sign computes the Volcengine V4-style signature of req (§1.5, the
// reference being volc-sdk-golang base/sign.go). It is a pure function.
func Sign(req Signable, scope Scope, accessKeyID string, secret Secret) Signature {
	return signWithKey(req, scope, accessKeyID, signingKey(secret.Reveal(), shortDate(scope.Date), scope.Region, scope.Service))
}

// signWithKey is Sign with the signing key of scope's day, region and
// service already derived.
func signWithKey(req Signable, scope Scope, accessKeyID string, key []byte) Signature {
	names := req.SignedHeaders
	if names == nil {
		names = signableHeaders(req.Header)
	}
	var s Signature
	s.SignedHeaders = strings.Join(names, ";")
	s.CanonicalRequest = strings.Join([]string{
		req.Method, canonicalURI(req.Path), canonicalQuery(req.Query),
		canonicalHeaders(req.Header, names), s.SignedHeaders, req.BodySHA256,
	}, "\n")
	s.CanonicalRequestHash = HashBody([]byte(s.CanonicalRequest))
	s.StringToSign = Algorithm + "\n" + scope.Date + "\n" + scope.String() + "\n" + s.CanonicalRequestHash
	s.Signature = hex.EncodeToString(hmacSHA256(key, s.StringToSign))
	s.Authorization = Algorithm + " Credential=" + accessKeyID + "/" + scope.String() +
		", SignedHeaders=" + s.SignedHeaders + ", Signature=" + s.Signature
	return s
}

// HashBody returns the lowercase hex SHA-256 of b, the X-Content-Sha256 value.
func HashBody(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func shortDate(date string) string {
	if len(date) < 8 {
		return date
	}
	return date[:8]
}

// signableHeaders applies the SDK's sortHeaders rule to h.
func signableHeaders(h http.Header) []string {
	var names []string
	for k := range h {
		ck := http.CanonicalHeaderKey(k)
		switch {
		case ck == "Content-Type", ck == "Content-Md5", ck == "Host", ck == HeaderSecurityToken,
			strings.HasPrefix(ck, "X-"):
			names = append(names, strings.ToLower(ck))
		}
	}
	sort.Strings(names)
	return names
}

// canonicalHeaders writes "name:value\n" per signed header, first value
// only, trimmed; host loses a :80 or :443 suffix.
func canonicalHeaders(h http.Header, names []string) string {
	var b strings.Builder
	for _, n := range names {
		v := strings.TrimSpace(h.Get(n))
		if n == "host" {
			v = strings.TrimSuffix(strings.TrimSuffix(v, ":80"), ":443")
		}
		b.WriteString(n + ":" + v + "\n")
	}
	return b.String()
}

// canonicalQuery sorts by key and percent-encodes all but A-Za-z0-9-_.~;
// url.Values.Encode does that except for the space, which must be %20.
func canonicalQuery(q url.Values) string {
	return strings.ReplaceAll(q.Encode(), "+", "%20")
}

// canonicalURI percent-encodes each path segment, keeping the slashes.
func canonicalURI(path string) string {
	if path == "" {
		return "/"
	}
	parts := strings.Split(path, "/")
	for i, p := range parts {
		parts[i] = escapeSegment(p)
	}
	return strings.Join(parts, "/")
}

func escapeSegment(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// signingKey chains HMACs over the short date, region, service and the
// literal "request"; unlike AWS there is no prefix on the secret.
func signingKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte(secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, "request")
}

// keyCache keeps the signing key of the last day: it changes once a day,
// and deriving it is four of the six hashes of a signature.
type keyCache struct {
	mu          sync.Mutex
	day, region string
	key         []byte
}

func (c *keyCache) get(secret Secret, day, region, service string) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.key == nil || c.day != day || c.region != region {
		c.key, c.day, c.region = signingKey(secret.Reveal(), day, region, service), day, region
	}
	return c.key
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
