package schemas

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"time"
)

// EventSchemaVersion is the version of ConversationEvent this code writes.
// Consumers reject versions they do not know. Additive changes do not bump
// it; a breaking change would, and would also get new subjects.
const EventSchemaVersion = 1

// ConversationEvent is published once per conversation fetched, on
// chatlake.conversations.<provider>.<app>, as JSON. Its EventID is also the
// Nats-Msg-Id header, so JetStream drops a republished duplicate within the
// stream's duplicate window.
//
// The Conversation is embedded: its fields sit at the top level of the JSON.
type ConversationEvent struct {
	SchemaVersion int    `json:"schema_version"`
	EventID       string `json:"event_id"`
	JobID         string `json:"job_id"`
	// FetchedAt is when the producer received the page, UTC. It decides the
	// dt= partition of the Parquet file.
	FetchedAt time.Time `json:"fetched_at"`
	Conversation
}

// EventID returns the deterministic ID of a conversation's state: the
// lowercase hex of the first 16 bytes of
//
//	SHA-256(provider 0x00 app 0x00 user_id 0x00 conversation_id 0x00 raw)
//
// where raw is the provider's original item bytes. The same conversation in
// the same state gives the same ID however often it is fetched; any change
// the provider reports gives a new one.
func EventID(c *Conversation) string {
	h := sha256.New()
	var buf [256]byte
	b := buf[:0]
	for _, s := range []string{c.Provider, c.App, c.UserID, c.ConversationID} {
		b = append(append(b, s...), 0)
	}
	h.Write(b)
	h.Write(c.Raw)
	sum := h.Sum(buf[:0])
	return hex.EncodeToString(sum[:16])
}

// AppendEvent appends the JSON encoding of e to dst: the bytes json.Marshal
// gives without HTML escaping, except for the provider's JSON values, Raw
// and the Yunxin last message's Attachment, which are copied verbatim,
// never re-encoded or re-validated (json.Marshal would compact them,
// escape <, > and & and rewrite U+2028 and U+2029). An empty Raw is
// written as null, an empty Attachment not at all. It fails only on a time
// json.Marshal refuses (a year outside 0 to 9999).
//
// It encodes by hand, with no reflection and no buffer but dst: the
// producer encodes every event, and json.Marshal cost it more than the
// rest of the event's work. Tests compare it with json.Marshal.
func AppendEvent(dst []byte, e *ConversationEvent) ([]byte, error) {
	c := &e.Conversation
	// The fields repeat much of the item: twice its size is nearly always
	// enough, so the buffer grows once.
	w := jsonWriter{b: slices.Grow(dst, 2*len(c.Raw)+512)}
	w.open()
	w.int("schema_version", int64(e.SchemaVersion))
	w.str("event_id", e.EventID)
	w.str("job_id", e.JobID)
	w.time("fetched_at", &e.FetchedAt)
	w.str("provider", c.Provider)
	w.str("app", c.App)
	w.str("user_id", c.UserID)
	w.str("conversation_id", c.ConversationID)
	w.int("type", int64(c.Type))
	w.optStr("name", c.Name)
	w.optStr("owner_user_id", c.OwnerUserID)
	w.optStr("peer_id", c.PeerID)
	w.optTime("create_time", c.CreateTime)
	w.optTime("update_time", c.UpdateTime)
	if c.Volcengine != nil {
		w.key("volcengine")
		w.volcengine(c.Volcengine)
	}
	if c.Yunxin != nil {
		w.key("yunxin")
		w.yunxin(c.Yunxin)
	}
	raw := c.Raw
	if len(raw) == 0 {
		raw = []byte("null")
	}
	w.raw("raw", raw)
	w.close()
	if w.err != nil {
		return dst, w.err
	}
	return w.b, nil
}

func (w *jsonWriter) volcengine(v *VolcengineConversation) {
	w.open()
	w.int("conversation_short_id", v.ConversationShortID)
	w.optStr("conversation_id_str", v.ConversationIDStr)
	w.optInt32("app_id", v.AppID)
	w.optInt32("inbox_type", v.InboxType)
	w.optInt32("conversation_type", v.ConversationType)
	w.optStr("avatar_url", v.AvatarURL)
	w.optStr("description", v.Description)
	w.optStr("notice", v.Notice)
	w.optInt64("owner_user_id", v.OwnerUserID)
	w.optStr("owner_user_id_str", v.OwnerUserIDStr)
	w.optInt64("creator_user_id", v.CreatorUserID)
	w.optStr("creator_user_id_str", v.CreatorUserIDStr)
	w.optInt64("other_user_id", v.OtherUserID)
	w.optStr("other_user_id_str", v.OtherUserIDStr)
	w.optInt32("status", v.Status)
	w.key("ext")
	w.stringMap(v.Ext)
	w.optInt64("member_count", v.MemberCount)
	w.optInt64("online_count", v.OnlineCount)
	w.close()
}

func (w *jsonWriter) yunxin(y *YunxinConversation) {
	w.open()
	w.optInt32("type", y.Type)
	w.optStr("sender_id", y.SenderID)
	w.optStr("receiver_id", y.ReceiverID)
	if y.StickTop != nil {
		w.bool("stick_top", *y.StickTop)
	}
	w.key("group_ids")
	w.ints(y.GroupIDs)
	w.optStr("server_extension", y.ServerExtension)
	w.optInt32("message_state", y.MessageState)
	w.optInt64("unread_count", y.UnreadCount)
	w.optInt64("sort_order", y.SortOrder)
	w.optTime("last_read_time", y.LastReadTime)
	if r := y.RevokeNotification; r != nil {
		w.key("revoke_notification")
		w.open()
		w.optInt64("server_id", r.ServerID)
		w.optStr("attach", r.Attach)
		w.optStr("revoke_id", r.RevokeID)
		w.optStr("custom_info", r.CustomInfo)
		w.optInt32("revoke_type", r.RevokeType)
		w.close()
	}
	if y.LastMessage != nil {
		w.key("last_message")
		w.message(y.LastMessage)
	}
	w.close()
}

func (w *jsonWriter) message(m *YunxinMessage) {
	w.open()
	w.optInt64("message_server_id", m.MessageServerID)
	w.optStr("message_client_id", m.MessageClientID)
	w.optStr("sender_id", m.SenderID)
	w.optStr("receiver_id", m.ReceiverID)
	w.optInt64("team_id", m.TeamID)
	w.optInt32("conversation_type", m.ConversationType)
	w.optInt32("sender_client_type", m.SenderClientType)
	w.optInt32("message_type", m.MessageType)
	w.optInt32("sub_type", m.SubType)
	w.optTime("create_time", m.CreateTime)
	w.optStr("text", m.Text)
	w.optStr("extension", m.Extension)
	if len(m.Attachment) > 0 {
		w.raw("attachment", m.Attachment)
	}
	w.close()
}
