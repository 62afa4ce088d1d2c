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
	// Name is the group name; empty for one-to-one chats.
	Name string `json:"name,omitempty"`
	// OwnerUserID is the group owner (Volcengine) or the conversation owner
	// (Yunxin sender_id).
	OwnerUserID string `json:"owner_user_id,omitempty"`
	// PeerID is the other user of a one-to-one chat, or the team ID of a
	// Yunxin team conversation.
	PeerID string `json:"peer_id,omitempty"`
	// CreateTime and UpdateTime are in UTC; zero when the provider sent none.
	CreateTime time.Time `json:"create_time"`
	UpdateTime time.Time `json:"update_time"`

	Volcengine *VolcengineConversation `json:"volcengine,omitempty"`
	Yunxin     *YunxinConversation     `json:"yunxin,omitempty"`

	// Raw is the provider's original item JSON, unchanged.
	Raw json.RawMessage `json:"raw"`
}

// VolcengineConversation holds the fields of a Volcengine RTC IM
// ConversationInfo that have no common counterpart. Pointers are nil when
// the provider omitted the field.
type VolcengineConversation struct {
	ConversationShortID int64             `json:"conversation_short_id"`
	ConversationIDStr   string            `json:"conversation_id_str,omitempty"`
	AppID               int32             `json:"app_id"`
	InboxType           int32             `json:"inbox_type"`
	ConversationType    int32             `json:"conversation_type"`
	AvatarURL           *string           `json:"avatar_url,omitempty"`
	Description         *string           `json:"description,omitempty"`
	Notice              *string           `json:"notice,omitempty"`
	OwnerUserID         int64             `json:"owner_user_id"`
	OwnerUserIDStr      *string           `json:"owner_user_id_str,omitempty"`
	CreatorUserID       int64             `json:"creator_user_id"`
	CreatorUserIDStr    *string           `json:"creator_user_id_str,omitempty"`
	OtherUserID         *int64            `json:"other_user_id,omitempty"`
	OtherUserIDStr      *string           `json:"other_user_id_str,omitempty"`
	Status              *int32            `json:"status,omitempty"` // 0 normal, 1 dissolved
	Ext                 map[string]string `json:"ext,omitempty"`
	MemberCount         *int64            `json:"member_count,omitempty"`
	OnlineCount         *int64            `json:"online_count,omitempty"`
}

// YunxinConversation holds the fields of a Yunxin IM v2 conversation item
// that have no common counterpart.
type YunxinConversation struct {
	Type               int32                     `json:"type"` // 1 P2P, 2 advanced team, 3 super team
	SenderID           string                    `json:"sender_id"`
	ReceiverID         string                    `json:"receiver_id"`
	StickTop           bool                      `json:"stick_top"`
	GroupIDs           []int64                   `json:"group_ids,omitempty"`
	ServerExtension    string                    `json:"server_extension,omitempty"`
	MessageState       int32                     `json:"message_state"` // 0 normal, 1 last message revoked
	UnreadCount        int64                     `json:"unread_count"`
	SortOrder          int64                     `json:"sort_order"`
	LastReadTime       *time.Time                `json:"last_read_time,omitempty"`
	LastMessage        *YunxinMessage            `json:"last_message,omitempty"`
	RevokeNotification *YunxinRevokeNotification `json:"revoke_notification,omitempty"`
}

// YunxinMessage is the last message of a Yunxin conversation.
type YunxinMessage struct {
	MessageServerID  int64           `json:"message_server_id"`
	MessageClientID  string          `json:"message_client_id,omitempty"`
	SenderID         string          `json:"sender_id,omitempty"`
	ReceiverID       string          `json:"receiver_id,omitempty"`
	TeamID           int64           `json:"team_id,omitempty"`
	ConversationType int32           `json:"conversation_type"`
	SenderClientType int32           `json:"sender_client_type"`
	MessageType      int32           `json:"message_type"`
	SubType          int32           `json:"sub_type"`
	CreateTime       time.Time       `json:"create_time"`
	Text             string          `json:"text,omitempty"`
	Attachment       json.RawMessage `json:"attachment,omitempty"`
	Extension        string          `json:"extension,omitempty"`
}

// YunxinRevokeNotification describes the revocation of a conversation's last
// message (message_state 1). The provider calls it revoke_notification or,
// in older versions, revoke_message.
type YunxinRevokeNotification struct {
	ServerID   int64  `json:"server_id"`
	Attach     string `json:"attach,omitempty"`
	RevokeID   string `json:"revoke_id,omitempty"`
	CustomInfo string `json:"custom_info,omitempty"`
	RevokeType int32  `json:"revoke_type"`
}
