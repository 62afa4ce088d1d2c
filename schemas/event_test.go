package schemas_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
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

// marshalStd is what AppendEvent must give for an event whose provider
// JSON values are already compact, with no <, > or &: json.Marshal's
// bytes without HTML escaping.
func marshalStd(t testing.TB, ev *schemas.ConversationEvent) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(ev); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func checkMatchesMarshal(t testing.TB, ev *schemas.ConversationEvent) {
	t.Helper()
	got, err := schemas.AppendEvent(nil, ev)
	if err != nil {
		t.Fatalf("AppendEvent() = %v", err)
	}
	if want := marshalStd(t, ev); !bytes.Equal(got, want) {
		t.Errorf("AppendEvent() =\n%s\nwant (json.Marshal)\n%s", got, want)
	}
}

// hardStrings need every kind of escape encoding/json knows.
var hardStrings = []string{
	"", "plain", "项目讨论组 🎉 Ünïcödé", "<script>&amp;</script>", `"quoted" \back\slash /`,
	"\x00\x01\x07\b\t\n\v\f\r\x1b\x1f\x7f", "line\u2028sep\u2029para", "bad \xff utf-8 \xed\xa0\x80 \xc3", "\xe2\x80", "a\u0000nul",
}

// TestAppendEventMatchesMarshal compares AppendEvent with json.Marshal on
// every shape of every field.
func TestAppendEventMatchesMarshal(t *testing.T) {
	at := time.Date(2026, 11, 24, 12, 0, 0, 123456789, time.UTC)
	zoned := time.Date(1970, 1, 1, 0, 0, 0, 0, time.FixedZone("x", 8*3600+30*60))
	for i, s := range hardStrings {
		ev := schemas.ConversationEvent{SchemaVersion: 1, EventID: s, JobID: s, FetchedAt: at, Conversation: schemas.Conversation{
			Provider: s, App: s, UserID: s, ConversationID: s, Type: -1, Name: &s, OwnerUserID: &s, PeerID: p(""),
			CreateTime: &zoned, UpdateTime: &at,
			Volcengine: &schemas.VolcengineConversation{ConversationShortID: -9007199254740993, ConversationIDStr: &s, AppID: p(int32(-2147483648)),
				InboxType: p(int32(0)), ConversationType: p(int32(2)), AvatarURL: &s, Description: &s, Notice: p(""),
				OwnerUserID: p(int64(9223372036854775807)), OwnerUserIDStr: &s, CreatorUserID: p(int64(0)), CreatorUserIDStr: &s,
				OtherUserID: p(int64(1)), OtherUserIDStr: &s, Status: p(int32(1)), Ext: map[string]string{s: s, "z": "1", "a": s, "标签": "重要 ⭐"},
				MemberCount: p(int64(3)), OnlineCount: p(int64(0))},
			Yunxin: &schemas.YunxinConversation{Type: p(int32(3)), SenderID: &s, ReceiverID: &s, StickTop: p(i%2 == 0), GroupIDs: []int64{1, -2, 9007199254740993},
				ServerExtension: &s, MessageState: p(int32(1)), UnreadCount: p(int64(0)), SortOrder: p(int64(-1)), LastReadTime: &zoned,
				RevokeNotification: &schemas.YunxinRevokeNotification{ServerID: p(int64(8)), Attach: &s, RevokeID: &s, CustomInfo: &s, RevokeType: p(int32(2))},
				LastMessage: &schemas.YunxinMessage{MessageServerID: p(int64(7)), MessageClientID: &s, SenderID: &s, ReceiverID: &s, TeamID: p(int64(5)),
					ConversationType: p(int32(2)), SenderClientType: p(int32(16)), MessageType: p(int32(0)), SubType: p(int32(1)), CreateTime: &at,
					Text: &s, Extension: &s, Attachment: json.RawMessage(`{"a":[1,"x"]}`)}},
			Raw: json.RawMessage(`{"k":"v"}`),
		}}
		checkMatchesMarshal(t, &ev)
	}
	for _, ev := range []schemas.ConversationEvent{
		{},
		{Conversation: schemas.Conversation{Volcengine: &schemas.VolcengineConversation{}}},
		{Conversation: schemas.Conversation{Volcengine: &schemas.VolcengineConversation{Ext: map[string]string{}}}},
		{Conversation: schemas.Conversation{Yunxin: &schemas.YunxinConversation{GroupIDs: []int64{}, LastMessage: &schemas.YunxinMessage{}}}},
		{Conversation: schemas.Conversation{Yunxin: &schemas.YunxinConversation{RevokeNotification: &schemas.YunxinRevokeNotification{}}}},
	} {
		checkMatchesMarshal(t, &ev)
	}
}

// TestAppendEventEncodesEveryField fills every field of an event, by
// reflection, and compares with json.Marshal: a field added to the schema
// but not to AppendEvent fails here.
func TestAppendEventEncodesEveryField(t *testing.T) {
	var ev schemas.ConversationEvent
	fill(reflect.ValueOf(&ev).Elem(), 1)
	ev.Raw, ev.Yunxin.LastMessage.Attachment = json.RawMessage(`{"raw":1}`), json.RawMessage(`[2]`)
	checkMatchesMarshal(t, &ev)
	var empty schemas.ConversationEvent
	if b := marshalStd(t, &ev); bytes.Equal(b, marshalStd(t, &empty)) {
		t.Fatalf("fill left the event empty: %s", b)
	}
}

// fill sets v and everything under it to non-zero values made from seed.
func fill(v reflect.Value, seed int) {
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), seed)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Unix(int64(seed)*1e6, int64(seed)).UTC()))
			return
		}
		for i := range v.NumField() {
			fill(v.Field(i), seed+i)
		}
	case reflect.String:
		v.SetString("s" + strconv.Itoa(seed))
	case reflect.Int, reflect.Int32, reflect.Int64:
		v.SetInt(int64(seed))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		fill(v.Index(0), seed)
		fill(v.Index(1), seed+1)
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		for i := range 2 {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fill(k, seed+i)
			fill(e, seed+i)
			v.SetMapIndex(k, e)
		}
	}
}

// FuzzAppendEvent compares AppendEvent with json.Marshal on any strings,
// numbers and times.
func FuzzAppendEvent(f *testing.F) {
	for _, s := range hardStrings {
		f.Add(s, s, int64(1), int64(0))
	}
	f.Fuzz(func(t *testing.T, s, k string, n, ns int64) {
		at := time.Unix(n%(1<<35), ns%1e9).UTC()
		ev := schemas.ConversationEvent{EventID: s, FetchedAt: at, Conversation: schemas.Conversation{Name: &s, UpdateTime: &at,
			Volcengine: &schemas.VolcengineConversation{ConversationShortID: n, Ext: map[string]string{k: s, s: k}},
			Yunxin:     &schemas.YunxinConversation{GroupIDs: []int64{n, ns}, LastMessage: &schemas.YunxinMessage{Text: &k}},
		}}
		checkMatchesMarshal(t, &ev)
	})
}

// TestAppendEventRefusesWhatMarshalRefuses: a year past 9999.
func TestAppendEventRefusesWhatMarshalRefuses(t *testing.T) {
	ev := schemas.ConversationEvent{FetchedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}
	if _, err := json.Marshal(&ev); err == nil {
		t.Fatal("json.Marshal accepted the year 10000")
	}
	if b, err := schemas.AppendEvent([]byte("x"), &ev); err == nil || string(b) != "x" {
		t.Errorf("AppendEvent(year 10000) = %q, %v; want dst unchanged and an error", b, err)
	}
}
