package volcengine_test

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/providers/volcengine"
	"github.com/chatlake/chatlake/providers/volcengine/volcsim"
	"github.com/chatlake/chatlake/schemas"
)

const testApp = "123456"

func TestFetchPageCollectsEveryConversationOnce(t *testing.T) {
	ds := simulator.Dataset{Seed: 7}
	ts := startSim(t, volcsim.Options{Dataset: ds, QPS: -1})
	c := newClient(t, ts.URL, fastGuard(1), volcengine.Config{})
	users := append(slices.Sorted(maps.Keys(simulator.SizedUsers)), "alice.wang@example.com", "用户-7", "007")
	for _, user := range users {
		for dt := range int32(3) {
			t.Run(fmt.Sprintf("%s/datatype=%d", user, dt), func(t *testing.T) {
				got := fetchAll(t, c, schemas.Job{App: testApp, UserID: user, DataType: &dt}, 100)
				want := volcsim.Expected(ds, volcsim.TestAppID, user, dt)
				if len(got) != len(want) || len(got) != ds.Count(user) {
					t.Fatalf("FetchPage(%s, %d) collected %d conversations, want %d", user, dt, len(got), len(want))
				}
				seen := map[string]bool{}
				for i, g := range got {
					wantID := strconv.FormatInt(want[i].ConversationShortID, 10)
					if g.ConversationID != wantID || string(g.Raw) != string(want[i].Raw) {
						t.Errorf("conversation %d = %s %s, want %s %s", i, g.ConversationID, g.Raw, wantID, want[i].Raw)
					}
					if seen[g.ConversationID] {
						t.Errorf("conversation %s collected twice", g.ConversationID)
					}
					seen[g.ConversationID] = true
				}
			})
		}
	}
}

func TestFetchPageKeepsHardValues(t *testing.T) {
	ds := simulator.Dataset{Seed: 3}
	ts := startSim(t, volcsim.Options{Dataset: ds, QPS: -1})
	c := newClient(t, ts.URL, fastGuard(1), volcengine.Config{})
	for _, user := range []string{simulator.UserMany, "bob@例子.cn"} {
		got := fetchAll(t, c, schemas.Job{App: testApp, UserID: user, DataType: ptr(int32(1))}, 100)
		want := volcsim.Expected(ds, volcsim.TestAppID, user, 1)
		if len(got) != len(want) {
			t.Fatalf("FetchPage(%s) collected %d conversations, want %d", user, len(got), len(want))
		}
		var hard hardCounts
		for i := range got {
			checkConversation(t, user, &got[i], want[i].Spec, &hard)
		}
		if user == simulator.UserMany && (hard.bigID == 0 || hard.bigPeer == 0 || hard.emoji == 0 ||
			hard.emptyName == 0 || hard.long == 0 || hard.dissolved == 0) {
			t.Errorf("hard values not all seen for %s: %+v", user, hard)
		}
	}
}

type hardCounts struct{ bigID, bigPeer, emoji, emptyName, long, dissolved int }

// checkConversation compares every mapped field with the data set's spec.
func checkConversation(t *testing.T, user string, g *schemas.Conversation, s simulator.Spec, hard *hardCounts) {
	t.Helper()
	v := g.Volcengine
	if g.Provider != schemas.ProviderVolcengine || g.App != testApp || g.UserID != user || v == nil {
		t.Fatalf("conversation %d: provider %q app %q user %q volcengine %v", s.Index, g.Provider, g.App, g.UserID, v)
	}
	if v.ConversationShortID != s.ID || g.CreateTime == nil || g.UpdateTime == nil ||
		!g.CreateTime.Equal(s.Created) || !g.UpdateTime.Equal(s.Modified) || g.CreateTime.Location() != time.UTC {
		t.Errorf("conversation %d: id %d created %v modified %v, want %d %v %v", s.Index, v.ConversationShortID, g.CreateTime, g.UpdateTime, s.ID, s.Created, s.Modified)
	}
	if diff := cmp.Diff(s.Ext, v.Ext); diff != "" {
		t.Errorf("conversation %d: Ext diff (-want +got):\n%s", s.Index, diff)
	}
	wantOwner := user
	if s.Type == 1 {
		if g.Type != schemas.ConversationTypeOneToOne || g.PeerID == nil || *g.PeerID != strconv.FormatInt(s.Peer, 10) {
			t.Errorf("conversation %d: type %d peer %v, want one-to-one with %d", s.Index, g.Type, g.PeerID, s.Peer)
		}
	} else {
		dissolved := v.Status != nil && *v.Status == 1
		if g.Type != schemas.ConversationTypeGroup || g.Name == nil || *g.Name != s.Name || dissolved != s.Dissolved {
			t.Errorf("conversation %d: type %d name %.40v dissolved %v, want group %.40q %v", s.Index, g.Type, g.Name, dissolved, s.Name, s.Dissolved)
		}
		hard.count(s)
	}
	if g.OwnerUserID == nil || *g.OwnerUserID != wantOwner {
		t.Errorf("conversation %d: owner %v, want %q", s.Index, g.OwnerUserID, wantOwner)
	}
	if s.ID > 1<<53 {
		hard.bigID++
	}
	if s.Peer > 1<<53 && s.Type == 1 {
		hard.bigPeer++
	}
}

func (h *hardCounts) count(s simulator.Spec) {
	switch {
	case s.Name == "":
		h.emptyName++
	case len(s.Name) > 4096:
		h.long++
	case strings.Contains(s.Name, "🎉") || strings.Contains(s.Name, "项目"):
		h.emoji++
	}
	if s.Dissolved {
		h.dissolved++
	}
}
