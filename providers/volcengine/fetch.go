package volcengine

import (
	"context"
	"fmt"
	"strconv"

	"github.com/chatlake/chatlake/schemas"
)

// FetchPage fetches the page of job's conversations that starts at cursor
// ("" for the first page, else a previous Page.Next) and maps it into the
// shared contract. job.App is the decimal AppId; job.DataType and
// job.InboxType pass through.
//
// An invalid job or cursor, and a provider that would make paging loop
// (HasMore with an unchanged cursor, or an empty page with HasMore), give
// a permanent *providers.Error; other errors are as for
// GetUserConversations.
func (c *Client) FetchPage(ctx context.Context, job schemas.Job, cursor string) (schemas.Page, error) {
	req, err := pageRequest(job, cursor)
	if err != nil {
		return schemas.Page{}, err
	}
	res, err := c.GetUserConversations(ctx, req)
	if err != nil {
		return schemas.Page{}, err
	}
	if err := checkProgress(req.Cursor, res); err != nil {
		return schemas.Page{}, err
	}
	page := schemas.Page{
		Conversations: make([]schemas.Conversation, len(res.Conversations)),
		Next:          strconv.FormatInt(res.NextCursor, 10),
		Done:          !res.HasMore,
	}
	for i := range res.Conversations {
		page.Conversations[i] = toConversation(job.App, job.UserID, &res.Conversations[i])
	}
	return page, nil
}

func pageRequest(job schemas.Job, cursor string) (Request, error) {
	app, err := strconv.ParseInt(job.App, 10, 32)
	if err != nil || app <= 0 {
		return Request{}, invalidJob("app %q is not a positive 32-bit AppId", job.App)
	}
	if job.UserID == "" {
		return Request{}, invalidJob("empty user id")
	}
	var cur int64
	if cursor != "" {
		cur, err = strconv.ParseInt(cursor, 10, 64)
		if err != nil || cur < 0 {
			return Request{}, invalidJob("cursor %q is not a non-negative decimal", cursor)
		}
	}
	return Request{AppID: int32(app), UserID: job.UserID, DataType: job.DataType,
		InboxType: job.InboxType, Cursor: cur}, nil
}

func invalidJob(format string, args ...any) error {
	return newError(permanent, 0, "InvalidJob", fmt.Sprintf(format, args...), nil)
}

// checkProgress refuses pages that would make the paging loop run forever.
func checkProgress(cursor int64, res *Result) error {
	switch {
	case !res.HasMore:
		return nil
	case res.NextCursor == cursor:
		return newError(permanent, 200, "CursorStuck", "HasMore with NextCursor equal to the request cursor "+strconv.FormatInt(cursor, 10), nil)
	case len(res.Conversations) == 0:
		return newError(permanent, 200, "EmptyPageWithMore", "empty page with HasMore", nil)
	}
	return nil
}

// toConversation maps one item; Raw keeps the item's exact bytes.
func toConversation(app, user string, ci *ConversationInfo) schemas.Conversation {
	v := ci.VolcengineConversation
	c := schemas.Conversation{
		Provider:       schemas.ProviderVolcengine,
		App:            app,
		UserID:         user,
		ConversationID: deref(v.ConversationIDStr),
		Type:           conversationType(deref(v.ConversationType)),
		Name:           ci.Name,
		OwnerUserID:    idString(v.OwnerUserIDStr, v.OwnerUserID),
		PeerID:         idString(v.OtherUserIDStr, v.OtherUserID),
		CreateTime:     ci.CreateTime,
		UpdateTime:     ci.ModifyTime,
		Volcengine:     &v,
		Raw:            ci.Raw,
	}
	if v.ConversationShortID != 0 {
		c.ConversationID = strconv.FormatInt(v.ConversationShortID, 10)
	}
	return c
}

// conversationType maps Volcengine's 1 (one-to-one) and 2 (group); other
// codes stay in Volcengine.ConversationType only.
func conversationType(t int32) int32 {
	switch t {
	case 1:
		return schemas.ConversationTypeOneToOne
	case 2:
		return schemas.ConversationTypeGroup
	}
	return schemas.ConversationTypeUnknown
}

// idString is the string form of an ID when the provider sent a non-empty
// one (apps with string user IDs), else the number in decimal when sent (0
// included), else the string form as sent (""), else nil.
func idString(s *string, n *int64) *string {
	if s != nil && *s != "" {
		return s
	}
	if n != nil {
		d := strconv.FormatInt(*n, 10)
		return &d
	}
	return s
}

// deref is *p, or the zero value when p is nil.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
