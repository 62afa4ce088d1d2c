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

// The values AppendEvent encodes with encoding/json, each without its raw
// parts: a shallower field of the same name hides the embedded one, and nil
// omits it. The raw parts are spliced in after them.
type (
	eventHead struct {
		*ConversationEvent
		Yunxin *struct{} `json:"yunxin,omitempty"`
		Raw    *struct{} `json:"raw,omitempty"`
	}
	yunxinHead struct {
		*YunxinConversation
		LastMessage *struct{} `json:"last_message,omitempty"`
	}
	messageHead struct {
		*YunxinMessage
		Attachment *struct{} `json:"attachment,omitempty"`
	}
)

// AppendEvent appends the JSON encoding of e to dst. The provider's JSON
// values, Raw and the Yunxin last message's Attachment, are copied
// verbatim, never re-encoded or re-validated: json.Marshal would compact
// them, escape <, > and & and rewrite U+2028 and U+2029. An empty Raw is
// written as null, an empty Attachment not at all.
func AppendEvent(dst []byte, e *ConversationEvent) ([]byte, error) {
	b, err := appendJSON(dst, eventHead{ConversationEvent: e})
	if err != nil {
		return dst, err
	}
	start := len(dst)
	if y := e.Yunxin; y != nil {
		yb, err := yunxinJSON(y)
		if err != nil {
			return dst, err
		}
		b = splice(b, start, "yunxin", yb)
	}
	raw := e.Raw
	if len(raw) == 0 {
		raw = json.RawMessage("null")
	}
	return splice(b, start, "raw", raw), nil
}

// yunxinJSON encodes y with its last message's attachment verbatim.
func yunxinJSON(y *YunxinConversation) ([]byte, error) {
	b, err := appendJSON(nil, yunxinHead{YunxinConversation: y})
	if err != nil {
		return nil, err
	}
	if m := y.LastMessage; m != nil {
		mb, err := appendJSON(nil, messageHead{YunxinMessage: m})
		if err != nil {
			return nil, err
		}
		if len(m.Attachment) > 0 {
			mb = splice(mb, 0, "attachment", m.Attachment)
		}
		b = splice(b, 0, "last_message", mb)
	}
	return b, nil
}

// appendJSON appends v encoded by encoding/json without HTML escaping.
func appendJSON(dst []byte, v any) ([]byte, error) {
	buf := bytes.NewBuffer(dst)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return dst, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// splice adds the member "key": v at the end of the JSON object b[start:],
// copying v as it is.
func splice(b []byte, start int, key string, v []byte) []byte {
	b = b[:len(b)-1] // the closing brace
	if len(b) > start+1 {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, key...)
	b = append(b, `":`...)
	b = append(b, v...)
	return append(b, '}')
}
