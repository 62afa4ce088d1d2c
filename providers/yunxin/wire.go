package yunxin

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/chatlake/chatlake/providers"
	"github.com/chatlake/chatlake/schemas"
)

// envelope is every v2 response: {code, msg, data}, decoded in one pass
// with data typed. Code is a pointer so a body without one is told apart
// from code 0; Data is nil when absent or null.
type envelope[T any] struct {
	Code *int   `json:"code"`
	Msg  string `json:"msg"`
	Data *T     `json:"data"`
}

// status is the envelope without data, for bodies whose data does not fit
// the success form (error answers carry {} or anything else).
type status struct {
	Code *int   `json:"code"`
	Msg  string `json:"msg"`
}

// listData is data of GET /im/v2/conversations. Items keep the provider's
// exact bytes beside their decoded fields (providers.Item).
type listData struct {
	HasMore   bool                   `json:"has_more"`
	NextToken string                 `json:"next_token"`
	Items     []providers.Item[item] `json:"items"`
}

// batchData is data of the batch query by conversation ID.
type batchData struct {
	SuccessList []providers.Item[item] `json:"success_list"`
	FailedList  []failedEntry          `json:"failed_list"`
}

type failedEntry struct {
	ConversationID string `json:"conversation_id"`
	ErrorCode      int    `json:"error_code"`
	ErrorMsg       string `json:"error_msg"`
}

// response is a decoded HTTP answer before its data is looked at.
type response struct {
	status int
	header http.Header
	body   []byte
	now    time.Time
}

// decode checks the HTTP status and the envelope and returns the data of a
// successful response, or a classified *providers.Error.
func decode[T any](op string, r response) (*T, error) {
	if r.status != http.StatusOK {
		e := newError(op, classify(r.status, 0), http.StatusText(r.status), nil)
		e.HTTPStatus = r.status
		e.RetryAfter = providers.RetryAfter(r.header, r.now)
		return nil, e
	}
	env, err := providers.DecodeJSON[envelope[T]](r.body)
	if err != nil {
		// data may not fit T on an error answer: read code and msg alone.
		st, serr := providers.DecodeJSON[status](r.body)
		if serr != nil || st.Code == nil || *st.Code == CodeSuccess {
			return nil, malformed(op, fmt.Errorf("decode response: %w", err))
		}
		env.Code, env.Msg = st.Code, st.Msg
	}
	switch {
	case env.Code == nil:
		return nil, malformed(op, errors.New("decode response: no code"))
	case *env.Code != CodeSuccess:
		e := newError(op, classify(r.status, *env.Code), env.Msg, nil)
		e.HTTPStatus = r.status
		e.Code = strconv.Itoa(*env.Code)
		e.RetryAfter = providers.RetryAfter(r.header, r.now)
		return nil, e
	case env.Data == nil:
		return nil, malformed(op, errors.New("decode response: success without data"))
	}
	return env.Data, nil
}

// malformed is the error of a body that cannot be understood: transient,
// since a gateway hiccup is the likely cause.
func malformed(op string, err error) *providers.Error {
	e := newError(op, schemas.ClassTransient, "malformed response", err)
	e.HTTPStatus = http.StatusOK
	return e
}

// decodeList decodes a list response into conversations of user.
func decodeList(appKey, user string, r response) (ListPage, error) {
	d, err := decode[listData](opList, r)
	if err != nil {
		return ListPage{}, err
	}
	convs, err := mapItems(appKey, user, d.Items)
	if err != nil {
		return ListPage{}, malformed(opList, err)
	}
	return ListPage{Conversations: convs, HasMore: d.HasMore, NextToken: d.NextToken}, nil
}

// decodeBatch decodes a batch response into conversations of user and the
// IDs the provider reported as failed.
func decodeBatch(appKey, user string, r response) (BatchResult, error) {
	d, err := decode[batchData](opBatch, r)
	if err != nil {
		return BatchResult{}, err
	}
	convs, err := mapItems(appKey, user, d.SuccessList)
	if err != nil {
		return BatchResult{}, malformed(opBatch, err)
	}
	res := BatchResult{Conversations: convs}
	for _, f := range d.FailedList {
		res.Failed = append(res.Failed, schemas.FailedItem{ConversationID: f.ConversationID, Code: f.ErrorCode, Message: f.ErrorMsg})
	}
	return res, nil
}
