package volcsim

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/providers/volcengine"
)

// pageRequest is a decoded, validated request body.
type pageRequest struct {
	app             int32
	user            string
	dataType        int32
	inbox           int32
	cursor, limit   int64
	skipMemberCount bool
}

// wireRequest is the body as sent; pointers tell absent from zero.
type wireRequest struct {
	AppID                *int32  `json:"AppId"`
	ParticipantUserID    int64   `json:"ParticipantUserId"`
	ParticipantUserIDStr *string `json:"ParticipantUserIdStr"`
	DataType             *int32  `json:"DataType"`
	Cursor               int64   `json:"Cursor"`
	Limit                *int64  `json:"Limit"`
	SkipMemberCount      *bool   `json:"SkipMemberCount"`
	InboxType            *int32  `json:"InboxType"`
}

// parse decodes and validates the body as the IM service does.
func (s *Server) parse(body []byte) (pageRequest, *apiError) {
	var w wireRequest
	if err := json.Unmarshal(body, &w); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return pageRequest{}, invalidParam("field " + typeErr.Field + " has the wrong type")
		}
		e := businessError("JsonParsingError", "request body is not valid JSON")
		return pageRequest{}, &e
	}
	switch {
	case w.AppID == nil:
		return pageRequest{}, invalidParam("AppId is required")
	case !slices.Contains(s.opts.Apps, *w.AppID):
		e := businessError("AppNotFound", "app "+strconv.Itoa(int(*w.AppID))+" not found")
		return pageRequest{}, &e
	case w.Limit == nil || *w.Limit < 1 || *w.Limit > volcengine.MaxPageSize:
		return pageRequest{}, invalidParam("Limit must be 1 to 20")
	case w.Cursor < 0:
		return pageRequest{}, invalidParam("Cursor must not be negative")
	}
	r := pageRequest{app: *w.AppID, user: w.participant(), cursor: w.Cursor, limit: *w.Limit,
		inbox: deref(w.InboxType), dataType: deref(w.DataType), skipMemberCount: w.SkipMemberCount != nil && *w.SkipMemberCount}
	switch {
	case r.user == "":
		return pageRequest{}, invalidParam("ParticipantUserId is required")
	case r.dataType < 0 || r.dataType > 2:
		return pageRequest{}, invalidParam("DataType must be 0, 1 or 2")
	case !s.opts.Dataset.Exists(r.user):
		// Decision (ours): the IM codes name no "user not found"; the
		// participant code is the nearest, and permanent (docs §1.6).
		e := businessError("ParticipantNotFound", "user "+r.user+" does not exist")
		return pageRequest{}, &e
	}
	return r, nil
}

// participant returns the user: a non-empty ParticipantUserIdStr wins,
// then a positive ParticipantUserId; "" when neither is set.
func (w *wireRequest) participant() string {
	switch {
	case w.ParticipantUserIDStr != nil && *w.ParticipantUserIDStr != "":
		return *w.ParticipantUserIDStr
	case w.ParticipantUserID > 0:
		return strconv.FormatInt(w.ParticipantUserID, 10)
	}
	return ""
}

func invalidParam(msg string) *apiError {
	e := businessError("InvalidParam", msg)
	return &e
}

func deref(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}

// writePage answers with the page at the request's cursor: data-set items,
// or the hand-written fixture for simulator.UserFixture.
func (s *Server) writePage(w http.ResponseWriter, r pageRequest) {
	var all []json.RawMessage
	var specs []simulator.Spec
	n := int64(0)
	if r.user == simulator.UserFixture {
		all = Fixture()
		n = int64(len(all))
	} else {
		specs = s.cache.get(s.opts.Dataset, r.user, r.dataType)
		n = int64(len(specs))
	}
	start := min(r.cursor, n)
	end := min(start+r.limit, n)
	items := make([]json.RawMessage, 0, end-start)
	for i := start; i < end; i++ {
		if all != nil {
			items = append(items, all[i])
		} else {
			items = append(items, renderItem(r.app, r.user, r.inbox, r.skipMemberCount, specs[i]))
		}
	}
	s.stats.add(func(st *Stats) { st.Pages++ })
	writePageBody(w, s.metadata(), items, end < n, end)
}
