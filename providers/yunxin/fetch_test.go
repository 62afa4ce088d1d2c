package yunxin_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/providers/yunxin"
	"github.com/chatlake/chatlake/providers/yunxin/yunxinsim"
	"github.com/chatlake/chatlake/schemas"
	"github.com/google/go-cmp/cmp"
)

func listJob(user string) schemas.Job {
	return schemas.Job{JobID: "j", Provider: schemas.ProviderYunxin, App: yunxinsim.TestAppKey, UserID: user}
}

func TestFetchPageListsEveryConversationOnce(t *testing.T) {
	ds := simulator.Dataset{Seed: 3}
	run := startSim(t, yunxinsim.Options{Dataset: ds, QPS: yunxinsim.QPSOff})
	for _, limit := range []int{0, 20, 33} {
		c := newClient(t, run, yunxin.Config{ListLimit: limit})
		for user, n := range simulator.SizedUsers {
			t.Run(fmt.Sprintf("limit=%d/user=%s", limit, user), func(t *testing.T) {
				pages := fetchAll(t.Context(), t, c, listJob(user))
				size := limit
				if size == 0 {
					size = 100
				}
				if want := max(1, (n+size-1)/size); len(pages) != want {
					t.Errorf("FetchPage pages = %d, want %d", len(pages), want)
				}
				var got []schemas.Conversation
				for _, p := range pages {
					got = append(got, p.Conversations...)
				}
				checkAgainstExpected(t, got, yunxinsim.Expected(ds, yunxinsim.TestAppKey, user), user)
			})
		}
	}
}

// checkAgainstExpected checks that got holds want exactly once each, in
// order, byte for byte.
func checkAgainstExpected(t *testing.T, got []schemas.Conversation, want []yunxinsim.ExpectedItem, user string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d conversations, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.ConversationID != w.ConversationID || string(g.Raw) != string(w.Raw) {
			t.Errorf("conversation %d = %s %s, want %s %s", i, g.ConversationID, g.Raw, w.ConversationID, w.Raw)
		}
		if g.Provider != schemas.ProviderYunxin || g.App != yunxinsim.TestAppKey || g.UserID != user {
			t.Errorf("conversation %d: provider/app/user = %s/%s/%s, want %s/%s/%s", i, g.Provider, g.App, g.UserID, schemas.ProviderYunxin, yunxinsim.TestAppKey, user)
		}
	}
}

func TestFetchPageMapsHardValues(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		t.Run("legacy="+strconv.FormatBool(legacy), func(t *testing.T) {
			run := startSim(t, yunxinsim.Options{LegacyRevokeKey: legacy})
			c := newClient(t, run, yunxin.Config{})
			var got []schemas.Conversation
			for _, p := range fetchAll(t.Context(), t, c, listJob(simulator.UserMany)) {
				got = append(got, p.Conversations...)
			}
			want := run.Expected(yunxinsim.TestAppKey, simulator.UserMany)
			if len(got) != len(want) {
				t.Fatalf("got %d conversations, want %d", len(got), len(want))
			}
			var seen hardSeen
			for i := range want {
				checkMapping(t, got[i], want[i], &seen)
			}
			if seen != (hardSeen{bigTeam: true, bigGroup: true, revoked: true, longExt: true, attachment: true}) {
				t.Errorf("hard values seen = %+v, want all", seen)
			}
		})
	}
}

type hardSeen struct{ bigTeam, bigGroup, revoked, longExt, attachment bool }

// checkMapping compares one mapped conversation with its data-set Spec.
func checkMapping(t *testing.T, g schemas.Conversation, w yunxinsim.ExpectedItem, seen *hardSeen) {
	t.Helper()
	s, y := w.Spec, g.Yunxin
	parts := strings.SplitN(w.ConversationID, "|", 3)
	if y == nil || g.Type != s.Type || val(y.Type) != s.Type || val(g.OwnerUserID) != parts[0] || val(g.PeerID) != parts[2] {
		t.Fatalf("%s: type/owner/peer = %d/%v/%v, want %d/%s/%s", w.ConversationID, g.Type, g.OwnerUserID, g.PeerID, s.Type, parts[0], parts[2])
	}
	if g.CreateTime == nil || g.UpdateTime == nil || !g.CreateTime.Equal(s.Created) || !g.UpdateTime.Equal(s.Modified) || g.CreateTime.Location() != time.UTC {
		t.Errorf("%s: times = %v, %v, want %v, %v UTC", w.ConversationID, g.CreateTime, g.UpdateTime, s.Created, s.Modified)
	}
	if val(y.StickTop) != s.Pinned || val(y.UnreadCount) != s.Unread || (val(y.MessageState) == 1) != s.Revoked {
		t.Errorf("%s: stick_top/unread/state = %v/%v/%v, want %v/%d/revoked %v", w.ConversationID, y.StickTop, y.UnreadCount, y.MessageState, s.Pinned, s.Unread, s.Revoked)
	}
	if s.Revoked {
		seen.revoked = true
		if y.RevokeNotification == nil || val(y.RevokeNotification.ServerID) != s.ID+1 || y.LastMessage != nil {
			t.Errorf("%s: revoked, got notification %+v and last message %+v", w.ConversationID, y.RevokeNotification, y.LastMessage)
		}
		return
	}
	m := y.LastMessage
	if m == nil || val(m.MessageServerID) != s.ID+1 || val(m.Text) != s.Text || !val(m.CreateTime).Equal(s.Modified) {
		t.Fatalf("%s: last message %+v, want server id %d, text %q", w.ConversationID, m, s.ID+1, s.Text)
	}
	if s.Type != 1 && val(m.TeamID) != s.ID {
		t.Errorf("%s: team_id = %v, want %d", w.ConversationID, m.TeamID, s.ID)
	}
	seen.bigTeam = seen.bigTeam || (s.Type != 1 && s.ID > 1<<53)
	seen.bigGroup = seen.bigGroup || slices.Contains(y.GroupIDs, 1<<60+int64(s.Index))
	seen.longExt = seen.longExt || (len(s.Name) > 4096 && strings.Contains(val(y.ServerExtension), s.Name))
	seen.attachment = seen.attachment || json.Valid(m.Attachment) && strings.Contains(string(m.Attachment), strconv.FormatInt(s.ID, 10))
}

func batchJob(ids []string) schemas.Job {
	j := listJob(simulator.UserMany)
	j.ConversationIDs = ids
	return j
}

// batchIDs returns n IDs of UserMany; every 10th is unknown to the provider.
func batchIDs(n int) []string {
	items := yunxinsim.Expected(simulator.Dataset{}, yunxinsim.TestAppKey, simulator.UserMany)
	ids := make([]string, n)
	for i := range ids {
		ids[i] = items[i%len(items)].ConversationID
		if i%10 == 9 {
			ids[i] = simulator.UserMany + "|1|unknown" + strconv.Itoa(i)
		}
	}
	return ids
}

func TestFetchPageBatch(t *testing.T) {
	for _, n := range []int{1, 100, 101, 250} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			run := startSim(t, yunxinsim.Options{})
			c := newClient(t, run, yunxin.Config{})
			ids := batchIDs(n)
			pages := fetchAll(t.Context(), t, c, batchJob(ids))
			if want := (n + 99) / 100; len(pages) != want || run.Stats().BatchRequests != want {
				t.Errorf("FetchPage pages = %d in %d calls, want %d", len(pages), run.Stats().BatchRequests, want)
			}
			var got []schemas.Conversation
			var failed []string
			for _, p := range pages {
				got = append(got, p.Conversations...)
				for _, f := range p.Failed {
					failed = append(failed, f.ConversationID)
					if f.Code != 414 || f.Message == "" {
						t.Errorf("failed item %+v, want code 414 and a message", f)
					}
				}
			}
			wantFound, wantFailed := run.ExpectedBatch(yunxinsim.TestAppKey, ids)
			checkAgainstExpected(t, got, wantFound, simulator.UserMany)
			if diff := cmp.Diff(wantFailed, failed); diff != "" {
				t.Errorf("failed IDs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFetchPageBatchRejectsIDsLocally(t *testing.T) {
	run := startSim(t, yunxinsim.Options{})
	c := newClient(t, run, yunxin.Config{BatchSize: 3})
	good := batchIDs(2)
	// An ID the provider knows, of another user: it must not be exported
	// as UserMany's.
	other := yunxinsim.Expected(simulator.Dataset{}, yunxinsim.TestAppKey, simulator.UserTwenty)[0].ConversationID
	ids := []string{"", other, good[0], "a,b|1|c", simulator.UserMany + "|9|1", "nopipes", good[1]}
	pages := fetchAll(t.Context(), t, c, batchJob(ids))
	var got, failed []string
	for _, p := range pages {
		for _, cv := range p.Conversations {
			got = append(got, cv.ConversationID)
		}
		for _, f := range p.Failed {
			failed = append(failed, f.ConversationID)
		}
	}
	if diff := cmp.Diff(good, got); diff != "" {
		t.Errorf("conversations (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"", other, "a,b|1|c", simulator.UserMany + "|9|1", "nopipes"}, failed); diff != "" {
		t.Errorf("failed (-want +got):\n%s", diff)
	}
	// Pages of 3: [bad bad good] [bad bad nopipes] [good]; the middle one
	// needs no call.
	if got := run.Stats().BatchRequests; got != 2 {
		t.Errorf("batch calls = %d, want 2", got)
	}
}

func TestBatchGetConversationsSplits(t *testing.T) {
	run := startSim(t, yunxinsim.Options{})
	c := newClient(t, run, yunxin.Config{})
	ids := batchIDs(250)
	res, err := c.BatchGetConversations(t.Context(), simulator.UserMany, ids)
	if err != nil {
		t.Fatal(err)
	}
	found, failed := run.ExpectedBatch(yunxinsim.TestAppKey, ids)
	if len(res.Conversations) != len(found) || len(res.Failed) != len(failed) || run.Stats().BatchRequests != 3 {
		t.Errorf("BatchGetConversations(250 ids) = %d found, %d failed in %d calls, want %d, %d in 3",
			len(res.Conversations), len(res.Failed), run.Stats().BatchRequests, len(found), len(failed))
	}
}

func TestFetchPageFreshNoncePerRequest(t *testing.T) {
	run := startSim(t, yunxinsim.Options{RejectReusedNonce: true})
	c := newClient(t, run, yunxin.Config{ListLimit: 10})
	fetchAll(t.Context(), t, c, listJob(simulator.UserTwentyOne))
	if st := run.Stats(); st.NonceReuses != 0 || st.ListRequests != 3 {
		t.Errorf("Stats() = %+v, want 3 list requests and no reused nonce", st)
	}
}

// val is *p, or the zero value when p is nil.
func val[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
