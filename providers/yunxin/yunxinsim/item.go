package yunxinsim

import (
	"encoding/json"
	"strconv"

	"github.com/chatlake/chatlake/providers/simulator"
)

// item renders e as a v2 conversation. Hard values are spread on purpose:
// int64 above 2^53 (team_id, message_server_id, group_ids, server_id), the
// data set's hardest strings inside server_extension, revoked last messages,
// absent optional fields.
func (c catalog) item(user string, e entry) wireItem {
	s := e.spec
	it := wireItem{
		ConversationID:  e.id,
		SenderID:        user,
		ReceiverID:      e.peer,
		Type:            s.Type,
		StickTop:        s.Pinned,
		ServerExtension: extension(s),
		UnreadCount:     s.Unread,
		SortOrder:       sortOrder(s),
		CreateTime:      s.Created.UnixMilli(),
		UpdateTime:      s.Modified.UnixMilli(),
	}
	if s.Index%3 == 0 {
		it.GroupIDs = []int64{1<<60 + int64(s.Index), 7}
	}
	if s.Index%2 == 0 {
		lr := s.Modified.UnixMilli() - s.Unread*1000
		it.LastReadTime = &lr
	}
	if !s.Revoked {
		it.LastMessage = lastMessage(user, e)
		return it
	}
	it.MessageState = 1
	rv := &wireRevoke{ServerID: s.ID + 1, RevokeID: "rv" + strconv.Itoa(s.Index), CustomInfo: s.Text, RevokeType: 1 + int32(s.Index%3)}
	if c.legacy {
		it.RevokeMessage = rv
	} else {
		it.RevokeNotification = rv
	}
	return it
}

func lastMessage(user string, e entry) *wireMessage {
	s := e.spec
	m := &wireMessage{
		MessageServerID:  s.ID + 1,
		MessageClientID:  strconv.FormatUint(uint64(s.ID)*2654435761, 16),
		SenderID:         user,
		ConversationType: s.Type,
		SenderClientType: 1 + int32(s.Index%4),
		CreateTime:       s.Modified.UnixMilli(),
		Text:             s.Text,
	}
	// Either receiver_id or team_id, as the provider sends.
	if s.Type == 1 {
		m.ReceiverID = e.peer
	} else {
		m.TeamID = s.ID
	}
	if s.Index%6 == 0 {
		m.MessageType = 100 // custom, with an attachment object
		m.Attachment = json.RawMessage(`{"kind":"card","id":` + strconv.FormatInt(s.ID, 10) + `,"tags":["a","ü"]}`)
	}
	if s.Index%5 == 0 {
		m.Extension = `{"from":"imsim"}`
	}
	return m
}

// extension is server_extension: the group name and the Ext map as a JSON
// string; "" (omitted) when both are empty.
func extension(s simulator.Spec) string {
	if s.Name == "" && len(s.Ext) == 0 {
		return ""
	}
	m := map[string]string{}
	for k, v := range s.Ext {
		m[k] = v
	}
	if s.Name != "" {
		m["name"] = s.Name
	}
	b, _ := json.Marshal(m) // map[string]string cannot fail
	return string(b)
}

// sortOrder puts pinned conversations first, as the provider orders them.
func sortOrder(s simulator.Spec) int64 {
	o := s.Modified.UnixMilli()
	if s.Pinned {
		o += 1 << 42
	}
	return o
}
