package yunxinsim

import (
	"encoding/json"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/chatlake/chatlake/providers/simulator"
)

// ExpectedItem is one conversation exactly as a simulator serves it.
type ExpectedItem struct {
	// ConversationID is {user}|{type}|{peer}.
	ConversationID string
	// Spec is the data-set conversation it renders.
	Spec simulator.Spec
	// Raw is the item's JSON, byte for byte as it appears in a response.
	Raw []byte
}

// Expected returns every conversation of user of app appKey, in the order
// a simulator with Options{Dataset: ds} lists them.
func Expected(ds simulator.Dataset, appKey, user string) []ExpectedItem {
	return catalog{ds: ds}.items(appKey, user)
}

// ExpectedBatch returns what a batch query for ids answers: the items
// found, in request order, and the IDs that go to failed_list.
func ExpectedBatch(ds simulator.Dataset, appKey string, ids []string) (found []ExpectedItem, failed []string) {
	return catalog{ds: ds}.lookup(appKey, ids)
}

// catalog renders the data set in Yunxin's v2 form.
type catalog struct {
	ds     simulator.Dataset
	legacy bool // revoke_message instead of revoke_notification
}

// entry is a data-set conversation with its Yunxin identity.
type entry struct {
	spec simulator.Spec
	peer string
	id   string
}

// dataset is the app's variant of the data set: the seed is mixed with the
// AppKey so a job sent to the wrong app cannot pass for a right one. The
// fixed-size users keep their sizes.
func (c catalog) dataset(appKey string) simulator.Dataset {
	h := fnv.New64a()
	h.Write([]byte(appKey))
	return simulator.Dataset{Seed: c.ds.Seed ^ h.Sum64(), ShortNames: c.ds.ShortNames}
}

// entries lists user's conversations with unique IDs. The peer of type 1
// is Spec.Peer, of types 2 and 3 the team ID Spec.ID; should two one-to-one
// chats draw the same peer, the later one's peer gets "-{index}" appended,
// keeping conversation_id unique per user as the provider does.
func (c catalog) entries(appKey, user string) []entry {
	specs := c.dataset(appKey).Conversations(user)
	out := make([]entry, len(specs))
	seen := make(map[string]bool, len(specs))
	for i, s := range specs {
		peer := strconv.FormatInt(s.Peer, 10)
		if s.Type != 1 {
			peer = strconv.FormatInt(s.ID, 10)
		}
		id := conversationID(user, s.Type, peer)
		if seen[id] {
			peer += "-" + strconv.Itoa(s.Index)
			id = conversationID(user, s.Type, peer)
		}
		seen[id] = true
		out[i] = entry{spec: s, peer: peer, id: id}
	}
	return out
}

func conversationID(user string, typ int32, peer string) string {
	return user + "|" + strconv.Itoa(int(typ)) + "|" + peer
}

func (c catalog) items(appKey, user string) []ExpectedItem {
	es := c.entries(appKey, user)
	out := make([]ExpectedItem, len(es))
	for i, e := range es {
		out[i] = ExpectedItem{ConversationID: e.id, Spec: e.spec, Raw: c.render(user, e)}
	}
	return out
}

// lookup finds ids. An ID is found when its owner part names a user whose
// list holds it; anything else, malformed included, fails.
func (c catalog) lookup(appKey string, ids []string) (found []ExpectedItem, failed []string) {
	byUser := map[string]map[string]entry{}
	for _, id := range ids {
		user, _, ok := strings.Cut(id, "|")
		if !ok || user == "" {
			failed = append(failed, id)
			continue
		}
		idx, ok := byUser[user]
		if !ok {
			idx = map[string]entry{}
			for _, e := range c.entries(appKey, user) {
				idx[e.id] = e
			}
			byUser[user] = idx
		}
		if e, ok := idx[id]; ok {
			found = append(found, ExpectedItem{ConversationID: id, Spec: e.spec, Raw: c.render(user, e)})
		} else {
			failed = append(failed, id)
		}
	}
	return found, failed
}

// render returns the item JSON of e. json.Marshal is deterministic and its
// output is already compact, so embedding it in an envelope keeps it byte
// for byte.
func (c catalog) render(user string, e entry) []byte {
	b, err := json.Marshal(c.item(user, e))
	if err != nil {
		panic("yunxinsim: render item: " + err.Error()) // only plain types: cannot happen
	}
	return b
}
