package exporter_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/schemas"
)

// testEvents returns n realistic events, alternating Volcengine and Yunxin,
// built from the simulator's data set: int64 IDs above 2^53, Chinese and
// emoji, empty and 9 KB strings, every provider field filled.
func testEvents(n int, fetched time.Time) []schemas.ConversationEvent {
	ds := simulator.Dataset{Seed: 7}
	out := make([]schemas.ConversationEvent, n)
	for i := range n {
		user := strconv.Itoa(200_000 + i/40)
		s := ds.Conversation(user, i%40)
		var c schemas.Conversation
		if i%2 == 0 {
			c = volcConversation(user, s)
		} else {
			c = yunxinConversation(user, s)
		}
		out[i] = schemas.ConversationEvent{
			SchemaVersion: schemas.EventSchemaVersion,
			EventID:       schemas.EventID(&c),
			JobID:         fmt.Sprintf("job-%d", i/40),
			FetchedAt:     fetched.Add(time.Duration(i) * time.Microsecond).UTC(),
			Conversation:  c,
		}
	}
	return out
}

func ptrTo[T any](v T) *T { return &v }

// strOf is *p, or "" when p is nil.
func strOf(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func volcConversation(user string, s simulator.Spec) schemas.Conversation {
	id := strconv.FormatInt(s.ID, 10)
	v := &schemas.VolcengineConversation{
		ConversationShortID: s.ID, ConversationIDStr: ptrTo(id), AppID: ptrTo(int32(123456)), InboxType: ptrTo(int32(0)),
		ConversationType: ptrTo(min(s.Type, 2)), AvatarURL: ptrTo("https://example.com/a/" + id + ".png"),
		Description: ptrTo(s.Name), Notice: ptrTo(""), OwnerUserID: ptrTo(s.Owner),
		OwnerUserIDStr: ptrTo(strconv.FormatInt(s.Owner, 10)), CreatorUserID: ptrTo(s.Creator),
		Status: ptrTo(int32(0)), Ext: s.Ext, MemberCount: ptrTo(s.Members), OnlineCount: ptrTo(s.Members / 2),
	}
	if s.Type == 1 {
		v.OtherUserID, v.OtherUserIDStr = ptrTo(s.Peer), ptrTo(strconv.FormatInt(s.Peer, 10))
	}
	if s.Dissolved {
		v.Status = ptrTo(int32(1))
	}
	raw, _ := json.Marshal(map[string]any{"ConversationShortId": s.ID, "Name": s.Name, "Ext": s.Ext, "i": s.Index})
	return schemas.Conversation{
		Provider: schemas.ProviderVolcengine, App: "123456", UserID: user, ConversationID: id,
		Type: min(s.Type, 2), Name: ptrTo(s.Name), OwnerUserID: ptrTo(strconv.FormatInt(s.Owner, 10)),
		PeerID: ptrTo(strconv.FormatInt(s.Peer, 10)), CreateTime: ptrTo(s.Created), UpdateTime: ptrTo(s.Modified),
		Volcengine: v, Raw: raw,
	}
}

func yunxinConversation(user string, s simulator.Spec) schemas.Conversation {
	peer := strconv.FormatInt(s.Peer, 10)
	id := user + "|" + strconv.Itoa(int(s.Type)) + "|" + peer
	y := &schemas.YunxinConversation{
		Type: ptrTo(s.Type), SenderID: ptrTo(user), ReceiverID: ptrTo(peer), StickTop: ptrTo(s.Pinned),
		GroupIDs: []int64{s.ID, 1<<62 + 7}, ServerExtension: ptrTo(`{"k":"值 ✨"}`), MessageState: ptrTo(int32(0)), UnreadCount: ptrTo(s.Unread),
		SortOrder: ptrTo(s.Modified.UnixMilli()), LastReadTime: ptrTo(s.Modified.Add(-time.Minute)),
		LastMessage: &schemas.YunxinMessage{
			MessageServerID: ptrTo(s.ID), MessageClientID: ptrTo("c-" + peer), SenderID: ptrTo(peer), ReceiverID: ptrTo(user),
			ConversationType: ptrTo(s.Type), SenderClientType: ptrTo(int32(16)), MessageType: ptrTo(int32(0)),
			CreateTime: ptrTo(s.Modified), Text: ptrTo(s.Text), Attachment: json.RawMessage(`{"url":"https://x/y","size":9007199254740993}`),
			Extension: ptrTo("ext"),
		},
	}
	if s.Type != 1 {
		y.LastMessage.TeamID = ptrTo(s.Peer)
	}
	if s.Revoked {
		y.MessageState = ptrTo(int32(1))
		y.RevokeNotification = &schemas.YunxinRevokeNotification{ServerID: ptrTo(s.ID), Attach: ptrTo("撤回"), RevokeID: ptrTo("r" + peer), RevokeType: ptrTo(int32(1))}
	}
	raw, _ := json.Marshal(map[string]any{"conversation_id": id, "name": s.Name, "i": s.Index, "big": s.ID})
	return schemas.Conversation{
		Provider: schemas.ProviderYunxin, App: "yx_app-1", UserID: user, ConversationID: id,
		Type: s.Type, Name: ptrTo(s.Name), OwnerUserID: ptrTo(user), PeerID: ptrTo(peer),
		CreateTime: ptrTo(s.Created), UpdateTime: ptrTo(s.Modified), Yunxin: y, Raw: raw,
	}
}
