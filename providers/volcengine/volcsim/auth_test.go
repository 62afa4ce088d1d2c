package volcsim

import (
	"cmp"
	"net/http"
	"strings"
	"testing"
)

// The test vectors of docs/providers.md §1.5, checked against the
// simulator's own signature code.
const (
	vectorSecret = "exampleSecretAccessKey=="
	vector1Body  = `{"AppId":123456,"ParticipantUserId":10001,"DataType":0,"Cursor":0,"Limit":20}`
	vector1Hash  = "c5084db268894742949f58baad7f954649a7807b3ec60c911d61dde89f05213c"
	emptyHash    = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

type vector struct {
	name, method, target, host, xdate, region, service string
	headers                                            map[string]string
	signed                                             []string
	bodyHash, canonicalHash, signature                 string
}

var vectors = []vector{{
	name: "vector 1", method: "POST", target: "/?Action=GetUserConversations&Version=2020-12-01",
	host: "rtc.volcengineapi.com", xdate: "20240102T030405Z", region: "cn-north-1", service: "rtc",
	headers:  map[string]string{"Content-Type": "application/json"},
	signed:   []string{"content-type", "host", "x-content-sha256", "x-date"},
	bodyHash: vector1Hash, canonicalHash: "744ed25ea225a6472884b67b4263dc5dd4770d7cdda6be9c279befc92e4e4828",
	signature: "b4ed56fb6648b59bde8575742597c9255873a2f211da54a1817b7135000193b4",
}, {
	name: "vector 1 as the IM SDK sends it", method: "POST", target: "/?Action=GetUserConversations&Version=2020-12-01",
	host: "rtc.volcengineapi.com", xdate: "20240102T030405Z", region: "cn-north-1", service: "rtc",
	headers:  map[string]string{"Content-Type": "application/json", "X-IM-SDK-Version": "Golang-V1.0.1", "Accept": "application/json"},
	signed:   []string{"content-type", "host", "x-content-sha256", "x-date", "x-im-sdk-version"},
	bodyHash: vector1Hash, canonicalHash: "41cd73d2b7fbdc267a8b768559601b2a96d2890f29a08e8d269101a8b0737c19",
	signature: "4c69e84510961d4ff351631bef5a36522b3fa38f12e441ce03afdb36363a2771",
}, {
	name: "vector 2", method: "GET", target: "/?Action=ListUsers&Version=2020-04-01&Limit=10&Offset=0",
	host: "open.volcengineapi.com", xdate: "20200401T081805Z", region: "cn-north-1", service: "iam",
	headers:  map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
	signed:   []string{"content-type", "host", "x-content-sha256", "x-date"},
	bodyHash: emptyHash, canonicalHash: "b405e2e48b8381c622761f0fbb9b14e4880821391f2baec691939bba9882441f",
	signature: "ed2751eaf146ec97191b5e0e0e70267d59152ae63eff48229d73dbe7f755f027",
}}

func (v vector) request(t *testing.T) *http.Request {
	t.Helper()
	r, err := http.NewRequest(v.method, "http://"+v.host+v.target, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, val := range v.headers {
		r.Header.Set(k, val)
	}
	r.Header.Set(headerDate, v.xdate)
	r.Header.Set(headerContentSHA256, v.bodyHash)
	return r
}

func TestSignatureVectors(t *testing.T) {
	if got := sha256Hex([]byte(vector1Body)); got != vector1Hash {
		t.Errorf("sha256Hex(vector 1 body) = %s, want %s", got, vector1Hash)
	}
	if got := sha256Hex(nil); got != emptyHash {
		t.Errorf("sha256Hex(empty) = %s, want %s", got, emptyHash)
	}
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			r := v.request(t)
			if got := sha256Hex([]byte(canonicalRequest(r, v.signed, v.bodyHash))); got != v.canonicalHash {
				t.Errorf("canonical request hash = %s, want %s\n%s", got, v.canonicalHash, canonicalRequest(r, v.signed, v.bodyHash))
			}
			got, ok := signature(r, v.signed, v.bodyHash, v.xdate, v.region, v.service, vectorSecret)
			if !ok || got != v.signature {
				t.Errorf("signature = %s, %t; want %s, true", got, ok, v.signature)
			}
		})
	}
}

// TestSignatureRefusesTampering: each change a signature must cover
// changes it, and SignedHeaders out of order are refused.
func TestSignatureRefusesTampering(t *testing.T) {
	v := vectors[0]
	tests := []struct {
		name   string
		mutate func(r *http.Request)
		signed []string
		secret string
	}{
		{"content type", func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") }, nil, ""},
		{"host", func(r *http.Request) { r.Host = "evil.example" }, nil, ""},
		{"query", func(r *http.Request) { r.URL.RawQuery += "&Limit=1" }, nil, ""},
		{"method", func(r *http.Request) { r.Method = "PUT" }, nil, ""},
		{"path", func(r *http.Request) { r.URL.Path = "/x" }, nil, ""},
		{"secret", nil, nil, "other"},
		{"signed headers", nil, []string{"host", "x-content-sha256", "x-date"}, ""},
	}
	for _, tt := range tests {
		r := v.request(t)
		if tt.mutate != nil {
			tt.mutate(r)
		}
		signed, secret := v.signed, cmp.Or(tt.secret, vectorSecret)
		if tt.signed != nil {
			signed = tt.signed
		}
		if got, _ := signature(r, signed, v.bodyHash, v.xdate, v.region, v.service, secret); got == v.signature {
			t.Errorf("%s changed: signature still %s", tt.name, got)
		}
	}
	unsorted := []string{"host", "content-type", "x-content-sha256", "x-date"}
	if _, ok := signature(v.request(t), unsorted, v.bodyHash, v.xdate, v.region, v.service, vectorSecret); ok {
		t.Errorf("signature(SignedHeaders %s) ok, want refused", strings.Join(unsorted, ";"))
	}
}

func TestEncoding(t *testing.T) {
	tests := []struct{ fn, in, got, want string }{
		{"percentEncode", "a b+c/~é", percentEncode("a b+c/~é"), "a%20b%2Bc%2F~%C3%A9"},
		{"canonicalURI", "", canonicalURI(""), "/"},
		{"canonicalURI", "/a b/c", canonicalURI("/a%20b/c"), "/a%20b/c"},
		{"canonicalQuery", "b=2&a=1&a=0&c=x y", canonicalQuery(map[string][]string{"b": {"2"}, "a": {"1", "0"}, "c": {"x y"}}), "a=1&a=0&b=2&c=x%20y"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s(%q) = %q, want %q", tt.fn, tt.in, tt.got, tt.want)
		}
	}
}

func TestHostDropsDefaultPorts(t *testing.T) {
	for host, want := range map[string]string{"h:80": "h", "h:443": "h", "h:8080": "h:8080", "h": "h"} {
		if got := headerValue(&http.Request{Host: host}, "host"); got != want {
			t.Errorf("headerValue(Host %q) = %q, want %q", host, got, want)
		}
	}
}
