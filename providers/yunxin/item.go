package yunxin

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/chatlake/chatlake/providers"
	"github.com/chatlake/chatlake/schemas"
)

// item is a v2 ConversationInfo (docs/providers.md §2.4). Integers are typed
// int64 so values above 2^53 decode exactly; times are milliseconds. The
// fields of schemas.YunxinConversation are pointers (GroupIDs a slice), nil
// only when absent or null, so "", 0 and [] are kept.
type item struct {
	ConversationID  string   `json:"conversation_id"`
	SenderID        *string  `json:"sender_id"`
	ReceiverID      *string  `json:"receiver_id"`
	Type            *int32   `json:"type"`
	StickTop        *bool    `json:"stick_top"`
	GroupIDs        []int64  `json:"group_ids"`
	ServerExtension *string  `json:"server_extension"`
	MessageState    *int32   `json:"message_state"`
	LastMessage     *message `json:"last_message"`
	// Decision (open question 5): both names of the revocation are
	// accepted; revoke_notification wins when a response carries both.
	RevokeNotification *revoke `json:"revoke_notification"`
	RevokeMessage      *revoke `json:"revoke_message"`
	UnreadCount        *int64  `json:"unread_count"`
	SortOrder          *int64  `json:"sort_order"`
	CreateTime         *int64  `json:"create_time"`
	UpdateTime         *int64  `json:"update_time"`
	LastReadTime       *int64  `json:"last_read_time"`
}

// message is the flat last_message of the SDKs and the v2.1 doc. Decision
// (open question 5): the nested apifox form is not decoded; its unknown
// keys are ignored and Raw still holds them.
type message struct {
	MessageServerID  *int64          `json:"message_server_id"`
	MessageClientID  *string         `json:"message_client_id"`
	SenderID         *string         `json:"sender_id"`
	ReceiverID       *string         `json:"receiver_id"`
	TeamID           *int64          `json:"team_id"`
	ConversationType *int32          `json:"conversation_type"`
	SenderClientType *int32          `json:"sender_client_type"`
	MessageType      *int32          `json:"message_type"`
	SubType          *int32          `json:"sub_type"`
	CreateTime       *int64          `json:"create_time"`
	Text             *string         `json:"text"`
	Attachment       json.RawMessage `json:"attachment"`
	Extension        *string         `json:"extension"`
}

type revoke struct {
	ServerID   *int64  `json:"server_id"`
	Attach     *string `json:"attach"`
	RevokeID   *string `json:"revoke_id"`
	CustomInfo *string `json:"custom_info"`
	RevokeType *int32  `json:"revoke_type"`
}

// mapItems maps decoded items into conversations of user of app.
func mapItems(app, user string, items []providers.Item[item]) ([]schemas.Conversation, error) {
	out := make([]schemas.Conversation, 0, len(items))
	for i := range items {
		c, err := mapItem(app, user, &items[i])
		if err != nil {
			return nil, fmt.Errorf("item %d: %w", i, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// mapItem maps one decoded item. Raw keeps its exact bytes.
func mapItem(app, user string, d *providers.Item[item]) (schemas.Conversation, error) {
	raw, it := d.Raw, d.Value
	if string(raw) == "null" {
		return schemas.Conversation{}, fmt.Errorf("null item")
	}
	if it.ConversationID == "" {
		return schemas.Conversation{}, fmt.Errorf("no conversation_id")
	}
	lm := mapMessage(it.LastMessage)
	return schemas.Conversation{
		Provider:       schemas.ProviderYunxin,
		App:            app,
		UserID:         user,
		ConversationID: it.ConversationID,
		Type:           normalType(deref(it.Type)),
		OwnerUserID:    it.SenderID,
		PeerID:         peerID(&it),
		CreateTime:     millisPtr(it.CreateTime),
		UpdateTime:     millisPtr(it.UpdateTime),
		Yunxin:         yunxinFields(&it, lm),
		Raw:            raw,
	}, nil
}

func yunxinFields(it *item, lm *schemas.YunxinMessage) *schemas.YunxinConversation {
	y := &schemas.YunxinConversation{
		Type:            it.Type,
		SenderID:        it.SenderID,
		ReceiverID:      it.ReceiverID,
		StickTop:        it.StickTop,
		GroupIDs:        it.GroupIDs,
		ServerExtension: it.ServerExtension,
		MessageState:    it.MessageState,
		UnreadCount:     it.UnreadCount,
		SortOrder:       it.SortOrder,
		LastReadTime:    millisPtr(it.LastReadTime),
		LastMessage:     lm,
	}
	rv := it.RevokeNotification
	if rv == nil {
		rv = it.RevokeMessage
	}
	if rv != nil {
		y.RevokeNotification = &schemas.YunxinRevokeNotification{
			ServerID: rv.ServerID, Attach: rv.Attach, RevokeID: rv.RevokeID,
			CustomInfo: rv.CustomInfo, RevokeType: rv.RevokeType,
		}
	}
	return y
}

// mapMessage returns nil for an absent or null last_message; an empty
// object (the provider may send one when the last message was revoked) is
// a message with every field nil.
func mapMessage(m *message) *schemas.YunxinMessage {
	if m == nil {
		return nil
	}
	var att json.RawMessage
	if len(m.Attachment) > 0 && string(m.Attachment) != "null" {
		att = m.Attachment
	}
	return &schemas.YunxinMessage{
		MessageServerID: m.MessageServerID, MessageClientID: m.MessageClientID,
		SenderID: m.SenderID, ReceiverID: m.ReceiverID, TeamID: m.TeamID,
		ConversationType: m.ConversationType, SenderClientType: m.SenderClientType,
		MessageType: m.MessageType, SubType: m.SubType, CreateTime: millisPtr(m.CreateTime),
		Text: m.Text, Attachment: att, Extension: m.Extension,
	}
}

// normalType maps the Yunxin type; 1, 2 and 3 coincide with the schemas
// constants, anything else is unknown (Yunxin.Type keeps the original).
func normalType(t int32) int32 {
	switch t {
	case 1:
		return schemas.ConversationTypeOneToOne
	case 2:
		return schemas.ConversationTypeGroup
	case 3:
		return schemas.ConversationTypeSuperGroup
	}
	return schemas.ConversationTypeUnknown
}

// peerID is receiver_id when the provider sent a non-empty one, else the
// peer part of conversation_id ({owner}|{type}|{peer}), else receiver_id
// as sent ("" or nil).
func peerID(it *item) *string {
	if r := it.ReceiverID; r != nil && *r != "" {
		return r
	}
	if parts := strings.SplitN(it.ConversationID, "|", 3); len(parts) == 3 {
		return &parts[2]
	}
	return it.ReceiverID
}

// millisPtr converts provider milliseconds that may be absent; a present 0
// is the Unix epoch, as sent.
func millisPtr(ms *int64) *time.Time {
	if ms == nil {
		return nil
	}
	t := time.UnixMilli(*ms).UTC()
	return &t
}

// deref is *p, or the zero value when p is nil.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
