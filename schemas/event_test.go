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
			Provider: schemas.ProviderVolcengine, App: "1", UserID: "u", ConversationID: "c", Name: "<&>",
			Volcengine: &schemas.VolcengineConversation{ConversationShortID: 1, Ext: map[string]string{}},
			Raw:        json.RawMessage(raw),
		}}
		b, err := schemas.AppendEvent([]byte("prefix"), &ev)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte("prefix")) {
			t.Fatalf("AppendEvent dropped dst: %s", b)
		}
		b = b[len("prefix"):]
		if !bytes.HasSuffix(b, []byte(`,"raw":`+raw+`}`)) {
			t.Errorf("AppendEvent(raw %q) = %s, want raw verbatim", raw, b)
		}
		var got schemas.ConversationEvent
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("AppendEvent(raw %q) is not JSON: %v\n%s", raw, err, b)
		}
		if d := cmp.Diff(ev, got); d != "" {
			t.Errorf("decode(AppendEvent(raw %q)) (-want +got):\n%s", raw, d)
		}
	}
}
