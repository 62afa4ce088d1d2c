package volcengine_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chatlake/chatlake/providers"
	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/providers/volcengine"
	"github.com/chatlake/chatlake/providers/volcengine/volcsim"
	"github.com/chatlake/chatlake/schemas"
)

// wantErr is the expected classification of a failed call.
type wantErr struct {
	class      schemas.ErrorClass
	status     int
	code       string
	retryAfter time.Duration
}

// checkErr asserts that err is a *providers.Error as want describes.
func checkErr(t *testing.T, call string, err error, want wantErr) {
	t.Helper()
	var pe *providers.Error
	if !errors.As(err, &pe) {
		t.Fatalf("%s = %v, want a *providers.Error", call, err)
	}
	got := wantErr{pe.Class, pe.HTTPStatus, pe.Code, pe.RetryAfter}
	if got != want {
		t.Errorf("%s = %v\n got class %s status %d code %q retry-after %v\nwant class %s status %d code %q retry-after %v",
			call, err, got.class, got.status, got.code, got.retryAfter, want.class, want.status, want.code, want.retryAfter)
	}
	if pe.Provider != schemas.ProviderVolcengine || pe.Op != volcengine.Action {
		t.Errorf("%s: provider %q op %q", call, pe.Provider, pe.Op)
	}
}

func TestErrorsFromSimulator(t *testing.T) {
	wrongKey := volcsim.TestCredentials()
	wrongKey.SecretAccessKey = "not the secret"
	unknownKey := volcsim.TestCredentials()
	unknownKey.AccessKeyID = "AKLTnobody"
	fixed := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		opts   volcsim.Options
		fault  simulator.Fault
		cfg    volcengine.Config
		creds  volcengine.Credentials
		app    string
		before int // successful calls before the one that fails
		want   wantErr
	}{
		{name: "server error", fault: simulator.FaultServerError, want: wantErr{schemas.ClassTransient, 500, "InternalError", 0}},
		{name: "throttle", fault: simulator.FaultThrottle, opts: volcsim.Options{Rates: simulator.Rates{RetryAfter: 2500 * time.Millisecond}},
			want: wantErr{schemas.ClassThrottled, 429, "FlowLimitExceeded", 3 * time.Second}},
		{name: "malformed", fault: simulator.FaultMalformed, want: wantErr{schemas.ClassTransient, 200, "", 0}},
		{name: "drop", fault: simulator.FaultDrop, want: wantErr{schemas.ClassTransient, 0, "", 0}},
		{name: "auth fault", fault: simulator.FaultAuth, want: wantErr{schemas.ClassPermanent, 401, "SignatureDoesNotMatch", 0}},
		{name: "unavailable", fault: simulator.FaultUnavailable, want: wantErr{schemas.ClassTransient, 503, "ServiceUnavailableTemp", 0}},
		{name: "wrong secret", creds: wrongKey, want: wantErr{schemas.ClassPermanent, 401, "SignatureDoesNotMatch", 0}},
		{name: "unknown key", creds: unknownKey, want: wantErr{schemas.ClassPermanent, 401, "InvalidAccessKey", 0}},
		{name: "wrong region", cfg: volcengine.Config{Region: volcengine.OverseasRegion},
			want: wantErr{schemas.ClassPermanent, 401, "SignatureDoesNotMatch", 0}},
		{name: "clock skew", cfg: volcengine.Config{Now: func() time.Time { return time.Now().Add(-16 * time.Minute) }},
			want: wantErr{schemas.ClassPermanent, 400, "InvalidTimestamp", 0}},
		{name: "unknown app", app: "654321", want: wantErr{schemas.ClassPermanent, 200, "AppNotFound", 0}},
		{name: "qps cap", opts: volcsim.Options{QPS: 2, Now: func() time.Time { return fixed }},
			cfg: volcengine.Config{Now: func() time.Time { return fixed }}, before: 2,
			want: wantErr{schemas.ClassThrottled, 429, "FlowLimitExceeded", 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := startSim(t, tc.opts)
			creds := volcsim.TestCredentials()
			if tc.creds.AccessKeyID != "" {
				creds = tc.creds
			}
			c := newClient(t, ts.URL, fastGuard(1), tc.cfg, creds)
			job := schemas.Job{App: testApp, UserID: simulator.UserOne}
			if tc.app != "" {
				job.App = tc.app
			}
			for range tc.before {
				if _, err := c.FetchPage(t.Context(), job, ""); err != nil {
					t.Fatalf("FetchPage() before the failure = %v", err)
				}
			}
			if tc.fault != simulator.FaultNone {
				ts.Inject(tc.fault, 1)
			}
			_, err := c.FetchPage(t.Context(), job, "")
			checkErr(t, "FetchPage()", err, tc.want)
		})
	}
}

// TestErrorsFromRawResponses covers answers the simulator does not give:
// other codes, Retry-After dates, odd envelopes.
func TestErrorsFromRawResponses(t *testing.T) {
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	const page = `"Result":{"ConversationInfos":[],"HasMore":false,"NextCursor":0}`
	for _, tc := range []struct {
		name   string
		status int
		header map[string]string
		body   string
		want   wantErr // zero class: success
	}{
		{"429 without body", 429, map[string]string{"Retry-After": "7"}, "", wantErr{schemas.ClassThrottled, 429, "", 7 * time.Second}},
		{"503 retry-after date", 503, map[string]string{"Retry-After": now.Add(30 * time.Second).Format(http.TimeFormat)}, "<html>busy</html>",
			wantErr{schemas.ClassTransient, 503, "", 30 * time.Second}},
		{"qps over limit family", 400, nil, errBody("FlowLimitExceeded.QPSOverLimit", 0), wantErr{schemas.ClassThrottled, 400, "FlowLimitExceeded.QPSOverLimit", 0}},
		{"request limit", 400, nil, errBody("RequestLimitExceeded", 0), wantErr{schemas.ClassThrottled, 400, "RequestLimitExceeded", 0}},
		{"account flow limit on 200", 200, nil, errBody("AccountFlowLimitExceeded", 0), wantErr{schemas.ClassThrottled, 200, "AccountFlowLimitExceeded", 0}},
		{"502 html", 502, nil, "<html>bad gateway</html>", wantErr{schemas.ClassTransient, 502, "", 0}},
		{"504 timeout", 504, nil, errBody("InternalServiceTimeout", 100016), wantErr{schemas.ClassTransient, 504, "InternalServiceTimeout", 0}},
		{"business error without CodeN", 200, nil, errBody("InvalidParam", 0), wantErr{schemas.ClassPermanent, 200, "InvalidParam", 0}},
		{"CodeN without Code", 500, nil, errBody("", 100014), wantErr{schemas.ClassTransient, 500, "InternalError", 0}},
		{"internal error family on 200", 200, nil, errBody("InternalError.Timeout", 0), wantErr{schemas.ClassTransient, 200, "InternalError.Timeout", 0}},
		{"no auth", 200, nil, errBody("NoAuth", 0), wantErr{schemas.ClassPermanent, 200, "NoAuth", 0}},
		{"access denied family", 403, nil, errBody("AccessDenied.Foo", 0), wantErr{schemas.ClassPermanent, 403, "AccessDenied.Foo", 0}},
		{"unknown business code", 200, nil, errBody("SomethingNew", 0), wantErr{schemas.ClassPermanent, 200, "SomethingNew", 0}},
		{"404 no body", 404, nil, "", wantErr{schemas.ClassPermanent, 404, "", 0}},
		{"null result", 200, nil, `{"ResponseMetadata":{},"Result":null}`, wantErr{schemas.ClassTransient, 200, "", 0}},
		{"missing result", 200, nil, `{"ResponseMetadata":{}}`, wantErr{schemas.ClassTransient, 200, "", 0}},
		{"truncated", 200, nil, simulator.MalformedBody, wantErr{schemas.ClassTransient, 200, "", 0}},
		{"float id", 200, nil, `{"Result":{"ConversationInfos":[{"ConversationShortId":1.5}]}}`, wantErr{schemas.ClassTransient, 200, "", 0}},
		{"empty error object", 200, nil, `{"ResponseMetadata":{"Error":{}},` + page + `}`, wantErr{}},
		{"null error", 200, nil, `{"ResponseMetadata":{"Error":null},` + page + `}`, wantErr{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := rawServer(t, func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.body))
			})
			c := newClient(t, srv.URL, fastGuard(1), volcengine.Config{Now: func() time.Time { return now }})
			res, err := c.GetUserConversations(t.Context(), volcengine.Request{AppID: 1, UserID: "1"})
			if tc.want.class == "" {
				if err != nil || res == nil {
					t.Fatalf("GetUserConversations() = %v, %v, want a result", res, err)
				}
				return
			}
			checkErr(t, "GetUserConversations()", err, tc.want)
		})
	}
}

func errBody(code string, codeN int) string {
	b, _ := json.Marshal(map[string]any{"ResponseMetadata": map[string]any{"RequestId": "r",
		"Error": map[string]any{"Code": code, "CodeN": codeN, "Message": "m"}}, "Result": map[string]any{}})
	return string(b)
}

func rawServer(tb testing.TB, h http.HandlerFunc) *httptest.Server {
	tb.Helper()
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return srv
}

func TestErrorClassSentinels(t *testing.T) {
	ts := startSim(t, volcsim.Options{})
	c := newClient(t, ts.URL, fastGuard(1), volcengine.Config{})
	for _, tc := range []struct {
		fault simulator.Fault
		want  error
	}{
		{simulator.FaultThrottle, providers.ErrThrottled},
		{simulator.FaultServerError, providers.ErrTransient},
		{simulator.FaultAuth, providers.ErrPermanent},
	} {
		ts.Inject(tc.fault, 1)
		_, err := c.FetchPage(t.Context(), schemas.Job{App: testApp, UserID: "1"}, "")
		if !errors.Is(err, tc.want) {
			t.Errorf("FetchPage() with %v = %v, want errors.Is %v", tc.fault, err, tc.want)
		}
	}
}
