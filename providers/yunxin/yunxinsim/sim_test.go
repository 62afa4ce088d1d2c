package yunxinsim_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/providers/yunxin/yunxinsim"
)

// answer is the decoded v2 envelope.
type answer struct {
	HTTP int
	Code int             `json:"code"`
	Msg  string          `json:"msg"`
	Data json.RawMessage `json:"data"`
	Hdr  http.Header
}

type signer struct {
	app, secret, nonce string
	now                time.Time
}

func (s signer) sign(h http.Header) {
	cur := strconv.FormatInt(s.now.Unix(), 10)
	sum := sha1.Sum([]byte(s.secret + s.nonce + cur))
	h.Set("AppKey", s.app)
	h.Set("Nonce", s.nonce)
	h.Set("CurTime", cur)
	h.Set("CheckSum", hex.EncodeToString(sum[:]))
}

func goodSigner(nonce string) signer {
	return signer{yunxinsim.TestAppKey, yunxinsim.TestAppSecret, nonce, time.Now()}
}

// do sends one request straight to the handler.
func do(t testing.TB, s http.Handler, path string, q url.Values, sg *signer) answer {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path+"?"+q.Encode(), nil)
	if sg != nil {
		sg.sign(req.Header)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	a := answer{HTTP: rec.Code, Hdr: rec.Header()}
	if rec.Code == http.StatusOK {
		if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil {
			t.Fatalf("GET %s: body %q: %v", path, rec.Body.String(), err)
		}
	}
	return a
}

func listQuery(user string) url.Values { return url.Values{"account_id": {user}, "limit": {"10"}} }

func TestAuthentication(t *testing.T) {
	past := time.Now().Add(-301 * time.Second)
	future := time.Now().Add(301 * time.Second)
	near := time.Now().Add(-290 * time.Second)
	tests := []struct {
		name string
		sg   *signer
		mod  func(h http.Header)
		want int
	}{
		{"valid", &signer{yunxinsim.TestAppKey, yunxinsim.TestAppSecret, "n1", time.Now()}, nil, 200},
		{"second app", &signer{yunxinsim.TestAppKey2, yunxinsim.TestAppSecret2, "n1", time.Now()}, nil, 200},
		{"within skew", &signer{yunxinsim.TestAppKey, yunxinsim.TestAppSecret, "n1", near}, nil, 200},
		{"no headers", nil, nil, 414},
		{"no nonce", &signer{yunxinsim.TestAppKey, yunxinsim.TestAppSecret, "n1", time.Now()}, func(h http.Header) { h.Del("Nonce") }, 414},
		{"wrong secret", &signer{yunxinsim.TestAppKey, "wrong", "n1", time.Now()}, nil, 414},
		{"other app's secret", &signer{yunxinsim.TestAppKey, yunxinsim.TestAppSecret2, "n1", time.Now()}, nil, 414},
		{"unknown app", &signer{"nope", yunxinsim.TestAppSecret, "n1", time.Now()}, nil, 414},
		{"curtime too old", &signer{yunxinsim.TestAppKey, yunxinsim.TestAppSecret, "n1", past}, nil, 414},
		{"curtime in future", &signer{yunxinsim.TestAppKey, yunxinsim.TestAppSecret, "n1", future}, nil, 414},
		{"uppercase checksum", &signer{yunxinsim.TestAppKey, yunxinsim.TestAppSecret, "n1", time.Now()}, func(h http.Header) { h.Set("CheckSum", strings.ToUpper(h.Get("CheckSum"))) }, 414},
		{"nonce changed after signing", &signer{yunxinsim.TestAppKey, yunxinsim.TestAppSecret, "n1", time.Now()}, func(h http.Header) { h.Set("Nonce", "n2") }, 414},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := yunxinsim.New(yunxinsim.Options{})
			req := httptest.NewRequest(http.MethodGet, yunxinsim.PathList+"?account_id=1", nil)
			if tt.sg != nil {
				tt.sg.sign(req.Header)
			}
			if tt.mod != nil {
				tt.mod(req.Header)
			}
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			var a answer
			if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil || rec.Code != 200 {
				t.Fatalf("ServeHTTP = HTTP %d %q, want HTTP 200 with JSON", rec.Code, rec.Body)
			}
			if a.Code != tt.want {
				t.Errorf("ServeHTTP code = %d (%s), want %d", a.Code, a.Msg, tt.want)
			}
			wantFail := 0
			if tt.want == 414 {
				wantFail = 1
			}
			if got := s.Stats().ChecksumFailures; got != wantFail {
				t.Errorf("Stats().ChecksumFailures = %d, want %d", got, wantFail)
			}
		})
	}
}

func TestRejectReusedNonce(t *testing.T) {
	s := yunxinsim.New(yunxinsim.Options{RejectReusedNonce: true})
	sg := goodSigner("same")
	for i, want := range []int{200, 431} {
		if a := do(t, s, yunxinsim.PathList, listQuery("1"), &sg); a.Code != want {
			t.Errorf("request %d with nonce %q: code = %d, want %d", i, sg.nonce, a.Code, want)
		}
	}
	other := goodSigner("fresh")
	if a := do(t, s, yunxinsim.PathList, listQuery("1"), &other); a.Code != 200 {
		t.Errorf("fresh nonce: code = %d, want 200", a.Code)
	}
	if got := s.Stats().NonceReuses; got != 1 {
		t.Errorf("Stats().NonceReuses = %d, want 1", got)
	}
}

func TestParameterLimits(t *testing.T) {
	ids := func(n int) string {
		s := make([]string, n)
		for i := range s {
			s[i] = "1|1|" + strconv.Itoa(i)
		}
		return strings.Join(s, ",")
	}
	tests := []struct {
		path string
		q    url.Values
		want int
	}{
		{yunxinsim.PathList, url.Values{"account_id": {"1"}}, 200},
		{yunxinsim.PathList, url.Values{"account_id": {"1"}, "limit": {"1"}}, 200},
		{yunxinsim.PathList, url.Values{"account_id": {"1"}, "limit": {"100"}}, 200},
		{yunxinsim.PathList, url.Values{"account_id": {"1"}, "limit": {"0"}}, 414},
		{yunxinsim.PathList, url.Values{"account_id": {"1"}, "limit": {"101"}}, 414},
		{yunxinsim.PathList, url.Values{"account_id": {"1"}, "limit": {"ten"}}, 414},
		{yunxinsim.PathList, url.Values{"limit": {"10"}}, 414},
		{yunxinsim.PathList, url.Values{"account_id": {"1"}, "page_token": {"forged"}}, 414},
		{yunxinsim.PathBatch, url.Values{"conversation_ids": {ids(100)}}, 200},
		{yunxinsim.PathBatch, url.Values{"conversation_ids": {ids(101)}}, 414},
		{yunxinsim.PathBatch, url.Values{}, 414},
	}
	for _, tt := range tests {
		s := yunxinsim.New(yunxinsim.Options{})
		sg := goodSigner("n")
		if a := do(t, s, tt.path, tt.q, &sg); a.Code != tt.want {
			t.Errorf("GET %s?%s: code = %d (%s), want %d", tt.path, tt.q.Encode(), a.Code, a.Msg, tt.want)
		}
	}
}

func TestTokenBoundToUser(t *testing.T) {
	s := yunxinsim.New(yunxinsim.Options{})
	sg := goodSigner("n")
	a := do(t, s, yunxinsim.PathList, listQuery(simulator.UserMany), &sg)
	var d struct {
		NextToken string `json:"next_token"`
	}
	json.Unmarshal(a.Data, &d)
	if d.NextToken == "" {
		t.Fatalf("first page of %s: no next_token", simulator.UserMany)
	}
	q := listQuery(simulator.UserTwentyOne)
	q.Set("page_token", d.NextToken)
	if a := do(t, s, yunxinsim.PathList, q, &sg); a.Code != 414 {
		t.Errorf("token of another user: code = %d, want 414", a.Code)
	}
}

func TestListServesExpected(t *testing.T) {
	s := yunxinsim.New(yunxinsim.Options{Dataset: simulator.Dataset{Seed: 7}})
	sg := goodSigner("n")
	want := yunxinsim.Expected(simulator.Dataset{Seed: 7}, yunxinsim.TestAppKey, simulator.UserTwentyOne)
	var got []json.RawMessage
	q := url.Values{"account_id": {simulator.UserTwentyOne}, "limit": {"20"}}
	for range 3 {
		a := do(t, s, yunxinsim.PathList, q, &sg)
		var d struct {
			HasMore   bool              `json:"has_more"`
			NextToken string            `json:"next_token"`
			Items     []json.RawMessage `json:"items"`
		}
		if err := json.Unmarshal(a.Data, &d); err != nil {
			t.Fatal(err)
		}
		got = append(got, d.Items...)
		if !d.HasMore {
			break
		}
		q.Set("page_token", d.NextToken)
	}
	if len(got) != len(want) {
		t.Fatalf("listed %d items, want %d", len(got), len(want))
	}
	for i := range want {
		if string(got[i]) != string(want[i].Raw) {
			t.Errorf("item %d = %s, want %s", i, got[i], want[i].Raw)
		}
	}
}

func TestExpectedItems(t *testing.T) {
	ds := simulator.Dataset{Seed: 1}
	for _, app := range []string{yunxinsim.TestAppKey, yunxinsim.TestAppKey2} {
		for user, n := range simulator.SizedUsers {
			items := yunxinsim.Expected(ds, app, user)
			if len(items) != n {
				t.Errorf("Expected(%s, %s) has %d items, want %d", app, user, len(items), n)
			}
			checkItems(t, user, items)
		}
	}
	a := yunxinsim.Expected(ds, yunxinsim.TestAppKey, simulator.UserMany)
	b := yunxinsim.Expected(ds, yunxinsim.TestAppKey2, simulator.UserMany)
	if a[0].ConversationID == b[0].ConversationID {
		t.Errorf("apps %s and %s serve the same first conversation %s", yunxinsim.TestAppKey, yunxinsim.TestAppKey2, a[0].ConversationID)
	}
}

func checkItems(t *testing.T, user string, items []ExpectedItem) {
	t.Helper()
	seen := map[string]bool{}
	for _, it := range items {
		if seen[it.ConversationID] {
			t.Errorf("user %s: duplicate conversation_id %s", user, it.ConversationID)
		}
		seen[it.ConversationID] = true
		wantPrefix := user + "|" + strconv.Itoa(int(it.Spec.Type)) + "|"
		if !strings.HasPrefix(it.ConversationID, wantPrefix) {
			t.Errorf("conversation_id %s, want prefix %s", it.ConversationID, wantPrefix)
		}
		var m map[string]any
		if err := json.Unmarshal(it.Raw, &m); err != nil {
			t.Fatalf("item %s: invalid JSON: %v", it.ConversationID, err)
		}
		_, revoked := m["revoke_notification"]
		if revoked != it.Spec.Revoked {
			t.Errorf("item %s: has revoke_notification %v, want %v", it.ConversationID, revoked, it.Spec.Revoked)
		}
	}
}

type ExpectedItem = yunxinsim.ExpectedItem

// One-to-one chats of a user often draw the same peer (about one seed in
// three for 350 conversations); the IDs must stay unique all the same.
func TestExpectedUniqueAcrossSeeds(t *testing.T) {
	for seed := range uint64(20) {
		items := yunxinsim.Expected(simulator.Dataset{Seed: seed}, yunxinsim.TestAppKey, simulator.UserMany)
		seen := map[string]bool{}
		for _, it := range items {
			if seen[it.ConversationID] {
				t.Errorf("seed %d: duplicate conversation_id %s", seed, it.ConversationID)
			}
			seen[it.ConversationID] = true
		}
	}
}

func TestExpectedBatch(t *testing.T) {
	ds := simulator.Dataset{}
	items := yunxinsim.Expected(ds, yunxinsim.TestAppKey, simulator.UserTwenty)
	ids := []string{items[3].ConversationID, "", "nope", simulator.UserTwenty + "|1|0", items[0].ConversationID, "|1|5"}
	found, failed := yunxinsim.ExpectedBatch(ds, yunxinsim.TestAppKey, ids)
	if len(found) != 2 || found[0].ConversationID != ids[0] || found[1].ConversationID != ids[4] {
		t.Errorf("ExpectedBatch found %d items, want %s and %s in order", len(found), ids[0], ids[4])
	}
	if want := []string{"", "nope", simulator.UserTwenty + "|1|0", "|1|5"}; strings.Join(failed, ";") != strings.Join(want, ";") {
		t.Errorf("ExpectedBatch failed = %q, want %q", failed, want)
	}
}

func TestLegacyRevokeKey(t *testing.T) {
	s := yunxinsim.New(yunxinsim.Options{LegacyRevokeKey: true})
	var revoked int
	for _, it := range s.Expected(yunxinsim.TestAppKey, simulator.UserTwenty) {
		if it.Spec.Revoked {
			revoked++
			if !strings.Contains(string(it.Raw), `"revoke_message":`) || strings.Contains(string(it.Raw), "revoke_notification") {
				t.Errorf("item %s = %s, want revoke_message only", it.ConversationID, it.Raw)
			}
		}
	}
	if revoked == 0 {
		t.Fatal("no revoked conversation among UserTwenty's")
	}
}

func TestFaults(t *testing.T) {
	tests := []struct {
		f         simulator.Fault
		wantHTTP  int
		wantCode  int
		wantRetry string
	}{
		{simulator.FaultServerError, 200, 500, ""},
		{simulator.FaultThrottle, 200, 416, "2"},
		{simulator.FaultAuth, 200, 414, ""},
		{simulator.FaultUnavailable, 503, 0, ""},
		{simulator.FaultNone, 200, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.f.String(), func(t *testing.T) {
			s := yunxinsim.New(yunxinsim.Options{Rates: simulator.Rates{RetryAfter: 1500 * time.Millisecond}})
			s.Inject(tt.f, 1)
			sg := goodSigner("n")
			a := do(t, s, yunxinsim.PathList, listQuery("1"), &sg)
			if a.HTTP != tt.wantHTTP || a.Code != tt.wantCode {
				t.Errorf("injected %v: HTTP %d code %d, want HTTP %d code %d", tt.f, a.HTTP, a.Code, tt.wantHTTP, tt.wantCode)
			}
			if got := a.Hdr.Get("Retry-After"); got != tt.wantRetry {
				t.Errorf("injected %v: Retry-After %q, want %q", tt.f, got, tt.wantRetry)
			}
			if a := do(t, s, yunxinsim.PathList, listQuery("1"), &sg); a.Code != 200 {
				t.Errorf("request after the fault: code %d, want 200", a.Code)
			}
		})
	}
}

func TestMalformedAndDropOverHTTP(t *testing.T) {
	run, err := yunxinsim.Start(yunxinsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })
	// No keep-alive: net/http silently resends an idempotent GET once when
	// a reused connection drops, which would hide the fault.
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	get := func() (*http.Response, error) {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, run.URL+yunxinsim.PathList+"?account_id=1", nil)
		goodSigner(strconv.Itoa(time.Now().Nanosecond())).sign(req.Header)
		return hc.Do(req)
	}
	run.Inject(simulator.FaultMalformed, 1)
	resp, err := get()
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.NewDecoder(resp.Body).Decode(&v); err == nil {
		t.Errorf("malformed fault: body decoded as JSON")
	}
	resp.Body.Close()
	run.Inject(simulator.FaultDrop, 1)
	if resp, err := get(); err == nil {
		resp.Body.Close()
		t.Errorf("drop fault: got HTTP %d, want a connection error", resp.StatusCode)
	}
	st := run.Stats()
	if st.Requests != 2 || st.ListRequests != 2 || st.Faults[simulator.FaultDrop] != 1 || st.Faults[simulator.FaultMalformed] != 1 {
		t.Errorf("Stats() = %+v, want 2 requests, 1 drop, 1 malformed", st)
	}
}

func TestQPSCap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := yunxinsim.New(yunxinsim.Options{QPS: 5})
		codes := map[int]int{}
		for i := range 7 {
			sg := goodSigner("n" + strconv.Itoa(i))
			codes[do(t, s, yunxinsim.PathList, listQuery("1"), &sg).Code]++
		}
		if codes[200] != 5 || codes[416] != 2 {
			t.Errorf("7 requests at once with QPS 5: codes %v, want 5×200 and 2×416", codes)
		}
		other := signer{yunxinsim.TestAppKey2, yunxinsim.TestAppSecret2, "x", time.Now()}
		if c := do(t, s, yunxinsim.PathList, listQuery("1"), &other).Code; c != 200 {
			t.Errorf("other app in the same second: code %d, want 200", c)
		}
		time.Sleep(time.Second)
		sg := goodSigner("later")
		if c := do(t, s, yunxinsim.PathList, listQuery("1"), &sg).Code; c != 200 {
			t.Errorf("a second later: code %d, want 200", c)
		}
		if got := s.Stats().QPSViolations; got != 2 {
			t.Errorf("Stats().QPSViolations = %d, want 2", got)
		}
	})
}

func TestQPSOff(t *testing.T) {
	s := yunxinsim.New(yunxinsim.Options{QPS: yunxinsim.QPSOff})
	sg := goodSigner("n")
	for i := range 150 {
		if c := do(t, s, yunxinsim.PathList, listQuery("1"), &sg).Code; c != 200 {
			t.Fatalf("request %d with the cap off: code %d, want 200", i, c)
		}
	}
}

func TestWaitsHonourContext(t *testing.T) {
	tests := []struct {
		name string
		opts yunxinsim.Options
		f    simulator.Fault
	}{
		{"latency", yunxinsim.Options{Latency: time.Hour}, simulator.FaultNone},
		{"slow", yunxinsim.Options{Rates: simulator.Rates{SlowBy: time.Hour}}, simulator.FaultSlow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := yunxinsim.New(tt.opts)
				s.Inject(tt.f, 1)
				ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
				defer cancel()
				req := httptest.NewRequestWithContext(ctx, http.MethodGet, yunxinsim.PathList+"?account_id=1", nil)
				goodSigner("n").sign(req.Header)
				start := time.Now()
				s.ServeHTTP(httptest.NewRecorder(), req)
				if got := time.Since(start); got != time.Minute {
					t.Errorf("ServeHTTP returned after %v, want %v (the request's deadline)", got, time.Minute)
				}
				if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
					t.Errorf("ctx.Err() = %v, want deadline exceeded", ctx.Err())
				}
			})
		})
	}
}

// TestListServesFixtureVerbatim checks that the hand-written items reach the
// wire unchanged, across pages.
func TestListServesFixtureVerbatim(t *testing.T) {
	s := yunxinsim.New(yunxinsim.Options{})
	sg := goodSigner("f")
	want := yunxinsim.Fixture()
	var got []json.RawMessage
	q := url.Values{"account_id": {simulator.UserFixture}, "limit": {"2"}}
	for range len(want) {
		a := do(t, s, yunxinsim.PathList, q, &sg)
		var d struct {
			HasMore   bool              `json:"has_more"`
			NextToken string            `json:"next_token"`
			Items     []json.RawMessage `json:"items"`
		}
		if err := json.Unmarshal(a.Data, &d); err != nil {
			t.Fatal(err)
		}
		got = append(got, d.Items...)
		if !d.HasMore {
			break
		}
		q.Set("page_token", d.NextToken)
	}
	if len(want) < 5 || len(got) != len(want) {
		t.Fatalf("listed %d items, want the %d of the fixture", len(got), len(want))
	}
	for i := range want {
		if string(got[i]) != string(want[i]) {
			t.Errorf("item %d = %q, want %q", i, got[i], want[i])
		}
	}
}
