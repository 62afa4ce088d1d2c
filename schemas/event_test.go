package schemas_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/chatlake/chatlake/schemas"
)

// hardRaws are items a provider may send that json.Marshal would rewrite.
var hardRaws = []string{
	`{"Name":"a&b<c>d"}`,
	`{"Name":"\u003c\/script\u003e \/ \" \\ \b\f\n\r\t \ud83c\udf89"}`,
	"{ \"a\" :\t1 ,\r\n  \"b\" : [ 1 , 2 ] }",
	`{"Name":"line` + "\u2028" + `sep` + "\u2029" + `para 项目 🎉"}`,
	`{"id":9007199254740993123456789,"f":1.0e+300,"n":-0}`,
	`{}`,
}

func TestAppendEventKeepsRawVerbatim(t *testing.T) {
	at := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	for _, raw := range hardRaws {
		ev := schemas.ConversationEvent{SchemaVersion: 1, EventID: "e", JobID: "j", FetchedAt: at, Conversation: schemas.Conversation{
			Provider: schemas.ProviderVolcengine, App: "1", UserID: "u", ConversationID: "c", Name: p("<&>"),
			Volcengine: &schemas.VolcengineConversation{ConversationShortID: 1, Ext: map[string]string{}},
			Raw:        json.RawMessage(raw),
		}}
		b := appendDecoded(t, &ev)
		if !bytes.HasSuffix(b, []byte(`,"raw":`+raw+`}`)) {
			t.Errorf("AppendEvent(raw %q) = %s, want raw verbatim", raw, b)
		}
	}
}

// appendDecoded returns AppendEvent(ev) after a dst, checking that dst is
// kept and that the JSON decodes back to ev.
func appendDecoded(t *testing.T, ev *schemas.ConversationEvent) []byte {
	t.Helper()
	b, err := schemas.AppendEvent([]byte("prefix"), ev)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("prefix")) {
		t.Fatalf("AppendEvent dropped dst: %s", b)
	}
	b = b[len("prefix"):]
	var got schemas.ConversationEvent
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("AppendEvent is not JSON: %v\n%s", err, b)
	}
	if d := cmp.Diff(*ev, got); d != "" {
		t.Errorf("decode(AppendEvent) (-want +got):\n%s\n%s", d, b)
	}
	return b
}

// hardAttachments are attachments json.Marshal would compact or escape.
var hardAttachments = []string{
	"{ \"kind\" :\t\"card\" ,\r\n \"u\" : \"\\/x&<y>\" , \"s\" : \"a\u2028b\u2029\" , \"n\" : 9007199254740993123 }",
	`"plain \/ <&>"`,
	"[ 1 ,\n2 ]",
	`0`,
}

func TestAppendEventKeepsAttachmentVerbatim(t *testing.T) {
	at := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	for _, att := range hardAttachments {
		ev := schemas.ConversationEvent{SchemaVersion: 1, EventID: "e", JobID: "j", FetchedAt: at, Conversation: schemas.Conversation{
			Provider: schemas.ProviderYunxin, App: "k", UserID: "u", ConversationID: "u|1|v", CreateTime: &at,
			Yunxin: &schemas.YunxinConversation{SenderID: p("<u>"), GroupIDs: []int64{},
				RevokeNotification: &schemas.YunxinRevokeNotification{RevokeID: p("r")},
				LastMessage:        &schemas.YunxinMessage{Text: p("<&>"), Extension: p(""), Attachment: json.RawMessage(att)}},
			Raw: json.RawMessage(`{"conversation_id":"u|1|v"}`),
		}}
		if b := appendDecoded(t, &ev); !bytes.Contains(b, []byte(`,"attachment":`+att+`}`)) {
			t.Errorf("AppendEvent(attachment %q) = %s, want the attachment verbatim", att, b)
		}
	}
}

// TestAppendEventNestedShapes checks the splices for every shape of the
// nested values: absent, empty and full.
func TestAppendEventNestedShapes(t *testing.T) {
	for _, y := range []*schemas.YunxinConversation{
		nil, {}, {LastMessage: &schemas.YunxinMessage{}}, {LastMessage: &schemas.YunxinMessage{Attachment: json.RawMessage(`{}`)}},
		{Type: p(int32(1)), LastMessage: &schemas.YunxinMessage{Text: p("t")}},
	} {
		ev := schemas.ConversationEvent{SchemaVersion: 1, Conversation: schemas.Conversation{Provider: schemas.ProviderYunxin, Yunxin: y, Raw: json.RawMessage(`{}`)}}
		appendDecoded(t, &ev)
	}
}
