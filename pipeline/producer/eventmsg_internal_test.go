package producer

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/schemas"
)

// A recycled message holds only its new event: the bytes, subject and
// Nats-Msg-Id of a fresh message, whatever larger or smaller event it
// held before.
func TestEventMsgReused(t *testing.T) {
	job := schemas.Job{JobID: "j1", Provider: schemas.ProviderVolcengine, App: "7", UserID: "42"}
	at := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	conv := func(id string, raw string) *schemas.Conversation {
		return &schemas.Conversation{ConversationID: id, Raw: json.RawMessage(raw)}
	}
	convs := []*schemas.Conversation{
		conv("big", `{"Name":"`+strings.Repeat("x", 5000)+`"}`),
		conv("small", `{"Name":"a"}`),
		conv("mid", `{"Name":"`+strings.Repeat("y", 300)+`"}`),
	}
	reused := new(eventMsg)
	for i, c := range convs {
		subject := "s." + c.ConversationID
		if err := newEventMsg(reused, subject, job, c, at); err != nil {
			t.Fatal(err)
		}
		fresh := new(eventMsg)
		if err := newEventMsg(fresh, subject, job, c, at); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(reused.Data, fresh.Data) {
			t.Errorf("event %d: reused message holds\n%s\nwant\n%s", i, reused.Data, fresh.Data)
		}
		if got, want := reused.Header.Get(jetstream.MsgIDHeader), schemas.EventID(c); got != want || len(reused.Header) != 1 {
			t.Errorf("event %d: header %v, want only %s: %s", i, reused.Header, jetstream.MsgIDHeader, want)
		}
		if reused.Subject != subject {
			t.Errorf("event %d: subject %q, want %q", i, reused.Subject, subject)
		}
		if !bytes.Contains(reused.Data, c.Raw) {
			t.Errorf("event %d: raw item not copied verbatim", i)
		}
	}
}
