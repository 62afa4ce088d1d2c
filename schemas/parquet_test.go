package schemas_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/parquet-go/parquet-go"

	"github.com/chatlake/chatlake/schemas"
)

func p[T any](v T) *T { return &v }

func TestRowFromEvent(t *testing.T) {
	at := time.Date(2026, 11, 24, 12, 0, 0, 123456789, time.UTC)
	big := int64(1<<53 + 1)
	epoch := time.UnixMilli(0).UTC()
	for _, c := range []struct {
		name string
		ev   schemas.ConversationEvent
		want schemas.ConversationRow
	}{{
		name: "volcengine",
		ev: schemas.ConversationEvent{SchemaVersion: 1, EventID: "e1", JobID: "j", FetchedAt: at, Conversation: schemas.Conversation{
			Provider: "volcengine", App: "123", UserID: "7", ConversationID: "9007199254740993", Type: 2, Name: p("🎉 组"),
			OwnerUserID: p("7"), CreateTime: p(at.Add(-time.Hour)), UpdateTime: &at,
			Volcengine: &schemas.VolcengineConversation{ConversationShortID: big, ConversationIDStr: p("s"), AppID: p(int32(123)),
				InboxType: p(int32(0)), ConversationType: p(int32(2)), OwnerUserID: p(int64(7)), CreatorUserID: p(int64(8)), OtherUserID: p(int64(9)), Status: p(int32(1)),
				Ext: map[string]string{"标签": "⭐", "": ""}, MemberCount: p(int64(3)), Notice: p("")},
			Raw: json.RawMessage(`{"x":9007199254740993}`),
		}},
		want: schemas.ConversationRow{EventID: "e1", SchemaVersion: 1, JobID: "j", FetchedAt: at.UnixMicro(),
			Provider: "volcengine", App: "123", UserID: "7", ConversationID: "9007199254740993",
			ConversationIDInt64: &big, Type: 2, Name: p("🎉 组"), OwnerUserID: p("7"),
			CreateTime: p(at.Add(-time.Hour).UnixMicro()), UpdateTime: p(at.UnixMicro()),
			VolcConversationIDStr: p("s"), VolcAppID: p(int32(123)), VolcInboxType: p(int32(0)), VolcConversationType: p(int32(2)),
			VolcNotice: p(""), VolcOwnerUserID: p(int64(7)), VolcCreatorUserID: p(int64(8)), VolcOtherUserID: p(int64(9)),
			VolcStatus: p(int32(1)), VolcExt: &map[string]string{"标签": "⭐", "": ""}, VolcMemberCount: p(int64(3)),
			Raw: `{"x":9007199254740993}`},
	}, {
		name: "yunxin",
		ev: schemas.ConversationEvent{SchemaVersion: 1, EventID: "e2", FetchedAt: at, Conversation: schemas.Conversation{
			Provider: "yunxin", App: "k", UserID: "alice", ConversationID: "alice|2|55", Type: 2, PeerID: p("55"),
			OwnerUserID: p(""), CreateTime: &epoch,
			Yunxin: &schemas.YunxinConversation{Type: p(int32(2)), SenderID: p("alice"), ReceiverID: p("55"), StickTop: p(true),
				GroupIDs: []int64{big}, ServerExtension: p(""), MessageState: p(int32(1)), UnreadCount: p(int64(4)), SortOrder: p(int64(5)), LastReadTime: &epoch,
				LastMessage: &schemas.YunxinMessage{MessageServerID: &big, TeamID: p(int64(0)), ConversationType: p(int32(2)), MessageType: p(int32(1)),
					CreateTime: &at, Text: p(""), Attachment: json.RawMessage(`{"a":1}`)},
				RevokeNotification: &schemas.YunxinRevokeNotification{ServerID: p(int64(8)), RevokeID: p("r"), RevokeType: p(int32(1))}},
			Raw: json.RawMessage(`{}`),
		}},
		want: schemas.ConversationRow{EventID: "e2", SchemaVersion: 1, FetchedAt: at.UnixMicro(), Provider: "yunxin",
			App: "k", UserID: "alice", ConversationID: "alice|2|55", Type: 2, PeerID: p("55"),
			OwnerUserID: p(""), CreateTime: p(int64(0)),
			YxType: p(int32(2)), YxSenderID: p("alice"), YxReceiverID: p("55"), YxStickTop: p(true), YxGroupIDs: []int64{big},
			YxServerExtension: p(""), YxMessageState: p(int32(1)), YxUnreadCount: p(int64(4)), YxSortOrder: p(int64(5)), YxLastReadTime: p(int64(0)),
			YxLastMsgServerID: &big, YxLastMsgTeamID: p(int64(0)), YxLastMsgConvType: p(int32(2)),
			YxLastMsgType:       p(int32(1)),
			YxLastMsgCreateTime: p(at.UnixMicro()), YxLastMsgText: p(""), YxLastMsgAttachment: p(`{"a":1}`),
			YxRevokeServerID: p(int64(8)), YxRevokeID: p("r"), YxRevokeType: p(int32(1)), Raw: `{}`},
	}} {
		t.Run(c.name, func(t *testing.T) {
			if d := cmp.Diff(c.want, schemas.RowFromEvent(&c.ev)); d != "" {
				t.Errorf("RowFromEvent(%s) (-want +got):\n%s", c.name, d)
			}
		})
	}
}

// TestParquetSchemaGolden pins the Parquet columns: names, types, logical
// types, repetition. Additions need -update and a review of the diff.
func TestParquetSchemaGolden(t *testing.T) {
	got := []byte(schemas.ParquetSchema().String() + "\n")
	path := filepath.Join("testdata", "parquet_schema.golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("Parquet schema changed (-golden +now):\n%s", d)
	}
}

// TestParquetSchemaIsTheRowsSchema checks that ParquetSchema is the row
// type's schema (so writers take the direct path) and that every node of
// it, list elements and map keys and values too, has its own field ID.
func TestParquetSchemaIsTheRowsSchema(t *testing.T) {
	s := schemas.ParquetSchema()
	if !parquet.EqualNodes(s, parquet.SchemaOf(schemas.ConversationRow{})) {
		t.Fatalf("ParquetSchema is not ConversationRow's schema:\n%v", s)
	}
	seen := map[int]string{}
	var walk func(path string, n parquet.Node)
	walk = func(path string, n parquet.Node) {
		for _, f := range n.Fields() {
			p := path + "/" + f.Name()
			wrapper := f.Name() == "key_value" || f.Name() == "list"
			switch id := f.ID(); {
			case wrapper:
			case id == 0:
				t.Errorf("%s has no field id", p)
			case seen[id] != "":
				t.Errorf("%s has id %d of %s", p, id, seen[id])
			default:
				seen[id] = p
			}
			walk(p, f)
		}
	}
	walk("", s)
}
