package volcsim

import (
	"strings"
	"testing"
)

// FuzzParse: any request body gives a valid request or a business error.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		`{"AppId":123456,"ParticipantUserId":100021,"Cursor":0,"Limit":20}`,
		`{"AppId":123456,"ParticipantUserIdStr":"alice","DataType":2,"Cursor":40,"Limit":5,"SkipMemberCount":true,"InboxType":1}`,
		`{"AppId":123456,"ParticipantUserId":1,"Cursor":0,"Limit":21}`,
		`{"AppId":123456,"ParticipantUserId":1,"Cursor":0,"Limit":5,"DataType":3}`,
		`{"AppId":"x"}`, `null`, `[]`, `{`, ``,
	} {
		f.Add([]byte(seed))
	}
	s, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r, aerr := s.parse(body)
		if aerr != nil {
			if !aerr.business || aerr.code == "" {
				t.Fatalf("parse(%q) = %+v, want a business error", body, aerr)
			}
			return
		}
		if r.user == "" || r.limit < 1 || r.limit > 20 || r.cursor < 0 || r.dataType < 0 || r.dataType > 2 {
			t.Fatalf("parse(%q) = %+v, an invalid request accepted", body, r)
		}
	})
}

// FuzzParseAuthorization: never a panic; a parsed header has all its parts.
func FuzzParseAuthorization(f *testing.F) {
	f.Add("HMAC-SHA256 Credential=AK/20240102/cn-north-1/rtc/request, SignedHeaders=host;x-date, Signature=ab")
	f.Add("HMAC-SHA256 Credential=/////, SignedHeaders=, Signature=x")
	f.Add("Bearer x")
	f.Fuzz(func(t *testing.T, v string) {
		a, ok := parseAuthorization(v)
		if ok && (a.signature == "" || a.signedHeaders == nil || strings.Count(v, "/") < 4) {
			t.Fatalf("parseAuthorization(%q) = %+v, true; want parts", v, a)
		}
	})
}
