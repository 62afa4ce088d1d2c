package volcengine_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/providers/volcengine"
	"github.com/chatlake/chatlake/providers/volcengine/volcsim"
	"github.com/chatlake/chatlake/schemas"
)

func TestFetchPageRejectsInvalidJobs(t *testing.T) {
	ts := startSim(t, volcsim.Options{})
	c := newClient(t, ts.URL, fastGuard(1), volcengine.Config{})
	for _, tc := range []struct {
		name   string
		job    schemas.Job
		cursor string
	}{
		{"app not a number", schemas.Job{App: "abc", UserID: "1"}, ""},
		{"app above int32", schemas.Job{App: "2147483648", UserID: "1"}, ""},
		{"app zero", schemas.Job{App: "0", UserID: "1"}, ""},
		{"app negative", schemas.Job{App: "-5", UserID: "1"}, ""},
		{"empty user", schemas.Job{App: testApp}, ""},
		{"cursor not a number", schemas.Job{App: testApp, UserID: "1"}, "x"},
		{"negative cursor", schemas.Job{App: testApp, UserID: "1"}, "-20"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.FetchPage(t.Context(), tc.job, tc.cursor)
			checkErr(t, fmt.Sprintf("FetchPage(%+v, %q)", tc.job, tc.cursor), err, wantErr{schemas.ClassPermanent, 0, "InvalidJob", 0})
		})
	}
	if n := ts.Stats().Requests; n != 0 {
		t.Errorf("simulator saw %d requests for invalid jobs, want 0", n)
	}
}

func TestFetchPageStopsLoops(t *testing.T) {
	for _, tc := range []struct {
		name, result, cursor, code string
	}{
		{"cursor stuck", `{"ConversationInfos":[{"ConversationShortId":1}],"HasMore":true,"NextCursor":40}`, "40", "CursorStuck"},
		{"empty page with more", `{"ConversationInfos":[],"HasMore":true,"NextCursor":60}`, "40", "EmptyPageWithMore"},
		{"null list with more", `{"HasMore":true,"NextCursor":1}`, "", "EmptyPageWithMore"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := rawServer(t, func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, `{"ResponseMetadata":{"RequestId":"r"},"Result":`+tc.result+`}`)
			})
			c := newClient(t, srv.URL, fastGuard(1), volcengine.Config{})
			_, err := c.FetchPage(t.Context(), schemas.Job{App: testApp, UserID: "1"}, tc.cursor)
			checkErr(t, "FetchPage()", err, wantErr{schemas.ClassPermanent, 200, tc.code, 0})
		})
	}
}

func TestFetchPageMapsBothOwnerSpellings(t *testing.T) {
	items := `[{"ConversationShortId":9007199254740993,"ConversationType":2,"OwnerUid":9007199254740995,"CreatorUid":7,"Name":"g","CreateTime":1700000000,"ModifyTime":0},` +
		`{"ConversationShortId":2,"ConversationType":1,"OwnerUserId":8,"OwnerUid":9,"OtherUserId":9223372036854775807}]`
	srv := rawServer(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"ResponseMetadata":{},"Result":{"ConversationInfos":`+items+`,"HasMore":false,"NextCursor":2}}`)
	})
	c := newClient(t, srv.URL, fastGuard(1), volcengine.Config{})
	page, err := c.FetchPage(t.Context(), schemas.Job{App: testApp, UserID: "1"}, "")
	if err != nil || len(page.Conversations) != 2 || !page.Done || page.Next != "2" {
		t.Fatalf("FetchPage() = %+v, %v, want 2 conversations, done, next 2", page, err)
	}
	g, p := page.Conversations[0], page.Conversations[1]
	for _, tc := range []struct{ field, got, want string }{
		{"group id", g.ConversationID, "9007199254740993"},
		{"group owner (OwnerUid)", *g.OwnerUserID, "9007199254740995"},
		{"group creator (CreatorUid)", fmt.Sprint(*g.Volcengine.CreatorUserID), "7"},
		{"group create time", g.CreateTime.String(), time.Unix(1700000000, 0).UTC().String()},
		{"group zero modify time (the epoch)", g.UpdateTime.String(), time.Unix(0, 0).UTC().String()},
		{"group no peer", fmt.Sprint(g.PeerID), "<nil>"},
		{"peer owner (OwnerUserId wins)", *p.OwnerUserID, "8"},
		{"peer id", *p.PeerID, "9223372036854775807"},
		{"peer no name", fmt.Sprint(p.Name), "<nil>"},
		{"peer no times", fmt.Sprint(p.CreateTime, p.UpdateTime), "<nil> <nil>"},
		{"raw", string(p.Raw), `{"ConversationShortId":2,"ConversationType":1,"OwnerUserId":8,"OwnerUid":9,"OtherUserId":9223372036854775807}`},
	} {
		if tc.got != tc.want {
			t.Errorf("FetchPage() %s = %s, want %s", tc.field, tc.got, tc.want)
		}
	}
}

// recorder is a handler that records requests and fails the first n.
type recorder struct {
	mu     sync.Mutex
	fail   int
	bodies []string
	dates  []string
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.bodies = append(rec.bodies, string(b))
	rec.dates = append(rec.dates, r.Header.Get(volcengine.HeaderDate))
	if len(rec.bodies) <= rec.fail {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	io.WriteString(w, `{"Result":{"ConversationInfos":[],"HasMore":false,"NextCursor":0}}`)
}

func TestRequestBody(t *testing.T) {
	for _, tc := range []struct {
		name string
		req  volcengine.Request
		want string
	}{
		{"vector 1", volcengine.Request{AppID: 123456, UserID: "10001", DataType: ptr(int32(0))},
			`{"AppId":123456,"ParticipantUserId":10001,"DataType":0,"Cursor":0,"Limit":20}`},
		{"string user, all options", volcengine.Request{AppID: 7, UserID: "alice", Cursor: 40, Limit: 5,
			DataType: ptr(int32(2)), SkipMemberCount: ptr(true), InboxType: ptr(int32(1))},
			`{"AppId":7,"ParticipantUserId":0,"ParticipantUserIdStr":"alice","DataType":2,"Cursor":40,"Limit":5,"SkipMemberCount":true,"InboxType":1}`},
		{"leading zero is a string", volcengine.Request{AppID: 7, UserID: "007"},
			`{"AppId":7,"ParticipantUserId":0,"ParticipantUserIdStr":"007","Cursor":0,"Limit":20}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			srv := rawServer(t, rec.ServeHTTP)
			c := newClient(t, srv.URL, fastGuard(1), volcengine.Config{})
			if _, err := c.GetUserConversations(t.Context(), tc.req); err != nil {
				t.Fatalf("GetUserConversations(%+v) = %v", tc.req, err)
			}
			if len(rec.bodies) != 1 || rec.bodies[0] != tc.want {
				t.Errorf("GetUserConversations(%+v) sent %q, want %q", tc.req, rec.bodies, tc.want)
			}
		})
	}
}

func TestRetriesResendSameBodyWithFreshDate(t *testing.T) {
	rec := &recorder{fail: 2}
	srv := rawServer(t, rec.ServeHTTP)
	var mu sync.Mutex
	clock := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	now := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(time.Second)
		return clock
	}
	c := newClient(t, srv.URL, fastGuard(3), volcengine.Config{Now: now})
	if _, err := c.GetUserConversations(t.Context(), volcengine.Request{AppID: 1, UserID: "u"}); err != nil {
		t.Fatalf("GetUserConversations() = %v, want success on the third attempt", err)
	}
	if len(rec.bodies) != 3 {
		t.Fatalf("server saw %d attempts, want 3", len(rec.bodies))
	}
	for i := 1; i < 3; i++ {
		if rec.bodies[i] != rec.bodies[0] || rec.dates[i] == rec.dates[i-1] {
			t.Errorf("attempt %d: body %q date %s; want body %q and a date after %s", i, rec.bodies[i], rec.dates[i], rec.bodies[0], rec.dates[i-1])
		}
	}
}

func TestRequestValidation(t *testing.T) {
	srv := rawServer(t, (&recorder{}).ServeHTTP)
	c := newClient(t, srv.URL, fastGuard(1), volcengine.Config{})
	for _, req := range []volcengine.Request{
		{AppID: 1, UserID: "1", Limit: 21},
		{AppID: 1, UserID: "1", Limit: -1},
		{AppID: 0, UserID: "1"},
		{AppID: 1},
		{AppID: 1, UserID: "1", Cursor: -1},
	} {
		_, err := c.GetUserConversations(t.Context(), req)
		checkErr(t, fmt.Sprintf("GetUserConversations(%+v)", req), err, wantErr{schemas.ClassPermanent, 0, "InvalidRequest", 0})
	}
}

func TestPageSizeAndSkipMemberCount(t *testing.T) {
	ts := startSim(t, volcsim.Options{QPS: -1})
	c := newClient(t, ts.URL, fastGuard(1), volcengine.Config{PageSize: 7})
	res, err := c.GetUserConversations(t.Context(), volcengine.Request{AppID: volcsim.TestAppID, UserID: simulator.UserTwenty, SkipMemberCount: ptr(true)})
	if err != nil || len(res.Conversations) != 7 || !res.HasMore || res.NextCursor != 7 {
		t.Fatalf("GetUserConversations(page size 7) = %+v, %v; want 7 conversations, more, next 7", res, err)
	}
	for _, ci := range res.Conversations {
		if ci.MemberCount != nil || strings.Contains(string(ci.Raw), "MemberCount") {
			t.Errorf("SkipMemberCount: item %s has a member count", ci.Raw)
		}
	}
}

// TestSigningKeyFollowsTheDay: the client keeps the day's signing key; a
// request after midnight (UTC) is signed with the new day's key, which the
// simulator's own verifier checks.
func TestSigningKeyFollowsTheDay(t *testing.T) {
	var mu sync.Mutex
	clock := time.Date(2026, 5, 6, 23, 59, 59, 0, time.UTC)
	now := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return clock
	}
	ts := startSim(t, volcsim.Options{QPS: -1, Now: now})
	c := newClient(t, ts.URL, fastGuard(1), volcengine.Config{Now: now})
	job := schemas.Job{App: testApp, UserID: simulator.UserOne}
	for _, at := range []time.Time{clock, clock.Add(2 * time.Second), clock.Add(26 * time.Hour)} {
		mu.Lock()
		clock = at
		mu.Unlock()
		if _, err := c.FetchPage(t.Context(), job, ""); err != nil {
			t.Fatalf("at %v: FetchPage = %v", at, err)
		}
	}
}
