package volcengine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/chatlake/chatlake/providers"
	"github.com/chatlake/chatlake/schemas"
)

// Result is one page of GetUserConversations.
type Result struct {
	Conversations []ConversationInfo
	HasMore       bool
	NextCursor    int64
}

// ConversationInfo is one item of a page: the provider's fields, with the
// item's exact bytes in Raw.
type ConversationInfo struct {
	schemas.VolcengineConversation
	// Name is the group name; nil when the provider omitted it.
	Name *string
	// CreateTime and ModifyTime are UTC; nil when the provider omitted
	// them or sent null. A 0 is the Unix epoch.
	CreateTime *time.Time
	ModifyTime *time.Time
	// Raw is the item as the provider sent it, byte for byte.
	Raw json.RawMessage
}

// envelope is the response body, decoded in one pass, items with their
// exact bytes (providers.Item). A Result of the wrong type does not hide the
// Error: providers.DecodeJSON goes on after a type mismatch.
type envelope struct {
	ResponseMetadata struct {
		RequestID string     `json:"RequestId"`
		Error     *wireError `json:"Error"`
	} `json:"ResponseMetadata"`
	// Result is nil when absent or null.
	Result *wireResult `json:"Result"`
}

type wireError struct {
	Code    string `json:"Code"`
	CodeN   int64  `json:"CodeN"`
	Message string `json:"Message"`
}

type wireResult struct {
	ConversationInfos []providers.Item[wireConversation] `json:"ConversationInfos"`
	HasMore           bool                               `json:"HasMore"`
	NextCursor        int64                              `json:"NextCursor"`
}

// wireConversation decodes a ConversationInfo. IDs are int64 fields, so no
// ID ever passes through float64. Pointers, and Ext, stay nil only when the
// field is absent or null: "", 0 and {} are kept. The doc's example spells OwnerUid and
// CreatorUid; every SDK says OwnerUserId and CreatorUserId; both are read.
type wireConversation struct {
	ConversationShortID int64             `json:"ConversationShortId"`
	ConversationID      *string           `json:"ConversationId"`
	AppID               *int32            `json:"AppId"`
	InboxType           *int32            `json:"InboxType"`
	Name                *string           `json:"Name"`
	AvatarURL           *string           `json:"AvatarUrl"`
	Description         *string           `json:"Description"`
	Notice              *string           `json:"Notice"`
	OwnerUserID         *int64            `json:"OwnerUserId"`
	OwnerUID            *int64            `json:"OwnerUid"`
	OwnerUserIDStr      *string           `json:"OwnerUserIdStr"`
	CreatorUserID       *int64            `json:"CreatorUserId"`
	CreatorUID          *int64            `json:"CreatorUid"`
	CreatorUserIDStr    *string           `json:"CreatorUserIdStr"`
	Status              *int32            `json:"Status"`
	Ext                 map[string]string `json:"Ext"`
	CreateTime          *int64            `json:"CreateTime"`
	ModifyTime          *int64            `json:"ModifyTime"`
	ConversationType    *int32            `json:"ConversationType"`
	MemberCount         *int64            `json:"MemberCount"`
	OnlineCount         *int64            `json:"OnlineCount"`
	OtherUserID         *int64            `json:"OtherUserId"`
	OtherUserIDStr      *string           `json:"OtherUserIdStr"`
}

// errMalformed marks a response body that is not what §1.3 describes.
var errMalformed = errors.New("malformed response")

// decodeResponse turns one HTTP response into a page or a classified
// *providers.Error. Success needs HTTP 200 and no error in
// ResponseMetadata; a non-empty Code is a failure even without CodeN (the
// official SDK's CodeN-only check would miss it).
func decodeResponse(status int, h http.Header, body []byte, now time.Time) (*Result, error) {
	env, jerr := providers.DecodeJSON[envelope](body)
	if e := env.ResponseMetadata.Error; e != nil && (e.Code != "" || e.CodeN != 0) {
		code := errorCode(e.Code, e.CodeN)
		perr := newError(classify(status, code), status, code, e.Message, nil)
		perr.RetryAfter = providers.RetryAfter(h, now)
		return nil, perr
	}
	if status != http.StatusOK {
		perr := newError(classify(status, ""), status, "", http.StatusText(status), nil)
		perr.RetryAfter = providers.RetryAfter(h, now)
		return nil, perr
	}
	if jerr != nil {
		return nil, malformed(fmt.Errorf("%w: %w", errMalformed, jerr))
	}
	if env.Result == nil {
		return nil, malformed(fmt.Errorf("%w: no Result", errMalformed))
	}
	res, err := decodeResult(env.Result)
	if err != nil {
		return nil, malformed(err)
	}
	return res, nil
}

func malformed(err error) error {
	return newError(transient, http.StatusOK, "", "", err)
}

// decodeResult maps the items of a Result.
func decodeResult(wr *wireResult) (*Result, error) {
	res := &Result{HasMore: wr.HasMore, NextCursor: wr.NextCursor,
		Conversations: make([]ConversationInfo, 0, len(wr.ConversationInfos))}
	for i, item := range wr.ConversationInfos {
		ci, err := decodeItem(item)
		if err != nil {
			return nil, fmt.Errorf("%w: ConversationInfos[%d]: %w", errMalformed, i, err)
		}
		res.Conversations = append(res.Conversations, ci)
	}
	return res, nil
}

func decodeItem(item providers.Item[wireConversation]) (ConversationInfo, error) {
	raw, w := item.Raw, &item.Value
	if bytes.Equal(raw, []byte("null")) {
		return ConversationInfo{}, errors.New("null item")
	}
	if w.ConversationShortID == 0 && (w.ConversationID == nil || *w.ConversationID == "") {
		return ConversationInfo{}, errors.New("no ConversationShortId")
	}
	return ConversationInfo{
		VolcengineConversation: w.volcengine(),
		Name:                   w.Name,
		CreateTime:             unixUTC(w.CreateTime),
		ModifyTime:             unixUTC(w.ModifyTime),
		Raw:                    raw,
	}, nil
}

func (w *wireConversation) volcengine() schemas.VolcengineConversation {
	return schemas.VolcengineConversation{
		ConversationShortID: w.ConversationShortID,
		ConversationIDStr:   w.ConversationID,
		AppID:               w.AppID,
		InboxType:           w.InboxType,
		ConversationType:    w.ConversationType,
		AvatarURL:           w.AvatarURL,
		Description:         w.Description,
		Notice:              w.Notice,
		OwnerUserID:         firstOf(w.OwnerUserID, w.OwnerUID),
		OwnerUserIDStr:      w.OwnerUserIDStr,
		CreatorUserID:       firstOf(w.CreatorUserID, w.CreatorUID),
		CreatorUserIDStr:    w.CreatorUserIDStr,
		OtherUserID:         w.OtherUserID,
		OtherUserIDStr:      w.OtherUserIDStr,
		Status:              w.Status,
		Ext:                 w.Ext,
		MemberCount:         w.MemberCount,
		OnlineCount:         w.OnlineCount,
	}
}

// firstOf returns the first non-nil of ps, or nil.
func firstOf(ps ...*int64) *int64 {
	for _, p := range ps {
		if p != nil {
			return p
		}
	}
	return nil
}

// unixUTC converts provider seconds that may be absent; a present 0 is
// the Unix epoch, as sent.
func unixUTC(sec *int64) *time.Time {
	if sec == nil {
		return nil
	}
	t := time.Unix(*sec, 0).UTC()
	return &t
}
