package schemas

import (
	"strconv"
	"time"
)

// Parquet file contract. ParquetSchemaVersion is written in every file's
// key/value metadata under ParquetMetaSchemaVersion; it changes only when a
// column changes meaning or type (adding an optional column does not bump
// it). ParquetMetaWriterVersion holds the exporter's build version.
const (
	ParquetSchemaVersion     = 1
	ParquetMetaSchemaVersion = "chatlake.schema_version"
	ParquetMetaWriterVersion = "chatlake.writer_version"
)

// ConversationRow is one row of the conversations table in the lake: one
// ConversationEvent, fully typed. Columns that only one provider fills are
// prefixed volc_ (Volcengine) or yx_ (Yunxin) and are null for the other.
//
// Types: IDs are strings, with an int64 companion where the provider's ID is
// numeric; times are TIMESTAMP(MICROS) adjusted to UTC; enums are int32; ext
// is a MAP<STRING,STRING>; raw is the provider's original item as JSON text,
// byte for byte.
//
// Every typed column holds what the provider sent: NULL only when the
// provider omitted the field or sent null; "", 0, {} and [] stay themselves
// (a time of 0 is the Unix epoch). The common columns name, owner_user_id,
// peer_id, create_time and update_time follow the same rule for the
// provider field that gives them (see Conversation); NULL when none does.
//
// A ConversationRow is a plain value; build it with RowFromEvent.
type ConversationRow struct {
	EventID        string `parquet:"event_id"`
	SchemaVersion  int32  `parquet:"schema_version"`
	JobID          string `parquet:"job_id,dict"`
	FetchedAt      int64  `parquet:"fetched_at,timestamp(microsecond:utc)"`
	Provider       string `parquet:"provider,dict"`
	App            string `parquet:"app,dict"`
	UserID         string `parquet:"user_id,dict"`
	ConversationID string `parquet:"conversation_id"`
	// ConversationIDInt64 is the numeric conversation ID (Volcengine
	// ConversationShortId); null for Yunxin, whose IDs are strings.
	ConversationIDInt64 *int64  `parquet:"conversation_id_int64,optional"`
	Type                int32   `parquet:"type"`
	Name                *string `parquet:"name,optional"`
	OwnerUserID         *string `parquet:"owner_user_id,optional,dict"`
	PeerID              *string `parquet:"peer_id,optional"`
	CreateTime          *int64  `parquet:"create_time,optional,timestamp(microsecond:utc)"`
	UpdateTime          *int64  `parquet:"update_time,optional,timestamp(microsecond:utc)"`

	VolcConversationIDStr *string `parquet:"volc_conversation_id_str,optional"`
	VolcAppID             *int32  `parquet:"volc_app_id,optional"`
	VolcInboxType         *int32  `parquet:"volc_inbox_type,optional"`
	VolcConversationType  *int32  `parquet:"volc_conversation_type,optional"`
	VolcAvatarURL         *string `parquet:"volc_avatar_url,optional"`
	VolcDescription       *string `parquet:"volc_description,optional"`
	VolcNotice            *string `parquet:"volc_notice,optional"`
	VolcOwnerUserID       *int64  `parquet:"volc_owner_user_id,optional"`
	VolcOwnerUserIDStr    *string `parquet:"volc_owner_user_id_str,optional"`
	VolcCreatorUserID     *int64  `parquet:"volc_creator_user_id,optional"`
	VolcCreatorUserIDStr  *string `parquet:"volc_creator_user_id_str,optional"`
	VolcOtherUserID       *int64  `parquet:"volc_other_user_id,optional"`
	VolcOtherUserIDStr    *string `parquet:"volc_other_user_id_str,optional"`
	VolcStatus            *int32  `parquet:"volc_status,optional"`
	// VolcExt is a pointer: parquet-go v0.32.0 writes some nil maps of
	// an optional map field as empty maps when rows go in one Write.
	VolcExt         *map[string]string `parquet:"volc_ext,optional"`
	VolcMemberCount *int64             `parquet:"volc_member_count,optional"`
	VolcOnlineCount *int64             `parquet:"volc_online_count,optional"`

	YxType            *int32  `parquet:"yx_type,optional"`
	YxSenderID        *string `parquet:"yx_sender_id,optional"`
	YxReceiverID      *string `parquet:"yx_receiver_id,optional"`
	YxStickTop        *bool   `parquet:"yx_stick_top,optional"`
	YxGroupIDs        []int64 `parquet:"yx_group_ids,optional,list"`
	YxServerExtension *string `parquet:"yx_server_extension,optional"`
	YxMessageState    *int32  `parquet:"yx_message_state,optional"`
	YxUnreadCount     *int64  `parquet:"yx_unread_count,optional"`
	YxSortOrder       *int64  `parquet:"yx_sort_order,optional"`
	YxLastReadTime    *int64  `parquet:"yx_last_read_time,optional,timestamp(microsecond:utc)"`

	YxLastMsgServerID   *int64  `parquet:"yx_last_msg_server_id,optional"`
	YxLastMsgClientID   *string `parquet:"yx_last_msg_client_id,optional"`
	YxLastMsgSenderID   *string `parquet:"yx_last_msg_sender_id,optional"`
	YxLastMsgReceiverID *string `parquet:"yx_last_msg_receiver_id,optional"`
	YxLastMsgTeamID     *int64  `parquet:"yx_last_msg_team_id,optional"`
	YxLastMsgConvType   *int32  `parquet:"yx_last_msg_conversation_type,optional"`
	YxLastMsgClientType *int32  `parquet:"yx_last_msg_sender_client_type,optional"`
	YxLastMsgType       *int32  `parquet:"yx_last_msg_message_type,optional"`
	YxLastMsgSubType    *int32  `parquet:"yx_last_msg_sub_type,optional"`
	YxLastMsgCreateTime *int64  `parquet:"yx_last_msg_create_time,optional,timestamp(microsecond:utc)"`
	YxLastMsgText       *string `parquet:"yx_last_msg_text,optional"`
	YxLastMsgAttachment *string `parquet:"yx_last_msg_attachment,optional"`
	YxLastMsgExtension  *string `parquet:"yx_last_msg_extension,optional"`
	YxRevokeServerID    *int64  `parquet:"yx_revoke_server_id,optional"`
	YxRevokeAttach      *string `parquet:"yx_revoke_attach,optional"`
	YxRevokeID          *string `parquet:"yx_revoke_id,optional"`
	YxRevokeCustomInfo  *string `parquet:"yx_revoke_custom_info,optional"`
	YxRevokeType        *int32  `parquet:"yx_revoke_type,optional"`

	// Raw is the provider's original item, as JSON text.
	Raw string `parquet:"raw"`
}

// RowFromEvent flattens e into a row. It does not validate e; the exporter
// checks the schema version and required fields first.
func RowFromEvent(e *ConversationEvent) ConversationRow {
	r := ConversationRow{
		EventID:        e.EventID,
		SchemaVersion:  int32(e.SchemaVersion),
		JobID:          e.JobID,
		FetchedAt:      micros(e.FetchedAt),
		Provider:       e.Provider,
		App:            e.App,
		UserID:         e.UserID,
		ConversationID: e.ConversationID,
		Type:           e.Type,
		Name:           e.Name,
		OwnerUserID:    e.OwnerUserID,
		PeerID:         e.PeerID,
		CreateTime:     ptrMicros(e.CreateTime),
		UpdateTime:     ptrMicros(e.UpdateTime),
		Raw:            string(e.Raw),
	}
	if v := e.Volcengine; v != nil {
		id := v.ConversationShortID
		r.ConversationIDInt64 = &id
		fillVolcengine(&r, v)
	} else if n, err := strconv.ParseInt(e.ConversationID, 10, 64); err == nil && e.Provider == ProviderVolcengine {
		r.ConversationIDInt64 = &n
	}
	if y := e.Yunxin; y != nil {
		fillYunxin(&r, y)
	}
	return r
}

func fillVolcengine(r *ConversationRow, v *VolcengineConversation) {
	r.VolcConversationIDStr = v.ConversationIDStr
	r.VolcAppID = v.AppID
	r.VolcInboxType = v.InboxType
	r.VolcConversationType = v.ConversationType
	r.VolcAvatarURL = v.AvatarURL
	r.VolcDescription = v.Description
	r.VolcNotice = v.Notice
	r.VolcOwnerUserID = v.OwnerUserID
	r.VolcOwnerUserIDStr = v.OwnerUserIDStr
	r.VolcCreatorUserID = v.CreatorUserID
	r.VolcCreatorUserIDStr = v.CreatorUserIDStr
	r.VolcOtherUserID = v.OtherUserID
	r.VolcOtherUserIDStr = v.OtherUserIDStr
	r.VolcStatus = v.Status
	if v.Ext != nil {
		r.VolcExt = &v.Ext
	}
	r.VolcMemberCount = v.MemberCount
	r.VolcOnlineCount = v.OnlineCount
}

func fillYunxin(r *ConversationRow, y *YunxinConversation) {
	r.YxType = y.Type
	r.YxSenderID = y.SenderID
	r.YxReceiverID = y.ReceiverID
	r.YxStickTop = y.StickTop
	r.YxGroupIDs = y.GroupIDs
	r.YxServerExtension = y.ServerExtension
	r.YxMessageState = y.MessageState
	r.YxUnreadCount = y.UnreadCount
	r.YxSortOrder = y.SortOrder
	r.YxLastReadTime = ptrMicros(y.LastReadTime)
	if m := y.LastMessage; m != nil {
		fillYunxinMessage(r, m)
	}
	if n := y.RevokeNotification; n != nil {
		r.YxRevokeServerID = n.ServerID
		r.YxRevokeAttach = n.Attach
		r.YxRevokeID = n.RevokeID
		r.YxRevokeCustomInfo = n.CustomInfo
		r.YxRevokeType = n.RevokeType
	}
}

func fillYunxinMessage(r *ConversationRow, m *YunxinMessage) {
	r.YxLastMsgServerID = m.MessageServerID
	r.YxLastMsgClientID = m.MessageClientID
	r.YxLastMsgSenderID = m.SenderID
	r.YxLastMsgReceiverID = m.ReceiverID
	r.YxLastMsgTeamID = m.TeamID
	r.YxLastMsgConvType = m.ConversationType
	r.YxLastMsgClientType = m.SenderClientType
	r.YxLastMsgType = m.MessageType
	r.YxLastMsgSubType = m.SubType
	r.YxLastMsgCreateTime = ptrMicros(m.CreateTime)
	r.YxLastMsgText = m.Text
	if len(m.Attachment) > 0 && string(m.Attachment) != "null" {
		s := string(m.Attachment)
		r.YxLastMsgAttachment = &s
	}
	r.YxLastMsgExtension = m.Extension
}

// micros converts t to microseconds since the Unix epoch, UTC; the zero
// time is 0.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// ptrMicros converts a time that may be absent; a present time is kept
// even when it is the Unix epoch.
func ptrMicros(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	v := t.UnixMicro()
	return &v
}
