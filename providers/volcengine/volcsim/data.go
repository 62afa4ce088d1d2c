package volcsim

import (
	"cmp"
	"encoding/json"
	"slices"
	"strconv"

	"github.com/chatlake/chatlake/providers/simulator"
)

// ExpectedItem is one conversation as the simulator serves it.
type ExpectedItem struct {
	// ConversationShortID is the item's ConversationShortId (Spec.ID).
	ConversationShortID int64
	Spec                simulator.Spec
	// Raw is the item's exact bytes in a response to a request with
	// InboxType 0 and SkipMemberCount unset.
	Raw json.RawMessage
}

// Expected returns what the simulator serves, page after page, for user of
// app with dataType, in order. It returns nil for a DataType other than 0,
// 1 or 2 (the server answers InvalidParam).
func Expected(ds simulator.Dataset, app int32, user string, dataType int32) []ExpectedItem {
	specs := ordered(ds, user, dataType)
	if specs == nil {
		return nil
	}
	out := make([]ExpectedItem, len(specs))
	for i, s := range specs {
		out[i] = ExpectedItem{ConversationShortID: s.ID, Spec: s, Raw: renderItem(app, user, 0, false, s)}
	}
	return out
}

// ordered returns the user's conversations in the order of dataType, or
// nil for an unknown dataType. Ties break on the ID so that the order is
// total.
func ordered(ds simulator.Dataset, user string, dataType int32) []simulator.Spec {
	var by func(a, b simulator.Spec) int
	switch dataType {
	case 0: // cache, most recent activity first
		by = func(a, b simulator.Spec) int { return cmp.Or(b.Modified.Compare(a.Modified), cmp.Compare(a.ID, b.ID)) }
	case 1: // DB, creation ascending
		by = func(a, b simulator.Spec) int { return cmp.Or(a.Created.Compare(b.Created), cmp.Compare(a.ID, b.ID)) }
	case 2: // live groups, creation descending
		by = func(a, b simulator.Spec) int { return cmp.Or(b.Created.Compare(a.Created), cmp.Compare(a.ID, b.ID)) }
	default:
		return nil
	}
	specs := ds.Conversations(user)
	slices.SortFunc(specs, by)
	if specs == nil {
		specs = []simulator.Spec{}
	}
	return specs
}

// wireInfo is a ConversationInfo with the exact key names of §1.3
// (OwnerUserId, not the doc example's OwnerUid).
type wireInfo struct {
	ConversationShortID int64             `json:"ConversationShortId"`
	ConversationID      string            `json:"ConversationId"`
	AppID               int32             `json:"AppId"`
	InboxType           int32             `json:"InboxType"`
	Name                *string           `json:"Name,omitempty"`
	AvatarURL           *string           `json:"AvatarUrl,omitempty"`
	Description         *string           `json:"Description,omitempty"`
	OwnerUserID         int64             `json:"OwnerUserId"`
	OwnerUserIDStr      *string           `json:"OwnerUserIdStr,omitempty"`
	CreatorUserID       int64             `json:"CreatorUserId"`
	CreatorUserIDStr    *string           `json:"CreatorUserIdStr,omitempty"`
	Notice              *string           `json:"Notice,omitempty"`
	Status              *int32            `json:"Status,omitempty"`
	Ext                 map[string]string `json:"Ext,omitempty"`
	CreateTime          int64             `json:"CreateTime"`
	ModifyTime          int64             `json:"ModifyTime"`
	ConversationType    int32             `json:"ConversationType"`
	MemberCount         *int64            `json:"MemberCount,omitempty"`
	OnlineCount         *int64            `json:"OnlineCount,omitempty"`
	OtherUserID         *int64            `json:"OtherUserId,omitempty"`
	OtherUserIDStr      *string           `json:"OtherUserIdStr,omitempty"`
}

// renderItem writes one Spec as a ConversationInfo. A user ID that is not
// numeric belongs to an app with string user IDs: its own IDs then come in
// the *Str fields. Spec types 2 and 3 are both Volcengine groups (type 2);
// type 3 stands for a live group and carries OnlineCount.
func renderItem(app int32, user string, inbox int32, skipMembers bool, s simulator.Spec) json.RawMessage {
	w := wireInfo{
		ConversationShortID: s.ID, ConversationID: strconv.FormatInt(s.ID, 10),
		AppID: app, InboxType: inbox,
		OwnerUserID: s.Owner, CreatorUserID: s.Creator,
		Ext: s.Ext, CreateTime: s.Created.Unix(), ModifyTime: s.Modified.Unix(),
		ConversationType: 1,
	}
	if !numeric(user) {
		w.OwnerUserIDStr = &user
		if s.Type == 1 {
			w.CreatorUserIDStr = &user
		}
	}
	if s.Type == 1 {
		w.OtherUserID = &s.Peer
	} else {
		group(&w, s)
	}
	if !skipMembers {
		w.MemberCount = &s.Members
	}
	b, err := json.Marshal(w)
	if err != nil {
		panic("volcsim: render item: " + err.Error()) // only strings, ints and a string map
	}
	return b
}

func group(w *wireInfo, s simulator.Spec) {
	w.ConversationType = 2
	name, avatar := s.Name, "https://img.example.com/avatar/"+strconv.FormatInt(s.ID, 10)+".png"
	desc, notice := "group #"+strconv.Itoa(s.Index), "公告: "+s.Text
	status := int32(0)
	if s.Dissolved {
		status = 1
	}
	w.Name, w.AvatarURL, w.Description, w.Notice, w.Status = &name, &avatar, &desc, &notice, &status
	if s.Type == 3 {
		online := s.Members / 3
		w.OnlineCount = &online
	}
}

func numeric(user string) bool {
	n, err := strconv.ParseInt(user, 10, 64)
	return err == nil && n > 0 && strconv.FormatInt(n, 10) == user
}
