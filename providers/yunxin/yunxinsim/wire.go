package yunxinsim

import "encoding/json"

// The v2 wire forms the simulator writes (docs/providers.md §2.4–§2.6).

type envelope struct {
	Code int    `json:"code"`
	Msg  string `json:"msg"`
	Data any    `json:"data"`
}

type listData struct {
	HasMore   bool              `json:"has_more"`
	NextToken string            `json:"next_token"`
	Items     []json.RawMessage `json:"items"`
}

type batchData struct {
	SuccessList []json.RawMessage `json:"success_list"`
	FailedList  []failedEntry     `json:"failed_list"`
}

type failedEntry struct {
	ConversationID string `json:"conversation_id"`
	ErrorCode      int    `json:"error_code"`
	ErrorMsg       string `json:"error_msg"`
}

type wireItem struct {
	ConversationID     string       `json:"conversation_id"`
	SenderID           string       `json:"sender_id"`
	ReceiverID         string       `json:"receiver_id"`
	Type               int32        `json:"type"`
	StickTop           bool         `json:"stick_top"`
	GroupIDs           []int64      `json:"group_ids,omitempty"`
	ServerExtension    string       `json:"server_extension,omitempty"`
	MessageState       int32        `json:"message_state"`
	LastMessage        *wireMessage `json:"last_message,omitempty"`
	RevokeNotification *wireRevoke  `json:"revoke_notification,omitempty"`
	RevokeMessage      *wireRevoke  `json:"revoke_message,omitempty"`
	UnreadCount        int64        `json:"unread_count"`
	SortOrder          int64        `json:"sort_order"`
	CreateTime         int64        `json:"create_time"`
	UpdateTime         int64        `json:"update_time"`
	LastReadTime       *int64       `json:"last_read_time,omitempty"`
}

// wireMessage is the flat last_message of the SDKs and the v2.1 doc.
type wireMessage struct {
	MessageServerID  int64           `json:"message_server_id"`
	MessageClientID  string          `json:"message_client_id"`
	SenderID         string          `json:"sender_id"`
	ReceiverID       string          `json:"receiver_id,omitempty"`
	TeamID           int64           `json:"team_id,omitempty"`
	ConversationType int32           `json:"conversation_type"`
	SenderClientType int32           `json:"sender_client_type"`
	MessageType      int32           `json:"message_type"`
	SubType          int32           `json:"sub_type"`
	CreateTime       int64           `json:"create_time"`
	Text             string          `json:"text,omitempty"`
	Attachment       json.RawMessage `json:"attachment,omitempty"`
	Extension        string          `json:"extension,omitempty"`
}

type wireRevoke struct {
	ServerID   int64  `json:"server_id"`
	Attach     string `json:"attach,omitempty"`
	RevokeID   string `json:"revoke_id"`
	CustomInfo string `json:"custom_info,omitempty"`
	RevokeType int32  `json:"revoke_type"`
}
