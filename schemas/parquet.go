package schemas

import (
	"reflect"
	"strconv"
	"sync"
	"time"

	"github.com/parquet-go/parquet-go"
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
// Field IDs (id(N), and parquet-element/-key/-value for the list and the
// map) are the Iceberg table's column IDs, written into every file: they
// follow declaration order, the inner IDs of a list or map right after its
// own. A new column always takes an ID above every one used so far (the
// highest is 64); an ID is never reused, even for a column taken out.
//
// A ConversationRow is a plain value; build it with RowFromEvent.
type ConversationRow struct {
	EventID        string `parquet:"event_id,id(1)"`
	SchemaVersion  int32  `parquet:"schema_version,id(2)"`
	JobID          string `parquet:"job_id,id(3),dict"`
	FetchedAt      int64  `parquet:"fetched_at,id(4),timestamp(microsecond:utc)"`
	Provider       string `parquet:"provider,id(5),dict"`
	App            string `parquet:"app,id(6),dict"`
	UserID         string `parquet:"user_id,id(7),dict"`
	ConversationID string `parquet:"conversation_id,id(8)"`
	// ConversationIDInt64 is the numeric conversation ID (Volcengine
	// ConversationShortId); null for Yunxin, whose IDs are strings.
	ConversationIDInt64 *int64  `parquet:"conversation_id_int64,id(9),optional"`
	Type                int32   `parquet:"type,id(10)"`
	Name                *string `parquet:"name,id(11),optional"`
	OwnerUserID         *string `parquet:"owner_user_id,id(12),optional,dict"`
	PeerID              *string `parquet:"peer_id,id(13),optional"`
	CreateTime          *int64  `parquet:"create_time,id(14),optional,timestamp(microsecond:utc)"`
	UpdateTime          *int64  `parquet:"update_time,id(15),optional,timestamp(microsecond:utc)"`

	VolcConversationIDStr *string `parquet:"volc_conversation_id_str,id(16),optional"`
	VolcAppID             *int32  `parquet:"volc_app_id,id(17),optional"`
	VolcInboxType         *int32  `parquet:"volc_inbox_type,id(18),optional"`
	VolcConversationType  *int32  `parquet:"volc_conversation_type,id(19),optional"`
	VolcAvatarURL         *string `parquet:"volc_avatar_url,id(20),optional"`
	VolcDescription       *string `parquet:"volc_description,id(21),optional"`
	VolcNotice            *string `parquet:"volc_notice,id(22),optional"`
	VolcOwnerUserID       *int64  `parquet:"volc_owner_user_id,id(23),optional"`
	VolcOwnerUserIDStr    *string `parquet:"volc_owner_user_id_str,id(24),optional"`
	VolcCreatorUserID     *int64  `parquet:"volc_creator_user_id,id(25),optional"`
	VolcCreatorUserIDStr  *string `parquet:"volc_creator_user_id_str,id(26),optional"`
	VolcOtherUserID       *int64  `parquet:"volc_other_user_id,id(27),optional"`
	VolcOtherUserIDStr    *string `parquet:"volc_other_user_id_str,id(28),optional"`
	VolcStatus            *int32  `parquet:"volc_status,id(29),optional"`
	// VolcExt is a pointer: parquet-go v0.32.0 writes some nil maps of
	// an optional map field as empty maps when rows go in one Write. It
	// also drops the parquet-key and parquet-value tags of a pointer to a
	// map: ParquetSchema restores them.
	VolcExt         *map[string]string `parquet:"volc_ext,id(30),optional" parquet-key:",id(31)" parquet-value:",id(32)"`
	VolcMemberCount *int64             `parquet:"volc_member_count,id(33),optional"`
	VolcOnlineCount *int64             `parquet:"volc_online_count,id(34),optional"`

	YxType            *int32  `parquet:"yx_type,id(35),optional"`
	YxSenderID        *string `parquet:"yx_sender_id,id(36),optional"`
	YxReceiverID      *string `parquet:"yx_receiver_id,id(37),optional"`
	YxStickTop        *bool   `parquet:"yx_stick_top,id(38),optional"`
	YxGroupIDs        []int64 `parquet:"yx_group_ids,id(39),optional,list" parquet-element:",id(40)"`
	YxServerExtension *string `parquet:"yx_server_extension,id(41),optional"`
	YxMessageState    *int32  `parquet:"yx_message_state,id(42),optional"`
	YxUnreadCount     *int64  `parquet:"yx_unread_count,id(43),optional"`
	YxSortOrder       *int64  `parquet:"yx_sort_order,id(44),optional"`
	YxLastReadTime    *int64  `parquet:"yx_last_read_time,id(45),optional,timestamp(microsecond:utc)"`

	YxLastMsgServerID   *int64  `parquet:"yx_last_msg_server_id,id(46),optional"`
	YxLastMsgClientID   *string `parquet:"yx_last_msg_client_id,id(47),optional"`
	YxLastMsgSenderID   *string `parquet:"yx_last_msg_sender_id,id(48),optional"`
	YxLastMsgReceiverID *string `parquet:"yx_last_msg_receiver_id,id(49),optional"`
	YxLastMsgTeamID     *int64  `parquet:"yx_last_msg_team_id,id(50),optional"`
	YxLastMsgConvType   *int32  `parquet:"yx_last_msg_conversation_type,id(51),optional"`
	YxLastMsgClientType *int32  `parquet:"yx_last_msg_sender_client_type,id(52),optional"`
	YxLastMsgType       *int32  `parquet:"yx_last_msg_message_type,id(53),optional"`
	YxLastMsgSubType    *int32  `parquet:"yx_last_msg_sub_type,id(54),optional"`
	YxLastMsgCreateTime *int64  `parquet:"yx_last_msg_create_time,id(55),optional,timestamp(microsecond:utc)"`
	YxLastMsgText       *string `parquet:"yx_last_msg_text,id(56),optional"`
	YxLastMsgAttachment *string `parquet:"yx_last_msg_attachment,id(57),optional"`
	YxLastMsgExtension  *string `parquet:"yx_last_msg_extension,id(58),optional"`
	YxRevokeServerID    *int64  `parquet:"yx_revoke_server_id,id(59),optional"`
	YxRevokeAttach      *string `parquet:"yx_revoke_attach,id(60),optional"`
	YxRevokeID          *string `parquet:"yx_revoke_id,id(61),optional"`
	YxRevokeCustomInfo  *string `parquet:"yx_revoke_custom_info,id(62),optional"`
	YxRevokeType        *int32  `parquet:"yx_revoke_type,id(63),optional"`

	// Raw is the provider's original item, as JSON text.
	Raw string `parquet:"raw,id(64)"`
}

// ParquetSchema is the Parquet schema of ConversationRow with every field
// ID of its tags, the map's key and value included (parquet.SchemaOf loses
// those of a pointer to a map). Writers of the lake's files pass it to
// parquet.NewGenericWriter[ConversationRow]: it is the row type's schema
// (parquet.EqualNodes ignores IDs), so rows take the direct path.
var ParquetSchema = sync.OnceValue(func() *parquet.Schema {
	t := reflect.TypeFor[ConversationRow]()
	fields := make([]reflect.StructField, t.NumField())
	for i := range fields {
		f := t.Field(i)
		if f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Map {
			f.Type = f.Type.Elem() // optional by its tag, with the key's and value's tags kept
		}
		fields[i] = f
	}
	return parquet.NewSchema(t.Name(), parquet.SchemaOf(reflect.New(reflect.StructOf(fields)).Elem().Interface()))
})

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
