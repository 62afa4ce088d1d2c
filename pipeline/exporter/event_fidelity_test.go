package exporter_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/chatlake/chatlake/pipeline/exporter"
	"github.com/chatlake/chatlake/schemas"
)

// TestDecodeEventKeepsWhatWasSent checks the exporter's decoding of events:
// raw byte for byte and "", 0, {} and [] told apart from absent fields.
func TestDecodeEventKeepsWhatWasSent(t *testing.T) {
	at := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	empty, zero := "", int64(0)
	for _, raw := range []string{
		`{"Name":"a&b<c>d \u003c\/x\u003e \/"}`,
		"{ \"a\" :\t1 ,\r\n  \"b\" : [ 1 , 2 ] }",
		`{"s":"line` + "\u2028" + `sep` + "\u2029" + `para 项目 🎉 \ud83c\udf89"}`,
		`{"id":9007199254740993123456789,"f":1.0e+300,"n":-0}`,
	} {
		for _, c := range []schemas.Conversation{{
			Provider: schemas.ProviderVolcengine, App: "1", UserID: "u", ConversationID: "c",
			Volcengine: &schemas.VolcengineConversation{ConversationShortID: 1, Notice: &empty, OwnerUserID: &zero, Ext: map[string]string{}},
			Raw:        json.RawMessage(raw),
		}, {
			Provider: schemas.ProviderYunxin, App: "k", UserID: "u", ConversationID: "c",
			Yunxin: &schemas.YunxinConversation{GroupIDs: []int64{}, ServerExtension: &empty, UnreadCount: &zero,
				LastMessage: &schemas.YunxinMessage{}},
			Raw: json.RawMessage(raw),
		}} {
			ev := schemas.ConversationEvent{SchemaVersion: 1, EventID: "e", JobID: "j", FetchedAt: at, Conversation: c}
			b, err := schemas.AppendEvent(nil, &ev)
			if err != nil {
				t.Fatal(err)
			}
			got, err := exporter.DecodeConversationEvent(b)
			if err != nil {
				t.Fatal(err)
			}
			if string(got.Raw) != raw {
				t.Errorf("raw = %q, want %q", got.Raw, raw)
			}
			if d := cmp.Diff(ev, got); d != "" {
				t.Errorf("DecodeConversationEvent(%s) (-want +got):\n%s", b, d)
			}
		}
	}
}
