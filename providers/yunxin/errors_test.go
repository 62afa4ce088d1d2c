package yunxin_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chatlake/chatlake/providers"
	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/providers/yunxin"
	"github.com/chatlake/chatlake/providers/yunxin/yunxinsim"
	"github.com/chatlake/chatlake/schemas"
)

// wantErr is what a classified failure must carry.
type wantErr struct {
	class      schemas.ErrorClass
	httpStatus int
	code       string
	retryAfter time.Duration
}

func checkErr(t *testing.T, err error, want wantErr) {
	t.Helper()
	var pe *providers.Error
	if !errors.As(err, &pe) {
		t.Fatalf("FetchPage() error = %v, want *providers.Error", err)
	}
	got := wantErr{pe.Class, pe.HTTPStatus, pe.Code, pe.RetryAfter}
	if got != want {
		t.Errorf("FetchPage() error = %+v (%v), want %+v", got, err, want)
	}
	var classed schemas.Classed
	if !errors.As(err, &classed) || classed.ErrorClass() != want.class {
		t.Errorf("FetchPage() error class via schemas.Classed = %v, want %v", classed, want.class)
	}
	sentinel := map[schemas.ErrorClass]error{schemas.ClassThrottled: providers.ErrThrottled, schemas.ClassTransient: providers.ErrTransient, schemas.ClassPermanent: providers.ErrPermanent}[want.class]
	if !errors.Is(err, sentinel) {
		t.Errorf("errors.Is(%v, %v) = false, want true", err, sentinel)
	}
	if pe.Provider != schemas.ProviderYunxin {
		t.Errorf("Error.Provider = %q, want %q", pe.Provider, schemas.ProviderYunxin)
	}
}

func TestFetchPageClassifiesSimulatorFaults(t *testing.T) {
	tests := []struct {
		f    simulator.Fault
		want wantErr
	}{
		{simulator.FaultServerError, wantErr{schemas.ClassTransient, 200, "500", 0}},
		{simulator.FaultThrottle, wantErr{schemas.ClassThrottled, 200, "416", 2 * time.Second}},
		{simulator.FaultMalformed, wantErr{schemas.ClassTransient, 200, "", 0}},
		{simulator.FaultDrop, wantErr{schemas.ClassTransient, 0, "", 0}},
		{simulator.FaultAuth, wantErr{schemas.ClassPermanent, 200, "414", 0}},
		{simulator.FaultUnavailable, wantErr{schemas.ClassTransient, 503, "", 0}},
	}
	for _, tt := range tests {
		t.Run(tt.f.String(), func(t *testing.T) {
			run := startSim(t, yunxinsim.Options{Rates: simulator.Rates{RetryAfter: 1100 * time.Millisecond}})
			// No keep-alive: net/http resends an idempotent GET once by
			// itself when a reused connection drops.
			hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
			c, err := yunxin.NewClient(hc, testGuard(1), testCreds, yunxin.Config{BaseURL: run.URL})
			if err != nil {
				t.Fatal(err)
			}
			run.Inject(tt.f, 1)
			_, err = c.FetchPage(t.Context(), listJob(simulator.UserOne), "")
			checkErr(t, err, tt.want)
			if _, err := c.FetchPage(t.Context(), listJob(simulator.UserOne), ""); err != nil {
				t.Errorf("FetchPage after the fault: %v", err)
			}
		})
	}
}

func TestFetchPageClassifiesRefusals(t *testing.T) {
	permanent414 := wantErr{schemas.ClassPermanent, 200, "414", 0}
	noCall := wantErr{schemas.ClassPermanent, 0, "", 0}
	tests := []struct {
		name   string
		opts   yunxinsim.Options
		creds  yunxin.Credentials
		cfg    yunxin.Config
		job    schemas.Job
		cursor string
		want   wantErr
	}{
		{"wrong secret", yunxinsim.Options{}, yunxin.Credentials{AppKey: yunxinsim.TestAppKey, AppSecret: "wrong"}, yunxin.Config{}, listJob("1"), "", permanent414},
		{"clock 10 minutes slow", yunxinsim.Options{}, testCreds, yunxin.Config{Now: func() time.Time { return time.Now().Add(-10 * time.Minute) }}, listJob("1"), "", permanent414},
		{"reused nonce", yunxinsim.Options{RejectReusedNonce: true}, testCreds, yunxin.Config{Nonce: func() string { return "fixed" }}, listJob("1"), "", wantErr{schemas.ClassPermanent, 200, "431", 0}},
		{"forged page token", yunxinsim.Options{}, testCreds, yunxin.Config{}, listJob("1"), "forged", permanent414},
		{"over the qps cap", yunxinsim.Options{QPS: 1}, testCreds, yunxin.Config{}, listJob("1"), "", wantErr{schemas.ClassThrottled, 200, "416", 0}},
		{"job of another app", yunxinsim.Options{}, testCreds, yunxin.Config{}, schemas.Job{App: "other", UserID: "1"}, "", noCall},
		{"job of another provider", yunxinsim.Options{}, testCreds, yunxin.Config{}, schemas.Job{Provider: "volcengine", App: yunxinsim.TestAppKey, UserID: "1"}, "", noCall},
		{"job without user", yunxinsim.Options{}, testCreds, yunxin.Config{}, listJob(""), "", noCall},
		{"batch cursor not a number", yunxinsim.Options{}, testCreds, yunxin.Config{}, batchJob(batchIDs(3)), "x", noCall},
		{"batch cursor past the end", yunxinsim.Options{}, testCreds, yunxin.Config{}, batchJob(batchIDs(3)), "4", noCall},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := startSim(t, tt.opts)
			c := newClientWith(t, run.URL, tt.creds, tt.cfg, testGuard(1))
			if tt.name == "reused nonce" || tt.name == "over the qps cap" {
				if _, err := c.FetchPage(t.Context(), tt.job, tt.cursor); err != nil {
					t.Fatalf("first FetchPage: %v", err)
				}
			}
			_, err := c.FetchPage(t.Context(), tt.job, tt.cursor)
			checkErr(t, err, tt.want)
			if tt.want == noCall && run.Stats().Requests != 0 {
				t.Errorf("FetchPage sent %d requests, want none", run.Stats().Requests)
			}
		})
	}
}

// fixed serves the same answer to every request, for what no simulator
// fault produces: HTTP 429, body codes the table names, broken paging.
func fixed(t *testing.T, status int, hdr map[string]string, body string) string {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range hdr {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	t.Cleanup(s.Close)
	return s.URL
}

func TestFetchPageClassifiesAnswers(t *testing.T) {
	item := `{"conversation_id":"1|1|2","sender_id":"1","receiver_id":"2","type":1}`
	tests := []struct {
		name   string
		status int
		hdr    map[string]string
		body   string
		cursor string
		want   wantErr
	}{
		{"http 429 with retry-after", 429, map[string]string{"Retry-After": "7"}, "", "", wantErr{schemas.ClassThrottled, 429, "", 7 * time.Second}},
		{"http 502", 502, nil, "bad gateway", "", wantErr{schemas.ClassTransient, 502, "", 0}},
		{"http 404", 404, nil, "", "", wantErr{schemas.ClassTransient, 404, "", 0}},
		{"code 403", 200, nil, `{"code":403,"msg":"no permission","data":{}}`, "", wantErr{schemas.ClassPermanent, 200, "403", 0}},
		{"code 403 with odd data", 200, nil, `{"code":403,"msg":"no permission","data":[]}`, "", wantErr{schemas.ClassPermanent, 200, "403", 0}},
		{"success with odd data", 200, nil, `{"code":200,"msg":"success","data":[]}`, "", wantErr{schemas.ClassTransient, 200, "", 0}},
		{"success with null data", 200, nil, `{"code":200,"msg":"success","data":null}`, "", wantErr{schemas.ClassTransient, 200, "", 0}},
		{"code 514", 200, nil, `{"code":514,"msg":"unavailable","data":{}}`, "", wantErr{schemas.ClassTransient, 200, "514", 0}},
		{"code 0", 200, nil, `{"code":0,"msg":"","data":{}}`, "", wantErr{schemas.ClassPermanent, 200, "0", 0}},
		{"no code", 200, nil, `{"msg":"success","data":{}}`, "", wantErr{schemas.ClassTransient, 200, "", 0}},
		{"success without data", 200, nil, `{"code":200,"msg":"success"}`, "", wantErr{schemas.ClassTransient, 200, "", 0}},
		{"id as float", 200, nil, `{"code":200,"data":{"items":[{"conversation_id":"1|1|2","unread_count":1.5}]}}`, "", wantErr{schemas.ClassTransient, 200, "", 0}},
		{"has_more without next_token", 200, nil, `{"code":200,"data":{"has_more":true,"items":[` + item + `]}}`, "", wantErr{schemas.ClassPermanent, 0, "", 0}},
		{"has_more without next_token after the first page", 200, nil, `{"code":200,"data":{"has_more":true,"items":[` + item + `]}}`, "t0", wantErr{schemas.ClassPermanent, 0, "", 0}},
		{"next_token repeats", 200, nil, `{"code":200,"data":{"has_more":true,"next_token":"t1","items":[` + item + `]}}`, "t1", wantErr{schemas.ClassPermanent, 0, "", 0}},
		{"has_more on empty page", 200, nil, `{"code":200,"data":{"has_more":true,"next_token":"t2","items":[]}}`, "t1", wantErr{schemas.ClassPermanent, 0, "", 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClientWith(t, fixed(t, tt.status, tt.hdr, tt.body), testCreds, yunxin.Config{}, testGuard(1))
			_, err := c.FetchPage(t.Context(), listJob("1"), tt.cursor)
			checkErr(t, err, tt.want)
		})
	}
}

func TestFetchPageBatchReportsMissingIDs(t *testing.T) {
	body := `{"code":200,"msg":"success","data":{"success_list":[{"conversation_id":"1|1|2","type":1}],"failed_list":[{"conversation_id":"1|1|3","error_code":404,"error_msg":"gone"}]}}`
	c := newClientWith(t, fixed(t, 200, nil, body), testCreds, yunxin.Config{}, testGuard(1))
	job := listJob("1")
	job.ConversationIDs = []string{"1|1|2", "1|1|3", "1|1|4"}
	p, err := c.FetchPage(t.Context(), job, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Conversations) != 1 || len(p.Failed) != 2 || p.Failed[0].Code != 404 || p.Failed[1].ConversationID != "1|1|4" || !p.Done || p.Next != "3" {
		t.Errorf("FetchPage() = %+v, want 1|1|2 found, 1|1|3 failed 404, 1|1|4 reported missing, done", p)
	}
}

func TestFetchPageStopsOnCancel(t *testing.T) {
	run := startSim(t, yunxinsim.Options{Latency: time.Hour})
	c := newClient(t, run, yunxin.Config{})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := c.FetchPage(ctx, listJob("1"), "")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("FetchPage(cancelled ctx) = %v, want context.Canceled", err)
	}
}

func TestRetryIsSignedAfresh(t *testing.T) {
	run := startSim(t, yunxinsim.Options{RejectReusedNonce: true})
	g := providers.NewGuard("test", providers.GuardConfig{QPS: 1e6, MaxAttempts: 2, InitialInterval: time.Millisecond}, nil)
	c := newClientWith(t, run.URL, testCreds, yunxin.Config{}, g)
	run.Inject(simulator.FaultServerError, 1)
	if _, err := c.FetchPage(t.Context(), listJob(simulator.UserOne), ""); err != nil {
		t.Fatalf("FetchPage after one server error, with one retry: %v", err)
	}
	if st := run.Stats(); st.ListRequests != 2 || st.NonceReuses != 0 {
		t.Errorf("Stats() = %+v, want 2 list requests and no reused nonce", st)
	}
}
