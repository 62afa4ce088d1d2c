package schemas

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// EventSchemaVersion is the version of ConversationEvent this code writes.
// Consumers reject versions they do not know. Additive changes do not bump
// it; a breaking change would, and would also get new subjects.
const EventSchemaVersion = 1

// ConversationEvent is published once per conversation fetched, on
// chatlake.conversations.<provider>.<app>, as JSON. Its EventID is also the
// Nats-Msg-Id header, so JetStream drops a republished duplicate within the
// stream's duplicate window.
//
// The Conversation is embedded: its fields sit at the top level of the JSON.
type ConversationEvent struct {
	SchemaVersion int    `json:"schema_version"`
	EventID       string `json:"event_id"`
	JobID         string `json:"job_id"`
	// FetchedAt is when the producer received the page, UTC. It decides the
	// dt= partition of the Parquet file.
	FetchedAt time.Time `json:"fetched_at"`
	Conversation
}

// EventID returns the deterministic ID of a conversation's state: the
// lowercase hex of the first 16 bytes of
//
//	SHA-256(provider 0x00 app 0x00 user_id 0x00 conversation_id 0x00 raw)
//
// where raw is the provider's original item bytes. The same conversation in
// the same state gives the same ID however often it is fetched; any change
// the provider reports gives a new one.
func EventID(c *Conversation) string {
	h := sha256.New()
	for _, s := range []string{c.Provider, c.App, c.UserID, c.ConversationID} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	h.Write(c.Raw)
	sum := h.Sum(nil)
	return hex.EncodeToString(sum[:16])
}

// eventHead is a ConversationEvent without its raw item: the shallower Raw
// hides the embedded one from encoding/json, and nil omits it.
type eventHead struct {
	*ConversationEvent
	Raw *struct{} `json:"raw,omitempty"`
}

// AppendEvent appends the JSON encoding of e to dst. Raw is copied verbatim,
// never re-encoded or re-validated: json.Marshal would compact it, escape
// <, > and & and rewrite U+2028 and U+2029. An empty Raw is written as null.
func AppendEvent(dst []byte, e *ConversationEvent) ([]byte, error) {
	buf := bytes.NewBuffer(dst)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(eventHead{ConversationEvent: e}); err != nil {
		return dst, err
	}
	b := bytes.TrimRight(buf.Bytes(), "\n")
	b = b[:len(b)-1] // the closing brace
	if len(b) > len(dst)+1 {
		b = append(b, ',')
	}
	b = append(b, `"raw":`...)
	if len(e.Raw) == 0 {
		return append(b, "null}"...), nil
	}
	b = append(b, e.Raw...)
	return append(b, '}'), nil
}
