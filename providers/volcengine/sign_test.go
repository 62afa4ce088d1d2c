package volcengine_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chatlake/chatlake/providers/volcengine"
)

const (
	vectorAK = "AKLTexampleAccessKeyId"
	vectorSK = volcengine.Secret("exampleSecretAccessKey==")
)

// signVector is one test vector of docs/providers.md §1.5.
type signVector struct {
	name          string
	method, host  string
	query         url.Values
	extra         map[string]string
	contentType   string
	body          string
	date, service string
	wantCanonical string
	wantHash      string
	wantAuth      string
}

func signVectors() []signVector {
	const body1 = `{"AppId":123456,"ParticipantUserId":10001,"DataType":0,"Cursor":0,"Limit":20}`
	const hash1 = "c5084db268894742949f58baad7f954649a7807b3ec60c911d61dde89f05213c"
	q1 := url.Values{"Action": {"GetUserConversations"}, "Version": {"2020-12-01"}}
	canon1 := "POST\n/\nAction=GetUserConversations&Version=2020-12-01\n" +
		"content-type:application/json\nhost:rtc.volcengineapi.com\n" +
		"x-content-sha256:" + hash1 + "\nx-date:20240102T030405Z\n\n" +
		"content-type;host;x-content-sha256;x-date\n" + hash1
	cred1 := "HMAC-SHA256 Credential=AKLTexampleAccessKeyId/20240102/cn-north-1/rtc/request, "
	return []signVector{{
		name: "vector 1", method: "POST", host: "rtc.volcengineapi.com", query: q1,
		contentType: "application/json", body: body1, date: "20240102T030405Z", service: "rtc",
		wantCanonical: canon1,
		wantHash:      "744ed25ea225a6472884b67b4263dc5dd4770d7cdda6be9c279befc92e4e4828",
		wantAuth: cred1 + "SignedHeaders=content-type;host;x-content-sha256;x-date, " +
			"Signature=b4ed56fb6648b59bde8575742597c9255873a2f211da54a1817b7135000193b4",
	}, {
		name: "vector 1 with X-IM-SDK-Version", method: "POST", host: "rtc.volcengineapi.com", query: q1,
		extra:       map[string]string{"X-IM-SDK-Version": "Golang-V1.0.1", "Accept": "application/json"},
		contentType: "application/json", body: body1, date: "20240102T030405Z", service: "rtc",
		wantAuth: cred1 + "SignedHeaders=content-type;host;x-content-sha256;x-date;x-im-sdk-version, " +
			"Signature=4c69e84510961d4ff351631bef5a36522b3fa38f12e441ce03afdb36363a2771",
	}, {
		name: "vector 2", method: "GET", host: "open.volcengineapi.com",
		query:       url.Values{"Action": {"ListUsers"}, "Version": {"2020-04-01"}, "Limit": {"10"}, "Offset": {"0"}},
		contentType: "application/x-www-form-urlencoded; charset=utf-8", date: "20200401T081805Z", service: "iam",
		wantHash: "b405e2e48b8381c622761f0fbb9b14e4880821391f2baec691939bba9882441f",
		wantAuth: "HMAC-SHA256 Credential=AKLTexampleAccessKeyId/20200401/cn-north-1/iam/request, " +
			"SignedHeaders=content-type;host;x-content-sha256;x-date, " +
			"Signature=ed2751eaf146ec97191b5e0e0e70267d59152ae63eff48229d73dbe7f755f027",
	}}
}

func TestSignVectors(t *testing.T) {
	for _, v := range signVectors() {
		t.Run(v.name, func(t *testing.T) {
			bodyHash := volcengine.HashBody([]byte(v.body))
			h := http.Header{}
			h.Set("Host", v.host)
			h.Set("Content-Type", v.contentType)
			h.Set(volcengine.HeaderDate, v.date)
			h.Set(volcengine.HeaderContentSHA256, bodyHash)
			for k, val := range v.extra {
				h.Set(k, val)
			}
			req := volcengine.Signable{Method: v.method, Path: "/", Query: v.query, Header: h, BodySHA256: bodyHash}
			scope := volcengine.Scope{Date: v.date, Region: "cn-north-1", Service: v.service}
			got := volcengine.Sign(req, scope, vectorAK, vectorSK)
			if v.wantCanonical != "" && got.CanonicalRequest != v.wantCanonical {
				t.Errorf("Sign().CanonicalRequest =\n%s\nwant\n%s", got.CanonicalRequest, v.wantCanonical)
			}
			if v.wantHash != "" && got.CanonicalRequestHash != v.wantHash {
				t.Errorf("Sign().CanonicalRequestHash = %s, want %s", got.CanonicalRequestHash, v.wantHash)
			}
			wantSTS := "HMAC-SHA256\n" + v.date + "\n" + scope.String() + "\n" + got.CanonicalRequestHash
			if got.StringToSign != wantSTS {
				t.Errorf("Sign().StringToSign = %q, want %q", got.StringToSign, wantSTS)
			}
			if got.Authorization != v.wantAuth {
				t.Errorf("Sign().Authorization =\n%s\nwant\n%s", got.Authorization, v.wantAuth)
			}
		})
	}
}

func TestHashBodyVector(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`{"AppId":123456,"ParticipantUserId":10001,"DataType":0,"Cursor":0,"Limit":20}`,
			"c5084db268894742949f58baad7f954649a7807b3ec60c911d61dde89f05213c"},
		{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	} {
		if got := volcengine.HashBody([]byte(tc.body)); got != tc.want {
			t.Errorf("HashBody(%q) = %s, want %s", tc.body, got, tc.want)
		}
	}
}

func TestSignCanonicalForms(t *testing.T) {
	h := http.Header{}
	h.Set("Host", "example.com:443")
	h.Set("X-Date", "20240102T030405Z")
	h.Set("User-Agent", "not signed")
	req := volcengine.Signable{
		Method: "GET", Path: "/a b/ü~", Header: h,
		Query: url.Values{"b": {"x y"}, "a": {"1+1", "0"}},
	}
	got := volcengine.Sign(req, volcengine.Scope{Date: "20240102T030405Z", Region: "r", Service: "s"}, "ak", "sk")
	lines := strings.Split(got.CanonicalRequest, "\n")
	want := []string{"GET", "/a%20b/%C3%BC~", "a=1%2B1&a=0&b=x%20y", "host:example.com", "x-date:20240102T030405Z", "", "host;x-date", ""}
	if len(lines) != len(want) {
		t.Fatalf("Sign().CanonicalRequest = %q, want lines %q", got.CanonicalRequest, want)
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("Sign() canonical line %d = %q, want %q", i, lines[i], want[i])
		}
	}
}
