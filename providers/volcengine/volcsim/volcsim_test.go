package volcsim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/providers/volcengine"
	"github.com/chatlake/chatlake/providers/volcengine/volcsim"
)

const validBody = `{"AppId":123456,"ParticipantUserId":100021,"Cursor":0,"Limit":20}`

func start(tb testing.TB, opts volcsim.Options) *volcsim.TestServer {
	tb.Helper()
	ts, err := volcsim.Start(opts)
	if err != nil {
		tb.Fatalf("Start() = %v", err)
	}
	tb.Cleanup(ts.Close)
	return ts
}

// call describes one hand-made request: how it is signed and then altered.
type call struct {
	method, query string
	body          string
	date          time.Time
	secret        string
	extraSigned   map[string]string // headers present at signing time
	afterSigning  func(r *http.Request)
}

// answer is what the simulator said.
type answer struct {
	status    int
	code      string
	codeN     int
	hasResult bool
	result    struct {
		ConversationInfos []json.RawMessage
		HasMore           bool
		NextCursor        int64
	}
}

func do(tb testing.TB, ts *volcsim.TestServer, c call) answer {
	tb.Helper()
	req := c.request(tb, ts.URL)
	resp, err := ts.Client().Do(req)
	if err != nil {
		tb.Fatalf("POST = %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var env struct {
		ResponseMetadata struct {
			RequestID string `json:"RequestId"`
			Error     *struct {
				Code  string
				CodeN int
			}
		}
		Result json.RawMessage
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		tb.Fatalf("answer %s is not JSON: %v", raw, err)
	}
	a := answer{status: resp.StatusCode, hasResult: env.Result != nil}
	if e := env.ResponseMetadata.Error; e != nil {
		a.code, a.codeN = e.Code, e.CodeN
	} else if err := json.Unmarshal(env.Result, &a.result); err != nil {
		tb.Fatalf("Result %s: %v", env.Result, err)
	}
	if env.ResponseMetadata.RequestID == "" {
		tb.Errorf("answer %s has no RequestId", raw)
	}
	return a
}

func (c call) request(tb testing.TB, base string) *http.Request {
	tb.Helper()
	c = c.withDefaults()
	req, err := http.NewRequestWithContext(tb.Context(), c.method, base+"/?"+c.query, bytes.NewReader([]byte(c.body)))
	if err != nil {
		tb.Fatal(err)
	}
	date := c.date.UTC().Format(volcengine.DateFormat)
	hash := volcengine.HashBody([]byte(c.body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(volcengine.HeaderDate, date)
	req.Header.Set(volcengine.HeaderContentSHA256, hash)
	for k, v := range c.extraSigned {
		req.Header.Set(k, v)
	}
	h := req.Header.Clone()
	h.Set("Host", req.URL.Host)
	s := volcengine.Sign(volcengine.Signable{Method: c.method, Path: "/", Query: req.URL.Query(), Header: h, BodySHA256: hash},
		volcengine.Scope{Date: date, Region: volcengine.DefaultRegion, Service: volcengine.Service},
		volcsim.TestAccessKeyID, volcengine.Secret(c.secret))
	req.Header.Set(volcengine.HeaderAuthorization, s.Authorization)
	if c.afterSigning != nil {
		c.afterSigning(req)
	}
	return req
}

func (c call) withDefaults() call {
	if c.method == "" {
		c.method = http.MethodPost
	}
	if c.query == "" {
		c.query = "Action=GetUserConversations&Version=2020-12-01"
	}
	if c.body == "" {
		c.body = validBody
	}
	if c.date.IsZero() {
		c.date = time.Now()
	}
	if c.secret == "" {
		c.secret = volcsim.TestSecretAccessKey
	}
	return c
}

func TestGateway(t *testing.T) {
	sdk := map[string]string{"X-IM-SDK-Version": "Golang-V1.0.1", "Accept": "application/json"}
	for _, tc := range []struct {
		name       string
		c          call
		status     int
		code       string
		codeN      int
		sigFailure bool
	}{
		{name: "valid", status: 200},
		{name: "sdk headers signed", c: call{extraSigned: sdk}, status: 200},
		{name: "proxy header added after signing", c: call{afterSigning: func(r *http.Request) { r.Header.Set("X-Forwarded-For", "10.0.0.1") }}, status: 200},
		{name: "signed header altered", c: call{extraSigned: sdk, afterSigning: func(r *http.Request) { r.Header.Set("X-IM-SDK-Version", "other") }},
			status: 401, code: "SignatureDoesNotMatch", codeN: 100010, sigFailure: true},
		{name: "body altered", c: call{afterSigning: func(r *http.Request) {
			b := []byte(`{"AppId":123456,"ParticipantUserId":100022,"Cursor":0,"Limit":20}`)
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
		}}, status: 401, code: "SignatureDoesNotMatch", codeN: 100010, sigFailure: true},
		{name: "wrong secret", c: call{secret: "nope"}, status: 401, code: "SignatureDoesNotMatch", codeN: 100010, sigFailure: true},
		{name: "no authorization", c: call{afterSigning: func(r *http.Request) { r.Header.Del("Authorization") }},
			status: 401, code: "MissingAuthenticationToken", codeN: 100003, sigFailure: true},
		{name: "garbled authorization", c: call{afterSigning: func(r *http.Request) { r.Header.Set("Authorization", "HMAC-SHA256 nonsense") }},
			status: 401, code: "MissingSignature", codeN: 100005, sigFailure: true},
		{name: "unknown key", c: call{afterSigning: func(r *http.Request) {
			r.Header.Set("Authorization", "HMAC-SHA256 Credential=AKLTx/20260101/cn-north-1/rtc/request, SignedHeaders=host;x-date, Signature=00")
		}}, status: 401, code: "InvalidAccessKey", codeN: 100009, sigFailure: true},
		{name: "no x-date", c: call{afterSigning: func(r *http.Request) { r.Header.Del("X-Date") }},
			status: 400, code: "MissingRequestInfo", codeN: 100004, sigFailure: true},
		{name: "x-date 16 min ahead", c: call{date: time.Now().Add(16 * time.Minute)}, status: 400, code: "InvalidTimestamp", codeN: 100006, sigFailure: true},
		{name: "x-date 14 min behind", c: call{date: time.Now().Add(-14 * time.Minute)}, status: 200},
		{name: "GET", c: call{method: http.MethodGet}, status: 405, code: "MethodNotAllowed", codeN: 100020},
		{name: "other action", c: call{query: "Action=GetConversations&Version=2020-12-01"}, status: 404, code: "InvalidActionOrVersion", codeN: 100008},
		{name: "no version", c: call{query: "Action=GetUserConversations"}, status: 400, code: "MissingParameter", codeN: 100002},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := start(t, volcsim.Options{})
			a := do(t, ts, tc.c)
			if a.status != tc.status || a.code != tc.code || a.codeN != tc.codeN {
				t.Errorf("POST = %d %q %d, want %d %q %d", a.status, a.code, a.codeN, tc.status, tc.code, tc.codeN)
			}
			if tc.code != "" && a.hasResult {
				t.Errorf("gateway error %s came with a Result", a.code)
			}
			if got := ts.Stats().SignatureFailures; got != map[bool]int{true: 1}[tc.sigFailure] {
				t.Errorf("Stats().SignatureFailures = %d, want signature failure %v", got, tc.sigFailure)
			}
		})
	}
}

func TestBusinessErrors(t *testing.T) {
	ts := start(t, volcsim.Options{})
	for _, tc := range []struct{ body, code string }{
		{`{"AppId":123456,"ParticipantUserId":1,"Cursor":0,"Limit":21}`, "InvalidParam"},
		{`{"AppId":123456,"ParticipantUserId":1,"Cursor":0,"Limit":0}`, "InvalidParam"},
		{`{"AppId":123456,"ParticipantUserId":1,"Cursor":0}`, "InvalidParam"},
		{`{"AppId":123456,"ParticipantUserId":1,"Cursor":-1,"Limit":5}`, "InvalidParam"},
		{`{"AppId":123456,"ParticipantUserId":1,"Cursor":0,"Limit":5,"DataType":3}`, "InvalidParam"},
		{`{"AppId":123456,"Cursor":0,"Limit":5}`, "InvalidParam"},
		{`{"AppId":"123456","ParticipantUserId":1,"Cursor":0,"Limit":5}`, "InvalidParam"},
		{`{"AppId":99999999999,"ParticipantUserId":1,"Cursor":0,"Limit":5}`, "InvalidParam"},
		{`{"ParticipantUserId":1,"Cursor":0,"Limit":5}`, "InvalidParam"},
		{`{"AppId":1,"ParticipantUserId":1,"Cursor":0,"Limit":5}`, "AppNotFound"},
		{`{"AppId":123456,`, "JsonParsingError"},
		{`not json`, "JsonParsingError"},
	} {
		a := do(t, ts, call{body: tc.body})
		// IM business errors: HTTP 200, Code without CodeN, "Result":{}.
		if a.status != 200 || a.code != tc.code || a.codeN != 0 || !a.hasResult {
			t.Errorf("POST %s = %d %q CodeN %d result %v, want 200 %q CodeN 0 with a Result", tc.body, a.status, a.code, a.codeN, a.hasResult, tc.code)
		}
	}
	if got := ts.Stats().Errors["InvalidParam"]; got != 9 {
		t.Errorf("Stats().Errors[InvalidParam] = %d, want 9", got)
	}
}

func TestParticipantUserIdStrWins(t *testing.T) {
	ds := simulator.Dataset{Seed: 1}
	ts := start(t, volcsim.Options{Dataset: ds})
	a := do(t, ts, call{body: `{"AppId":123456,"ParticipantUserId":100021,"ParticipantUserIdStr":"100001","Cursor":0,"Limit":20}`})
	want := volcsim.Expected(ds, volcsim.TestAppID, simulator.UserOne, 0)
	if len(a.result.ConversationInfos) != 1 || string(a.result.ConversationInfos[0]) != string(want[0].Raw) || a.result.HasMore {
		t.Errorf("POST with both user fields = %d items, want the one of user %s", len(a.result.ConversationInfos), simulator.UserOne)
	}
}

func TestPagingAndCursorPastEnd(t *testing.T) {
	ds := simulator.Dataset{Seed: 9}
	ts := start(t, volcsim.Options{Dataset: ds})
	want := volcsim.Expected(ds, volcsim.TestAppID, simulator.UserTwentyOne, 2)
	for _, tc := range []struct {
		cursor   string
		items    int
		hasMore  bool
		next     int64
		firstRaw json.RawMessage
	}{
		{"0", 20, true, 20, want[0].Raw},
		{"20", 1, false, 21, want[20].Raw},
		{"50", 0, false, 21, nil},
	} {
		a := do(t, ts, call{body: `{"AppId":123456,"ParticipantUserId":100021,"DataType":2,"Cursor":` + tc.cursor + `,"Limit":20}`})
		r := a.result
		if len(r.ConversationInfos) != tc.items || r.HasMore != tc.hasMore || r.NextCursor != tc.next {
			t.Errorf("POST cursor %s = %d items more %v next %d, want %d %v %d", tc.cursor, len(r.ConversationInfos), r.HasMore, r.NextCursor, tc.items, tc.hasMore, tc.next)
		}
		if tc.items > 0 && string(r.ConversationInfos[0]) != string(tc.firstRaw) {
			t.Errorf("POST cursor %s: first item %s, want %s", tc.cursor, r.ConversationInfos[0], tc.firstRaw)
		}
	}
	if got := ts.Stats(); got.Requests != 3 || got.Pages != 3 {
		t.Errorf("Stats() = %+v, want 3 requests, 3 pages", got)
	}
}

func TestFaultsAndStats(t *testing.T) {
	ts := start(t, volcsim.Options{Rates: simulator.Rates{RetryAfter: 2 * time.Second}})
	for _, tc := range []struct {
		fault  simulator.Fault
		status int
		code   string
	}{
		{simulator.FaultServerError, 500, "InternalError"},
		{simulator.FaultThrottle, 429, "FlowLimitExceeded"},
		{simulator.FaultAuth, 401, "SignatureDoesNotMatch"},
		{simulator.FaultUnavailable, 503, "ServiceUnavailableTemp"},
	} {
		ts.Inject(tc.fault, 1)
		req := call{}.request(t, ts.URL)
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatalf("POST with %v = %v", tc.fault, err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("POST with %v = %d, want %d", tc.fault, resp.StatusCode, tc.status)
		}
		if ra := resp.Header.Get("Retry-After"); (ra == "2") != (tc.fault == simulator.FaultThrottle) {
			t.Errorf("POST with %v: Retry-After %q", tc.fault, ra)
		}
	}
	ts.Inject(simulator.FaultDrop, 1)
	if resp, err := ts.Client().Do(call{}.request(t, ts.URL)); err == nil {
		resp.Body.Close()
		t.Errorf("POST with drop = %d, want a connection error", resp.StatusCode)
	}
	ts.Inject(simulator.FaultMalformed, 1)
	resp, err := ts.Client().Do(call{}.request(t, ts.URL))
	if err != nil {
		t.Fatalf("POST with malformed = %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || json.Valid(b) {
		t.Errorf("POST with malformed = %d %s, want 200 and invalid JSON", resp.StatusCode, b)
	}
	st := ts.Stats()
	if st.Requests != 6 || st.Pages != 0 || st.Faults[simulator.FaultThrottle] != 1 || st.Faults[simulator.FaultDrop] != 1 ||
		st.Errors["InternalError"] != 1 || st.SignatureFailures != 0 {
		t.Errorf("Stats() = %+v", st)
	}
}

func TestRandomRates(t *testing.T) {
	ts := start(t, volcsim.Options{Rates: simulator.Rates{ServerError: 1}})
	for range 3 {
		if a := do(t, ts, call{}); a.status != 500 {
			t.Errorf("POST with ServerError rate 1 = %d, want 500", a.status)
		}
	}
	ts.SetRates(simulator.Rates{})
	if a := do(t, ts, call{}); a.status != 200 {
		t.Errorf("POST after SetRates(zero) = %d, want 200", a.status)
	}
}

func TestQPSCap(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	ts := start(t, volcsim.Options{QPS: 3, Now: clock})
	var statuses []int
	for range 5 {
		statuses = append(statuses, do(t, ts, call{date: now}).status)
	}
	if want := []int{200, 200, 200, 429, 429}; !equal(statuses, want) {
		t.Errorf("statuses = %v, want %v", statuses, want)
	}
	if got := ts.Stats().QPSViolations; got != 2 {
		t.Errorf("Stats().QPSViolations = %d, want 2", got)
	}
	off := start(t, volcsim.Options{QPS: -1, Now: clock})
	for range 5 {
		if a := do(t, off, call{date: now}); a.status != 200 {
			t.Errorf("POST with the cap off = %d, want 200", a.status)
		}
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestWaitsHonourTheRequestContext(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opts  volcsim.Options
		fault simulator.Fault
	}{
		{"base latency", volcsim.Options{Latency: time.Hour}, simulator.FaultNone},
		{"slow fault", volcsim.Options{Rates: simulator.Rates{SlowBy: time.Hour}}, simulator.FaultSlow},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := start(t, tc.opts)
			ts.Inject(tc.fault, 1)
			ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
			defer cancel()
			req := call{}.request(t, ts.URL).WithContext(ctx)
			_, err := ts.Client().Do(req)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("POST = %v, want deadline exceeded", err)
			}
			// Close (by Cleanup) returns only once the handler has noticed.
		})
	}
}

func TestOptionsValidate(t *testing.T) {
	for _, o := range []volcsim.Options{
		{Latency: -1},
		{MaxSkew: -time.Second},
		{Credentials: map[string]string{"ak": ""}},
	} {
		if _, err := volcsim.New(o); err == nil {
			t.Errorf("New(%+v) = nil error, want one", o)
		}
	}
}

func TestExpectedOrderPerDataType(t *testing.T) {
	ds := simulator.Dataset{Seed: 5}
	for dt, inOrder := range map[int32]func(a, b simulator.Spec) bool{
		0: func(a, b simulator.Spec) bool { return !a.Modified.Before(b.Modified) },
		1: func(a, b simulator.Spec) bool { return !a.Created.After(b.Created) },
		2: func(a, b simulator.Spec) bool { return !a.Created.Before(b.Created) },
	} {
		items := volcsim.Expected(ds, volcsim.TestAppID, simulator.UserMany, dt)
		if len(items) != 350 {
			t.Fatalf("Expected(datatype %d) has %d items, want 350", dt, len(items))
		}
		for i := 1; i < len(items); i++ {
			if !inOrder(items[i-1].Spec, items[i].Spec) {
				t.Errorf("Expected(datatype %d): items %d and %d out of order", dt, i-1, i)
				break
			}
		}
	}
	if got := volcsim.Expected(ds, volcsim.TestAppID, simulator.UserMany, 3); got != nil {
		t.Errorf("Expected(datatype 3) = %d items, want nil", len(got))
	}
}

// TestServesFixtureVerbatim checks that the hand-written items reach the
// wire unchanged, across pages.
func TestServesFixtureVerbatim(t *testing.T) {
	ts := start(t, volcsim.Options{Apps: []int32{123456}})
	want := volcsim.Fixture()
	var got []json.RawMessage
	for cursor := 0; len(got) < len(want); cursor += 2 {
		a := do(t, ts, call{body: fmt.Sprintf(`{"AppId":123456,"ParticipantUserIdStr":%q,"Cursor":%d,"Limit":2}`, simulator.UserFixture, cursor)})
		got = append(got, a.result.ConversationInfos...)
		if !a.result.HasMore {
			break
		}
	}
	if len(want) < 5 || len(got) != len(want) {
		t.Fatalf("served %d items, want the %d of the fixture", len(got), len(want))
	}
	for i := range want {
		if string(got[i]) != string(want[i]) {
			t.Errorf("item %d = %q, want %q", i, got[i], want[i])
		}
	}
}
