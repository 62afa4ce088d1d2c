package schemas

import (
	"encoding/json"
	"time"
)

// Provider names, as they appear in subjects, events and partition paths.
const (
	ProviderVolcengine = "volcengine"
	ProviderYunxin     = "yunxin"
)

// Conversation types after normalization. Provider-specific type codes are
// kept unchanged in Volcengine.ConversationType and Yunxin.Type.
const (
	ConversationTypeUnknown    int32 = 0
	ConversationTypeOneToOne   int32 = 1 // Volcengine 1, Yunxin 1 (P2P)
	ConversationTypeGroup      int32 = 2 // Volcengine 2, Yunxin 2 (advanced team)
	ConversationTypeSuperGroup int32 = 3 // Yunxin 3 (super team)
)

// Conversation is one conversation of one user as any provider reports it,
// normalized: user IDs are strings, times are UTC, and exactly one of
// Volcengine or Yunxin holds the provider's own fields. Raw keeps the item
// exactly as the provider sent it, byte for byte, so nothing is lost.
//
// A Conversation is a plain value; it is safe to share once built.
type Conversation struct {
	// Provider is ProviderVolcengine or ProviderYunxin.
	Provider string `json:"provider"`
	// App is the Volcengine AppId (decimal) or the Yunxin AppKey.
	App string `json:"app"`
	// UserID is the user whose conversation list this came from.
	UserID string `json:"user_id"`
	// ConversationID identifies the conversation within the app: the
	// Volcengine ConversationShortId in decimal, or the Yunxin conversation_id.
	ConversationID string `json:"conversation_id"`
	// Type is one of the ConversationType constants.
	Type int32 `json:"type"`
	// Name, OwnerUserID, PeerID, CreateTime and UpdateTime follow the rule
	// of the provider fields: nil only when no provider field gives them,
	// or the provider sent null; "" and 0 are kept (a time of 0 is the Unix
	// epoch). The README's lake section says which provider field gives
	// each.
	//
	// Name is the group name (Volcengine Name; Yunxin sends none).
	Name *string `json:"name,omitempty"`
	// OwnerUserID is the group owner (Volcengine OwnerUserIdStr, or
	// OwnerUserId in decimal) or the conversation owner (Yunxin sender_id).
	OwnerUserID *string `json:"owner_user_id,omitempty"`
	// PeerID is the other user of a one-to-one chat (Volcengine
	// OtherUserIdStr or OtherUserId), or the Yunxin receiver_id, else the
	// peer part of the Yunxin conversation_id.
	PeerID *string `json:"peer_id,omitempty"`
	// CreateTime and UpdateTime are in UTC.
	CreateTime *time.Time `json:"create_time,omitempty"`
	UpdateTime *time.Time `json:"update_time,omitempty"`

	Volcengine *VolcengineConversation `json:"volcengine,omitempty"`
	Yunxin     *YunxinConversation     `json:"yunxin,omitempty"`

	// Raw is the provider's original item JSON, unchanged.
	Raw json.RawMessage `json:"raw"`
}

// VolcengineConversation holds the fields of a Volcengine RTC IM
// ConversationInfo that have no common counterpart. What the provider sent
// is what a field holds: a pointer is nil, a map or slice nil, only when the
// provider omitted the field or sent null; "", 0, {} and [] are kept.
type VolcengineConversation struct {
	ConversationShortID int64             `json:"conversation_short_id"`
	ConversationIDStr   *string           `json:"conversation_id_str,omitempty"`
	AppID               *int32            `json:"app_id,omitempty"`
	InboxType           *int32            `json:"inbox_type,omitempty"`
	ConversationType    *int32            `json:"conversation_type,omitempty"`
	AvatarURL           *string           `json:"avatar_url,omitempty"`
	Description         *string           `json:"description,omitempty"`
	Notice              *string           `json:"notice,omitempty"`
	OwnerUserID         *int64            `json:"owner_user_id,omitempty"`
	OwnerUserIDStr      *string           `json:"owner_user_id_str,omitempty"`
	CreatorUserID       *int64            `json:"creator_user_id,omitempty"`
	CreatorUserIDStr    *string           `json:"creator_user_id_str,omitempty"`
	OtherUserID         *int64            `json:"other_user_id,omitempty"`
	OtherUserIDStr      *string           `json:"other_user_id_str,omitempty"`
	Status              *int32            `json:"status,omitempty"` // 0 normal, 1 dissolved
	Ext                 map[string]string `json:"ext"`              // null when not sent, {} kept
	MemberCount         *int64            `json:"member_count,omitempty"`
	OnlineCount         *int64            `json:"online_count,omitempty"`
}

// YunxinConversation holds the fields of a Yunxin IM v2 conversation item
// that have no common counterpart, under the rule of VolcengineConversation:
// nil only for a field the provider omitted or sent as null.
type YunxinConversation struct {
	Type               *int32                    `json:"type,omitempty"` // 1 P2P, 2 advanced team, 3 super team
	SenderID           *string                   `json:"sender_id,omitempty"`
	ReceiverID         *string                   `json:"receiver_id,omitempty"`
	StickTop           *bool                     `json:"stick_top,omitempty"`
	GroupIDs           []int64                   `json:"group_ids"` // null when not sent, [] kept
	ServerExtension    *string                   `json:"server_extension,omitempty"`
	MessageState       *int32                    `json:"message_state,omitempty"` // 0 normal, 1 last message revoked
	UnreadCount        *int64                    `json:"unread_count,omitempty"`
	SortOrder          *int64                    `json:"sort_order,omitempty"`
	LastReadTime       *time.Time                `json:"last_read_time,omitempty"` // the provider's 0 is the Unix epoch
	RevokeNotification *YunxinRevokeNotification `json:"revoke_notification,omitempty"`
	// LastMessage is last so that AppendEvent, which splices it in after
	// the other fields, keeps the field order of json.Marshal.
	LastMessage *YunxinMessage `json:"last_message,omitempty"`
}

// YunxinMessage is the last message of a Yunxin conversation; an empty
// object from the provider is a YunxinMessage with every field nil.
type YunxinMessage struct {
	MessageServerID  *int64     `json:"message_server_id,omitempty"`
	MessageClientID  *string    `json:"message_client_id,omitempty"`
	SenderID         *string    `json:"sender_id,omitempty"`
	ReceiverID       *string    `json:"receiver_id,omitempty"`
	TeamID           *int64     `json:"team_id,omitempty"`
	ConversationType *int32     `json:"conversation_type,omitempty"`
	SenderClientType *int32     `json:"sender_client_type,omitempty"`
	MessageType      *int32     `json:"message_type,omitempty"`
	SubType          *int32     `json:"sub_type,omitempty"`
	CreateTime       *time.Time `json:"create_time,omitempty"` // the provider's 0 is the Unix epoch
	Text             *string    `json:"text,omitempty"`
	Extension        *string    `json:"extension,omitempty"`
	// Attachment is the attachment's JSON value (any type), byte for byte
	// as the provider sent it; nil when the provider omitted it or sent
	// null. AppendEvent copies it verbatim, after the other fields.
	Attachment json.RawMessage `json:"attachment,omitempty"`
}

// YunxinRevokeNotification describes the revocation of a conversation's last
// message (message_state 1). The provider calls it revoke_notification or,
// in older versions, revoke_message.
type YunxinRevokeNotification struct {
	ServerID   *int64  `json:"server_id,omitempty"`
	Attach     *string `json:"attach,omitempty"`
	RevokeID   *string `json:"revoke_id,omitempty"`
	CustomInfo *string `json:"custom_info,omitempty"`
	RevokeType *int32  `json:"revoke_type,omitempty"`
}
